"""Routes of stage 4, Implement: action steps per goal and the district's open steps."""

from tests.factories_communication import ActionStepFactory, adopt
from tests.routes import EDIT, FRAGMENT, VIEW, Route, a


def adopted_set(w):
    adopt(w.goal_set, by=w.admin)
    return ["midtown", w.goal_set.pk]


def adopted_goal(w):
    adopt(w.goal_set, by=w.admin)
    return ["midtown", w.goal.pk]


def step(w):
    adopt(w.goal_set, by=w.admin)
    return ["midtown", ActionStepFactory(goal=w.goal, owner=w.staff).pk]


ROUTES = {
    "cycle:action_steps": Route(adopted_set, VIEW),
    "cycle:action_step_history": Route(adopted_set, VIEW),
    "cycle:open_steps": Route(a(), VIEW),
    "cycle:action_step_create": Route(adopted_goal, EDIT),
    "cycle:action_step_detail": Route(step, FRAGMENT),
    "cycle:action_step_edit": Route(step, EDIT),
    "cycle:action_step_delete": Route(step, EDIT),
}

# Another district's action steps: tests/test_implementation.py.
CROSS_DISTRICT = {
    "cycle:action_steps": ["other_goal_set"],
    "cycle:action_step_history": ["other_goal_set"],
    "cycle:action_step_create": ["other_goal"],
}
