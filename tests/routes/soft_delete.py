"""Routes of soft delete: deleting a goal set (staff), and the district's recently deleted
goal sets, goals and indicators, which only admins see and restore. (Another district's
deleted rows, for an admin: tests/test_soft_delete.py.)"""

from goals.services import soft_delete
from tests.factories import GoalFactory, GoalSetFactory, IndicatorFactory
from tests.routes import EDIT, MANAGE, MANAGE_POST, Route, a


def _deleted(make):
    """URL args for a row that `make(world)` creates and staff then delete."""

    def args(w):
        item = make(w)
        soft_delete(item, by=w.staff)
        return ["midtown", item.pk]

    return args


def _set(w):
    return GoalSetFactory(district=w.district_a, title="Deleted set")


def _goal(w):
    return GoalFactory(goal_set=w.goal_set, statement="Deleted goal")


def _indicator(w):
    return IndicatorFactory(goal=w.goal, name="Deleted indicator")


ROUTES = {
    "goals:set_delete": Route(a("goal_set"), EDIT),
    "goals:deleted_items": Route(a(), MANAGE),
    "goals:set_restore": Route(_deleted(_set), MANAGE_POST, method="post"),
    "goals:goal_restore": Route(_deleted(_goal), MANAGE_POST, method="post"),
    "goals:indicator_restore": Route(_deleted(_indicator), MANAGE_POST, method="post"),
}

CROSS_DISTRICT = {
    "goals:set_delete": ["other_goal_set"],
}
