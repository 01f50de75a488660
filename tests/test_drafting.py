"""Stage 1, Draft: the drafting page, team, ground rules, discussion prompts, comments and the
district's reading list: history per write, lost updates, roles, districts, query budget,
escaping."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cycle import prompts as prompt_module
from cycle.models import Comment, DraftingRecord, PromptAnswer, Resource, TeamMember
from cycle.prompts import PROMPTS, prompt_for, prompts_for
from cycle.reading_list import READING_LIST, seed_reading_list
from goals.models import GoalSet, Stage
from tests.factories import GoalFactory, GoalSetFactory
from tests.factories_stages import (
    CommentFactory,
    PromptAnswerFactory,
    ResourceFactory,
    TeamMemberFactory,
    set_in_stage,
)

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"cycle:{name}", args=["midtown", *args])


def text(response):
    return response.content.decode()


def member_data(**extra):
    return {
        "name": "Jordan Ellis",
        "affiliation": "employer",
        "role_on_team": "Employer voice",
        **extra,
    }


# -- prompts in our own words ----------------------------------------------------------------


def test_nine_system_and_six_student_prompts():
    assert [p.key for p in PROMPTS["system"]] == [f"system-{n}" for n in range(1, 10)]
    assert [p.key for p in PROMPTS["student"]] == [f"student-{n}" for n in range(1, 7)]
    for prompt in [*PROMPTS["system"], *PROMPTS["student"]]:
        assert prompt.text.endswith("?") and prompt.topic


# Sentences of the source document's question lists: our prompts must not repeat them.
DOCUMENT_QUESTIONS = [
    "What would the ideal WBL system look like for your district/school/pathway?",
    "How much growth is needed to get to the ideal WBL system?",
    "What are some ambitious yet reasonable numerical targets for WBL growth?",
    "What staffing will be needed to support the ideal WBL system?",
    "What program additions will be needed for the ideal WBL system?",
    "What tangible steps can the district commit to at this point?",
    "What is an ambitious yet reasonable timeline for these changes?",
    "What evidence should we see from a student who is career ready?",
    "How can we best scaffold WBL experiences across grades 9 through 12?",
    "Will the district expect the same level of WBL achievement from all students?",
]


def test_prompts_are_in_our_own_words():
    with open(prompt_module.__file__) as module_file:
        source = module_file.read()
    for question in DOCUMENT_QUESTIONS:
        assert question not in source
        words = question.lower().rstrip("?").split()
        for prompt in [*PROMPTS["system"], *PROMPTS["student"]]:
            # No run of eight words in a row taken from the document.
            mine = " ".join(prompt.text.lower().split())
            for i in range(len(words) - 7):
                assert " ".join(words[i : i + 8]) not in mine, (question, prompt.key)


def test_prompts_follow_the_sets_level(world):
    student = GoalSetFactory(district=world.district_a, level=GoalSet.Level.STUDENT)
    assert len(prompts_for(world.goal_set)) == 9
    assert len(prompts_for(student)) == 6
    assert prompt_for(world.goal_set, "student-1") is None
    assert prompt_for(student, "student-6").number == 6


# -- the drafting page -----------------------------------------------------------------------


def test_drafting_page_shows_team_rules_prompts_comments_and_reading_list(world, login):
    TeamMemberFactory(goal_set=world.goal_set, name="Priya Raman", user=world.coordinator)
    DraftingRecord.objects.create(goal_set=world.goal_set, ground_rules="Decide by consensus.")
    PromptAnswerFactory(goal_set=world.goal_set, prompt_key="system-3")
    CommentFactory(goal_set=world.goal_set, author=world.board, body="First comment")
    CommentFactory(
        goal_set=world.goal_set, goal=world.goal, author=world.viewer, body="On the goal"
    )
    page = text(login(world.board).get(url("drafting", world.goal_set.pk)))
    assert "Priya Raman" in page and "Cora Coordinator" in page
    assert "Decide by consensus." in page
    assert "answered 1 of the 9 system-level discussion prompts" in page
    assert page.index("First comment") < page.index("On the goal")
    assert "Bo Board" in page and "Vic Viewer" in page
    assert "on the whole set" in page and f"goal 1: {world.goal.statement}</a>" in page
    for title, _, _ in READING_LIST:
        assert title.replace("’", "&#x27;").replace("'", "&#x27;") in page or title in page
    # Read only for a board member: no edit controls, but the comment form.
    assert "Add a team member" not in page and "Write the ground rules" not in page
    assert f'action="{url("comment_add", world.goal_set.pk)}"' in page


def test_drafting_records_are_read_only_once_adopted(world, login):
    goal_set = set_in_stage(world, Stage.COMMUNICATE)
    member = TeamMemberFactory(goal_set=goal_set)
    client = login(world.staff)
    page = text(client.get(url("drafting", goal_set.pk)))
    assert "Add a team member" not in page and "Comments stay open" in page
    for name, args, data in [
        ("team_add", [goal_set.pk], member_data()),
        ("team_edit", [member.pk], member_data(row_version=1)),
        ("team_remove", [member.pk], {}),
        ("ground_rules", [goal_set.pk], {"ground_rules": "x"}),
        ("prompt_answer", [goal_set.pk, "system-1"], {"answer": "x"}),
    ]:
        response = client.post(url(name, *args), data)
        assert response.status_code == 403, name
        assert "frozen" in text(response)
    assert TeamMember.objects.filter(goal_set=goal_set).count() == 1
    assert not PromptAnswer.objects.filter(goal_set=goal_set).exists()


# -- the reading list ------------------------------------------------------------------------


def test_reading_list_is_seeded_on_first_use_once(world, login):
    assert not Resource.objects.exists()
    client = login(world.viewer)
    page = text(client.get(url("resources")))
    resources = list(Resource.objects.filter(district=world.district_a))
    assert [r.title for r in resources] == [t for t, _, _ in READING_LIST]
    assert all(r.url.startswith("http") and r.description for r in resources)
    assert "Making Work-Based Learning Work" in page
    assert "https://www.wested.org/online_pubs/workbasedlearning.pdf" in page
    record = resources[0].history.get()
    assert record.history_user is None and record.history_type == "+"
    assert not Resource.objects.filter(district=world.district_b).exists()

    # Emptied on purpose, it stays empty.
    for resource in resources:
        resource.delete()
    client.get(url("resources"))
    client.get(url("drafting", world.goal_set.pk))
    assert not Resource.objects.filter(district=world.district_a).exists()
    assert seed_reading_list(world.district_a, by=world.admin) == []


def test_seed_reading_list_service_names_the_user(world):
    created = seed_reading_list(world.district_b, by=world.outsider)
    assert len(created) == len(READING_LIST)
    assert {r.history.get().history_user for r in created} == {world.outsider}
    assert seed_reading_list(world.district_b, by=world.outsider) == []


def test_resource_add_edit_delete_write_history(world, login):
    client = login(world.staff)
    response = client.post(
        url("resource_add"),
        {"title": "Our WBL handbook", "description": "Local rules.", "url": "handbook.example.org"},
    )
    assert response.status_code == 302
    resource = Resource.objects.get(title="Our WBL handbook")
    assert resource.url == "https://handbook.example.org"
    assert resource.order == len(READING_LIST) + 1  # after the seeded list
    assert resource.history.get().history_user == world.staff

    data = {"title": "Our WBL handbook, 2nd ed.", "description": "", "url": "", "row_version": 1}
    assert client.post(url("resource_edit", resource.pk), data).status_code == 302
    assert resource.history.count() == 2
    assert resource.history.first().history_user == world.staff

    stale = login(world.admin).post(url("resource_edit", resource.pk), {**data, "title": "Mine"})
    assert stale.status_code == 409
    assert "Our WBL handbook, 2nd ed." in text(stale) and "Mine" in text(stale)

    client = login(world.staff)
    assert client.post(url("resource_delete", resource.pk)).status_code == 302
    deleted = Resource.history.filter(id=resource.pk).first()
    assert (deleted.history_type, deleted.history_user) == ("-", world.staff)
    history = text(client.get(url("resource_history")))
    assert "Deleted · Resource: Our WBL handbook, 2nd ed." in history


def test_resource_form_refuses_markup_and_bad_urls(world, login):
    response = login(world.admin).post(
        url("resource_add"), {"title": "<script>x</script>", "url": "javascript:alert(1)"}
    )
    assert response.status_code == 200
    page = text(response)
    assert "Use plain text here" in page and "Enter a valid URL" in page
    assert not Resource.objects.filter(title__contains="script").exists()


@pytest.mark.parametrize("name", ["resource_edit", "resource_delete"])
def test_another_districts_resource_is_404(name, world, login):
    other = ResourceFactory(district=world.district_b, title="Central only")
    client = login(world.staff)
    for method in ("get", "post"):
        response = getattr(client, method)(url(name, other.pk))
        assert response.status_code == 404
        assert b"Central only" not in response.content
    assert Resource.objects.filter(pk=other.pk).exists()


# -- the drafting team -----------------------------------------------------------------------


def test_team_add_edit_remove_leave_one_history_row_each(world, login):
    client = login(world.staff)
    response = client.post(url("team_add", world.goal_set.pk), member_data(user=world.admin.pk))
    assert response.status_code == 302
    assert response["Location"].endswith("#team")
    member = TeamMember.objects.get(goal_set=world.goal_set)
    assert (member.name, member.user) == ("Jordan Ellis", world.admin)
    assert [(r.history_type, r.history_user) for r in member.history.all()] == [("+", world.staff)]

    edit = login(world.admin).post(
        url("team_edit", member.pk), member_data(role_on_team="Reviewer", row_version=1)
    )
    assert edit.status_code == 302
    assert [(r.history_type, r.history_user) for r in member.history.all()][0] == (
        "~",
        world.admin,
    )
    assert member.history.count() == 2

    client = login(world.staff)
    assert client.get(url("team_remove", member.pk)).status_code == 200
    assert client.post(url("team_remove", member.pk)).status_code == 302
    last = TeamMember.history.filter(id=member.pk).first()
    assert (last.history_type, last.history_user) == ("-", world.staff)
    history = text(client.get(url("drafting_history", world.goal_set.pk)))
    assert "Team member: Jordan Ellis" in history and "Reviewer" in history


def test_team_member_edit_is_version_checked(world):
    member = TeamMemberFactory(goal_set=world.goal_set, name="Priya")
    first, second = Client(), Client()
    first.force_login(world.staff)
    second.force_login(world.admin)
    address = url("team_edit", member.pk)
    assert first.post(address, member_data(name="Priya R.", row_version=1)).status_code == 302
    clash = second.post(address, member_data(name="Priya Raman", row_version=1))
    assert clash.status_code == 409
    assert "Priya R." in text(clash) and "Priya Raman" in text(clash)
    assert TeamMember.objects.get(pk=member.pk).name == "Priya R."


def test_team_account_is_limited_to_district_members(world, login):
    response = login(world.staff).post(
        url("team_add", world.goal_set.pk), member_data(user=world.outsider.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    page = text(login(world.staff).get(url("team_add", world.goal_set.pk)))
    assert "Olga Outsider" not in page and "Cora Coordinator" in page


@pytest.mark.parametrize("persona", ["board", "viewer", "coordinator"])
def test_team_and_rules_refuse_other_roles(persona, world, login):
    member = TeamMemberFactory(goal_set=world.goal_set)
    client = login(getattr(world, persona))
    for name, args in [
        ("team_add", [world.goal_set.pk]),
        ("team_edit", [member.pk]),
        ("team_remove", [member.pk]),
        ("ground_rules", [world.goal_set.pk]),
        ("prompt_answer", [world.goal_set.pk, "system-1"]),
    ]:
        assert client.post(url(name, *args), member_data()).status_code == 403, name
    assert TeamMember.objects.filter(goal_set=world.goal_set).count() == 1


@pytest.mark.parametrize("name", ["team_edit", "team_remove"])
def test_another_districts_team_member_is_404(name, world, login):
    other = TeamMemberFactory(goal_set=world.other_goal_set, name="Central person")
    client = login(world.staff)
    for method in ("get", "post"):
        response = getattr(client, method)(url(name, other.pk), member_data(row_version=1))
        assert response.status_code == 404
        assert b"Central person" not in response.content
    assert TeamMember.objects.get(pk=other.pk).name == "Central person"


# -- ground rules and prompt answers: history and lost updates -------------------------------


def test_ground_rules_first_save_then_edit(world, login):
    client = login(world.staff)
    address = url("ground_rules", world.goal_set.pk)
    assert client.post(address, {"ground_rules": "Meet on Tuesdays."}).status_code == 302
    record = DraftingRecord.objects.get(goal_set=world.goal_set)
    assert record.history.get().history_user == world.staff
    form_page = client.get(address)
    assert form_page.context["form"]["row_version"].value() == 1
    ok = client.post(address, {"ground_rules": "Meet on Wednesdays.", "row_version": 1})
    assert ok.status_code == 302
    record.refresh_from_db()
    assert (record.ground_rules, record.row_version) == ("Meet on Wednesdays.", 2)
    assert record.history.count() == 2


@pytest.mark.parametrize("existing", [False, True])
def test_ground_rules_lost_update(world, existing):
    if existing:
        DraftingRecord.objects.create(goal_set=world.goal_set, ground_rules="Old rules")
    first, second = Client(), Client()
    first.force_login(world.staff)
    second.force_login(world.admin)
    address = url("ground_rules", world.goal_set.pk)
    v1 = first.get(address).context["form"]["row_version"].value()
    v2 = second.get(address).context["form"]["row_version"].value()
    assert v1 == v2 == (1 if existing else None)
    version = "" if v1 is None else v1
    ok = first.post(address, {"ground_rules": "Sam's rules", "row_version": version})
    assert ok.status_code == 302
    clash = second.post(address, {"ground_rules": "Alice's rules", "row_version": version})
    assert clash.status_code == 409
    page = text(clash)
    assert "Someone else saved this while you were editing" in page
    assert "Sam&#x27;s rules" in page and "Alice&#x27;s rules" in page
    assert DraftingRecord.objects.get(goal_set=world.goal_set).ground_rules == "Sam's rules"
    # Saving again from the rebased form keeps Alice's rules on purpose.
    again_version = clash.context["form"]["row_version"].value()
    again = second.post(address, {"ground_rules": "Alice's rules", "row_version": again_version})
    assert again.status_code == 302
    assert DraftingRecord.objects.get(goal_set=world.goal_set).ground_rules == "Alice's rules"


def test_prompts_page_shows_each_prompt_with_its_answer(world, login):
    PromptAnswerFactory(goal_set=world.goal_set, prompt_key="system-5", answer="Double it.")
    page = text(login(world.viewer).get(url("prompts", world.goal_set.pk)))
    assert page.count('class="prompt"') == 9
    assert page.count("Not answered yet.") == 8
    assert "Double it." in page
    section = re.search(r'id="prompt-system-5".*?</li>', page, re.S).group(0)
    assert PROMPTS["system"][4].text in section.replace("&#x27;", "'")
    assert "Answer<span" not in page  # read only for a viewer


def test_prompt_answer_writes_one_history_row_with_the_user(world, login):
    client = login(world.staff)
    address = url("prompt_answer", world.goal_set.pk, "system-2")
    response = client.post(address, {"answer": "WBL helps graduation rates."})
    assert response.status_code == 302
    assert response["Location"].endswith("#prompt-system-2")
    answer = PromptAnswer.objects.get(goal_set=world.goal_set, prompt_key="system-2")
    assert [(r.history_type, r.history_user) for r in answer.history.all()] == [("+", world.staff)]
    client.post(address, {"answer": "And attendance.", "row_version": 1})
    assert answer.history.count() == 2
    assert answer.history.first().history_user == world.staff
    history = text(client.get(url("drafting_history", world.goal_set.pk)))
    assert "Prompt 2: Other priorities" in history and "And attendance." in history


@pytest.mark.parametrize("existing", [False, True])
def test_prompt_answer_lost_update(world, existing):
    if existing:
        PromptAnswerFactory(goal_set=world.goal_set, prompt_key="system-1", answer="Start")
    first, second = Client(), Client()
    first.force_login(world.staff)
    second.force_login(world.admin)
    address = url("prompt_answer", world.goal_set.pk, "system-1")
    version = first.get(address).context["form"]["row_version"].value()
    version = "" if version is None else version
    assert (
        first.post(address, {"answer": "Sam's answer", "row_version": version}).status_code == 302
    )
    clash = second.post(address, {"answer": "Alice's answer", "row_version": version})
    assert clash.status_code == 409
    assert "Sam&#x27;s answer" in text(clash) and "Alice&#x27;s answer" in text(clash)
    saved = PromptAnswer.objects.get(goal_set=world.goal_set, prompt_key="system-1")
    assert saved.answer == "Sam's answer"


def test_prompt_answer_with_htmx_swaps_the_prompt_in_place(world, login):
    client = login(world.staff)
    address = url("prompt_answer", world.goal_set.pk, "system-4")
    form = client.get(address, HTTP_HX_REQUEST="true")
    assert "<html" not in text(form)
    assert f'hx-post="{address}"' in text(form)
    saved = client.post(address, {"answer": "A long way."}, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    assert text(saved).startswith('<li id="prompt-system-4"')
    assert "A long way." in text(saved)
    assert saved["Vary"].find("HX-Request") >= 0
    clash = client.post(address, {"answer": "Stale", "row_version": ""}, HTTP_HX_REQUEST="true")
    assert clash.status_code == 409
    assert "Someone else saved this" in text(clash) and "<html" not in text(clash)
    cancel = client.get(url("prompt_detail", world.goal_set.pk, "system-4"), HTTP_HX_REQUEST="true")
    assert "A long way." in text(cancel)


@pytest.mark.parametrize("key", ["student-1", "system-10", "nope"])
def test_prompt_of_another_level_or_unknown_is_404(world, login, key):
    client = login(world.staff)
    assert client.get(url("prompt_answer", world.goal_set.pk, key)).status_code == 404
    assert (
        client.post(url("prompt_answer", world.goal_set.pk, key), {"answer": "x"}).status_code
        == 404
    )
    assert not PromptAnswer.objects.exists()


# -- comments --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "staff", "coordinator", "board", "viewer"])
def test_any_member_comments_on_the_set_and_on_a_goal(persona, world, login):
    user = getattr(world, persona)
    client = login(user)
    address = url("comment_add", world.goal_set.pk)
    assert client.post(address, {"body": "On the set"}).status_code == 302
    response = client.post(address, {"body": "On the goal", "goal": world.goal.pk})
    assert response.status_code == 302
    comment = Comment.objects.get(body="On the goal")
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert (comment.goal, comment.author) == (world.goal, user)
    assert comment.history.get().history_user == user
    assert Comment.objects.get(body="On the set").goal is None


def test_comments_are_allowed_in_any_stage(world, login):
    goal_set = set_in_stage(world, Stage.MONITOR)
    response = login(world.board).post(
        url("comment_add", goal_set.pk), {"body": "How is it going?"}
    )
    assert response.status_code == 302
    assert Comment.objects.filter(goal_set=goal_set).count() == 1


def test_comment_on_another_sets_goal_or_empty_is_refused_at_the_field(world, login):
    other_set_goal = GoalFactory(goal_set=GoalSetFactory(district=world.district_a))
    client = login(world.viewer)
    address = url("comment_add", world.goal_set.pk)
    for data, message in [
        ({"body": "x", "goal": other_set_goal.pk}, "Select a valid choice"),
        ({"body": "x", "goal": world.other_goal.pk}, "Select a valid choice"),
        ({"body": "  "}, "This field is required"),
        ({"body": "<script>alert(1)</script>"}, "Use plain text here"),
    ]:
        response = client.post(address, data)
        assert response.status_code == 200
        assert message in text(response)
    assert not Comment.objects.exists()


def test_comment_with_htmx_returns_the_comments_section(world, login):
    client = login(world.board)
    response = client.post(
        url("comment_add", world.goal_set.pk), {"body": "Fine by me"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert text(response).startswith('<section id="comments"')
    assert "Fine by me" in text(response) and "Posted your comment." in text(response)
    invalid = client.post(
        url("comment_add", world.goal_set.pk), {"body": ""}, HTTP_HX_REQUEST="true"
    )
    assert invalid.status_code == 200 and "This field is required" in text(invalid)


def test_preselected_goal_for_a_comment(world, login):
    page = text(
        login(world.viewer).get(url("drafting", world.goal_set.pk) + f"?goal={world.goal.pk}")
    )
    assert f'<option value="{world.goal.pk}" selected>' in page


# -- escaping --------------------------------------------------------------------------------


def test_drafting_text_is_escaped(world, login):
    evil = "<script>alert(1)</script>"
    TeamMemberFactory(goal_set=world.goal_set, name=evil, role_on_team=evil)
    DraftingRecord.objects.create(goal_set=world.goal_set, ground_rules=evil)
    CommentFactory(goal_set=world.goal_set, author=world.staff, body=evil)
    PromptAnswerFactory(goal_set=world.goal_set, prompt_key="system-1", answer=evil)
    ResourceFactory(district=world.district_a, title=evil, description=evil)
    client = login(world.staff)
    for address in [
        url("drafting", world.goal_set.pk),
        url("prompts", world.goal_set.pk),
        url("resources"),
        url("drafting_history", world.goal_set.pk),
    ]:
        page = text(client.get(address))
        assert "<script>alert(1)" not in page, address
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, address


# -- query budget ----------------------------------------------------------------------------


def _grow(world, size):
    gs = world.goal_set
    DraftingRecord.objects.get_or_create(goal_set=gs, defaults={"ground_rules": "Rules"})
    for n in range(size):
        goal = GoalFactory(goal_set=gs, owner=world.staff)
        TeamMemberFactory(goal_set=gs, user=world.coordinator if n % 2 else None)
        CommentFactory(goal_set=gs, author=world.board, goal=goal if n % 2 else None)
        ResourceFactory(district=world.district_a)
    for prompt in PROMPTS["system"][: min(size, 9)]:
        PromptAnswerFactory(goal_set=gs, prompt_key=prompt.key)
    client = Client()
    client.force_login(world.staff)
    # History rows to show: edit every answer once through the page.
    for answer in PromptAnswer.objects.filter(goal_set=gs):
        client.post(
            url("prompt_answer", gs.pk, answer.prompt_key),
            {"answer": "Edited", "row_version": answer.row_version},
        )


def _count(client, address):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# Session + user + membership, then the page's own queries.
BUDGETS = {
    "drafting": 11,  # set, seeded?, goals, answers, team, rules, resources, comments
    "prompts": 5,  # set, answers
    "drafting_history": 8,  # set, four histories
    "resources": 5,  # seeded?, resources
    "resource_history": 4,
}


@pytest.mark.parametrize("name", sorted(BUDGETS))
@pytest.mark.parametrize("size", [2, 30])
def test_drafting_pages_query_count_does_not_grow(name, size, world, login):
    seed_reading_list(world.district_a, by=world.admin)
    _grow(world, size)
    args = [] if name.startswith("resource") else [world.goal_set.pk]
    assert _count(login(world.staff), url(name, *args)) == BUDGETS[name]


def test_two_first_answers_at_once_keep_the_first_and_report_a_conflict(world, rf):
    """Both editors saw no answer; the second insert hits the one-answer-per-prompt rule."""
    from cycle.forms.drafting import PromptAnswerForm
    from wbl.concurrency import Edit

    prompt = prompt_for(world.goal_set, "system-1")
    PromptAnswerFactory(goal_set=world.goal_set, prompt_key="system-1", answer="First")
    request = rf.post("/", {"answer": "Second", "row_version": ""})
    request.user = world.admin
    form = PromptAnswerForm(
        request.POST, instance=PromptAnswer(), goal_set=world.goal_set, prompt=prompt
    )
    result = Edit(
        request,
        form,
        on_duplicate=lambda: PromptAnswer.objects.get(
            goal_set=world.goal_set, prompt_key="system-1"
        ),
    )
    assert not result.saved and result.status == 409
    assert [(r.theirs, r.yours) for r in result.conflict] == [("First", "Second")]
    assert result.form["row_version"].value() == 1
    assert PromptAnswer.objects.get().answer == "First"
