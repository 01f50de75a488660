"""A district's data as one file: which rows belong to a district, writing them out, and
restoring them into another installation (`manage.py export_district` / `import_district`).

What belongs to a district is worked out from the models, not listed by hand, so a model added
later is exported without touching this file:
- every model of our apps (`OUR_APPS`, with their auto-created many-to-many tables) is followed
  along its foreign keys to `District`: the parent it is deleted with (a required CASCADE key,
  shortest way first), else any required key, else each optional key (a row of a set OR of an
  indicator). Users are not followed: a person can belong to several districts.
- the historical tables of django-simple-history follow the same keys, but a key may name a
  parent that has been deleted since; so a historical row belongs to the district when its
  parent is a live row of the district OR appears in the parent's own history under it.
- users: every user a district row or historical row names (members, authors, owners, the
  acting user of each history row), and their history. Passwords are never written.
- a model that reaches no district and is not in `NOT_DISTRICT_DATA` (with the reason) stops
  the export: better no file than a file that silently misses data.
Rows are read with `_base_manager`, so soft-deleted goal sets, goals and indicators go too.

The file is our own format rather than Django's serializers: one JSON document, written and
read one row per line (each table: its model, its column names, then its rows as arrays), so
that a district with 2,000,000 experiences streams out and back in without holding them, the
many-to-many and history tables load as plain tables in batches, and the file says which
format version it is. A `.gz` name compresses it.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import gzip
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalChanges

from wbl.models import District, User

FORMAT = "wbl-district-export"
VERSION = 1
OUR_APPS = ("wbl", "goals", "cycle")
BATCH_SIZE = 2000

# Models of our apps that hold no district data, with the reason. A model of our apps that is
# neither exported nor listed here stops the export (and fails tests/test_export_import.py).
NOT_DISTRICT_DATA = {
    "cycle.ComputedFigure": "A cache of computed indicator counts, recounted from the students "
    "and experiences (which are exported) on the first page that needs them.",
    "wbl.User_groups": "Django admin permission groups of support staff: installation-wide "
    "auth.Group rows, not district data.",
    "wbl.User_user_permissions": "Django admin permissions of support staff: installation-wide "
    "(auth.Permission ids differ between installations), not district data.",
}

# Columns never written, and what a restored row gets instead.
LEFT_OUT = {"wbl.User": {"password": lambda: make_password(None)}}


@dataclass
class Table:
    """One table of the file: its model and how its rows are found for a district."""

    model: type[models.Model]
    kind: str  # "district", "owned", "history", "history_m2m", "user", "user_history"

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def fields(self) -> list:
        left_out = LEFT_OUT.get(self.label, {})
        return [f for f in self.model._meta.concrete_fields if f.name not in left_out]

    @property
    def columns(self) -> list[str]:
        return [f.attname for f in self.fields]

    def rows(self, district_id: int, user_ids=()) -> models.QuerySet:
        manager = self.model._base_manager
        if self.kind == "district":
            condition = Q(pk=district_id)
        elif self.kind == "owned":
            condition = _live_q(self.model, district_id)
        elif self.kind == "history":
            condition = _ever_q(self.model.instance_type, district_id)
        elif self.kind == "history_m2m":
            parent = self.model._meta.get_field("history").related_model
            condition = Q(history_id__in=_rows_of_history(parent, district_id))
        elif self.kind == "user":
            condition = Q(pk__in=sorted(user_ids))
        else:  # user_history
            condition = Q(id__in=sorted(user_ids))
        return manager.filter(condition).order_by("pk")


# -- which rows belong to a district -----------------------------------------------------------


def our_models() -> list[type[models.Model]]:
    """Every model of our apps, with the auto-created many-to-many and the history tables."""
    out = []
    for app in OUR_APPS:
        out += apps.get_app_config(app).get_models(include_auto_created=True)
    return out


def _is_history(model) -> bool:
    """A django-simple-history table of a model's rows."""
    return issubclass(model, HistoricalChanges) and not _is_history_m2m(model)


def _is_history_m2m(model) -> bool:
    """A django-simple-history table of a many-to-many field's values, per history row."""
    return issubclass(model, HistoricalChanges) and any(
        f.name == "m2m_history_id" for f in model._meta.concrete_fields
    )


def _history_of(model):
    """The historical model of `model`, or None when it keeps no history."""
    name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, name).model if name else None


def _links(model) -> list:
    """The foreign keys of `model` that may lead to a district: to other models of our apps,
    not to users (shared between districts) and not to the model itself (versions, carried
    forward goals)."""
    out = []
    for f in model._meta.concrete_fields:
        target = f.related_model if f.is_relation else None
        if target is None or not (f.many_to_one or f.one_to_one):
            continue
        if target is User or target is model or target._meta.app_label not in OUR_APPS:
            continue
        out.append(f)
    return out


def _depth(model, seen=frozenset()) -> int | None:
    """How many keys away `model` is from District (None: it does not get there)."""
    if model is District:
        return 0
    depths = [
        _depth(f.related_model, seen | {model})
        for f in _links(model)
        if f.related_model not in seen
    ]
    depths = [d for d in depths if d is not None]
    return 1 + min(depths) if depths else None


def owner_links(model) -> list:
    """The key(s) by which a row of `model` belongs to its district: the required CASCADE key
    nearest to District, else the nearest required key, else every optional key (a row that
    belongs through any of them)."""
    candidates = []
    for order, f in enumerate(_links(model)):
        depth = _depth(f.related_model, frozenset({model}))
        if depth is None:
            continue
        if f.null:
            rank = 2
        elif f.remote_field.on_delete is models.CASCADE:
            rank = 0
        else:
            rank = 1
        candidates.append((rank, depth, order, f))
    if not candidates:
        return []
    best = min(candidates, key=lambda c: c[:3])
    if best[0] < 2:
        return [best[3]]
    return [c[3] for c in candidates]


def _paths(model) -> list[str]:
    """Lookups from `model` to its district's id, e.g. `goal__goal_set__district__id`."""
    if model is District:
        return ["id"]
    return [f"{f.name}__{p}" for f in owner_links(model) for p in _paths(f.related_model)]


def _live_q(model, district_id) -> Q:
    q = Q()
    for path in _paths(model):
        q |= Q(**{path: district_id})
    return q


def _ever_q(model, district_id) -> Q:
    """Rows of `model` or of its historical model (same column names) whose parent is, or
    was, the district's: the parent may have been deleted since and live on in its history."""
    if model is District:
        return Q(id=district_id)
    q = Q()
    for f in owner_links(model):
        parent = f.related_model
        if parent is District:
            q |= Q(**{f.attname: district_id})
            continue
        q |= Q(**{f"{f.attname}__in": _ids_of(parent, district_id)})
        history = _history_of(parent)
        if history is not None:
            q |= Q(**{f"{f.attname}__in": _ids_in_history(parent, history, district_id)})
    return q


def _ids_of(model, district_id):
    return model._base_manager.filter(_live_q(model, district_id)).order_by().values("pk")


def _ids_in_history(model, history, district_id):
    return history._base_manager.filter(_ever_q(model, district_id)).order_by().values("id")


def _rows_of_history(history, district_id):
    return (
        history._base_manager.filter(_ever_q(history.instance_type, district_id))
        .order_by()
        .values("history_id")
    )


def _kind(model) -> str | None:
    if model is District:
        return "district"
    if model is User:
        return "user"
    if _is_history_m2m(model):
        parent = model._meta.get_field("history").related_model
        return "history_m2m" if _kind(parent) else None
    if _is_history(model):
        tracked = model.instance_type
        if tracked is User:
            return "user_history"
        return "history" if _kind(tracked) else None
    return "owned" if owner_links(model) else None


def unaccounted_models() -> list[str]:
    """Models of our apps that are neither exported nor listed as not district data."""
    return [
        m._meta.label
        for m in our_models()
        if _kind(m) is None and m._meta.label not in NOT_DISTRICT_DATA
    ]


def plan() -> list[Table]:
    """The tables of a district's file, parents before the rows that point at them."""
    missing = unaccounted_models()
    if missing:
        raise CommandError(
            "These models reach no district and are not listed as holding no district data "
            f"(cycle.district_data.NOT_DISTRICT_DATA): {', '.join(missing)}. Exporting now "
            "would leave their rows out."
        )
    tables = [Table(m, _kind(m)) for m in our_models() if m._meta.label not in NOT_DISTRICT_DATA]
    # Live tables first, then history; within that, the apps' order; then parents first.
    tables.sort(key=lambda t: t.kind in ("history", "history_m2m", "user_history"))
    ordered, placed = [], set()
    while tables:
        for i, table in enumerate(tables):
            needs = {
                f.related_model
                for f in table.model._meta.concrete_fields
                if f.is_relation
                and f.related_model is not table.model
                and getattr(f, "db_constraint", False)
            }
            if all(n in placed or n not in {t.model for t in tables} for n in needs):
                ordered.append(tables.pop(i))
                placed.add(table.model)
                break
        else:  # a cycle of required keys: keep the rest as they are (constraints are deferred)
            ordered += tables
            break
    return ordered


def _user_ids(tables: list[Table], district_id: int) -> set[int]:
    """The users the district's rows name, and the users their own history names."""
    ids: set[int] = set()
    for table in tables:
        if table.kind in ("user", "user_history"):
            continue
        for f in table.fields:
            if f.is_relation and f.related_model is User:
                values = table.rows(district_id).order_by().values_list(f.attname, flat=True)
                ids.update(v for v in values.distinct() if v is not None)
    history = _history_of(User)
    while True:
        named = set(
            history._base_manager.filter(id__in=ids, history_user__isnull=False)
            .values_list("history_user_id", flat=True)
            .distinct()
        )
        if named <= ids:
            break
        ids |= named
    return set(User._base_manager.filter(pk__in=ids).values_list("pk", flat=True))


# -- values in the file ------------------------------------------------------------------------


def _encode(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    raise TypeError(f"Cannot write a {type(value).__name__} to a district file.")


def _decoder(f):
    if isinstance(f, models.JSONField):
        return lambda value: value
    if isinstance(f, models.DurationField):
        return lambda value: None if value is None else datetime.timedelta(seconds=value)
    return f.to_python


_ENCODER = json.JSONEncoder(default=_encode, ensure_ascii=False, separators=(",", ":"))
_dumps = _ENCODER.encode


def open_file(path: str, mode: str, *, gz: bool | None = None):
    """A district file for reading ("r") or writing ("w"), gzip-compressed if named *.gz."""
    if path.endswith(".gz") if gz is None else gz:
        return gzip.open(path, mode + "t", encoding="utf-8", compresslevel=6)
    return open(path, mode, encoding="utf-8")


# -- export ------------------------------------------------------------------------------------


def export(district: District, out, *, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Write everything of `district` to the text stream `out`; return the rows per model.

    One transaction (on PostgreSQL a repeatable-read snapshot), so the file is consistent even
    while people work; rows stream through in batches."""
    tables = plan()
    counts: dict[str, int] = {}
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        user_ids = _user_ids(tables, district.pk)
        header = {
            "format": FORMAT,
            "version": VERSION,
            "district": district.slug,
            "exported_at": timezone.now().isoformat(),
            "migrations": _migrations(),
        }
        out.write(_dumps(header)[:-1] + ',"tables":[\n')
        for n, table in enumerate(tables):
            out.write(_dumps({"model": table.key, "fields": table.columns})[:-1] + ',"rows":[')
            rows = table.rows(district.pk, user_ids).values_list(*table.columns)
            count = 0
            for row in rows.iterator(chunk_size=batch_size):
                out.write(("\n" if count == 0 else ",\n") + _dumps(row))
                count += 1
            out.write("\n]}" + ("," if n < len(tables) - 1 else "") + "\n")
            counts[table.label] = count
        out.write('],"end":' + _dumps({"tables": len(tables), "rows": sum(counts.values())}))
        out.write("}\n")
    return counts


def _migrations() -> dict[str, str]:
    applied = MigrationRecorder(connection).applied_migrations()
    latest: dict[str, str] = {}
    for app, name in applied:
        if app in OUR_APPS and name > latest.get(app, ""):
            latest[app] = name
    return latest


# -- import ------------------------------------------------------------------------------------


@dataclass
class Restored:
    """Rows written per model; users already in the installation are kept as they are."""

    district: str = ""
    inserted: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)


class _Reader:
    """Reads the layout `export` writes: a header line, then per table a header line, one
    line per row, and a closing line; the last line carries the totals (a cut-off file is
    refused)."""

    def __init__(self, stream):
        self.lines = enumerate(stream, start=1)
        self.number = 0

    def _next(self) -> str:
        try:
            self.number, line = next(self.lines)
        except StopIteration:
            raise CommandError(
                f"The file ends early, after line {self.number}: it is incomplete (was the "
                "export interrupted, or the file cut off?)."
            ) from None
        except UnicodeDecodeError:
            raise CommandError(
                f"Line {self.number + 1} is not UTF-8 text: this is not a district file written "
                "by export_district."
            ) from None
        return line.rstrip("\r\n")

    def _json(self, text: str, what: str):
        try:
            return json.loads(text)
        except ValueError:
            raise CommandError(
                f"Line {self.number} is not {what}: this is not a district file written by "
                "export_district, or it was changed by hand."
            ) from None

    def header(self) -> dict:
        line = self._next()
        header = self._json(line + "]}", "the header of a district file")
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise CommandError(
                "This is not a district file written by export_district (no "
                f'"format": "{FORMAT}" on its first line).'
            )
        version = header.get("version")
        if version != VERSION:
            raise CommandError(
                f"This district file is format version {version!r}; this installation reads "
                f"version {VERSION} only. Export the district again with this version of the "
                "app."
            )
        if not isinstance(header.get("district"), str) or not header["district"]:
            raise CommandError("The file's header names no district.")
        return header

    def tables(self) -> Iterator[tuple[dict, Iterator[list]]]:
        while True:
            line = self._next()
            if line.startswith('],"end":'):
                self.end = self._json("{" + line[2:], "the end of a district file")["end"]
                return
            table = self._json(line + "]}", "a table header")
            if not isinstance(table, dict) or "model" not in table or "fields" not in table:
                raise CommandError(f"Line {self.number} is not a table header.")
            yield table, self._rows()

    def _rows(self) -> Iterator[list]:
        while True:
            line = self._next()
            if line in ("]}", "]},"):
                return
            row = self._json(line.removesuffix(","), "a row")
            if not isinstance(row, list):
                raise CommandError(f"Line {self.number} is not a row.")
            yield row


def restore(stream, *, batch_size: int = BATCH_SIZE) -> Restored:
    """Write the district file `stream` into this installation, all or nothing.

    Refused (CommandError, nothing written) when the district's slug is taken, when a row's
    primary key or unique value is taken (a user with the same id and email is the same
    person and is kept as is), when the file is not one of ours or not of this version, or
    when a key points at a row that is neither in the file nor here. Primary keys are kept, so
    history rows still point at their objects; users get unusable passwords (they reset
    them). On PostgreSQL the sequences are moved past the restored keys."""
    reader = _Reader(stream)
    header = reader.header()
    slug = header["district"]
    if District._base_manager.filter(slug=slug).exists():
        raise CommandError(
            f"A district with the slug {slug!r} already exists in this installation. "
            "import_district restores a district into an installation that does not hold it."
        )
    known = {t.key: t for t in plan()}
    result = Restored(district=slug)
    seen: set[str] = set()
    with transaction.atomic():
        for info, rows in reader.tables():
            table = known.get(info["model"])
            if table is None:
                raise CommandError(
                    f"The file holds a table this installation does not know as district data: "
                    f"{info['model']!r}."
                )
            if info["model"] in seen:
                raise CommandError(f"The file holds the table {info['model']!r} twice.")
            seen.add(info["model"])
            _check_columns(table, info["fields"])
            inserted = kept = 0
            while batch := list(islice(rows, batch_size)):
                n_in, n_kept = _insert(table, batch)
                inserted += n_in
                kept += n_kept
            result.inserted[table.label] = inserted
            if kept:
                result.kept[table.label] = kept
        total = sum(result.inserted.values()) + sum(result.kept.values())
        if reader.end != {"tables": len(seen), "rows": total}:
            raise CommandError(
                f"The file says it holds {reader.end}, but {len(seen)} tables and {total} "
                "rows were read: it was changed or cut off."
            )
        if not District._base_manager.filter(slug=slug).exists():
            raise CommandError(f"The file holds no district {slug!r}.")
        try:
            connection.check_constraints(
                table_names=[t.model._meta.db_table for t in known.values()]
            )
        except IntegrityError as error:
            raise CommandError(
                f"The file's rows point at rows that are neither in the file nor in this "
                f"installation: {error}"
            ) from None
        statements = connection.ops.sequence_reset_sql(
            no_style(), [t.model for t in known.values()]
        )
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
    return result


def _check_columns(table: Table, columns: list) -> None:
    expected = table.columns
    if columns != expected:
        missing = [c for c in expected if c not in columns]
        unknown = [c for c in columns if c not in expected]
        raise CommandError(
            f"The file's {table.key} columns differ from this installation's (written by "
            f"another version of the app?): missing {missing or 'none'}, unknown "
            f"{unknown or 'none'}."
        )


def _insert(table: Table, rows: list[list]) -> tuple[int, int]:
    """Insert one batch of rows as they are (keys, timestamps); return (inserted, kept)."""
    model, fields = table.model, table.fields
    decoders = [_decoder(f) for f in fields]
    fill = LEFT_OUT.get(table.label, {})
    objs = []
    for row in rows:
        if len(row) != len(fields):
            raise CommandError(
                f"A {table.key} row has {len(row)} values for {len(fields)} columns: {row!r}"
            )
        try:
            values = {
                f.attname: decode(v) for f, decode, v in zip(fields, decoders, row, strict=True)
            }
        except (ValidationError, ValueError, TypeError) as error:
            raise CommandError(
                f"A {table.key} row has a value that cannot be read: {error}: {row!r}"
            ) from None
        values.update({name: make() for name, make in fill.items()})
        objs.append(model(**values))
    objs, kept = _drop_same_people(table, objs)
    _refuse_collisions(table, objs)
    all_fields = model._meta.concrete_fields
    manager = model._base_manager
    size = max(1, connection.ops.bulk_batch_size(all_fields, objs) if objs else 1)
    for start in range(0, len(objs), size):
        # raw=True writes each value as it is: auto_now(_add) timestamps are not renewed.
        manager._insert(objs[start : start + size], fields=all_fields, raw=True)
    return len(objs), kept


def _drop_same_people(table: Table, objs: list) -> tuple[list, int]:
    """Users (and their history rows) that are already here with the same id and email are
    the same person, a member of another district too: keep theirs, insert the rest."""
    if table.kind not in ("user", "user_history"):
        return objs, 0
    if table.kind == "user":
        here = dict(
            User._base_manager.filter(pk__in=[o.pk for o in objs]).values_list("pk", "email")
        )
        same = {o.pk for o in objs if o.pk in here and here[o.pk] == o.email}
    else:
        here = dict(
            table.model._base_manager.filter(pk__in=[o.pk for o in objs]).values_list("pk", "id")
        )
        same = {o.pk for o in objs if o.pk in here and here[o.pk] == o.id}
    return [o for o in objs if o.pk not in same], len(same)


def _refuse_collisions(table: Table, objs: list) -> None:
    if not objs:
        return
    manager = table.model._base_manager
    for f in table.model._meta.concrete_fields:
        if not (f.unique or f.primary_key):
            continue
        values = [getattr(o, f.attname) for o in objs]
        step = connection.features.max_query_params or len(values)
        taken = []
        for start in range(0, len(values), step):
            chunk = values[start : start + step]
            rows = manager.filter(**{f"{f.attname}__in": chunk}).order_by(f.attname)
            taken += rows.values_list(f.attname, flat=True)[:5]
        if taken:
            taken = sorted(taken)[:5]
            what = "id" if f.primary_key else f.name
            raise CommandError(
                f"Nothing was imported: {table.key} rows with {what} {', '.join(map(str, taken))} "
                "already exist in this installation. import_district restores a district into "
                "an installation that does not hold its rows (a new, empty one)."
            )
