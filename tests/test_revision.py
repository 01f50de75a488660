"""Stage 6, Revise: outcomes and new priorities (only in Revise), versions and their
comparison; and the demo that walks Riverview's student goals into version 2."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cycle import services
from cycle.demo import stages as demo
from cycle.models import (
    BoardAdoption,
    Comment,
    DraftingRecord,
    GoalOutcome,
    PromptAnswer,
    Resource,
    RevisionRecord,
    TeamMember,
    Transition,
)
from goals.models import Goal, GoalSet, Indicator, Stage
from goals.quality import check_goal
from tests.factories import GoalFactory, GoalSetFactory, IndicatorFactory
from tests.factories_stages import set_in_stage, version_pair
from wbl.models import User

pytestmark = pytest.mark.django_db
Outcome = GoalOutcome.Outcome


def url(name, *args):
    return reverse(f"cycle:{name}", args=["midtown", *args])


def text(response):
    return response.content.decode()


# -- the revision page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "stage, why",
    [
        (Stage.DRAFT, "has not been adopted yet"),
        (Stage.APPROVE, "has not been adopted yet"),
        (Stage.COMMUNICATE, "staff open a revision from 5 Monitor"),
        (Stage.MONITOR, "staff open a revision from 5 Monitor"),
    ],
)
def test_outside_revise_the_page_says_why_and_writes_are_refused(stage, why, world, login):
    goal_set = set_in_stage(world, stage)
    goal = goal_set.goals.get()
    client = login(world.staff)
    page = text(client.get(url("revision", goal_set.pk)))
    assert why in page
    assert url("outcome_edit", goal.pk) not in page
    for name, pk, data in [
        ("outcome_edit", goal.pk, {"outcome": "met"}),
        ("priorities_edit", goal_set.pk, {"new_priorities": "More"}),
    ]:
        response = client.post(url(name, pk), data)
        assert response.status_code == 403
        assert why in text(response)
    assert not GoalOutcome.objects.exists() and not RevisionRecord.objects.exists()


def test_outcome_record_and_change_with_history(world, login):
    goal_set = set_in_stage(world, Stage.REVISE)
    goal = goal_set.goals.get()
    client = login(world.staff)
    page = text(client.get(url("revision", goal_set.pk)))
    assert "Record the outcome" in page and "Not recorded" in page
    response = client.post(url("outcome_edit", goal.pk), {"outcome": "partly_met", "notes": "Half"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#goal-{goal.pk}")
    outcome = GoalOutcome.objects.get(goal=goal)
    assert [(r.history_type, r.history_user) for r in outcome.history.all()] == [("+", world.staff)]
    admin = login(world.admin)
    changed = admin.post(
        url("outcome_edit", goal.pk), {"outcome": "carried_forward", "notes": "", "row_version": 1}
    )
    assert changed.status_code == 302
    outcome.refresh_from_db()
    assert (outcome.outcome, outcome.row_version) == (Outcome.CARRIED_FORWARD, 2)
    assert outcome.history.first().history_user == world.admin
    assert "1 carried forward" in text(admin.get(url("revision", goal_set.pk)))


def test_outcome_lost_update(world):
    goal_set = set_in_stage(world, Stage.REVISE)
    goal = goal_set.goals.get()
    GoalOutcome.objects.create(goal=goal, outcome=Outcome.MET)
    first, second = Client(), Client()
    first.force_login(world.staff)
    second.force_login(world.admin)
    address = url("outcome_edit", goal.pk)
    assert first.post(address, {"outcome": "retired", "row_version": 1}).status_code == 302
    clash = second.post(address, {"outcome": "shifted", "row_version": 1})
    assert clash.status_code == 409
    assert "Retired" in text(clash) and "Shifted" in text(clash)
    assert GoalOutcome.objects.get(goal=goal).outcome == Outcome.RETIRED


def test_new_priorities_with_history_and_version_check(world, login):
    goal_set = set_in_stage(world, Stage.REVISE)
    client = login(world.staff)
    address = url("priorities_edit", goal_set.pk)
    assert client.post(address, {"new_priorities": "Grade 9 awareness"}).status_code == 302
    record = RevisionRecord.objects.get(goal_set=goal_set)
    assert record.history.get().history_user == world.staff
    stale = client.post(address, {"new_priorities": "Something else", "row_version": ""})
    assert stale.status_code == 409
    assert RevisionRecord.objects.get(goal_set=goal_set).new_priorities == "Grade 9 awareness"
    assert "Grade 9 awareness" in text(client.get(url("revision", goal_set.pk)))


@pytest.mark.parametrize("persona", ["board", "viewer", "coordinator"])
def test_outcomes_refuse_other_roles(persona, world, login):
    goal_set = set_in_stage(world, Stage.REVISE)
    client = login(getattr(world, persona))
    goal = goal_set.goals.get()
    assert client.post(url("outcome_edit", goal.pk), {"outcome": "met"}).status_code == 403
    assert client.post(url("priorities_edit", goal_set.pk), {}).status_code == 403
    page = text(client.get(url("revision", goal_set.pk)))
    assert "Record the outcome" not in page
    assert not GoalOutcome.objects.exists()


def test_another_districts_goal_outcome_is_404(world, login):
    other = set_in_stage(world, Stage.REVISE, district=world.district_b, title="Central secret")
    goal = other.goals.get()
    client = login(world.staff)
    for method in ("get", "post"):
        response = getattr(client, method)(url("outcome_edit", goal.pk), {"outcome": "met"})
        assert response.status_code == 404
        assert b"Central secret" not in response.content
    assert not GoalOutcome.objects.exists()


def test_revision_page_starts_the_next_version_when_every_goal_has_an_outcome(world, login):
    goal_set = set_in_stage(world, Stage.REVISE, goals=2)
    first, second = goal_set.goals.all()
    GoalOutcome.objects.create(goal=first, outcome=Outcome.CARRIED_FORWARD)
    client = login(world.staff)
    page = text(client.get(url("revision", goal_set.pk)))
    assert "Record an outcome for every goal first (1 without one)" in page
    assert url("start_new_version", goal_set.pk) not in page
    GoalOutcome.objects.create(goal=second, outcome=Outcome.MET)
    page = text(client.get(url("revision", goal_set.pk)))
    assert f'action="{url("start_new_version", goal_set.pk)}"' in page
    response = client.post(url("start_new_version", goal_set.pk))
    new = GoalSet.objects.get(previous_version=goal_set)
    assert response["Location"] == new.get_absolute_url()
    assert [g.statement for g in new.goals.all()] == [first.statement]
    # Once version 2 has started, version 1's outcomes are kept as they were.
    page = text(client.get(url("revision", goal_set.pk)))
    assert "Version 2 has already started" in page
    assert client.post(url("outcome_edit", first.pk), {"outcome": "met"}).status_code == 403


# -- versions and comparison -----------------------------------------------------------------


@pytest.fixture
def pair(world):
    """Version 1 (two goals carried forward, one met) and version 2 with one changed target
    (with a reason), one changed goal field, one removed indicator and an added goal."""
    v1 = set_in_stage(world, Stage.REVISE, goals=0, title="Riverview goals")
    kept = GoalFactory(goal_set=v1, owner=world.staff, statement="Course plans for all")
    IndicatorFactory(goal=kept, name="Plans updated", target_value=90)
    IndicatorFactory(goal=kept, name="Plans reviewed by families")
    renamed = GoalFactory(goal_set=v1, owner=world.staff, statement="Speaker lunches")
    IndicatorFactory(goal=renamed, name="Lunch attendance")
    met = GoalFactory(goal_set=v1, owner=world.staff, statement="Three applications")
    IndicatorFactory(goal=met, name="Applications")
    for goal, outcome in [
        (kept, Outcome.CARRIED_FORWARD),
        (renamed, Outcome.CARRIED_FORWARD),
        (met, Outcome.MET),
    ]:
        GoalOutcome.objects.create(goal=goal, outcome=outcome, notes=f"Notes on {goal.statement}")
    v2 = services.start_new_version(v1, by=world.staff)
    plans = Indicator.objects.get(goal__goal_set=v2, name="Plans updated")
    plans.target_value = Decimal(95)
    plans.revision_note = "Families asked for a higher bar"
    plans.save()
    Indicator.objects.get(goal__goal_set=v2, name="Plans reviewed by families").delete()
    Goal.objects.filter(goal_set=v2, statement="Speaker lunches").update(
        statement="Speaker lunches each semester"
    )
    added = GoalFactory(goal_set=v2, owner=world.staff, statement="Grade 9 workplace visits")
    IndicatorFactory(goal=added, name="Visits recorded", target_value=80)
    return GoalSet.objects.get(pk=v1.pk), v2


def test_versions_page_lists_every_version_with_its_stage(world, login, pair):
    v1, v2 = pair
    page = text(login(world.board).get(url("versions", v1.pk)))
    assert "Version 1" in page and "Version 2" in page
    assert "6 Revise" in page and "1 Draft" in page
    assert f'action="{url("compare", v1.pk)}"' in page
    assert f'<option value="{v1.pk}" selected>' in page
    assert 'aria-current="page"' in page


def test_versions_page_of_a_single_version(world, login):
    page = text(login(world.viewer).get(url("versions", world.goal_set.pk)))
    assert "nothing to compare yet" in page


def test_compare_shows_added_removed_and_changed_field_by_field(world, login, pair):
    v1, v2 = pair
    response = login(world.board).get(url("compare", v2.pk), {"a": v1.pk, "b": v2.pk})
    assert response.status_code == 200
    page = text(response)
    assert "1 goal added, 1 goal removed, 2 goals changed, 0 unchanged" in page
    added = page[page.index('id="added"') : page.index('id="removed"')]
    removed = page[page.index('id="removed"') : page.index('id="changed"')]
    changed = page[page.index('id="changed"') : page.index('id="unchanged"')]
    assert "Grade 9 workplace visits" in added and "Visits recorded" in added
    assert "Three applications" in removed
    assert "Outcome in version 1: <strong>Met</strong>" in removed
    assert "Notes on Three applications" in removed
    assert "Speaker lunches each semester" in changed
    assert (
        '<th scope="row">Statement</th><td>Speaker lunches</td>'
        "<td>Speaker lunches each semester</td>" in changed
    )
    assert '<th scope="row">Target</th><td>90.00</td><td>95.00</td>' in changed
    assert "<strong>Reason given:</strong> Families asked for a higher bar" in changed
    assert 'Plans reviewed by families</strong> <span class="change-kind">(removed)' in changed


def test_compare_in_either_order_and_by_default(world, login, pair):
    v1, v2 = pair
    client = login(world.viewer)
    reversed_page = text(client.get(url("compare", v1.pk), {"a": v2.pk, "b": v1.pk}))
    assert "Version 1 compared with version 2" in reversed_page
    default = text(client.get(url("compare", v2.pk)))
    assert "Version 1 compared with version 2" in default
    same = text(client.get(url("compare", v1.pk), {"a": v1.pk, "b": v1.pk}))
    assert "Choose two different versions" in same


def test_compare_of_a_set_with_one_version(world, login):
    page = text(login(world.viewer).get(url("compare", world.goal_set.pk)))
    assert "nothing to compare yet" in page


def test_compare_refuses_versions_outside_the_lineage(world, login, pair):
    v1, v2 = pair
    stranger = GoalSetFactory(district=world.district_a, title="Another set")
    client = login(world.staff)
    for params in [
        {"a": v1.pk, "b": stranger.pk},
        {"a": stranger.pk, "b": v2.pk},
        {"a": v1.pk, "b": world.other_goal_set.pk},
        {"a": v1.pk},
        {"a": "x", "b": v2.pk},
    ]:
        response = client.get(url("compare", v2.pk), params)
        assert response.status_code == 404, params
        assert b"Central WBL system" not in response.content
    # Another district's versions, through district A's address: 404.
    assert client.get(url("compare", world.other_goal_set.pk)).status_code == 404


def test_comparison_text_is_escaped(world, login, pair):
    v1, v2 = pair
    evil = "<script>alert(1)</script>"
    Goal.objects.filter(goal_set=v2, statement="Grade 9 workplace visits").update(statement=evil)
    Indicator.objects.filter(goal__goal_set=v2, name="Plans updated").update(revision_note=evil)
    page = text(login(world.staff).get(url("compare", v2.pk)))
    assert "<script>alert(1)" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2


def test_lineage_takes_two_queries_whatever_the_number_of_versions(world):
    from cycle.versions import lineage

    v1, v2 = version_pair(world, world.staff)
    for goal in v2.goals.all():
        GoalOutcome.objects.create(goal=goal, outcome=Outcome.CARRIED_FORWARD)
    GoalSet.objects.filter(pk=v2.pk).update(stage=Stage.REVISE)
    v3 = services.start_new_version(GoalSet.objects.get(pk=v2.pk), by=world.staff)
    with CaptureQueriesContext(connection) as ctx:
        versions = lineage(v2)
    assert [v.pk for v in versions] == [v1.pk, v2.pk, v3.pk]
    assert len(ctx.captured_queries) == 2


# -- query budgets ---------------------------------------------------------------------------


def _count(client, address, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grown_pair(world, size):
    v1 = set_in_stage(world, Stage.REVISE, goals=0)
    for n in range(size):
        goal = GoalFactory(goal_set=v1, owner=world.staff)
        goal.responsible_partners.add(world.partner)
        IndicatorFactory(goal=goal)
        IndicatorFactory(goal=goal)
        outcome = Outcome.MET if n % 3 == 0 else Outcome.CARRIED_FORWARD
        GoalOutcome.objects.create(goal=goal, outcome=outcome)
    v2 = services.start_new_version(v1, by=world.staff)
    for n, indicator in enumerate(Indicator.objects.filter(goal__goal_set=v2)):
        if n % 2:
            indicator.target_value = 70
            indicator.revision_note = "Reason"
            indicator.save()
    for _ in range(size):
        IndicatorFactory(goal=GoalFactory(goal_set=v2, owner=world.admin))
    return v1, v2


# Session + user + membership, the set, the lineage (2), then the page's own queries.
REVISION_BUDGETS = {
    "compare": 10,  # goals, indicators, partners, old version's outcomes
    "versions": 6,
    "revision": 7,  # goals with outcomes, priorities, next version
}


@pytest.mark.parametrize("name", sorted(REVISION_BUDGETS))
@pytest.mark.parametrize("size", [3, 30])
def test_revision_pages_query_count_does_not_grow(name, size, world, login):
    v1, v2 = _grown_pair(world, size)
    pk = v1.pk if name == "revision" else v2.pk
    params = {"a": v1.pk, "b": v2.pk} if name == "compare" else None
    assert _count(login(world.staff), url(name, pk), params) == REVISION_BUDGETS[name]


# -- the demo --------------------------------------------------------------------------------


DEMO_MODELS = [
    GoalSet,
    Goal,
    Indicator,
    TeamMember,
    DraftingRecord,
    PromptAnswer,
    Comment,
    Resource,
    BoardAdoption,
    GoalOutcome,
    RevisionRecord,
]


def _counts():
    counts = {m.__name__: (m.objects.count(), m.history.count()) for m in DEMO_MODELS}
    counts["Transition"] = Transition.objects.count()
    return counts


def test_demo_walks_riverview_into_version_two_and_runs_twice(settings):
    call_command("load_demo", force=True, verbosity=0)
    admin = User.objects.get(email="admin@demo.wbl")
    demo.load(by=admin)
    after_first = _counts()
    demo.load(by=admin)
    assert _counts() == after_first

    v1 = GoalSet.objects.get(title=demo.RIVERVIEW, version=1)
    v2 = GoalSet.objects.get(title=demo.RIVERVIEW, version=2)
    assert (v1.stage, v2.stage, v2.previous_version) == (Stage.REVISE, Stage.DRAFT, v1)
    moves = list(Transition.objects.filter(goal_set=v1).values_list("from_stage", "to_stage"))
    assert moves == [
        (Stage.DRAFT, Stage.APPROVE),
        (Stage.APPROVE, Stage.COMMUNICATE),
        (Stage.COMMUNICATE, Stage.IMPLEMENT),
        (Stage.IMPLEMENT, Stage.MONITOR),
        (Stage.MONITOR, Stage.REVISE),
    ]
    assert Transition.objects.filter(goal_set=v1).first().override_reason
    assert v1.adoptions.get().outcome == BoardAdoption.Outcome.ADOPTED
    team = list(v1.team.all())
    assert 4 <= len(team) <= 5
    assert len({m.affiliation for m in team}) == len(team)
    assert v1.drafting.ground_rules
    assert v1.prompt_answers.count() >= 3
    assert all(a.prompt_key.startswith("student-") for a in v1.prompt_answers.all())
    assert v1.comments.filter(goal__isnull=True).exists()
    assert v1.comments.filter(goal__isnull=False).exists()
    outcomes = sorted(
        GoalOutcome.objects.filter(goal__goal_set=v1).values_list("outcome", flat=True)
    )
    assert outcomes == sorted(
        [Outcome.CARRIED_FORWARD, Outcome.CARRIED_FORWARD, Outcome.MET, Outcome.RETIRED]
    )
    for district in ("midtown", "central"):
        assert Resource.objects.filter(district__slug=district).count() == 5

    # Version 2: carried goals, one with a changed target and a reason, one new goal; every
    # version 2 goal passes the quality check.
    changed = Indicator.objects.get(
        goal__goal_set=v2, name="Graduates holding four or more microcredentials"
    )
    assert changed.carried_from.target_value == 75
    assert changed.target_value == 60 and changed.revision_note
    assert changed.target_date == datetime.date(2023, 6, 30)
    assert v2.goals.filter(carried_from__isnull=True).count() == 1
    for goal in v2.goals.prefetch_related("indicators"):
        assert check_goal(goal, v2) == [], goal.statement
    assert (v2.start_year, v2.target_year) == (2020, 2023)

    client = Client()
    client.force_login(User.objects.get(email="board@demo.wbl"))
    page = client.get(reverse("cycle:compare", args=["midtown", v2.pk])).content.decode()
    assert "1 goal added, 2 goals removed, 2 goals changed, 0 unchanged" in page
    assert "Reason given:" in page
