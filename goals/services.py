"""Writes on goals that are more than one form save: ordering and deleting."""

from django.db import transaction
from django.db.models import Max

from wbl.history import delete_with_history, save_with_history


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


def delete(item, *, by) -> None:
    with transaction.atomic():
        delete_with_history(item, by=by)
