"""The content security policy in a real browser: pages, htmx swaps, the chart dashboard and the
public page run under it with no violation (Chromium reports each as a
`securitypolicyviolation` event, recorded here from before any page script runs)."""

import pytest
from playwright.sync_api import expect

from goals.models import GoalSet, Stage
from tests.factories_communication import adopt

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def violations(page):
    return page.evaluate("window.cspViolations")


def test_pages_and_htmx_swaps_run_under_the_policy(world, new_context, sign_in):
    context = new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    sign_in(page, world.staff)
    assert violations(page) == []

    page.goto(f"/d/midtown/sets/{world.goal_set.pk}/")
    expect(page.get_by_role("heading", name=world.goal_set.title, level=1)).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("link", name="Edit goal 1").click()  # htmx swaps the form in place
    expect(page.locator(f"#goal-{world.goal.pk}").get_by_label("Statement")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage === true")
    assert violations(page) == []

    GoalSet.objects.filter(pk=world.goal_set.pk).update(stage=Stage.MONITOR)
    page.goto(f"/d/midtown/sets/{world.goal_set.pk}/progress/")
    expect(page.get_by_role("img", name=world.indicator.name, exact=False).first).to_be_visible()
    assert violations(page) == []

    GoalSet.objects.filter(pk=world.goal_set.pk).update(stage=Stage.DRAFT)
    adopt(world.goal_set, by=world.admin)
    page.goto("/p/midtown/")
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    assert violations(page) == []
    assert seen == []
