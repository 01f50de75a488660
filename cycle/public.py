"""What the public sees of a district: decided here and nowhere else.

The public page and the public summary PDF show a district's vision, mission and graduate
profile, and its ADOPTED goal sets: stage Communicate, Implement, Monitor or Revise. Of a line
of versions only the latest adopted one shows, so a version 2 still in Draft or Approve leaves
version 1 on the page. Each set shows its title, scope, years, stem sentence, goals, and each
indicator's baseline, target and target date, with the board's adoption date.

Nothing else leaves this module: no drafts, no feedback, no comments, no drafting team, no
owners or other member names or emails, no student data. Templates receive plain frozen
dataclasses holding only those values, never model instances they could reach through.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from cycle.models import BoardAdoption
from goals.models import Goal, GoalSet, Indicator, Stage
from wbl.history import history_marks, mark_of
from wbl.models import District, Pathway, School

PUBLIC_STAGES = (Stage.COMMUNICATE, Stage.IMPLEMENT, Stage.MONITOR, Stage.REVISE)
ADOPTING_OUTCOMES = (BoardAdoption.Outcome.ADOPTED, BoardAdoption.Outcome.ADOPTED_AMENDED)


@dataclass(frozen=True)
class PublicIndicator:
    name: str
    unit: str
    direction: str
    baseline: str
    baseline_year: int | None
    target: str
    target_date: date | None


@dataclass(frozen=True)
class PublicGoal:
    number: int
    statement: str
    indicators: tuple[PublicIndicator, ...]


@dataclass(frozen=True)
class PublicGoalSet:
    title: str
    level: str
    scope: str
    stem: str
    version: int
    start_year: int
    target_year: int
    adopted_on: date | None
    adopted_by: str
    goals: tuple[PublicGoal, ...]


@dataclass(frozen=True)
class PublicDistrict:
    name: str
    slug: str
    time_zone: str
    vision: str
    mission: str
    graduate_profile: str
    goal_sets: tuple[PublicGoalSet, ...]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def published_goal_sets(district: District):
    """The district's adopted goal sets, the latest adopted version of each line only."""
    adopted_successor = GoalSet.objects.filter(
        previous_version=OuterRef("pk"), stage__in=PUBLIC_STAGES
    )
    return GoalSet.objects.filter(district=district, stage__in=PUBLIC_STAGES).exclude(
        Exists(adopted_successor)
    )


def figure(value: Decimal | None, unit: str) -> str:
    """A baseline or target as a person reads it: “20%”, “1,500”, “120 hours”, “Done”."""
    if value is None:
        return "—"
    if unit == Indicator.Unit.MILESTONE:
        return "Done" if value else "Not yet"
    whole = value == value.to_integral_value()
    text = f"{int(value):,}" if whole else f"{value.normalize():,f}"
    if unit == Indicator.Unit.PERCENT:
        return f"{text}%"
    if unit == Indicator.Unit.HOURS:
        return f"{text} hours"
    return text


def _indicator(indicator: Indicator) -> PublicIndicator:
    return PublicIndicator(
        name=indicator.name,
        unit=indicator.get_unit_display(),
        direction=indicator.get_direction_display(),
        baseline=figure(indicator.baseline_value, indicator.unit),
        baseline_year=indicator.baseline_year,
        target=figure(indicator.target_value, indicator.unit),
        target_date=indicator.target_date,
    )


def _goal_set(goal_set: GoalSet) -> PublicGoalSet:
    adoption = goal_set.public_adoptions[0] if goal_set.public_adoptions else None
    return PublicGoalSet(
        title=goal_set.title,
        level=goal_set.get_level_display(),
        scope=goal_set.scope_label,
        stem=goal_set.stem,
        version=goal_set.version,
        start_year=goal_set.start_year,
        target_year=goal_set.target_year,
        adopted_on=adoption.meeting_date if adoption else None,
        adopted_by=adoption.governing_body if adoption else "",
        goals=tuple(
            PublicGoal(
                number=number,
                statement=goal.statement,
                indicators=tuple(_indicator(i) for i in goal.indicators.all()),
            )
            for number, goal in enumerate(goal_set.goals.all(), start=1)
        ),
    )


def public_district(slug: str) -> PublicDistrict:
    """Everything the public page shows of the district with this slug (404 if none), in a
    fixed number of queries: the district, its published sets, their goals, indicators and
    adoption records."""
    district = get_object_or_404(District, slug=slug)
    goal_sets = (
        published_goal_sets(district)
        .select_related("school", "pathway")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.order_by("order", "pk").prefetch_related(
                    Prefetch("indicators", queryset=Indicator.objects.order_by("order", "pk"))
                ),
            ),
            Prefetch(
                "adoptions",
                queryset=BoardAdoption.objects.filter(outcome__in=ADOPTING_OUTCOMES).order_by(
                    "-meeting_date", "-pk"
                ),
                to_attr="public_adoptions",
            ),
        )
        .order_by("-level", "title", "-version")  # system-level sets first
    )
    return PublicDistrict(
        name=district.name,
        slug=district.slug,
        time_zone=district.time_zone,
        vision=district.vision,
        mission=district.mission,
        graduate_profile=district.graduate_profile,
        goal_sets=tuple(_goal_set(goal_set) for goal_set in goal_sets),
    )


# What the public page shows comes from these tables; every write to them writes history.
# Goals and indicators are left out on purpose: the page shows adopted sets only, which are
# frozen, so editing a draft's goals (many writes a day) does not push the page out of the
# cache. A set's publication, a new adopted version or an adoption record does.
PUBLIC_SOURCES = (District, School, Pathway, GoalSet, BoardAdoption)


def public_page_mark(slug: str) -> tuple[str, str]:
    """The district's name and where the public page's sources stand (wbl.history's
    history_marks): a new mark means the page may have changed. One query, on primary-key
    indexes; 404 for an unknown slug. The page caches what it renders under this mark, for
    ten minutes at most (cycle.views.public)."""
    marks = history_marks(PUBLIC_SOURCES)
    row = District.objects.filter(slug=slug).annotate(**marks).only("name").first()
    if row is None:
        raise Http404
    return row.name, mark_of(row, marks)
