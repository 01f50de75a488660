"""Routes of the CSV downloads: a goal set's goals and progress for every member; students'
experiences for admin, staff and coordinators only."""

from tests.routes import EDIT, VIEW, Route, a

ROUTES = {
    "cycle:export_goals": Route(a("goal_set"), VIEW),
    "cycle:export_progress": Route(a("goal_set"), VIEW),
    "cycle:export_experiences": Route(a(), {**EDIT, "coordinator": 200}),
}

CROSS_DISTRICT = {
    "cycle:export_goals": ["other_goal_set"],
    "cycle:export_progress": ["other_goal_set"],
}
