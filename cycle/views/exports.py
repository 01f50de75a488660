"""CSV downloads: a goal set's goals with their indicators and statuses, its progress entries,
and (admin, staff and coordinators in scope only) students' WBL experiences.

Every file is UTF-8 with a BOM (Excel reads the accents right), streamed row by row, and every
text cell that a spreadsheet would run as a formula is neutralised (see cycle.csv_io.cell).
"""

from django.db.models import Exists, OuterRef
from django.views.decorators.http import require_GET

from cycle import inventory
from cycle.access import students_visible
from cycle.csv_io import csv_response
from cycle.forms.inventory import StudentFilterForm
from cycle.models import Experience, ProgressEntry, Student
from cycle.status import statuses_for
from goals.access import get_goal_set
from goals.models import Indicator
from wbl.access import Action, district_view

CHUNK = 2000


def _slug(goal_set) -> str:
    return f"{goal_set.district.slug}-set-{goal_set.pk}-v{goal_set.version}"


@district_view(Action.VIEW)
@require_GET
def export_goals(request, pk):
    goal_set = get_goal_set(request, pk)
    indicators = list(
        Indicator.objects.filter(goal__goal_set=goal_set)
        .select_related("goal__owner", "rule")
        .order_by("goal__order", "goal__pk", "order", "pk")
    )
    statuses = statuses_for(indicators)
    # Goals without a live indicator (a join does not hide deleted rows: Exists does).
    goals_without = goal_set.goals.exclude(
        Exists(Indicator.objects.filter(goal=OuterRef("pk")))
    ).select_related("owner")
    header = [
        "Goal set",
        "Version",
        "Stage",
        "Goal number",
        "Goal",
        "Grade",
        "Topic area",
        "Owner",
        "Indicator",
        "Unit",
        "Direction",
        "Baseline",
        "Baseline year",
        "Target",
        "Target date",
        "Source",
        "Status",
        "Latest value",
        "As of",
    ]

    def goal_cells(goal):
        return [
            goal_set.title,
            goal_set.version,
            goal_set.get_stage_display(),
            goal.order,
            goal.statement,
            goal.get_grade_display() if goal.grade else "",
            goal.get_topic_area_display() if goal.topic_area else "",
            goal.owner.full_name if goal.owner else "",
        ]

    def rows():
        for i in indicators:
            status = statuses.get(i.pk)
            yield goal_cells(i.goal) + [
                i.name,
                i.get_unit_display(),
                i.get_direction_display(),
                i.baseline_value,
                i.baseline_year,
                i.target_value,
                i.target_date,
                i.get_source_display(),
                status.label if status else "",
                status.latest_value if status else None,
                status.latest_as_of if status else None,
            ]
        for goal in goals_without:
            yield goal_cells(goal) + [""] * 11

    return csv_response(f"{_slug(goal_set)}-goals.csv", header, rows())


@district_view(Action.VIEW)
@require_GET
def export_progress(request, pk):
    goal_set = get_goal_set(request, pk)
    entries = (
        ProgressEntry.objects.filter(
            indicator__goal__goal_set=goal_set, indicator__deleted_at__isnull=True
        )
        .order_by("indicator__goal__order", "indicator__order", "indicator_id", "as_of", "pk")
        .values_list(
            "indicator_id",
            "indicator__name",
            "indicator__unit",
            "value",
            "as_of",
            "note",
            "evidence_url",
            "entered_by__full_name",
            "created_at",
        )
    )
    header = [
        "Indicator id",
        "Indicator",
        "Unit",
        "Value",
        "As of",
        "Note",
        "Evidence",
        "Entered by",
        "Entered at",
    ]
    return csv_response(
        f"{_slug(goal_set)}-progress.csv", header, entries.iterator(chunk_size=CHUNK)
    )


@district_view(Action.VIEW_STUDENTS)
@require_GET
def export_experiences(request):
    """The experiences of the students this member may see (with the student list's filters)."""
    groups = inventory.student_groups(request.district, by=request.user)
    form = StudentFilterForm(request.GET or None, district=request.district, groups=groups)
    students = students_visible(request.membership, Student.objects.all())
    if form.is_valid():
        students = form.filter(students)
    experiences = (
        Experience.objects.filter(student__in=students.values("pk"))
        .order_by("student__local_id", "date", "pk")
        .values_list(
            "student__local_id",
            "student__display_name",
            "student__school__name",
            "student__pathway__name",
            "student__grade",
            "student__graduation_year",
            "kind__name",
            "date",
            "hours",
            "partner__name",
            "proficiency",
            "reflection_submitted",
            "verified_by",
        )
    )
    header = [
        "Student ID",
        "Name",
        "School",
        "Pathway",
        "Grade",
        "Graduation year",
        "Kind",
        "Date",
        "Hours",
        "Partner",
        "Proficiency",
        "Reflection submitted",
        "Verified by",
    ]
    return csv_response(
        f"{request.district.slug}-experiences.csv", header, experiences.iterator(chunk_size=CHUNK)
    )
