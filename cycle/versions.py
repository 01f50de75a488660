"""Differences between two versions of a goal set: added, removed and changed goals and
indicators, field by field. Goals and indicators are matched through `carried_from`."""

from dataclasses import dataclass, field

from goals.models import (
    GOAL_CONTENT_FIELDS,
    INDICATOR_CONTENT_FIELDS,
    Goal,
    GoalSet,
    Indicator,
)
from wbl.history import display_value


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class IndicatorChange:
    kind: str  # added, removed, changed, unchanged
    old: Indicator | None
    new: Indicator | None
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def name(self):
        return (self.new or self.old).name

    @property
    def reason(self) -> str:
        return self.new.revision_note if self.new else ""


@dataclass
class GoalChange:
    kind: str  # added, removed, changed, unchanged
    old: Goal | None
    new: Goal | None
    changes: list[FieldChange] = field(default_factory=list)
    indicators: list[IndicatorChange] = field(default_factory=list)

    @property
    def statement(self):
        return (self.new or self.old).statement


def _field_changes(old, new, fields) -> list[FieldChange]:
    meta = type(new)._meta
    changes = []
    for name, label in fields:
        model_field = meta.get_field(name)
        before, after = display_value(old, model_field), display_value(new, model_field)
        if before != after:
            changes.append(FieldChange(label, before, after))
    return changes


def lineage(goal_set: GoalSet, queryset=None) -> list[GoalSet]:
    """All versions of the set, oldest first (version 1 ... latest), in two queries whatever
    the number of versions: the district's version links, then the versions themselves
    (from `queryset`, e.g. with annotations; GoalSet.objects by default)."""
    links = dict(
        GoalSet.objects.filter(district_id=goal_set.district_id).values_list(
            "pk", "previous_version_id"
        )
    )
    following = {}
    for pk, previous in links.items():
        if previous is not None:
            following.setdefault(previous, pk)
    root = goal_set.pk
    seen = {root}
    while links.get(root) is not None and links[root] not in seen:
        root = links[root]
        seen.add(root)
    ids = [root]
    while ids[-1] in following and following[ids[-1]] not in ids:
        ids.append(following[ids[-1]])
    rows = (queryset if queryset is not None else GoalSet.objects).in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def _goals(goal_set_ids):
    return list(
        Goal.objects.filter(goal_set_id__in=goal_set_ids)
        .select_related("owner")
        .prefetch_related("indicators", "responsible_partners")
    )


def compare(old_set: GoalSet, new_set: GoalSet, *, versions=None) -> list[GoalChange]:
    """How `new_set` differs from `old_set` (two versions of the same set; either order).

    `versions` is the set's lineage when the caller has it already (saves two queries)."""
    if old_set.version > new_set.version:
        old_set, new_set = new_set, old_set
    versions = versions if versions is not None else lineage(new_set)
    ids = [s.pk for s in versions if old_set.version <= s.version <= new_set.version]
    goals = _goals(ids)
    by_pk = {g.pk: g for g in goals}
    indicators_by_pk = {i.pk: i for g in goals for i in g.indicators.all()}
    old_goals = [g for g in goals if g.goal_set_id == old_set.pk]
    new_goals = [g for g in goals if g.goal_set_id == new_set.pk]

    def origin(row, rows_by_pk, target_ids):
        """Follow carried_from back to the row of the old version, if any."""
        while row is not None and row.carried_from_id:
            row = rows_by_pk.get(row.carried_from_id)
            if row is not None and row.pk in target_ids:
                return row
        return None

    old_goal_ids = {g.pk for g in old_goals}
    matched = set()
    result = []
    for new_goal in new_goals:
        old_goal = origin(new_goal, by_pk, old_goal_ids)
        if old_goal is None:
            result.append(
                GoalChange(
                    "added",
                    None,
                    new_goal,
                    indicators=[
                        IndicatorChange("added", None, i) for i in new_goal.indicators.all()
                    ],
                )
            )
            continue
        matched.add(old_goal.pk)
        change = GoalChange(
            "unchanged",
            old_goal,
            new_goal,
            changes=_field_changes(old_goal, new_goal, GOAL_CONTENT_FIELDS),
        )
        old_indicator_ids = {i.pk for i in old_goal.indicators.all()}
        seen = set()
        for new_indicator in new_goal.indicators.all():
            old_indicator = origin(new_indicator, indicators_by_pk, old_indicator_ids)
            if old_indicator is None:
                change.indicators.append(IndicatorChange("added", None, new_indicator))
                continue
            seen.add(old_indicator.pk)
            diffs = _field_changes(old_indicator, new_indicator, INDICATOR_CONTENT_FIELDS)
            change.indicators.append(
                IndicatorChange(
                    "changed" if diffs else "unchanged", old_indicator, new_indicator, diffs
                )
            )
        for old_indicator in old_goal.indicators.all():
            if old_indicator.pk not in seen:
                change.indicators.append(IndicatorChange("removed", old_indicator, None))
        if change.changes or any(i.kind != "unchanged" for i in change.indicators):
            change.kind = "changed"
        result.append(change)
    for old_goal in old_goals:
        if old_goal.pk not in matched:
            result.append(
                GoalChange(
                    "removed",
                    old_goal,
                    None,
                    indicators=[
                        IndicatorChange("removed", i, None) for i in old_goal.indicators.all()
                    ],
                )
            )
    return result
