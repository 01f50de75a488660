"""Test data for stages 3 and 4: adopting a set through the services, communications, action
steps."""

import datetime

import factory

from cycle import services
from cycle.channels import ensure_standard_channels
from cycle.models import ActionStep, BoardAdoption, Channel, Communication
from goals.models import GoalSet, Stage


def adopt(goal_set: GoalSet, *, by) -> GoalSet:
    """Walk a set from Draft or Approve to Communicate through the services (the board adopts
    it); a set already adopted is left as it is. Returns the fresh row."""
    goal_set.refresh_from_db()
    if goal_set.stage == Stage.DRAFT:
        services.submit_for_approval(goal_set, by=by, override_reason="Test set, adopted as is.")
        goal_set.refresh_from_db()
    if goal_set.stage == Stage.APPROVE:
        services.record_adoption(
            goal_set,
            by=by,
            adoption=BoardAdoption(
                governing_body="Board of Trustees",
                meeting_date=datetime.date(2018, 6, 12),
                outcome=BoardAdoption.Outcome.ADOPTED,
                votes_for=5,
            ),
        )
        goal_set.refresh_from_db()
    return goal_set


def standard_channel(district, key: str, *, by) -> Channel:
    ensure_standard_channels(district, by=by)
    return Channel.objects.get(district=district, standard_key=key)


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    name = factory.Sequence(lambda n: f"Channel {n}")
    order = 1000


class CommunicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Communication

    channel = factory.SubFactory(
        ChannelFactory, district=factory.SelfAttribute("..goal_set.district")
    )
    date = datetime.date(2018, 9, 4)
    audience = "Academy teachers"
    note = "Shared at the opening staff meeting."


class ActionStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionStep

    description = factory.Sequence(lambda n: f"Action step {n}")
    status = ActionStep.Status.NOT_STARTED
    order = factory.Sequence(lambda n: n + 1)


ORDER = [Stage.COMMUNICATE, Stage.IMPLEMENT, Stage.MONITOR, Stage.REVISE]
NEXT = {
    Stage.COMMUNICATE: services.start_implementation,
    Stage.IMPLEMENT: services.start_monitoring,
    Stage.MONITOR: services.open_revision,
}


def advance(goal_set: GoalSet, to: str, *, by) -> GoalSet:
    """Adopt the set, then move it on through the services until it reaches stage `to`."""
    goal_set = adopt(goal_set, by=by)
    while ORDER.index(goal_set.stage) < ORDER.index(to):
        NEXT[goal_set.stage](goal_set, by=by)
        goal_set.refresh_from_db()
    return goal_set
