"""Feedback through a link, without an account: the page shows that goal set only, takes
plain text, refuses every link that no longer works with the same 404, and is rate-limited."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cycle.models import Feedback, FeedbackLink
from cycle.views import feedback_links
from goals.models import GoalSet, Stage
from tests.factories import GoalFactory, IndicatorFactory
from tests.factories_approval import make_feedback, make_link
from wbl.models import District

TODAY = timezone.localdate()


@pytest.fixture
def link(world):
    return make_link(world.goal_set, by=world.staff, label="Internal label: employers list")


@pytest.fixture
def anon():
    return Client()


def page_url(token):
    return reverse("public:feedback_link", args=[token])


def reply(**extra):
    return {"group": "business_partners", "body": "We can host two interns a year.", **extra}


def _no_leak(text, world):
    """Nothing but the link's own set: no other set, no member names or emails."""
    for secret in [
        world.other_goal_set.title,
        world.other_goal.statement,
        world.staff.full_name,  # owner of the world's goal
        world.staff.email,
        "@example.org",
        "Internal label",
    ]:
        assert secret not in text, secret


def test_page_shows_only_that_goal_set(world, link, anon):
    make_feedback(world.goal_set, body="An earlier comment by someone else", author=world.board)
    response = anon.get(page_url(link.token))
    assert response.status_code == 200
    text = response.content.decode()
    for expected in [
        "Midtown District",
        world.goal_set.title,
        world.goal_set.stem,
        world.goal.statement,
        world.indicator.name,
        "Baseline 20.00 in 2017 → target 50.00 by June 30, 2020",
        "shared this link with you",
        "read by district staff",
        "csrfmiddlewaretoken",
    ]:
        assert expected in text, expected
    _no_leak(text, world)
    assert "An earlier comment" not in text
    assert "Bo Board" not in text
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    # Anonymous visitors get no district navigation.
    assert reverse("goals:set_list", args=["midtown"]) not in text
    assert 'aria-label="Main"' not in text


def test_page_has_a_noindex_meta_tag(link, anon):
    assert (
        '<meta name="robots" content="noindex">' in anon.get(page_url(link.token)).content.decode()
    )


def test_reply_is_saved_and_reaches_summary_and_packet(world, link, anon, login):
    response = anon.post(
        page_url(link.token),
        reply(goal=world.goal.pk, author_name="Jordan from Northgate"),
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(link.token)
    feedback = Feedback.objects.get()
    assert (feedback.goal_set, feedback.goal, feedback.link, feedback.author) == (
        world.goal_set,
        world.goal,
        link,
        None,
    )
    assert (feedback.group, feedback.author_name) == ("business_partners", "Jordan from Northgate")
    record = feedback.history.get()
    assert record.history_type == "+" and record.history_user is None
    assert "your feedback was sent" in anon.get(page_url(link.token)).content.decode()

    staff = login(world.staff)
    summary = staff.get(reverse("cycle:feedback", args=["midtown", world.goal_set.pk]))
    text = summary.content.decode()
    assert "We can host two interns a year." in text
    assert "Business partners (1)" in text
    assert "Jordan from Northgate, through the link" in text

    pdf = staff.get(reverse("cycle:packet", args=["midtown", world.goal_set.pk])).content
    packet = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "We can host two interns a year." in packet
    assert "Business partners (1)" in packet
    assert "Jordan from Northgate" not in packet  # group and text only


def test_anonymous_reply_without_a_name_or_goal(world, link, anon):
    assert anon.post(page_url(link.token), reply(author_name="  ")).status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.author_name, feedback.goal) == ("", None)


# -- refused links: one identical 404 for every reason --------------------------------------


def _refusals(world, link):
    expired = make_link(world.goal_set, by=world.staff, label="Expired")
    FeedbackLink.objects.filter(pk=expired.pk).update(expires_on=TODAY - datetime.timedelta(1))
    revoked = make_link(world.goal_set, by=world.staff, label="Revoked", revoked=True)
    closed_set = GoalFactory(goal_set__district=world.district_a).goal_set
    closed = make_link(closed_set, by=world.staff, label="Closed")
    GoalSet.objects.filter(pk=closed_set.pk).update(stage=Stage.COMMUNICATE)
    return {
        "wrong token": link.token[:-2] + ("aa" if not link.token.endswith("aa") else "bb"),
        "made-up token": "x",
        "too long": "a" * 300,
        "expired": expired.token,
        "revoked": revoked.token,
        "set adopted": closed.token,
    }


def test_every_refused_link_gets_the_same_404(world, link, anon):
    bodies = set()
    for reason, token in _refusals(world, link).items():
        for method in ("get", "post"):
            response = getattr(anon, method)(page_url(token), reply())
            assert response.status_code == 404, (reason, method)
            text = response.content.decode()
            _no_leak(text, world)
            assert world.goal_set.title not in text
            assert world.goal.statement not in text
            bodies.add(re.sub(r'"X-CSRFToken": "[^"]*"', "", text))
    assert len(bodies) == 1, "the 404 pages differ, so they tell the reasons apart"
    assert not Feedback.objects.exists()


def test_link_expires_after_its_last_day(world, link, anon):
    FeedbackLink.objects.filter(pk=link.pk).update(expires_on=TODAY)
    assert anon.get(page_url(link.token)).status_code == 200
    FeedbackLink.objects.filter(pk=link.pk).update(expires_on=TODAY - datetime.timedelta(1))
    assert anon.get(page_url(link.token)).status_code == 404


def test_link_expires_at_midnight_in_the_districts_time_zone(world, link, anon, monkeypatch):
    # 05:30 UTC on Dec 4: Dec 3 still in Los Angeles, Dec 4 already in New York.
    night = datetime.datetime(2026, 12, 4, 5, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: night)
    FeedbackLink.objects.filter(pk=link.pk).update(expires_on=datetime.date(2026, 12, 3))
    assert anon.get(page_url(link.token)).status_code == 200  # Pacific: its last day
    District.objects.filter(pk=world.district_a.pk).update(time_zone="America/New_York")
    assert anon.get(page_url(link.token)).status_code == 404  # Eastern: the day after


def test_another_sets_ids_are_refused_or_ignored(world, link, anon):
    # A goal of another set (in another district) is not a valid choice...
    response = anon.post(page_url(link.token), reply(goal=world.other_goal.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Select a valid choice" in text
    _no_leak(text, world)
    # ...and a goal set id in the post is ignored: the reply goes to the link's own set.
    response = anon.post(page_url(link.token), reply(goal_set=world.other_goal_set.pk))
    assert response.status_code == 302
    assert Feedback.objects.get().goal_set == world.goal_set
    assert not Feedback.objects.filter(goal_set=world.other_goal_set).exists()


def test_a_link_to_another_district_shows_that_set_only(world, anon):
    other = make_link(world.other_goal_set, by=world.outsider)
    text = anon.get(page_url(other.token)).content.decode()
    assert world.other_goal_set.title in text and "Central School District" in text
    assert world.goal_set.title not in text and "Midtown" not in text


@pytest.mark.parametrize(
    "data, message",
    [
        (reply(group=""), "Choose the group you belong to."),
        (reply(group="hackers"), "Select a valid choice"),
        (reply(body=""), "Write your feedback before sending it."),
        (reply(body='<img src="x" onerror="alert(1)">'), "Use plain text here"),
        (reply(body="<script>alert(1)</script>"), "Use plain text here"),
        (reply(author_name="<b>Me</b>"), "Use plain text here"),
        (reply(body="y" * 4001), "4,000 characters or fewer (this has 4,001)"),
        (reply(author_name="n" * 151), "150 characters or fewer"),
    ],
)
def test_text_only_with_clear_messages(world, link, anon, data, message):
    response = anon.post(page_url(link.token), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert "<script>alert" not in text and '<img src="x"' not in text
    assert not Feedback.objects.exists()


def test_fewer_than_ten_except_plain_less_than_is_fine(link, anon):
    body = "Fewer than 10 < 20 placements is not enough"
    assert anon.post(page_url(link.token), reply(body=body)).status_code == 302
    assert Feedback.objects.get().body == body


def test_csrf_stays_on(link):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(page_url(link.token), reply()).status_code == 403
    assert not Feedback.objects.exists()
    page = strict.get(page_url(link.token))
    token = page.cookies["csrftoken"].value
    response = strict.post(page_url(link.token), {**reply(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302


# -- rate limit ----------------------------------------------------------------------------


def test_a_flood_is_refused_with_429(world, link, anon):
    for n in range(20):
        assert anon.post(page_url(link.token), reply(body=f"Reply {n}")).status_code == 302
    response = anon.post(page_url(link.token), reply(body="One too many"))
    assert response.status_code == 429
    text = response.content.decode()
    assert "Your feedback was not saved" in text
    assert "try again" in text.lower() or "send it again" in text
    assert "One too many" in text  # their text is kept in the form
    _no_leak(text, world)
    assert Feedback.objects.count() == 20
    # Another link of the same set has its own allowance.
    other = make_link(world.goal_set, by=world.staff, label="Parents")
    assert anon.post(page_url(other.token), reply()).status_code == 302


def test_the_window_slides(world, link, anon):
    for n in range(20):
        make_feedback(world.goal_set, link=link, body=f"Old {n}")
    assert anon.post(page_url(link.token), reply()).status_code == 429
    eleven_minutes_ago = timezone.now() - datetime.timedelta(minutes=11)
    Feedback.objects.filter(link=link).update(created_at=eleven_minutes_ago)
    assert anon.post(page_url(link.token), reply()).status_code == 302


def test_daily_limit(world, link, anon):
    Feedback.objects.bulk_create(
        [
            Feedback(goal_set=world.goal_set, link=link, group="parents", body=f"Earlier {n}")
            for n in range(200)
        ]
    )
    two_hours_ago = timezone.now() - datetime.timedelta(hours=2)
    Feedback.objects.filter(link=link).update(created_at=two_hours_ago)
    assert anon.post(page_url(link.token), reply()).status_code == 429
    yesterday = timezone.now() - datetime.timedelta(hours=25)
    Feedback.objects.filter(link=link).update(created_at=yesterday)
    assert anon.post(page_url(link.token), reply()).status_code == 302


def test_rate_limit_service_directly(world, link, monkeypatch):
    monkeypatch.setattr(feedback_links, "RATE_LIMITS", [(datetime.timedelta(minutes=10), 2)])
    for _ in range(2):
        feedback_links.submit_feedback(link, group="staff", body="ok")
    with pytest.raises(feedback_links.RateLimited):
        feedback_links.submit_feedback(link, group="staff", body="too many")
    assert Feedback.objects.count() == 2


# -- query budget --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 40])
def test_public_page_query_count_does_not_grow(world, link, anon, size):
    for _ in range(size):
        goal = GoalFactory(goal_set=world.goal_set)
        IndicatorFactory(goal=goal)
        IndicatorFactory(goal=goal)
        make_feedback(world.goal_set, link=link)
    with CaptureQueriesContext(connection) as ctx:
        response = anon.get(page_url(link.token))
    assert response.status_code == 200
    assert len(ctx.captured_queries) == 3  # link with set and district, goals, indicators
    assert response.content.decode().count('class="indicator"') == 2 * size + 1
