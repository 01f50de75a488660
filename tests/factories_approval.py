"""Test helpers for stage 2, Approve: feedback links, feedback, and moving a set to Approve."""

import datetime

from django.utils import timezone

from cycle import services
from cycle.models import Feedback, FeedbackLink
from goals.models import GoalSet


def make_link(goal_set, *, by, days=30, label="Advisory board", revoked=False) -> FeedbackLink:
    return FeedbackLink.objects.create(
        goal_set=goal_set,
        label=label,
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
        created_by=by,
        revoked_at=timezone.now() if revoked else None,
    )


def make_feedback(goal_set, *, group="students", body="More internships, please.", **extra):
    return Feedback.objects.create(goal_set=goal_set, group=group, body=body, **extra)


def to_approve(goal_set, *, by) -> GoalSet:
    """Submit the set for approval (with an override if any goal fails the quality check)."""
    services.submit_for_approval(goal_set, by=by, override_reason="Tests send it as it is.")
    goal_set.refresh_from_db()
    return goal_set
