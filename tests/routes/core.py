"""Routes of the foundation: sign-in, goal authoring, the district's organisation."""

from tests.routes import EDIT, EDIT_POST, FRAGMENT, MANAGE, MANAGE_POST, PERSONAS, VIEW, Route, a

ROUTES = {
    "home": Route(lambda w: [], {**dict.fromkeys(PERSONAS, 302)}),
    "healthz": Route(lambda w: [], {**dict.fromkeys(PERSONAS, 200), "anonymous": 200}),
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
