"""Stage 4, Implement: action steps per goal."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from goals.models import Goal
from wbl.history import TrackedHistory
from wbl.models import User, VersionedModel
from wbl.validators import no_markup


class ActionStep(VersionedModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        BLOCKED = "blocked", "Blocked"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="action_steps")
    description = models.TextField(validators=[no_markup, MaxLengthValidator(2000)])
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_steps"
    )
    due_date = models.DateField(null=True, blank=True, db_index=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.NOT_STARTED, db_index=True
    )
    resources_needed = models.TextField(
        blank=True, validators=[no_markup, MaxLengthValidator(2000)]
    )
    order = models.PositiveIntegerField(default=0)
    history = TrackedHistory()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.description[:60]

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_date is not None
            and self.status != self.Status.DONE
            and self.due_date < timezone.localdate()
        )
