"""The student WBL experience inventory: its standard kinds and student groups, and the
computed student-goal indicators (in SQL, never by looping over students in Python).

A ComputedRule names a cohort (students of the district, optionally of one school or pathway,
one grade or one graduation year) and what each student must have done (experiences of one
kind, at least N of them and/or at least H hours summed, with a reflection, at a minimum
proficiency, and optionally also one experience of a second kind). The indicator's value is
the percent of the cohort meeting it (students with no experiences at all count in the
denominator), or the number of students meeting it.

`compute(rule)` is one query; `breakdown(rule)` is two (by school and pathway together, and by
student group), each a GROUP BY in SQL. Breakdown rows of fewer than SMALL_GROUP students are
suppressed everywhere except staff pages (`sees_small_groups`).
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, Subquery, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cycle.models import (
    ComputedFigure,
    ComputedRule,
    Experience,
    ExperienceKind,
    ProgressEntry,
    Student,
    StudentGroup,
)
from goals.models import Indicator, Stage
from wbl.access import Action, can
from wbl.concurrency import save_form
from wbl.history import delete_with_history, history_marks, mark_of, save_with_history
from wbl.models import Membership

SMALL_GROUP = 10
# Progress is logged once the board has adopted a set.
LOGGING_STAGES = (Stage.COMMUNICATE, Stage.IMPLEMENT, Stage.MONITOR)
SUPPRESSED = f"suppressed (fewer than {SMALL_GROUP} students)"

# (key, name, WBL continuum stage)
STANDARD_KINDS = [
    ("guest-speaker", "Guest speaker", "awareness"),
    ("career-exploration-project", "Career exploration project", "exploration"),
    ("job-shadow", "Job shadow", "exploration"),
    ("mock-interview", "Mock interview", "preparation"),
    ("resume", "Resume", "preparation"),
    ("employment-application", "Employment application", "preparation"),
    ("internship", "Internship", "preparation"),
    ("microcredential", "Microcredential", "training"),
    ("senior-defense", "Senior defense or exhibition", "preparation"),
]

# (key, name)
STANDARD_GROUPS = [
    ("english-learner", "English learners"),
    ("disability", "Students with disabilities"),
    ("low-income", "Low income"),
    ("foster-youth", "Foster youth"),
]


# -- standard rows, created for a district when first needed -----------------------------------


def _ensure(model, district, standard, *, by, extra=lambda spec: {}):
    rows = list(model.objects.filter(district=district))
    have = {row.key for row in rows}
    missing = [
        model(district=district, key=spec[0], name=spec[1], **extra(spec))
        for spec in standard
        if spec[0] not in have
    ]
    if missing:
        bulk_create_with_history(missing, model, default_user=by)
        rows = list(model.objects.filter(district=district))
    return rows


def experience_kinds(district, *, by=None) -> list[ExperienceKind]:
    """The district's experience kinds (standard ones created on first need), by name.
    One query once the standard kinds exist."""
    return _ensure(
        ExperienceKind,
        district,
        STANDARD_KINDS,
        by=by,
        extra=lambda spec: {"continuum_stage": spec[2]},
    )


def student_groups(district, *, by=None) -> list[StudentGroup]:
    """The district's student groups (standard ones created on first need), by name."""
    return _ensure(StudentGroup, district, STANDARD_GROUPS, by=by)


def sees_small_groups(membership: Membership | None) -> bool:
    """Staff pages show small groups' figures; everyone else sees them suppressed."""
    return membership is not None and membership.role in (
        Membership.Role.ADMIN,
        Membership.Role.STAFF,
    )


# -- computing -------------------------------------------------------------------------------


def _percent(meeting: int, total: int) -> Decimal | None:
    if not total:
        return None
    return (Decimal(meeting) * 100 / Decimal(total)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


@dataclass
class Figure:
    """How many students of a cohort (or of one part of it) meet the rule."""

    label: str
    total: int
    meeting: int
    result: str = ComputedRule.Result.PERCENT

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.meeting, self.total)

    @property
    def value(self) -> Decimal | None:
        if self.result == ComputedRule.Result.COUNT:
            return Decimal(self.meeting)
        return self.percent

    @property
    def is_small(self) -> bool:
        return self.total < SMALL_GROUP


def _cohort_filters(rule: ComputedRule) -> dict:
    """The cohort as Student filters: the rule's district, and its school, pathway, grade and
    graduation year when set."""
    if ComputedRule._meta.get_field("kind").is_cached(rule):
        district = rule.kind.district_id
    else:  # the kind's district as a scalar subquery: no query of its own
        district = Subquery(
            ExperienceKind.objects.filter(pk=rule.kind_id).order_by().values("district_id")
        )
    filters = {"district_id": district}
    for name in ("school_id", "pathway_id", "grade", "graduation_year"):
        value = getattr(rule, name)
        if value is not None:
            filters[name] = value
    return filters


def cohort(rule: ComputedRule):
    """The rule's cohort: the district's students matching its school, pathway, grade and
    graduation year (each only when set)."""
    return Student.objects.filter(**_cohort_filters(rule))


def _qualifying_experiences(rule: ComputedRule):
    """Student ids meeting the requirement, as a subquery (GROUP BY ... HAVING when a number
    of experiences or of hours is required). It reads only the cohort's experiences of the
    rule's kind: PostgreSQL answers it from the (kind, student) covering index."""
    cohort_filters = {f"student__{k}": v for k, v in _cohort_filters(rule).items()}
    experiences = Experience.objects.filter(kind_id=rule.kind_id, **cohort_filters)
    if rule.reflection_required:
        experiences = experiences.filter(reflection_submitted=True)
    if rule.min_proficiency:
        experiences = experiences.filter(proficiency__gte=rule.min_proficiency)
    if (rule.min_count or 1) > 1 or rule.min_hours:
        having = {}
        experiences = experiences.values("student_id").annotate(n=Count("pk"), h=Sum("hours"))
        if (rule.min_count or 1) > 1:
            having["n__gte"] = rule.min_count
        if rule.min_hours:
            having["h__gte"] = rule.min_hours
        experiences = experiences.filter(**having)
    return experiences.values("student_id")


def meets(rule: ComputedRule) -> Q:
    """A condition on Student rows: the student meets the rule's requirement."""
    condition = Q(pk__in=_qualifying_experiences(rule))
    if rule.also_kind_id:
        condition &= Q(
            pk__in=Experience.objects.filter(kind_id=rule.also_kind_id).values("student_id")
        )
    return condition


def compute(rule: ComputedRule) -> Figure:
    """The cohort's size and how many meet the rule: one query."""
    figures = cohort(rule).aggregate(total=Count("pk"), meeting=Count("pk", filter=meets(rule)))
    return Figure("All students in the cohort", figures["total"], figures["meeting"], rule.result)


def rule_for(indicator) -> ComputedRule | None:
    """The indicator's rule with its kind (no query when fetched with select_related)."""
    try:
        return indicator.rule
    except ComputedRule.DoesNotExist:
        return None


def compute_indicator(indicator) -> Decimal | None:
    """The current value of a computed indicator (its ComputedRule over the inventory), or None
    when the indicator has no rule or its cohort is empty. One query when the indicator was
    fetched with `select_related("rule")`, two otherwise."""
    rule = rule_for(indicator)
    if rule is None:
        return None
    return compute(rule).value


# How long a kept figure is trusted at most, whatever the inventory's mark says.
FIGURE_MAX_AGE = timedelta(minutes=10)


def _marked_rules(indicator_ids):
    """The indicators' rules (with their kind), each carrying the inventory's mark: where
    the history of students (their groups included), experiences and rules stands. A kept
    figure counts for its rule while the mark is the same, for FIGURE_MAX_AGE at most
    (wbl.history.history_marks says why both). One query, by primary-key indexes."""
    marks = history_marks((Student, Experience, ComputedRule))
    rules = (
        ComputedRule.objects.filter(indicator_id__in=indicator_ids)
        .select_related("kind")
        .annotate(**marks)
    )
    for rule in rules:
        rule.mark = mark_of(rule, marks)
        yield rule


def current_values(indicators) -> dict[int, Decimal | None]:
    """Today's value of each computed indicator among `indicators`, by pk.

    A figure counted earlier is used while the inventory has not changed since, for
    FIGURE_MAX_AGE at most (two queries for all the indicators); otherwise it is counted again
    (one query each) and kept in ComputedFigure. For pages showing many statuses: the
    district overview, dashboards and reminders. The indicator's own page counts live, with
    its breakdowns."""
    ids = [i.pk for i in indicators if i.source == Indicator.Source.COMPUTED]
    values = dict.fromkeys(ids)  # no rule: no value
    if not ids:
        return values
    rules = list(_marked_rules(ids))
    if not rules:
        return values
    mark = rules[0].mark
    kept = {
        f.indicator_id: f
        for f in ComputedFigure.objects.filter(
            indicator_id__in=ids,
            inventory_mark=mark,
            computed_at__gt=timezone.now() - FIGURE_MAX_AGE,
        )
    }
    counted = []
    for rule in rules:
        figure = kept.get(rule.indicator_id)
        if figure is None:
            live = compute(rule)
            figure = ComputedFigure(
                indicator_id=rule.indicator_id,
                total=live.total,
                meeting=live.meeting,
                inventory_mark=mark,
                computed_at=timezone.now(),
            )
            counted.append(figure)
        values[rule.indicator_id] = Figure("", figure.total, figure.meeting, rule.result).value
    if counted:
        # Two requests may count the same figure at once: the last one wins, same value.
        ComputedFigure.objects.bulk_create(
            counted,
            update_conflicts=True,
            unique_fields=["indicator"],
            update_fields=["total", "meeting", "inventory_mark", "computed_at"],
        )
    return values


@dataclass
class Breakdown:
    title: str
    rows: list[Figure]


def breakdown(rule: ComputedRule) -> list[Breakdown]:
    """The same figure by school, by pathway and by student group: two GROUP BY queries (one
    by school and pathway together, whose few rows are summed each way here; one by group).
    A student in several groups counts in each of them."""
    students = cohort(rule)
    sums = {"total": Count("pk"), "meeting": Count("pk", filter=meets(rule))}
    by_school: dict = {}
    by_pathway: dict = {}
    places = students.values("school_id", "school__name", "pathway_id", "pathway__name")
    for row in places.annotate(**sums).order_by():
        for table, name in (
            (by_school, row["school__name"] or "No school recorded"),
            (by_pathway, row["pathway__name"] or "No pathway recorded"),
        ):
            total, meeting = table.get(name, (0, 0))
            table[name] = (total + row["total"], meeting + row["meeting"])
    groups = (
        students.filter(groups__isnull=False)
        .values("groups__id", "groups__name")
        .annotate(**sums)
        .order_by("groups__name")
    )

    def figures(table):
        return [Figure(name, *table[name], rule.result) for name in sorted(table)]

    return [
        Breakdown("By school", figures(by_school)),
        Breakdown("By pathway", figures(by_pathway)),
        Breakdown(
            "By student group",
            [Figure(g["groups__name"], g["total"], g["meeting"], rule.result) for g in groups],
        ),
    ]


def overall(parts: list[Breakdown], result: str) -> Figure:
    """The whole cohort's figure from a breakdown (each student is in exactly one school row):
    the computed page needs no third query for it."""
    rows = parts[0].rows
    return Figure(
        "All students in the cohort",
        sum(r.total for r in rows),
        sum(r.meeting for r in rows),
        result,
    )


# -- writes (services: the acting user is `by`) ----------------------------------------------


def _require_staff(indicator, by) -> None:
    membership = Membership.objects.filter(
        user=by, district_id=indicator.goal.goal_set.district_id
    ).first()
    if not can(membership, Action.EDIT_GOALS):
        raise PermissionDenied("Only district staff set how an indicator is computed.")


def _set_source(indicator, source: str, *, by) -> None:
    locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if locked.source != source:
        locked.source = source
        locked.row_version += 1
        save_with_history(locked, by=by)
    indicator.source, indicator.row_version = locked.source, locked.row_version


def save_rule(form, *, by) -> ComputedRule:
    """Save a valid RuleForm (version-checked when it edits a rule) and mark its indicator as
    computed, in one transaction. Raises EditConflict when someone else saved the rule first."""
    indicator = form.indicator
    _require_staff(indicator, by)
    with transaction.atomic():
        rule = save_form(form, by=by, expected_version=form.expected_version)
        _set_source(indicator, Indicator.Source.COMPUTED, by=by)
    return rule


def remove_rule(indicator, *, by) -> None:
    """Delete the indicator's rule; its values are then logged by hand again."""
    _require_staff(indicator, by)
    with transaction.atomic():
        rule = ComputedRule.objects.filter(indicator=indicator).first()
        if rule is not None:
            delete_with_history(rule, by=by)
        _set_source(indicator, Indicator.Source.MANUAL, by=by)


def record_value(indicator, *, by, as_of=None) -> ProgressEntry:
    """Record the indicator's computed value today as a progress entry (for charts and data
    reviews). Raises CycleError when there is nothing to record."""
    from cycle.access import covers_goal_set
    from cycle.services import CycleError

    goal_set = indicator.goal.goal_set
    membership = Membership.objects.filter(user=by, district_id=goal_set.district_id).first()
    if membership is None or not covers_goal_set(membership, goal_set):
        raise PermissionDenied("You may not log progress for this goal set.")
    if goal_set.stage not in LOGGING_STAGES:
        raise CycleError(
            "Progress is recorded once the board has adopted the set (Communicate, Implement, "
            "Monitor)."
        )
    rule = rule_for(indicator)
    if rule is None:
        raise CycleError("This indicator has no rule: set how it is computed first.")
    figure = compute(rule)
    if figure.value is None:
        raise CycleError("The cohort has no students yet, so there is no value to record.")
    entry = ProgressEntry(
        indicator=indicator,
        value=figure.value,
        as_of=as_of or timezone.localdate(),
        note=f"Computed from the WBL experience inventory: {figure.meeting} of "
        f"{figure.total} students in the cohort.",
        entered_by=by,
    )
    with transaction.atomic():
        save_with_history(entry, by=by)
    return entry


def describe(rule: ComputedRule) -> tuple[str, str]:
    """The rule in words: (who is in the cohort, what each of them must have done)."""
    cohort_parts = []
    if rule.school_id:
        cohort_parts.append(f"at {rule.school}")
    if rule.pathway_id:
        cohort_parts.append(f"in the {rule.pathway} pathway")
    if rule.grade:
        cohort_parts.append(f"in grade {rule.grade}")
    if rule.graduation_year:
        cohort_parts.append(f"graduating in {rule.graduation_year}")
    who = "Every student of the district"
    if cohort_parts:
        who = "Students " + ", ".join(cohort_parts)
    kind = rule.kind.name.lower()
    needs = []
    count = rule.min_count or 1
    needs.append(f"at least {count} {kind} experience{'s' if count > 1 else ''}")
    if rule.min_hours:
        needs.append(f"at least {rule.min_hours.normalize():f} hours of {kind} in total")
    if rule.reflection_required:
        needs.append("each with a reflection submitted")
    if rule.min_proficiency:
        needs.append(f"each scored {rule.min_proficiency} (of 4) or higher")
    what = "; ".join(needs)
    if rule.also_kind_id:
        what += f"; and at least one {rule.also_kind.name.lower()}"
    return who, what[0].upper() + what[1:] + "."
