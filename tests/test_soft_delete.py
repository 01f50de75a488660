"""Deleting a goal set, goal or indicator is a soft delete: gone from every page, export and
PDF, kept in history, restorable by an admin for 30 days, then purged; adopted sets are never
deleted."""

import codecs
import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cycle import services as cycle_services
from goals.models import Goal, GoalSet, Indicator, Stage
from goals.services import purge, restore, soft_delete
from tests.factories import GoalFactory, GoalSetFactory, IndicatorFactory
from tests.test_packet_pdf import read as read_pdf
from tests.test_packet_pdf import text_of

HX = {"HTTP_HX_REQUEST": "true"}


def url(name, *args):
    return reverse(f"goals:{name}", args=["midtown", *args])


def fresh(item):
    return type(item).all_objects.get(pk=item.pk)


def stage(goal_set, to):
    GoalSet.objects.filter(pk=goal_set.pk).update(stage=to)
    goal_set.refresh_from_db()


def age(item, days):
    """Move the deletion of `item` (and of what went with it) `days` into the past."""
    deleted_at = fresh(item).deleted_at
    for model in (GoalSet, Goal, Indicator):
        model.all_objects.filter(deleted_at=deleted_at).update(
            deleted_at=deleted_at - timedelta(days=days)
        )


def page_text(response):
    assert response.status_code == 200
    return response.content.decode()


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def doomed(world):
    """A second goal (no owner: it fails the quality check) with an indicator, and a second
    indicator on the world's goal, both deleted by staff."""
    goal = GoalFactory(goal_set=world.goal_set, statement="Doomed goal", owner=None)
    IndicatorFactory(goal=goal, name="Doomed indicator")
    dropped = IndicatorFactory(goal=world.goal, name="Dropped indicator")
    soft_delete(goal, by=world.staff)
    soft_delete(dropped, by=world.staff)
    return goal, dropped


# -- deleting --------------------------------------------------------------------------------


def test_staff_delete_a_goal_set_after_confirming(world, login):
    client = login(world.staff)
    page = page_text(client.get(world.goal_set.get_absolute_url()))
    assert url("set_delete", world.goal_set.pk) in page  # the set page offers it
    confirm = page_text(client.get(url("set_delete", world.goal_set.pk)))
    assert "Delete this goal set?" in confirm and "Midtown WBL expansion" in confirm
    assert "Its 1 goal and their indicators are deleted with it." in confirm

    response = client.post(url("set_delete", world.goal_set.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("set_list")
    text = page_text(response)
    assert "Deleted the goal set “Midtown WBL expansion”" in text
    assert "An administrator can restore it within 30 days." in text
    assert response.context["total"] == 0  # no set left in the list
    assert client.get(world.goal_set.get_absolute_url()).status_code == 404
    assert client.get(url("goal_history", world.goal.pk)).status_code == 404
    goal_set, goal, indicator = fresh(world.goal_set), fresh(world.goal), fresh(world.indicator)
    assert goal_set.deleted_by == world.staff and goal_set.deleted_at is not None
    assert goal.deleted_at == indicator.deleted_at == goal_set.deleted_at


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_deleting_a_goal_hides_it_and_its_indicators(world, login, htmx):
    client = login(world.staff)
    response = client.post(url("goal_delete", world.goal.pk), **(HX if htmx else {}))
    if htmx:
        assert 'Goals <span class="count">(0)</span>' in page_text(response)
    else:
        assert response.status_code == 302
    page = page_text(client.get(world.goal_set.get_absolute_url()))
    assert "Seniors complete internships" not in page
    assert not world.goal_set.goals.exists()
    assert fresh(world.indicator).deleted_at == fresh(world.goal).deleted_at is not None


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_deleting_an_indicator_hides_it(world, login, htmx):
    client = login(world.staff)
    response = client.post(url("indicator_delete", world.indicator.pk), **(HX if htmx else {}))
    if htmx:
        assert "No indicators yet." in page_text(response)
    else:
        assert response.status_code == 302
    page = page_text(client.get(world.goal_set.get_absolute_url()))
    assert "Seniors completing internships" not in page
    assert fresh(world.indicator).deleted_by == world.staff
    assert fresh(world.goal).deleted_at is None


# -- gone everywhere -------------------------------------------------------------------------


def _csv(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_deleted_rows_leave_the_draft_pages_export_and_board_packet(world, login, doomed):
    client = login(world.board)
    page = page_text(client.get(world.goal_set.get_absolute_url()))
    assert "Seniors complete internships" in page
    assert "Doomed" not in page and "Dropped indicator" not in page
    assert 'Goals <span class="count">(1)</span>' in page
    listing = client.get(url("set_list"))
    assert [s.goal_count for _, sets in listing.context["levels"] for s in sets] == [1]

    rows = _csv(client.get(reverse("cycle:export_goals", args=["midtown", world.goal_set.pk])))
    assert [(r[4], r[8]) for r in rows[1:]] == [
        ("Seniors complete internships", "Seniors completing internships")
    ]

    packet = client.get(reverse("cycle:packet", args=["midtown", world.goal_set.pk]))
    text = text_of(read_pdf(packet.content))
    assert "Seniors complete internships" in text
    assert "Doomed" not in text and "Dropped indicator" not in text
    assert "1 goal, 1 indicator" in text


def test_a_goal_without_indicators_left_is_exported_once(world, login):
    soft_delete(world.indicator, by=world.staff)
    rows = _csv(
        login(world.staff).get(reverse("cycle:export_goals", args=["midtown", world.goal_set.pk]))
    )
    assert [(r[4], r[8]) for r in rows[1:]] == [("Seniors complete internships", "")]


def test_the_quality_gate_skips_a_deleted_goal(world, doomed):
    # The doomed goal has no owner: only its deletion lets the set go without an override.
    cycle_services.submit_for_approval(world.goal_set, by=world.staff)
    assert fresh(world.goal_set).stage == Stage.APPROVE


def test_deleted_rows_leave_dashboards_statuses_and_the_public_page(world, login, doomed):
    stage(world.goal_set, Stage.MONITOR)
    client = login(world.board)
    dashboard = page_text(
        client.get(reverse("cycle:dashboard", args=["midtown", world.goal_set.pk]))
    )
    assert "Seniors completing internships" in dashboard
    assert "Doomed" not in dashboard and "Dropped indicator" not in dashboard
    assert "Indicators by status (1 in all)" in dashboard
    overview = client.get(reverse("cycle:overview", args=["midtown"]))
    assert overview.context["indicator_count"] == 1
    assert sum(overview.context["totals"]) == 1  # one status in the tally

    stage(world.goal_set, Stage.COMMUNICATE)
    public = page_text(login(None).get(reverse("public:district", args=["midtown"])))
    assert "Seniors complete internships" in public
    assert "Doomed" not in public and "Dropped indicator" not in public


def test_comments_about_a_deleted_goal_leave_with_it(world, login):
    client = login(world.viewer)
    drafting = reverse("cycle:drafting", args=["midtown", world.goal_set.pk])
    client.post(
        reverse("cycle:comment_add", args=["midtown", world.goal_set.pk]),
        {"body": "Which seniors count?", "goal": world.goal.pk},
    )
    assert "Which seniors count?" in page_text(client.get(drafting))
    soft_delete(world.goal, by=world.staff)
    assert "Which seniors count?" not in page_text(client.get(drafting))
    restore(world.goal, by=world.admin)
    assert "Which seniors count?" in page_text(client.get(drafting))


# -- adopted sets are never deleted ------------------------------------------------------------


@pytest.mark.parametrize("adopted", [Stage.COMMUNICATE, Stage.MONITOR, Stage.REVISE])
@pytest.mark.parametrize(
    "name, attr",
    [("set_delete", "goal_set"), ("goal_delete", "goal"), ("indicator_delete", "indicator")],
)
def test_an_adopted_set_and_its_goals_and_indicators_refuse_deletion(
    world, login, adopted, name, attr
):
    stage(world.goal_set, adopted)
    client = login(world.admin)
    target = url(name, getattr(world, attr).pk)
    for response in (client.get(target), client.post(target), client.post(target, **HX)):
        assert response.status_code == 403
        text = response.content.decode()
        assert "was adopted and is frozen" in text
        assert "cannot be deleted" in text
    assert GoalSet.all_objects.filter(deleted_at__isnull=False).count() == 0
    assert Goal.all_objects.filter(deleted_at__isnull=False).count() == 0
    assert Indicator.all_objects.filter(deleted_at__isnull=False).count() == 0
    assert url("set_delete", world.goal_set.pk) not in page_text(
        client.get(world.goal_set.get_absolute_url())
    )


# -- history ---------------------------------------------------------------------------------


def test_delete_and_restore_are_in_history_with_who_did_it(world, login):
    login(world.staff).post(url("goal_delete", world.goal.pk))
    client = login(world.admin)
    client.post(url("goal_restore", world.goal.pk))
    deleted, restored = Goal.history.filter(id=world.goal.pk).order_by("history_date")[1:]
    assert (deleted.history_user, deleted.deleted_by_id) == (world.staff, world.staff.pk)
    assert restored.history_user == world.admin and restored.deleted_at is None
    marks = Indicator.history.filter(id=world.indicator.pk).order_by("history_date")[1:]
    assert [r.history_user for r in marks] == [world.staff, world.admin]

    text = page_text(login(world.viewer).get(url("goal_history", world.goal.pk)))
    assert "Deleted · Goal" in text and "Restored · Goal" in text
    assert "Deleted · Indicator: Seniors completing internships" in text
    assert "Sam Staff" in text and "Alice Admin" in text
    set_text = page_text(login(world.viewer).get(url("set_history", world.goal_set.pk)))
    assert "Deleted · Goal: Seniors complete internships" in set_text
    assert "Restored · Goal: Seniors complete internships" in set_text


# -- restoring -------------------------------------------------------------------------------


def test_admin_sees_recently_deleted_items_with_who_and_when(world, login, doomed):
    goal, dropped = doomed
    soft_delete(GoalSetFactory(district=world.district_a, title="Old plan"), by=world.admin)
    soft_delete(world.other_goal, by=world.outsider)  # another district's: never listed
    manage = page_text(login(world.admin).get(reverse("wbl:manage", args=["midtown"])))
    assert url("deleted_items") in manage
    text = page_text(login(world.admin).get(url("deleted_items")))
    assert "Old plan (version 1)" in text and "Alice Admin" in text
    assert "Doomed goal" in text and "1 indicator" in text
    assert "Dropped indicator" in text and "Sam Staff" in text
    assert "Doomed indicator" not in text  # it went with its goal, and comes back with it
    assert world.other_goal.statement not in text
    until = timezone.localdate() + timedelta(days=30)
    assert f"<td>{until:%b} {until.day}, {until.year}</td>" in text  # restorable until


def test_restoring_a_goal_brings_back_what_went_with_it_in_its_place(world, login):
    first = world.goal
    middle = GoalFactory(goal_set=world.goal_set, statement="Middle goal", order=first.order + 1)
    IndicatorFactory(goal=middle, name="Kept with the goal")
    earlier = IndicatorFactory(goal=middle, name="Deleted before")
    GoalFactory(goal_set=world.goal_set, statement="Last goal", order=first.order + 2)
    soft_delete(earlier, by=world.staff)
    soft_delete(middle, by=world.staff)

    client = login(world.admin)
    response = client.post(
        url("goal_restore", middle.pk), {"row_version": fresh(middle).row_version}, follow=True
    )
    assert response.redirect_chain[-1][0] == url("deleted_items")
    assert messages_of(response) == ["Restored the goal “Middle goal”, with 1 indicator."]
    page = page_text(client.get(world.goal_set.get_absolute_url()))
    assert page.index("Seniors complete internships") < page.index("Middle goal")
    assert page.index("Middle goal") < page.index("Last goal")
    assert "Kept with the goal" in page and "Deleted before" not in page
    assert fresh(middle).deleted_by is None
    assert "Deleted before" in page_text(response)  # still listed, restorable on its own


def test_restoring_a_goal_set_brings_back_its_goals_but_not_one_deleted_before(world, login):
    second = GoalFactory(goal_set=world.goal_set, statement="Deleted on its own")
    soft_delete(second, by=world.staff)
    soft_delete(world.goal_set, by=world.staff)
    response = login(world.admin).post(url("set_restore", world.goal_set.pk), follow=True)
    assert messages_of(response) == [
        "Restored the goal set “Midtown WBL expansion” (version 1), with 1 goal and 1 indicator."
    ]
    assert list(world.goal_set.goals.all()) == [world.goal]
    assert list(world.goal.indicators.all()) == [world.indicator]
    assert fresh(second).deleted_at is not None


def test_restoring_an_indicator(world, login):
    soft_delete(world.indicator, by=world.staff)
    client = login(world.admin)
    client.post(url("indicator_restore", world.indicator.pk))
    assert list(world.goal.indicators.all()) == [world.indicator]


def test_restoring_twice_or_from_a_stale_page_says_so(world, login):
    soft_delete(world.goal, by=world.staff)
    seen = fresh(world.goal).row_version
    client = login(world.admin)
    client.post(url("goal_restore", world.goal.pk), {"row_version": seen}, follow=True)
    again = client.post(url("goal_restore", world.goal.pk), {"row_version": seen}, follow=True)
    assert messages_of(again) == [
        "The goal “Seniors complete internships” was already restored, perhaps by someone "
        "else a moment ago: nothing was changed."
    ]
    soft_delete(world.goal, by=world.staff)  # deleted again since the page was loaded
    stale = client.post(url("goal_restore", world.goal.pk), {"row_version": seen}, follow=True)
    assert "changed since you opened this page" in messages_of(stale)[0]
    assert fresh(world.goal).deleted_at is not None


def test_a_goal_of_a_deleted_set_waits_for_its_set(world, login):
    soft_delete(world.indicator, by=world.staff)
    soft_delete(world.goal_set, by=world.staff)
    client = login(world.admin)
    text = page_text(client.get(url("deleted_items")))
    assert "restore the set first" in text
    response = client.post(url("indicator_restore", world.indicator.pk), follow=True)
    assert messages_of(response) == [
        "The indicator “Seniors completing internships” cannot be restored. It belongs to "
        "the deleted goal set “Midtown WBL expansion”: restore the set first."
    ]
    client.post(url("set_restore", world.goal_set.pk))
    client.post(url("indicator_restore", world.indicator.pk))
    assert list(world.goal.indicators.all()) == [world.indicator]


def test_an_indicator_of_a_deleted_goal_waits_for_its_goal(world, login):
    soft_delete(world.indicator, by=world.staff)
    soft_delete(world.goal, by=world.staff)
    response = login(world.admin).post(url("indicator_restore", world.indicator.pk), follow=True)
    assert "restore the goal first" in messages_of(response)[0]
    assert fresh(world.indicator).deleted_at is not None


def test_nothing_is_restored_into_a_set_adopted_since(world, login):
    soft_delete(world.goal, by=world.staff)
    stage(world.goal_set, Stage.COMMUNICATE)
    client = login(world.admin)
    assert "was adopted by the board since" in page_text(client.get(url("deleted_items")))
    response = client.post(url("goal_restore", world.goal.pk), follow=True)
    assert "was adopted by the board since" in messages_of(response)[0]
    assert fresh(world.goal).deleted_at is not None


def test_a_deleted_new_version_is_not_restored_once_another_has_started(world, login):
    stage(world.goal_set, Stage.REVISE)
    v2 = GoalSetFactory(
        district=world.district_a,
        title=world.goal_set.title,
        version=2,
        previous_version=world.goal_set,
    )
    soft_delete(v2, by=world.staff)
    GoalSetFactory(
        district=world.district_a,
        title=world.goal_set.title,
        version=2,
        previous_version=world.goal_set,
    )
    response = login(world.admin).post(url("set_restore", v2.pk), follow=True)
    assert (
        "A new version 2 of this set was started after it was deleted" in messages_of(response)[0]
    )


def test_only_admins_restore_and_only_their_districts_rows(world, login):
    soft_delete(world.goal, by=world.staff)
    assert login(world.staff).get(url("deleted_items")).status_code == 403
    assert login(world.staff).post(url("goal_restore", world.goal.pk)).status_code == 403
    assert fresh(world.goal).deleted_at is not None
    soft_delete(world.other_goal, by=world.outsider)
    response = login(world.admin).post(url("goal_restore", world.other_goal.pk))
    assert response.status_code == 404
    assert fresh(world.other_goal).deleted_at is not None
    assert login(world.admin).get(url("goal_restore", world.goal.pk)).status_code == 405


# -- after 30 days ---------------------------------------------------------------------------


def test_after_30_days_an_item_is_not_restorable_and_is_purged(world, login):
    soft_delete(world.goal_set, by=world.staff)
    age(world.goal_set, 31)
    recent = GoalFactory(goal_set=GoalSetFactory(district=world.district_a), statement="Recent")
    soft_delete(recent, by=world.staff)
    age(recent, 29)

    client = login(world.admin)
    text = page_text(client.get(url("deleted_items")))
    assert "Midtown WBL expansion" not in text and "Recent" in text
    response = client.post(url("set_restore", world.goal_set.pk), follow=True)
    assert (
        "was deleted more than 30 days ago and can no longer be restored"
        in (messages_of(response)[0])
    )

    out = io.StringIO()
    call_command("purge_deleted", "--dry-run", stdout=out)
    assert out.getvalue() == "Would remove for good: 1 goal sets, 1 goals, 1 indicators.\n"
    assert GoalSet.all_objects.filter(pk=world.goal_set.pk).exists()
    call_command("purge_deleted", stdout=out)
    assert "Removed for good: 1 goal sets, 1 goals, 1 indicators" in out.getvalue()
    assert not GoalSet.all_objects.filter(pk=world.goal_set.pk).exists()
    assert not Goal.all_objects.filter(pk=world.goal.pk).exists()
    assert not Indicator.all_objects.filter(pk=world.indicator.pk).exists()
    assert fresh(recent).deleted_at is not None  # 29 days: still restorable
    # The history is kept, the deletion and the removal included.
    kinds = list(
        GoalSet.history.filter(id=world.goal_set.pk)
        .order_by("history_date")
        .values_list("history_type", "history_user_id")
    )
    assert kinds == [("+", None), ("~", world.staff.pk), ("-", None)]
    assert purge() == ({"indicators": 0, "goals": 0, "goal sets": 0}, [])  # nothing left


def test_the_history_page_says_removed_for_good(world, login):
    soft_delete(world.indicator, by=world.staff)
    age(world.indicator, 31)
    purge()
    text = page_text(login(world.viewer).get(url("goal_history", world.goal.pk)))
    assert "Removed for good · Indicator: Seniors completing internships" in text
    assert "Deleted · Indicator: Seniors completing internships" in text


# -- support, and the page's cost -----------------------------------------------------------


def test_support_staff_see_deleted_rows_in_the_django_admin(world, client):
    from tests.factories import UserFactory

    soft_delete(world.goal, by=world.staff)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = page_text(client.get(reverse("admin:goals_goal_changelist")))
    assert "Seniors complete internships" in changelist
    change = client.get(reverse("admin:goals_goal_change", args=[world.goal.pk]))
    assert change.status_code == 200


def _deleted_world(world, size):
    for n in range(size):
        goal_set = GoalSetFactory(district=world.district_a, title=f"Set {n}")
        IndicatorFactory(goal=GoalFactory(goal_set=goal_set))
        soft_delete(goal_set, by=world.staff)
        goal = GoalFactory(goal_set=world.goal_set, statement=f"Goal {n}")
        IndicatorFactory(goal=goal)
        soft_delete(goal, by=world.admin)
        soft_delete(IndicatorFactory(goal=world.goal, name=f"Indicator {n}"), by=world.staff)


@pytest.mark.parametrize("size", [3, 30])
def test_deleted_items_page_query_count_does_not_grow(world, login, size):
    _deleted_world(world, size)
    client = login(world.admin)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("deleted_items"))
    text = page_text(response)
    assert text.count("Restore<span") == 3 * size
    # session + user + membership, then goal sets, goals and indicators.
    assert len(ctx.captured_queries) == 6
