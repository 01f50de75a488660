from django.db import models
from django.utils import timezone

from goals.models import GoalSet, Stage
from wbl.models import User


class Transition(models.Model):
    """One move of a goal set between stages. Written only by cycle.services; never edited."""

    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(max_length=12, choices=Stage.choices)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.TextField(blank=True)
    override_reason = models.TextField(
        blank=True, help_text="Why the set was submitted although goals failed the quality check."
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.goal_set}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"
