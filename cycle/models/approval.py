"""Stage 2, Approve: stakeholder feedback (in the app and through links), stakeholder
meetings, and the board's adoption vote."""

import secrets

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from goals.models import Goal, GoalSet
from wbl.history import TrackedHistory
from wbl.models import User, VersionedModel
from wbl.validators import no_markup


class StakeholderGroup(models.TextChoices):
    STUDENTS = "students", "Students"
    STAFF = "staff", "Staff"
    PATHWAYS = "pathways", "Pathways"
    PARTNERS = "partners", "Partners"
    SITE_LEADERS = "site_leaders", "Site leaders"
    INTERMEDIARIES = "intermediaries", "Intermediaries"
    BUSINESS_PARTNERS = "business_partners", "Business partners"
    DISTRICT_OFFICIALS = "district_officials", "District officials"
    PARENTS = "parents", "Parents and families"
    ADVISORY_BOARD = "advisory_board", "Advisory board"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class FeedbackLink(VersionedModel):
    """An unguessable link through which people without an account read a draft and reply."""

    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, related_name="feedback_links")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    label = models.CharField(
        max_length=150, validators=[no_markup], help_text="Who it is for, e.g. “Advisory board”."
    )
    expires_on = models.DateField()
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory(excluded_fields=["token"])

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.label

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and timezone.localdate() <= self.expires_on


class Feedback(VersionedModel):
    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, related_name="feedback")
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback"
    )
    group = models.CharField(max_length=20, choices=StakeholderGroup.choices, db_index=True)
    body = models.TextField(validators=[no_markup, MaxLengthValidator(4000)])
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(
        max_length=150,
        blank=True,
        validators=[no_markup],
        help_text="Optional name given by someone replying through a link.",
    )
    link = models.ForeignKey(
        FeedbackLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "feedback"

    def __str__(self):
        return self.body[:60]


class StakeholderMeeting(VersionedModel):
    goal_set = models.ForeignKey(
        GoalSet, on_delete=models.CASCADE, related_name="stakeholder_meetings"
    )
    held_on = models.DateField()
    groups = models.JSONField(default=list, help_text="StakeholderGroup values present.")
    notes = models.TextField(blank=True, validators=[no_markup, MaxLengthValidator(6000)])
    history = TrackedHistory()

    class Meta:
        ordering = ["-held_on", "pk"]

    def __str__(self):
        return f"Meeting on {self.held_on}"


class BoardAdoption(VersionedModel):
    class Outcome(models.TextChoices):
        ADOPTED = "adopted", "Adopted"
        ADOPTED_AMENDED = "adopted_amended", "Adopted with amendments"
        TABLED = "tabled", "Tabled"
        NOT_ADOPTED = "not_adopted", "Not adopted"

    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, related_name="adoptions")
    governing_body = models.CharField(
        max_length=200, validators=[no_markup], default="Board of Trustees"
    )
    meeting_date = models.DateField()
    agenda_item = models.CharField(max_length=100, blank=True, validators=[no_markup])
    resolution_number = models.CharField(max_length=100, blank=True, validators=[no_markup])
    votes_for = models.PositiveSmallIntegerField(default=0)
    votes_against = models.PositiveSmallIntegerField(default=0)
    votes_abstaining = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    minutes_url = models.URLField(blank=True, max_length=500)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["-meeting_date", "-pk"]

    def __str__(self):
        return f"{self.governing_body}, {self.meeting_date}: {self.get_outcome_display()}"

    @property
    def adopts(self) -> bool:
        return self.outcome in (self.Outcome.ADOPTED, self.Outcome.ADOPTED_AMENDED)
