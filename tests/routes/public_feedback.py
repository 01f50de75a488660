"""The feedback link page: no login. A valid link answers everyone, signed in or not."""

import datetime

from django.utils import timezone

from cycle.models import FeedbackLink
from tests.routes import PERSONAS, Route


def _token(w):
    link = FeedbackLink.objects.create(
        goal_set=w.goal_set,
        label="Employer partners",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        created_by=w.staff,
    )
    return [link.token]


ROUTES = {
    "public:feedback_link": Route(_token, dict.fromkeys(PERSONAS, 200)),
}
