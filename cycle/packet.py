"""The board packet: what the board reads before it votes on a goal set, built from the
current content on every request (nothing cached, nothing stored).

`packet_context(goal_set)` fetches everything in a fixed number of queries, whatever the
number of goals, indicators or feedback; `render_packet(goal_set)` turns it into a tagged,
US Letter PDF through cycle.pdf (which fetches nothing but our static files).
"""

from dataclasses import dataclass, field

from cycle.models import BoardAdoption, Feedback, StakeholderGroup
from cycle.pdf import render_pdf
from cycle.versions import compare
from goals.models import Goal, GoalSet

TEMPLATE = "pdf/board_packet.html"


@dataclass
class GroupSummary:
    """The feedback of one stakeholder group, oldest first."""

    value: str
    label: str
    items: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)


@dataclass
class GoalSummary:
    """The feedback about one goal (goal None: about the set as a whole)."""

    goal: Goal | None
    position: int | None
    items: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)


def goals_for_packet(goal_set: GoalSet) -> list[Goal]:
    goals = list(
        Goal.objects.filter(goal_set=goal_set)
        .select_related("owner")
        .prefetch_related("indicators", "responsible_partners")
    )
    for position, goal in enumerate(goals, start=1):
        goal.position = position
    return goals


def feedback_rows(goal_set: GoalSet, *, with_people=False):
    """The set's feedback, oldest first. `with_people` also fetches the member who wrote it
    and the link it came through (for district pages; the packet shows group and text only)."""
    rows = Feedback.objects.filter(goal_set=goal_set).order_by("created_at", "pk")
    return rows.select_related("author", "link") if with_people else rows


def summarise(feedback, goals) -> tuple[list[GroupSummary], list[GoalSummary]]:
    """Feedback grouped by stakeholder group (in the groups' order, only groups with feedback)
    and by goal (in the goals' order, then the set as a whole). No query of its own."""
    by_group = {value: GroupSummary(value, label) for value, label in StakeholderGroup.choices}
    by_goal = {goal.pk: GoalSummary(goal, goal.position) for goal in goals}
    whole = GoalSummary(None, None)
    for item in feedback:
        if item.group in by_group:
            by_group[item.group].items.append(item)
        by_goal.get(item.goal_id, whole).items.append(item)
    groups = [g for g in by_group.values() if g.items]
    per_goal = [g for g in by_goal.values() if g.items]
    if whole.items:
        per_goal.append(whole)
    return groups, per_goal


def latest_adoption(goal_set: GoalSet) -> BoardAdoption | None:
    return goal_set.adoptions.order_by("-meeting_date", "-pk").first()


def version_changes(goal_set: GoalSet):
    """For version 2 and later: every change from the previous version, unchanged goals left
    out. None for a first version."""
    if goal_set.version < 2 or not goal_set.previous_version_id:
        return None
    previous = GoalSet.objects.get(pk=goal_set.previous_version_id)
    changes = [c for c in compare(previous, goal_set) if c.kind != "unchanged"]
    for change in changes:
        change.changed_indicators = [i for i in change.indicators if i.kind != "unchanged"]
    return {"previous": previous, "changes": changes}


def packet_context(goal_set: GoalSet) -> dict:
    district = goal_set.district
    goals = goals_for_packet(goal_set)
    groups, _ = summarise(feedback_rows(goal_set), goals)
    return {
        "district": district,
        "goal_set": goal_set,
        "goals": goals,
        "indicator_count": sum(len(g.indicators.all()) for g in goals),
        "feedback_groups": groups,
        "feedback_total": sum(g.count for g in groups),
        "adoption": latest_adoption(goal_set),
        "versions": version_changes(goal_set),
    }


def packet_filename(goal_set: GoalSet) -> str:
    return f"board-packet-{goal_set.district.slug}-{goal_set.pk}-v{goal_set.version}.pdf"


def render_packet(goal_set: GoalSet, *, fetcher=None) -> bytes:
    return render_pdf(TEMPLATE, packet_context(goal_set), fetcher=fetcher)
