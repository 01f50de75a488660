"""Forms of the student WBL experience inventory, its rules and its CSV uploads."""

from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify

from cycle import csv_io
from cycle.models import ComputedRule, Experience, ExperienceKind, Student, StudentGroup
from goals.models import Goal, Indicator
from wbl.forms import VersionedModelForm
from wbl.models import Membership

PROFICIENCY_CHOICES = [
    ("", "Not scored"),
    (1, "1 · Beginning"),
    (2, "2 · Developing"),
    (3, "3 · Proficient"),
    (4, "4 · Advanced"),
]


class ManyOptionsSelect(forms.Select):
    """The same <select> as Django's, built in one pass: Django renders a template per option,
    which for a district's 300 schools and 300 pathways was most of the student list's time.
    Every value goes through format_html, so it is escaped like the template would."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(v), " selected" if str(v) in chosen else "", label) for v, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


class StudentFilterForm(forms.Form):
    q = forms.CharField(label="Student ID or name", required=False, max_length=100)
    school = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="All schools", widget=ManyOptionsSelect
    )
    pathway = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="All pathways", widget=ManyOptionsSelect
    )
    grade = forms.TypedChoiceField(
        choices=[("", "All grades")] + [(g, f"Grade {g}") for g in range(6, 13)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    graduation_year = forms.IntegerField(
        label="Graduation year", required=False, min_value=1990, max_value=2100
    )
    group = forms.ModelChoiceField(
        label="Student group", queryset=None, required=False, empty_label="All groups"
    )

    def __init__(self, *args, district, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = district.schools.all()
        self.fields["pathway"].queryset = district.pathways.all()
        self.fields["group"].queryset = StudentGroup.objects.filter(district=district)
        # The group choices are already fetched: no second query when the select renders.
        self.fields["group"].choices = [("", "All groups")] + [(g.pk, g.name) for g in groups]

    def filter(self, students):
        data = self.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            students = students.filter(Q(local_id__iexact=q) | Q(display_name__icontains=q))
        for name in ("school", "pathway", "grade", "graduation_year"):
            if data[name] is not None and data[name] != "":
                students = students.filter(**{name: data[name]})
        if data["group"]:
            students = students.filter(groups=data["group"])
        return students


def _scope_error(membership: Membership, school, pathway) -> str | None:
    """Coordinators add and edit only students of their schools or pathways."""
    if membership.role != Membership.Role.COORDINATOR:
        return None
    if school is not None and membership.schools.filter(pk=school.pk).exists():
        return None
    if pathway is not None and membership.pathways.filter(pk=pathway.pk).exists():
        return None
    return "Choose one of your schools or pathways: coordinators keep records for those only."


class StudentForm(VersionedModelForm):
    class Meta:
        model = Student
        fields = [
            "local_id",
            "display_name",
            "school",
            "pathway",
            "grade",
            "graduation_year",
            "groups",
        ]
        widgets = {"groups": forms.CheckboxSelectMultiple}
        help_texts = {
            "local_id": "The district's own student id; unique in the district.",
            "display_name": "Optional. Only admin, staff and coordinators ever see it.",
            "groups": "For breakdowns; groups under 10 students are suppressed in reports.",
        }

    def __init__(self, *args, membership, groups, **kwargs):
        self.membership = membership
        self.district = membership.district
        super().__init__(*args, **kwargs)
        self.instance.district = self.district
        self.fields["school"].queryset = self.district.schools.all()
        self.fields["pathway"].queryset = self.district.pathways.all()
        self.fields["groups"].queryset = StudentGroup.objects.filter(district=self.district)
        self.fields["grade"].widget = forms.Select(
            choices=[("", "Not recorded")] + [(g, f"Grade {g}") for g in range(6, 13)]
        )
        self.groups = groups

    def _rebase_kwargs(self):
        return {"membership": self.membership, "groups": self.groups}

    def clean(self):
        data = super().clean()
        error = _scope_error(self.membership, data.get("school"), data.get("pathway"))
        if error:
            self.add_error("school", error)
        return data

    def validate_unique(self):
        local_id = self.cleaned_data.get("local_id")
        if not local_id:
            return
        clash = Student.objects.filter(district=self.district, local_id=local_id)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            self.add_error(
                "local_id",
                f"{self.district.name} already has a student with id “{local_id}”.",
            )


class ExperienceForm(VersionedModelForm):
    proficiency = forms.TypedChoiceField(
        choices=PROFICIENCY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="The score on the experience's rubric, when it has one.",
    )

    class Meta:
        model = Experience
        fields = [
            "kind",
            "date",
            "hours",
            "partner",
            "proficiency",
            "reflection_submitted",
            "verified_by",
        ]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "hours": "For internships and other experiences counted in hours.",
            "verified_by": "Who confirmed it took place, e.g. the partner's supervisor.",
        }
        labels = {"reflection_submitted": "Reflection submitted"}

    def __init__(self, *args, student, kinds, **kwargs):
        self.student = student
        self.kinds = kinds
        super().__init__(*args, **kwargs)
        self.instance.student = student
        district = student.district
        self.fields["kind"].queryset = ExperienceKind.objects.filter(district=district)
        self.fields["kind"].choices = [("", "Choose a kind")] + [(k.pk, k.name) for k in kinds]
        self.fields["partner"].queryset = district.partners.all()

    def _rebase_kwargs(self):
        return {"student": self.student, "kinds": self.kinds}

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return value


class _NamedForm(VersionedModelForm):
    """A district's own row with a name and a key made from it (experience kinds, groups)."""

    def __init__(self, *args, district, **kwargs):
        self.district = district
        super().__init__(*args, **kwargs)
        self.instance.district = district

    def _rebase_kwargs(self):
        return {"district": self.district}

    def validate_unique(self):
        name = self.cleaned_data.get("name", "")
        key = self.instance.key or slugify(name)[:40]
        if not key:
            self.add_error("name", "Use letters or digits in the name.")
            return
        model = type(self.instance)
        clash = model.objects.filter(district=self.district).exclude(pk=self.instance.pk)
        if clash.filter(name__iexact=name).exists() or (
            not self.instance.pk and clash.filter(key=key).exists()
        ):
            self.add_error("name", f"{self.district.name} already has one with this name.")
        self.instance.key = key


class ExperienceKindForm(_NamedForm):
    continuum_stage = forms.ChoiceField(
        label="WBL continuum stage",
        choices=[("", "Not set")] + list(Goal.ContinuumStage.choices),
        required=False,
    )

    class Meta:
        model = ExperienceKind
        fields = ["name", "continuum_stage"]


class StudentGroupForm(_NamedForm):
    class Meta:
        model = StudentGroup
        fields = ["name"]


class RuleForm(VersionedModelForm):
    min_proficiency = forms.TypedChoiceField(
        label="Minimum proficiency",
        choices=[("", "Any score (or none)")] + PROFICIENCY_CHOICES[1:],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Count only experiences scored at least this.",
    )
    grade = forms.TypedChoiceField(
        choices=[("", "Any grade")] + [(g, f"Grade {g}") for g in range(6, 13)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Students in this grade now.",
    )

    class Meta:
        model = ComputedRule
        fields = [
            "school",
            "pathway",
            "grade",
            "graduation_year",
            "kind",
            "min_count",
            "min_hours",
            "reflection_required",
            "min_proficiency",
            "also_kind",
            "result",
        ]
        labels = {
            "school": "Cohort: school",
            "pathway": "Cohort: pathway",
            "graduation_year": "Cohort: graduation year",
            "kind": "Kind of experience",
            "min_count": "At least this many experiences",
            "min_hours": "At least this many hours in total",
            "reflection_required": "Count only experiences with a reflection submitted",
            "result": "The indicator's value",
        }
        help_texts = {
            "school": "Leave empty for every school.",
            "pathway": "Leave empty for every pathway.",
            "graduation_year": "e.g. this year's seniors. Leave empty for any year.",
            "min_count": "Experiences of this kind each student must have.",
            "min_hours": "Hours summed over the student's experiences of this kind.",
        }

    def __init__(self, *args, indicator, kinds, **kwargs):
        self.indicator = indicator
        self.kinds = kinds
        super().__init__(*args, **kwargs)
        self.instance.indicator = indicator
        district = indicator.goal.goal_set.district
        self.fields["school"].queryset = district.schools.all()
        self.fields["pathway"].queryset = district.pathways.all()
        kind_choices = [(k.pk, k.name) for k in kinds]
        for name, empty in (("kind", "Choose a kind"), ("also_kind", "No second kind")):
            self.fields[name].queryset = ExperienceKind.objects.filter(district=district)
            self.fields[name].choices = [("", empty)] + kind_choices
        self.fields["graduation_year"].widget.attrs.update(min=1990, max=2100)
        self.fields["min_count"].widget.attrs.update(min=1)

    def _rebase_kwargs(self):
        return {"indicator": self.indicator, "kinds": self.kinds}

    def clean(self):
        data = super().clean()
        unit = self.indicator.unit
        result = data.get("result")
        if result == ComputedRule.Result.PERCENT and unit != Indicator.Unit.PERCENT:
            self.add_error(
                "result",
                f"This indicator is measured in {self.indicator.get_unit_display().lower()}: "
                "choose “Number of students”, or change the indicator's unit to percent.",
            )
        if result == ComputedRule.Result.COUNT and unit != Indicator.Unit.COUNT:
            self.add_error(
                "result",
                f"This indicator is measured in {self.indicator.get_unit_display().lower()}: "
                "choose “Percent of the cohort”, or change the indicator's unit to count.",
            )
        if data.get("min_count") is not None and data["min_count"] < 1:
            self.add_error("min_count", "At least 1.")
        year = data.get("graduation_year")
        if year is not None and not 1990 <= year <= 2100:
            self.add_error("graduation_year", "A year from 1990 to 2100.")
        if data.get("kind") and data.get("also_kind") == data.get("kind"):
            self.add_error("also_kind", "Choose a different kind, or none.")
        return data


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"A .csv file of at most {csv_io.MAX_LABEL}, saved as “CSV UTF-8” or Excel's "
            "“CSV (Comma delimited)”. The first row names the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > csv_io.MAX_BYTES:
            raise forms.ValidationError(
                f"This file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
                f"{csv_io.MAX_LABEL}. Split it into smaller files."
            )
        return upload
