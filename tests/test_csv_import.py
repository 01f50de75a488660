"""CSV imports: encodings, all-or-nothing with every bad row reported, other districts' ids,
the size limit, coordinator scope, history with the acting user, and the preview/confirm flow
(the confirmed bytes are the previewed ones, kept server-side)."""

import codecs
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cycle import csv_io
from cycle.models import Experience, ProgressEntry, Student
from cycle.models.inventory import ImportUpload
from goals.models import GoalSet, Indicator
from tests.factories import PathwayFactory, SchoolFactory
from tests.factories_inventory import StudentFactory, group, kind
from wbl.models import Membership

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
HEADER = "Student ID,Kind,Date,Hours,Partner,Proficiency,Reflection submitted,Verified by"


def data(name) -> bytes:
    return (DATA / name).read_bytes()


def membership(user, district):
    return Membership.objects.get(user=user, district=district)


def experience_importer(world, user=None):
    user = user or world.coordinator
    return csv_io.ExperienceImporter(membership=membership(user, world.district_a), user=user)


def student_importer(world, user=None):
    user = user or world.coordinator
    return csv_io.StudentImporter(membership=membership(user, world.district_a), user=user)


@pytest.fixture
def students(world):
    """R1001-R1003 at Riverview (the coordinator's school)."""
    return [
        StudentFactory(district=world.district_a, school=world.school, local_id=f"R100{n}")
        for n in (1, 2, 3)
    ]


# -- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, encoding",
    [
        ("experiences_utf8.csv", "UTF-8"),
        ("experiences_utf8_bom_crlf.csv", "UTF-8"),
        ("experiences_cp1252.csv", "Windows-1252 (Excel)"),
    ],
)
def test_experience_files_in_each_encoding(world, students, name, encoding):
    report, written = csv_io.run(experience_importer(world), data(name), name)
    assert report.encoding == encoding
    assert written == 4
    r1001 = students[0]
    hours = sorted(e.hours for e in Experience.objects.filter(student=r1001))
    assert hours == [Decimal("20.00"), Decimal("25.50")]
    interview = Experience.objects.get(student=students[2])
    assert interview.date == datetime.date(2024, 3, 15)  # 03/15/2024, as Excel writes it
    assert interview.kind.key == "mock-interview"
    assert Experience.objects.get(student=students[1]).reflection_submitted is False
    if "cp1252" in name:
        assert interview.verified_by == "José Martínez"
        assert set(Experience.objects.values_list("verified_by", flat=True)) >= {"Señora Núñez"}
    else:
        assert interview.verified_by == "Ortega, Marcus"
        # a BOM never sticks to the first column's name
        assert report.columns[0] == "Student ID"


def test_students_in_windows_1252(world):
    report, written = csv_io.run(student_importer(world), data("students_cp1252.csv"))
    assert written == 3
    jose = Student.objects.get(local_id="R2001")
    assert jose.display_name == "José Álvarez"
    assert jose.pathway == world.pathway and jose.grade == 11
    assert {g.key for g in jose.groups.all()} == {"english-learner", "low-income"}
    assert Student.objects.get(local_id="R2002").display_name == "Zoë Brontë"


def test_students_in_utf8_with_bom(world):
    _, written = csv_io.run(student_importer(world), data("students_utf8_bom.csv"))
    assert written == 3
    assert Student.objects.get(local_id="R2003").display_name == "Señora's nephew"


@pytest.mark.parametrize(
    "content, message",
    [
        (data("experiences_utf16.csv"), "looks like UTF-16"),
        ("Student ID,Kind\r\nR1,Resume\r\n".encode("utf-16-le"), "looks like UTF-16"),
        (data("not_csv.bin"), "binary file"),
        (b"PK\x03\x04" + b"\x14" * 40, "Excel workbook"),
        (b"Student ID,Kind,Date\n\x81\x8d,Resume,2024-01-01\n", "neither UTF-8 nor Windows-1252"),
        (b"", "empty"),
        (HEADER.encode() + b"\n", "no rows of data"),
        (b"Student,Date\nR1,2024-01-01\n", "missing: Kind"),
        (HEADER.encode() + b'\nR1001,Resume,2024-01-01,"unclosed\n', "quotation marks"),
    ],
)
def test_refused_files(world, students, content, message):
    report = csv_io.validate(experience_importer(world), content)
    assert message in report.file_error
    assert not report.ok
    with pytest.raises(csv_io.ImportFailed):
        csv_io.run(experience_importer(world), content)
    assert not Experience.objects.exists()


def test_size_limit(world, students, monkeypatch):
    too_big = HEADER.encode() + b"\n" + b"R1001,Resume,2024-01-01,,,,,\n" * 400_000
    assert len(too_big) > csv_io.MAX_BYTES
    report = csv_io.validate(experience_importer(world), too_big)
    assert "the limit is 10 MB" in report.file_error


def test_size_limit_at_the_field(world, students, login):
    client = login(world.coordinator)
    url = reverse("cycle:import_experiences", args=["midtown"])
    page = client.get(url).content.decode()
    assert "at most 10 MB" in page  # said at the field before uploading
    big = SimpleUploadedFile("big.csv", b"x" * (csv_io.MAX_BYTES + 1), "text/csv")
    response = client.post(url, {"file": big})
    assert response.status_code == 200
    assert "the limit is 10 MB" in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_quoted_newline_and_crlf_in_progress_notes(world):
    goal_set = world.goal_set
    GoalSet.objects.filter(pk=goal_set.pk).update(stage="monitor")
    goal_set.refresh_from_db()
    importer = csv_io.ProgressImporter(
        membership=membership(world.staff, world.district_a), user=world.staff, goal_set=goal_set
    )
    report, written = csv_io.run(importer, data("progress_quoted_newline_crlf.csv"))
    assert written == 2
    first = ProgressEntry.objects.order_by("as_of").first()
    assert first.note == "Spring count.\r\nFrom the inventory export, “all schools”."
    assert first.evidence_url == "https://example.org/report"
    assert first.entered_by == world.staff
    assert ProgressEntry.objects.order_by("as_of").last().value == Decimal("31.50")
    assert report.preview[0][0] == 2 and report.preview[1][0] == 3  # spreadsheet rows


# -- all or nothing --------------------------------------------------------------------------


def rows_file(n, bad=None):
    lines = [HEADER]
    for i in range(n):
        row = f"R100{1 + i % 3},Internship,2024-01-{1 + i % 28:02d},2,,3,yes,"
        lines.append(bad.get(i, row) if bad else row)
    return ("\r\n".join(lines) + "\r\n").encode()


def test_500_rows_with_one_bad_row_in_the_middle_writes_nothing(world, students):
    content = rows_file(500, bad={249: "R1002,Internship,2024-13-45,2,,3,yes,"})
    with pytest.raises(csv_io.ImportFailed) as failed:
        csv_io.run(experience_importer(world), content)
    report = failed.value.report
    assert report.row_count == 500
    assert [(e.row, e.column) for e in report.errors] == [(251, "Date")]
    assert "YYYY-MM-DD" in report.errors[0].message
    assert not Experience.objects.exists()
    assert not Experience.history.exists()

    _, written = csv_io.run(experience_importer(world), rows_file(500))
    assert written == 500 == Experience.objects.count() == Experience.history.count()


def test_every_bad_row_is_reported(world, students):
    content = rows_file(
        20,
        bad={
            0: "R1001,Internship,2024-01-01,-3,,3,yes,",
            7: "R1001,Interpretive dance,2024-01-01,2,,9,maybe,",
            19: ",Internship,,2,Nobody Inc,3,yes,<b>me</b>",
        },
    )
    report = csv_io.validate(experience_importer(world), content)
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "Hours"),
        (9, "Kind"),
        (9, "Proficiency"),
        (9, "Reflection submitted"),
        (21, "Student ID"),
        (21, "Date"),
        (21, "Partner"),
        (21, "Verified by"),
    ]
    assert report.bad_rows == 3
    assert "Job shadow" in report.errors[1].message  # the kinds are listed


def test_future_dates_and_too_many_decimals(world, students):
    future = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    content = (HEADER + f"\nR1001,Internship,{future},1.234,,,,\n").encode()
    report = csv_io.validate(experience_importer(world), content)
    messages = {e.column: e.message for e in report.errors}
    assert "in the future" in messages["Date"]
    assert "2 decimal places" in messages["Hours"]


# -- other districts and scope ---------------------------------------------------------------


def test_another_districts_student_id_is_refused(world, students):
    StudentFactory(district=world.district_b, local_id="C9001")
    content = (HEADER + "\nC9001,Internship,2024-01-01,5,,,,\n").encode()
    report = csv_io.validate(experience_importer(world, world.staff), content)
    assert [(e.row, e.column) for e in report.errors] == [(2, "Student ID")]
    assert report.errors[0].message == "No student with id “C9001” in Midtown District."


def test_another_districts_school_and_partner_are_refused(world):
    SchoolFactory(district=world.district_b, name="Eastgate High School")
    PathwayFactory(district=world.district_b, name="Advanced Manufacturing")
    content = (
        b"Student ID,School,Pathway,Graduation year\n"
        b"N1,Eastgate High School,Advanced Manufacturing,2026\n"
    )
    report = csv_io.validate(student_importer(world, world.staff), content)
    assert {e.column: e.message for e in report.errors} == {
        "School": "No school named “Eastgate High School” in Midtown District.",
        "Pathway": "No pathway named “Advanced Manufacturing” in Midtown District.",
    }


def test_another_districts_indicator_id_is_refused(world):
    GoalSet.objects.filter(pk=world.goal_set.pk).update(stage="monitor")
    world.goal_set.refresh_from_db()
    importer = csv_io.ProgressImporter(
        membership=membership(world.staff, world.district_a),
        user=world.staff,
        goal_set=world.goal_set,
    )
    content = (
        "Indicator,Value,As of\n"
        f"{world.other_indicator.pk},10,2019-01-01\n"
        f"{world.indicator.pk},10,2019-01-01\n"
        "Seniors completing internships,120,2019-01-01\n"
    ).encode()
    report = csv_io.validate(importer, content)
    assert [(e.row, e.column) for e in report.errors] == [(2, "Indicator"), (4, "Value")]
    assert "No indicator with this id or name in “Midtown WBL expansion”" in (
        report.errors[0].message
    )
    assert "above 100" in report.errors[1].message


def test_coordinator_outside_scope(world, students):
    elsewhere = SchoolFactory(district=world.district_a, name="Lakeside High School")
    StudentFactory(district=world.district_a, school=elsewhere, local_id="L1")
    content = (HEADER + "\nL1,Resume,2024-01-01,,,,,\nR1001,Resume,2024-01-01,,,,,\n").encode()
    report = csv_io.validate(experience_importer(world), content)
    assert [(e.row, e.message) for e in report.errors] == [
        (2, "Student “L1” is outside your schools and pathways.")
    ]
    # Staff cover the whole district.
    assert csv_io.validate(experience_importer(world, world.staff), content).ok

    students_file = b"Student ID,School,Graduation year\nN2,Lakeside High School,2026\n"
    report = csv_io.validate(student_importer(world), students_file)
    assert [e.column for e in report.errors] == ["School"]


def test_progress_import_needs_an_adopted_set_and_a_manual_indicator(world):
    staff = membership(world.staff, world.district_a)
    importer = csv_io.ProgressImporter(membership=staff, user=world.staff, goal_set=world.goal_set)
    content = b"Indicator,Value,As of\nSeniors completing internships,30,2019-01-01\n"
    assert "is in 1 Draft" in csv_io.validate(importer, content).file_error
    GoalSet.objects.filter(pk=world.goal_set.pk).update(stage="implement")
    world.goal_set.refresh_from_db()
    Indicator.objects.filter(pk=world.indicator.pk).update(source="computed")
    report = csv_io.validate(importer, content)
    assert report.errors[0].message == "This indicator is computed from the student inventory."


def test_progress_import_by_coordinator_outside_scope_is_403(world, login):
    GoalSet.objects.filter(pk=world.goal_set.pk).update(stage="monitor")
    url = reverse("cycle:import_progress", args=["midtown", world.goal_set.pk])
    assert login(world.coordinator).get(url).status_code == 403  # a district-wide set
    assert login(world.staff).get(url).status_code == 200


def test_students_already_in_the_district_or_twice_in_the_file(world, students):
    content = (
        b"Student ID,School,Graduation year,Student groups\n"
        b"R1001,Riverview High School,2026,\n"
        b"N5,Riverview High School,2026,Low income\n"
        b"N5,Riverview High School,2026,\n"
        b"N6,Riverview High School,20xx,Martians\n"
    )
    report = csv_io.validate(student_importer(world), content)
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "Student ID"),
        (4, "Student ID"),
        (5, "Graduation year"),
        (5, "Student groups"),
    ]
    assert "already in Midtown District" in report.errors[0].message
    assert "appears twice" in report.errors[1].message


# -- history ---------------------------------------------------------------------------------


def test_imports_write_history_with_the_acting_user(world, students):
    csv_io.run(experience_importer(world), data("experiences_utf8.csv"))
    records = Experience.history.all()
    assert records.count() == 4
    assert {r.history_user for r in records} == {world.coordinator}
    assert {r.history_type for r in records} == {"+"}

    csv_io.run(student_importer(world), data("students_cp1252.csv"))
    jose = Student.objects.get(local_id="R2001")
    record = jose.history.get()
    assert record.history_user == world.coordinator
    groups_then = {row.studentgroup.key for row in record.groups.all()}
    assert groups_then == {"english-learner", "low-income"}


def test_history_page_shows_the_imported_rows(world, students, login):
    csv_io.run(student_importer(world), data("students_cp1252.csv"))
    jose = Student.objects.get(local_id="R2001")
    page = login(world.staff).get(reverse("cycle:student_history", args=["midtown", jose.pk]))
    text = page.content.decode()
    assert "Cora Coordinator" in text and "English learners, Low income" in text


# -- through the pages: upload, preview, confirm ---------------------------------------------


def upload(client, url, name, content):
    return client.post(url, {"file": SimpleUploadedFile(name, content, "text/csv")})


def test_upload_preview_confirm(world, students, login):
    client = login(world.coordinator)
    url = reverse("cycle:import_experiences", args=["midtown"])
    response = upload(client, url, "shadows.csv", data("experiences_cp1252.csv"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "4 rows of data, read as Windows-1252 (Excel)" in page
    assert "Señora Núñez" in page  # the first rows are previewed
    assert "Import 4 experiences" in page
    assert not Experience.objects.exists()  # nothing until confirmed

    token = ImportUpload.objects.get().token
    response = client.post(url, {"token": token})
    assert response.status_code == 302
    assert Experience.objects.count() == 4
    assert not ImportUpload.objects.exists()
    # The same token cannot import twice.
    response = client.post(url, {"token": token})
    assert "no longer available" in response.content.decode()
    assert Experience.objects.count() == 4


def test_preview_lists_errors_and_offers_no_confirm(world, students, login):
    client = login(world.coordinator)
    url = reverse("cycle:import_experiences", args=["midtown"])
    content = rows_file(30, bad={4: "R1001,Internship,yesterday,2,,3,yes,"})
    page = upload(client, url, "bad.csv", content).content.decode()
    assert "1 row needs fixing" in page
    assert '<th scope="row">6</th><td>Date</td>' in page
    assert 'name="token"' not in page
    # The full list of problems is downloadable.
    token = ImportUpload.objects.get().token
    errors = client.get(reverse("cycle:import_errors", args=["midtown", token]))
    body = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[1].startswith("6,Date,")
    # Confirming a file with errors writes nothing.
    client.post(url, {"token": token})
    assert not Experience.objects.exists()


def test_confirm_revalidates_the_stored_bytes(world, students, login):
    client = login(world.coordinator)
    url = reverse("cycle:import_experiences", args=["midtown"])
    upload(client, url, "ok.csv", data("experiences_utf8.csv"))
    token = ImportUpload.objects.get().token
    # Between preview and confirm, a student leaves the coordinator's school.
    Student.objects.filter(local_id="R1002").update(school=None)
    page = client.post(url, {"token": token}).content.decode()
    assert "outside your schools and pathways" in page
    assert not Experience.objects.exists()


def test_someone_elses_token_does_not_confirm(world, students, login):
    client = login(world.coordinator)
    url = reverse("cycle:import_experiences", args=["midtown"])
    upload(client, url, "ok.csv", data("experiences_utf8.csv"))
    token = ImportUpload.objects.get().token
    staff = login(world.staff)
    response = staff.post(url, {"token": token})
    assert "no longer available" in response.content.decode()
    assert not Experience.objects.exists()
    assert staff.get(reverse("cycle:import_errors", args=["midtown", token])).status_code == 404


def test_tampered_upload_is_not_confirmed(world, students, login):
    client = login(world.coordinator)
    url = reverse("cycle:import_experiences", args=["midtown"])
    upload(client, url, "ok.csv", data("experiences_utf8.csv"))
    stored = ImportUpload.objects.get()
    ImportUpload.objects.filter(pk=stored.pk).update(content=b"tampered")
    response = client.post(url, {"token": stored.token})
    assert "no longer available" in response.content.decode()
    assert not Experience.objects.exists()


def test_refused_file_is_said_at_the_field(world, students, login):
    client = login(world.coordinator)
    url = reverse("cycle:import_experiences", args=["midtown"])
    page = upload(client, url, "u16.csv", data("experiences_utf16.csv")).content.decode()
    assert 'id="id_file_error"' in page
    assert "looks like UTF-16" in page
    assert not ImportUpload.objects.exists()


def test_student_import_through_the_page(world, login):
    client = login(world.staff)
    url = reverse("cycle:import_students", args=["midtown"])
    upload(client, url, "s.csv", data("students_utf8_bom.csv"))
    response = client.post(url, {"token": ImportUpload.objects.get().token})
    assert response.status_code == 302
    assert Student.objects.filter(district=world.district_a).count() == 3
    assert group(world.district_a, "foster-youth").students.get().local_id == "R2003"


def test_progress_import_through_the_page(world, login):
    GoalSet.objects.filter(pk=world.goal_set.pk).update(stage="monitor")
    client = login(world.staff)
    url = reverse("cycle:import_progress", args=["midtown", world.goal_set.pk])
    content = f"Indicator,Value,As of\n{world.indicator.pk},22,2018-01-15\n".encode()
    upload(client, url, "p.csv", content)
    response = client.post(url, {"token": ImportUpload.objects.get().token})
    assert response.status_code == 302
    entry = ProgressEntry.objects.get()
    assert (entry.indicator, entry.value, entry.entered_by) == (world.indicator, 22, world.staff)
    assert entry.history.get().history_user == world.staff


def test_board_and_viewer_cannot_import(world, login):
    for persona in ("board", "viewer"):
        client = login(world.persona(persona))
        for name in ("cycle:import_students", "cycle:import_experiences"):
            assert client.get(reverse(name, args=["midtown"])).status_code == 403


def test_cp1252_bom_less_utf8_decoding_unit():
    assert csv_io.decode("José".encode())[0] == "José"
    assert csv_io.decode(codecs.BOM_UTF8 + "José".encode())[0] == "José"
    assert csv_io.decode("José".encode("cp1252")) == ("José", "Windows-1252 (Excel)")
    assert kind  # (imported for other tests)
