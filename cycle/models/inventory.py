"""The student WBL experience inventory, and the rules that compute student-goal indicators
from it. Student rows are seen only by admin, staff and coordinators in scope."""

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from goals.models import GoalSet, Indicator
from wbl.history import TrackedHistory
from wbl.models import District, Partner, Pathway, School, User, VersionedModel
from wbl.validators import no_markup


class StudentGroup(VersionedModel):
    """A student group for breakdowns (English learners, students with disabilities, ...)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="student_groups")
    name = models.CharField(max_length=100, validators=[no_markup])
    key = models.SlugField(max_length=40)
    history = TrackedHistory()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "key"], name="student_group_unique_key")
        ]

    def __str__(self):
        return self.name


class Student(VersionedModel):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="students")
    local_id = models.CharField("local student ID", max_length=40, validators=[no_markup])
    display_name = models.CharField(max_length=150, blank=True, validators=[no_markup])
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="students"
    )
    pathway = models.ForeignKey(
        Pathway, on_delete=models.PROTECT, null=True, blank=True, related_name="students"
    )
    grade = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(6), MaxValueValidator(12)]
    )
    graduation_year = models.PositiveSmallIntegerField(db_index=True)
    groups = models.ManyToManyField(StudentGroup, blank=True, related_name="students")
    history = TrackedHistory(m2m_fields=[groups])

    class Meta:
        ordering = ["local_id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "local_id"], name="student_unique_id")
        ]
        indexes = [
            models.Index(fields=["district", "pathway", "graduation_year"], name="student_cohort"),
            models.Index(fields=["district", "school", "graduation_year"], name="student_school"),
        ]

    def __str__(self):
        return self.display_name or self.local_id


class ExperienceKind(VersionedModel):
    """A kind of WBL experience. Standard kinds (keys in cycle.inventory) are created for a
    district when first needed; districts add their own."""

    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="experience_kinds"
    )
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=100, validators=[no_markup])
    continuum_stage = models.CharField(max_length=12, blank=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "key"], name="experience_kind_unique_key")
        ]

    def __str__(self):
        return self.name


class Experience(VersionedModel):
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="experiences")
    # No single-column indexes on kind and date (nor on their history columns): the
    # (kind, student) index serves kind lookups, nothing filters by date alone, and each index
    # slows the 100,000-row imports.
    kind = models.ForeignKey(
        ExperienceKind, on_delete=models.PROTECT, related_name="experiences", db_index=False
    )
    date = models.DateField()
    hours = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="experiences"
    )
    proficiency = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text="1 beginning, 2 developing, 3 proficient, 4 advanced.",
    )
    reflection_submitted = models.BooleanField(default=False)
    verified_by = models.CharField(max_length=150, blank=True, validators=[no_markup])
    history = TrackedHistory()

    class Meta:
        ordering = ["date", "pk"]
        indexes = [
            # Computed indicators group a kind's experiences by student and sum their hours:
            # with these columns in the index, PostgreSQL answers from the index alone.
            models.Index(
                fields=["kind", "student"],
                include=["hours", "reflection_submitted", "proficiency"],
                name="experience_kind_student",
            )
        ]

    def __str__(self):
        return f"{self.kind} on {self.date}"


class ComputedRule(VersionedModel):
    """How a student-goal indicator is computed from the inventory: the cohort, and what each
    student in it must have done. The value is the percent (or count) of the cohort meeting it."""

    class Result(models.TextChoices):
        PERCENT = "percent", "Percent of the cohort"
        COUNT = "count", "Number of students"

    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, related_name="rule")
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True)
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, null=True, blank=True)
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    graduation_year = models.PositiveSmallIntegerField(null=True, blank=True)
    kind = models.ForeignKey(ExperienceKind, on_delete=models.PROTECT)
    also_kind = models.ForeignKey(
        ExperienceKind,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="and also one of",
        help_text="Optional: a second kind each student must also have at least one of "
        "(e.g. a resume as well as a mock interview).",
    )
    min_count = models.PositiveSmallIntegerField(default=1)
    min_hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    reflection_required = models.BooleanField(default=False)
    min_proficiency = models.PositiveSmallIntegerField(null=True, blank=True)
    result = models.CharField(max_length=10, choices=Result.choices, default=Result.PERCENT)
    history = TrackedHistory()

    def __str__(self):
        return f"Rule for {self.indicator}"


class ComputedFigure(models.Model):
    """The last count of a computed indicator, kept so that pages showing many statuses (the
    district overview, dashboards, reminders) do not recount the inventory on every request.

    Valid only while `inventory_mark` equals the inventory's current mark (from the newest
    history rows of students, their groups, experiences and rules: every write to them,
    imports included, writes history; cycle.inventory._marked_rules) and for ten minutes at
    most. A cache, not a record: no history of its own."""

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="computed_figure"
    )
    total = models.PositiveIntegerField()
    meeting = models.PositiveIntegerField()
    inventory_mark = models.CharField(max_length=100)
    computed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.meeting} of {self.total} for {self.indicator_id}"


def _upload_token() -> str:
    return secrets.token_urlsafe(32)


class ImportUpload(models.Model):
    """A CSV file between its preview and its confirmation, kept in the database (app servers
    are stateless) so that what is confirmed is exactly the bytes that were previewed. Only
    the person who uploaded it, in its district, can confirm it; rows older than a day are
    removed when the next file is uploaded. Not history-tracked: nobody edits it."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", "Progress entries"
        STUDENTS = "students", "Students"
        EXPERIENCES = "experiences", "WBL experiences"

    token = models.CharField(max_length=64, unique=True, default=_upload_token, editable=False)
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    goal_set = models.ForeignKey(
        GoalSet, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.get_kind_display()} upload {self.filename}"
