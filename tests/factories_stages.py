"""Test data for the stage pages, drafting and revision: goal sets placed in a stage (test
set-up only; the app moves sets through cycle.services), drafting rows and versions."""

import datetime
import itertools

import factory

from cycle.models import Comment, GoalOutcome, PromptAnswer, Resource, TeamMember
from goals.models import GoalSet, Stage
from tests.factories import GoalFactory, GoalSetFactory, IndicatorFactory

_titles = itertools.count(1)


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    name = factory.Sequence(lambda n: f"Team member {n}")
    affiliation = TeamMember.Affiliation.EMPLOYER
    role_on_team = "Writer"


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    title = factory.Sequence(lambda n: f"Resource {n}")
    description = "Worth reading together."
    url = "https://example.org/reading"
    order = factory.Sequence(lambda n: n + 1)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    body = factory.Sequence(lambda n: f"Comment {n}")


class PromptAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromptAnswer

    answer = "Our answer."


def good_goal(goal_set, owner, **kwargs):
    """A goal that passes the quality check, with one indicator."""
    goal = GoalFactory(goal_set=goal_set, owner=owner, **kwargs)
    IndicatorFactory(goal=goal)
    return goal


def set_in_stage(world, stage, *, goals=1, district=None, title=None, **kwargs):
    """A goal set of district A (or `district`) put straight into `stage`, with `goals` goals
    that pass the quality check."""
    district = district or world.district_a
    goal_set = GoalSetFactory(
        district=district, stage=stage, title=title or f"Set in {stage} {next(_titles)}", **kwargs
    )
    owner = world.staff if district == world.district_a else world.outsider
    for _ in range(goals):
        good_goal(goal_set, owner)
    return goal_set


def set_with_outcomes(world, outcome=GoalOutcome.Outcome.CARRIED_FORWARD, *, goals=1):
    """A goal set in Revise whose goals all have `outcome`."""
    goal_set = set_in_stage(world, Stage.REVISE, goals=goals)
    for goal in goal_set.goals.all():
        GoalOutcome.objects.create(goal=goal, outcome=outcome, notes="Reviewed.")
    return goal_set


def in_stage(stage):
    """Route args: a fresh set of district A in `stage`."""
    return lambda w: ["midtown", set_in_stage(w, stage).pk]


def revised(w):
    return ["midtown", set_with_outcomes(w).pk]


def goal_in_revise(w):
    return ["midtown", set_in_stage(w, Stage.REVISE).goals.first().pk]


def version_pair(world, by, *, goals=2):
    """Version 1 (in Revise, every goal carried forward) and version 2 started from it."""
    from cycle import services

    v1 = set_with_outcomes(world, goals=goals)
    v2 = services.start_new_version(v1, by=by)
    return GoalSet.objects.get(pk=v1.pk), v2


JUNE_2021 = datetime.date(2021, 6, 30)
