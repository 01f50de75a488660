"""Feedback through a link, without an account.

A staff member shares the link (an unguessable token). The page shows that goal set only --
its title, stem, goals and their indicators' figures, and the district's name -- and takes
feedback: the person's stakeholder group, an optional name and goal, and plain text. A wrong
token, an expired or revoked link, or a set no longer open for feedback all answer the same
404 page, so nothing tells them apart. Replies are rate-limited per link by counting the
link's feedback rows (no cache needed), under a row lock on the link.
"""

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cycle.forms.approval import PublicFeedbackForm
from cycle.models import Feedback, FeedbackLink
from cycle.views.approval import feedback_open
from goals.models import Goal
from wbl.history import save_with_history

# (window, most replies a link accepts within it)
RATE_LIMITS = [(timedelta(minutes=10), 20), (timedelta(days=1), 200)]
TOKEN_MAX = 64
TEMPLATE = "cycle/feedback_link/page.html"


class RateLimited(Exception):
    pass


def named_link(token: str) -> FeedbackLink:
    """The link named by the token, or 404."""
    if not token or len(token) > TOKEN_MAX:
        raise Http404
    link = FeedbackLink.objects.select_related("goal_set__district").filter(token=token).first()
    if link is None:
        raise Http404
    return link


def submit_feedback(link: FeedbackLink, *, group, body, author_name="", goal=None) -> Feedback:
    """Save one reply through the link, unless the link has had too many replies lately.

    The link's row is locked while counting, so parallel posts cannot slip past the limit."""
    with transaction.atomic():
        FeedbackLink.objects.select_for_update().filter(pk=link.pk).first()
        now = timezone.now()
        recent = Feedback.objects.filter(link=link)
        for window, limit in RATE_LIMITS:
            if recent.filter(created_at__gte=now - window).count() >= limit:
                raise RateLimited
        feedback = Feedback(
            goal_set=link.goal_set,
            goal=goal,
            group=group,
            body=body,
            author_name=author_name,
            link=link,
        )
        feedback.full_clean(exclude=["goal_set", "goal", "link", "author"])
        save_with_history(feedback, by=None, reason="Through a feedback link")
    return feedback


def _respond(request, link, goals, form, *, status=200, rate_limited=False):
    response = render(
        request,
        TEMPLATE,
        {
            "public_district": link.goal_set.district,
            "goal_set": link.goal_set,
            "link": link,
            "goals": goals,
            "form": form,
            "rate_limited": rate_limited,
        },
        status=status,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"  # no token in Referer to other sites
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def feedback_link(request, token):
    link = named_link(token)
    # Its page follows the district's clock, and so does its expiry (the district's midnight).
    with timezone.override(link.goal_set.district.zone):
        if not link.is_active or not feedback_open(link.goal_set):
            raise Http404  # the same for every reason
        return _feedback_link(request, link)


def _feedback_link(request, link):
    goal_set = link.goal_set
    goals = list(Goal.objects.filter(goal_set=goal_set).prefetch_related("indicators"))
    for position, goal in enumerate(goals, start=1):
        goal.position = position
    form = PublicFeedbackForm(request.POST or None, goal_set=goal_set, goals=goals)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            submit_feedback(
                link,
                group=data["group"],
                body=data["body"],
                author_name=data["author_name"],
                goal=data["goal"],
            )
        except RateLimited:
            return _respond(request, link, goals, form, status=429, rate_limited=True)
        messages.success(
            request,
            "Thank you: your feedback was sent to the district. You can send more below.",
        )
        return redirect(request.path)
    return _respond(request, link, goals, form)
