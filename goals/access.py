"""Resolve goal sets, goals and indicators for the request's district (404 for any other)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from goals.models import Goal, GoalSet, Indicator


def get_goal_set(request, pk, *, for_edit=False) -> GoalSet:
    goal_set = get_object_or_404(
        GoalSet.objects.select_related("district", "school", "pathway"),
        pk=pk,
        district=request.district,
    )
    if for_edit:
        ensure_editable(goal_set)
    return goal_set


def get_goal(request, pk, *, for_edit=False) -> Goal:
    goal = get_object_or_404(
        Goal.objects.select_related("goal_set__district", "owner"),
        pk=pk,
        goal_set__district=request.district,
    )
    if for_edit:
        ensure_editable(goal.goal_set)
    return goal


def get_indicator(request, pk, *, for_edit=False) -> Indicator:
    indicator = get_object_or_404(
        Indicator.objects.select_related("goal__goal_set__district"),
        pk=pk,
        goal__goal_set__district=request.district,
    )
    if for_edit:
        ensure_editable(indicator.goal.goal_set)
    return indicator


def ensure_deletable(goal_set: GoalSet) -> None:
    """What the board adopted is kept: an adopted set, its goals and indicators are never
    deleted (403 with the reason)."""
    if not goal_set.is_editable:
        raise PermissionDenied(
            f"“{goal_set.title}” (version {goal_set.version}) was adopted and is frozen: "
            "what the board adopted is kept, so the set, its goals and its indicators cannot "
            "be deleted. To drop a goal, go through 6 Revise and start a new version without it."
        )


def ensure_editable(goal_set: GoalSet) -> None:
    """Goal text and targets are editable until the board adopts the set."""
    if not goal_set.is_editable:
        raise PermissionDenied(
            f"“{goal_set.title}” (version {goal_set.version}) was adopted and is frozen: its "
            "goals and indicators can no longer be edited. To change them, go through "
            "6 Revise: record each goal's outcome there and start a new version."
        )
