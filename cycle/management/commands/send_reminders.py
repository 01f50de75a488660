"""`manage.py send_reminders [--today YYYY-MM-DD] [--dry-run]`: data due and revision due.

- Data due: for each hand-logged indicator of an adopted set (Communicate, Implement,
  Monitor), the next value is due its collection frequency after the last value logged (or,
  before any, after the board's adoption; else January 1 of the set's start year). When that
  day is within the next 7 days or has passed, the indicator's data steward (else the set's)
  gets one mail listing all their due figures.
- Revision due: when an adopted set's revision date is within the next 14 days or has passed,
  the district's staff and administrators get a mail.

A reminder is sent once per due date: each is written to ReminderLog (unique per kind,
indicator, set and due date) in the same transaction that sends its mail, so a second run,
or two runs at once, never mail the same due date twice. Run it daily (cron or a scheduler).
"Today" is each district's own date in its time zone (a run at 06:00 UTC is still the day
before in Honolulu), unless --today sets one date for all. Mail goes through Django's
backend: the console in development.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from cycle.models import BoardAdoption, ReminderLog
from cycle.status import next_value_due
from goals.models import GoalSet, Indicator, Stage
from wbl.models import Membership

ADOPTED = (Stage.COMMUNICATE, Stage.IMPLEMENT, Stage.MONITOR)
DATA_DAYS_AHEAD = 7
REVISION_DAYS_AHEAD = 14
Kind = ReminderLog.Kind


@dataclass
class Due:
    indicator: Indicator
    goal_set: GoalSet
    due: date
    last: date | None


@dataclass
class Plan:
    data: dict = field(default_factory=lambda: defaultdict(list))  # user -> [Due]
    revisions: list = field(default_factory=list)  # (goal_set, [users])
    skipped: list = field(default_factory=list)  # messages


def _day(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _link(name: str, *args) -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") + reverse(name, args=args)


def _subject(text: str) -> str:
    return " ".join(text.split())[:180]  # mail headers take no line breaks


def plan(today: date | None = None) -> Plan:
    """What is due and not reminded yet, in a fixed number of queries. `today` is one date for
    every district; without it, each district's own date in its time zone."""
    result = Plan()
    adoption = (
        BoardAdoption.objects.filter(
            goal_set=OuterRef("pk"),
            outcome__in=[BoardAdoption.Outcome.ADOPTED, BoardAdoption.Outcome.ADOPTED_AMENDED],
        )
        .order_by("-meeting_date")
        .values("meeting_date")[:1]
    )
    sets = {
        s.pk: s
        for s in GoalSet.objects.filter(stage__in=ADOPTED)
        .select_related("district", "data_steward")
        .annotate(adopted_on=Subquery(adoption))
    }
    for goal_set in sets.values():  # "due" or "overdue" by the district's own date
        goal_set.today = today or timezone.localdate(timezone=goal_set.district.zone)
    members = set(
        Membership.objects.filter(district__in={s.district_id for s in sets.values()})
        .filter(user__is_active=True)
        .values_list("user_id", "district_id")
    )

    # Data due.
    indicators = (
        Indicator.objects.filter(goal__goal_set__in=list(sets), source=Indicator.Source.MANUAL)
        .select_related("data_steward", "goal")
        .annotate(last_as_of=Max("progress__as_of"))
        .order_by("goal__goal_set", "goal__order", "order", "pk")
    )
    due_items = []
    for indicator in indicators:
        goal_set = sets[indicator.goal.goal_set_id]
        since = goal_set.adopted_on or date(goal_set.start_year, 1, 1)
        due = next_value_due(indicator, indicator.last_as_of, since)
        if due is not None and due <= goal_set.today + timedelta(days=DATA_DAYS_AHEAD):
            due_items.append(Due(indicator, goal_set, due, indicator.last_as_of))
    sent = set(
        ReminderLog.objects.filter(
            kind=Kind.DATA_DUE, indicator__in=[d.indicator.pk for d in due_items]
        ).values_list("indicator_id", "due_date")
    )
    for item in due_items:
        if (item.indicator.pk, item.due) in sent:
            continue
        steward = item.indicator.data_steward or item.goal_set.data_steward
        if steward is None or (steward.pk, item.goal_set.district_id) not in members:
            result.skipped.append(
                f"No data steward (active member of {item.goal_set.district.name}) for "
                f"“{item.indicator.name}” in “{item.goal_set.title}”, due {_day(item.due)}."
            )
            continue
        result.data[steward].append(item)

    # Revision due.
    due_sets = [
        s
        for s in sets.values()
        if s.revision_due is not None
        and s.revision_due <= s.today + timedelta(days=REVISION_DAYS_AHEAD)
    ]
    reminded = set(
        ReminderLog.objects.filter(
            kind=Kind.REVISION_DUE, goal_set__in=[s.pk for s in due_sets], indicator=None
        ).values_list("goal_set_id", "due_date")
    )
    staff = defaultdict(list)
    for membership in Membership.objects.filter(
        district__in={s.district_id for s in due_sets},
        role__in=[Membership.Role.ADMIN, Membership.Role.STAFF],
        user__is_active=True,
    ).select_related("user"):
        staff[membership.district_id].append(membership.user)
    for goal_set in sorted(due_sets, key=lambda s: (s.revision_due, s.title)):
        if (goal_set.pk, goal_set.revision_due) in reminded:
            continue
        users = staff.get(goal_set.district_id, [])
        if users:
            result.revisions.append((goal_set, users))
        else:
            result.skipped.append(f"No staff or administrator to remind for “{goal_set.title}”.")
    return result


def data_due_message(user, items: list[Due]) -> EmailMessage:
    lines = [f"Hello {user.get_short_name()},", "", "These figures are due in WBL Goals:", ""]
    for item in items:
        when = "overdue since" if item.due < item.goal_set.today else "due"
        last = f"last value {_day(item.last)}" if item.last else "no value logged yet"
        indicator = item.indicator
        lines += [
            f"- {indicator.name}",
            f"  {item.goal_set.title} ({item.goal_set.district.name})",
            f"  {when} {_day(item.due)}; {last}; collected "
            f"{indicator.get_collection_frequency_display().lower()}.",
            "  Log it: " + _link("cycle:progress_add", item.goal_set.district.slug, indicator.pk),
            "",
        ]
    lines.append("You get this mail because you are the data steward for these figures.")
    count = len(items)
    subject = f"WBL Goals: {count} figure{'s' if count != 1 else ''} due"
    return EmailMessage(_subject(subject), "\n".join(lines), to=[user.email])


def revision_due_message(goal_set: GoalSet, user) -> EmailMessage:
    due = goal_set.revision_due
    when = "was due" if due < goal_set.today else "is due"
    body = "\n".join(
        [
            f"Hello {user.get_short_name()},",
            "",
            f"The revision of “{goal_set.title}” ({goal_set.district.name}) {when} on {_day(due)}.",
            "Look at the progress, hold a data review, then open the revision:",
            _link("cycle:dashboard", goal_set.district.slug, goal_set.pk),
            "",
            "You get this mail as staff or an administrator of the district.",
        ]
    )
    return EmailMessage(
        _subject(f"WBL Goals: revision due for {goal_set.title}"), body, to=[user.email]
    )


def _claim(**fields) -> bool:
    """Write the ReminderLog row; False when another run already wrote it."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(**fields)
    except IntegrityError:
        return False
    return True


def send(result: Plan) -> int:
    """Send the planned mails; each with its ReminderLog rows, all or nothing."""
    connection = get_connection()
    sent = 0
    for user, items in result.data.items():
        with transaction.atomic():
            claimed = [
                item
                for item in items
                if _claim(
                    kind=Kind.DATA_DUE,
                    indicator=item.indicator,
                    goal_set=item.goal_set,
                    due_date=item.due,
                    recipients=user.email,
                )
            ]
            if claimed:
                connection.send_messages([data_due_message(user, claimed)])
                sent += 1
    for goal_set, users in result.revisions:
        with transaction.atomic():
            if _claim(
                kind=Kind.REVISION_DUE,
                indicator=None,
                goal_set=goal_set,
                due_date=goal_set.revision_due,
                recipients=", ".join(u.email for u in users),
            ):
                messages = [revision_due_message(goal_set, u) for u in users]
                sent += connection.send_messages(messages) or 0
    return sent


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today takes a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Mail data stewards about figures due within 7 days (or overdue) and staff about "
        "revisions due within 14 days. Each due date is reminded once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")
        parser.add_argument(
            "--dry-run", action="store_true", help="List the reminders without sending them."
        )

    def handle(self, *args, today=None, dry_run=False, **options):
        result = plan(_date(today) if today else None)
        for message in result.skipped:
            self.stderr.write(f"Skipped: {message}")
        if dry_run:
            for user, items in result.data.items():
                for item in items:
                    self.stdout.write(
                        f"Would remind {user.email}: “{item.indicator.name}” due {_day(item.due)}."
                    )
            for goal_set, users in result.revisions:
                emails = ", ".join(u.email for u in users)
                self.stdout.write(
                    f"Would remind {emails}: revision of “{goal_set.title}” due "
                    f"{_day(goal_set.revision_due)}."
                )
            self.stdout.write("Dry run: nothing was sent.")
            return
        sent = send(result)
        self.stdout.write(f"Sent {sent} reminder mail{'s' if sent != 1 else ''}.")
