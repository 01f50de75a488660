"""The whole cycle in a real browser, as the people who use it would walk it (issue 3).

A staff member takes one goal set from 1 Draft through approval (with a stakeholder's feedback
sent through a feedback link), the board's adoption, communication and publication, then
Implement, Monitor and Revise into version 2; a board member downloads the board packet; an
anonymous visitor reads the public page. Everything is done through the pages (links, buttons,
labelled fields); the only addresses typed are the first page, the feedback link a person is
given and the public page. Every page visited is checked with axe-core.
"""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from cycle.models import BoardAdoption, Communication, Feedback, GoalOutcome
from goals.models import GoalSet, Stage

pytestmark = pytest.mark.browser

TITLE = "Midtown WBL expansion"
GOAL = "Seniors complete internships"
FEEDBACK = "Employers can host two more interns each spring."
LINK_FOR = "Engineering advisory board"


def set_nav(page, name):
    """Follow a link of the goal set's own navigation."""
    page.get_by_role("navigation", name="This goal set").get_by_role(
        "link", name=name, exact=True
    ).click()


def move(page, name):
    """Ask for a move on the stage page (its form and button share the move's name)."""
    page.get_by_role("form", name=name).get_by_role("button", name=name).click()


def test_a_goal_set_walks_the_whole_cycle(world, page, new_context, sign_in, assert_accessible):
    # -- 1. Draft: staff sign in, open the set and submit it for approval -------------------
    page.goto("/accounts/login/")
    assert_accessible(page, "sign-in page")
    sign_in(page, world.staff)
    expect(page.get_by_role("heading", name="Goal sets", level=1)).to_be_visible()
    assert_accessible(page, "goal set list")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Edit goal 1")).to_be_visible()
    assert_accessible(page, "goal set in Draft")

    set_nav(page, "Stage and next steps")
    expect(page.get_by_role("heading", name=re.compile("^Stage and next steps"))).to_be_visible()
    assert_accessible(page, "stage page in Draft")
    move(page, "Submit for approval")
    expect(page.get_by_text("it is now in 2 Approve")).to_be_visible()
    expect(page.locator('[aria-current="step"]')).to_contain_text("Approve")
    assert_accessible(page, "stage page in Approve")

    # -- 2. Staff create a feedback link and copy it from the page --------------------------
    set_nav(page, "Feedback and approval")
    expect(page.get_by_role("heading", name="Feedback and approval", level=1)).to_be_visible()
    assert_accessible(page, "feedback page, no feedback yet")
    form = page.get_by_role("form", name="Create a feedback link")
    form.get_by_label("Who the link is for").fill(LINK_FOR)
    form.get_by_role("button", name="Create link").click()
    expect(page.get_by_text(f"Created the link for “{LINK_FOR}”")).to_be_visible()
    link_url = page.get_by_label(f"Link for {LINK_FOR}").input_value()
    assert re.fullmatch(r"https?://[^/]+/feedback/[^/]+/", link_url), link_url
    assert_accessible(page, "feedback page with a new link")

    # -- 3. A person with the link (no account) leaves feedback -----------------------------
    person = new_context().new_page()
    person.goto(link_url)
    expect(
        person.get_by_role("heading", level=1, name=re.compile("^Your feedback on the draft"))
    ).to_be_visible()
    expect(person.get_by_role("heading", name=f"Goal 1. {GOAL}")).to_be_visible()
    assert_accessible(person, "public feedback page")
    person.get_by_label("You are replying as").select_option(label="Business partners")
    person.get_by_label("About which goal").select_option(label=f"Goal 1: {GOAL}")
    person.get_by_label("Your feedback", exact=True).fill(FEEDBACK)
    person.get_by_role("button", name="Send feedback").click()
    expect(person.get_by_text("Thank you: your feedback was sent")).to_be_visible()
    assert_accessible(person, "public feedback page after sending")

    # -- 4. Staff read it in the summary and record the board's vote ------------------------
    set_nav(page, "Feedback and approval")
    expect(page.get_by_role("heading", name="What stakeholders said (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Business partners (1)")).to_be_visible()
    expect(page.get_by_text(FEEDBACK).first).to_be_visible()
    assert_accessible(page, "feedback page with the feedback")

    page.get_by_role("link", name="Board adoption", exact=True).click()
    expect(page.get_by_role("heading", name="Board adoption", level=1)).to_be_visible()
    assert_accessible(page, "adoption form")
    page.get_by_label("Meeting date").fill("2017-10-17")
    page.get_by_label("Agenda item").fill("7.2")
    page.get_by_label("Resolution number").fill("2017-18/014")
    page.get_by_label("Votes for").fill("5")
    page.get_by_label("Votes against").fill("0")
    page.get_by_label("Abstentions").fill("0")
    page.get_by_label("Outcome").select_option(label="Adopted")
    page.get_by_role("button", name="Record the vote").click()
    expect(page.get_by_text("The set moved to 3 Communicate")).to_be_visible()
    expect(page.get_by_role("cell", name="5–0–0")).to_be_visible()
    assert_accessible(page, "adoption page after the vote")

    # The adopted goals are frozen: no edit controls, and the page says why.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.locator("#frozen-notice")).to_contain_text("can no longer be edited")
    expect(page.get_by_role("heading", name=f"Goal 1. {GOAL}")).to_be_visible()
    expect(page.get_by_role("link", name="Edit goal 1")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Edit indicator"))).to_have_count(0)
    expect(page.get_by_role("form", name="Add a goal")).to_have_count(0)
    assert_accessible(page, "goal set, adopted and frozen")

    # -- 5. Communicate and publish: log a communication; the public page shows the goal ----
    set_nav(page, "Communication")
    expect(page.get_by_role("heading", name="Communication", level=1)).to_be_visible()
    assert_accessible(page, "communication page, nothing logged")
    form = page.get_by_role("form", name="Log a communication")
    form.get_by_label("Channel").select_option(label="Parent newsletters and back-to-school events")
    form.get_by_label("Date").fill("2017-11-06")
    form.get_by_label("Audience").fill("Families of grade 11 students")
    form.get_by_role("button", name="Log communication").click()
    expect(page.get_by_text("Logged the communication through")).to_be_visible()
    expect(page.get_by_role("cell", name="Families of grade 11 students")).to_be_visible()
    assert_accessible(page, "communication page after logging")

    visitor = new_context().new_page()
    visitor.goto("/p/midtown/")
    expect(
        visitor.get_by_role("heading", name="Midtown District: work-based learning goals")
    ).to_be_visible()
    expect(visitor.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(visitor.get_by_role("heading", name=f"Goal 1. {GOAL}")).to_be_visible()
    measure = visitor.get_by_role("row", name=re.compile("^Seniors completing internships"))
    expect(measure.get_by_role("cell", name="50%")).to_be_visible()
    expect(visitor.get_by_text(FEEDBACK)).to_have_count(0)
    assert_accessible(visitor, "public goals page")

    # -- 6. A board member downloads the board packet ---------------------------------------
    board = new_context().new_page()
    sign_in(board, world.board)
    expect(board.get_by_role("heading", name="Goal sets", level=1)).to_be_visible()
    assert_accessible(board, "goal set list, board member")
    board.get_by_role("link", name=TITLE).click()
    expect(board.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    assert_accessible(board, "adopted goal set, board member")
    set_nav(board, "Feedback and approval")
    expect(board.get_by_role("heading", name="Feedback and approval", level=1)).to_be_visible()
    assert_accessible(board, "feedback page, board member")
    with board.expect_download() as info:
        board.get_by_role("link", name=re.compile("^Download the board packet")).click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(text.split())
    assert GOAL in flat
    assert FEEDBACK in flat

    # -- 7. Implement, Monitor, Revise, and version 2 ---------------------------------------
    set_nav(page, "Stage and next steps")
    expect(page.locator('[aria-current="step"]')).to_contain_text("Communicate")
    assert_accessible(page, "stage page in Communicate")
    move(page, "Start implementation")
    expect(page.get_by_text("The set is now in 4 Implement.")).to_be_visible()
    assert_accessible(page, "stage page in Implement")
    move(page, "Start monitoring")
    expect(page.get_by_text("The set is now in 5 Monitor.")).to_be_visible()
    assert_accessible(page, "stage page in Monitor")
    page.get_by_role("form", name="Open a revision").get_by_label("Why now").fill("Two-year review")
    move(page, "Open a revision")
    expect(page.get_by_text("the set is now in 6 Revise")).to_be_visible()
    assert_accessible(page, "stage page in Revise")

    set_nav(page, "Revision")
    expect(page.get_by_role("heading", name=re.compile("^Revision"), level=1)).to_be_visible()
    assert_accessible(page, "revision page, no outcome yet")
    page.get_by_role("link", name="Record the outcome of goal 1").click()
    expect(page.get_by_role("heading", name="Outcome of a goal", level=1)).to_be_visible()
    assert_accessible(page, "outcome form")
    page.get_by_label("Outcome").select_option(label="Carried forward")
    page.get_by_label("Notes").fill("Keep the target: placements grew but not enough.")
    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_text("Recorded the outcome: carried forward.")).to_be_visible()
    outcomes = page.get_by_role("table", name=re.compile("its outcome$"))
    expect(outcomes.get_by_role("cell", name="Carried forward")).to_be_visible()
    assert_accessible(page, "revision page with the outcome")

    page.get_by_role("button", name="Start the next version").click()
    expect(page.get_by_text("Started version 2 in 1 Draft")).to_be_visible()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts.get_by_text("1 Draft", exact=True)).to_be_visible()
    expect(facts.get_by_text("2", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=f"Goal 1. {GOAL}")).to_be_visible()
    expect(page.get_by_role("link", name="Edit goal 1")).to_be_visible()  # editable again
    assert_accessible(page, "version 2 in Draft")

    set_nav(page, "Versions")
    expect(page.get_by_role("heading", name=re.compile("^Versions"), level=1)).to_be_visible()
    expect(page.get_by_role("rowheader", name=re.compile("^Version 1"))).to_be_visible()
    expect(page.get_by_role("rowheader", name=re.compile("^Version 2"))).to_be_visible()
    assert_accessible(page, "versions page")
    compare = page.get_by_role("form", name="Choose two versions to compare")
    compare.get_by_label("Compare version").select_option(label="Version 1 (6 Revise)")
    compare.get_by_label("with version").select_option(label="Version 2 (1 Draft)")
    compare.get_by_role("button", name="Compare").click()
    expect(
        page.get_by_role("heading", name=re.compile("^Version 1 compared with version 2"), level=1)
    ).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("1 unchanged")
    unchanged = page.get_by_role("region", name=re.compile("^Unchanged goals"))
    expect(unchanged.get_by_text(GOAL)).to_be_visible()
    assert_accessible(page, "comparison of versions 1 and 2")

    # -- What the walk left behind -----------------------------------------------------------
    first = GoalSet.objects.get(pk=world.goal_set.pk)
    second = GoalSet.objects.get(previous_version=first)
    assert (first.stage, first.version) == (Stage.REVISE, 1)
    assert (second.stage, second.version) == (Stage.DRAFT, 2)
    assert list(second.goals.values_list("statement", "carried_from")) == [(GOAL, world.goal.pk)]
    assert second.goals.get().indicators.get().carried_from_id == world.indicator.pk
    feedback = Feedback.objects.get()
    assert (feedback.goal, feedback.group, feedback.body) == (
        world.goal,
        "business_partners",
        FEEDBACK,
    )
    adoption = BoardAdoption.objects.get()
    assert (adoption.votes_for, adoption.recorded_by) == (5, world.staff)
    assert Communication.objects.get().logged_by == world.staff
    assert GoalOutcome.objects.get(goal=world.goal).outcome == "carried_forward"
