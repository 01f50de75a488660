"""Stage 6, Revise: per-goal outcomes and new priorities (only while the set is in Revise and
its next version has not started), the list of a set's versions, and the comparison of two.

Starting the next version is a transition: cycle.views.stages.start_new_version."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cycle.forms.revision import CompareForm, GoalOutcomeForm, RevisionRecordForm
from cycle.models import GoalOutcome, RevisionRecord
from cycle.versions import compare as compare_versions
from cycle.versions import lineage
from goals.access import get_goal, get_goal_set
from goals.models import Goal, GoalSet, Stage
from wbl.access import Action, can, district_view
from wbl.concurrency import Edit


def why_not_revising(goal_set: GoalSet, next_version=None) -> str:
    """Why outcomes cannot be recorded now, or "" when they can."""
    if goal_set.stage == Stage.REVISE:
        if next_version is not None:
            return (
                f"Version {next_version.version} has already started from these outcomes, so "
                "they are kept as they were."
            )
        return ""
    if goal_set.is_editable:
        return (
            f"This version is in {goal_set.get_stage_display()} and has not been adopted yet: "
            "outcomes are recorded after the board adopts the goals and the district has "
            "worked with them, in 6 Revise."
        )
    return (
        f"This version is in {goal_set.get_stage_display()}. Outcomes are recorded in "
        "6 Revise: staff open a revision from 5 Monitor on the stage page when it is time to "
        "review the goals."
    )


def _ensure_revising(goal_set: GoalSet) -> None:
    reason = why_not_revising(goal_set, goal_set.next_versions.select_related("district").first())
    if reason:
        raise PermissionDenied(reason)


def _revision_url(request, goal_set, anchor="") -> str:
    url = reverse("cycle:revision", args=[request.district.slug, goal_set.pk])
    return f"{url}#{anchor}" if anchor else url


# -- outcomes and priorities ---------------------------------------------------------------


@district_view(Action.VIEW)
@require_GET
def revision(request, pk):
    goal_set = get_goal_set(request, pk)
    goals = list(
        Goal.objects.filter(goal_set=goal_set)
        .select_related("outcome", "owner")
        .order_by("order", "pk")
    )
    for position, goal in enumerate(goals, start=1):
        goal.position = position
        try:
            goal.recorded = goal.outcome
        except GoalOutcome.DoesNotExist:
            goal.recorded = None
    next_version = goal_set.next_versions.select_related("district").first()
    reason = why_not_revising(goal_set, next_version)
    can_run = can(request.membership, Action.RUN_CYCLE)
    tally = {}
    for goal in goals:
        if goal.recorded:
            label = goal.recorded.get_outcome_display()
            tally[label] = tally.get(label, 0) + 1
    return render(
        request,
        "cycle/revision/revision.html",
        {
            "goal_set": goal_set,
            "goals": goals,
            "record": RevisionRecord.objects.filter(goal_set=goal_set).first(),
            "why_not": reason,
            "can_edit": can_run and not reason,
            "can_start": can_run and not reason and goals and all(g.recorded for g in goals),
            "missing": sum(1 for g in goals if g.recorded is None),
            "tally": sorted(tally.items()),
            "next_version": next_version,
        },
    )


@district_view(Action.RUN_CYCLE)
@require_http_methods(["GET", "POST"])
def outcome_edit(request, pk):
    goal = get_goal(request, pk)
    goal_set = goal.goal_set
    _ensure_revising(goal_set)
    existing = GoalOutcome.objects.filter(goal=goal).first()
    form = GoalOutcomeForm(request.POST or None, instance=existing or GoalOutcome(), goal=goal)
    result = Edit(request, form, on_duplicate=lambda: GoalOutcome.objects.get(goal=goal))
    if result.saved:
        messages.success(
            request, f"Recorded the outcome: {result.instance.get_outcome_display().lower()}."
        )
        return redirect(_revision_url(request, goal_set, f"goal-{goal.pk}"))
    return render(
        request,
        "cycle/revision/outcome_form.html",
        {"form": result.form, "goal": goal, "goal_set": goal_set, "conflict": result.conflict},
        status=result.status,
    )


@district_view(Action.RUN_CYCLE)
@require_http_methods(["GET", "POST"])
def priorities_edit(request, pk):
    goal_set = get_goal_set(request, pk)
    _ensure_revising(goal_set)
    existing = RevisionRecord.objects.filter(goal_set=goal_set).first()
    form = RevisionRecordForm(
        request.POST or None, instance=existing or RevisionRecord(), goal_set=goal_set
    )
    result = Edit(request, form, on_duplicate=lambda: RevisionRecord.objects.get(goal_set=goal_set))
    if result.saved:
        messages.success(request, "Saved the new priorities.")
        return redirect(_revision_url(request, goal_set, "priorities"))
    return render(
        request,
        "cycle/revision/priorities_form.html",
        {"form": result.form, "goal_set": goal_set, "conflict": result.conflict},
        status=result.status,
    )


# -- versions ------------------------------------------------------------------------------


def _versions(goal_set):
    return lineage(goal_set, GoalSet.objects.for_list())


def _compare_form(versions, data=None):
    initial = {}
    if len(versions) >= 2:
        initial = {"a": versions[-2].pk, "b": versions[-1].pk}
    return CompareForm(data, versions=versions, initial=initial)


@district_view(Action.VIEW)
@require_GET
def versions(request, pk):
    goal_set = get_goal_set(request, pk)
    versions = _versions(goal_set)
    return render(
        request,
        "cycle/revision/versions.html",
        {
            "goal_set": goal_set,
            "versions": versions,
            "form": _compare_form(versions) if len(versions) > 1 else None,
        },
    )


def _version_param(request, name, by_pk):
    value = request.GET.get(name, "")
    if not value.isdigit() or int(value) not in by_pk:
        raise Http404
    return by_pk[int(value)]


@district_view(Action.VIEW)
@require_GET
def compare(request, pk):
    goal_set = get_goal_set(request, pk)
    versions = _versions(goal_set)
    by_pk = {v.pk: v for v in versions}
    if "a" in request.GET or "b" in request.GET:
        old, new = _version_param(request, "a", by_pk), _version_param(request, "b", by_pk)
    else:
        previous = by_pk.get(goal_set.previous_version_id)
        old, new = (previous or goal_set), goal_set
    if old.version > new.version:
        old, new = new, old
    changes, outcomes = [], {}
    if old.pk != new.pk:
        changes = compare_versions(old, new, versions=versions)
        outcomes = {o.goal_id: o for o in GoalOutcome.objects.filter(goal__goal_set=old)}
    for change in changes:
        change.outcome = outcomes.get(change.old.pk) if change.old else None
    groups = [
        ("added", "Added goals", [c for c in changes if c.kind == "added"]),
        ("removed", "Removed goals", [c for c in changes if c.kind == "removed"]),
        ("changed", "Changed goals", [c for c in changes if c.kind == "changed"]),
    ]
    return render(
        request,
        "cycle/revision/compare.html",
        {
            "goal_set": goal_set,
            "old": old,
            "new": new,
            "groups": groups,
            "unchanged": [c for c in changes if c.kind == "unchanged"],
            "form": _compare_form(versions, {"a": old.pk, "b": new.pk}),
            "versions": versions,
        },
    )
