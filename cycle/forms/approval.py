"""Forms of stage 2, Approve: stakeholder feedback (members and people with a link), feedback
links, stakeholder meetings and the board's adoption vote."""

from datetime import timedelta

from django import forms
from django.db import models
from django.utils import timezone

from cycle.models import BoardAdoption, Feedback, FeedbackLink, StakeholderGroup, StakeholderMeeting
from wbl.forms import VersionedModelForm
from wbl.validators import no_markup

FEEDBACK_MAX = 4000
NAME_MAX = 150
LINK_MAX_DAYS = 180
LINK_DEFAULT_DAYS = 30


def goal_choice_label(goal, position) -> str:
    text = goal.statement if len(goal.statement) <= 90 else goal.statement[:89] + "…"
    return f"Goal {position}: {text}"


class GoalChoiceField(forms.ModelChoiceField):
    """One of the set's goals, labelled by its position; empty means the set as a whole.

    The queryset is the set's goals, so another set's goal is not a valid choice; the choices
    shown come from the goals the page has already fetched (no extra query)."""

    def __init__(self, goal_set, goals):
        super().__init__(
            queryset=goal_set.goals.all(),
            required=False,
            empty_label="The goal set as a whole",
            label="About which goal",
        )
        self.choices = [("", self.empty_label)] + [
            (goal.pk, goal_choice_label(goal, position))
            for position, goal in enumerate(goals, start=1)
        ]


def _length_message(limit):
    def check(value):
        if len(value) > limit:
            raise forms.ValidationError(
                f"Keep it to {limit:,} characters or fewer (this has {len(value):,}). "
                "Shorten it, or send the rest as a second reply.",
                code="max_length",
            )

    return check


class FeedbackBodyField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label="Your feedback",
            widget=forms.Textarea(attrs={"rows": 6}),
            validators=[no_markup, _length_message(FEEDBACK_MAX)],
            help_text=f"Plain text, up to {FEEDBACK_MAX:,} characters.",
            error_messages={"required": "Write your feedback before sending it."},
            **kwargs,
        )


class MemberFeedbackForm(forms.ModelForm):
    """Feedback a district member leaves in the app: their group and, if they like, a goal."""

    body = FeedbackBodyField()

    class Meta:
        model = Feedback
        fields = ["group", "goal", "body"]
        labels = {"group": "Stakeholder group"}
        help_texts = {"group": "The group whose view this feedback gives."}
        error_messages = {"group": {"required": "Choose the stakeholder group."}}

    def __init__(self, *args, goal_set, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.goal_set = goal_set
        self.fields["goal"] = GoalChoiceField(goal_set, goals)
        self.fields["group"].choices = [("", "Choose a group")] + StakeholderGroup.choices


class PublicFeedbackForm(forms.Form):
    """Feedback from someone without an account, through a feedback link."""

    group = forms.ChoiceField(
        label="You are replying as",
        choices=[("", "Choose a group")] + StakeholderGroup.choices,
        help_text="The group you belong to, so the district knows whose view this is.",
        error_messages={"required": "Choose the group you belong to."},
    )
    author_name = forms.CharField(
        label="Your name",
        required=False,
        validators=[no_markup, _length_message(NAME_MAX)],
        help_text="Leave it empty to reply without a name.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    body = FeedbackBodyField()

    field_order = ["group", "author_name", "goal", "body"]

    def __init__(self, *args, goal_set, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"] = GoalChoiceField(goal_set, goals)
        self.order_fields(self.field_order)

    def clean_author_name(self):
        return self.cleaned_data["author_name"].strip()

    def clean_body(self):
        return self.cleaned_data["body"].strip()


class FeedbackLinkForm(forms.ModelForm):
    class Meta:
        model = FeedbackLink
        fields = ["label", "expires_on"]
        labels = {"label": "Who the link is for", "expires_on": "Expires on"}
        widgets = {"expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        error_messages = {
            "label": {"required": "Say who the link is for, e.g. “Advisory board”."},
            "expires_on": {"required": "Choose the date after which the link stops working."},
        }

    def __init__(self, *args, goal_set, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.goal_set = goal_set
        today = timezone.localdate()
        self.fields[
            "expires_on"
        ].help_text = (
            f"The last day the link works: after today and at most {LINK_MAX_DAYS} days ahead."
        )
        if not self.is_bound:
            self.initial.setdefault("expires_on", today + timedelta(days=LINK_DEFAULT_DAYS))

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError("Choose a date after today: the link would not work.")
        if value > today + timedelta(days=LINK_MAX_DAYS):
            latest = today + timedelta(days=LINK_MAX_DAYS)
            raise forms.ValidationError(
                f"A link can stay open for at most {LINK_MAX_DAYS} days "
                f"(until {latest:%B} {latest.day}, {latest.year}). Create a new one later."
            )
        return value


class MeetingForm(VersionedModelForm):
    groups = forms.MultipleChoiceField(
        label="Groups present",
        choices=StakeholderGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one group that took part."},
    )

    class Meta:
        model = StakeholderMeeting
        fields = ["held_on", "groups", "notes"]
        labels = {"held_on": "Date of the meeting", "notes": "Notes"}
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {"notes": "What was discussed and what the draft should change."}
        error_messages = {"held_on": {"required": "Enter the date of the meeting."}}

    def __init__(self, *args, goal_set, **kwargs):
        self.goal_set = goal_set
        super().__init__(*args, **kwargs)
        self.instance.goal_set = goal_set

    def _rebase_kwargs(self):
        return {"goal_set": self.goal_set}

    def clean_groups(self):
        chosen = set(self.cleaned_data["groups"])
        return [value for value in StakeholderGroup.values if value in chosen]


VOTES_MESSAGE = "Votes cannot be negative."


def _https_urls(model_field, **kwargs):
    """Form fields as usual; a web address typed without a scheme is read as https."""
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


class AdoptionForm(forms.ModelForm):
    class Meta:
        model = BoardAdoption
        formfield_callback = _https_urls
        fields = [
            "governing_body",
            "meeting_date",
            "agenda_item",
            "resolution_number",
            "votes_for",
            "votes_against",
            "votes_abstaining",
            "outcome",
            "minutes_url",
        ]
        labels = {
            "governing_body": "Governing body",
            "meeting_date": "Meeting date",
            "agenda_item": "Agenda item",
            "resolution_number": "Resolution number",
            "votes_for": "Votes for",
            "votes_against": "Votes against",
            "votes_abstaining": "Abstentions",
            "minutes_url": "Link to the minutes",
        }
        widgets = {
            "meeting_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "votes_for": forms.NumberInput(attrs={"min": 0}),
            "votes_against": forms.NumberInput(attrs={"min": 0}),
            "votes_abstaining": forms.NumberInput(attrs={"min": 0}),
        }
        help_texts = {
            "outcome": "Adopted (with or without amendments) moves the set to Communicate and "
            "freezes its goals; tabled or not adopted leaves it in Approve.",
            "minutes_url": "The published minutes or agenda, if online.",
        }
        error_messages = {
            "meeting_date": {"required": "Enter the date of the board meeting."},
            "outcome": {"required": "Choose the outcome of the vote."},
            "governing_body": {"required": "Name the body that voted, e.g. Board of Trustees."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "Choose the outcome")] + list(
            BoardAdoption.Outcome.choices
        )
        for name in ("votes_for", "votes_against", "votes_abstaining"):
            field = self.fields[name]
            field.error_messages["min_value"] = VOTES_MESSAGE
            field.error_messages["required"] = "Enter the number of votes (0 if none)."

    def clean(self):
        data = super().clean()
        meeting_date = data.get("meeting_date")
        if meeting_date and meeting_date > timezone.localdate():
            self.add_error(
                "meeting_date",
                "The meeting date cannot be in the future: record the vote after the meeting.",
            )
        outcome = data.get("outcome")
        votes_for, votes_against = data.get("votes_for"), data.get("votes_against")
        if (
            outcome in (BoardAdoption.Outcome.ADOPTED, BoardAdoption.Outcome.ADOPTED_AMENDED)
            and votes_for is not None
            and votes_against is not None
            and votes_for <= votes_against
        ):
            self.add_error(
                "outcome",
                f"An adopted outcome needs more votes for than against ({votes_for} for, "
                f"{votes_against} against). Check the count, or choose tabled or not adopted.",
            )
        return data
