"""Stage 3, Communicate: the channel checklist (standard and the district's own channels, with
coverage), the communication log (history, lost updates, roles, districts, stages), the page's
query budget, and the demo."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cycle.channels import (
    STANDARD_CHANNELS,
    checklist,
    ensure_standard_channels,
    log_refusal,
)
from cycle.demo import communication as demo
from cycle.models import ActionStep, Channel, Communication, Transition
from goals.models import GoalSet, Stage
from tests.factories import GoalSetFactory
from tests.factories_communication import (
    ChannelFactory,
    CommunicationFactory,
    adopt,
    advance,
    standard_channel,
)
from wbl.models import User


@pytest.fixture
def adopted(world):
    return adopt(world.goal_set, by=world.admin)


def page_url(goal_set):
    return reverse("cycle:communication", args=[goal_set.district.slug, goal_set.pk])


def log_data(channel, /, **extra):
    return {
        "channel": channel.pk,
        "date": "2018-09-04",
        "audience": "Academy teachers at Riverview",
        "note": "Shared at the opening staff meeting.",
        "link": "https://midtown.example.org/wbl",
        **extra,
    }


# -- the standard channel list -------------------------------------------------------------


def test_standard_list_has_the_documents_twelve_places_with_unique_keys_and_names():
    keys = [c.key for c in STANDARD_CHANNELS]
    names = [c.name.casefold() for c in STANDARD_CHANNELS]
    assert len(keys) == len(set(keys)) == 12
    assert len(set(names)) == 12
    assert all(len(k) <= 40 for k in keys)  # Channel.standard_key
    joined = " ".join(names)
    for words in [
        "website",
        "vision",
        "talking points",
        "teachers",
        "employer",
        "intermediar",
        "vendors",
        "newsletters",
        "counselors",
        "recruiting",
        "community",
        "lcap",
    ]:
        assert words in joined, words


def test_ensure_standard_channels_creates_each_once_with_history(world):
    ensure_standard_channels(world.district_a, by=world.staff)
    rows = Channel.objects.filter(district=world.district_a)
    assert rows.count() == 12
    assert [c.standard_key for c in rows] == [c.key for c in STANDARD_CHANNELS]  # in order
    history = Channel.history.filter(district_id=world.district_a.pk)
    assert history.count() == 12
    assert {h.history_user for h in history} == {world.staff}

    ensure_standard_channels(world.district_a, by=world.admin)  # a second call writes nothing
    assert rows.count() == 12 and history.count() == 12
    assert not Channel.objects.filter(district=world.district_b).exists()


def test_a_custom_channel_with_a_standard_name_becomes_the_standard_one(world):
    own = ChannelFactory(district=world.district_a, name="vendors")
    ensure_standard_channels(world.district_a, by=world.staff)
    own.refresh_from_db()
    assert own.standard_key == "vendors"
    assert own.row_version == 2
    assert Channel.objects.filter(district=world.district_a).count() == 12


def test_checklist_lists_standard_channels_before_any_row_exists(world):
    result = checklist(world.goal_set)
    assert [e.name for e in result.entries] == [c.name for c in STANDARD_CHANNELS]
    assert (result.covered, result.total) == (0, 12)
    assert not Channel.objects.exists()


def test_coverage_counts_channels_reached_with_first_and_latest_dates(world, adopted):
    website = standard_channel(world.district_a, "website", by=world.staff)
    parents = standard_channel(world.district_a, "parents", by=world.staff)
    breakfast = ChannelFactory(district=world.district_a, name="Chamber of Commerce breakfast")
    ChannelFactory(district=world.district_a, name="Radio interview")  # not used yet
    for day in (datetime.date(2018, 9, 4), datetime.date(2018, 10, 1), datetime.date(2019, 1, 8)):
        CommunicationFactory(goal_set=adopted, channel=website, date=day, logged_by=world.staff)
    CommunicationFactory(goal_set=adopted, channel=parents, logged_by=world.staff)
    CommunicationFactory(goal_set=adopted, channel=breakfast, logged_by=world.staff)
    # Another set's communications do not count for this one.
    other = GoalSetFactory(district=world.district_a, title="Another set")
    CommunicationFactory(
        goal_set=other,
        channel=standard_channel(world.district_a, "vendors", by=world.staff),
        logged_by=world.staff,
    )

    result = checklist(adopted)
    assert (result.covered, result.total) == (3, 14)
    by_name = {e.name: e for e in result.entries}
    assert by_name["District website"].times == 3
    assert by_name["District website"].first_date == datetime.date(2018, 9, 4)
    assert by_name["District website"].last_date == datetime.date(2019, 1, 8)
    assert by_name["Vendors"].covered is False
    assert by_name["Chamber of Commerce breakfast"].standard is False
    assert [e.name for e in result.entries][-2:] == [
        "Chamber of Commerce breakfast",
        "Radio interview",
    ]

    text = Client()
    text.force_login(world.viewer)
    page = text.get(page_url(adopted)).content.decode()
    assert "Shared through 3 of 14 channels." in page
    assert "Jan 8, 2019" in page and "Sep 4, 2018" in page
    # Covered or not is said in words, not by colour alone.
    assert page.count("Shared</span>") == 3
    assert page.count("Not yet</span>") == 11


# -- the page ------------------------------------------------------------------------------


def test_staff_opening_the_page_creates_the_standard_channels_board_does_not(world, adopted, login):
    assert login(world.board).get(page_url(adopted)).status_code == 200
    assert not Channel.objects.exists()
    response = login(world.staff).get(page_url(adopted))
    assert response.status_code == 200
    assert Channel.objects.filter(district=world.district_a).count() == 12
    assert Channel.history.latest("history_date").history_user == world.staff
    assert 'aria-labelledby="log-form-heading"' in response.content.decode()


def test_board_and_viewer_read_the_page_without_forms(world, adopted, login):
    item = CommunicationFactory(goal_set=adopted, logged_by=world.staff, note="Warm reception")
    for persona in (world.board, world.viewer, world.coordinator):
        text = login(persona).get(page_url(adopted)).content.decode()
        assert "Warm reception" in text
        assert "Log a communication" not in text
        assert reverse("cycle:communication_edit", args=["midtown", item.pk]) not in text
        assert "Add a channel of your own" not in text


def test_page_in_draft_says_why_logging_is_not_open(world, login):
    response = login(world.staff).get(page_url(world.goal_set))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Communications are logged once the board has adopted the set" in text
    assert "Log a communication" not in text
    assert not Channel.objects.exists()


# -- logging: history, roles, stages -------------------------------------------------------


def test_staff_logs_a_communication_with_history(world, adopted, login):
    website = standard_channel(world.district_a, "website", by=world.admin)
    client = login(world.staff)
    url = reverse("cycle:communication_create", args=["midtown", adopted.pk])
    response = client.post(url, log_data(website))
    item = Communication.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"{page_url(adopted)}#communication-{item.pk}")
    assert (item.goal_set, item.channel, item.logged_by) == (adopted, website, world.staff)
    history = Communication.history.get(id=item.pk)
    assert (history.history_type, history.history_user) == ("+", world.staff)
    page = client.get(page_url(adopted)).content.decode()
    assert "Shared through 1 of 12 channels." in page
    assert "Academy teachers at Riverview" in page


def test_edit_and_delete_write_history_with_the_acting_user(world, adopted, login):
    item = CommunicationFactory(goal_set=adopted, logged_by=world.staff)
    client = login(world.admin)
    edit = reverse("cycle:communication_edit", args=["midtown", item.pk])
    response = client.post(edit, log_data(item.channel, audience="All teachers", row_version=1))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.audience, item.row_version, item.logged_by) == ("All teachers", 2, world.staff)
    assert Communication.history.filter(id=item.pk).latest("history_date").history_user == (
        world.admin
    )

    delete = reverse("cycle:communication_delete", args=["midtown", item.pk])
    assert "Delete this communication?" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not Communication.objects.exists()
    gone = Communication.history.get(id=item.pk, history_type="-")
    assert gone.history_user == world.admin

    history = client.get(reverse("cycle:communication_history", args=["midtown", adopted.pk]))
    text = history.content.decode()
    assert "Alice Admin" in text and "All teachers" in text and "Deleted" in text


def test_channel_create_adds_a_district_channel_with_history(world, adopted, login):
    client = login(world.staff)
    url = reverse("cycle:channel_create", args=["midtown", adopted.pk])
    response = client.post(url, {"name": "  Chamber of Commerce   breakfast "})
    assert response.status_code == 302
    channel = Channel.objects.get(name="Chamber of Commerce breakfast")
    assert (channel.district, channel.standard_key, channel.order) == (world.district_a, "", 1000)
    assert Channel.history.get(id=channel.pk).history_user == world.staff
    assert "Chamber of Commerce breakfast" in client.get(page_url(adopted)).content.decode()


@pytest.mark.parametrize("name", ["District website", "district WEBSITE", "Radio"])
def test_channel_names_are_unique_in_the_district(world, adopted, login, name):
    ChannelFactory(district=world.district_a, name="Radio")
    ChannelFactory(district=world.district_b, name="Podcast")
    client = login(world.staff)
    url = reverse("cycle:channel_create", args=["midtown", adopted.pk])
    response = client.post(url, {"name": name})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert client.post(url, {"name": "Podcast"}).status_code == 302  # B's names do not count


@pytest.mark.parametrize("persona", ["coordinator", "board", "viewer"])
def test_other_roles_may_not_write(world, adopted, login, persona):
    item = CommunicationFactory(goal_set=adopted, logged_by=world.staff)
    channel = item.channel
    client = login(getattr(world, persona))
    posts = [
        (reverse("cycle:communication_create", args=["midtown", adopted.pk]), log_data(channel)),
        (
            reverse("cycle:communication_edit", args=["midtown", item.pk]),
            log_data(channel, audience="Changed", row_version=1),
        ),
        (reverse("cycle:communication_delete", args=["midtown", item.pk]), {}),
        (reverse("cycle:channel_create", args=["midtown", adopted.pk]), {"name": "Radio"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert list(Communication.objects.values_list("audience", flat=True)) == ["Academy teachers"]
    assert not Channel.objects.filter(name="Radio").exists()


def test_another_districts_log_and_channels_are_404(world, adopted, login):
    other_set = adopt(world.other_goal_set, by=world.outsider)  # B's staff member
    theirs = CommunicationFactory(goal_set=other_set, logged_by=world.outsider, note="B's note")
    client = login(world.staff)
    for name in ("cycle:communication_edit", "cycle:communication_delete"):
        url = reverse(name, args=["midtown", theirs.pk])
        assert client.get(url).status_code == 404
        response = client.post(url, log_data(theirs.channel, row_version=1))
        assert response.status_code == 404
        assert b"B's note" not in response.content
    assert Communication.objects.filter(pk=theirs.pk).exists()
    # B's channel cannot be chosen for A's set.
    url = reverse("cycle:communication_create", args=["midtown", adopted.pk])
    response = client.post(url, log_data(theirs.channel))
    assert response.status_code == 200
    assert response.context["form"].errors["channel"]
    assert not Communication.objects.filter(goal_set=adopted).exists()
    # B's outsider gets 404 for A's pages.
    assert login(world.outsider).get(page_url(adopted)).status_code == 404


@pytest.mark.parametrize("stage", [Stage.DRAFT, Stage.APPROVE, Stage.REVISE])
def test_wrong_stage_is_refused_with_a_message(world, login, stage):
    goal_set = world.goal_set
    channel = standard_channel(world.district_a, "website", by=world.staff)
    item = None
    if stage == Stage.APPROVE:
        from cycle.services import submit_for_approval

        submit_for_approval(goal_set, by=world.staff, override_reason="Test")
    elif stage == Stage.REVISE:
        adopt(goal_set, by=world.staff)
        item = CommunicationFactory(goal_set=goal_set, channel=channel, logged_by=world.staff)
        goal_set = advance(goal_set, Stage.REVISE, by=world.staff)
    goal_set.refresh_from_db()
    assert goal_set.stage == stage
    client = login(world.staff)
    response = client.post(
        reverse("cycle:communication_create", args=["midtown", goal_set.pk]), log_data(channel)
    )
    assert response.status_code == 403
    assert escape(log_refusal(goal_set)) in response.content.decode()
    page = client.get(page_url(goal_set)).content.decode()
    assert "Log a communication" not in page
    if stage == Stage.REVISE:
        assert "log is closed and kept as a record" in page
        assert "Academy teachers" in page  # the record stays readable
        edit = reverse("cycle:communication_edit", args=["midtown", item.pk])
        assert client.post(edit, log_data(channel, row_version=1)).status_code == 403
        delete = reverse("cycle:communication_delete", args=["midtown", item.pk])
        assert client.post(delete).status_code == 403
        assert Communication.objects.filter(pk=item.pk).exists()
    else:
        assert "once the board has adopted the set" in page
    assert Communication.objects.filter(goal_set=goal_set).count() == (1 if item else 0)


@pytest.mark.parametrize("stage", [Stage.COMMUNICATE, Stage.IMPLEMENT, Stage.MONITOR])
def test_logging_is_open_in_stages_three_to_five(world, login, stage):
    goal_set = advance(world.goal_set, stage, by=world.staff)
    channel = standard_channel(world.district_a, "website", by=world.staff)
    response = login(world.staff).post(
        reverse("cycle:communication_create", args=["midtown", goal_set.pk]), log_data(channel)
    )
    assert response.status_code == 302
    assert Communication.objects.filter(goal_set=goal_set).count() == 1


# -- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("note", "<script>alert(1)</script>"),
        ("audience", "<b>Teachers</b>"),
        ("link", "javascript:alert(1)"),
        ("date", ""),
        ("channel", ""),
    ],
)
def test_bad_input_is_refused_at_the_field(world, adopted, login, field, value):
    channel = standard_channel(world.district_a, "website", by=world.staff)
    response = login(world.staff).post(
        reverse("cycle:communication_create", args=["midtown", adopted.pk]),
        log_data(channel, **{field: value}),
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Communication.objects.exists()
    assert 'class="errors"' in response.content.decode()


def test_a_future_date_is_refused(world, adopted, login):
    channel = standard_channel(world.district_a, "website", by=world.staff)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = login(world.staff).post(
        reverse("cycle:communication_create", args=["midtown", adopted.pk]),
        log_data(channel, date=tomorrow.isoformat()),
    )
    assert "Log communications once they have happened." in response.context["form"].errors["date"]


def test_log_text_is_escaped_on_the_page(world, adopted, login):
    CommunicationFactory(goal_set=adopted, logged_by=world.staff, note="x <img src=x onerror=1>")
    text = login(world.viewer).get(page_url(adopted)).content.decode()
    assert "<img src=x" not in text
    assert "&lt;img src=x onerror=1&gt;" in text


# -- lost updates --------------------------------------------------------------------------


def test_second_editor_of_a_communication_gets_a_conflict(world, adopted):
    item = CommunicationFactory(goal_set=adopted, logged_by=world.staff)
    first, second = Client(), Client()
    first.force_login(world.staff)
    second.force_login(world.admin)
    url = reverse("cycle:communication_edit", args=["midtown", item.pk])
    v1 = first.get(url).context["form"]["row_version"].value()
    v2 = second.get(url).context["form"]["row_version"].value()
    assert v1 == v2 == 1
    assert (
        first.post(
            url, log_data(item.channel, audience="Sam's audience", row_version=v1)
        ).status_code
        == 302
    )
    clash = second.post(url, log_data(item.channel, audience="Alice's audience", row_version=v2))
    assert clash.status_code == 409
    text = clash.content.decode()
    assert "Someone else saved this while you were editing" in text
    assert "Sam&#x27;s audience" in text and "Alice&#x27;s audience" in text
    item.refresh_from_db()
    assert (item.audience, item.row_version) == ("Sam's audience", 2)
    assert clash.context["form"]["row_version"].value() == 2
    again = second.post(url, log_data(item.channel, audience="Alice's audience", row_version=2))
    assert again.status_code == 302
    item.refresh_from_db()
    assert item.audience == "Alice's audience"


def test_an_edit_without_a_version_is_a_conflict(world, adopted, login):
    item = CommunicationFactory(goal_set=adopted, logged_by=world.staff)
    url = reverse("cycle:communication_edit", args=["midtown", item.pk])
    response = login(world.staff).post(url, log_data(item.channel, audience="No version"))
    assert response.status_code == 409
    item.refresh_from_db()
    assert item.audience == "Academy teachers"


# -- query budget --------------------------------------------------------------------------


def _grow(world, goal_set, size):
    ensure_standard_channels(world.district_a, by=world.staff)
    standard = list(Channel.objects.filter(district=world.district_a))
    for n in range(size):
        own = ChannelFactory(district=world.district_a, name=f"Own channel {n}")
        for channel in (own, standard[n % len(standard)]):
            CommunicationFactory(goal_set=goal_set, channel=channel, logged_by=world.staff)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# session + user + membership, goal set, channels with coverage, the log, the form's channels
PAGE_BUDGET = {"staff": 7, "viewer": 6}
HISTORY_BUDGET = 6  # session + user + membership, goal set, log history, channel history


@pytest.mark.parametrize("persona", sorted(PAGE_BUDGET))
@pytest.mark.parametrize("size", [3, 40])
def test_page_query_count_does_not_grow_with_data(world, adopted, login, persona, size):
    _grow(world, adopted, size)
    client = login(getattr(world, persona))
    assert _count(client, page_url(adopted)) == PAGE_BUDGET[persona]
    history = reverse("cycle:communication_history", args=["midtown", adopted.pk])
    assert _count(client, history) == HISTORY_BUDGET


# -- the demo ------------------------------------------------------------------------------


DEMO_MODELS = [Channel, Communication, ActionStep, Transition]


def _demo_counts():
    counts = {m.__name__: m.objects.count() for m in DEMO_MODELS}
    counts.update({f"{m.__name__} history": m.history.count() for m in DEMO_MODELS[:3]})
    return counts


def test_demo_logs_communications_starts_implementation_and_is_idempotent(db):
    call_command("load_demo", force=True, verbosity=0)
    admin = User.objects.get(email="admin@demo.wbl")
    goal_set = GoalSet.objects.get(
        district__slug="midtown", title="Midtown WBL system expansion", version=1
    )
    if goal_set.stage in (Stage.DRAFT, Stage.APPROVE):  # the approval demo has not run
        before = _demo_counts()
        demo.load(by=admin)  # a set not adopted yet is left alone
        assert _demo_counts() == before
        goal_set = adopt(goal_set, by=admin)

    demo.load(by=admin)
    goal_set.refresh_from_db()
    # Implementation started; load_demo's monitoring part may have moved it on already.
    assert goal_set.stage in (Stage.IMPLEMENT, Stage.MONITOR)
    assert goal_set.transitions.filter(to_stage=Stage.IMPLEMENT).exists()
    log = Communication.objects.filter(goal_set=goal_set)
    assert 5 <= log.count() <= 7
    assert log.values("channel").distinct().count() == log.count()
    assert log.filter(channel__name="Chamber of Commerce breakfast", channel__standard_key="")
    assert {c.logged_by.email for c in log} <= {"admin@demo.wbl", "staff@demo.wbl"}
    steps = ActionStep.objects.filter(goal__goal_set=goal_set)
    for goal in goal_set.goals.all():
        assert 2 <= goal.action_steps.count() <= 3, goal
    statuses = [s.status for s in steps]
    assert statuses.count(ActionStep.Status.BLOCKED) == 1
    assert statuses.count(ActionStep.Status.DONE) >= 2
    assert sum(1 for s in steps if s.is_overdue) == 1
    assert all(s.owner_id and s.due_date for s in steps)
    assert Communication.history.filter(history_user__isnull=True).count() == 0
    assert ActionStep.history.filter(history_user__isnull=True).count() == 0

    before = _demo_counts()
    demo.load(by=admin)
    assert _demo_counts() == before
