"""Routes of the stage page and the transitions (one POST endpoint per transition)."""

from goals.models import Stage
from tests.factories_stages import in_stage, revised
from tests.routes import EDIT_POST, VIEW, Route, a

ROUTES = {
    "cycle:stage": Route(a("goal_set"), VIEW),
    "cycle:submit_for_approval": Route(a("goal_set"), EDIT_POST, method="post"),
    "cycle:return_to_draft": Route(
        in_stage(Stage.APPROVE), EDIT_POST, method="post", data={"reason": "Board asked for more"}
    ),
    "cycle:start_implementation": Route(in_stage(Stage.COMMUNICATE), EDIT_POST, method="post"),
    "cycle:start_monitoring": Route(in_stage(Stage.IMPLEMENT), EDIT_POST, method="post"),
    "cycle:open_revision": Route(in_stage(Stage.MONITOR), EDIT_POST, method="post"),
    "cycle:start_new_version": Route(revised, EDIT_POST, method="post"),
}

CROSS_DISTRICT = {name: ["other_goal_set"] for name in ROUTES}
