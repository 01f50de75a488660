"""Stage 3, Communicate: the channels a district shares its goals through, and the log."""

from django.core.validators import MaxLengthValidator
from django.db import models

from goals.models import GoalSet
from wbl.history import TrackedHistory
from wbl.models import District, User, VersionedModel
from wbl.validators import no_markup


class Channel(VersionedModel):
    """A way the district shares its goals. Standard channels (from the source document's
    list, keys in cycle.channels) are created for a district when first needed; districts add
    their own (standard_key empty)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="channels")
    name = models.CharField(max_length=200, validators=[no_markup])
    standard_key = models.CharField(max_length=40, blank=True)
    order = models.PositiveIntegerField(default=0)
    history = TrackedHistory()

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="channel_unique_name")
        ]

    def __str__(self):
        return self.name


class Communication(VersionedModel):
    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, related_name="communications")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="communications")
    date = models.DateField()
    audience = models.CharField(max_length=200, blank=True, validators=[no_markup])
    note = models.TextField(blank=True, validators=[no_markup, MaxLengthValidator(4000)])
    link = models.URLField(blank=True, max_length=500)
    logged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    history = TrackedHistory()

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.channel} on {self.date}"
