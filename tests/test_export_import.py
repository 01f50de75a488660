"""`manage.py export_district` / `import_district`: a district's data leaves and comes back.

The round trip loads the demo, exports both districts, empties the installation (`flush`),
imports them back one after the other and compares every table of our apps, row by row and
field by field (passwords excepted: they never leave). Tests that empty the installation or
need the import's own transaction use real transactions (`transaction=True`).
"""

import gzip
import json
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cycle import district_data
from cycle.models import Experience, ImportUpload, ProgressEntry, ReminderLog, Student
from goals.models import Goal, GoalSet, Indicator
from goals.services import purge, soft_delete
from wbl.history import save_with_history
from wbl.models import District, Membership, School, User

# -- helpers -----------------------------------------------------------------------------------


def table_rows(model) -> dict:
    """Every row of `model` (deleted ones too), every column but User.password, by key."""
    columns = [
        f.attname
        for f in model._meta.concrete_fields
        if not (model is User and f.name == "password")
    ]
    # Keyed by the primary key: on history tables the first column is the tracked row's id,
    # which many history rows share.
    rows = model._base_manager.order_by("pk").values_list("pk", *columns)
    return {
        row[0]: tuple(bytes(v) if isinstance(v, memoryview) else v for v in row[1:]) for row in rows
    }


def snapshot() -> dict[str, dict]:
    return {m._meta.label: table_rows(m) for m in district_data.our_models()}


def export(slug: str, path) -> str:
    out = StringIO()
    call_command("export_district", slug, output=str(path), stdout=out)
    return out.getvalue()


def restore(path, **options) -> str:
    out = StringIO()
    call_command("import_district", str(path), stdout=out, **options)
    return out.getvalue()


def empty_installation():
    call_command("flush", interactive=False, verbosity=0)
    assert not any(snapshot().values())


def read_lines(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def edit_first_row(path, model: str, column: str, value) -> None:
    """Set `column` of the first `model` row of the file at `path` to `value`."""
    lines = read_lines(path)
    start = next(i for i, line in enumerate(lines) if line.startswith(f'{{"model":"{model}",'))
    fields = json.loads(lines[start].rstrip("\n") + "]}")["fields"]
    line = lines[start + 1]
    row = json.loads(line.rstrip(",\n"))
    row[fields.index(column)] = value
    lines[start + 1] = json.dumps(row) + ("," if line.rstrip("\n").endswith(",") else "") + "\n"
    path.write_text("".join(lines), encoding="utf-8")


# -- the demo districts leave and come back ----------------------------------------------------


def add_what_the_demo_lacks():
    """Rows the demo does not have: a member of both districts, a deleted (restorable) goal, a
    goal removed for good after progress was logged (only its history remains), an upload
    waiting for confirmation (binary), reminders sent."""
    midtown = District.objects.get(slug="midtown")
    admin = User.objects.get(email="admin@demo.wbl")
    both = User.objects.get(email="central-admin@demo.wbl")
    save_with_history(
        Membership(user=both, district=midtown, role=Membership.Role.VIEWER, title="Observer"),
        by=admin,
    )
    draft = GoalSet.objects.get(district=midtown, stage="draft")
    kept, removed = list(draft.goals.order_by("order", "pk"))[:2]
    indicator = removed.indicators.first()
    save_with_history(
        ProgressEntry(
            indicator=indicator, value=Decimal("12.50"), as_of=date(2019, 6, 30), entered_by=admin
        ),
        by=admin,
    )
    soft_delete(removed, by=admin)
    purge(now=timezone.now() + timedelta(days=31))  # removed for good, with what went with it
    soft_delete(kept, by=admin)  # still restorable
    ImportUpload.objects.create(
        district=midtown,
        user=admin,
        kind=ImportUpload.Kind.STUDENTS,
        filename="roster.csv",
        content=b"local_id,name\r\n\xff\x00 not utf-8\r\n",
        sha256="0" * 64,
    )
    monitored = GoalSet.objects.filter(district=midtown, stage="monitor").first()
    ReminderLog.objects.create(
        kind=ReminderLog.Kind.DATA_DUE,
        indicator=Indicator.objects.filter(goal__goal_set=monitored).first(),
        due_date=date(2020, 1, 1),
        recipients="x@y.z",
    )
    ReminderLog.objects.create(
        kind=ReminderLog.Kind.REVISION_DUE,
        goal_set=monitored,
        due_date=date(2020, 1, 1),
        recipients="x@y.z",
    )
    return kept, removed, indicator


@pytest.mark.django_db(transaction=True)
def test_demo_districts_leave_and_come_back_identical(settings, tmp_path):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    soft_deleted, removed_goal, removed_indicator = add_what_the_demo_lacks()
    midtown_id = District.objects.get(slug="midtown").pk
    before = snapshot()
    hashes = set(User.objects.values_list("password", flat=True))
    midtown_students = set(
        Student.objects.filter(district_id=midtown_id).values_list("pk", flat=True)
    )
    midtown_experiences = Experience.objects.filter(student__district_id=midtown_id).count()
    removed_history = Indicator.history.filter(id=removed_indicator.pk).count()
    assert removed_history >= 2  # created, then removed with its goal
    empty_tables = [label for label, rows in before.items() if not rows]
    # Every other table has rows to compare (only what holds no district data is empty).
    assert sorted(empty_tables) == sorted(district_data.NOT_DISTRICT_DATA)

    report = export("midtown", tmp_path / "midtown.json")
    export("central", tmp_path / "central.json.gz")

    # One JSON document, with no password (hash) anywhere.
    text = (tmp_path / "midtown.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["format"] == "wbl-district-export" and document["version"] == 1
    users = next(t for t in document["tables"] if t["model"] == "wbl.user")
    assert "password" not in users["fields"]
    assert len(users["rows"]) == 6  # Midtown's five demo accounts and the member of both
    assert not any(h in text for h in hashes)
    assert "md5$" not in text and "pbkdf2" not in text
    with gzip.open(tmp_path / "central.json.gz", "rt", encoding="utf-8") as f:
        assert json.load(f)["district"] == "central"
    counts = {line.split()[0]: line.split()[1] for line in report.splitlines()[1:]}
    assert counts["cycle.Experience"] == f"{midtown_experiences:,}"
    assert counts["wbl.District"] == "1"

    empty_installation()
    report = restore(tmp_path / "midtown.json", batch_size=7)
    assert "Imported district 'midtown'" in report and "cycle.Student" in report

    # Only Midtown is here, every row exactly as it was.
    after_midtown = snapshot()
    for label, rows in after_midtown.items():
        assert rows.items() <= before[label].items(), label
    assert set(Student.objects.values_list("pk", flat=True)) == midtown_students
    assert District.objects.get().slug == "midtown"
    assert Goal.all_objects.get(pk=soft_deleted.pk).deleted_at is not None
    assert not Goal.objects.filter(pk=soft_deleted.pk).exists()
    assert not Goal.all_objects.filter(pk=removed_goal.pk).exists()
    assert Indicator.history.filter(id=removed_indicator.pk).count() == removed_history
    assert ProgressEntry.history.filter(indicator_id=removed_indicator.pk).count() == 2
    assert bytes(ImportUpload.objects.get().content).startswith(b"local_id,name\r\n\xff")
    assert ReminderLog.objects.count() == 2
    for user in User.objects.all():
        assert not user.has_usable_password(), user.email

    # Central comes back beside it: the member of both districts is kept, Midtown untouched.
    report = restore(tmp_path / "central.json.gz")
    assert "already here, kept" in report
    after = snapshot()
    assert after == before
    for label, rows in after_midtown.items():
        assert rows.items() <= after[label].items(), label

    # New rows get new keys (PostgreSQL's sequences were moved past the restored rows).
    admin = User.objects.get(email="admin@demo.wbl")
    school = save_with_history(
        School(district_id=midtown_id, name="Brand New High School"), by=admin
    )
    assert school.pk > max(before["wbl.School"])
    assert school.history.get().history_id > max(before["wbl.HistoricalSchool"])


# -- what is and is not a district's data ------------------------------------------------------


def test_every_model_of_our_apps_is_exported_or_listed_with_a_reason():
    exported = {t.label for t in district_data.plan()}
    for model in district_data.our_models():
        label = model._meta.label
        assert label in exported or label in district_data.NOT_DISTRICT_DATA, (
            f"{label} holds no district data? Add it to NOT_DISTRICT_DATA with the reason, or "
            "give it a key that leads to District."
        )
    assert not exported & set(district_data.NOT_DISTRICT_DATA)
    for label, reason in district_data.NOT_DISTRICT_DATA.items():
        assert len(reason) > 20, label
        assert any(m._meta.label == label for m in district_data.our_models()), label


def test_a_model_nobody_accounted_for_stops_the_export(monkeypatch):
    monkeypatch.setattr(district_data, "NOT_DISTRICT_DATA", {})
    assert district_data.unaccounted_models() == ["wbl.User_groups", "wbl.User_user_permissions"]
    with pytest.raises(CommandError, match="wbl.User_groups, wbl.User_user_permissions"):
        district_data.plan()


def test_rows_are_followed_to_their_district_by_the_parent_they_are_deleted_with():
    links = {
        t.label: [f.name for f in district_data.owner_links(t.model)]
        for t in district_data.plan()
        if t.kind == "owned"
    }
    assert links["cycle.Experience"] == ["student"]
    assert links["cycle.ComputedRule"] == ["indicator"]  # not its experience kind
    assert links["cycle.ReminderLog"] == ["indicator", "goal_set"]  # either may be empty
    assert links["wbl.Membership"] == ["district"]  # users are shared between districts


# -- refusals ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_importing_a_district_that_is_here_is_refused(world, tmp_path):
    export("midtown", tmp_path / "midtown.json")
    before = snapshot()
    with pytest.raises(CommandError, match="'midtown' already exists"):
        restore(tmp_path / "midtown.json")
    assert snapshot() == before


@pytest.mark.django_db
def test_a_taken_key_is_refused_and_nothing_is_written(world, tmp_path):
    export("midtown", tmp_path / "midtown.json")
    world.district_a.slug = "midtown-old"
    save_with_history(world.district_a, by=world.admin)
    before = snapshot()
    with pytest.raises(CommandError, match=rf"wbl.district rows with id {world.district_a.pk} "):
        restore(tmp_path / "midtown.json")
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_a_user_id_taken_by_someone_else_is_refused(world, tmp_path):
    export("midtown", tmp_path / "midtown.json")
    empty_installation()
    User.objects.create_user(
        email="someone.else@example.org", full_name="Someone Else", id=world.staff.pk
    )
    with pytest.raises(CommandError, match=rf"wbl.user rows with id {world.staff.pk} already"):
        restore(tmp_path / "midtown.json")
    assert not District.objects.exists()
    assert User.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_cut_off_file_writes_nothing(world, tmp_path):
    path = tmp_path / "midtown.json"
    export("midtown", path)
    empty_installation()
    lines = read_lines(path)
    path.write_text("".join(lines[:-1]), encoding="utf-8")  # every table, but not the end
    with pytest.raises(CommandError, match="ends early"):
        restore(path, batch_size=3)
    assert not any(snapshot().values())


@pytest.mark.django_db(transaction=True)
def test_a_row_pointing_nowhere_writes_nothing(world, tmp_path):
    path = tmp_path / "midtown.json"
    export("midtown", path)
    empty_installation()
    edit_first_row(path, "goals.goal", "goal_set_id", 999999)  # a set that is nowhere
    with pytest.raises(CommandError, match="neither in the file nor in this installation"):
        restore(path)
    assert not any(snapshot().values())


@pytest.mark.django_db
def test_a_file_of_another_format_version_is_refused(world, tmp_path):
    path = tmp_path / "midtown.json"
    export("midtown", path)
    lines = read_lines(path)
    lines[0] = lines[0].replace('"version":1,', '"version":2,')
    path.write_text("".join(lines), encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError, match="format version 2; this installation reads version 1"):
        restore(path)
    assert snapshot() == before


@pytest.mark.django_db
def test_files_that_are_not_district_files_are_refused(world, tmp_path):
    dumpdata = tmp_path / "dump.json"
    call_command("dumpdata", "wbl.district", output=str(dumpdata), verbosity=0)
    with pytest.raises(CommandError, match="not a district file written by export_district"):
        restore(dumpdata)
    empty = tmp_path / "empty.json"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="ends early"):
        restore(empty)
    with pytest.raises(CommandError, match="Cannot read"):
        restore(tmp_path / "missing.json")
    not_gzip = tmp_path / "plain.json.gz"
    not_gzip.write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot read"):
        restore(not_gzip)


@pytest.mark.django_db
def test_a_file_with_other_columns_is_refused(world, tmp_path):
    path = tmp_path / "midtown.json"
    export("midtown", path)
    world.district_a.slug = "midtown-old"
    save_with_history(world.district_a, by=world.admin)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"graduate_profile"]', '"graduate_profile","motto"]', 1))
    with pytest.raises(CommandError, match=r"wbl.district columns differ.*unknown \['motto'\]"):
        restore(path)


# -- export ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_without_output_writes_the_file_to_stdout_and_counts_to_stderr(world):
    out, err = StringIO(), StringIO()
    call_command("export_district", "midtown", stdout=out, stderr=err)
    document = json.loads(out.getvalue())
    tables = {t["model"]: t["rows"] for t in document["tables"]}
    fields = {t["model"]: t["fields"] for t in document["tables"]}
    slug = fields["wbl.district"].index("slug")
    assert [row[slug] for row in tables["wbl.district"]] == ["midtown"]
    assert len(tables["goals.goalset"]) == 1  # not Central's
    assert "goals.GoalSet" in err.getvalue() and "total" in err.getvalue()


@pytest.mark.django_db
def test_export_of_an_unknown_district_names_the_ones_there(world):
    with pytest.raises(CommandError, match="No district with the slug 'nowhere'.*central"):
        call_command("export_district", "nowhere", stdout=StringIO())


@pytest.mark.django_db
def test_export_reads_in_batches_and_leaves_no_partial_file(world, tmp_path, monkeypatch):
    path = tmp_path / "midtown.json"
    export_lines = StringIO()
    call_command("export_district", "midtown", batch_size=1, stdout=export_lines, output=str(path))
    assert json.loads(path.read_text(encoding="utf-8"))["end"]["tables"] > 60

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(district_data, "_migrations", broken)
    with pytest.raises(RuntimeError):
        call_command("export_district", "midtown", output=str(tmp_path / "again.json"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["midtown.json"]


def test_values_survive_the_file():
    from django.db import models

    cases = [
        (models.DecimalField(max_digits=6, decimal_places=2), Decimal("12.50")),
        (models.DateField(), date(2020, 2, 29)),
        (models.DurationField(), timedelta(days=1, seconds=3)),
        (models.BinaryField(), b"\x00\xff"),
        (models.JSONField(), {"2019": 30, "note": "ok"}),
    ]
    for field, value in cases:
        written = json.loads(district_data._dumps(value))
        back = district_data._decoder(field)(written)
        assert (bytes(back) if isinstance(back, memoryview) else back) == value
