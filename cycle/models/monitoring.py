"""Stage 5, Monitor: progress entries per indicator, data reviews, and reminders sent."""

from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models

from goals.models import GoalSet, Indicator
from wbl.history import TrackedHistory
from wbl.models import User, VersionedModel
from wbl.validators import no_markup


class ProgressEntry(VersionedModel):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="progress")
    value = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    as_of = models.DateField(db_index=True)
    note = models.TextField(blank=True, validators=[no_markup, MaxLengthValidator(2000)])
    evidence_url = models.URLField(blank=True, max_length=500)
    entered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["as_of", "pk"]
        indexes = [models.Index(fields=["indicator", "as_of"], name="progress_indicator_asof")]
        verbose_name_plural = "progress entries"

    def __str__(self):
        return f"{self.indicator}: {self.value} on {self.as_of}"


class DataReview(VersionedModel):
    """A meeting where site and district leaders look at the figures together."""

    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, related_name="data_reviews")
    scheduled_for = models.DateField()
    attendees = models.TextField(blank=True, validators=[no_markup, MaxLengthValidator(2000)])
    snapshot = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Each indicator's status and latest value as of the review date.",
    )
    notes = models.TextField(blank=True, validators=[no_markup, MaxLengthValidator(6000)])
    decisions = models.TextField(blank=True, validators=[no_markup, MaxLengthValidator(6000)])
    history = TrackedHistory()

    class Meta:
        ordering = ["-scheduled_for", "-pk"]

    def __str__(self):
        return f"Data review on {self.scheduled_for}"


class ReminderLog(models.Model):
    """A reminder that was sent, so the same due date is never reminded twice."""

    class Kind(models.TextChoices):
        DATA_DUE = "data_due", "Data due"
        REVISION_DUE = "revision_due", "Revision due"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, null=True, blank=True)
    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, null=True, blank=True)
    due_date = models.DateField()
    recipients = models.TextField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "indicator", "goal_set", "due_date"], name="reminder_once"
            ),
            # NULLs are distinct in a unique constraint (SQLite and PostgreSQL), so reminders
            # about a whole set (no indicator) need their own, partial, constraint.
            models.UniqueConstraint(
                fields=["kind", "goal_set", "due_date"],
                condition=models.Q(indicator__isnull=True),
                name="reminder_once_per_set",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} reminder for {self.due_date}"
