"""Monitoring in a real browser: a coordinator logs a value for their school's goals and sees
the status and the chart change (with htmx, and without JavaScript); a board member reads the
dashboard, the overview and the data reviews; staff hold a data review.

Every state a test reaches is checked with axe-core (WCAG 2.1 AA: no violations).
"""

from datetime import date

import pytest
from playwright.sync_api import expect

from cycle.models import DataReview, ProgressEntry
from goals.models import GoalSet, Stage
from tests.factories import GoalFactory, GoalSetFactory, IndicatorFactory

pytestmark = pytest.mark.browser

INDICATOR = "Juniors completing a job shadow"


@pytest.fixture
def school_set(world):
    goal_set = GoalSetFactory(
        district=world.district_a,
        title="Riverview High School student goals",
        level=GoalSet.Level.STUDENT,
        scope=GoalSet.Scope.SCHOOL,
        school=world.school,
        data_steward=world.coordinator,
    )
    GoalSet.objects.filter(pk=goal_set.pk).update(stage=Stage.MONITOR)
    goal = GoalFactory(goal_set=goal_set, statement="Every junior completes a job shadow")
    indicator = IndicatorFactory(goal=goal, name=INDICATOR)  # 20 -> 50% by Jun 30, 2020
    return goal_set, indicator


def dashboard_url(goal_set):
    return f"/d/midtown/sets/{goal_set.pk}/progress/"


def test_coordinator_logs_a_value_and_sees_the_status_and_chart_change(
    world, school_set, page, sign_in, assert_accessible
):
    goal_set, indicator = school_set
    sign_in(page, world.coordinator)
    page.goto(dashboard_url(goal_set))
    expect(page.get_by_role("heading", name=f"Progress: {goal_set.title}", level=1)).to_be_visible()
    card = page.locator(f"#indicator-{indicator.pk}")
    expect(card.get_by_text("Not yet measured", exact=True)).to_be_visible()
    chart = card.get_by_role("img", name=f"{INDICATOR}: Not yet measured")
    expect(chart).to_be_visible()
    assert_accessible(page, "dashboard before any value")
    page.evaluate("window.stillTheSamePage = true")

    # htmx opens the form inside the card.
    card.get_by_role("link", name=f"Log a value for {INDICATOR}").click()
    form = page.get_by_role("form", name=f"Log a value for “{INDICATOR}”")
    expect(form).to_be_visible()
    expect(form.get_by_label("Value")).to_be_focused()
    assert_accessible(page, "log form open in the card")

    # A percent above 100 is refused at the field, in place.
    form.get_by_label("Value").fill("120")
    form.get_by_label("As of").fill("2018-07-02")
    form.get_by_role("button", name="Save value").click()
    expect(
        page.get_by_text("This indicator is a percent: enter a value from 0 to 100")
    ).to_be_visible()
    assert not ProgressEntry.objects.exists()
    assert_accessible(page, "log form with an error")

    form = page.get_by_role("form", name=f"Log a value for “{INDICATOR}”")
    form.get_by_label("Value").fill("35")
    form.get_by_label("Note").fill("Spring count from the tracker")
    form.get_by_role("button", name="Save value").click()

    card = page.locator(f"#indicator-{indicator.pk}")
    expect(card.get_by_role("status")).to_have_text("Logged 35 as of Jul 2, 2018.")
    expect(card.get_by_text("On track", exact=True)).to_be_visible()
    expect(card.get_by_text("Not yet measured", exact=True)).to_have_count(0)
    expect(card.get_by_role("img", name=f"{INDICATOR}: On track")).to_be_visible()
    figures = card.get_by_role("table", name=f"Figures for “{INDICATOR}”")
    expect(figures.get_by_role("row", name="Jul 2, 2018 Logged value 35%")).to_be_visible()
    expect(form).to_have_count(0)
    assert page.evaluate("window.stillTheSamePage === true"), "htmx swapped the card in place"
    entry = ProgressEntry.objects.get()
    assert (entry.value, entry.as_of, entry.entered_by) == (35, date(2018, 7, 2), world.coordinator)
    assert_accessible(page, "dashboard after logging a value")

    # The list of values, and its history.
    card.get_by_role("link", name=f"All values of {INDICATOR} (1)").click()
    expect(page.get_by_role("heading", name=f"Values of “{INDICATOR}”", level=1)).to_be_visible()
    expect(page.get_by_text("Spring count from the tracker")).to_be_visible()
    assert_accessible(page, "list of values")


def test_logging_works_without_javascript(
    world, school_set, new_context, sign_in, assert_accessible
):
    goal_set, indicator = school_set
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, world.coordinator)
    page.goto(dashboard_url(goal_set))
    page.get_by_role("link", name=f"Log a value for {INDICATOR}").click()
    expect(page.get_by_role("heading", name="Log a value", level=1)).to_be_visible()
    assert_accessible(page, "full-page log form")
    page.get_by_label("Value").fill("12")
    page.get_by_label("As of").fill("2018-07-02")
    page.get_by_role("button", name="Save value").click()
    expect(page.get_by_text("Logged 12 as of Jul 2, 2018.")).to_be_visible()
    card = page.locator(f"#indicator-{indicator.pk}")
    expect(card.get_by_text("Off track", exact=True)).to_be_visible()
    expect(card.get_by_role("img", name=f"{INDICATOR}: Off track")).to_be_visible()
    assert_accessible(page, "dashboard after a full-page save")


def test_board_member_reads_the_progress_pages(world, page, sign_in, assert_accessible):
    GoalSet.objects.filter(pk=world.goal_set.pk).update(stage=Stage.MONITOR)
    ProgressEntry.objects.create(
        indicator=world.indicator, value=35, as_of=date(2018, 7, 2), entered_by=world.staff
    )
    review = DataReview.objects.create(
        goal_set=world.goal_set,
        scheduled_for=date(2019, 6, 20),
        attendees="WBL director, site coordinators",
        notes="Internships are ahead of plan.",
        decisions="Ask two more employers to host.",
        snapshot=[
            {
                "indicator": "Seniors completing internships",
                "status": "on_track",
                "label": "On track",
                "latest_value": "35",
                "latest_as_of": "2018-07-02",
                "expected_value": "32.86",
                "target_value": "50",
                "target_date": "2020-06-30",
            }
        ],
    )
    sign_in(page, world.board)
    page.goto(dashboard_url(world.goal_set))
    expect(
        page.get_by_role("heading", name="Progress: Midtown WBL expansion", level=1)
    ).to_be_visible()
    card = page.locator(f"#indicator-{world.indicator.pk}")
    expect(card.get_by_text("On track", exact=True)).to_be_visible()
    expect(card.get_by_role("img", name="Seniors completing internships: On track")).to_be_visible()
    expect(page.get_by_text("Internships are ahead of plan.")).to_be_visible()
    expect(page.get_by_role("heading", name="How the status is worked out")).to_be_visible()
    expect(
        page.get_by_role("link", name="Log a value for Seniors completing internships")
    ).to_have_count(0)
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    assert_accessible(page, "dashboard as a board member")

    page.get_by_role("link", name="All adopted sets").click()
    expect(
        page.get_by_role("heading", name="Progress of adopted goal sets", level=1)
    ).to_be_visible()
    row = page.get_by_role("row", name="Midtown WBL expansion")
    expect(row).to_be_visible()
    assert_accessible(page, "district overview")

    page.goto(f"/d/midtown/sets/{world.goal_set.pk}/reviews/")
    expect(page.get_by_role("heading", name="Data reviews: Midtown WBL expansion")).to_be_visible()
    assert_accessible(page, "list of data reviews")
    page.get_by_role("link", name="Jun 20, 2019").click()
    expect(page.get_by_role("heading", name="Data review of Jun 20, 2019", level=1)).to_be_visible()
    expect(page.get_by_text("Ask two more employers to host.")).to_be_visible()
    assert review.pk
    assert_accessible(page, "data review")

    page.goto(f"/d/midtown/indicators/{world.indicator.pk}/progress/history/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("History of the values")
    assert_accessible(page, "history of the values")

    page.goto(f"/d/midtown/indicators/{world.indicator.pk}/progress/")
    expect(page.get_by_role("link", name="Edit the value of Jul 2, 2018")).to_have_count(0)
    assert_accessible(page, "list of values as a board member")


def test_staff_schedules_a_review_and_names_a_steward(world, page, sign_in, assert_accessible):
    GoalSet.objects.filter(pk=world.goal_set.pk).update(stage=Stage.MONITOR)
    sign_in(page, world.staff)
    page.goto(dashboard_url(world.goal_set))
    card = page.locator(f"#indicator-{world.indicator.pk}")
    card.get_by_role(
        "link", name="Change the data steward of Seniors completing internships"
    ).click()
    form = page.get_by_role("form", name="Data steward for “Seniors completing internships”")
    expect(form).to_be_visible()
    assert_accessible(page, "steward form open in the card")
    form.get_by_label("Data steward").select_option(label="Cora Coordinator")
    form.get_by_role("button", name="Save steward").click()
    expect(card.get_by_role("status")).to_have_text("Saved the data steward.")
    expect(card.get_by_text("Cora Coordinator")).to_be_visible()

    page.goto(f"/d/midtown/sets/{world.goal_set.pk}/reviews/")
    page.get_by_role("link", name="Schedule a data review").click()
    expect(page.get_by_role("heading", name="Schedule a data review", level=1)).to_be_visible()
    assert_accessible(page, "data review form")
    page.get_by_label("Date of the review").fill("2019-06-20")
    page.get_by_label("Attendees").fill("WBL director, coordinators")
    page.get_by_label("Notes").fill("Looked at the internship figures.")
    page.get_by_role("button", name="Save data review").click()
    expect(page.get_by_role("heading", name="Data review of Jun 20, 2019", level=1)).to_be_visible()
    expect(
        page.get_by_role("table", name="Each indicator's status and latest value on Jun 20, 2019")
    ).to_be_visible()
    assert_accessible(page, "data review just saved")
