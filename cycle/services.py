"""Every move of a goal set through the cycle, one function per transition (pretix style).

Each checks the current stage, the acting user's role and the preconditions, and raises
CycleError with a message a person understands; then, in one transaction, locks the row,
changes the stage, saves with history and writes a Transition row. Views never set a stage.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from cycle.models import BoardAdoption, GoalOutcome, Transition
from goals.models import Goal, GoalSet, Indicator, Stage
from goals.quality import check_goal
from wbl.access import Action, can
from wbl.history import save_with_history
from wbl.models import Membership


class CycleError(Exception):
    """A transition that cannot happen now; the message says why and what to do."""


def _check_role(goal_set: GoalSet, by, action=Action.RUN_CYCLE) -> None:
    membership = Membership.objects.filter(user=by, district_id=goal_set.district_id).first()
    if not can(membership, action):
        raise PermissionDenied("Your role may not move goal sets through the cycle.")


def _locked(goal_set: GoalSet, expected: str) -> GoalSet:
    locked = GoalSet.objects.select_for_update().get(pk=goal_set.pk)
    if locked.stage != expected:
        raise CycleError(
            f"“{locked.title}” is in {locked.get_stage_display()}, not "
            f"{Stage(expected).label}: someone may have moved it a moment ago. Reload the page."
        )
    return locked


def _move(goal_set: GoalSet, to: str, *, by, reason: str = "", override_reason: str = ""):
    transition = Transition.objects.create(
        goal_set=goal_set,
        from_stage=goal_set.stage,
        to_stage=to,
        by=by,
        reason=reason,
        override_reason=override_reason,
    )
    goal_set.stage = to
    goal_set.row_version += 1
    save_with_history(goal_set, by=by, reason=reason[:100])
    return transition


def failing_goals(goal_set: GoalSet) -> list[tuple[Goal, list]]:
    """Goals that fail the quality check, with their findings."""
    goals = goal_set.goals.select_related("owner").prefetch_related("indicators")
    result = []
    for goal in goals:
        findings = check_goal(goal, goal_set)
        if findings:
            result.append((goal, findings))
    return result


def submit_for_approval(goal_set: GoalSet, *, by, override_reason: str = "") -> Transition:
    _check_role(goal_set, by)
    override_reason = override_reason.strip()
    with transaction.atomic():
        locked = _locked(goal_set, Stage.DRAFT)
        if not locked.goals.exists():
            raise CycleError("Add at least one goal before submitting the set for approval.")
        failing = failing_goals(locked)
        if failing and not override_reason:
            raise CycleError(
                f"{len(failing)} goal(s) fail the quality check. Fix them, or write why the set "
                "should go to the board as it is."
            )
        return _move(
            locked,
            Stage.APPROVE,
            by=by,
            reason="Submitted for approval",
            override_reason=override_reason if failing else "",
        )


def return_to_draft(goal_set: GoalSet, *, by, reason: str) -> Transition:
    _check_role(goal_set, by)
    reason = reason.strip()
    if not reason:
        raise CycleError("Say why the set goes back to Draft.")
    with transaction.atomic():
        locked = _locked(goal_set, Stage.APPROVE)
        return _move(locked, Stage.DRAFT, by=by, reason=reason)


def record_adoption(goal_set: GoalSet, *, by, adoption: BoardAdoption) -> BoardAdoption:
    """Save the board's vote (an unsaved BoardAdoption with its fields set). Adopted moves the
    set to Communicate and freezes it; tabled or not adopted leaves it in Approve."""
    _check_role(goal_set, by)
    with transaction.atomic():
        locked = _locked(goal_set, Stage.APPROVE)
        adoption.goal_set = locked
        adoption.recorded_by = by
        save_with_history(adoption, by=by)
        if adoption.adopts:
            _move(
                locked,
                Stage.COMMUNICATE,
                by=by,
                reason=f"{adoption.get_outcome_display()} by {adoption.governing_body} on "
                f"{adoption.meeting_date:%B %-d, %Y}",
            )
    return adoption


def start_implementation(goal_set: GoalSet, *, by) -> Transition:
    _check_role(goal_set, by)
    with transaction.atomic():
        locked = _locked(goal_set, Stage.COMMUNICATE)
        return _move(locked, Stage.IMPLEMENT, by=by, reason="Implementation started")


def start_monitoring(goal_set: GoalSet, *, by) -> Transition:
    _check_role(goal_set, by)
    with transaction.atomic():
        locked = _locked(goal_set, Stage.IMPLEMENT)
        return _move(locked, Stage.MONITOR, by=by, reason="Monitoring started")


def open_revision(goal_set: GoalSet, *, by, reason: str = "") -> Transition:
    _check_role(goal_set, by)
    with transaction.atomic():
        locked = _locked(goal_set, Stage.MONITOR)
        return _move(locked, Stage.REVISE, by=by, reason=reason.strip() or "Revision opened")


def goals_without_outcome(goal_set: GoalSet):
    return goal_set.goals.filter(outcome__isnull=True)


GOAL_COPY_FIELDS = [
    "statement",
    "order",
    "topic_area",
    "continuum_stage",
    "horizon",
    "grade",
    "owner_id",
    "responsible_roles",
]
INDICATOR_COPY_FIELDS = [
    "name",
    "unit",
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_date",
    "direction",
    "milestones",
    "data_source",
    "collection_frequency",
    "order",
    "source",
    "data_steward_id",
]


def start_new_version(goal_set: GoalSet, *, by) -> GoalSet:
    """From Revise: a new version N+1 in Draft with the carried-forward goals and their
    indicators, each linked to the row it came from. Version N stays as adopted."""
    _check_role(goal_set, by)
    with transaction.atomic():
        locked = _locked(goal_set, Stage.REVISE)
        if locked.next_versions.exists():
            raise CycleError(f"Version {locked.version + 1} of this set has already started.")
        missing = goals_without_outcome(locked).count()
        if missing:
            raise CycleError(f"Record an outcome for every goal first ({missing} without one).")
        new = GoalSet(
            district_id=locked.district_id,
            level=locked.level,
            scope=locked.scope,
            school_id=locked.school_id,
            pathway_id=locked.pathway_id,
            title=locked.title,
            stem=locked.stem,
            start_year=locked.start_year,
            target_year=locked.target_year,
            stage=Stage.DRAFT,
            version=locked.version + 1,
            previous_version=locked,
            data_steward_id=locked.data_steward_id,
        )
        save_with_history(new, by=by, reason=f"Version {new.version} started")
        carried = locked.goals.filter(
            outcome__outcome=GoalOutcome.Outcome.CARRIED_FORWARD
        ).prefetch_related("indicators", "responsible_partners")
        for position, old_goal in enumerate(carried, start=1):
            goal = Goal(
                goal_set=new,
                carried_from=old_goal,
                **{f: getattr(old_goal, f) for f in GOAL_COPY_FIELDS},
            )
            goal.order = position
            partners = list(old_goal.responsible_partners.all())
            save_with_history(
                goal, by=by, set_m2m=lambda g=goal, p=partners: g.responsible_partners.set(p)
            )
            for old_indicator in old_goal.indicators.all():
                indicator = Indicator(
                    goal=goal,
                    carried_from=old_indicator,
                    **{f: getattr(old_indicator, f) for f in INDICATOR_COPY_FIELDS},
                )
                save_with_history(indicator, by=by)
        Transition.objects.create(
            goal_set=new,
            from_stage=Stage.REVISE,
            to_stage=Stage.DRAFT,
            by=by,
            reason=f"Version {new.version} started from version {locked.version}",
        )
    return new
