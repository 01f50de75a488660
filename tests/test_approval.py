"""Stage 2, Approve, through the district's pages: members' feedback and its summary, feedback
links (create, list, revoke), stakeholder meetings, and the board's adoption vote."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cycle import services
from cycle.demo import approval as demo
from cycle.models import (
    BoardAdoption,
    Feedback,
    FeedbackLink,
    StakeholderMeeting,
    Transition,
)
from goals.models import GoalSet, Stage
from tests.factories import GoalFactory, IndicatorFactory
from tests.factories_approval import make_feedback, make_link, to_approve
from wbl.models import User

HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = timezone.localdate()


def url(name, *args):
    return reverse(f"cycle:{name}", args=["midtown", *args])


def adoption_data(**extra):
    return {
        "governing_body": "Midtown District Board of Trustees",
        "meeting_date": "2017-10-17",
        "agenda_item": "7.2",
        "resolution_number": "2017-18/014",
        "votes_for": "5",
        "votes_against": "0",
        "votes_abstaining": "0",
        "outcome": "adopted",
        "minutes_url": "https://example.org/minutes/2017-10-17",
        **extra,
    }


def set_stage(goal_set, stage):
    GoalSet.objects.filter(pk=goal_set.pk).update(stage=stage)
    goal_set.refresh_from_db()


# -- feedback from members ---------------------------------------------------------------------


def test_board_member_leaves_feedback_on_a_goal(world, login):
    client = login(world.board)
    response = client.post(
        url("feedback", world.goal_set.pk),
        {"group": "district_officials", "goal": world.goal.pk, "body": "Add a yearly milestone."},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#feedback-section")
    feedback = Feedback.objects.get(goal_set=world.goal_set)
    assert (feedback.author, feedback.group, feedback.goal) == (
        world.board,
        "district_officials",
        world.goal,
    )
    record = feedback.history.get()
    assert (record.history_type, record.history_user) == ("+", world.board)

    page = client.get(url("feedback", world.goal_set.pk)).content.decode()
    assert "Add a yearly milestone." in page
    assert "District officials (1)" in page
    assert "Bo Board" in page


def test_feedback_through_htmx_returns_the_section(world, login):
    client = login(world.viewer)
    response = client.post(
        url("feedback", world.goal_set.pk), {"group": "parents", "body": "Bus passes?"}, **HTMX
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert text.startswith('<section id="feedback-section"')
    assert "Bus passes?" in text and "your feedback was added" in text
    assert "Parents and families (1)" in text
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"group": "", "body": "Fine"}, "Choose the stakeholder group."),
        ({"group": "students", "body": ""}, "Write your feedback before sending it."),
        ({"group": "students", "body": "<b>bold</b>"}, "Use plain text here"),
        ({"group": "students", "body": "x" * 4001}, "4,000 characters or fewer (this has 4,001)"),
        ({"group": "nobody", "body": "Fine"}, "Select a valid choice"),
    ],
)
def test_feedback_is_validated_at_the_field(world, login, data, message):
    response = login(world.staff).post(url("feedback", world.goal_set.pk), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Feedback.objects.exists()


def test_feedback_about_another_sets_goal_is_refused(world, login):
    response = login(world.staff).post(
        url("feedback", world.goal_set.pk),
        {"group": "students", "goal": world.other_goal.pk, "body": "Sneaky"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert world.other_goal.statement not in response.content.decode()
    assert not Feedback.objects.exists()


def test_feedback_is_closed_after_adoption(world, login):
    set_stage(world.goal_set, Stage.COMMUNICATE)
    client = login(world.staff)
    page = client.get(url("feedback", world.goal_set.pk)).content.decode()
    assert "Feedback is closed" in page
    assert "Leave feedback" not in page
    assert "Create a feedback link" not in page
    response = client.post(url("feedback", world.goal_set.pk), {"group": "staff", "body": "Late"})
    assert response.status_code == 409
    assert not Feedback.objects.exists()
    htmx = client.post(url("feedback", world.goal_set.pk), {"group": "staff", "body": "x"}, **HTMX)
    assert htmx.status_code == 409


def test_summary_groups_feedback_by_group_and_by_goal(world, login):
    second = GoalFactory(goal_set=world.goal_set, statement="Every academy hosts job shadows")
    link = make_link(world.goal_set, by=world.staff, label="Employers")
    make_feedback(world.goal_set, group="students", body="S1", goal=world.goal, author=world.viewer)
    make_feedback(world.goal_set, group="students", body="S2", goal=second)
    make_feedback(world.goal_set, group="parents", body="P1", link=link, author_name="Kim")
    response = login(world.board).get(url("feedback", world.goal_set.pk))
    by_group = {g.label: [i.body for i in g.items] for g in response.context["by_group"]}
    assert by_group == {"Students": ["S1", "S2"], "Parents and families": ["P1"]}
    by_goal = [(e.position, [i.body for i in e.items]) for e in response.context["by_goal"]]
    assert by_goal == [(1, ["S1"]), (2, ["S2"]), (None, ["P1"])]
    text = response.content.decode()
    assert "What stakeholders said (3)" in text
    assert "Kim, through the link “Employers”" in text
    # Board members read the summary but do not manage links.
    assert "Feedback links" not in text
    assert link.token not in text


# -- feedback links ----------------------------------------------------------------------------


def test_staff_create_a_link_and_see_its_full_url(world, login):
    client = login(world.staff)
    expires = TODAY + datetime.timedelta(days=60)
    response = client.post(
        url("feedback_link_create", world.goal_set.pk),
        {"label": "Engineering advisory board", "expires_on": expires.isoformat()},
    )
    assert response.status_code == 302
    link = FeedbackLink.objects.get()
    assert (link.goal_set, link.created_by, link.expires_on) == (
        world.goal_set,
        world.staff,
        expires,
    )
    assert len(link.token) >= 40
    assert link.history.get().history_user == world.staff
    assert response["Location"].endswith(f"#link-{link.pk}")
    page = client.get(url("feedback", world.goal_set.pk)).content.decode()
    assert f'value="http://testserver/feedback/{link.token}/"' in page
    assert "Engineering advisory board" in page and "Active" in page


def test_link_create_with_htmx_returns_the_links_section(world, login):
    client = login(world.admin)
    expires = (TODAY + datetime.timedelta(days=10)).isoformat()
    response = client.post(
        url("feedback_link_create", world.goal_set.pk),
        {"label": "Parents", "expires_on": expires},
        **HTMX,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert text.startswith('<section id="feedback-links"')
    assert FeedbackLink.objects.get().token in text
    bad = client.post(
        url("feedback_link_create", world.goal_set.pk), {"label": "", "expires_on": ""}, **HTMX
    )
    assert "Say who the link is for" in bad.content.decode()


@pytest.mark.parametrize(
    "days, message",
    [
        (0, "Choose a date after today"),
        (-3, "Choose a date after today"),
        (181, "at most 180 days"),
    ],
)
def test_link_expiry_must_be_soon_but_in_the_future(world, login, days, message):
    response = login(world.staff).post(
        url("feedback_link_create", world.goal_set.pk),
        {"label": "Parents", "expires_on": (TODAY + datetime.timedelta(days=days)).isoformat()},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FeedbackLink.objects.exists()


def test_link_label_is_plain_text(world, login):
    response = login(world.staff).post(
        url("feedback_link_create", world.goal_set.pk),
        {"label": "<script>x</script>", "expires_on": (TODAY + datetime.timedelta(1)).isoformat()},
    )
    assert "Use plain text here" in response.content.decode()
    assert not FeedbackLink.objects.exists()


def test_no_new_link_once_feedback_is_closed(world, login):
    set_stage(world.goal_set, Stage.IMPLEMENT)
    client = login(world.staff)
    assert (
        "Feedback is closed"
        in client.get(url("feedback_link_create", world.goal_set.pk)).content.decode()
    )
    response = client.post(
        url("feedback_link_create", world.goal_set.pk),
        {"label": "Late", "expires_on": (TODAY + datetime.timedelta(days=5)).isoformat()},
    )
    assert response.status_code == 409
    assert not FeedbackLink.objects.exists()


def test_link_statuses_in_the_list(world, login):
    make_link(world.goal_set, by=world.staff, label="Still open")
    expired = make_link(world.goal_set, by=world.staff, label="Old one")
    FeedbackLink.objects.filter(pk=expired.pk).update(expires_on=TODAY - datetime.timedelta(1))
    make_link(world.goal_set, by=world.staff, label="Withdrawn", revoked=True)
    response = login(world.staff).get(url("feedback", world.goal_set.pk))
    statuses = {link.label: link.status for link in response.context["links"]}
    assert statuses == {"Still open": "Active", "Old one": "Expired", "Withdrawn": "Revoked"}
    assert response.content.decode().count('class="link-url"') == 1


def test_revoking_a_link_is_recorded_once(world, login):
    link = make_link(world.goal_set, by=world.staff)
    client = login(world.admin)
    revoke = url("feedback_link_revoke", link.pk)
    response = client.post(revoke)
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None and link.row_version == 2
    record = link.history.latest()
    assert (record.history_user, record.history_change_reason) == (world.admin, "Revoked")
    # Again: nothing changes, no second history row, a plain message.
    rows = link.history.count()
    again = client.post(revoke, follow=True)
    assert "was already revoked" in again.content.decode()
    assert link.history.count() == rows
    assert FeedbackLink.objects.get(pk=link.pk).row_version == 2


def test_revoke_with_htmx_and_from_another_district(world, login):
    link = make_link(world.goal_set, by=world.staff)
    other = make_link(world.other_goal_set, by=world.outsider)
    client = login(world.staff)
    response = client.post(url("feedback_link_revoke", link.pk), **HTMX)
    assert response.status_code == 200
    assert "Revoked" in response.content.decode()
    assert client.post(url("feedback_link_revoke", other.pk)).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    assert login(world.coordinator).post(url("feedback_link_revoke", link.pk)).status_code == 403


# -- stakeholder meetings ----------------------------------------------------------------------


def test_staff_record_a_meeting(world, login):
    client = login(world.staff)
    response = client.post(
        url("meeting_create", world.goal_set.pk),
        {"held_on": "2017-09-12", "groups": ["parents", "students"], "notes": "Buses."},
    )
    assert response.status_code == 302
    meeting = StakeholderMeeting.objects.get()
    assert meeting.groups == ["students", "parents"]  # in the groups' order
    assert meeting.history.get().history_user == world.staff
    page = client.get(url("feedback", world.goal_set.pk)).content.decode()
    assert "Meeting on" in page and "Students, Parents and families" in page


def test_meeting_needs_a_date_and_a_group(world, login):
    response = login(world.staff).post(
        url("meeting_create", world.goal_set.pk), {"held_on": "", "notes": "x"}
    )
    text = response.content.decode()
    assert "Enter the date of the meeting." in text
    assert "Tick at least one group that took part." in text
    assert not StakeholderMeeting.objects.exists()


def test_meeting_edits_are_version_checked(world):
    meeting = StakeholderMeeting.objects.create(
        goal_set=world.goal_set, held_on=datetime.date(2017, 9, 12), groups=["students"]
    )
    first, second = Client(), Client()
    first.force_login(world.staff)
    second.force_login(world.admin)
    edit = url("meeting_edit", meeting.pk)
    data = {"held_on": "2017-09-12", "groups": ["students"], "row_version": 1}
    assert first.post(edit, {**data, "notes": "Sam's notes"}).status_code == 302
    clash = second.post(edit, {**data, "notes": "Alice's notes"})
    assert clash.status_code == 409
    assert "Someone else saved this while you were editing" in clash.content.decode()
    meeting.refresh_from_db()
    assert (meeting.notes, meeting.row_version) == ("Sam's notes", 2)
    assert meeting.history.latest().history_user == world.staff


def test_meetings_of_another_district_or_closed_set(world, login):
    other = StakeholderMeeting.objects.create(
        goal_set=world.other_goal_set, held_on=datetime.date(2018, 1, 1), groups=["staff"]
    )
    client = login(world.staff)
    assert client.get(url("meeting_edit", other.pk)).status_code == 404
    set_stage(world.goal_set, Stage.MONITOR)
    assert client.get(url("meeting_create", world.goal_set.pk)).status_code == 403


# -- board adoption ----------------------------------------------------------------------------


def test_adopted_moves_the_set_to_communicate(world, login):
    to_approve(world.goal_set, by=world.staff)
    client = login(world.staff)
    form_page = client.get(url("adoption", world.goal_set.pk))
    assert "Record the board's vote" in form_page.content.decode()
    response = client.post(url("adoption", world.goal_set.pk), adoption_data())
    assert response.status_code == 302
    world.goal_set.refresh_from_db()
    assert world.goal_set.stage == Stage.COMMUNICATE
    record = BoardAdoption.objects.get()
    assert (record.recorded_by, record.votes_for, record.resolution_number) == (
        world.staff,
        5,
        "2017-18/014",
    )
    assert record.history.get().history_user == world.staff
    transition = Transition.objects.filter(goal_set=world.goal_set).latest("pk")
    assert (transition.from_stage, transition.to_stage, transition.by) == (
        Stage.APPROVE,
        Stage.COMMUNICATE,
        world.staff,
    )
    page = client.get(url("adoption", world.goal_set.pk)).content.decode()
    assert "2017-18/014" in page and "5–0–0" in page and "Record the vote" not in page


@pytest.mark.parametrize("outcome", ["tabled", "not_adopted"])
def test_other_outcomes_leave_the_set_in_approve(world, login, outcome):
    to_approve(world.goal_set, by=world.staff)
    data = adoption_data(outcome=outcome, votes_for="2", votes_against="3")
    response = login(world.admin).post(url("adoption", world.goal_set.pk), data)
    assert response.status_code == 302
    world.goal_set.refresh_from_db()
    assert world.goal_set.stage == Stage.APPROVE
    assert BoardAdoption.objects.get().outcome == outcome


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"votes_against": "-1"}, "votes_against", "Votes cannot be negative."),
        ({"meeting_date": ""}, "meeting_date", "Enter the date of the board meeting."),
        ({"votes_for": "2", "votes_against": "3"}, "outcome", "more votes for than against"),
        ({"votes_for": "0", "votes_against": "0"}, "outcome", "more votes for than against"),
        ({"outcome": ""}, "outcome", "Choose the outcome of the vote."),
        (
            {"meeting_date": (TODAY + datetime.timedelta(days=2)).isoformat()},
            "meeting_date",
            "cannot be in the future",
        ),
        ({"minutes_url": "javascript:alert(1)"}, "minutes_url", "Enter a valid URL."),
    ],
)
def test_adoption_is_validated(world, login, extra, field, message):
    to_approve(world.goal_set, by=world.staff)
    response = login(world.staff).post(url("adoption", world.goal_set.pk), adoption_data(**extra))
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert not BoardAdoption.objects.exists()
    world.goal_set.refresh_from_db()
    assert world.goal_set.stage == Stage.APPROVE


def test_adoption_only_in_approve_and_only_by_staff(world, login):
    client = login(world.staff)
    page = client.get(url("adoption", world.goal_set.pk)).content.decode()
    assert "once the set is submitted for approval" in page
    response = client.post(url("adoption", world.goal_set.pk), adoption_data())
    assert response.status_code == 409
    assert "recorded while a set is in Approve" in response.content.decode()
    assert not BoardAdoption.objects.exists()
    to_approve(world.goal_set, by=world.staff)
    board = login(world.board)
    assert "Record the vote" not in board.get(url("adoption", world.goal_set.pk)).content.decode()
    assert board.post(url("adoption", world.goal_set.pk), adoption_data()).status_code == 403
    assert not BoardAdoption.objects.exists()


def test_record_adoption_service_directly(world):
    to_approve(world.goal_set, by=world.staff)
    tabled = BoardAdoption(
        meeting_date=datetime.date(2017, 10, 3), outcome="tabled", votes_for=2, votes_against=3
    )
    services.record_adoption(world.goal_set, by=world.admin, adoption=tabled)
    assert GoalSet.objects.get(pk=world.goal_set.pk).stage == Stage.APPROVE
    with pytest.raises(PermissionDenied):
        services.record_adoption(
            world.goal_set,
            by=world.board,
            adoption=BoardAdoption(meeting_date=TODAY, outcome="adopted", votes_for=5),
        )
    adopted = BoardAdoption(
        meeting_date=datetime.date(2017, 10, 17), outcome="adopted", votes_for=5
    )
    services.record_adoption(world.goal_set, by=world.admin, adoption=adopted)
    assert GoalSet.objects.get(pk=world.goal_set.pk).stage == Stage.COMMUNICATE
    with pytest.raises(services.CycleError):
        services.record_adoption(
            world.goal_set,
            by=world.admin,
            adoption=BoardAdoption(meeting_date=TODAY, outcome="adopted", votes_for=5),
        )
    assert BoardAdoption.objects.count() == 2


# -- query budgets -----------------------------------------------------------------------------


def _grow(world, size):
    link = make_link(world.goal_set, by=world.staff)
    for n in range(size):
        goal = GoalFactory(goal_set=world.goal_set, owner=world.staff)
        IndicatorFactory(goal=goal)
        make_feedback(world.goal_set, group="students", goal=goal, author=world.viewer)
        make_feedback(world.goal_set, group="parents", link=link, author_name=f"Parent {n}")
        make_link(world.goal_set, by=world.admin, label=f"Link {n}")
        StakeholderMeeting.objects.create(
            goal_set=world.goal_set, held_on=datetime.date(2017, 9, 1), groups=["staff"]
        )
        BoardAdoption.objects.create(
            goal_set=world.goal_set,
            meeting_date=datetime.date(2017, 10, 1),
            outcome="tabled",
            recorded_by=world.staff,
        )


def _count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# session + user + membership, then the page's own queries.
BUDGETS = {"feedback": 9, "adoption": 5, "feedback_link_create": 4, "meeting_create": 4}


@pytest.mark.parametrize("name", sorted(BUDGETS))
@pytest.mark.parametrize("size", [3, 40])
def test_page_query_count_does_not_grow_with_data(world, login, name, size):
    _grow(world, size)
    client = login(world.staff)
    assert _count(client, url(name, world.goal_set.pk)) == BUDGETS[name]


def test_feedback_page_shows_everything_at_size(world, login):
    _grow(world, 40)
    text = login(world.staff).get(url("feedback", world.goal_set.pk)).content.decode()
    assert text.count('class="feedback-item"') == 160  # each item by group and by goal
    assert text.count('class="link-url"') == 41


# -- demo --------------------------------------------------------------------------------------


def _snapshot():
    models = [Feedback, FeedbackLink, StakeholderMeeting, BoardAdoption, Transition, GoalSet]
    rows = {m.__name__: m.objects.count() for m in models}
    rows.update({f"{m.__name__} history": m.history.count() for m in models if m is not Transition})
    return rows


def test_demo_loads_and_is_idempotent(db):
    call_command("load_demo", force=True, stdout=StringIO())
    admin = User.objects.get(email="admin@demo.wbl")
    demo.load(by=admin)
    central = GoalSet.objects.get(title="Central WBL system")
    midtown = GoalSet.objects.get(title="Midtown WBL system expansion")
    assert central.stage == Stage.APPROVE
    # Adopted: in Communicate, or further on once later stages' demo data moves it.
    assert midtown.stage not in (Stage.DRAFT, Stage.APPROVE)
    assert midtown.transitions.filter(from_stage=Stage.APPROVE, to_stage=Stage.COMMUNICATE).exists()
    assert central.feedback.count() == 12
    assert central.feedback.values("group").distinct().count() >= 6
    link = central.feedback_links.get()
    assert link.is_active and central.feedback.filter(link=link).count() >= 5
    assert central.stakeholder_meetings.count() == 1
    assert 3 <= midtown.feedback.count() <= 5
    adoption = midtown.adoptions.get()
    assert (adoption.votes_for, adoption.votes_against, adoption.votes_abstaining) == (5, 0, 0)
    assert adoption.adopts and adoption.resolution_number and adoption.agenda_item
    assert midtown.stakeholder_meetings.count() == 1
    before = _snapshot()
    demo.load(by=admin)
    assert _snapshot() == before
