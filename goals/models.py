"""What a district commits to: goal sets, their goals, and the indicators that measure them."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from wbl.history import TrackedHistory
from wbl.models import District, Partner, Pathway, School, User, VersionedModel
from wbl.validators import no_markup

YEAR_VALIDATORS = [MinValueValidator(1990), MaxValueValidator(2100)]


class Stage(models.TextChoices):
    DRAFT = "draft", "1 Draft"
    APPROVE = "approve", "2 Approve"
    COMMUNICATE = "communicate", "3 Communicate"
    IMPLEMENT = "implement", "4 Implement"
    MONITOR = "monitor", "5 Monitor"
    REVISE = "revise", "6 Revise"


# A deleted goal set, goal or indicator can be restored by an admin for this long; then
# `manage.py purge_deleted` removes it for good.
RESTORE_WINDOW = timedelta(days=30)


class LiveManager(models.Manager):
    """The rows that are not deleted. Declared first on each model, so it is the default
    manager: related managers (`goal_set.goals`, `goal.indicators`), forms and every page see
    live rows only. `all_objects` sees deleted rows too (admin, restore, export); foreign keys
    (`indicator.goal`) read through the plain base manager, so they still resolve.

    Joins do not go through a manager: a lookup across a relation (`Count("goals")`,
    `goals__...`) must say `deleted_at__isnull=True` itself."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeleteModel(VersionedModel):
    """Deleting marks the row (and what goes with it, at the same instant) instead of removing
    it: see goals.services.soft_delete and restore."""

    deleted_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    deleted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    objects = LiveManager()
    all_objects = models.Manager()

    class Meta:
        abstract = True

    @property
    def restorable_until(self):
        return self.deleted_at + RESTORE_WINDOW if self.deleted_at else None

    @property
    def is_restorable(self) -> bool:
        return self.deleted_at is not None and timezone.now() < self.restorable_until


class GoalSetQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("school", "pathway").annotate(
            goal_count=models.Count(
                "goals", filter=models.Q(goals__deleted_at__isnull=True), distinct=True
            )
        )


class GoalSetManager(LiveManager.from_queryset(GoalSetQuerySet)):
    pass


class GoalSet(SoftDeleteModel):
    class Level(models.TextChoices):
        SYSTEM = "system", "System-level"
        STUDENT = "student", "Student-level"

    class Scope(models.TextChoices):
        DISTRICT = "district", "Whole district"
        SCHOOL = "school", "One school"
        PATHWAY = "pathway", "One pathway"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="goal_sets")
    level = models.CharField(max_length=10, choices=Level.choices, db_index=True)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.DISTRICT)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="goal_sets"
    )
    pathway = models.ForeignKey(
        Pathway, on_delete=models.PROTECT, null=True, blank=True, related_name="goal_sets"
    )
    title = models.CharField(max_length=200, validators=[no_markup])
    stem = models.CharField(
        "stem sentence",
        max_length=300,
        blank=True,
        validators=[no_markup],
        help_text="The sentence the goals complete, e.g. “By 2020, Midtown District will "
        "expand its WBL system to ensure that:”",
    )
    start_year = models.PositiveSmallIntegerField(validators=YEAR_VALIDATORS)
    target_year = models.PositiveSmallIntegerField(validators=YEAR_VALIDATORS)
    stage = models.CharField(
        max_length=12, choices=Stage.choices, default=Stage.DRAFT, db_index=True, editable=False
    )
    version = models.PositiveSmallIntegerField(default=1, editable=False)
    previous_version = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="next_versions",
    )
    data_steward = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stewarded_sets",
        help_text="Oversees data collection, organisation and sharing for this set.",
    )
    revision_due = models.DateField(
        null=True, blank=True, help_text="When the district means to revisit these goals."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = TrackedHistory()

    objects = GoalSetManager()
    all_objects = GoalSetQuerySet.as_manager()

    class Meta:
        ordering = ["level", "title", "-version"]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self):
        return reverse("goals:set_detail", args=[self.district.slug, self.pk])

    @property
    def is_editable(self) -> bool:
        """Goals can be written and changed while drafting and while the board reviews them."""
        return self.stage in (Stage.DRAFT, Stage.APPROVE)

    @property
    def scope_label(self) -> str:
        if self.scope == self.Scope.SCHOOL and self.school_id:
            return str(self.school)
        if self.scope == self.Scope.PATHWAY and self.pathway_id:
            return str(self.pathway)
        return self.get_scope_display()

    def clean(self):
        errors = {}
        if self.start_year and self.target_year and self.target_year < self.start_year:
            errors["target_year"] = "The target year cannot be before the start year."
        if self.scope == self.Scope.SCHOOL and not self.school_id:
            errors["school"] = "Choose the school this set is for."
        if self.scope == self.Scope.PATHWAY and not self.pathway_id:
            errors["pathway"] = "Choose the pathway this set is for."
        if self.scope != self.Scope.SCHOOL:
            self.school = None
        if self.scope != self.Scope.PATHWAY:
            self.pathway = None
        if errors:
            raise ValidationError(errors)


class Goal(SoftDeleteModel):
    class TopicArea(models.TextChoices):
        GOVERNANCE = "governance", "Governance"
        DECISION_MAKING = "decision_making", "Decision-making"
        CAPACITY = "capacity", "Capacity and staffing"
        CURRICULUM = "curriculum", "Curriculum alignment"
        COMMUNICATION = "communication", "Communication"
        METRICS = "metrics", "Metrics and reporting"
        PARTNERSHIPS = "partnerships", "Partnerships"
        ACCESS = "access", "Access and equity"
        OPPORTUNITIES = "opportunities", "WBL opportunities"

    class ContinuumStage(models.TextChoices):
        AWARENESS = "awareness", "Career awareness"
        EXPLORATION = "exploration", "Career exploration"
        PREPARATION = "preparation", "Career preparation"
        TRAINING = "training", "Career training"

    class Horizon(models.TextChoices):
        SHORT = "short", "Short term"
        LONG = "long", "Long term"

    class Grade(models.TextChoices):
        G9 = "9", "Grade 9"
        G10 = "10", "Grade 10"
        G11 = "11", "Grade 11"
        G12 = "12", "Grade 12"
        BEFORE_GRADUATION = "before_graduation", "Before graduation"
        EACH_SEMESTER = "each_semester", "Each semester"
        EACH_YEAR = "each_year", "Each year"

    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, related_name="goals")
    statement = models.TextField(
        validators=[no_markup, MaxLengthValidator(1000)],
        help_text="What will be true, completing the set's stem sentence.",
    )
    order = models.PositiveIntegerField(default=0, editable=False)
    topic_area = models.CharField(
        max_length=20, choices=TopicArea.choices, blank=True, db_index=True
    )
    continuum_stage = models.CharField(
        "WBL continuum stage", max_length=12, choices=ContinuumStage.choices, blank=True
    )
    horizon = models.CharField(max_length=5, choices=Horizon.choices, default=Horizon.SHORT)
    grade = models.CharField(max_length=20, choices=Grade.choices, blank=True)
    owner = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_goals",
        help_text="The district member accountable for this goal.",
    )
    responsible_roles = models.CharField(
        max_length=300,
        blank=True,
        validators=[no_markup],
        help_text="Who does the work, e.g. “Site WBL coordinators, counselors”.",
    )
    responsible_partners = models.ManyToManyField(Partner, blank=True, related_name="goals")
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="carried_into",
        help_text="The goal of the previous version this one was carried forward from.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory(m2m_fields=[responsible_partners])

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.statement[:80]


class Indicator(SoftDeleteModel):
    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        PERCENT = "percent", "Percent"
        HOURS = "hours", "Hours"
        MILESTONE = "milestone", "Milestone (yes/no)"

    class Direction(models.TextChoices):
        INCREASE = "increase", "Increase"
        DECREASE = "decrease", "Decrease"
        MAINTAIN = "maintain", "Maintain"
        ACHIEVE = "achieve", "Achieve (yes/no)"

    class Source(models.TextChoices):
        MANUAL = "manual", "Logged by hand"
        COMPUTED = "computed", "Computed from student experiences"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        SEMESTER = "semester", "Each semester"
        YEARLY = "yearly", "Yearly"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(max_length=200, validators=[no_markup])
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    baseline_value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0), "The baseline cannot be negative.")],
    )
    baseline_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=YEAR_VALIDATORS
    )
    target_value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0), "The target cannot be negative.")],
    )
    target_date = models.DateField(null=True, blank=True)
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    milestones = models.JSONField(
        "yearly milestones",
        default=dict,
        blank=True,
        help_text="Values to reach on the way, by year.",
    )
    data_source = models.CharField(max_length=200, blank=True, validators=[no_markup])
    collection_frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.YEARLY
    )
    source = models.CharField(
        max_length=10,
        choices=Source.choices,
        default=Source.MANUAL,
        help_text="Logged by hand, or computed from the student WBL experience inventory.",
    )
    data_steward = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stewarded_indicators",
        help_text="Collects this figure; the set's data steward when empty.",
    )
    revision_note = models.CharField(
        max_length=500,
        blank=True,
        validators=[no_markup],
        help_text="In a new version: why the baseline or target changed from the last one.",
    )
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="carried_into",
    )
    order = models.PositiveIntegerField(default=0, editable=False)
    history = TrackedHistory()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.unit == self.Unit.MILESTONE:
            for name in ("baseline_value", "target_value"):
                value = getattr(self, name)
                if value is not None and value not in (0, 1):
                    errors[name] = "A yes/no milestone is 0 (not yet) or 1 (done)."
        if (
            self.target_date
            and self.baseline_year
            and self.target_date < date(self.baseline_year, 1, 1)
        ):
            errors["target_date"] = (
                f"The target date cannot be before the baseline year ({self.baseline_year})."
            )
        if self.direction == self.Direction.ACHIEVE and self.unit != self.Unit.MILESTONE:
            errors["direction"] = (
                "“Achieve” is for yes/no milestones; choose increase, decrease or maintain "
                "for a number."
            )
        if errors:
            raise ValidationError(errors)


# The fields people write, with the labels history pages and version comparisons show.
GOAL_CONTENT_FIELDS = [
    ("statement", "Statement"),
    ("topic_area", "Topic area"),
    ("grade", "Grade"),
    ("continuum_stage", "WBL continuum stage"),
    ("horizon", "Horizon"),
    ("owner", "Owner"),
    ("responsible_roles", "Responsible roles"),
    ("responsible_partners", "Responsible partners"),
]
INDICATOR_CONTENT_FIELDS = [
    ("name", "Name"),
    ("unit", "Unit"),
    ("direction", "Direction"),
    ("baseline_value", "Baseline"),
    ("baseline_year", "Baseline year"),
    ("target_value", "Target"),
    ("target_date", "Target date"),
    ("milestones", "Yearly milestones"),
    ("data_source", "Data source"),
    ("collection_frequency", "Collection frequency"),
]
