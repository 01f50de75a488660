"""Forms of stage 6, Revise: what became of each goal, the new priorities, and the choice of
two versions to compare."""

from django import forms

from cycle.models import GoalOutcome, RevisionRecord
from wbl.forms import VersionedModelForm


class GoalOutcomeForm(VersionedModelForm):
    class Meta:
        model = GoalOutcome
        fields = ["outcome", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4, "maxlength": 4000})}
        help_texts = {
            "outcome": "Only goals carried forward are copied into the next version.",
            "notes": "What happened, and what the next version should keep or change.",
        }

    def __init__(self, *args, goal, **kwargs):
        self.goal = goal
        super().__init__(*args, **kwargs)
        self.instance.goal = goal

    def _rebase_kwargs(self):
        return {"goal": self.goal}

    def validate_unique(self):
        pass  # one outcome per goal: the view edits the existing row, or reports a conflict


class RevisionRecordForm(VersionedModelForm):
    class Meta:
        model = RevisionRecord
        fields = ["new_priorities"]
        widgets = {"new_priorities": forms.Textarea(attrs={"rows": 6, "maxlength": 6000})}
        help_texts = {
            "new_priorities": "WBL priorities that came up since adoption and that the current "
            "goals do not cover: candidates for new goals in the next version."
        }

    def __init__(self, *args, goal_set, **kwargs):
        self.goal_set = goal_set
        super().__init__(*args, **kwargs)
        self.instance.goal_set = goal_set

    def _rebase_kwargs(self):
        return {"goal_set": self.goal_set}

    def validate_unique(self):
        pass


class CompareForm(forms.Form):
    """Two versions of one set (GET parameters a and b)."""

    a = forms.TypedChoiceField(label="Compare version", coerce=int)
    b = forms.TypedChoiceField(label="with version", coerce=int)

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.pk, f"Version {v.version} ({v.get_stage_display()})") for v in versions]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices
