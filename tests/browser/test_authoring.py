"""Goal authoring in a real browser: a staff member drafts a goal set with htmx, the same
forms work without JavaScript, and a board member reads without edit controls.

Every state a test reaches is checked with axe-core (WCAG 2.1 AA: no violations).
"""

import re

import pytest
from playwright.sync_api import expect

from goals.models import Goal, GoalSet, Indicator

pytestmark = pytest.mark.browser

STATEMENT = "Seniors complete a paid internship before graduation"
INDICATOR = "Seniors completing internships"
NO_INDICATOR = "No measurable indicator"
NO_OWNER = "No owner"


def fill_indicator(form):
    form.get_by_label("Name").fill(INDICATOR)
    form.get_by_label("Unit").select_option(label="Percent")
    form.get_by_label("Baseline value").fill("20")
    form.get_by_label("Baseline year").fill("2017")
    form.get_by_label("Target value").fill("50")
    form.get_by_label("Target date").fill("2020-06-30")


def goal_item(page, number, statement):
    """A goal in the list, found by its accessible name (its heading)."""
    return page.get_by_role("listitem", name=f"Goal {number}. {statement}")


def test_staff_drafts_a_goal_set_with_htmx(world, page, sign_in, assert_accessible):
    sign_in(page, world.staff)
    expect(page.get_by_role("heading", name="Goal sets", level=1)).to_be_visible()
    assert_accessible(page, "goal set list")

    # A new goal set, through the full-page form.
    page.get_by_role("link", name="New goal set").click()
    expect(page.get_by_role("heading", name="New goal set", level=1)).to_be_visible()
    assert_accessible(page, "new goal set form")
    page.get_by_label("Title").fill("Internships for every senior")
    page.get_by_label("Level").select_option(label="System-level")
    page.get_by_label("Scope").select_option(label="Whole district")
    page.get_by_label("Stem sentence").fill("By 2020, Midtown District will ensure that:")
    page.get_by_label("Start year").fill("2017")
    page.get_by_label("Target year").fill("2020")
    page.get_by_role("button", name="Create goal set").click()

    title = page.get_by_role("heading", name="Internships for every senior", level=1)
    expect(title).to_be_visible()
    expect(page.get_by_text("Now add its goals.")).to_be_visible()
    expect(page.get_by_text("No goals yet.")).to_be_visible()
    goal_set = GoalSet.objects.get(title="Internships for every senior")
    assert (goal_set.district, goal_set.level) == (world.district_a, GoalSet.Level.SYSTEM)
    assert (goal_set.start_year, goal_set.target_year) == (2017, 2020)
    set_url = page.url
    # A full page load would drop this marker: it shows the htmx steps below swap in place.
    page.evaluate("window.stillTheSamePage = true")
    assert_accessible(page, "new, empty goal set")

    # Add a goal by keyboard: type the statement, Tab to "Add goal", press Enter (htmx).
    add_form = page.get_by_role("form", name="Add a goal")
    add_goal = add_form.get_by_role("button", name="Add goal")
    add_form.get_by_label("Statement").fill(STATEMENT)
    add_form.get_by_label("Topic area").select_option(label="WBL opportunities")
    for _ in range(30):
        if add_goal.evaluate("button => button === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(add_goal).to_be_focused()
    page.keyboard.press("Enter")

    goal = goal_item(page, 1, STATEMENT)
    expect(goal).to_be_visible()
    assert page.url == set_url, "htmx swapped the goal section in place"
    assert page.evaluate("window.stillTheSamePage === true")
    expect(page.get_by_role("heading", name="Goals (1)")).to_be_visible()
    expect(goal.get_by_text(NO_INDICATOR)).to_be_visible()
    expect(goal.get_by_text(NO_OWNER)).to_be_visible()
    # Keyboard focus follows the work: it lands on the new goal, not on <body>.
    expect(goal.get_by_role("heading", level=3)).to_be_focused()
    # The add-goal form came back empty, ready for the next goal.
    expect(page.get_by_role("form", name="Add a goal").get_by_label("Statement")).to_have_value("")
    assert_accessible(page, "set with one goal and its quality warnings")

    # Add an indicator: htmx loads the form into the goal.
    goal.get_by_role("link", name="Add indicator to goal 1").click()
    form = goal.get_by_role("form", name="New indicator")
    expect(form.get_by_label("Name")).to_be_focused()
    expect(form).to_be_visible()
    assert page.url == set_url
    assert_accessible(page, "indicator form open inside the goal")
    fill_indicator(form)
    form.get_by_role("button", name="Add indicator", exact=True).click()

    expect(form).to_have_count(0)
    expect(goal.get_by_text(INDICATOR, exact=True)).to_be_visible()
    figures = "Baseline 20 in 2017 → target 50 by Jun 30, 2020"
    expect(goal.get_by_text(figures)).to_be_visible()
    expect(goal.get_by_text(NO_INDICATOR)).to_have_count(0)
    expect(goal.get_by_text(NO_OWNER)).to_be_visible()
    assert_accessible(page, "goal with an indicator, still no owner")

    # Name an owner: htmx swaps the goal for its edit form, then back.
    goal.get_by_role("link", name="Edit goal 1").click()
    edit = page.get_by_role("form", name="Edit goal")
    expect(edit).to_be_visible()
    expect(edit.get_by_label("Statement")).to_have_value(STATEMENT)
    assert_accessible(page, "goal edit form open in the list")
    edit.get_by_label("Owner").select_option(label="Sam Staff")
    edit.get_by_role("button", name="Save goal").click()

    expect(edit).to_have_count(0)
    expect(goal.get_by_text(NO_OWNER)).to_have_count(0)
    expect(goal.get_by_text("Quality check: measurable, owned and dated.")).to_be_visible()
    expect(goal.locator("dd", has_text="Sam Staff")).to_be_visible()
    assert page.url == set_url
    assert page.evaluate("window.stillTheSamePage === true"), "a step reloaded the page"
    assert_accessible(page, "goal with indicator and owner")

    saved = Goal.objects.get(goal_set=goal_set)
    assert (saved.statement, saved.owner) == (STATEMENT, world.staff)
    indicator = saved.indicators.get()
    assert (indicator.unit, indicator.baseline_value, indicator.target_value) == (
        Indicator.Unit.PERCENT,
        20,
        50,
    )


def test_the_same_forms_work_without_javascript(world, new_context, sign_in, assert_accessible):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, world.staff)
    page.goto(world.goal_set.get_absolute_url())
    set_path = world.goal_set.get_absolute_url()
    expect(page.get_by_role("heading", name="Goals (1)")).to_be_visible()
    assert_accessible(page, "set page without JavaScript")

    # Add a goal: a plain POST, then a redirect back to the set page at the new goal.
    add_form = page.get_by_role("form", name="Add a goal")
    add_form.get_by_label("Statement").fill(STATEMENT)
    add_form.get_by_role("button", name="Add goal").click()
    page.wait_for_url(re.compile(re.escape(set_path) + r"#goal-\d+$"))
    expect(page.get_by_text("Added the goal.")).to_be_visible()
    goal = goal_item(page, 2, STATEMENT)
    expect(goal).to_be_visible()
    expect(goal.get_by_text(NO_INDICATOR)).to_be_visible()
    assert_accessible(page, "set page after adding a goal")

    # Add an indicator: the link leads to a full page with the form.
    goal.get_by_role("link", name="Add indicator to goal 2").click()
    page.wait_for_url(re.compile(r"/goals/\d+/indicators/new/$"))
    expect(page.get_by_role("heading", name="New indicator", level=1)).to_be_visible()
    expect(page.get_by_text(f"For the goal: {STATEMENT}")).to_be_visible()
    assert_accessible(page, "indicator form page")
    form = page.get_by_role("form", name="New indicator")
    fill_indicator(form)
    form.get_by_role("button", name="Add indicator").click()

    page.wait_for_url(re.compile(re.escape(set_path) + r"#goal-\d+$"))
    expect(page.get_by_text("Added the indicator.")).to_be_visible()
    expect(goal.get_by_text(INDICATOR, exact=True)).to_be_visible()
    expect(goal.get_by_text(NO_INDICATOR)).to_have_count(0)
    expect(goal.get_by_text(NO_OWNER)).to_be_visible()
    assert_accessible(page, "set page after adding an indicator")

    # Edit the goal on its own page to name an owner.
    goal.get_by_role("link", name="Edit goal 2").click()
    page.wait_for_url(re.compile(r"/goals/\d+/edit/$"))
    expect(page.get_by_role("heading", name="Edit goal", level=1)).to_be_visible()
    assert_accessible(page, "goal edit page")
    page.get_by_label("Owner").select_option(label="Sam Staff")
    page.get_by_role("button", name="Save goal").click()

    page.wait_for_url(re.compile(re.escape(set_path) + r"#goal-\d+$"))
    expect(page.get_by_text("Saved the goal.")).to_be_visible()
    expect(goal.get_by_text(NO_OWNER)).to_have_count(0)
    assert_accessible(page, "set page after naming an owner")

    added = Goal.objects.get(goal_set=world.goal_set, statement=STATEMENT)
    assert added.owner == world.staff
    assert list(added.indicators.values_list("name", flat=True)) == [INDICATOR]


def test_board_member_reads_without_edit_controls(world, page, sign_in, assert_accessible):
    sign_in(page, world.board)
    expect(page.get_by_role("heading", name="Goal sets", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="New goal set")).to_have_count(0)
    assert_accessible(page, "goal set list, board")

    page.get_by_role("link", name="Midtown WBL expansion").click()
    expect(page.get_by_role("heading", name="Midtown WBL expansion", level=1)).to_be_visible()
    goal = goal_item(page, 1, "Seniors complete internships")
    expect(goal).to_be_visible()
    expect(goal.get_by_text("Seniors completing internships", exact=True)).to_be_visible()
    for role, name in [
        ("button", "Add goal"),
        ("link", "Edit set"),
        ("link", "Add indicator"),
        ("link", "Edit goal"),
        ("link", "Delete goal"),
        ("button", "Move"),
    ]:
        expect(page.get_by_role(role, name=name)).to_have_count(0)
    expect(page.get_by_role("form", name="Add a goal")).to_have_count(0)
    assert_accessible(page, "set page, board")

    page.get_by_role("link", name="History", exact=True).click()
    expect(page.get_by_role("heading", name="History of Midtown WBL expansion")).to_be_visible()
    assert_accessible(page, "set history, board")

    page.go_back()
    goal.get_by_role("link", name="History of goal 1").click()
    expect(page.get_by_role("heading", name="History of a goal")).to_be_visible()
    expect(page.get_by_text("Indicator: Seniors completing internships").first).to_be_visible()
    assert_accessible(page, "goal history, board")

    # Typing an edit address answers 403, on a page that is accessible too.
    response = page.goto(f"{world.goal_set.get_absolute_url()}goals/new/")
    assert response.status == 403
    assert_accessible(page, "403 page, board")
