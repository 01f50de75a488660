"""Stage 1, Draft: the drafting team, its ground rules, answers to the discussion prompts,
the district's reading list, and comments on sets and goals."""

from django.core.validators import MaxLengthValidator
from django.db import models

from goals.models import Goal, GoalSet
from wbl.history import TrackedHistory
from wbl.models import District, User, VersionedModel
from wbl.validators import no_markup


class TeamMember(VersionedModel):
    class Affiliation(models.TextChoices):
        DISTRICT_OFFICE = "district_office", "District office"
        PATHWAY_CLASSROOM = "pathway_classroom", "Pathway classroom"
        EMPLOYER = "employer", "Employer"
        INTERMEDIARY = "intermediary", "Intermediary"
        STUDENT = "student", "Student"
        FAMILY = "family", "Family"
        OTHER = "other", "Other"

    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, related_name="team")
    name = models.CharField(max_length=150, validators=[no_markup])
    affiliation = models.CharField(max_length=20, choices=Affiliation.choices)
    role_on_team = models.CharField(
        max_length=150, blank=True, validators=[no_markup], help_text="e.g. facilitator, writer"
    )
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Link to the person's account, if they have one.",
    )
    history = TrackedHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class DraftingRecord(VersionedModel):
    """What the drafting team agreed on for one goal set (one row per set)."""

    goal_set = models.OneToOneField(GoalSet, on_delete=models.CASCADE, related_name="drafting")
    ground_rules = models.TextField(blank=True, validators=[no_markup, MaxLengthValidator(4000)])
    history = TrackedHistory()

    def __str__(self):
        return f"Drafting record of {self.goal_set}"


class PromptAnswer(VersionedModel):
    """The team's answer to one Design Tool discussion prompt (keys in cycle.prompts)."""

    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, related_name="prompt_answers")
    prompt_key = models.CharField(max_length=20)
    answer = models.TextField(blank=True, validators=[no_markup, MaxLengthValidator(6000)])
    history = TrackedHistory()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["goal_set", "prompt_key"], name="one_answer_per_prompt")
        ]

    def __str__(self):
        return f"{self.goal_set}: {self.prompt_key}"


class Resource(VersionedModel):
    """An item of the district's reading list for the drafting team."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=200, validators=[no_markup])
    description = models.TextField(blank=True, validators=[no_markup, MaxLengthValidator(2000)])
    url = models.URLField(blank=True, max_length=500)
    order = models.PositiveIntegerField(default=0)
    history = TrackedHistory()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class Comment(VersionedModel):
    """A district member's comment on a goal set, or on one of its goals."""

    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, related_name="comments")
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(validators=[no_markup, MaxLengthValidator(4000)])
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.body[:60]
