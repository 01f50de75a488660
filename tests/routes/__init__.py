"""The route x role matrix, one module per area: each module in this package defines
ROUTES (URL name -> Route) and may define CROSS_DISTRICT (URL name -> world attributes of
district B's objects). tests/test_route_matrix.py collects them all and fails when a URL
pattern has no entry.

A Route's `args` is a function of the `world` fixture returning the URL's arguments; it may
create the objects it needs (it runs once per request)."""

from dataclasses import dataclass, field

PERSONAS = ["admin", "staff", "coordinator", "board", "viewer", "outsider", "anonymous"]

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
