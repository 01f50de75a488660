from django import forms
from django.db.models import Exists, OuterRef

from goals.models import Goal, GoalSet, Stage


class GoalSetFilterForm(forms.Form):
    level = forms.ChoiceField(choices=[("", "All levels"), *GoalSet.Level.choices], required=False)
    stage = forms.ChoiceField(choices=[("", "All stages"), *Stage.choices], required=False)
    school = forms.ModelChoiceField(queryset=None, required=False, empty_label="All schools")
    pathway = forms.ModelChoiceField(queryset=None, required=False, empty_label="All pathways")
    topic = forms.ChoiceField(
        label="Topic area", choices=[("", "All topics"), *Goal.TopicArea.choices], required=False
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = district.schools.all()
        self.fields["pathway"].queryset = district.pathways.all()

    def filter(self, goal_sets):
        data = self.cleaned_data
        if data["level"]:
            goal_sets = goal_sets.filter(level=data["level"])
        if data["stage"]:
            goal_sets = goal_sets.filter(stage=data["stage"])
        if data["school"]:
            goal_sets = goal_sets.filter(school=data["school"])
        if data["pathway"]:
            goal_sets = goal_sets.filter(pathway=data["pathway"])
        if data["topic"]:
            goal_sets = goal_sets.filter(
                Exists(Goal.objects.filter(goal_set=OuterRef("pk"), topic_area=data["topic"]))
            )
        return goal_sets
