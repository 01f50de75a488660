"""The pages that keep people's work safe, in a real browser and by keyboard: deleting a goal
and a goal set (with htmx and without JavaScript) and an administrator restoring them from
Recently deleted; the sign-in page once an email is locked out; the page a board member gets
when a packet is too large to make. Every state reached is checked with axe-core."""

import pytest
from playwright.sync_api import expect

from goals.models import Goal, GoalSet
from tests.factories import GoalFactory
from tests.factories_communication import adopt

pytestmark = pytest.mark.browser

LOCKED = "Too many failed sign-in attempts with this email address"


def test_a_deleted_goal_comes_back_when_an_administrator_restores_it(
    world, page, sign_in, assert_accessible
):
    sign_in(page, world.admin)
    page.goto(world.goal_set.get_absolute_url())
    goal = page.locator(f"#goal-{world.goal.pk}")
    expect(goal.get_by_text("Seniors complete internships")).to_be_visible()

    # htmx asks for confirmation in a dialog; the person accepts it from the keyboard.
    page.once("dialog", lambda dialog: dialog.accept())
    goal.get_by_role("link", name="Delete goal 1").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#goal-{world.goal.pk}")).to_have_count(0)
    assert Goal.all_objects.get(pk=world.goal.pk).deleted_at is not None
    assert_accessible(page, "goal set page after deleting its only goal")

    # District › Recently deleted, reached through the navigation.
    page.get_by_role("link", name="District", exact=True).click()
    page.get_by_role("link", name="Restore deleted goal sets, goals and indicators").click()
    expect(page.get_by_role("heading", name="Recently deleted", level=1)).to_be_visible()
    row = page.get_by_role("row", name="Seniors complete internships")
    expect(row.get_by_text("Alice Admin")).to_be_visible()
    expect(row.get_by_text("1 indicator")).to_be_visible()
    assert_accessible(page, "recently deleted, one goal")

    restore = page.get_by_role("button", name="Restore goal Seniors complete internships")
    restore.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        "Restored the goal “Seniors complete internships”, with 1 indicator."
    )
    expect(page.get_by_text("No goal was deleted on its own in the last 30 days.")).to_be_visible()
    assert_accessible(page, "recently deleted after restoring")

    page.goto(world.goal_set.get_absolute_url())
    goal = page.locator(f"#goal-{world.goal.pk}")
    expect(goal.get_by_text("Seniors complete internships")).to_be_visible()
    expect(goal.get_by_text("Seniors completing internships", exact=True)).to_be_visible()


def test_staff_delete_a_goal_set_without_javascript(world, new_context, sign_in, assert_accessible):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, world.staff)
    page.goto(world.goal_set.get_absolute_url())
    page.get_by_role("link", name="Delete set").click()
    expect(page.get_by_role("heading", name="Delete this goal set?", level=1)).to_be_visible()
    expect(page.get_by_text("Its 1 goal and their indicators are deleted with it.")).to_be_visible()
    expect(page.get_by_text("an administrator can restore it within 30 days")).to_be_visible()
    assert_accessible(page, "confirm deleting a goal set")

    page.get_by_role("button", name="Delete goal set").click()
    expect(page.get_by_role("heading", name="Goal sets", level=1)).to_be_visible()
    expect(page.locator(".messages")).to_contain_text(
        "Deleted the goal set “Midtown WBL expansion” with its goals and indicators."
    )
    expect(page.get_by_role("link", name="Midtown WBL expansion")).to_have_count(0)
    assert GoalSet.all_objects.get(pk=world.goal_set.pk).deleted_at is not None
    assert_accessible(page, "goal set list after deleting a set")


def test_the_sign_in_page_says_when_an_email_is_locked(world, page, assert_accessible):
    page.goto("/accounts/login/")
    for _ in range(5):
        page.get_by_label("Email").fill(world.staff.email)
        page.get_by_label("Password").fill("not the password")
        page.get_by_label("Password").press("Enter")
        expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(LOCKED)

    # Even the right password is refused while the lock lasts, and the page says for how long.
    page.get_by_label("Email").fill(world.staff.email)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(LOCKED)
    expect(alert).to_contain_text("paused for 15 minutes")
    assert "/accounts/login/" in page.url
    assert_accessible(page, "sign-in page, email locked")


def test_a_packet_too_large_to_make_says_what_to_do_instead(
    world, page, sign_in, assert_accessible, settings
):
    for n in range(20):  # a packet of some seconds, far over the limit below on any machine
        GoalFactory(goal_set=world.goal_set, statement=f"Goal {n}: seniors complete internships")
    adopt(world.goal_set, by=world.admin)
    settings.PDF_TIME_LIMIT_SECONDS = 0.1  # the live server runs in this process: same settings
    sign_in(page, world.board)
    page.goto(world.goal_set.get_absolute_url())
    page.get_by_role("link", name="Feedback and approval").click()
    page.get_by_role("link", name="Download the board packet").click()

    heading = page.get_by_role("heading", name="This board packet is too large to make at once")
    expect(heading).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "it would take longer than the 0.1 seconds the server allows for one PDF"
    )
    expect(page.get_by_text("Try again in a few minutes")).to_be_visible()
    assert_accessible(page, "packet too large")
    expect(page.get_by_text("Split the goal set into smaller sets")).to_be_visible()
    # What the page offers instead leads somewhere useful: the goal set itself.
    page.get_by_role("link", name="Read the goal set on screen").click()
    expect(page.get_by_role("heading", name="Midtown WBL expansion", level=1)).to_be_visible()
