from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from goals.models import Goal, GoalSet, Indicator


class AllRowsMixin:
    """Support staff see soft-deleted rows too (the default manager hides them), and can
    point a goal or an indicator at a deleted set or goal."""

    def get_queryset(self, request):
        # As ModelAdmin.get_queryset and InlineModelAdmin.get_queryset, from all_objects.
        qs = self.model.all_objects.get_queryset()
        ordering = self.get_ordering(request)
        if ordering:
            qs = qs.order_by(*ordering)
        if isinstance(self, InlineModelAdmin) and not self.has_view_or_change_permission(request):
            qs = qs.none()
        return qs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in (GoalSet, Goal):
            kwargs.setdefault("queryset", db_field.related_model.all_objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class GoalInline(AllRowsMixin, admin.TabularInline):
    model = Goal
    fields = ["statement", "topic_area", "grade", "owner", "deleted_at"]
    readonly_fields = ["deleted_at"]
    extra = 0
    show_change_link = True


@admin.register(GoalSet)
class GoalSetAdmin(AllRowsMixin, SimpleHistoryAdmin):
    list_display = ["title", "district", "level", "stage", "version", "deleted_at"]
    list_filter = ["district", "level", "stage", "deleted_at"]
    search_fields = ["title"]
    readonly_fields = ["deleted_at", "deleted_by"]
    inlines = [GoalInline]


class IndicatorInline(AllRowsMixin, admin.StackedInline):
    model = Indicator
    extra = 0
    readonly_fields = ["deleted_at", "deleted_by"]


@admin.register(Goal)
class GoalAdmin(AllRowsMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "goal_set", "owner", "deleted_at"]
    list_filter = ["goal_set__district", "deleted_at"]
    search_fields = ["statement"]
    readonly_fields = ["deleted_at", "deleted_by"]
    inlines = [IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(AllRowsMixin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "goal",
        "unit",
        "baseline_value",
        "target_value",
        "target_date",
        "deleted_at",
    ]
    list_filter = ["unit", "goal__goal_set__district", "deleted_at"]
    search_fields = ["name"]
    readonly_fields = ["deleted_at", "deleted_by"]
