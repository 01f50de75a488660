"""`manage.py send_reminders`: data due to stewards, revision due to staff, each due date once."""

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from cycle.models import BoardAdoption, ProgressEntry, ReminderLog
from goals.models import GoalSet, Indicator, Stage
from tests.factories import GoalFactory, GoalSetFactory, IndicatorFactory, UserFactory


def run(today, *extra):
    out, err = StringIO(), StringIO()
    call_command("send_reminders", f"--today={today}", *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def adopted(goal_set, stage=Stage.MONITOR):
    GoalSet.objects.filter(pk=goal_set.pk).update(stage=stage)
    goal_set.refresh_from_db()
    return goal_set


def log(indicator, as_of, user, value=30):
    return ProgressEntry.objects.create(
        indicator=indicator, as_of=as_of, value=value, entered_by=user
    )


@pytest.fixture
def due(world):
    """The world's set in Monitor, its steward Sam Staff; the indicator (yearly) last logged
    Jun 30, 2018, so its next value is due Jun 30, 2019."""
    goal_set = adopted(world.goal_set)
    goal_set.data_steward = world.staff
    goal_set.save()
    log(world.indicator, date(2018, 6, 30), world.staff)
    return world


def test_steward_is_reminded_once_within_seven_days(due):
    run("2019-06-22")  # 8 days ahead: not yet
    assert mail.outbox == []
    out, _ = run("2019-06-23")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [due.staff.email]
    assert message.subject == "WBL Goals: 1 figure due"
    assert "Seniors completing internships" in message.body
    assert "due Jun 30, 2019; last value Jun 30, 2018; collected yearly." in message.body
    assert f"/d/midtown/indicators/{due.indicator.pk}/progress/new/" in message.body
    assert "Sent 1 reminder mail." in out
    log_row = ReminderLog.objects.get()
    assert (log_row.kind, log_row.indicator, log_row.goal_set) == (
        ReminderLog.Kind.DATA_DUE,
        due.indicator,
        due.goal_set,
    )
    assert (log_row.due_date, log_row.recipients) == (date(2019, 6, 30), due.staff.email)

    # The same due date is never reminded twice, on the day or once overdue.
    run("2019-06-23")
    run("2019-07-15")
    assert len(mail.outbox) == 1


def test_overdue_values_are_reminded(due):
    run("2019-09-01")
    assert len(mail.outbox) == 1
    assert "overdue since Jun 30, 2019" in mail.outbox[0].body


def test_a_new_value_sets_a_new_due_date(due):
    run("2019-07-01")
    log(due.indicator, date(2019, 7, 1), due.staff)
    run("2019-07-01")
    assert len(mail.outbox) == 1
    run("2020-06-25")
    assert len(mail.outbox) == 2
    assert "due Jul 1, 2020" in mail.outbox[1].body


def test_indicator_steward_comes_before_the_sets(due):
    due.indicator.data_steward = due.coordinator
    due.indicator.save()
    run("2019-07-01")
    assert [m.to for m in mail.outbox] == [[due.coordinator.email]]


def test_one_mail_per_steward_lists_all_their_figures(due):
    second = IndicatorFactory(
        goal=due.goal, name="Employer partners", collection_frequency=Indicator.Frequency.MONTHLY
    )
    log(second, date(2019, 5, 20), due.staff)  # due Jun 20, 2019
    run("2019-07-01")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "WBL Goals: 2 figures due"
    assert "Employer partners" in mail.outbox[0].body
    assert ReminderLog.objects.count() == 2


def test_without_a_steward_nothing_is_sent_and_it_says_so(world):
    adopted(world.goal_set)
    log(world.indicator, date(2018, 6, 30), world.staff)
    _, err = run("2019-07-01")
    assert mail.outbox == []
    assert "No data steward" in err and "Seniors completing internships" in err
    assert not ReminderLog.objects.exists()


def test_a_steward_outside_the_district_is_not_mailed(due):
    due.indicator.data_steward = due.outsider
    due.indicator.save()
    _, err = run("2019-07-01")
    assert mail.outbox == []
    assert "No data steward" in err


@pytest.mark.parametrize("stage", [Stage.DRAFT, Stage.APPROVE, Stage.REVISE])
def test_no_mail_for_sets_not_adopted_or_in_revision(due, stage):
    GoalSet.objects.filter(pk=due.goal_set.pk).update(stage=stage, revision_due=date(2019, 7, 1))
    run("2019-07-01")
    assert mail.outbox == []


@pytest.mark.parametrize("stage", [Stage.COMMUNICATE, Stage.IMPLEMENT, Stage.MONITOR])
def test_adopted_sets_in_each_stage_are_reminded(due, stage):
    GoalSet.objects.filter(pk=due.goal_set.pk).update(stage=stage)
    run("2019-07-01")
    assert len(mail.outbox) == 1


def test_before_any_value_the_adoption_starts_the_clock(world):
    goal_set = adopted(world.goal_set)
    goal_set.data_steward = world.staff
    goal_set.save()
    BoardAdoption.objects.create(
        goal_set=goal_set,
        meeting_date=date(2018, 10, 17),
        outcome=BoardAdoption.Outcome.ADOPTED,
        recorded_by=world.admin,
    )
    run("2019-10-09")  # due Oct 17, 2019: 8 days ahead
    assert mail.outbox == []
    run("2019-10-10")
    assert "due Oct 17, 2019; no value logged yet" in mail.outbox[0].body


def test_computed_indicators_are_not_reminded(due):
    Indicator.objects.filter(pk=due.indicator.pk).update(source=Indicator.Source.COMPUTED)
    run("2019-07-01")
    assert mail.outbox == []


def test_revision_due_mails_staff_and_admin_once(world):
    goal_set = adopted(world.goal_set)
    goal_set.revision_due = date(2019, 7, 1)
    goal_set.save()
    inactive = UserFactory(is_active=False)
    inactive.memberships.create(district=world.district_a, role="staff")
    run("2019-06-16")  # 15 days ahead: not yet
    assert mail.outbox == []
    run("2019-06-17")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.admin.email, world.staff.email])
    assert all(
        m.subject == "WBL Goals: revision due for Midtown WBL expansion" for m in mail.outbox
    )
    assert "is due on Jul 1, 2019" in mail.outbox[0].body
    assert f"/d/midtown/sets/{goal_set.pk}/progress/" in mail.outbox[0].body
    run("2019-06-20")
    run("2019-08-01")
    assert len(mail.outbox) == 2
    log_row = ReminderLog.objects.get()
    assert (log_row.kind, log_row.indicator, log_row.due_date) == (
        ReminderLog.Kind.REVISION_DUE,
        None,
        date(2019, 7, 1),
    )


def test_a_moved_revision_date_is_reminded_again(world):
    goal_set = adopted(world.goal_set)
    goal_set.revision_due = date(2019, 7, 1)
    goal_set.save()
    run("2019-06-20")
    goal_set.revision_due = date(2020, 7, 1)
    goal_set.save()
    run("2020-06-20")
    assert len(mail.outbox) == 4
    assert "is due on Jul 1, 2020" in mail.outbox[-1].body


def test_other_districts_staff_are_not_mailed(world):
    adopted(world.other_goal_set)
    GoalSet.objects.filter(pk=world.other_goal_set.pk).update(revision_due=date(2019, 7, 1))
    adopted(world.goal_set)
    GoalSet.objects.filter(pk=world.goal_set.pk).update(revision_due=date(2019, 7, 1))
    run("2019-06-20")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.admin.email, world.staff.email, world.outsider.email]
    )
    outsider_mail = next(m for m in mail.outbox if m.to == [world.outsider.email])
    assert "Central WBL system" in outsider_mail.body
    assert "Midtown" not in outsider_mail.body


def test_dry_run_lists_and_sends_nothing(due):
    GoalSet.objects.filter(pk=due.goal_set.pk).update(revision_due=date(2019, 7, 1))
    out, _ = run("2019-07-01", "--dry-run")
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()
    assert f"Would remind {due.staff.email}: “Seniors completing internships” due" in out
    assert "revision of “Midtown WBL expansion” due Jul 1, 2019" in out
    assert "Dry run: nothing was sent." in out


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today=01/07/2019")


def test_the_database_refuses_a_second_log_for_the_same_due_date(world):
    fields = {"kind": ReminderLog.Kind.DATA_DUE, "due_date": date(2019, 7, 1), "recipients": "x"}
    ReminderLog.objects.create(indicator=world.indicator, goal_set=world.goal_set, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderLog.objects.create(indicator=world.indicator, goal_set=world.goal_set, **fields)
    revision = {**fields, "kind": ReminderLog.Kind.REVISION_DUE}
    ReminderLog.objects.create(goal_set=world.goal_set, **revision)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderLog.objects.create(goal_set=world.goal_set, **revision)


def test_a_mail_that_fails_leaves_no_log(due, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def broken(self, messages):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    with pytest.raises(OSError):
        run("2019-07-01")
    assert not ReminderLog.objects.exists()
    monkeypatch.undo()
    run("2019-07-01")
    assert len(mail.outbox) == 1


def test_query_count_does_not_grow_with_indicators(due, django_assert_max_num_queries):
    goal_set = GoalSetFactory(district=due.district_a, title="Second set")
    adopted(goal_set)
    for _ in range(20):
        IndicatorFactory(goal=GoalFactory(goal_set=goal_set))
    from cycle.management.commands.send_reminders import plan

    with django_assert_max_num_queries(6):
        plan(date(2019, 7, 1))


def test_each_district_is_reminded_on_its_own_date(due, monkeypatch):
    """A daily run without --today asks each district's own calendar: at 05:00 UTC on Jun 23
    it is Jun 23 in New York (7 days before Jun 30: remind) and still Jun 22 in Honolulu."""
    from datetime import UTC, datetime

    from django.utils import timezone

    type(due.district_a).objects.filter(pk=due.district_a.pk).update(time_zone="America/New_York")
    type(due.district_b).objects.filter(pk=due.district_b.pk).update(time_zone="Pacific/Honolulu")
    central = adopted(due.other_goal_set)
    central.data_steward = due.outsider
    central.save()
    log(due.other_indicator, date(2018, 6, 30), due.outsider)
    Indicator.objects.filter(pk=due.other_indicator.pk).update(
        collection_frequency=Indicator.objects.get(pk=due.indicator.pk).collection_frequency
    )

    def at(hour):
        moment = datetime(2019, 6, 23, hour, tzinfo=UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        out, err = StringIO(), StringIO()
        call_command("send_reminders", stdout=out, stderr=err)

    at(5)
    assert [m.to for m in mail.outbox] == [[due.staff.email]]
    at(11)  # 01:00 on Jun 23 in Honolulu
    assert [m.to for m in mail.outbox] == [[due.staff.email], [due.outsider.email]]
    assert "due Jun 30, 2019; last value Jun 30, 2018" in mail.outbox[1].body
