"""CSV downloads: formula cells neutralised while numbers stay numbers, UTF-8 with a BOM for
Excel, streamed; goals with statuses; progress entries; experiences for staff and coordinators
in scope only (never board members or viewers, who see no student row in a PDF either)."""

import codecs
import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from cycle.csv_io import cell, csv_rows
from cycle.models import ProgressEntry
from goals.models import GoalSet
from tests.factories import SchoolFactory
from tests.factories_inventory import ExperienceFactory, StudentFactory, kind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x.test","click")', '\'=HYPERLINK("http://x.test","click")'),
        ("+1 (555) 0100", "'+1 (555) 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tTab first", "'\tTab first"),
        ("\rReturn first", "'\rReturn first"),
        ("-", "'-"),
        ("-5", "-5"),  # a negative number is a number
        ("+7.5", "+7.5"),
        ("1e3", "1e3"),
        ("Plain text = fine", "Plain text = fine"),
        ("José", "José"),
        ("", ""),
    ],
)
def test_text_cells(value, expected):
    assert cell(value) == expected


def test_numbers_dates_and_empties_stay_what_they_are():
    assert cell(-5) == -5
    assert cell(Decimal("-5.50")) == Decimal("-5.50")
    assert cell(3.25) == 3.25
    assert cell(None) == ""
    assert cell(True) == "yes"
    assert cell(datetime.date(2024, 3, 1)) == "2024-03-01"


def read(response):
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_the_written_file_keeps_numbers_unquoted():
    body = b"".join(csv_rows(["a", "b", "c"], [[-5, Decimal("12.50"), "=cmd"]])).decode()
    assert body.splitlines()[1] == "-5,12.50,'=cmd"


@pytest.fixture
def monitored(world):
    GoalSet.objects.filter(pk=world.goal_set.pk).update(stage="monitor")
    ProgressEntry.objects.create(
        indicator=world.indicator,
        value=Decimal("35"),
        as_of=datetime.date(2018, 6, 1),
        note='=HYPERLINK("http://evil.test","Click") for José',
        entered_by=world.staff,
    )
    ProgressEntry.objects.create(
        indicator=world.indicator,
        value=Decimal("41.5"),
        as_of=datetime.date(2019, 6, 1),
        note="-5",
        evidence_url="https://example.org/r",
        entered_by=world.staff,
    )
    return world


@pytest.mark.parametrize("persona", ["board", "viewer", "staff"])
def test_progress_export(monitored, login, persona):
    world = monitored
    client = login(world.persona(persona))
    rows = read(client.get(reverse("cycle:export_progress", args=["midtown", world.goal_set.pk])))
    assert rows[0][:5] == ["Indicator id", "Indicator", "Unit", "Value", "As of"]
    first, second = rows[1], rows[2]
    assert first[3] == "35.00" and first[4] == "2018-06-01"
    assert first[5] == '\'=HYPERLINK("http://evil.test","Click") for José'
    assert second[5] == "-5"  # a number stays a number
    assert second[6] == "https://example.org/r"
    assert second[7] == "Sam Staff"


def test_goals_export_with_statuses(monitored, login):
    world = monitored
    world.goal.statement = "=2+5 seniors"
    world.goal.save()
    rows = read(
        login(world.board).get(reverse("cycle:export_goals", args=["midtown", world.goal_set.pk]))
    )
    header, row = rows[0], rows[1]
    values = dict(zip(header, row, strict=True))
    assert values["Goal"] == "'=2+5 seniors"
    assert values["Indicator"] == "Seniors completing internships"
    assert values["Baseline"] == "20.00" and values["Target"] == "50.00"
    assert Decimal(values["Latest value"]) == Decimal("41.5")
    assert values["As of"] == "2019-06-01"
    assert values["Status"]  # as cycle.status judges it
    assert len(rows) == 2


def test_goals_export_of_another_district_is_404(world, login):
    response = login(world.staff).get(
        reverse("cycle:export_goals", args=["midtown", world.other_goal_set.pk])
    )
    assert response.status_code == 404


@pytest.fixture
def experiences(world):
    a = world.district_a
    lakeside = SchoolFactory(district=a, name="Lakeside High School")
    mine = StudentFactory(district=a, local_id="R1", display_name="José Núñez", school=world.school)
    theirs = StudentFactory(district=a, local_id="L1", school=lakeside)
    other = StudentFactory(district=world.district_b, local_id="C1")
    ExperienceFactory(
        student=mine,
        kind=kind(a, "internship"),
        hours=Decimal("12.5"),
        proficiency=3,
        verified_by="=cmd|' /C calc'!A0",
    )
    ExperienceFactory(student=theirs, kind=kind(a, "resume"))
    ExperienceFactory(student=other, kind=kind(world.district_b, "resume"))
    return world


def test_experiences_export_for_staff(experiences, login):
    rows = read(login(experiences.staff).get(reverse("cycle:export_experiences", args=["midtown"])))
    assert [r[0] for r in rows[1:]] == ["L1", "R1"]
    r1 = dict(zip(rows[0], rows[2], strict=True))
    assert r1["Name"] == "José Núñez"
    assert r1["Hours"] == "12.50" and r1["Proficiency"] == "3"
    assert r1["Reflection submitted"] == "yes"
    assert r1["Verified by"] == "'=cmd|' /C calc'!A0"


def test_experiences_export_for_a_coordinator_is_their_scope(experiences, login):
    client = login(experiences.coordinator)
    rows = read(client.get(reverse("cycle:export_experiences", args=["midtown"])))
    assert [r[0] for r in rows[1:]] == ["R1"]


def test_experiences_export_keeps_the_list_filters(experiences, login):
    client = login(experiences.staff)
    address = reverse("cycle:export_experiences", args=["midtown"]) + "?q=L1"
    assert [r[0] for r in read(client.get(address))[1:]] == ["L1"]


@pytest.mark.parametrize("persona", ["board", "viewer"])
def test_board_and_viewers_get_no_experiences_csv(experiences, login, persona):
    response = login(experiences.persona(persona)).get(
        reverse("cycle:export_experiences", args=["midtown"])
    )
    assert response.status_code == 403
    assert b"R1" not in response.content


def test_board_sees_no_student_row_in_the_progress_pdf(experiences, login):
    """The progress report PDF (built with the dashboards) holds aggregates only."""
    import pypdf

    world = experiences
    address = reverse("cycle:progress_pdf", args=["midtown", world.goal_set.pk])
    GoalSet.objects.filter(pk=world.goal_set.pk).update(stage="monitor")
    response = login(world.board).get(address)
    assert response.status_code == 200
    body = response.content if not response.streaming else b"".join(response.streaming_content)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)
    for student_text in ("R1", "L1", "José Núñez", "calc"):
        assert student_text not in text
