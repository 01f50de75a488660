"""The student WBL experience inventory in a real browser: a coordinator uploads a CSV of
experiences (preview, then confirm) and sees the computed student-goal indicator change; staff
set a rule; a board member sees only aggregates. Every page is checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from cycle.models import Experience
from goals.models import GoalSet
from tests.factories import GoalFactory, GoalSetFactory, IndicatorFactory
from tests.factories_inventory import StudentFactory, group, kind, rule

pytestmark = pytest.mark.browser

CSV = (
    "Student ID,Kind,Date,Hours,Partner,Proficiency,Reflection submitted,Verified by\r\n"
    "E01,Internship,2024-02-01,20,Acme Engineering,3,yes,Jordan Ellis\r\n"
    "E01,Internship,2024-03-01,25,Acme Engineering,4,yes,Jordan Ellis\r\n"
    "E02,Internship,2024-02-05,40,Acme Engineering,3,yes,Señora Núñez\r\n"
    "E03,Internship,2024-02-06,30,,3,yes,\r\n"
    "E03,Internship,2024-04-06,12.5,,3,yes,\r\n"
    "E04,Job shadow,2024-02-07,45,,,no,\r\n"
)


@pytest.fixture
def engineering(world):
    a = world.district_a
    goal_set = GoalSetFactory(
        district=a,
        level=GoalSet.Level.STUDENT,
        scope=GoalSet.Scope.PATHWAY,
        pathway=world.pathway,
        title="Engineering pathway student goals",
    )
    goal = GoalFactory(goal_set=goal_set, statement="Complete 40 hours of internship")
    indicator = IndicatorFactory(goal=goal, name="Seniors with 40 internship hours")
    low_income = group(a, "low-income")
    for n in range(1, 13):
        StudentFactory(
            district=a,
            local_id=f"E{n:02d}",
            school=world.school,
            pathway=world.pathway,
            grade=12,
            groups=[low_income] if n % 2 else [],
        )
    rule(indicator, kind(a, "internship"), pathway=world.pathway, grade=12, min_hours=40)
    indicator.source = "computed"
    indicator.save()
    return indicator


def test_coordinator_imports_experiences_and_the_figure_changes(
    world, engineering, page, sign_in, assert_accessible, tmp_path
):
    computed = f"/d/midtown/indicators/{engineering.pk}/computed/"
    sign_in(page, world.coordinator)
    page.goto(computed)
    expect(page.get_by_role("heading", name="Seniors with 40 internship hours")).to_be_visible()
    expect(page.locator(".big-figure")).to_have_text("0.00%")
    expect(page.get_by_text("0 of 12 students in the cohort")).to_be_visible()
    assert_accessible(page, "computed indicator before the import")

    # The main navigation leads to the inventory; its own "Students" link to the list.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Students").click()
    expect(page.get_by_role("heading", name="WBL experience inventory", level=1)).to_be_visible()
    assert_accessible(page, "inventory overview")
    page.get_by_role("main").get_by_role("link", name="Students", exact=True).click()
    expect(page.get_by_role("heading", name="Students", level=1)).to_be_visible()
    expect(page.get_by_text("12 students")).to_be_visible()
    assert_accessible(page, "student list")

    page.get_by_role("link", name="Import experiences").click()
    expect(page.get_by_role("heading", name="Import WBL experiences")).to_be_visible()
    expect(page.get_by_text("at most 10 MB")).to_be_visible()
    assert_accessible(page, "experience upload form")
    upload = tmp_path / "experiences.csv"
    upload.write_bytes(CSV.encode("cp1252"))  # as Excel saves it
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_text("6 rows of data, read as Windows-1252 (Excel)")).to_be_visible()
    expect(page.get_by_role("cell", name="Señora Núñez")).to_be_visible()
    assert not Experience.objects.exists()
    assert_accessible(page, "import preview")
    page.get_by_role("button", name="Import 6 experiences").click()

    expect(page.get_by_text("Imported 6 experiences.")).to_be_visible()
    assert Experience.objects.count() == 6
    assert_accessible(page, "student list after the import")

    page.goto(computed)
    # E01 (20 + 25 hours) and E02 (40) meet it; E03 has 42.5 hours; E04 only job shadows.
    expect(page.locator(".big-figure")).to_have_text("25.00%")
    expect(page.get_by_text("3 of 12 students in the cohort")).to_be_visible()
    assert_accessible(page, "computed indicator after the import")

    page.goto("/d/midtown/students/")
    page.get_by_role("link", name="E01").click()
    expect(page.get_by_role("heading", name="WBL experiences (2)")).to_be_visible()
    assert_accessible(page, "student detail")
    page.get_by_role("link", name="Add experience").click()
    expect(page.get_by_role("heading", name="New experience of student E01")).to_be_visible()
    assert_accessible(page, "new experience form")
    page.get_by_label("Kind").select_option(label="Mock interview")
    page.get_by_label("Date").fill("2024-05-01")
    page.get_by_label("Proficiency").select_option(label="3 · Proficient")
    page.get_by_role("button", name="Add experience").click()
    expect(page.get_by_role("heading", name="WBL experiences (3)")).to_be_visible()
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History of student E01")).to_be_visible()
    assert_accessible(page, "student history")


def test_a_wrong_row_is_listed_and_nothing_is_written(
    world, engineering, page, sign_in, assert_accessible, tmp_path
):
    sign_in(page, world.coordinator)
    page.goto("/d/midtown/imports/experiences/")
    upload = tmp_path / "bad.csv"
    upload.write_text(CSV.replace("2024-02-05", "5th of Feb"), encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Preview").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Rows to fix (1 problem)")
    expect(alert.get_by_role("row", name=re.compile(r"^4 Date Write the date"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    assert_accessible(page, "preview with a bad row")
    assert not Experience.objects.exists()


def test_staff_set_a_rule_and_the_board_sees_aggregates(
    world, engineering, page, new_context, sign_in, assert_accessible
):
    sign_in(page, world.staff)
    page.goto(f"/d/midtown/indicators/{engineering.pk}/rule/")
    expect(page.get_by_role("heading", name=re.compile("How .* is computed"))).to_be_visible()
    assert_accessible(page, "rule form")
    page.get_by_label("At least this many hours in total").fill("30")
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_text("Saved the rule")).to_be_visible()
    expect(page.get_by_text("At least 30 hours of internship in total")).to_be_visible()
    assert_accessible(page, "computed indicator, staff view")
    page.goto("/d/midtown/inventory/settings/")
    assert_accessible(page, "kinds and groups")
    page.get_by_role("link", name="Add a kind").click()
    assert_accessible(page, "new kind form")
    page.goto("/d/midtown/imports/students/")
    assert_accessible(page, "student upload form")

    board = new_context().new_page()
    sign_in(board, world.board)
    board.goto(f"/d/midtown/indicators/{engineering.pk}/computed/")
    expect(board.get_by_text("Suppressed (fewer than 10 students)").first).to_be_visible()
    expect(board.get_by_text("E01")).to_have_count(0)
    assert_accessible(board, "computed indicator, board view")
    response = board.goto("/d/midtown/students/")
    assert response.status == 403
