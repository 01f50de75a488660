"""Forms of stage 1, Draft: the drafting team, ground rules, prompt answers, comments and the
district's reading list. The goal set and the district come from the request, never the POST."""

from django import forms

from cycle.models import Comment, DraftingRecord, PromptAnswer, Resource, TeamMember
from wbl.forms import VersionedModelForm
from wbl.models import User


class TeamMemberForm(VersionedModelForm):
    class Meta:
        model = TeamMember
        fields = ["name", "affiliation", "role_on_team", "user"]
        labels = {"role_on_team": "Role on the team", "user": "District account"}

    def __init__(self, *args, goal_set, **kwargs):
        self.goal_set = goal_set
        super().__init__(*args, **kwargs)
        self.instance.goal_set = goal_set
        self.fields["user"].queryset = User.objects.filter(
            memberships__district_id=goal_set.district_id
        ).order_by("full_name")
        self.fields["user"].help_text = "Only if this person is a member of the district."

    def _rebase_kwargs(self):
        return {"goal_set": self.goal_set}


class GroundRulesForm(VersionedModelForm):
    class Meta:
        model = DraftingRecord
        fields = ["ground_rules"]
        widgets = {"ground_rules": forms.Textarea(attrs={"rows": 8, "maxlength": 4000})}
        help_texts = {
            "ground_rules": "How the team works together and what it was asked to do, "
            "e.g. how decisions are made and when drafts are due."
        }

    def __init__(self, *args, goal_set, **kwargs):
        self.goal_set = goal_set
        super().__init__(*args, **kwargs)
        self.instance.goal_set = goal_set

    def _rebase_kwargs(self):
        return {"goal_set": self.goal_set}


class PromptAnswerForm(VersionedModelForm):
    class Meta:
        model = PromptAnswer
        fields = ["answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 6, "maxlength": 6000})}
        labels = {"answer": "The team's answer"}

    def __init__(self, *args, goal_set, prompt, **kwargs):
        self.goal_set, self.prompt = goal_set, prompt
        super().__init__(*args, **kwargs)
        self.instance.goal_set = goal_set
        self.instance.prompt_key = prompt.key

    def _rebase_kwargs(self):
        return {"goal_set": self.goal_set, "prompt": self.prompt}

    def validate_unique(self):
        pass  # one answer per prompt: the view edits the existing row, or reports a conflict


class GoalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, goal):
        statement = goal.statement if len(goal.statement) <= 90 else goal.statement[:89] + "…"
        return f"Goal {goal.position}. {statement}"


class CommentForm(forms.ModelForm):
    goal = GoalChoiceField(
        queryset=None,
        required=False,
        label="About",
        empty_label="The whole goal set",
        help_text="Comment on the whole set, or on one of its goals.",
    )

    class Meta:
        model = Comment
        fields = ["goal", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4, "maxlength": 4000})}
        labels = {"body": "Comment"}

    def __init__(self, *args, goal_set, goals, **kwargs):
        """`goals`: the set's goals, already fetched, each with a `position`."""
        super().__init__(*args, **kwargs)
        self.instance.goal_set = goal_set
        field = self.fields["goal"]
        field.queryset = goal_set.goals.all()
        # Offer the goals already fetched (no second query); validate against the queryset.
        field.choices = [("", field.empty_label)] + [
            (g.pk, field.label_from_instance(g)) for g in goals
        ]


class ResourceForm(VersionedModelForm):
    url = forms.URLField(
        label="Web address",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="For example https://www.example.org/report.pdf",
    )

    class Meta:
        model = Resource
        fields = ["title", "description", "url"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3, "maxlength": 2000})}

    def __init__(self, *args, district, **kwargs):
        self.district = district
        super().__init__(*args, **kwargs)
        self.instance.district = district

    def _rebase_kwargs(self):
        return {"district": self.district}
