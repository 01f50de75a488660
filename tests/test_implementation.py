"""Stage 4, Implement: action steps per goal (htmx and full pages), overdue steps, the open
steps by owner, and the usual guarantees: history, lost updates, roles, districts, stages,
query budgets."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cycle.models import ActionStep
from cycle.views.implementation import step_refusal
from goals.models import Stage
from tests.factories import GoalFactory, GoalSetFactory, MembershipFactory, UserFactory
from tests.factories_communication import ActionStepFactory, adopt, advance

HX = {"HTTP_HX_REQUEST": "true"}
TODAY = timezone.localdate


@pytest.fixture
def adopted(world):
    return adopt(world.goal_set, by=world.admin)


def page_url(goal_set):
    return reverse("cycle:action_steps", args=[goal_set.district.slug, goal_set.pk])


def step_data(**extra):
    return {
        "description": "Recruit 40 more internship placements",
        "due_date": "2031-03-01",
        "status": "in_progress",
        "resources_needed": "Employer outreach time",
        **extra,
    }


# -- overdue -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days, status, overdue",
    [
        (-1, ActionStep.Status.NOT_STARTED, True),
        (-1, ActionStep.Status.IN_PROGRESS, True),
        (-1, ActionStep.Status.BLOCKED, True),
        (-1, ActionStep.Status.DONE, False),  # done is never overdue
        (0, ActionStep.Status.IN_PROGRESS, False),  # due today is not overdue yet
        (1, ActionStep.Status.NOT_STARTED, False),
        (None, ActionStep.Status.NOT_STARTED, False),
    ],
)
def test_overdue_at_its_edge(days, status, overdue):
    due = None if days is None else TODAY() + datetime.timedelta(days=days)
    assert ActionStep(due_date=due, status=status).is_overdue is overdue


def test_overdue_steps_stand_out_in_words_on_the_page(world, adopted, login):
    late = ActionStepFactory(
        goal=world.goal, description="Late step", due_date=TODAY() - datetime.timedelta(days=1)
    )
    ActionStepFactory(goal=world.goal, description="Due today step", due_date=TODAY())
    ActionStepFactory(
        goal=world.goal,
        description="Done late step",
        status="done",
        due_date=TODAY() - datetime.timedelta(days=30),
    )
    text = login(world.viewer).get(page_url(adopted)).content.decode()
    assert text.count('<strong class="overdue-flag">Overdue</strong>') == 1
    assert f'id="step-{late.pk}" class="step status-not_started overdue"' in text


# -- writes: history, htmx and full pages --------------------------------------------------


def test_staff_adds_a_step_without_javascript(world, adopted, login):
    client = login(world.staff)
    url = reverse("cycle:action_step_create", args=["midtown", world.goal.pk])
    page = client.get(url)
    assert "New action step" in page.content.decode()
    response = client.post(url, step_data(owner=world.coordinator.pk))
    step = ActionStep.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"{page_url(adopted)}#step-{step.pk}")
    assert (step.goal, step.owner, step.order) == (world.goal, world.coordinator, 1)
    history = ActionStep.history.get(id=step.pk)
    assert (history.history_type, history.history_user) == ("+", world.staff)
    text = client.get(page_url(adopted)).content.decode()
    assert "Recruit 40 more internship placements" in text and "Cora Coordinator" in text


def test_staff_adds_a_step_with_htmx_and_gets_the_goals_section(world, adopted, login):
    client = login(world.admin)
    url = reverse("cycle:action_step_create", args=["midtown", world.goal.pk])
    form = client.get(url, **HX).content.decode()
    assert form.lstrip().startswith("<div") and "<html" not in form
    assert f'hx-target="#goal-{world.goal.pk}-steps"' in form
    ActionStepFactory(goal=world.goal, order=4)
    response = client.post(url, step_data(), **HX)
    text = response.content.decode()
    assert response.status_code == 200
    assert text.lstrip().startswith(f'<section id="goal-{world.goal.pk}-steps"')
    assert "Recruit 40 more internship placements" in text
    step = ActionStep.objects.get(description="Recruit 40 more internship placements")
    assert step.order == 5
    assert ActionStep.history.get(id=step.pk).history_user == world.admin
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_an_invalid_htmx_add_keeps_the_section_with_the_errors(world, adopted, login):
    response = login(world.staff).post(
        reverse("cycle:action_step_create", args=["midtown", world.goal.pk]),
        step_data(description="", status="finished"),
        **HX,
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert text.lstrip().startswith(f'<section id="goal-{world.goal.pk}-steps"')
    assert 'class="errors"' in text
    assert set(response.context["step_form"].errors) == {"description", "status"}
    assert not ActionStep.objects.exists()


def test_edit_in_place_and_delete_write_history(world, adopted, login):
    step = ActionStepFactory(goal=world.goal, owner=world.staff)
    client = login(world.staff)
    edit = reverse("cycle:action_step_edit", args=["midtown", step.pk])
    form = client.get(edit, **HX).content.decode()
    assert form.lstrip().startswith(f'<li id="step-{step.pk}"')
    response = client.post(edit, step_data(status="done", row_version=1), **HX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<li id="step-{step.pk}"')
    step.refresh_from_db()
    assert (step.status, step.owner, step.row_version) == ("done", None, 2)
    assert ActionStep.history.filter(id=step.pk).latest("history_date").history_user == (
        world.staff
    )
    detail = client.get(reverse("cycle:action_step_detail", args=["midtown", step.pk]), **HX)
    assert "Done" in detail.content.decode()

    delete = reverse("cycle:action_step_delete", args=["midtown", step.pk])
    assert "Delete this action step?" in client.get(delete).content.decode()
    response = client.post(delete, **HX)
    assert response.content.decode().lstrip().startswith(f'<section id="goal-{world.goal.pk}')
    assert not ActionStep.objects.exists()
    assert ActionStep.history.get(id=step.pk, history_type="-").history_user == world.staff

    history = client.get(reverse("cycle:action_step_history", args=["midtown", adopted.pk]))
    text = history.content.decode()
    assert "Sam Staff" in text and "Not started" in text and "Done" in text and "Deleted" in text


def test_full_page_edit_and_delete_redirect_back(world, adopted, login):
    step = ActionStepFactory(goal=world.goal)
    client = login(world.admin)
    edit = reverse("cycle:action_step_edit", args=["midtown", step.pk])
    response = client.post(edit, step_data(row_version=1))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#step-{step.pk}")
    delete = reverse("cycle:action_step_delete", args=["midtown", step.pk])
    response = client.post(delete)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#goal-{world.goal.pk}-steps")


def test_the_owner_must_be_a_member_of_the_district(world, adopted, login):
    stranger = UserFactory(full_name="Stan Stranger")
    response = login(world.staff).post(
        reverse("cycle:action_step_create", args=["midtown", world.goal.pk]),
        step_data(owner=world.outsider.pk),
    )
    assert "owner" in response.context["form"].errors
    assert "Olga Outsider" not in response.content.decode()
    assert stranger.full_name not in response.content.decode()
    assert not ActionStep.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("description", "<script>x</script>"),
        ("resources_needed", "<b>x</b>"),
        ("due_date", "31/02/2030"),
        ("status", "finished"),
    ],
)
def test_bad_input_is_refused_at_the_field(world, adopted, login, field, value):
    response = login(world.staff).post(
        reverse("cycle:action_step_create", args=["midtown", world.goal.pk]),
        step_data(**{field: value}),
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ActionStep.objects.exists()


# -- lost updates --------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
def test_second_editor_of_a_step_gets_a_conflict(world, adopted, htmx):
    step = ActionStepFactory(goal=world.goal, description="Original")
    headers = HX if htmx else {}
    first, second = Client(), Client()
    first.force_login(world.staff)
    second.force_login(world.admin)
    url = reverse("cycle:action_step_edit", args=["midtown", step.pk])
    v1 = first.get(url, **headers).context["form"]["row_version"].value()
    v2 = second.get(url, **headers).context["form"]["row_version"].value()
    assert v1 == v2 == 1
    ok = first.post(url, step_data(description="Sam's step", row_version=v1), **headers)
    assert ok.status_code == (200 if htmx else 302)
    clash = second.post(url, step_data(description="Alice's step", row_version=v2), **headers)
    assert clash.status_code == 409
    text = clash.content.decode()
    assert "Someone else saved this while you were editing" in text
    assert "Sam&#x27;s step" in text and "Alice&#x27;s step" in text
    if htmx:
        assert text.lstrip().startswith(f'<li id="step-{step.pk}"')
    step.refresh_from_db()
    assert (step.description, step.row_version) == ("Sam's step", 2)
    assert clash.context["form"]["row_version"].value() == 2
    again = second.post(url, step_data(description="Alice's step", row_version=2), **headers)
    assert again.status_code == (200 if htmx else 302)
    step.refresh_from_db()
    assert step.description == "Alice's step"


# -- roles, districts, stages --------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "board", "viewer"])
def test_other_roles_may_not_write(world, adopted, login, persona):
    """Action steps are staff work: coordinators log progress, not plans."""
    step = ActionStepFactory(goal=world.goal, description="Keep me")
    client = login(getattr(world, persona))
    for url, data in [
        (reverse("cycle:action_step_create", args=["midtown", world.goal.pk]), step_data()),
        (reverse("cycle:action_step_edit", args=["midtown", step.pk]), step_data(row_version=1)),
        (reverse("cycle:action_step_delete", args=["midtown", step.pk]), {}),
    ]:
        assert client.post(url, data).status_code == 403, url
        assert client.post(url, data, **HX).status_code == 403, url
    assert list(ActionStep.objects.values_list("description", flat=True)) == ["Keep me"]
    text = client.get(page_url(adopted)).content.decode()
    assert "Keep me" in text
    assert "Add action step" not in text
    assert reverse("cycle:action_step_edit", args=["midtown", step.pk]) not in text


def test_another_districts_steps_are_404(world, adopted, login):
    adopt(world.other_goal_set, by=world.outsider)
    theirs = ActionStepFactory(goal=world.other_goal, description="B's secret step")
    client = login(world.staff)
    for name in ("action_step_detail", "action_step_edit", "action_step_delete"):
        url = reverse(f"cycle:{name}", args=["midtown", theirs.pk])
        for response in (client.get(url, **HX), client.post(url, step_data(row_version=1))):
            assert response.status_code in (404, 405)
            assert b"B's secret step" not in response.content
    assert ActionStep.objects.get(pk=theirs.pk).description == "B's secret step"
    text = client.get(reverse("cycle:open_steps", args=["midtown"])).content.decode()
    assert "B&#x27;s secret step" not in text
    assert login(world.outsider).get(page_url(adopted)).status_code == 404


@pytest.mark.parametrize("stage", [Stage.DRAFT, Stage.REVISE])
def test_wrong_stage_is_refused_with_a_message(world, login, stage):
    goal_set = world.goal_set
    step = None
    if stage == Stage.REVISE:
        adopt(goal_set, by=world.staff)
        step = ActionStepFactory(goal=world.goal, description="Kept as a record")
        goal_set = advance(goal_set, Stage.REVISE, by=world.staff)
    goal_set.refresh_from_db()
    client = login(world.staff)
    create = reverse("cycle:action_step_create", args=["midtown", world.goal.pk])
    response = client.post(create, step_data())
    assert response.status_code == 403
    assert escape(step_refusal(goal_set)) in response.content.decode()
    page = client.get(page_url(goal_set)).content.decode()
    assert escape(step_refusal(goal_set)) in page
    assert "Add action step" not in page
    if step:
        assert "Kept as a record" in page
        edit = reverse("cycle:action_step_edit", args=["midtown", step.pk])
        assert client.post(edit, step_data(row_version=1)).status_code == 403
        delete = reverse("cycle:action_step_delete", args=["midtown", step.pk])
        assert client.post(delete).status_code == 403
        assert ActionStep.objects.get(pk=step.pk).description == "Kept as a record"
    else:
        assert not ActionStep.objects.exists()


@pytest.mark.parametrize("stage", [Stage.COMMUNICATE, Stage.IMPLEMENT, Stage.MONITOR])
def test_steps_are_open_in_stages_three_to_five(world, login, stage):
    advance(world.goal_set, stage, by=world.staff)
    response = login(world.staff).post(
        reverse("cycle:action_step_create", args=["midtown", world.goal.pk]), step_data()
    )
    assert response.status_code == 302
    assert ActionStep.objects.count() == 1


# -- open steps by owner -------------------------------------------------------------------


def test_open_steps_grouped_by_owner_overdue_first(world, adopted, login):
    today = TODAY()
    day = datetime.timedelta(days=1)
    s_later = ActionStepFactory(
        goal=world.goal, owner=world.staff, description="S later", due_date=today + 10 * day
    )
    s_late = ActionStepFactory(
        goal=world.goal,
        owner=world.staff,
        description="S late",
        due_date=today - day,
        status="blocked",
    )
    s_today = ActionStepFactory(
        goal=world.goal, owner=world.staff, description="S today", due_date=today
    )
    a_none = ActionStepFactory(goal=world.goal, owner=world.admin, description="A undated")
    a_late = ActionStepFactory(
        goal=world.goal, owner=world.admin, description="A late", due_date=today - 5 * day
    )
    nobody = ActionStepFactory(goal=world.goal, owner=None, description="Nobody's")
    ActionStepFactory(
        goal=world.goal,
        owner=world.staff,
        description="S done",
        status="done",
        due_date=today - day,
    )
    draft_set = GoalSetFactory(district=world.district_a, title="Still a draft")
    ActionStepFactory(
        goal=GoalFactory(goal_set=draft_set), owner=world.staff, description="On a draft"
    )

    response = login(world.coordinator).get(reverse("cycle:open_steps", args=["midtown"]))
    groups = response.context["groups"]
    assert [g["owner"] for g in groups] == [world.admin, world.staff, None]
    assert [[s.pk for s in g["steps"]] for g in groups] == [
        [a_late.pk, a_none.pk],
        [s_late.pk, s_today.pk, s_later.pk],
        [nobody.pk],
    ]
    assert [g["overdue"] for g in groups] == [1, 1, 0]
    text = response.content.decode()
    assert "6 open steps, 2 overdue" in text
    assert text.count('<strong class="overdue-flag">Overdue</strong>') == 2
    assert "S done" not in text and "On a draft" not in text
    assert "No owner yet" in text


# -- query budgets -------------------------------------------------------------------------


def _grow(world, goal_set, size):
    for n in range(size):
        goal = GoalFactory(goal_set=goal_set, owner=world.staff)
        user = UserFactory(full_name=f"Owner {n}")
        MembershipFactory(user=user, district=world.district_a, role="staff")
        for days in (-3, 0, 7):
            ActionStepFactory(
                goal=goal, owner=user, due_date=TODAY() + datetime.timedelta(days=days)
            )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


BUDGETS = {
    "cycle:action_steps": 6,  # session + user + membership, goal set, goals, steps with owners
    "cycle:action_step_history": 5,  # session + user + membership, goal set, step history
    "cycle:open_steps": 4,  # session + user + membership, open steps with owners and goals
}


@pytest.mark.parametrize("name", sorted(BUDGETS))
@pytest.mark.parametrize("size", [3, 40])
def test_page_query_count_does_not_grow_with_data(world, adopted, login, name, size):
    _grow(world, adopted, size)
    args = ["midtown"] if name == "cycle:open_steps" else ["midtown", adopted.pk]
    assert _count(login(world.staff), reverse(name, args=args)) == BUDGETS[name]


def test_pages_show_every_step_at_size(world, adopted, login):
    _grow(world, adopted, 40)
    client = login(world.staff)
    assert client.get(page_url(adopted)).content.decode().count('class="step status-') == 120
    text = client.get(reverse("cycle:open_steps", args=["midtown"])).content.decode()
    assert "120 open steps, 40 overdue" in text
