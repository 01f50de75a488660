"""Routes of stage 6, Revise: outcomes, new priorities, versions and their comparison."""

from goals.models import Stage
from tests.factories_stages import goal_in_revise, in_stage
from tests.routes import EDIT, VIEW, Route, a

ROUTES = {
    "cycle:revision": Route(a("goal_set"), VIEW),
    "cycle:priorities_edit": Route(in_stage(Stage.REVISE), EDIT),
    "cycle:outcome_edit": Route(goal_in_revise, EDIT),
    "cycle:versions": Route(a("goal_set"), VIEW),
    "cycle:compare": Route(a("goal_set"), VIEW),
}

CROSS_DISTRICT = {
    "cycle:revision": ["other_goal_set"],
    "cycle:priorities_edit": ["other_goal_set"],
    "cycle:outcome_edit": ["other_goal"],
    "cycle:versions": ["other_goal_set"],
    "cycle:compare": ["other_goal_set"],
}
