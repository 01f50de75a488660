"""History: one historical row per write, and readable field-by-field changes.

Every model a person edits uses `TrackedHistory` (django-simple-history's HistoricalRecords
that remembers itself on the model), so that a save and its many-to-many changes write one
history row with the acting user, not one row per step.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.db.models import Count, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

EMPTY = "—"

# How many of a table's newest history rows its mark watches; see history_marks.
MARK_DEPTH = 5000


class TrackedHistory(HistoricalRecords):
    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            sender._tracked_history = self


def save_with_history(instance, *, by, set_m2m=None, reason: str = ""):
    """Save `instance` (and its many-to-many values through `set_m2m`) as one history row.

    Call inside a transaction when the caller does more than this one save.
    """
    created = instance._state.adding
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    instance.skip_history_when_saving = True
    try:
        instance.save()
        if set_m2m is not None:
            set_m2m()
    finally:
        del instance.skip_history_when_saving
    type(instance)._tracked_history.create_historical_record(instance, "+" if created else "~")
    return instance


def _newest_pk(history_model, offset: int):
    return Subquery(history_model.objects.order_by("-pk").values("pk")[offset : offset + 1])


def _row_count(history_model):
    rows = history_model.objects.order_by().annotate(one=Value(1)).values("one")
    return Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField())


def history_marks(models_) -> dict:
    """Annotations that together say where the history of `models_` stands: a kept result
    computed from those tables is stale as soon as the joined values differ (see `mark_of`).

    Every write to a tracked model writes a history row, imports too. The newest history id
    alone is not enough on PostgreSQL: ids are handed out before commit, so a transaction
    holding lower ids (an import, say) can commit after a save with a higher id, and a result
    computed in between would keep the newest id as its mark. So each table's mark also holds
    the id of its MARK_DEPTH-th newest row (or, in a smaller table, minus its number of rows),
    which moves when any of those newest rows becomes visible. What this misses needs more
    than MARK_DEPTH other history rows to be committed between a write and its own commit; keep
    results for a bounded time as well. Two subqueries per table, on primary-key indexes.
    """
    marks = {}
    for n, model in enumerate(models_):
        history = model.history.model
        marks[f"mark_{n}"] = _newest_pk(history, 0)
        marks[f"depth_{n}"] = Coalesce(_newest_pk(history, MARK_DEPTH - 1), -_row_count(history))
    return marks


def mark_of(row, marks: dict) -> str:
    """The mark of a row annotated with `history_marks`."""
    return ":".join(str(getattr(row, name) or 0) for name in marks)


def delete_with_history(instance, *, by):
    """Delete `instance`; its history row (and those of rows deleted with it) name `by`."""
    instance._history_user = by
    instance.delete()


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    when: datetime
    who: str
    kind: str  # "Created", "Changed", "Deleted", "Restored", "Removed for good"
    subject: str
    changes: list[Change] = field(default_factory=list)


def m2m_history(model, field_name: str) -> str:
    """The accessor, on `model`'s historical rows, of the recorded values of an m2m field.

    Prefetch it with its target, e.g. `m2m_history(Goal, "responsible_partners") + "__partner"`.
    """
    return f"historical{model._meta.model_name}_{field_name}_set"


def display_value(record, model_field) -> str:
    """The value of `model_field` on a row or a historical row, as a person reads it."""
    if model_field.many_to_many:
        if hasattr(record, "instance_type"):
            rows = getattr(record, m2m_history(record.instance_type, model_field.name)).all()
            target = model_field.m2m_reverse_field_name()
            values = [getattr(row, target) for row in rows]
        else:
            values = getattr(record, model_field.name).all()
        return ", ".join(sorted(str(v) for v in values)) or EMPTY
    if model_field.is_relation:
        if getattr(record, model_field.attname) is None:
            return EMPTY
        try:
            return str(getattr(record, model_field.name))
        except models.ObjectDoesNotExist:
            return "(deleted)"
    value = getattr(record, model_field.attname)
    if model_field.choices:
        value = dict(model_field.flatchoices).get(value, value)
    if value in (None, ""):
        return EMPTY
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in sorted(value.items())) or EMPTY
    return str(value)


def entries(records, fields, *, subject=str) -> list[Entry]:
    """Field-by-field changes for historical `records` of one or more objects, newest first.

    `records` must be fetched with what `fields` display (select_related / prefetch_related):
    this makes no query of its own. `fields` are (name, label) pairs of the tracked model.
    """
    by_object: dict = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_object.setdefault(record.id, []).append(record)
    out = []
    for sequence in by_object.values():
        previous = None
        for record in sequence:
            model_fields = [(record.instance_type._meta.get_field(n), label) for n, label in fields]
            who = str(record.history_user) if record.history_user_id else "System"
            was_deleted = getattr(previous, "deleted_at", None) is not None
            is_deleted = getattr(record, "deleted_at", None) is not None
            if record.history_type == "-":
                kind = "Removed for good" if was_deleted else "Deleted"
                out.append(Entry(record.history_date, who, kind, subject(record)))
            elif previous is not None and was_deleted != is_deleted:
                # A soft delete or a restore (goals.services): said in words, not as a field.
                kind = "Deleted" if is_deleted else "Restored"
                out.append(Entry(record.history_date, who, kind, subject(record)))
            elif previous is None or record.history_type == "+":
                changes = [
                    Change(label, EMPTY, display_value(record, f)) for f, label in model_fields
                ]
                changes = [c for c in changes if c.after != EMPTY]
                out.append(Entry(record.history_date, who, "Created", subject(record), changes))
            else:
                changes = []
                for f, label in model_fields:
                    before, after = display_value(previous, f), display_value(record, f)
                    if before != after:
                        changes.append(Change(label, before, after))
                if changes:
                    out.append(Entry(record.history_date, who, "Changed", subject(record), changes))
            previous = record
    out.sort(key=lambda e: e.when, reverse=True)
    return out
