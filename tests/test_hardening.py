"""Hardening seen from outside: security headers and the content security policy on every kind
of response, cookies, the host check, the server-error page, sign-in throttling, and the log line
for every refused request of a signed-in person."""

import datetime
import logging
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import path, reverse

from tests.factories_communication import adopt

ROOT = Path(__file__).resolve().parent.parent
HX = {"HTTP_HX_REQUEST": "true"}
LOCKED = "Too many failed sign-in attempts with this email address"


def boom(request):
    raise RuntimeError("secret detail: the database password is hunter2")


# A URLconf for the server-error test only (@pytest.mark.urls("tests.test_hardening")).
urlpatterns = [path("boom/", boom)]


@pytest.fixture
def production(settings):
    """What a real deployment runs with (tests/settings.py relaxes these for plain HTTP)."""
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["wbl.example.org"]
    return settings


def https(client, url, **extra):
    return client.get(url, secure=True, HTTP_HOST="wbl.example.org", **extra)


# -- headers and the content security policy --------------------------------------------------


def page(world, client):
    client.force_login(world.staff)
    return https(client, reverse("goals:set_detail", args=["midtown", world.goal_set.pk]))


def fragment(world, client):
    client.force_login(world.staff)
    return https(client, reverse("goals:goal_detail", args=["midtown", world.goal.pk]), **HX)


def pdf(world, client):
    client.force_login(world.board)
    return https(client, reverse("cycle:packet", args=["midtown", world.goal_set.pk]))


def public(world, client):
    adopt(world.goal_set, by=world.admin)
    return https(client, reverse("public:district", args=["midtown"]))


def sign_in_page(world, client):
    return https(client, reverse("login"))


@pytest.mark.parametrize("fetch", [page, fragment, pdf, public, sign_in_page])
def test_every_kind_of_response_carries_the_security_headers(production, world, client, fetch):
    response = fetch(world, client)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    policy = {name: values for name, *values in directives}
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_the_pdf_is_really_a_pdf(production, world, client):
    response = pdf(world, client)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_plain_http_is_sent_to_https(production, world, client):
    response = client.get(reverse("login"), HTTP_HOST="wbl.example.org")
    assert response.status_code == 301
    assert response["Location"] == "https://wbl.example.org" + reverse("login")


INLINE = {
    "inline <script> (no src)": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style= attribute": re.compile(r"<[^>]+\sstyle=", re.I),
    "on*= event handler": re.compile(r"<[^>]+\son[a-z]+=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


@pytest.mark.parametrize("name", sorted(INLINE))
def test_page_templates_need_nothing_the_policy_blocks(name):
    """The policy allows no inline script or style, so no browser page may use one (PDF
    templates are rendered by WeasyPrint on the server, which the policy does not govern)."""
    hits = []
    for template in (ROOT / "templates").rglob("*.html"):
        if "pdf" in template.relative_to(ROOT / "templates").parts:
            continue
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            if INLINE[name].search(line):
                hits.append(f"{template.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not hits, "\n".join(hits)


def test_pages_load_htmx_from_our_static_files_without_its_inline_style(world, login):
    html = login(world.staff).get(reverse("goals:set_list", args=["midtown"])).content.decode()
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js"', html)
    assert '"includeIndicatorStyles":false' in html
    for name, pattern in INLINE.items():
        assert not pattern.search(html), name
    css = (ROOT / "static/css/app.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


def test_cookies_are_secure_httponly_and_same_site(production, world, client):
    form = https(client, reverse("login"))
    csrf = form.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = client.post(
        reverse("login"),
        {"username": "sam.staff@example.org", "password": "pw"},
        secure=True,
        HTTP_HOST="wbl.example.org",
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


# -- host and server error ------------------------------------------------------------------


def test_a_foreign_host_is_refused_with_400(production, client):
    assert https(client, reverse("login")).status_code == 200
    response = client.get(reverse("login"), secure=True, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "evil.example" not in response.content.decode()


@pytest.mark.urls("tests.test_hardening")
def test_a_server_error_shows_the_error_page_and_nothing_inside(production, db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", secure=True, HTTP_HOST="wbl.example.org")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "The error was logged. Please try again in a moment." in html
    for leak in ("Traceback", "RuntimeError", "hunter2", "secret detail", str(ROOT), ".py"):
        assert leak not in html, leak
    assert "SECRET_KEY" not in html and "DATABASES" not in html
    assert response["Content-Security-Policy"]


def test_the_error_page_stands_alone_and_is_accessible():
    html = (ROOT / "templates/500.html").read_text()
    assert '<html lang="en">' in html
    assert re.search(r"<title>[^<]+</title>", html)
    assert "<main>" in html and "<h1>" in html
    assert "{%" not in html and "{{" not in html  # renders even when the app is broken


# -- sign-in throttling -----------------------------------------------------------------------


def sign_in(client, email, password, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def signed_in(client):
    return "_auth_user_id" in client.session


def fail(client, email, times):
    return [sign_in(client, email, "wrong password").status_code for _ in range(times)]


def test_five_failures_lock_the_email_even_for_the_right_password(world, client):
    assert fail(client, "sam.staff@example.org", 4) == [200] * 4
    fifth = sign_in(client, "sam.staff@example.org", "still wrong")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    right = sign_in(client, "sam.staff@example.org", "pw")
    assert right.status_code == 429
    assert LOCKED in right.content.decode()
    assert not signed_in(client)
    assert "Signing in with it is paused for 15 minutes" in right.content.decode()


def test_the_lock_ends_after_the_cool_off(world, client):
    fail(client, "sam.staff@example.org", 5)
    assert sign_in(client, "sam.staff@example.org", "pw").status_code == 429
    # 16 minutes pass (the stored timestamps move back instead of the test sleeping).
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= datetime.timedelta(minutes=16)
        attempt.save(update_fields=["attempt_time"])
    response = sign_in(client, "sam.staff@example.org", "pw")
    assert response.status_code == 302 and signed_in(client)
    assert not AccessAttempt.objects.exists()  # a success clears the count


def test_the_lock_does_not_say_whether_the_email_exists(world):
    known, unknown = Client(), Client()
    assert fail(known, "sam.staff@example.org", 4) == fail(unknown, "nobody@example.org", 4)
    locked_known = sign_in(known, "sam.staff@example.org", "x")
    locked_unknown = sign_in(unknown, "nobody@example.org", "x")
    assert locked_known.status_code == locked_unknown.status_code == 429

    def message(response):
        html = response.content.decode()
        return re.search(r'<div class="error-summary" role="alert">(.*?)</div>', html).group(1)

    assert message(locked_known) == message(locked_unknown)
    assert LOCKED in message(locked_known)


def test_the_count_is_in_the_database_for_every_app_server(world, client):
    fail(client, "Sam.Staff@Example.org ", 3)  # case and spaces do not make a new count
    fail(client, "sam.staff@example.org", 2)
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "sam.staff@example.org"
    assert attempt.failures_since_start == 5
    other_server = Client()  # no shared cookies or memory: only the database
    assert sign_in(other_server, "sam.staff@example.org", "pw").status_code == 429


def test_another_email_and_another_client_address_are_not_locked(world, client):
    fail(client, "sam.staff@example.org", 5)
    assert sign_in(Client(), "alice.admin@example.org", "pw").status_code == 302
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    assert sign_in(elsewhere, "sam.staff@example.org", "pw").status_code == 302


# -- refused requests are logged ---------------------------------------------------------------


def security_records(caplog):
    return [r for r in caplog.records if r.name == "wbl.security"]


def test_a_403_for_the_role_is_logged_with_user_path_method_and_time(world, login, caplog):
    url = reverse("goals:set_create", args=["midtown"])
    caplog.set_level(logging.WARNING, logger="wbl.security")
    response = login(world.viewer).post(url, {"title": "x"})
    assert response.status_code == 403
    [record] = security_records(caplog)
    assert record.levelno == logging.WARNING
    text = record.getMessage()
    assert text.startswith("403 refused")
    assert f"user {world.viewer.pk} (vic.viewer@example.org)" in text
    assert f"POST {url}" in text
    assert re.search(r" at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", text)


def test_a_403_for_a_frozen_set_is_logged(world, login, caplog):
    adopt(world.goal_set, by=world.admin)
    url = reverse("goals:goal_edit", args=["midtown", world.goal.pk])
    caplog.set_level(logging.WARNING, logger="wbl.security")
    assert login(world.staff).get(url).status_code == 403
    [record] = security_records(caplog)
    assert "403 refused" in record.getMessage() and "sam.staff@example.org" in record.getMessage()


def test_cross_district_404s_are_logged(world, login, caplog):
    caplog.set_level(logging.WARNING, logger="wbl.security")
    not_a_member = reverse("goals:set_list", args=["midtown"])
    assert login(world.outsider).get(not_a_member).status_code == 404
    other_districts_set = reverse("goals:set_detail", args=["midtown", world.other_goal_set.pk])
    assert login(world.staff).get(other_districts_set).status_code == 404
    records = security_records(caplog)
    assert [r.getMessage().split(" at ")[0] for r in records] == [
        f"404 refused: user {world.outsider.pk} (olga.outsider@example.org) GET {not_a_member}",
        f"404 refused: user {world.staff.pk} (sam.staff@example.org) GET {other_districts_set}",
    ]


def test_anonymous_visitors_and_allowed_requests_are_not_logged(world, login, client, caplog):
    caplog.set_level(logging.WARNING, logger="wbl.security")
    assert client.get("/no/such/page/").status_code == 404
    assert client.get(reverse("goals:set_list", args=["midtown"])).status_code == 302
    assert login(world.staff).get(reverse("goals:set_list", args=["midtown"])).status_code == 200
    assert security_records(caplog) == []
