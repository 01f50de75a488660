"""Forms of stage 5, Monitor: progress entries, data stewards, data reviews."""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone

from cycle.models import DataReview, ProgressEntry
from goals.models import GoalSet, Indicator
from wbl.forms import VersionedModelForm
from wbl.models import User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EARLIEST = date(1990, 1, 1)


def district_members(district):
    return User.objects.filter(memberships__district=district, is_active=True).order_by(
        "full_name", "email"
    )


class ProgressEntryForm(VersionedModelForm):
    evidence_url = forms.URLField(
        label="Evidence link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A link to the report or spreadsheet behind the figure.",
    )

    class Meta:
        model = ProgressEntry
        fields = ["value", "as_of", "note", "evidence_url"]
        labels = {
            "value": "Value",
            "as_of": "As of",
            "note": "Note",
        }
        help_texts = {
            "as_of": "The date the value describes (not in the future).",
            "note": "Where the figure comes from, or what explains it.",
        }
        widgets = {
            "as_of": DATE,
            "note": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        }

    def __init__(self, *args, indicator, **kwargs):
        self.indicator = indicator
        super().__init__(*args, **kwargs)
        self.instance.indicator = indicator
        unit = indicator.unit
        hints = {
            Indicator.Unit.PERCENT: "A percent, from 0 to 100.",
            Indicator.Unit.MILESTONE: "1 when done, 0 when not yet.",
            Indicator.Unit.HOURS: "A number of hours.",
            Indicator.Unit.COUNT: "A count.",
        }
        self.fields["value"].help_text = hints.get(unit, "")
        self.fields["value"].widget.attrs.update({"min": 0, "step": "any", "inputmode": "decimal"})
        if unit == Indicator.Unit.PERCENT:
            self.fields["value"].widget.attrs["max"] = 100
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("as_of", timezone.localdate())

    def _rebase_kwargs(self):
        return {"indicator": self.indicator, "auto_id": self.auto_id}

    def clean_value(self):
        value = self.cleaned_data["value"]
        if value is None:
            return value
        if value < 0:
            raise forms.ValidationError("A value cannot be negative.")
        unit = self.indicator.unit
        if unit == Indicator.Unit.PERCENT and value > 100:
            raise forms.ValidationError(
                f"This indicator is a percent: enter a value from 0 to 100, not {value}."
            )
        if unit == Indicator.Unit.MILESTONE and value not in (Decimal(0), Decimal(1)):
            raise forms.ValidationError(
                "This is a yes/no milestone: enter 1 (done) or 0 (not yet)."
            )
        return value

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        today = timezone.localdate()
        if as_of > today:
            raise forms.ValidationError(
                f"The date cannot be in the future (today is {today:%b} {today.day}, {today.year})."
            )
        if as_of < EARLIEST:
            raise forms.ValidationError("The date is too far in the past: check the year.")
        return as_of


class StewardChoiceMixin:
    def _members(self, district):
        self.fields["data_steward"].queryset = district_members(district)
        self.fields["data_steward"].empty_label = "No one yet"


class GoalSetStewardForm(StewardChoiceMixin, VersionedModelForm):
    class Meta:
        model = GoalSet
        fields = ["data_steward", "revision_due"]
        labels = {"data_steward": "Data steward for the set", "revision_due": "Revision due"}
        help_texts = {
            "data_steward": "Oversees data collection, organisation and sharing; reminded when "
            "an indicator without its own steward is due.",
            "revision_due": "When the district means to revisit these goals; staff are reminded "
            "two weeks before.",
        }
        widgets = {"revision_due": DATE}

    def __init__(self, *args, district, **kwargs):
        self.district = district
        super().__init__(*args, **kwargs)
        self._members(district)

    def _rebase_kwargs(self):
        return {"district": self.district}


class IndicatorStewardForm(StewardChoiceMixin, VersionedModelForm):
    """Several can be open on one dashboard: their ids carry the indicator's pk."""

    class Meta:
        model = Indicator
        fields = ["data_steward"]
        labels = {"data_steward": "Data steward"}
        help_texts = {"data_steward": "Collects this figure; when empty, the set's steward does."}

    def __init__(self, *args, district, **kwargs):
        self.district = district
        super().__init__(*args, **kwargs)
        self._members(district)
        self.fields["data_steward"].empty_label = "The set's data steward"

    def _rebase_kwargs(self):
        return {"district": self.district, "auto_id": self.auto_id}


class DataReviewForm(VersionedModelForm):
    class Meta:
        model = DataReview
        fields = ["scheduled_for", "attendees", "notes", "decisions"]
        labels = {"scheduled_for": "Date of the review"}
        help_texts = {
            "scheduled_for": "The figures reviewed are each indicator's status and latest value "
            "on this date.",
            "attendees": "Who took part, e.g. “WBL director, site coordinators, data steward”.",
            "notes": "What the figures showed and what was discussed.",
            "decisions": "What the district decided to do next.",
        }
        widgets = {
            "scheduled_for": DATE,
            "attendees": forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
            "notes": forms.Textarea(attrs={"rows": 5, "maxlength": 6000}),
            "decisions": forms.Textarea(attrs={"rows": 4, "maxlength": 6000}),
        }

    def __init__(self, *args, goal_set, **kwargs):
        self.goal_set = goal_set
        super().__init__(*args, **kwargs)
        self.instance.goal_set = goal_set

    def _rebase_kwargs(self):
        return {"goal_set": self.goal_set}

    def clean_scheduled_for(self):
        when = self.cleaned_data["scheduled_for"]
        if when < EARLIEST:
            raise forms.ValidationError("The date is too far in the past: check the year.")
        return when
