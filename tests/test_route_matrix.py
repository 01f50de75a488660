"""Every URL pattern, requested by every persona and anonymously, answers as the role matrix says.

A URL pattern without an entry here fails the suite, so no later route goes untested.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS

VIEW = {
    "admin": 200,
    "staff": 200,
    "coordinator": 200,
    "board": 200,
    "viewer": 200,
    "outsider": 404,
    "anonymous": 302,
}
EDIT = {
    "admin": 200,
    "staff": 200,
    "coordinator": 403,
    "board": 403,
    "viewer": 403,
    "outsider": 404,
    "anonymous": 302,
}
EDIT_POST = {**EDIT, "admin": 302, "staff": 302}
MANAGE = {
    "admin": 200,
    "staff": 403,
    "coordinator": 403,
    "board": 403,
    "viewer": 403,
    "outsider": 404,
    "anonymous": 302,
}
MANAGE_POST = {**MANAGE, "admin": 302}
FRAGMENT = {**VIEW, **dict.fromkeys(("admin", "staff", "coordinator", "board", "viewer"), 302)}


@dataclass
class Route:
    args: object  # world -> list of URL args
    expect: dict
    method: str = "get"
    data: dict = field(default_factory=dict)


def a(*names):
    """URL args: district A's slug, then attributes of the world."""
    return lambda w: ["midtown", *[getattr(w, n).pk for n in names]]


ROUTES = {
    "home": Route(lambda w: [], {**dict.fromkeys(PERSONAS, 302)}),
    "login": Route(lambda w: [], {**dict.fromkeys(PERSONAS, 302), "anonymous": 200}),
    "logout": Route(lambda w: [], dict.fromkeys(PERSONAS, 302), method="post"),
    "goals:set_list": Route(a(), VIEW),
    "goals:set_create": Route(a(), EDIT),
    "goals:set_detail": Route(a("goal_set"), VIEW),
    "goals:set_edit": Route(a("goal_set"), EDIT),
    "goals:set_history": Route(a("goal_set"), VIEW),
    "goals:goal_create": Route(a("goal_set"), EDIT),
    "goals:goal_detail": Route(a("goal"), FRAGMENT),
    "goals:goal_edit": Route(a("goal"), EDIT),
    "goals:goal_delete": Route(a("goal"), EDIT),
    "goals:goal_move": Route(a("goal"), EDIT_POST, method="post", data={"direction": "down"}),
    "goals:goal_history": Route(a("goal"), VIEW),
    "goals:indicator_create": Route(a("goal"), EDIT),
    "goals:indicator_edit": Route(a("indicator"), EDIT),
    "goals:indicator_delete": Route(a("indicator"), EDIT),
    "goals:indicator_move": Route(
        a("indicator"), EDIT_POST, method="post", data={"direction": "up"}
    ),
    "wbl:manage": Route(a(), MANAGE),
    "wbl:district_edit": Route(a(), MANAGE),
    "wbl:member_add": Route(a(), MANAGE),
    "wbl:member_edit": Route(a("member_coordinator"), MANAGE),
    "wbl:member_remove": Route(a("member_coordinator"), MANAGE_POST, method="post"),
    "wbl:school_create": Route(a(), MANAGE),
    "wbl:school_edit": Route(a("school"), MANAGE),
    "wbl:pathway_create": Route(a(), MANAGE),
    "wbl:pathway_edit": Route(a("pathway"), MANAGE),
    "wbl:partner_create": Route(a(), MANAGE),
    "wbl:partner_edit": Route(a("partner"), MANAGE),
}

# Routes whose objects belong to a district: requested under district A's slug with district
# B's object, they must answer 404 to district A's own staff (never 403, never data).
CROSS_DISTRICT = {
    "goals:set_detail": ["other_goal_set"],
    "goals:set_edit": ["other_goal_set"],
    "goals:set_history": ["other_goal_set"],
    "goals:goal_create": ["other_goal_set"],
    "goals:goal_detail": ["other_goal"],
    "goals:goal_edit": ["other_goal"],
    "goals:goal_delete": ["other_goal"],
    "goals:goal_move": ["other_goal"],
    "goals:goal_history": ["other_goal"],
    "goals:indicator_create": ["other_goal"],
    "goals:indicator_edit": ["other_indicator"],
    "goals:indicator_delete": ["other_indicator"],
    "goals:indicator_move": ["other_indicator"],
}


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
