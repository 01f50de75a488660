"""Goal status: where an indicator's latest value stands against its planned path.

The planned path is a straight line from the baseline to the target, bent through the yearly
milestones where they are set. `STATUS_RULE` says the rule in words; the dashboard shows it as
its help text, and tests/test_status.py holds its edges.

`statuses_for(indicators)` judges many indicators in one query (the first and latest entry
of each, as correlated subqueries that use the (indicator, as_of) index on SQLite and
PostgreSQL alike). Computed indicators take their value from the student inventory instead,
as of today.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from goals.models import Indicator

Direction = Indicator.Direction

# Where the line starts when there is no baseline year: the first logged value.
AT_RISK_SHARE = Decimal("0.10")  # of the baseline-to-target distance
MAINTAIN_TOLERANCE = Decimal("0.02")  # of the target, and never less than one unit
MAINTAIN_RISK_SHARE = Decimal("0.10")  # of the target, and never less than two tolerances


class Status(models.TextChoices):
    MET = "met", "Met"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NOT_MEASURED = "not_measured", "Not yet measured"


# A shape for each status, so that no status is told by colour alone.
SYMBOLS = {
    Status.MET: "★",
    Status.ON_TRACK: "●",
    Status.AT_RISK: "▲",
    Status.OFF_TRACK: "✖",
    Status.NOT_MEASURED: "○",
}

STATUS_RULE = [
    "The planned path is a straight line from the baseline (January 1 of the baseline year, "
    "or the first logged value when there is no baseline year) to the target on its target "
    "date. Where yearly milestones are set, the line goes through each of them; a milestone "
    "for a year counts on that year's anniversary of the target date (for a target of "
    "June 30, 2020, the 2019 milestone is due June 30, 2019). After the target date the "
    "path stays at the target.",
    "Met: the latest value has reached the target: at or above it for an increase, at or "
    "below it for a decrease, within 2% of it (and at least within 1) for “maintain”, and "
    "1 (done) for a yes/no milestone.",
    "On track: not met yet, but the latest value is at or beyond the planned path on the date "
    "it was logged.",
    "At risk: short of the planned path by less than a tenth of the distance from baseline "
    "to target. For “maintain”: outside the 2% tolerance but within 10% of the target. For a "
    "yes/no milestone: not done with less than a tenth of the time to its target date left.",
    "Off track: further behind than that, or a yes/no milestone not done by its target date.",
    "Not yet measured: no value has been logged (or computed) yet. Without a target value or a "
    "target date an indicator shows its latest value but no status.",
]


@dataclass(frozen=True)
class IndicatorStatus:
    status: str
    latest_value: Decimal | None = None
    latest_as_of: date | None = None
    expected_value: Decimal | None = None
    label: str = ""
    note: str = ""  # one sentence: why this status

    def __post_init__(self):
        if not self.label:
            object.__setattr__(self, "label", Status(self.status).label)

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.status]

    def as_json(self) -> dict:
        """For DataReview.snapshot: plain JSON values."""
        return {
            "status": self.status,
            "label": self.label,
            "note": self.note,
            "latest_value": number(self.latest_value),
            "latest_as_of": self.latest_as_of.isoformat() if self.latest_as_of else None,
            "expected_value": number(self.expected_value),
        }


@dataclass(frozen=True)
class PlannedPath:
    start: tuple[date, Decimal] | None
    milestones: list[tuple[date, Decimal]] = field(default_factory=list)
    target: tuple[date, Decimal] | None = None

    @property
    def points(self) -> list[tuple[date, Decimal]]:
        if self.target is None:
            return []
        if self.start is None or self.start[0] >= self.target[0]:
            return [self.target]
        return [self.start, *self.milestones, self.target]

    def expected_at(self, when: date) -> Decimal | None:
        """The value the path expects on `when`: interpolated between its points, flat before
        the first and after the last."""
        points = self.points
        if not points:
            return None
        if when <= points[0][0]:
            return points[0][1]
        for (d0, v0), (d1, v1) in pairwise(points):
            if when <= d1:
                share = Decimal((when - d0).days) / Decimal((d1 - d0).days)
                return v0 + (v1 - v0) * share
        return points[-1][1]


def number(value) -> str | None:
    """A Decimal as a person writes it: 35, 37.5, 1495 (at most two decimals)."""
    if value is None:
        return None
    value = Decimal(value).quantize(Decimal("0.01"))
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def anniversary(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # February 29 in a year without one
        return day.replace(year=year, day=28)


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def planned_path(indicator: Indicator, *, first: tuple[date, Decimal] | None = None):
    """The indicator's planned path; `first` is its first logged (date, value), if any."""
    target = None
    if indicator.target_value is not None and indicator.target_date is not None:
        target = (indicator.target_date, Decimal(indicator.target_value))
    start_date = date(indicator.baseline_year, 1, 1) if indicator.baseline_year else None
    start_value = _decimal(indicator.baseline_value)
    if start_date is None and first is not None:
        start_date = first[0]
    if start_value is None and first is not None:
        start_value = Decimal(first[1])
    start = (start_date, start_value) if start_date and start_value is not None else None
    milestones = []
    if target is not None and start is not None:
        for year, value in (indicator.milestones or {}).items():
            amount = _decimal(value)
            if amount is None or not str(year).isdigit():
                continue
            when = anniversary(target[0], int(year))
            if start[0] < when < target[0]:
                milestones.append((when, amount))
        milestones.sort()
    return PlannedPath(start, milestones, target)


def maintain_tolerance(target: Decimal) -> Decimal:
    return max(abs(target) * MAINTAIN_TOLERANCE, Decimal(1))


def reached(direction: str, value: Decimal, target: Decimal) -> bool:
    if direction == Direction.DECREASE:
        return value <= target
    if direction == Direction.MAINTAIN:
        return abs(value - target) <= maintain_tolerance(target)
    if direction == Direction.ACHIEVE:
        return value >= 1
    return value >= target


def judge(
    indicator: Indicator,
    latest: tuple[date, Decimal] | None,
    first: tuple[date, Decimal] | None = None,
) -> IndicatorStatus:
    """The status of one indicator from its latest and first logged (date, value)."""
    if latest is None:
        return IndicatorStatus(Status.NOT_MEASURED, note="No value has been logged yet.")
    when, value = latest[0], Decimal(latest[1])
    seen = {"latest_value": value, "latest_as_of": when}
    target = _decimal(indicator.target_value)
    if target is None:
        return IndicatorStatus(
            Status.NOT_MEASURED, **seen, label="No target set", note="There is no target value."
        )
    direction = indicator.direction
    if reached(direction, value, target):
        return IndicatorStatus(
            Status.MET,
            **seen,
            expected_value=target,
            note=f"The target ({number(target)}) has been reached.",
        )
    if indicator.target_date is None:
        return IndicatorStatus(
            Status.NOT_MEASURED,
            **seen,
            label="No target date",
            note="Without a target date there is no planned path to compare with.",
        )
    path = planned_path(indicator, first=first)
    target_date = indicator.target_date
    if direction == Direction.ACHIEVE:
        return _judge_achieve(path, target_date, when, seen)
    if direction == Direction.MAINTAIN:
        gap = abs(value - target)
        band = max(abs(target) * MAINTAIN_RISK_SHARE, 2 * maintain_tolerance(target))
        status = Status.AT_RISK if gap <= band else Status.OFF_TRACK
        return IndicatorStatus(
            status,
            **seen,
            expected_value=target,
            note=f"{number(gap)} away from the target of {number(target)}.",
        )
    expected = path.expected_at(when)
    sign = -1 if direction == Direction.DECREASE else 1
    shortfall = (expected - value) * sign
    by_then = f"expected {number(expected)} by {when:%b} {when.day}, {when.year}"
    if shortfall <= 0:
        return IndicatorStatus(
            Status.ON_TRACK,
            **seen,
            expected_value=expected,
            note=f"At or beyond the path: {by_then}.",
        )
    distance = abs(target - path.points[0][1])
    status = Status.AT_RISK if shortfall < distance * AT_RISK_SHARE else Status.OFF_TRACK
    return IndicatorStatus(
        status,
        **seen,
        expected_value=expected,
        note=f"{number(shortfall)} behind the path: {by_then}.",
    )


def _judge_achieve(path, target_date, when, seen) -> IndicatorStatus:
    due = f"due {target_date:%b} {target_date.day}, {target_date.year}"
    expected = Decimal(1) if when >= target_date else Decimal(0)
    if when >= target_date:
        return IndicatorStatus(
            Status.OFF_TRACK, **seen, expected_value=expected, note=f"Not done; it was {due}."
        )
    start = path.start[0] if path.start else when
    total = (target_date - start).days
    left = (target_date - when).days
    status = Status.AT_RISK if total > 0 and left < total * AT_RISK_SHARE else Status.ON_TRACK
    return IndicatorStatus(status, **seen, expected_value=expected, note=f"Not done yet; {due}.")


# The indicator fields the status rule reads (for querysets that load only these).
STATUS_FIELDS = (
    "pk",
    "name",
    "unit",
    "direction",
    "source",
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_date",
    "milestones",
    "collection_frequency",
)


def statuses_for(indicators, *, as_of: date | None = None) -> dict[int, IndicatorStatus]:
    """Each indicator's status (by pk), from the entries logged up to `as_of` (default: all).

    One query for the manual indicators, whatever their number. Computed indicators take
    today's value from the inventory (cycle.inventory.current_values: two queries, plus one
    per figure the inventory changed under) when `as_of` is not in the past; for a past date
    they are judged from their logged entries like the others.
    """
    from cycle.inventory import current_values
    from cycle.models import ProgressEntry

    indicators = list(indicators)
    if not indicators:
        return {}
    entries = ProgressEntry.objects.filter(indicator=OuterRef("pk"))
    if as_of is not None:
        entries = entries.filter(as_of__lte=as_of)
    latest = entries.order_by("-as_of", "-pk")
    first = entries.order_by("as_of", "pk")
    rows = (
        Indicator.objects.filter(pk__in=[i.pk for i in indicators])
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_as_of=Subquery(latest.values("as_of")[:1]),
            first_value=Subquery(first.values("value")[:1]),
            first_as_of=Subquery(first.values("as_of")[:1]),
        )
        .values_list("pk", "latest_as_of", "latest_value", "first_as_of", "first_value")
    )
    found = {pk: ((la, lv), (fa, fv)) for pk, la, lv, fa, fv in rows}
    today = timezone.localdate()
    computed = current_values(indicators) if as_of is None or as_of >= today else {}
    result = {}
    for indicator in indicators:
        (latest_pair, first_pair) = found.get(indicator.pk, ((None, None), (None, None)))
        latest_entry = latest_pair if latest_pair[0] is not None else None
        first_entry = first_pair if first_pair[0] is not None else None
        if indicator.source == Indicator.Source.COMPUTED and (as_of is None or as_of >= today):
            value = _decimal(computed.get(indicator.pk))
            latest_entry = (today, value) if value is not None else None
            first_entry = first_entry or latest_entry
            if latest_entry is None:
                result[indicator.pk] = IndicatorStatus(
                    Status.NOT_MEASURED, note="Not computed yet: the indicator has no rule."
                )
                continue
        result[indicator.pk] = judge(indicator, latest_entry, first_entry)
    return result


def counts(statuses) -> dict[str, int]:
    """How many of `statuses` (IndicatorStatus values) have each status, in display order."""
    tally = dict.fromkeys(Status.values, 0)
    for status in statuses:
        tally[status.status] += 1
    return tally


# -- when the next value is due ------------------------------------------------------------

FREQUENCY_MONTHS = {
    Indicator.Frequency.MONTHLY: 1,
    Indicator.Frequency.QUARTERLY: 3,
    Indicator.Frequency.SEMESTER: 6,
    Indicator.Frequency.YEARLY: 12,
}


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, on the same day of the month or the month's last day."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def next_value_due(indicator: Indicator, last_as_of: date | None, since: date | None):
    """When the indicator's next value is due: its last value's date (or, before any, the
    date monitoring started from) plus its collection frequency. None when neither is known."""
    start = last_as_of or since
    if start is None:
        return None
    return add_months(start, FREQUENCY_MONTHS.get(indicator.collection_frequency, 12))


# -- the figures a data review looks at -------------------------------------------------------


def snapshot(indicators, *, as_of: date) -> list[dict]:
    """Each indicator's status and latest value on `as_of`, as JSON for DataReview.snapshot.

    `indicators` should come with their goal (select_related) in display order."""
    indicators = list(indicators)
    statuses = statuses_for(indicators, as_of=as_of)
    rows = []
    for indicator in indicators:
        rows.append(
            {
                "indicator_id": indicator.pk,
                "indicator": indicator.name,
                "goal": indicator.goal.statement,
                "unit": indicator.get_unit_display(),
                "target_value": number(indicator.target_value),
                "target_date": indicator.target_date.isoformat() if indicator.target_date else None,
                **statuses[indicator.pk].as_json(),
            }
        )
    return rows


def show_value(indicator: Indicator, value) -> str:
    """A value in the indicator's unit, as a person reads it: 45%, 120 hours, 3, Done."""
    if value is None:
        return "—"
    if indicator.unit == Indicator.Unit.MILESTONE:
        return "Done" if Decimal(value) >= 1 else "Not yet"
    text = number(value)
    if indicator.unit == Indicator.Unit.PERCENT:
        return f"{text}%"
    if indicator.unit == Indicator.Unit.HOURS:
        return f"{text} hours"
    return text
