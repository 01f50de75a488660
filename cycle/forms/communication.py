"""Forms of stage 3, Communicate: a communication in the log, and a district's own channel."""

from django import forms
from django.utils import timezone

from cycle.channels import CUSTOM_ORDER, STANDARD_CHANNELS
from cycle.models import Channel, Communication
from wbl.forms import DistrictScopedForm, VersionedModelForm

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommunicationForm(VersionedModelForm):
    link = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Where it can be seen, e.g. the newsletter or web page.",
    )

    class Meta:
        model = Communication
        fields = ["channel", "date", "audience", "note", "link"]
        widgets = {
            "date": DATE_INPUT,
            "note": forms.Textarea(attrs={"rows": 3, "maxlength": 4000}),
        }
        help_texts = {
            "audience": "Who heard or read it, e.g. “Academy teachers at Riverview”.",
            "note": "What was shared and how it was received.",
        }

    def __init__(self, *args, goal_set, **kwargs):
        self.goal_set = goal_set
        super().__init__(*args, **kwargs)
        self.instance.goal_set = goal_set
        self.fields["channel"].queryset = Channel.objects.filter(district_id=goal_set.district_id)
        self.fields["channel"].empty_label = "Choose a channel"
        self.fields["date"].help_text = "The day it was shared."
        if not self.instance.pk and not self.is_bound:
            self.fields["date"].initial = timezone.localdate()

    def _rebase_kwargs(self):
        return {"goal_set": self.goal_set}

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("Log communications once they have happened.")
        return value


class ChannelForm(DistrictScopedForm):
    class Meta:
        model = Channel
        fields = ["name"]
        labels = {"name": "Channel name"}
        help_texts = {"name": "e.g. “Chamber of Commerce breakfast”."}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        folded = name.casefold()
        if any(standard.name.casefold() == folded for standard in STANDARD_CHANNELS):
            raise forms.ValidationError("This is already one of the standard channels.")
        others = Channel.objects.filter(district=self.district, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("This district already has a channel with that name.")
        return name

    def save(self, commit=True):
        channel = super().save(commit=False)
        channel.standard_key = ""
        if not channel.pk:
            channel.order = CUSTOM_ORDER
        if commit:
            channel.save()
        return channel
