"""CSV in and out.

In: upload -> preview -> confirm, all-or-nothing. `validate(importer, data)` decodes the bytes
(UTF-8 with or without BOM, else Excel's Windows-1252; anything else is refused with a clear
message), reads the rows (CRLF, quoted fields with newlines), checks every cell of every row
and returns a Report listing EVERY bad row with its number, column and message. `confirm()`
re-validates the same bytes (kept server-side in ImportUpload between preview and confirm) and
writes the rows in one transaction, with history naming the acting user
(`bulk_create_with_history`). A single bad row means nothing is written.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row row 2.

Out: `csv_response(...)` streams UTF-8 with a BOM (Excel opens it with the right accents);
`cell()` neutralises text that a spreadsheet would run as a formula (=, +, -, @, tab, CR at
the start gets a leading apostrophe) while numbers stay numbers (-5 is a number, kept as is).
"""

import codecs
import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.http import StreamingHttpResponse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cycle import inventory
from cycle.access import covers_goal_set
from cycle.models import Experience, ProgressEntry, Student
from cycle.models.inventory import ImportUpload
from goals.models import Indicator
from wbl.access import Action, can
from wbl.models import Membership
from wbl.validators import no_markup

MAX_BYTES = 10 * 1024 * 1024
MAX_LABEL = "10 MB"
PREVIEW_ROWS = 10
WRITE_CHUNK = 5000
UPLOAD_TTL_HOURS = 24

ENCODING_HELP = (
    "Save the sheet as CSV: in Excel, File › Save As › “CSV UTF-8 (Comma delimited)” or "
    "“CSV (Comma delimited)”; in Google Sheets, File › Download › Comma-separated values."
)


class FileRefused(Exception):
    """The file as a whole cannot be read (encoding, size, not CSV, missing columns)."""


# -- reading bytes --------------------------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the name of the encoding it was read in, or FileRefused."""
    if len(data) > MAX_BYTES:
        raise FileRefused(
            f"This file is {len(data) / 1024 / 1024:.1f} MB; the limit is {MAX_LABEL}. "
            "Split it into smaller files."
        )
    if not data.strip():
        raise FileRefused("The file is empty.")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(f"This is an Excel workbook, not a CSV file. {ENCODING_HELP}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        raise FileRefused(
            "This file is not CSV text in UTF-8 or Windows-1252: it looks like UTF-16 "
            f"(“Unicode text”) or a binary file. {ENCODING_HELP}"
        )
    try:
        text, encoding = data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "Windows-1252 (Excel)"
        except UnicodeDecodeError as exc:
            raise FileRefused(
                f"The file's characters could not be read (byte {exc.start + 1} is neither "
                f"UTF-8 nor Windows-1252). {ENCODING_HELP}"
            ) from None
    if _CONTROL.search(text):
        raise FileRefused(
            f"This file holds control characters, so it is not CSV text. {ENCODING_HELP}"
        )
    return text, encoding


def _records(text: str):
    """(row number, cells) for each record; the header is row 1."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):  # noqa: B007
            yield number, cells
    except csv.Error as exc:
        raise FileRefused(
            f"Row {number + 1} could not be read as CSV ({exc}). Check its quotation marks."
        ) from None


def normalise_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


# -- values ---------------------------------------------------------------------------------


class CellError(Exception):
    """A cell's value is wrong; the message says what to write instead."""


_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_decimal(raw: str, *, max_digits=12, places=2, minimum=Decimal(0), maximum=None):
    text = raw.strip().rstrip("%").strip()
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(f"“{raw}” is not a number.") from None
    if not value.is_finite():
        raise CellError(f"“{raw}” is not a number.")
    if minimum is not None and value < minimum:
        raise CellError(f"It cannot be below {minimum}.")
    if maximum is not None and value > maximum:
        raise CellError(f"It cannot be above {maximum}.")
    if abs(value) >= Decimal(10) ** (max_digits - places):
        raise CellError("This number is too large.")
    quantum = Decimal(1).scaleb(-places)
    if value != value.quantize(quantum):
        raise CellError(f"Use at most {places} decimal places.")
    return value.quantize(quantum)


def parse_int(raw: str, *, minimum, maximum) -> int:
    text = raw.strip()
    if re.fullmatch(r"\d+(\.0+)?", text):
        value = int(Decimal(text))
        if minimum <= value <= maximum:
            return value
    raise CellError(f"Write a whole number from {minimum} to {maximum}, not “{raw}”.")


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(raw: str, *, today: date | None = None) -> date:
    """A date written YYYY-MM-DD (or M/D/YYYY, as Excel writes US dates), not after `today`
    (default: the local date)."""
    text = raw.strip()
    value = None
    try:
        if _ISO_DATE.match(text):
            value = date.fromisoformat(text)
        else:
            value = datetime.strptime(text, "%m/%d/%Y").date()
    except ValueError:
        pass
    if value is None:
        raise CellError(f"Write the date as YYYY-MM-DD (e.g. 2024-03-15), not “{raw}”.")
    if value > (today or timezone.localdate()):
        raise CellError(f"{value:%B %-d, %Y} is in the future.")
    return value


_YES = {"yes", "y", "true", "1", "x", "submitted"}
_NO = {"no", "n", "false", "0", ""}


def parse_bool(raw: str) -> bool:
    text = raw.strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"Write yes or no, not “{raw}”.")


def parse_text(raw: str, *, max_length: int) -> str:
    text = raw.strip()
    if len(text) > max_length:
        raise CellError(f"Use at most {max_length} characters (this has {len(text)}).")
    try:
        no_markup(text)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None
    return text


_url = URLValidator(schemes=["http", "https"])


def parse_url(raw: str, *, max_length=500) -> str:
    text = raw.strip()
    if not text:
        return ""
    if len(text) > max_length:
        raise CellError(f"Use at most {max_length} characters.")
    try:
        _url(text)
    except ValidationError:
        raise CellError(f"“{raw}” is not a web address (https://...).") from None
    return text


def _in_chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _lookup_chunk() -> int:
    return 5000 if connection.vendor == "postgresql" else 900


STUDENTS_BY_LOCAL_ID = (
    "SELECT local_id, id, school_id, pathway_id FROM cycle_student "
    "WHERE district_id = %s AND local_id = ANY(%s)"
)


def students_by_local_id(district, local_ids):
    """(local id, pk, school id, pathway id) of the district's students with these ids. On
    PostgreSQL one query with the ids as one array (a 100,000-id IN list is slow to build)."""
    local_ids = list(local_ids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(STUDENTS_BY_LOCAL_ID, [district.pk, local_ids])
            return cursor.fetchall()
    found = []
    for chunk in _in_chunks(local_ids, _lookup_chunk()):
        found.extend(
            Student.objects.filter(district=district, local_id__in=chunk).values_list(
                "local_id", "pk", "school_id", "pathway_id"
            )
        )
    return found


# -- the report -----------------------------------------------------------------------------


@dataclass
class Column:
    key: str
    label: str
    required: bool = False
    help: str = ""
    aliases: tuple = ()


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Report:
    filename: str = ""
    size: int = 0
    encoding: str = ""
    columns: list = field(default_factory=list)  # the recognised column labels, in file order
    ignored: list = field(default_factory=list)  # header cells we do not read
    preview: list = field(default_factory=list)  # (row number, [cells]) of the first rows
    row_count: int = 0
    errors: list = field(default_factory=list)  # RowError, by row
    file_error: str = ""
    cleaned: list = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors and self.row_count > 0

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


class Importer:
    """One kind of import: its columns, how a row is checked, how the rows are written."""

    kind: str
    noun: str  # "experience"
    plural: str
    columns: list[Column]

    def __init__(self, *, membership: Membership, user, goal_set=None):
        self.membership = membership
        self.district = membership.district
        self.user = user
        self.goal_set = goal_set
        self._by_key = {c.key: c for c in self.columns}
        self.today = timezone.localdate()

    def check_file(self) -> None:
        """Raise FileRefused when nothing of this kind may be imported now."""

    def prepare(self, rows: list[dict]) -> None:
        """Look up, in a few queries, what the rows refer to."""

    def clean_row(self, values: dict, error) -> object:
        raise NotImplementedError

    def write(self, cleaned: list) -> int:
        raise NotImplementedError

    def _cell(self, values, key, error, parse, *args, **kwargs):
        raw = values.get(key, "")
        column = self._by_key[key]
        if not raw.strip():
            if column.required:
                error(column.label, "This column is required.")
            return None
        try:
            return parse(raw, *args, **kwargs)
        except CellError as exc:
            error(column.label, str(exc))
            return None


def _match_columns(importer: Importer, header: list[str]):
    by_name = {}
    for column in importer.columns:
        for name in (column.key, column.label, *column.aliases):
            by_name[normalise_header(name)] = column
    positions, ignored, seen = {}, [], set()
    for index, cell in enumerate(header):
        column = by_name.get(normalise_header(cell))
        if column is None or column.key in seen:
            if cell.strip():
                ignored.append(cell.strip())
            continue
        seen.add(column.key)
        positions[column.key] = index
    missing = [c.label for c in importer.columns if c.required and c.key not in positions]
    if missing:
        expected = ", ".join(c.label for c in importer.columns)
        raise FileRefused(
            f"The first row must name the columns; missing: {', '.join(missing)}. "
            f"The columns are: {expected}."
        )
    return positions, ignored


def validate(importer: Importer, data: bytes, filename: str = "") -> Report:
    """Read and check every row; nothing is written."""
    report = Report(filename=filename, size=len(data))
    try:
        importer.check_file()
        text, report.encoding = decode(data)
        records = _records(text)
        try:
            _, header = next(records)
        except StopIteration:
            raise FileRefused("The file is empty.") from None
        positions, report.ignored = _match_columns(importer, header)
        order = sorted(positions, key=positions.get)
        labels = {c.key: c.label for c in importer.columns}
        report.columns = [labels[key] for key in order]
        rows = []
        for number, cells in records:
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            values = {key: cells[i] if i < len(cells) else "" for key, i in positions.items()}
            rows.append((number, values))
            if len(report.preview) < PREVIEW_ROWS:
                report.preview.append((number, [values[key] for key in order]))
        report.row_count = len(rows)
        if not rows:
            raise FileRefused("The file has a header row but no rows of data.")
    except FileRefused as exc:
        report.file_error = str(exc)
        return report

    importer.prepare([values for _, values in rows])
    for number, values in rows:
        row_errors = []

        def error(column, message, _errors=row_errors, _n=number):
            _errors.append(RowError(_n, column, message))

        cleaned = importer.clean_row(values, error)
        if row_errors:
            report.errors.extend(row_errors)
        else:
            report.cleaned.append(cleaned)
    if report.errors:
        report.cleaned = []
    return report


# -- keeping the upload between preview and confirm ------------------------------------------


def store(importer: Importer, data: bytes, filename: str) -> ImportUpload:
    """Keep the uploaded bytes server-side; the token names them for this user and district."""
    cutoff = timezone.now() - timezone.timedelta(hours=UPLOAD_TTL_HOURS)
    ImportUpload.objects.filter(created_at__lt=cutoff).delete()
    return ImportUpload.objects.create(
        district=importer.district,
        user=importer.user,
        kind=importer.kind,
        goal_set=importer.goal_set,
        filename=filename[:255],
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def stored(importer: Importer, token: str) -> ImportUpload | None:
    """The upload behind a token, only for the same user, district, kind and goal set."""
    upload = ImportUpload.objects.filter(
        token=token,
        district=importer.district,
        user=importer.user,
        kind=importer.kind,
        goal_set=importer.goal_set,
    ).first()
    if upload is None or hashlib.sha256(bytes(upload.content)).hexdigest() != upload.sha256:
        return None
    return upload


class ImportFailed(Exception):
    def __init__(self, report: Report):
        super().__init__("The import was not written.")
        self.report = report


def run(importer: Importer, data: bytes, filename: str = "") -> tuple[Report, int]:
    """Validate and write in one transaction: everything or, on any bad row, nothing."""
    with transaction.atomic():
        report = validate(importer, data, filename)
        if not report.ok:
            raise ImportFailed(report)
        written = importer.write(report.cleaned)
    return report, written


def confirm(importer: Importer, upload: ImportUpload) -> tuple[Report, int]:
    """Write a stored upload (validated again: the district may have changed meanwhile)."""
    with transaction.atomic():
        report, written = run(importer, bytes(upload.content), upload.filename)
        upload.delete()
    return report, written


# -- progress entries ------------------------------------------------------------------------


class ProgressImporter(Importer):
    kind = ImportUpload.Kind.PROGRESS
    noun, plural = "progress entry", "progress entries"
    columns = [
        Column(
            "indicator",
            "Indicator",
            True,
            "The indicator's id number or its exact name in this goal set.",
            ("indicator_id", "indicator_name"),
        ),
        Column("value", "Value", True, "A number; for a yes/no milestone, 1 (done) or 0."),
        Column("as_of", "As of", True, "The date the value is true for: YYYY-MM-DD.", ("date",)),
        Column("note", "Note", False, "Optional: at most 2000 characters."),
        Column(
            "evidence",
            "Evidence",
            False,
            "Optional: a link to the source (https://...).",
            ("evidence_url", "evidence_link"),
        ),
    ]

    def check_file(self):
        if not covers_goal_set(self.membership, self.goal_set):
            raise PermissionDenied("You may not log progress for this goal set.")
        if self.goal_set.stage not in inventory.LOGGING_STAGES:
            raise FileRefused(
                f"“{self.goal_set.title}” is in {self.goal_set.get_stage_display()}: progress "
                "is logged once the board has adopted a set (Communicate, Implement, Monitor)."
            )

    def prepare(self, rows):
        indicators = list(Indicator.objects.filter(goal__goal_set=self.goal_set))
        self.by_id = {str(i.pk): i for i in indicators}
        self.by_name = {}
        for indicator in indicators:
            self.by_name.setdefault(indicator.name.strip().lower(), []).append(indicator)

    def _indicator(self, raw):
        text = raw.strip()
        if text.isdigit() and text in self.by_id:
            return self.by_id[text]
        named = self.by_name.get(text.lower(), [])
        if len(named) > 1:
            raise CellError("Two indicators of this set have this name: use the id number.")
        if not named:
            raise CellError(f"No indicator with this id or name in “{self.goal_set.title}”.")
        return named[0]

    def clean_row(self, values, error):
        indicator = self._cell(values, "indicator", error, self._indicator)
        value = self._cell(values, "value", error, parse_decimal)
        if indicator is not None:
            if indicator.source == Indicator.Source.COMPUTED:
                error("Indicator", "This indicator is computed from the student inventory.")
            elif value is not None:
                if indicator.unit == Indicator.Unit.PERCENT and value > 100:
                    error("Value", "A percent cannot be above 100.")
                if indicator.unit == Indicator.Unit.MILESTONE and value not in (0, 1):
                    error("Value", "A yes/no milestone is 1 (done) or 0 (not yet).")
        as_of = self._cell(values, "as_of", error, parse_date, today=self.today)
        note = self._cell(values, "note", error, parse_text, max_length=2000) or ""
        evidence = self._cell(values, "evidence", error, parse_url) or ""
        return (indicator.pk if indicator else None, value, as_of, note, evidence)

    def write(self, cleaned):
        entries = [
            ProgressEntry(
                indicator_id=indicator_id,
                value=value,
                as_of=as_of,
                note=note,
                evidence_url=evidence,
                entered_by=self.user,
            )
            for indicator_id, value, as_of, note, evidence in cleaned
        ]
        bulk_create_with_history(
            entries, ProgressEntry, batch_size=WRITE_CHUNK, default_user=self.user
        )
        return len(entries)


# -- students --------------------------------------------------------------------------------


def _names(rows) -> dict:
    return {row.name.strip().lower(): row for row in rows}


class StudentImporter(Importer):
    kind = ImportUpload.Kind.STUDENTS
    noun, plural = "student", "students"
    columns = [
        Column(
            "local_id",
            "Student ID",
            True,
            "The district's local student id; new to the district.",
            ("student_id", "local_student_id", "id"),
        ),
        Column("display_name", "Name", False, "Optional.", ("display_name", "student_name")),
        Column("school", "School", False, "The school's name as the district spells it."),
        Column("pathway", "Pathway", False, "The pathway's name as the district spells it."),
        Column("grade", "Grade", False, "6 to 12."),
        Column("graduation_year", "Graduation year", True, "e.g. 2027.", ("grad_year",)),
        Column(
            "groups",
            "Student groups",
            False,
            "Optional, separated by semicolons, e.g. “English learners; Low income”.",
            ("groups", "student_group"),
        ),
    ]

    def prepare(self, rows):
        district = self.district
        self.schools = _names(district.schools.all())
        self.pathways = _names(district.pathways.all())
        groups = inventory.student_groups(district, by=self.user)
        self.groups = {**_names(groups), **{g.key: g for g in groups}}
        ids = {row.get("local_id", "").strip() for row in rows} - {""}
        self.existing = set()
        for chunk in _in_chunks(ids, _lookup_chunk()):
            self.existing.update(
                Student.objects.filter(district=district, local_id__in=chunk).values_list(
                    "local_id", flat=True
                )
            )
        self.seen = set()
        self.scope = _Scope(self.membership)

    def _local_id(self, raw):
        local_id = parse_text(raw, max_length=40)
        if local_id in self.existing:
            raise CellError(
                f"A student with id “{local_id}” is already in {self.district.name}; edit "
                "them on their page."
            )
        if local_id in self.seen:
            raise CellError(f"Student id “{local_id}” appears twice in this file.")
        self.seen.add(local_id)
        return local_id

    def _named(self, table, what):
        def parse(raw):
            found = table.get(raw.strip().lower())
            if found is None:
                raise CellError(f"No {what} named “{raw.strip()}” in {self.district.name}.")
            return found

        return parse

    def _groups(self, raw):
        found = []
        for part in re.split(r"[;|]", raw):
            name = part.strip().lower()
            if not name:
                continue
            group = self.groups.get(name)
            if group is None:
                known = "; ".join(sorted({g.name for g in self.groups.values()}))
                raise CellError(f"No student group named “{part.strip()}”. The groups: {known}.")
            found.append(group)
        return found

    def clean_row(self, values, error):
        local_id = self._cell(values, "local_id", error, self._local_id)
        name = self._cell(values, "display_name", error, parse_text, max_length=150) or ""
        school = self._cell(values, "school", error, self._named(self.schools, "school"))
        pathway = self._cell(values, "pathway", error, self._named(self.pathways, "pathway"))
        grade = self._cell(values, "grade", error, parse_int, minimum=6, maximum=12)
        year = self._cell(values, "graduation_year", error, parse_int, minimum=1990, maximum=2100)
        groups = self._cell(values, "groups", error, self._groups) or []
        if not self.scope.covers(school and school.pk, pathway and pathway.pk):
            error("School", "This student's school and pathway are outside your scope.")
        return (
            local_id,
            name,
            school and school.pk,
            pathway and pathway.pk,
            grade,
            year,
            [g.pk for g in groups],
        )

    def write(self, cleaned):
        students = [
            Student(
                district=self.district,
                local_id=local_id,
                display_name=name,
                school_id=school,
                pathway_id=pathway,
                grade=grade,
                graduation_year=year,
            )
            for local_id, name, school, pathway, grade, year, _ in cleaned
        ]
        created = bulk_create_with_history(
            students, Student, batch_size=WRITE_CHUNK, default_user=self.user
        )
        through = Student.groups.through
        links = [
            through(student_id=student.pk, studentgroup_id=group)
            for student, row in zip(created, cleaned, strict=True)
            for group in row[6]
        ]
        if links:
            through.objects.bulk_create(links, batch_size=WRITE_CHUNK)
            write_group_history(created, links)
        return len(created)


def write_group_history(students, links):
    """The m2m part of the students' history rows, as save_with_history would write it."""
    history_model = Student.history.model
    m2m_history = history_model.groups.model
    latest = dict(
        history_model.objects.filter(id__in=[s.pk for s in students])
        .order_by("id", "history_id")
        .values_list("id", "history_id")
    )
    through_fields = [f.attname for f in Student.groups.through._meta.fields]
    m2m_history.objects.bulk_create(
        [
            m2m_history(
                history_id=latest[link.student_id],
                **{name: getattr(link, name) for name in through_fields},
            )
            for link in links
        ],
        batch_size=WRITE_CHUNK,
    )


class _Scope:
    """Which schools and pathways a coordinator covers (everything for admin and staff)."""

    def __init__(self, membership):
        self.everything = membership.role != Membership.Role.COORDINATOR
        if not self.everything:
            self.schools = set(membership.schools.values_list("pk", flat=True))
            self.pathways = set(membership.pathways.values_list("pk", flat=True))

    def covers(self, school_id, pathway_id) -> bool:
        return self.everything or school_id in self.schools or pathway_id in self.pathways


# -- experiences -----------------------------------------------------------------------------


class ExperienceImporter(Importer):
    kind = ImportUpload.Kind.EXPERIENCES
    noun, plural = "experience", "experiences"
    columns = [
        Column(
            "student",
            "Student ID",
            True,
            "The student's local id in the district.",
            ("student_id", "local_id", "local_student_id"),
        ),
        Column(
            "kind",
            "Kind",
            True,
            "The kind of experience by name, e.g. “Job shadow” or “Internship”.",
            ("experience", "experience_kind", "type"),
        ),
        Column("date", "Date", True, "YYYY-MM-DD; not in the future."),
        Column("hours", "Hours", False, "Optional: hours, e.g. 12.5.", ("hours_completed",)),
        Column("partner", "Partner", False, "Optional: the partner's name in the district."),
        Column(
            "proficiency",
            "Proficiency",
            False,
            "Optional: 1 beginning, 2 developing, 3 proficient, 4 advanced.",
            ("score", "proficiency_score"),
        ),
        Column(
            "reflection",
            "Reflection submitted",
            False,
            "yes or no (empty is no).",
            ("reflection", "reflection_submitted"),
        ),
        Column("verified_by", "Verified by", False, "Optional: who confirmed it."),
    ]

    def prepare(self, rows):
        district = self.district
        kinds = inventory.experience_kinds(district, by=self.user)
        self.kinds = {**_names(kinds), **{k.key: k for k in kinds}}
        self.partners = _names(district.partners.all())
        ids = {row.get("student", "").strip() for row in rows} - {""}
        self.students = {
            local_id: (pk, school, pathway)
            for local_id, pk, school, pathway in students_by_local_id(district, ids)
        }
        self.scope = _Scope(self.membership)

    def _student(self, raw):
        local_id = raw.strip()
        found = self.students.get(local_id)
        if found is None:
            raise CellError(f"No student with id “{local_id}” in {self.district.name}.")
        pk, school, pathway = found
        if not self.scope.covers(school, pathway):
            raise CellError(f"Student “{local_id}” is outside your schools and pathways.")
        return pk

    def _kind(self, raw):
        kind = self.kinds.get(raw.strip().lower())
        if kind is None:
            known = "; ".join(sorted({k.name for k in self.kinds.values()}))
            raise CellError(f"No kind of experience named “{raw.strip()}”. The kinds: {known}.")
        return kind.pk

    def _partner(self, raw):
        partner = self.partners.get(raw.strip().lower())
        if partner is None:
            raise CellError(f"No partner named “{raw.strip()}” in {self.district.name}.")
        return partner.pk

    def clean_row(self, values, error):
        return (
            self._cell(values, "student", error, self._student),
            self._cell(values, "kind", error, self._kind),
            self._cell(values, "date", error, parse_date, today=self.today),
            self._cell(values, "hours", error, parse_decimal, max_digits=6),
            self._cell(values, "partner", error, self._partner),
            self._cell(values, "proficiency", error, parse_int, minimum=1, maximum=4),
            self._cell(values, "reflection", error, parse_bool) or False,
            self._cell(values, "verified_by", error, parse_text, max_length=150) or "",
        )

    FIELDS = [
        "student",
        "kind",
        "date",
        "hours",
        "partner",
        "proficiency",
        "reflection_submitted",
        "verified_by",
    ]

    def write(self, cleaned):
        return insert_with_history(Experience, self.FIELDS, cleaned, by=self.user)


def insert_with_history(model, fields, rows, *, by) -> int:
    """Insert `rows` (tuples in `fields` order; other fields take their defaults), each with
    its "+" history row naming `by`: what bulk_create_with_history writes. On PostgreSQL the
    same rows are written by one set-based statement per chunk (INSERT ... SELECT FROM unnest
    ... RETURNING, feeding the INSERT of the history rows), several times faster for the
    100,000-row imports; elsewhere through bulk_create_with_history itself."""
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    defaults = [
        f for f in meta.concrete_fields if not f.primary_key and f not in given and f.has_default()
    ]
    if connection.vendor != "postgresql":
        written = 0
        for chunk in _in_chunks(rows, WRITE_CHUNK):
            objects = [
                model(**{f.attname: v for f, v in zip(given, row, strict=True)}) for row in chunk
            ]
            bulk_create_with_history(objects, model, batch_size=WRITE_CHUNK, default_user=by)
            written += len(objects)
        return written

    from psycopg import sql

    history = model.history.model
    tracked = [f.column for f in history.tracked_fields]
    columns = [f.column for f in given + defaults]
    arrays = sql.SQL(", ").join(
        sql.SQL("{}::{}[]").format(sql.Placeholder(), sql.SQL(f.db_type(connection)))
        for f in given + defaults
    )
    statement = sql.SQL(
        "WITH inserted AS (INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) "
        "RETURNING {tracked}) "
        "INSERT INTO {history} ({tracked}, history_date, history_change_reason, history_type, "
        "history_user_id) SELECT {tracked}, {now}, NULL, '+', {user} FROM inserted"
    ).format(
        table=sql.Identifier(meta.db_table),
        columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
        arrays=arrays,
        tracked=sql.SQL(", ").join(map(sql.Identifier, tracked)),
        history=sql.Identifier(history._meta.db_table),
        now=sql.Placeholder(),
        user=sql.Placeholder(),
    )
    default_values = [f.get_default() for f in defaults]
    now = timezone.now()
    written = 0
    with connection.cursor() as cursor:
        for chunk in _in_chunks(rows, 20_000):
            columns_of_chunk = [list(values) for values in zip(*chunk, strict=True)]
            columns_of_chunk += [[value] * len(chunk) for value in default_values]
            cursor.execute(statement, [*columns_of_chunk, now, by.pk if by else None])
            written += len(chunk)
    return written


IMPORTERS = {
    ImportUpload.Kind.PROGRESS: ProgressImporter,
    ImportUpload.Kind.STUDENTS: StudentImporter,
    ImportUpload.Kind.EXPERIENCES: ExperienceImporter,
}


def may_import(membership) -> bool:
    return can(membership, Action.LOG_PROGRESS)


# -- out -------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def cell(value):
    """A value as a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_rows(header, rows):
    """Encoded CSV lines: a UTF-8 BOM and the header first, then each row's neutralised cells."""
    writer = csv.writer(_Echo())
    yield codecs.BOM_UTF8 + writer.writerow([cell(h) for h in header]).encode("utf-8")
    for row in rows:
        yield writer.writerow([cell(v) for v in row]).encode("utf-8")


def csv_response(filename: str, header, rows) -> StreamingHttpResponse:
    """A streamed CSV download (rows may be a lazy iterator over a large query)."""
    response = StreamingHttpResponse(csv_rows(header, rows), content_type="text/csv; charset=utf-8")
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename)[:120]
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
