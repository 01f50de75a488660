"""Two editors saving the same goal at the same moment, in real threads with their own database
connections: exactly one save wins, the other gets the conflict, and history has one new row."""

import threading

import pytest

from goals.forms import GoalForm
from goals.models import Goal
from tests.test_history import goal_data
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
