from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from goals.models import Goal, GoalSet, Indicator


class GoalInline(admin.TabularInline):
    model = Goal
    fields = ["statement", "topic_area", "grade", "owner"]
    extra = 0
    show_change_link = True


@admin.register(GoalSet)
class GoalSetAdmin(SimpleHistoryAdmin):
    list_display = ["title", "district", "level", "stage", "version"]
    list_filter = ["district", "level", "stage"]
    search_fields = ["title"]
    inlines = [GoalInline]


class IndicatorInline(admin.StackedInline):
    model = Indicator
    extra = 0


@admin.register(Goal)
class GoalAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "goal_set", "owner"]
    list_filter = ["goal_set__district"]
    search_fields = ["statement"]
    inlines = [IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "goal", "unit", "baseline_value", "target_value", "target_date"]
    list_filter = ["unit", "goal__goal_set__district"]
    search_fields = ["name"]
