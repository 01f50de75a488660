"""The health check a load balancer polls: no login, one query, answered over plain HTTP."""

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext


def test_health_check_answers_ok_with_one_query_and_no_login(db):
    with CaptureQueriesContext(connection) as ctx:
        response = Client().get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert len(ctx.captured_queries) == 1


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^healthz/$"])
def test_health_check_is_not_redirected_to_https_but_pages_are(db):
    client = Client()
    assert client.get("/healthz/").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
