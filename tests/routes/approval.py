"""Routes of stage 2, Approve: feedback and its summary, feedback links, stakeholder meetings,
the board's adoption vote and the board packet."""

import datetime

from django.utils import timezone

from cycle.models import FeedbackLink, StakeholderMeeting
from tests.routes import EDIT, EDIT_POST, VIEW, Route, a


def _link(w):
    link = FeedbackLink.objects.create(
        goal_set=w.goal_set,
        label="Advisory board",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        created_by=w.staff,
    )
    return ["midtown", link.pk]


def _meeting(w):
    meeting = StakeholderMeeting.objects.create(
        goal_set=w.goal_set, held_on=datetime.date(2017, 9, 12), groups=["students"]
    )
    return ["midtown", meeting.pk]


ROUTES = {
    "cycle:feedback": Route(a("goal_set"), VIEW),
    "cycle:feedback_link_create": Route(a("goal_set"), EDIT),
    "cycle:feedback_link_revoke": Route(_link, EDIT_POST, method="post"),
    "cycle:meeting_create": Route(a("goal_set"), EDIT),
    "cycle:meeting_edit": Route(_meeting, EDIT),
    "cycle:adoption": Route(a("goal_set"), VIEW),
    "cycle:packet": Route(a("goal_set"), VIEW),
}

CROSS_DISTRICT = {
    "cycle:feedback": ["other_goal_set"],
    "cycle:feedback_link_create": ["other_goal_set"],
    "cycle:meeting_create": ["other_goal_set"],
    "cycle:adoption": ["other_goal_set"],
    "cycle:packet": ["other_goal_set"],
}
