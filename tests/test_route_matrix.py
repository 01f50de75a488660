"""Every URL pattern, requested by every persona and anonymously, answers as the role matrix says.

A URL pattern without an entry in tests/routes/ fails the suite, so no later route goes untested.
"""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.routes
from tests.routes import PERSONAS

ROUTES = {}
CROSS_DISTRICT = {}
for module_info in pkgutil.iter_modules(tests.routes.__path__):
    module = importlib.import_module(f"tests.routes.{module_info.name}")
    duplicated = set(ROUTES) & set(module.ROUTES)
    assert not duplicated, f"{module_info.name} repeats {duplicated}"
    ROUTES.update(module.ROUTES)
    CROSS_DISTRICT.update(getattr(module, "CROSS_DISTRICT", {}))


def _names(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # Django's own admin, tested in test_admin.py
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _names(p.url_patterns, inner)
        elif isinstance(p, URLPattern):
            assert p.name, f"URL pattern {p.pattern} has no name"
            yield f"{namespace}{p.name}"


def test_every_url_pattern_has_a_matrix_entry():
    names = set(_names(get_resolver().url_patterns))
    assert names - set(ROUTES) == set(), "add these URL names to ROUTES"
    assert set(ROUTES) - names == set(), "ROUTES names URLs that no longer exist"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_answers_each_persona_as_the_matrix_says(name, persona, world, login):
    route = ROUTES[name]
    client = login(world.persona(persona))
    url = reverse(name, args=route.args(world))
    response = getattr(client, route.method)(url, route.data)
    assert response.status_code == route.expect[persona], (name, persona, url)
    if persona == "anonymous" and response.status_code == 302 and name not in ("home", "logout"):
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(CROSS_DISTRICT))
def test_another_districts_object_is_404(name, world, login):
    route = ROUTES[name]
    client = login(world.staff)
    url = reverse(name, args=["midtown", *[getattr(world, n).pk for n in CROSS_DISTRICT[name]]])
    response = getattr(client, route.method)(url, route.data)
    assert response.status_code == 404
    assert world.other_goal_set.title.encode() not in response.content


@pytest.mark.parametrize(
    "name", [n for n, r in ROUTES.items() if r.method == "post" and n != "logout"]
)
def test_post_only_routes_refuse_get(name, world, login):
    client = login(world.staff if not name.startswith("wbl:") else world.admin)
    response = client.get(reverse(name, args=ROUTES[name].args(world)))
    assert response.status_code == 405
