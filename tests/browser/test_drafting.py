"""Drafting in a real browser: a staff member adds a team member, answers a discussion prompt,
comments on a goal and submits the set for approval with an override reason because a goal
still fails the quality check. Every page and state is checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from cycle.models import Comment, PromptAnswer, TeamMember, Transition
from goals.models import GoalSet, Stage
from tests.factories import GoalFactory

pytestmark = pytest.mark.browser

FAILING = "Every site names a WBL lead"


def test_staff_drafts_and_submits_with_an_override(world, page, sign_in, assert_accessible):
    GoalFactory(goal_set=world.goal_set, owner=None, statement=FAILING)
    sign_in(page, world.staff)
    page.goto(world.goal_set.get_absolute_url())
    diagram = page.get_by_role("region", name="The goal cycle")
    current = diagram.locator('[aria-current="step"]')
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Draft")
    expect(current).to_contain_text("Current stage")
    assert_accessible(page, "goal set page with the cycle diagram")

    # The drafting page, through the set's navigation.
    page.get_by_role("navigation", name="This goal set").get_by_role(
        "link", name="Drafting"
    ).click()
    expect(page.get_by_role("heading", name=re.compile("^Drafting"), level=1)).to_be_visible()
    expect(page.get_by_text("No team members yet.")).to_be_visible()
    expect(page.get_by_role("link", name="Making Work-Based Learning Work")).to_be_visible()
    assert_accessible(page, "drafting page")

    # Add a team member on the full-page form.
    page.get_by_role("link", name="Add a team member").click()
    expect(page.get_by_role("heading", name="Add a team member", level=1)).to_be_visible()
    assert_accessible(page, "team member form")
    page.get_by_label("Name").fill("Jordan Ellis")
    page.get_by_label("Affiliation").select_option(label="Employer")
    page.get_by_label("Role on the team").fill("Employer voice")
    page.get_by_label("District account").select_option(label="Alice Admin")
    page.get_by_role("button", name="Add to the team").click()
    expect(page.get_by_text("Added Jordan Ellis to the drafting team.")).to_be_visible()
    team = page.get_by_role("table", name="Members of the drafting team")
    expect(team.get_by_role("rowheader", name="Jordan Ellis")).to_be_visible()
    expect(team.get_by_role("cell", name="Employer", exact=True)).to_be_visible()
    assert_accessible(page, "drafting page with a team member")

    # Answer a discussion prompt in place (htmx).
    page.get_by_role("link", name="Read and answer the prompts").click()
    expect(page.get_by_role("heading", name=re.compile("^Discussion prompts"))).to_be_visible()
    expect(page.get_by_text("Not answered yet.")).to_have_count(9)
    assert_accessible(page, "prompts page")
    prompts_url = page.url
    page.get_by_role("link", name="Answer to prompt 3").click()
    form = page.get_by_role("form", name="Answer to prompt 3")
    expect(form).to_be_visible()
    assert page.url == prompts_url
    assert_accessible(page, "prompt answer form open in the list")
    form.get_by_label("The team's answer").fill("Every student has two WBL experiences a year.")
    form.get_by_role("button", name="Save answer").click()
    expect(form).to_have_count(0)
    prompt = page.get_by_role("listitem", name=re.compile("^3\\."))
    expect(prompt.get_by_text("Every student has two WBL experiences a year.")).to_be_visible()
    expect(page.get_by_text("Not answered yet.")).to_have_count(8)
    assert_accessible(page, "prompts page with an answer")

    # Comment on the failing goal (htmx swaps the comments section).
    page.get_by_role("link", name="Drafting", exact=True).click()
    comments = page.get_by_role("region", name=re.compile("^Comments"))
    comments.get_by_label("About").select_option(label=f"Goal 2. {FAILING}")
    comments.get_by_label("Comment", exact=True).fill("Who will own this goal?")
    comments.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Posted your comment.")).to_be_visible()
    comment = page.locator(".comment", has_text="Who will own this goal?")
    expect(comment).to_contain_text("Sam Staff")
    expect(comment).to_contain_text(f"on goal 2: {FAILING}")
    assert_accessible(page, "drafting page with a comment")

    # Submit for approval: refused while the goal fails, accepted with an override reason.
    page.get_by_role("link", name="Stage and next steps").click()
    expect(page.get_by_role("heading", name=re.compile("^Stage and next steps"))).to_be_visible()
    needs = page.get_by_role("region", name=re.compile("needs before the set moves on"))
    expect(needs.get_by_role("link", name=FAILING)).to_be_visible()
    expect(needs.get_by_text("No owner: name the member accountable for it.")).to_be_visible()
    assert_accessible(page, "stage page in Draft")
    submit = page.get_by_role("form", name="Submit for approval")
    submit.get_by_role("button", name="Submit for approval").click()
    alert = page.get_by_role("alert").filter(has_text="fail the quality check")
    expect(alert).to_be_visible()
    assert GoalSet.objects.get(pk=world.goal_set.pk).stage == Stage.DRAFT
    assert_accessible(page, "stage page with the refusal")
    submit = page.get_by_role("form", name="Submit for approval")
    submit.get_by_label("Override reason").fill("The owner is named at the board meeting.")
    submit.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("it is now in 2 Approve")).to_be_visible()
    history = page.get_by_role("table", name=re.compile("Moves of this set"))
    expect(history.get_by_text("The owner is named at the board meeting.")).to_be_visible()
    current = page.locator('[aria-current="step"]')
    expect(current).to_contain_text("Approve")
    assert_accessible(page, "stage page in Approve")

    assert TeamMember.objects.get(goal_set=world.goal_set).user == world.admin
    assert PromptAnswer.objects.get(goal_set=world.goal_set).prompt_key == "system-3"
    saved = Comment.objects.get(goal_set=world.goal_set)
    assert (saved.goal.statement, saved.author) == (FAILING, world.staff)
    transition = Transition.objects.get(goal_set=world.goal_set)
    assert transition.override_reason == "The owner is named at the board meeting."


def test_board_member_reads_the_stage_page_and_comments(world, page, sign_in, assert_accessible):
    sign_in(page, world.board)
    page.goto(f"/d/midtown/sets/{world.goal_set.pk}/stage/")
    expect(page.get_by_text("Staff and district administrators move goal sets")).to_be_visible()
    expect(page.get_by_role("button", name="Submit for approval")).to_have_count(0)
    assert_accessible(page, "stage page, board")
    page.goto(f"/d/midtown/sets/{world.goal_set.pk}/drafting/")
    expect(page.get_by_role("link", name="Add a team member")).to_have_count(0)
    page.get_by_label("Comment", exact=True).fill("Please share the draft with families.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment", has_text="share the draft with families")).to_be_visible()
    assert_accessible(page, "drafting page, board, after commenting")
