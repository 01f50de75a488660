"""Writes at the same moment, in real threads with their own database connections: two editors
saving the same goal (exactly one save wins, the other gets the conflict, and history has one
new row); and slow writes that commit after later ones, which must still change what is kept
under a history mark: the computed figures dashboards keep and the cached public page."""

import threading
from contextlib import contextmanager

import pytest
from django.db import connection, transaction

from cycle.inventory import current_values
from cycle.models import ComputedRule
from goals.forms import GoalForm
from goals.models import Goal, Indicator
from tests.factories import IndicatorFactory
from tests.factories_inventory import ExperienceFactory, StudentFactory, kind, rule
from tests.test_history import goal_data
from wbl import history
from wbl.concurrency import EditConflict, save_form


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_from_the_same_version_let_exactly_one_win(world):
    goal_pk = world.goal.pk
    history_before = Goal.history.filter(id=goal_pk).count()
    barrier = threading.Barrier(2, timeout=30)
    outcomes = {}

    def editor(name, user):
        from django.db import connections

        try:
            goal = Goal.objects.select_related("goal_set__district").get(pk=goal_pk)
            form = GoalForm(
                goal_data(statement=f"{name}'s wording", row_version=1),
                instance=goal,
                goal_set=goal.goal_set,
            )
            assert form.is_valid(), form.errors
            barrier.wait()
            try:
                save_form(form, by=user, expected_version=form.expected_version)
                outcomes[name] = "saved"
            except EditConflict:
                outcomes[name] = "conflict"
        except Exception as exc:  # surface thread failures in the test
            outcomes[name] = repr(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=editor, args=("sam", world.staff)),
        threading.Thread(target=editor, args=("alice", world.admin)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert sorted(outcomes.values()) == ["conflict", "saved"], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    goal = Goal.objects.get(pk=goal_pk)
    assert goal.statement == f"{winner}'s wording"
    assert goal.row_version == 2
    assert Goal.history.filter(id=goal_pk).count() == history_before + 1


@contextmanager
def committed_last(write):
    """Run `write()` in a transaction on its own connection (a thread) and hold its commit
    until the with-block ends: what the block writes gets later ids but commits first."""
    has_written, may_commit = threading.Event(), threading.Event()
    failures = []

    def run():
        from django.db import connections

        try:
            with transaction.atomic():
                write()
                has_written.set()
                assert may_commit.wait(30)
        except Exception as exc:  # surface thread failures in the test
            failures.append(repr(exc))
        finally:
            has_written.set()
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    assert has_written.wait(30)
    assert failures == []
    try:
        yield
    finally:
        may_commit.set()
        thread.join(60)
    assert failures == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("depth", [3, history.MARK_DEPTH], ids=["deep-table", "small-table"])
def test_a_write_committed_after_a_later_one_still_changes_the_kept_figure(
    world, monkeypatch, depth
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time, so ids commit in order: PostgreSQL only")
    monkeypatch.setattr(history, "MARK_DEPTH", depth)
    district = world.district_a
    job_shadow = kind(district, "job-shadow")
    indicator = IndicatorFactory(goal=world.goal, source=Indicator.Source.COMPUTED)
    rule(indicator, job_shadow, result=ComputedRule.Result.COUNT)
    students = [StudentFactory(district=district, local_id=f"S{n}") for n in range(8)]
    for student in students[:5]:
        ExperienceFactory(student=student, kind=job_shadow)
    assert current_values([indicator])[indicator.pk] == 5

    with committed_last(lambda: ExperienceFactory(student=students[5], kind=job_shadow)):
        ExperienceFactory(student=students[6], kind=job_shadow)  # a later id, committed at once
        # A dashboard in between counts what is committed: the fast write, not the slow one.
        assert current_values([indicator])[indicator.pk] == 6

    # Both are committed now, and the figure kept in between must not stand for them.
    assert current_values([indicator])[indicator.pk] == 7


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("depth", [3, history.MARK_DEPTH], ids=["deep-table", "small-table"])
def test_a_profile_change_committed_after_a_later_one_still_reaches_the_public_page(
    world, monkeypatch, client, depth
):
    """The public page is cached under the mark of its sources: a district's profile saved
    first but committed after another district's must not leave the cached page stale."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time, so ids commit in order: PostgreSQL only")
    from django.core.cache import cache
    from django.urls import reverse

    monkeypatch.setattr(history, "MARK_DEPTH", depth)
    cache.clear()
    page = reverse("public:district", args=[world.district_a.slug])
    assert "Every student leaves with a plan" not in client.get(page).content.decode()

    def slow_profile_edit():
        district = type(world.district_a).objects.get(pk=world.district_a.pk)
        district.vision = "Every student leaves with a plan"
        history.save_with_history(district, by=world.admin)

    with committed_last(slow_profile_edit):
        other = world.district_b
        other.vision = "Central's own vision"
        history.save_with_history(other, by=world.outsider)  # a later id, committed at once
        # A visitor in between sees what is committed, and the page is cached under that mark.
        assert "Every student leaves with a plan" not in client.get(page).content.decode()

    assert "Every student leaves with a plan" in client.get(page).content.decode()
