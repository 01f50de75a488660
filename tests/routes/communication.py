"""Routes of stage 3, Communicate: the channel checklist and the communication log."""

from tests.factories_communication import CommunicationFactory, adopt
from tests.routes import EDIT, VIEW, Route


def adopted_set(w):
    """URL args of district A's goal set, adopted (in Communicate) so that logging is open."""
    adopt(w.goal_set, by=w.admin)
    return ["midtown", w.goal_set.pk]


def communication(w):
    goal_set = adopt(w.goal_set, by=w.admin)
    item = CommunicationFactory(goal_set=goal_set, logged_by=w.staff)
    return ["midtown", item.pk]


ROUTES = {
    "cycle:communication": Route(adopted_set, VIEW),
    "cycle:communication_history": Route(adopted_set, VIEW),
    "cycle:communication_create": Route(adopted_set, EDIT),
    "cycle:channel_create": Route(adopted_set, EDIT),
    "cycle:communication_edit": Route(communication, EDIT),
    "cycle:communication_delete": Route(communication, EDIT),
}

# Another district's communications and channels: tests/test_communication.py.
CROSS_DISTRICT = {
    "cycle:communication": ["other_goal_set"],
    "cycle:communication_history": ["other_goal_set"],
    "cycle:communication_create": ["other_goal_set"],
    "cycle:channel_create": ["other_goal_set"],
}
