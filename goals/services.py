"""Writes on goals that are more than one form save: ordering, deleting and restoring.

Deleting a goal set, goal or indicator is a soft delete: the row and everything under it that
is not deleted yet are marked deleted at one instant (`deleted_at`, `deleted_by`), each with a
history row naming the acting user. `restore` brings back exactly the rows marked at that
instant (not an indicator deleted on its own before); restored goals and indicators keep their
place in the order. After RESTORE_WINDOW, `purge_deleted` removes them for good.
"""

from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from goals.access import ensure_deletable
from goals.models import RESTORE_WINDOW, Goal, GoalSet, Indicator
from wbl.history import save_with_history

PURGE_REASON = f"Removed for good {RESTORE_WINDOW.days} days after it was deleted"


class RestoreError(Exception):
    """A restore that cannot happen; the message says why and what to do."""


def next_order(siblings) -> int:
    return (siblings.aggregate(m=Max("order"))["m"] or 0) + 1


def move(item, siblings, direction: str, *, by) -> bool:
    """Swap `item` with its neighbour above ("up") or below ("down") among `siblings`.

    Returns False when it is already first or last. Both rows get a history entry.
    """
    if direction not in ("up", "down"):
        raise ValueError(direction)
    with transaction.atomic():
        rows = list(siblings.select_for_update().order_by("order", "pk"))
        index = next(i for i, row in enumerate(rows) if row.pk == item.pk)
        other_index = index - 1 if direction == "up" else index + 1
        if not 0 <= other_index < len(rows):
            return False
        # Positions are 1..n in the current order, so that ties and gaps mend themselves.
        for position, row in enumerate(rows, start=1):
            row.new_order = position
        rows[index].new_order, rows[other_index].new_order = (
            rows[other_index].new_order,
            rows[index].new_order,
        )
        for row in rows:
            if row.order != row.new_order:
                row.order = row.new_order
                row.row_version += 1
                save_with_history(row, by=by)
    return True


def describe(item) -> str:
    """How a person names a goal set, goal or indicator in a message."""
    if isinstance(item, GoalSet):
        return f"The goal set “{item.title}” (version {item.version})"
    if isinstance(item, Goal):
        return f"The goal “{item.statement[:80]}”"
    return f"The indicator “{item.name}”"


def _goal_set_id(item) -> int:
    if isinstance(item, GoalSet):
        return item.pk
    if isinstance(item, Goal):
        return item.goal_set_id
    return Goal.all_objects.values_list("goal_set_id", flat=True).get(pk=item.goal_id)


def _locked(item):
    """`item`'s goal set and `item`, fresh and locked. Every delete and restore in a set locks
    the set first, so they (and the set's moves through the cycle) happen one at a time."""
    goal_set = GoalSet.all_objects.select_for_update().get(pk=_goal_set_id(item))
    if isinstance(item, GoalSet):
        return goal_set, goal_set
    return goal_set, type(item).all_objects.select_for_update().get(pk=item.pk)


def _mark(rows, deleted_at, *, by, reason) -> None:
    """Mark `rows` deleted at `deleted_at` (None: restored), each with a history row naming
    `by`: sets and goals one by one (a goal's history row records its partners too),
    indicators in bulk."""
    indicators = []
    for row in rows:
        row.deleted_at = deleted_at
        row.deleted_by = by if deleted_at else None
        row.row_version += 1
        if isinstance(row, Indicator):
            indicators.append(row)
        else:
            save_with_history(row, by=by, reason=reason)
    if indicators:
        bulk_update_with_history(
            indicators,
            Indicator,
            ["deleted_at", "deleted_by", "row_version"],
            batch_size=500,
            default_user=by,
            default_change_reason=reason,
            manager=Indicator.all_objects,
        )


def soft_delete(item, *, by) -> int:
    """Delete a goal set, goal or indicator, with what is under it (a set's goals and
    indicators, a goal's indicators). Refused (PermissionDenied) once the set is adopted.
    Returns how many rows were marked: 0 when someone deleted it a moment ago."""
    with transaction.atomic():
        goal_set, locked = _locked(item)
        ensure_deletable(goal_set)
        if locked.deleted_at is not None:
            return 0
        rows = [locked]
        if isinstance(locked, GoalSet):
            rows += Goal.objects.filter(goal_set=locked).select_for_update()
            rows += Indicator.objects.filter(goal__goal_set=locked).select_for_update()
        elif isinstance(locked, Goal):
            rows += Indicator.objects.filter(goal=locked).select_for_update()
        _mark(rows, timezone.now(), by=by, reason="Deleted")
    return len(rows)


def restore(item, *, by, expected_version: int | None = None) -> list:
    """Bring back a deleted goal set, goal or indicator with what was deleted with it.

    `expected_version` is the row_version the admin saw. Raises RestoreError when it was
    already restored, deleted again since, deleted too long ago, when its set or goal is
    still deleted (restore that first), or when its set was adopted since (frozen)."""
    with transaction.atomic():
        goal_set, locked = _locked(item)
        name = describe(locked)
        if locked.deleted_at is None:
            raise RestoreError(
                f"{name} was already restored, perhaps by someone else a moment ago: nothing "
                "was changed."
            )
        if expected_version is not None and locked.row_version != expected_version:
            raise RestoreError(
                f"{name} changed since you opened this page (restored and deleted again): "
                "nothing was changed. Check the list below and try again."
            )
        if not locked.is_restorable:
            raise RestoreError(
                f"{name} was deleted more than {RESTORE_WINDOW.days} days ago and can no "
                "longer be restored."
            )
        blocker = restore_blocker(locked, goal_set)
        if blocker:
            raise RestoreError(f"{name} cannot be restored. {blocker}")
        rows = [locked]
        if isinstance(locked, GoalSet):
            rows += Goal.all_objects.filter(goal_set=locked, deleted_at=locked.deleted_at)
            rows += Indicator.all_objects.filter(
                goal__goal_set=locked, deleted_at=locked.deleted_at
            )
        elif isinstance(locked, Goal):
            rows += Indicator.all_objects.filter(goal=locked, deleted_at=locked.deleted_at)
        _mark(rows, None, by=by, reason="Restored")
    return rows


def restore_blocker(item, goal_set: GoalSet) -> str:
    """Why deleted `item` cannot go back into `goal_set` now, or "". No query for a goal or an
    indicator fetched with its goal and set (the deleted-items page asks this for each row)."""
    if isinstance(item, GoalSet):
        if (
            item.previous_version_id
            and GoalSet.objects.filter(previous_version_id=item.previous_version_id).exists()
        ):
            return f"A new version {item.version} of this set was started after it was deleted."
        return ""
    if goal_set.deleted_at is not None:
        return f"It belongs to the deleted goal set “{goal_set.title}”: restore the set first."
    if isinstance(item, Indicator) and item.goal.deleted_at is not None:
        return (
            f"It belongs to the deleted goal “{item.goal.statement[:80]}”: restore the goal first."
        )
    if not goal_set.is_editable:
        return (
            f"“{goal_set.title}” (version {goal_set.version}) was adopted by the board since, "
            "and what the board adopted does not change."
        )
    return ""


def purge(*, now=None) -> tuple[dict[str, int], list[str]]:
    """Remove for good the goal sets, goals and indicators deleted more than RESTORE_WINDOW
    ago (with what cascades from them). Their history stays, ending in a "removed" row.

    Returns the number removed of each kind, and what something still protects (left)."""
    cutoff = (now or timezone.now()) - RESTORE_WINDOW
    removed, kept = {}, []
    # Indicators, then goals, then sets: each row gets its own history row with the reason.
    for model in (Indicator, Goal, GoalSet):
        kind = str(model._meta.verbose_name_plural)
        removed[kind] = 0
        old = model.all_objects.filter(deleted_at__lt=cutoff)
        for pk in list(old.values_list("pk", flat=True)):
            row = model.all_objects.filter(pk=pk).first()
            if row is None:  # went with its goal or set
                continue
            row._change_reason = PURGE_REASON
            try:
                with transaction.atomic():
                    row.delete()
            except ProtectedError as exc:
                kept.append(f"{describe(row)}: still used by {len(exc.protected_objects)} row(s)")
                continue
            removed[kind] += 1
    return removed, kept
