"""Forms of stage 4, Implement: an action step of a goal."""

from django import forms

from cycle.models import ActionStep
from wbl.forms import VersionedModelForm
from wbl.models import User


class ActionStepForm(VersionedModelForm):
    """Several may be open on one page (one per goal or step), so views give each its own
    `auto_id` (e.g. "step-12-%s"); field names stay the same."""

    class Meta:
        model = ActionStep
        fields = ["description", "owner", "due_date", "status", "resources_needed"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "resources_needed": forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
        }
        help_texts = {
            "description": "What will be done, e.g. “Recruit two more employers for "
            "senior internships”.",
            "owner": "The district member who sees it through.",
            "resources_needed": "Money, time, people or materials the step needs.",
        }

    def __init__(self, *args, goal, **kwargs):
        self.goal = goal
        super().__init__(*args, **kwargs)
        self.instance.goal = goal
        self.fields["owner"].queryset = User.objects.filter(
            memberships__district_id=goal.goal_set.district_id
        ).order_by("full_name", "email")
        self.fields["owner"].empty_label = "No owner yet"

    def _rebase_kwargs(self):
        return {"goal": self.goal, "auto_id": self.auto_id}
