"""Stage 6, Revise: what became of each goal, and the priorities for the next version."""

from django.core.validators import MaxLengthValidator
from django.db import models

from goals.models import Goal, GoalSet
from wbl.history import TrackedHistory
from wbl.models import VersionedModel
from wbl.validators import no_markup


class GoalOutcome(VersionedModel):
    class Outcome(models.TextChoices):
        MET = "met", "Met"
        PARTLY_MET = "partly_met", "Partly met"
        SHIFTED = "shifted", "Shifted"
        RETIRED = "retired", "Retired"
        CARRIED_FORWARD = "carried_forward", "Carried forward"

    goal = models.OneToOneField(Goal, on_delete=models.CASCADE, related_name="outcome")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    notes = models.TextField(blank=True, validators=[no_markup, MaxLengthValidator(4000)])
    history = TrackedHistory()

    def __str__(self):
        return f"{self.goal}: {self.get_outcome_display()}"


class RevisionRecord(VersionedModel):
    """The revision of one adopted goal set: new priorities that its goals do not cover."""

    goal_set = models.OneToOneField(GoalSet, on_delete=models.CASCADE, related_name="revision")
    new_priorities = models.TextField(blank=True, validators=[no_markup, MaxLengthValidator(6000)])
    history = TrackedHistory()

    def __str__(self):
        return f"Revision of {self.goal_set}"
