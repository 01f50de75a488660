"""Stage 2, Approve, in a real browser: a person with a feedback link (no account) leaves
feedback; staff manage links and record the board's vote; a board member downloads the
board packet. Every state reached is checked with axe-core."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from cycle.models import BoardAdoption, Feedback, FeedbackLink
from goals.models import GoalSet, Stage
from tests.factories_approval import make_feedback, make_link, to_approve

pytestmark = pytest.mark.browser


def test_person_with_a_link_leaves_feedback(world, new_context, assert_accessible):
    link = make_link(world.goal_set, by=world.staff)
    page = new_context().new_page()  # no account, not signed in
    page.goto(f"/feedback/{link.token}/")
    expect(
        page.get_by_role("heading", level=1, name="Your feedback on the draft goals")
    ).to_be_visible()
    expect(page.get_by_text("Midtown District shared this link with you")).to_be_visible()
    expect(page.get_by_text("read by district staff")).to_be_visible()
    expect(page.get_by_role("heading", name="Goal 1. Seniors complete internships")).to_be_visible()
    expect(page.get_by_role("link", name="Goal sets")).to_have_count(0)
    assert_accessible(page, "public feedback page")

    # Sending nothing: the errors are at the fields.
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Choose the group you belong to.")).to_be_visible()
    expect(page.get_by_text("Write your feedback before sending it.")).to_be_visible()
    assert_accessible(page, "public feedback page with errors")

    page.get_by_label("You are replying as").select_option(label="Parents and families")
    page.get_by_label("Your name").fill("Jamie Ortiz")
    page.get_by_label("About which goal").select_option(
        label="Goal 1: Seniors complete internships"
    )
    page.get_by_label("Your feedback", exact=True).fill(
        "Please tell families the internship hours early."
    )
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Thank you: your feedback was sent")).to_be_visible()
    expect(page.get_by_label("Your feedback", exact=True)).to_have_value("")
    assert_accessible(page, "public feedback page after sending")

    feedback = Feedback.objects.get()
    assert (feedback.link, feedback.group, feedback.goal, feedback.author_name) == (
        link,
        "parents",
        world.goal,
        "Jamie Ortiz",
    )


def test_board_member_downloads_the_packet(world, page, sign_in, assert_accessible):
    make_feedback(world.goal_set, group="students", body="Paid internships matter most.")
    sign_in(page, world.board)
    page.goto(world.goal_set.get_absolute_url())
    page.get_by_role("link", name="Feedback and approval").click()
    expect(page.get_by_role("heading", name="Feedback and approval", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Feedback links")).to_have_count(0)
    expect(page.get_by_text("Paid internships matter most.").first).to_be_visible()
    assert_accessible(page, "feedback page, board member")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the board packet").click()
    download = info.value
    assert download.suggested_filename.startswith("board-packet-midtown")
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Seniors complete internships" in text
    assert "Paid internships matter most." in text


def test_staff_run_feedback_and_record_the_vote(world, page, sign_in, assert_accessible):
    to_approve(world.goal_set, by=world.staff)
    sign_in(page, world.staff)
    page.goto(f"/d/midtown/sets/{world.goal_set.pk}/feedback/")
    expect(page.get_by_role("heading", name="Feedback and approval", level=1)).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")
    assert_accessible(page, "feedback page, staff")

    # A feedback link, created with htmx.
    form = page.get_by_role("form", name="Create a feedback link")
    form.get_by_label("Who the link is for").fill("Engineering advisory board")
    form.get_by_role("button", name="Create link").click()
    expect(page.get_by_text("Created the link for “Engineering advisory board”")).to_be_visible()
    link = FeedbackLink.objects.get()
    expect(page.get_by_label("Link for Engineering advisory board")).to_have_value(
        f"{page.url.split('/d/')[0]}/feedback/{link.token}/"
    )
    assert_accessible(page, "feedback page with a new link")

    # Members' own feedback, with htmx too.
    feedback = page.get_by_role("form", name="Leave feedback")
    feedback.get_by_label("Stakeholder group").select_option(label="Staff")
    feedback.get_by_label("Your feedback").fill("Counselors need the calendar by August.")
    feedback.get_by_role("button", name="Add feedback").click()
    expect(page.get_by_role("heading", name="What stakeholders said (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Staff (1)")).to_be_visible()

    # Revoke the link, confirming the question.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke the link for Engineering advisory board").click()
    expect(page.locator(f"#link-{link.pk}").get_by_text("Revoked")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage === true"), "a step reloaded the page"
    assert_accessible(page, "feedback page after revoking")

    # The board's vote, on its own page.
    page.get_by_role("link", name="Board adoption", exact=True).click()
    expect(page.get_by_role("heading", name="Board adoption", level=1)).to_be_visible()
    assert_accessible(page, "adoption form")
    page.get_by_label("Meeting date").fill("2017-10-17")
    page.get_by_label("Agenda item").fill("7.2")
    page.get_by_label("Resolution number").fill("2017-18/014")
    page.get_by_label("Votes for").fill("2")
    page.get_by_label("Votes against").fill("3")
    page.get_by_label("Outcome").select_option(label="Adopted")
    page.get_by_role("button", name="Record the vote").click()
    expect(page.get_by_text("An adopted outcome needs more votes for than against")).to_be_visible()
    assert_accessible(page, "adoption form with an error")
    page.get_by_label("Votes for").fill("5")
    page.get_by_label("Votes against").fill("0")
    page.get_by_role("button", name="Record the vote").click()
    expect(page.get_by_text("The set moved to 3 Communicate")).to_be_visible()
    expect(page.get_by_role("cell", name="5–0–0")).to_be_visible()
    assert_accessible(page, "adoption page after the vote")

    assert GoalSet.objects.get(pk=world.goal_set.pk).stage == Stage.COMMUNICATE
    assert BoardAdoption.objects.get().resolution_number == "2017-18/014"
