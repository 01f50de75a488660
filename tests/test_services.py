"""cycle.services without HTTP (pretix style): every transition's allowed path, wrong stage,
wrong role, unmet preconditions, and the Transition row it writes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from cycle import services
from cycle.models import BoardAdoption, GoalOutcome, Transition
from cycle.services import CycleError
from goals.models import Goal, GoalSet, Indicator, Stage
from tests.factories import GoalFactory, IndicatorFactory
from tests.factories_stages import set_in_stage, set_with_outcomes

pytestmark = pytest.mark.django_db

Outcome = GoalOutcome.Outcome
NOT_ALLOWED = ["board", "viewer", "coordinator", "outsider"]


def adoption(outcome=BoardAdoption.Outcome.ADOPTED):
    return BoardAdoption(
        governing_body="Midtown Board of Trustees",
        meeting_date=datetime.date(2017, 6, 13),
        agenda_item="7.2",
        resolution_number="2017-31",
        votes_for=5,
        votes_against=0,
        votes_abstaining=0,
        outcome=outcome,
    )


# Each transition: (stage it starts from, stage it leads to, how to call it with a user).
CALLS = {
    "submit_for_approval": (
        Stage.DRAFT,
        Stage.APPROVE,
        lambda s, by: services.submit_for_approval(s, by=by),
    ),
    "return_to_draft": (
        Stage.APPROVE,
        Stage.DRAFT,
        lambda s, by: services.return_to_draft(s, by=by, reason="The board asked for more"),
    ),
    "record_adoption": (
        Stage.APPROVE,
        Stage.COMMUNICATE,
        lambda s, by: services.record_adoption(s, by=by, adoption=adoption()),
    ),
    "start_implementation": (
        Stage.COMMUNICATE,
        Stage.IMPLEMENT,
        lambda s, by: services.start_implementation(s, by=by),
    ),
    "start_monitoring": (
        Stage.IMPLEMENT,
        Stage.MONITOR,
        lambda s, by: services.start_monitoring(s, by=by),
    ),
    "open_revision": (
        Stage.MONITOR,
        Stage.REVISE,
        lambda s, by: services.open_revision(s, by=by, reason="Two-year review"),
    ),
}
REASONS = {
    "submit_for_approval": "Submitted for approval",
    "return_to_draft": "The board asked for more",
    "record_adoption": "Adopted by Midtown Board of Trustees on June 13, 2017",
    "start_implementation": "Implementation started",
    "start_monitoring": "Monitoring started",
    "open_revision": "Two-year review",
}


def reload(goal_set):
    return GoalSet.objects.get(pk=goal_set.pk)


# -- every stage move ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("actor", ["staff", "admin"])
def test_allowed_path_moves_the_set_and_writes_a_transition(world, name, actor):
    start, end, call = CALLS[name]
    goal_set = set_in_stage(world, start)
    user = getattr(world, actor)
    history_before = goal_set.history.count()

    call(goal_set, user)

    moved = reload(goal_set)
    assert moved.stage == end
    assert moved.row_version == goal_set.row_version + 1
    transition = Transition.objects.get(goal_set=goal_set)
    assert (transition.from_stage, transition.to_stage) == (start, end)
    assert transition.by == user
    assert transition.reason == REASONS[name]
    assert transition.override_reason == ""
    # The stage change is one history row naming the acting user.
    assert moved.history.count() == history_before + 1
    latest = moved.history.first()
    assert (latest.stage, latest.history_user) == (end, user)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_wrong_stage_is_refused_with_a_message_and_nothing_changes(world, name):
    start, _, call = CALLS[name]
    wrong = next(s for s in Stage.values if s != start)
    goal_set = set_in_stage(world, wrong)
    with pytest.raises(CycleError, match=f"is in {Stage(wrong).label}, not {Stage(start).label}"):
        call(goal_set, world.staff)
    assert reload(goal_set).stage == wrong
    assert not Transition.objects.filter(goal_set=goal_set).exists()
    assert not BoardAdoption.objects.filter(goal_set=goal_set).exists()


@pytest.mark.parametrize("persona", NOT_ALLOWED)
@pytest.mark.parametrize("name", sorted(CALLS))
def test_wrong_role_is_permission_denied(world, name, persona):
    start, _, call = CALLS[name]
    goal_set = set_in_stage(world, start)
    with pytest.raises(PermissionDenied):
        call(goal_set, getattr(world, persona))
    assert reload(goal_set).stage == start
    assert not Transition.objects.filter(goal_set=goal_set).exists()


@pytest.mark.parametrize("persona", NOT_ALLOWED)
def test_wrong_role_cannot_start_a_new_version(world, persona):
    goal_set = set_with_outcomes(world)
    with pytest.raises(PermissionDenied):
        services.start_new_version(goal_set, by=getattr(world, persona))
    assert not goal_set.next_versions.exists()


def test_every_transition_has_a_test():
    functions = {
        "submit_for_approval",
        "return_to_draft",
        "record_adoption",
        "start_implementation",
        "start_monitoring",
        "open_revision",
        "start_new_version",
    }
    assert set(CALLS) | {"start_new_version"} == functions
    for name in functions:
        assert callable(getattr(services, name))


# -- submit for approval ---------------------------------------------------------------------


def test_submit_refused_while_a_goal_fails_the_quality_check(world):
    goal_set = set_in_stage(world, Stage.DRAFT)
    GoalFactory(goal_set=goal_set, owner=None, statement="No owner, no indicator")
    with pytest.raises(CycleError, match="1 goal\\(s\\) fail the quality check"):
        services.submit_for_approval(goal_set, by=world.staff)
    with pytest.raises(CycleError):
        services.submit_for_approval(goal_set, by=world.staff, override_reason="   ")
    assert reload(goal_set).stage == Stage.DRAFT
    assert not Transition.objects.filter(goal_set=goal_set).exists()


def test_submit_with_an_override_reason_keeps_it_on_the_transition(world):
    goal_set = set_in_stage(world, Stage.DRAFT)
    GoalFactory(goal_set=goal_set, owner=None)
    services.submit_for_approval(
        goal_set, by=world.staff, override_reason="  The board meets before the data is in.  "
    )
    transition = Transition.objects.get(goal_set=goal_set)
    assert transition.override_reason == "The board meets before the data is in."
    assert transition.to_stage == Stage.APPROVE


def test_override_reason_is_not_kept_when_every_goal_passes(world):
    goal_set = set_in_stage(world, Stage.DRAFT)
    services.submit_for_approval(goal_set, by=world.staff, override_reason="Just in case")
    assert Transition.objects.get(goal_set=goal_set).override_reason == ""


def test_submit_refused_without_goals(world):
    goal_set = set_in_stage(world, Stage.DRAFT, goals=0)
    with pytest.raises(CycleError, match="at least one goal"):
        services.submit_for_approval(goal_set, by=world.staff, override_reason="Anyway")
    assert reload(goal_set).stage == Stage.DRAFT


def test_failing_goals_lists_each_failing_goal_with_its_findings(world):
    goal_set = set_in_stage(world, Stage.DRAFT)
    bad = GoalFactory(goal_set=goal_set, owner=None)
    [(goal, findings)] = services.failing_goals(goal_set)
    assert goal == bad
    assert {f.code for f in findings} == {"no_owner", "no_indicator"}


# -- return to draft -------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_return_to_draft_needs_a_reason(world, reason):
    goal_set = set_in_stage(world, Stage.APPROVE)
    with pytest.raises(CycleError, match="Say why"):
        services.return_to_draft(goal_set, by=world.staff, reason=reason)
    assert reload(goal_set).stage == Stage.APPROVE
    assert not Transition.objects.filter(goal_set=goal_set).exists()


# -- board adoption --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "outcome", [BoardAdoption.Outcome.TABLED, BoardAdoption.Outcome.NOT_ADOPTED]
)
def test_a_vote_that_does_not_adopt_leaves_the_set_in_approve(world, outcome):
    goal_set = set_in_stage(world, Stage.APPROVE)
    saved = services.record_adoption(goal_set, by=world.staff, adoption=adoption(outcome))
    assert saved.pk and saved.recorded_by == world.staff
    assert saved.history.first().history_user == world.staff
    assert reload(goal_set).stage == Stage.APPROVE
    assert not Transition.objects.filter(goal_set=goal_set).exists()


def test_adopted_with_amendments_moves_to_communicate_and_freezes(world):
    goal_set = set_in_stage(world, Stage.APPROVE)
    services.record_adoption(
        goal_set, by=world.admin, adoption=adoption(BoardAdoption.Outcome.ADOPTED_AMENDED)
    )
    moved = reload(goal_set)
    assert moved.stage == Stage.COMMUNICATE
    assert not moved.is_editable
    assert Transition.objects.get(goal_set=goal_set).reason.startswith("Adopted with amendments")


# -- start a new version ---------------------------------------------------------------------


@pytest.fixture
def revised(world):
    """Version 1 in Revise: two goals carried forward (one with two indicators and a
    partner), one met and one retired."""
    goal_set = set_in_stage(world, Stage.REVISE, goals=0, title="Riverview student goals")
    carried = GoalFactory(
        goal_set=goal_set, owner=world.staff, statement="Carried A", responsible_roles="Counselors"
    )
    carried.responsible_partners.add(world.partner)
    IndicatorFactory(goal=carried, name="A1")
    IndicatorFactory(goal=carried, name="A2", milestones={"2018": "30"})
    carried_b = GoalFactory(goal_set=goal_set, owner=world.admin, statement="Carried B")
    IndicatorFactory(goal=carried_b, name="B1")
    met = GoalFactory(goal_set=goal_set, statement="Met goal")
    IndicatorFactory(goal=met, name="M1")
    retired = GoalFactory(goal_set=goal_set, statement="Retired goal")
    for goal, outcome in [
        (carried, Outcome.CARRIED_FORWARD),
        (carried_b, Outcome.CARRIED_FORWARD),
        (met, Outcome.MET),
        (retired, Outcome.RETIRED),
    ]:
        GoalOutcome.objects.create(goal=goal, outcome=outcome)
    return goal_set


def _snapshot(goal_set):
    goals = list(
        Goal.objects.filter(goal_set=goal_set).values_list("pk", "statement", "row_version")
    )
    indicators = list(
        Indicator.objects.filter(goal__goal_set=goal_set).values_list(
            "pk", "name", "target_value", "row_version"
        )
    )
    history = (
        Goal.history.filter(goal_set_id=goal_set.pk).count(),
        Indicator.history.filter(goal__goal_set=goal_set).count(),
    )
    set_row = GoalSet.objects.filter(pk=goal_set.pk).values().get()
    return goals, indicators, history, set_row


def test_start_new_version_copies_only_carried_forward_goals(world, revised):
    before = _snapshot(revised)

    new = services.start_new_version(revised, by=world.staff)

    assert (new.version, new.stage, new.previous_version) == (2, Stage.DRAFT, revised)
    assert (new.title, new.level, new.district) == (
        revised.title,
        revised.level,
        revised.district,
    )
    goals = list(new.goals.prefetch_related("indicators", "responsible_partners"))
    assert [g.statement for g in goals] == ["Carried A", "Carried B"]
    assert [g.order for g in goals] == [1, 2]
    a, b = goals
    old_a = Goal.objects.get(goal_set=revised, statement="Carried A")
    assert a.carried_from == old_a
    assert b.carried_from == Goal.objects.get(goal_set=revised, statement="Carried B")
    assert (a.owner, a.responsible_roles) == (world.staff, "Counselors")
    assert list(a.responsible_partners.all()) == [world.partner]
    assert [i.name for i in a.indicators.all()] == ["A1", "A2"]
    for indicator in a.indicators.all():
        old = old_a.indicators.get(name=indicator.name)
        assert indicator.carried_from == old
        assert (indicator.target_value, indicator.target_date, indicator.milestones) == (
            old.target_value,
            old.target_date,
            old.milestones,
        )
        assert indicator.revision_note == ""
    assert [i.name for i in b.indicators.all()] == ["B1"]
    assert not Goal.objects.filter(goal_set=new, statement__in=["Met goal", "Retired goal"])

    # Version 1 stays exactly as adopted.
    assert _snapshot(revised) == before
    assert reload(revised).stage == Stage.REVISE


def test_start_new_version_writes_history_and_a_transition_naming_the_user(world, revised):
    new = services.start_new_version(revised, by=world.admin)
    records = [
        *GoalSet.history.filter(id=new.pk),
        *Goal.history.filter(goal_set_id=new.pk),
        *Indicator.history.filter(goal__goal_set=new),
    ]
    assert len(records) == 1 + 2 + 3
    assert {r.history_user for r in records} == {world.admin}
    assert {r.history_type for r in records} == {"+"}
    partners = Goal.history.filter(goal_set_id=new.pk, statement="Carried A").get()
    recorded = partners.historicalgoal_responsible_partners_set.all()
    assert [r.partner for r in recorded] == [world.partner]
    transition = Transition.objects.get(goal_set=new)
    assert (transition.from_stage, transition.to_stage, transition.by) == (
        Stage.REVISE,
        Stage.DRAFT,
        world.admin,
    )
    assert transition.reason == "Version 2 started from version 1"


def test_start_new_version_needs_an_outcome_for_every_goal(world, revised):
    GoalFactory(goal_set=revised, statement="Forgotten goal")
    with pytest.raises(CycleError, match="1 without one"):
        services.start_new_version(revised, by=world.staff)
    assert not revised.next_versions.exists()
    assert GoalSet.objects.filter(title=revised.title).count() == 1


def test_a_second_new_version_is_refused(world, revised):
    services.start_new_version(revised, by=world.staff)
    with pytest.raises(CycleError, match="Version 2 of this set has already started"):
        services.start_new_version(revised, by=world.admin)
    assert GoalSet.objects.filter(title=revised.title).count() == 2


@pytest.mark.parametrize("stage", [s for s in Stage.values if s != Stage.REVISE])
def test_new_version_only_from_revise(world, stage):
    goal_set = set_in_stage(world, stage)
    with pytest.raises(CycleError):
        services.start_new_version(goal_set, by=world.staff)
    assert not goal_set.next_versions.exists()


def test_version_three_follows_version_two(world, revised):
    v2 = services.start_new_version(revised, by=world.staff)
    for goal in v2.goals.all():
        GoalOutcome.objects.create(goal=goal, outcome=Outcome.CARRIED_FORWARD)
    GoalSet.objects.filter(pk=v2.pk).update(stage=Stage.REVISE)
    v3 = services.start_new_version(reload(v2), by=world.staff)
    assert (v3.version, v3.previous_version_id) == (3, v2.pk)
    first = v3.goals.get(statement="Carried A")
    assert first.carried_from.carried_from.goal_set == revised
