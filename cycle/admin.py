from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cycle import models

# Support staff read and correct the cycle's records here; history is on every one that people
# edit. Transitions and reminder logs are records of fact, listed read-only.
for model in [
    models.TeamMember,
    models.DraftingRecord,
    models.PromptAnswer,
    models.Resource,
    models.Comment,
    models.FeedbackLink,
    models.Feedback,
    models.StakeholderMeeting,
    models.BoardAdoption,
    models.Channel,
    models.Communication,
    models.ActionStep,
    models.GoalOutcome,
    models.RevisionRecord,
    models.ProgressEntry,
    models.DataReview,
    models.StudentGroup,
    models.Student,
    models.ExperienceKind,
    models.Experience,
    models.ComputedRule,
]:
    admin.site.register(model, SimpleHistoryAdmin)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Transition)
class TransitionAdmin(ReadOnlyAdmin):
    list_display = ["goal_set", "from_stage", "to_stage", "by", "at"]
    list_filter = ["to_stage"]


@admin.register(models.ImportUpload)
class ImportUploadAdmin(ReadOnlyAdmin):
    """Uploads waiting between preview and confirm (kept only for that)."""


@admin.register(models.ComputedFigure)
class ComputedFigureAdmin(ReadOnlyAdmin):
    """Counts of computed indicators kept between inventory changes (a cache)."""

    list_display = ["indicator", "meeting", "total", "computed_at"]


@admin.register(models.ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = ["kind", "indicator", "goal_set", "due_date", "sent_at"]
