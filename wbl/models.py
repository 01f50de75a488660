"""Tenancy core: districts, their schools, pathways and partners, users and memberships."""

from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from wbl.history import TrackedHistory
from wbl.validators import no_markup


class VersionedModel(models.Model):
    """A row that people edit: `row_version` guards against lost updates (see wbl.concurrency)."""

    row_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class District(VersionedModel):
    class TimeZone(models.TextChoices):
        """The time zones of US states and territories (IANA names)."""

        EASTERN = "America/New_York", "Eastern"
        CENTRAL = "America/Chicago", "Central"
        MOUNTAIN = "America/Denver", "Mountain"
        ARIZONA = "America/Phoenix", "Mountain, no daylight saving time (Arizona)"
        PACIFIC = "America/Los_Angeles", "Pacific"
        ALASKA = "America/Anchorage", "Alaska"
        HAWAII = "Pacific/Honolulu", "Hawaii"
        ATLANTIC = "America/Puerto_Rico", "Atlantic (Puerto Rico, U.S. Virgin Islands)"
        CHAMORRO = "Pacific/Guam", "Chamorro (Guam, Northern Mariana Islands)"
        SAMOA = "Pacific/Pago_Pago", "Samoa (American Samoa)"

    name = models.CharField(max_length=200, validators=[no_markup])
    time_zone = models.CharField(
        max_length=40,
        choices=TimeZone.choices,
        default=TimeZone.PACIFIC,
        help_text="Dates and times in the district's pages (what “today” is, when a change "
        "was made) follow this time zone.",
    )
    slug = models.SlugField(max_length=60, unique=True)
    vision = models.TextField(blank=True, validators=[no_markup, MaxLengthValidator(4000)])
    mission = models.TextField(blank=True, validators=[no_markup, MaxLengthValidator(4000)])
    graduate_profile = models.TextField(
        blank=True, validators=[no_markup, MaxLengthValidator(4000)]
    )
    history = TrackedHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("goals:set_list", args=[self.slug])

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class School(VersionedModel):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="schools")
    name = models.CharField(max_length=200, validators=[no_markup])
    history = TrackedHistory()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="school_unique_name")
        ]

    def __str__(self):
        return self.name


class Pathway(VersionedModel):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="pathways")
    school = models.ForeignKey(
        School,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pathways",
        help_text="Leave empty for a pathway offered across the district.",
    )
    name = models.CharField(max_length=200, validators=[no_markup])
    industry_sector = models.CharField(max_length=200, blank=True, validators=[no_markup])
    history = TrackedHistory()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="pathway_unique_name")
        ]

    def __str__(self):
        return self.name


class Partner(VersionedModel):
    class Kind(models.TextChoices):
        EMPLOYER = "employer", "Employer"
        INTERMEDIARY = "intermediary", "Intermediary"
        POSTSECONDARY = "postsecondary", "Postsecondary"
        COMMUNITY = "community", "Community organization"
        REGIONAL = "regional", "Regional partner"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(max_length=200, validators=[no_markup])
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    contact = models.CharField(
        max_length=200, blank=True, validators=[no_markup], help_text="Contact person or email."
    )
    history = TrackedHistory()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="partner_unique_name")
        ]

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address. Django-admin access is `is_staff`."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, validators=[no_markup])
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="May sign in to the Django admin (support staff only)."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    history = TrackedHistory(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Membership(VersionedModel):
    class Role(models.TextChoices):
        ADMIN = "admin", "District administrator"
        STAFF = "staff", "Staff (WBL, CTE or pathway lead)"
        COORDINATOR = "coordinator", "WBL coordinator"
        BOARD = "board", "Board member"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, db_index=True)
    title = models.CharField(
        max_length=150,
        blank=True,
        validators=[no_markup],
        help_text="Job title shown next to the name, e.g. WBL Director.",
    )
    schools = models.ManyToManyField(
        School,
        blank=True,
        related_name="coordinators",
        help_text="Coordinators only: the schools they log progress for.",
    )
    pathways = models.ManyToManyField(
        Pathway,
        blank=True,
        related_name="coordinators",
        help_text="Coordinators only: the pathways they log progress for.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory(m2m_fields=[schools, pathways])

    class Meta:
        ordering = ["user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "district"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} - {self.get_role_display()} in {self.district}"


def is_last_admin(membership: Membership) -> bool:
    """Is this (saved) membership the district's only administrator?"""
    if membership.role != Membership.Role.ADMIN:
        return False
    others = Membership.objects.filter(
        district_id=membership.district_id, role=Membership.Role.ADMIN
    )
    return not others.exclude(pk=membership.pk).exists()
