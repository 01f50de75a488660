"""Communicate and implement in a real browser: a staff member logs a communication and adds
an action step in place (by keyboard), then an anonymous visitor reads the public goals page.
Every state reached is checked with axe-core."""

import datetime

import pytest
from playwright.sync_api import expect

from cycle.models import ActionStep, Communication
from tests.factories_communication import ActionStepFactory, adopt

pytestmark = pytest.mark.browser

STEP = "Recruit 40 more internship placements for seniors"


def test_staff_communicates_and_plans_then_the_public_reads(
    world, page, new_context, sign_in, assert_accessible
):
    goal_set = adopt(world.goal_set, by=world.admin)
    overdue = datetime.date.today() - datetime.timedelta(days=3)
    ActionStepFactory(
        goal=world.goal, owner=world.admin, description="Book the venue", due_date=overdue
    )

    sign_in(page, world.staff)
    page.goto(goal_set.get_absolute_url())
    page.get_by_role("navigation", name="This goal set").get_by_role(
        "link", name="Communication"
    ).click()
    expect(page.get_by_role("heading", name="Communication", level=1)).to_be_visible()
    expect(page.get_by_text("Shared through 0 of 12 channels.")).to_be_visible()
    assert_accessible(page, "communication page, nothing logged")

    # Log a communication through the full-page form on the page.
    form = page.get_by_role("form", name="Log a communication")
    form.get_by_label("Channel").select_option(label="Parent newsletters and back-to-school events")
    form.get_by_label("Date").fill("2018-09-04")
    form.get_by_label("Audience").fill("Parents of grade 9 students")
    form.get_by_label("Note").fill("Back-to-school night presentation.")
    form.get_by_role("button", name="Log communication").click()

    expect(page.get_by_text("Logged the communication through")).to_be_visible()
    expect(page.get_by_text("Shared through 1 of 12 channels.")).to_be_visible()
    checklist = page.get_by_role("table", name="Channels, whether this goal set has been shared")
    row = checklist.get_by_role("row").filter(has_text="Parent newsletters")
    expect(row.get_by_text("Shared")).to_be_visible()
    expect(row.get_by_role("cell", name="Sep 4, 2018").first).to_be_visible()
    expect(page.get_by_role("cell", name="Parents of grade 9 students")).to_be_visible()
    assert_accessible(page, "communication page after logging")
    item = Communication.objects.get()
    assert (item.goal_set_id, item.logged_by, item.date) == (
        goal_set.pk,
        world.staff,
        datetime.date(2018, 9, 4),
    )

    # Action steps: the overdue one stands out in words.
    page.get_by_role("navigation", name="This goal set").get_by_role(
        "link", name="Action steps"
    ).click()
    expect(page.get_by_role("heading", name="Action steps", level=1)).to_be_visible()
    expect(page.get_by_text("Overdue", exact=True)).to_have_count(1)
    assert_accessible(page, "action steps page")
    steps_url = page.url
    page.evaluate("window.stillTheSamePage = true")

    # Add a step in place (htmx), finishing by keyboard.
    page.get_by_role("link", name="Add action step to goal 1").click()
    form = page.get_by_role("form", name="New action step")
    expect(form).to_be_visible()
    assert_accessible(page, "new step form open inside the goal")
    form.get_by_label("Description").fill(STEP)
    form.get_by_label("Owner").select_option(label="Sam Staff")
    form.get_by_label("Due date").fill("2031-03-01")
    form.get_by_label("Status").select_option(label="In progress")
    button = form.get_by_role("button", name="Add step")
    for _ in range(20):
        if button.evaluate("b => b === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")

    expect(form).to_have_count(0)
    expect(page.get_by_text(STEP, exact=True)).to_be_visible()
    assert page.url == steps_url
    assert page.evaluate("window.stillTheSamePage === true"), "htmx swapped in place"
    assert_accessible(page, "action steps page with the new step")
    step = ActionStep.objects.get(description=STEP)
    assert (step.owner, step.status, step.due_date) == (
        world.staff,
        "in_progress",
        datetime.date(2031, 3, 1),
    )

    page.get_by_role("link", name="Open steps by owner").click()
    expect(page.get_by_role("heading", name="Open action steps", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Sam Staff")).to_be_visible()
    assert_accessible(page, "open steps by owner")

    # An anonymous visitor reads the public page.
    visitor = new_context().new_page()
    visitor.goto("/p/midtown/")
    expect(
        visitor.get_by_role("heading", name="Midtown District: work-based learning goals")
    ).to_be_visible()
    expect(visitor.get_by_role("heading", name="Midtown WBL expansion")).to_be_visible()
    expect(visitor.get_by_text("Seniors complete internships")).to_be_visible()
    expect(visitor.get_by_role("cell", name="50%")).to_be_visible()
    expect(visitor.get_by_text("Sam Staff")).to_have_count(0)
    expect(visitor.get_by_text(STEP)).to_have_count(0)
    expect(visitor.get_by_role("link", name="Download a printable summary (PDF)")).to_be_visible()
    assert_accessible(visitor, "public goals page")


def test_the_same_pages_work_without_javascript(world, new_context, sign_in, assert_accessible):
    goal_set = adopt(world.goal_set, by=world.admin)
    step = ActionStepFactory(goal=world.goal, owner=world.admin, description="Book the venue")
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, world.staff)

    # Add a channel of the district's own, then log through it.
    page.goto(f"/d/midtown/sets/{goal_set.pk}/communication/")
    page.get_by_role("link", name="Add a channel of your own").click()
    expect(page.get_by_role("heading", name="Add a channel", level=1)).to_be_visible()
    assert_accessible(page, "add a channel")
    page.get_by_label("Channel name").fill("Chamber of Commerce breakfast")
    page.get_by_role("button", name="Add channel").click()
    expect(page.get_by_text("Shared through 0 of 13 channels.")).to_be_visible()
    form = page.get_by_role("form", name="Log a communication")
    form.get_by_label("Channel").select_option(label="Chamber of Commerce breakfast")
    form.get_by_label("Date").fill("2018-10-02")
    form.get_by_role("button", name="Log communication").click()
    expect(page.get_by_text("Shared through 1 of 13 channels.")).to_be_visible()

    page.get_by_role("link", name="Edit Chamber of Commerce breakfast on Oct 2, 2018").click()
    expect(page.get_by_role("heading", name="Edit communication", level=1)).to_be_visible()
    assert_accessible(page, "edit communication page")
    page.get_by_label("Audience").fill("Local business owners")
    page.get_by_role("button", name="Save communication").click()
    expect(page.get_by_text("Saved the communication.")).to_be_visible()
    page.get_by_role("link", name="History of the communication log").click()
    expect(page.get_by_role("heading", name="History of the communication log")).to_be_visible()
    assert_accessible(page, "communication history")

    # Edit an action step on its own page, then delete it after confirming.
    page.goto(f"/d/midtown/sets/{goal_set.pk}/action-steps/")
    page.get_by_role("link", name="Edit step “Book the venue”").click()
    expect(page.get_by_role("heading", name="Edit action step", level=1)).to_be_visible()
    assert_accessible(page, "edit step page")
    page.get_by_label("Status").select_option(label="Blocked")
    page.get_by_role("button", name="Save step").click()
    expect(page.get_by_text("Saved the action step.")).to_be_visible()
    expect(page.locator(f"#step-{step.pk}").get_by_text("Blocked")).to_be_visible()
    page.get_by_role("link", name="Delete step “Book the venue”").click()
    expect(page.get_by_role("heading", name="Delete this action step?")).to_be_visible()
    assert_accessible(page, "confirm step deletion")
    page.get_by_role("button", name="Delete action step").click()
    expect(page.get_by_text("Deleted the action step.")).to_be_visible()
    assert not ActionStep.objects.exists()
