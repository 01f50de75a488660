from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxLengthValidator

from goals.models import Goal, GoalSet, Indicator
from wbl.forms import VersionedModelForm
from wbl.models import User

MILESTONES_MAX = 1000


def too_long(limit: int, length: int) -> str:
    return f"Keep it to at most {limit} characters: this has {length}."


class LengthLimit:
    """A text field's length limit, with a message that says by how much it is over."""

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value):
        if value is not None and len(value) > self.limit:
            raise forms.ValidationError(too_long(self.limit, len(value)), code="max_length")


class PlainTextField(forms.CharField):
    """Text typed in a textarea. Line breaks are kept as one character ("\n"), as the browser
    counts them for `maxlength`, so the limit checked here is the one the person saw."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


def text_limit(form, name: str, field) -> int | None:
    """The most characters a free-text field takes: the form field's max_length, or a
    MaxLengthValidator on the model field (e.g. a TextField's)."""
    if isinstance(field, MilestonesField):
        return field.limit
    if field.max_length:
        return field.max_length
    model = form._meta.model
    try:
        validators = model._meta.get_field(name).validators
    except FieldDoesNotExist:  # a form-only field
        return None
    limits = [v.limit_value for v in validators if isinstance(v, MaxLengthValidator)]
    return min(limits) if limits else None


class TextLimitsMixin:
    """Every free-text field says its limit at the field: in its help text ("Up to 200
    characters."), as the input's maxlength, and in the message when it is over."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField) or field.widget.is_hidden:
                continue
            limit = text_limit(self, name, field)
            if not limit:
                continue
            if not isinstance(field, MilestonesField):
                field.validators = [
                    v for v in field.validators if not isinstance(v, MaxLengthValidator)
                ] + [LengthLimit(limit)]
            field.widget.attrs["maxlength"] = str(limit)
            note = f"Up to {limit} characters."
            field.help_text = f"{field.help_text} {note}" if field.help_text else note


class GoalSetForm(TextLimitsMixin, VersionedModelForm):
    class Meta:
        model = GoalSet
        fields = [
            "title",
            "level",
            "scope",
            "school",
            "pathway",
            "stem",
            "start_year",
            "target_year",
        ]

    def __init__(self, *args, district, **kwargs):
        self.district = district
        super().__init__(*args, **kwargs)
        self.instance.district = district
        self.fields["school"].queryset = district.schools.all()
        self.fields["pathway"].queryset = district.pathways.all()
        self.fields["school"].help_text = "Only when the scope is one school."
        self.fields["pathway"].help_text = "Only when the scope is one pathway."

    def _rebase_kwargs(self):
        return {"district": self.district}


class GoalForm(TextLimitsMixin, VersionedModelForm):
    class Meta:
        model = Goal
        fields = [
            "statement",
            "topic_area",
            "grade",
            "continuum_stage",
            "horizon",
            "owner",
            "responsible_roles",
            "responsible_partners",
        ]
        field_classes = {"statement": PlainTextField}
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 3}),
            "responsible_partners": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, goal_set, **kwargs):
        self.goal_set = goal_set
        super().__init__(*args, **kwargs)
        self.instance.goal_set = goal_set
        district = goal_set.district
        self.fields["owner"].queryset = User.objects.filter(
            memberships__district=district
        ).order_by("full_name")
        self.fields["responsible_partners"].queryset = district.partners.all()
        if goal_set.level == GoalSet.Level.SYSTEM:
            del self.fields["grade"]
        else:
            del self.fields["topic_area"]

    def _rebase_kwargs(self):
        return {"goal_set": self.goal_set}


class MilestonesField(forms.CharField):
    """Yearly milestones typed one per line as “2019: 35”, stored as {"2019": "35"}."""

    widget = forms.Textarea(attrs={"rows": 2})
    limit = MILESTONES_MAX

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{year}: {v}" for year, v in sorted(value.items()))
        return value

    def to_python(self, value):
        text = (super().to_python(value) or "").replace("\r\n", "\n")
        if len(text) > self.limit:
            raise forms.ValidationError(too_long(self.limit, len(text)), code="max_length")
        result = {}
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            year, sep, amount = line.partition(":")
            year, amount = year.strip(), amount.strip()
            if not sep or not year.isdigit() or len(year) != 4:
                raise forms.ValidationError(
                    f"Line {number}: write a year, a colon and a value, like “2019: 35”."
                )
            try:
                number_value = Decimal(amount)
            except InvalidOperation:
                raise forms.ValidationError(f"Line {number}: “{amount}” is not a number.") from None
            if not number_value.is_finite() or number_value < 0:
                raise forms.ValidationError(f"Line {number}: the value cannot be negative.")
            if year in result:
                raise forms.ValidationError(f"Line {number}: {year} is listed twice.")
            result[year] = str(number_value)
        return result


class IndicatorForm(TextLimitsMixin, VersionedModelForm):
    milestones = MilestonesField(
        label="Yearly milestones",
        required=False,
        help_text="One per line, year then value, e.g. “2018: 30”.",
    )

    class Meta:
        model = Indicator
        fields = [
            "name",
            "unit",
            "direction",
            "baseline_value",
            "baseline_year",
            "target_value",
            "target_date",
            "milestones",
            "data_source",
            "collection_frequency",
            "revision_note",
        ]
        labels = {"revision_note": "Reason for the change"}
        widgets = {"target_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, goal, **kwargs):
        self.goal = goal
        super().__init__(*args, **kwargs)
        self.instance.goal = goal
        if goal.goal_set.version == 1:
            del self.fields["revision_note"]  # nothing to compare with before version 2

    def _rebase_kwargs(self):
        return {"goal": self.goal}
