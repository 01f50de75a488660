"""The drafting quality check: what makes a goal measurable, per goal.

Warnings while drafting; the cycle makes them the gate for submitting to the board.
Works on prefetched indicators and makes no query of its own.
"""

from dataclasses import dataclass

from goals.models import Goal, GoalSet, Indicator


@dataclass(frozen=True)
class Finding:
    code: str
    message: str


def check_goal(goal: Goal, goal_set: GoalSet) -> list[Finding]:
    findings = []
    indicators = list(goal.indicators.all())
    if not goal.owner_id:
        findings.append(Finding("no_owner", "No owner: name the member accountable for it."))
    measurable = [i for i in indicators if i.target_value is not None]
    if not measurable:
        findings.append(
            Finding("no_indicator", "No measurable indicator: add one with a target value.")
        )
    for ind in indicators:
        name = ind.name
        if ind.target_value is not None and ind.target_date is None:
            findings.append(Finding("no_target_date", f"“{name}” has no target date."))
        if (
            ind.target_value is not None
            and ind.baseline_value is not None
            and ind.target_value == ind.baseline_value
            and ind.direction != Indicator.Direction.MAINTAIN
        ):
            findings.append(
                Finding("target_equals_baseline", f"“{name}”: the target equals the baseline.")
            )
        if ind.target_date and not (
            goal_set.start_year <= ind.target_date.year <= goal_set.target_year
        ):
            findings.append(
                Finding(
                    "target_date_outside",
                    f"“{name}”: the target date ({ind.target_date:%b %-d, %Y}) is outside "
                    f"the set's years {goal_set.start_year}–{goal_set.target_year}.",
                )
            )
        if ind.unit == Indicator.Unit.PERCENT:
            values = [ind.baseline_value, ind.target_value, *ind.milestones.values()]
            if any(v is not None and not (0 <= float(v) <= 100) for v in values):
                findings.append(Finding("percent_range", f"“{name}”: a percent outside 0–100."))
    return findings
