"""Routes of stage 1, Draft: the drafting page, team, ground rules, prompts, comments and the
district's reading list. (Team members and resources of another district: tests/test_drafting.)"""

from tests.factories_stages import ResourceFactory, TeamMemberFactory
from tests.routes import EDIT, FRAGMENT, PERSONAS, VIEW, Route, a

# Any member may comment, in any stage; the comment form posts and redirects back.
COMMENT_POST = {**dict.fromkeys(PERSONAS, 302), "outsider": 404}


def team_member(w):
    return ["midtown", TeamMemberFactory(goal_set=w.goal_set).pk]


def resource(w):
    return ["midtown", ResourceFactory(district=w.district_a).pk]


def prompt(w):
    return ["midtown", w.goal_set.pk, "system-1"]


ROUTES = {
    "cycle:drafting": Route(a("goal_set"), VIEW),
    "cycle:drafting_history": Route(a("goal_set"), VIEW),
    "cycle:team_add": Route(a("goal_set"), EDIT),
    "cycle:team_edit": Route(team_member, EDIT),
    "cycle:team_remove": Route(team_member, EDIT),
    "cycle:ground_rules": Route(a("goal_set"), EDIT),
    "cycle:prompts": Route(a("goal_set"), VIEW),
    "cycle:prompt_detail": Route(prompt, FRAGMENT),
    "cycle:prompt_answer": Route(prompt, EDIT),
    "cycle:comment_add": Route(
        a("goal_set"), COMMENT_POST, method="post", data={"body": "Looks right to me."}
    ),
    "cycle:resources": Route(a(), VIEW),
    "cycle:resource_add": Route(a(), EDIT),
    "cycle:resource_history": Route(a(), VIEW),
    "cycle:resource_edit": Route(resource, EDIT),
    "cycle:resource_delete": Route(resource, EDIT),
}

CROSS_DISTRICT = {
    name: ["other_goal_set"]
    for name in [
        "cycle:drafting",
        "cycle:drafting_history",
        "cycle:team_add",
        "cycle:ground_rules",
        "cycle:prompts",
        "cycle:comment_add",
    ]
}
