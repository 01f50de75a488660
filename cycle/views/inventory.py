"""The student WBL experience inventory: students and their experiences (admin, staff and
coordinators in scope only), experience kinds and student groups, the rules that compute
student-goal indicators, the computed figures with their breakdowns, and CSV imports.

Board members and viewers never see a student row: every page with rows answers them 403.
The computed page shows aggregates only, with small groups suppressed outside staff pages.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cycle import csv_io, inventory
from cycle.access import covers_goal_set, students_visible
from cycle.forms.inventory import (
    ExperienceForm,
    ExperienceKindForm,
    RuleForm,
    StudentFilterForm,
    StudentForm,
    StudentGroupForm,
    UploadForm,
)
from cycle.models import Experience, ExperienceKind, Student, StudentGroup
from cycle.models.inventory import ImportUpload
from cycle.services import CycleError
from goals.access import get_goal_set
from goals.models import GoalSet, Indicator
from wbl.access import Action, can, district_view
from wbl.concurrency import Edit, save_form
from wbl.history import delete_with_history, entries, m2m_history

PAGE_SIZE = 50

STUDENT_FIELDS = [
    ("local_id", "Student ID"),
    ("display_name", "Name"),
    ("school", "School"),
    ("pathway", "Pathway"),
    ("grade", "Grade"),
    ("graduation_year", "Graduation year"),
    ("groups", "Student groups"),
]
EXPERIENCE_FIELDS = [
    ("kind", "Kind"),
    ("date", "Date"),
    ("hours", "Hours"),
    ("partner", "Partner"),
    ("proficiency", "Proficiency"),
    ("reflection_submitted", "Reflection submitted"),
    ("verified_by", "Verified by"),
]
STUDENT_GROUPS_HISTORY = m2m_history(Student, "groups") + "__studentgroup"


# -- helpers ---------------------------------------------------------------------------------


def _visible(request):
    return students_visible(request.membership, Student.objects.all())


def get_student(request, pk) -> Student:
    """A student of the request's district (404 otherwise) that this member may see (403)."""
    student = get_object_or_404(
        Student.objects.select_related("district", "school", "pathway"),
        pk=pk,
        district=request.district,
    )
    if not _visible(request).filter(pk=student.pk).exists():
        raise PermissionDenied("This student is outside your schools and pathways.")
    return student


def get_experience(request, pk) -> Experience:
    experience = get_object_or_404(
        Experience.objects.select_related("student__district", "kind"),
        pk=pk,
        student__district=request.district,
    )
    if not _visible(request).filter(pk=experience.student_id).exists():
        raise PermissionDenied("This student is outside your schools and pathways.")
    return experience


def get_student_indicator(request, pk) -> Indicator:
    """An indicator of one of the district's student-level goal sets, with its rule."""
    return get_object_or_404(
        Indicator.objects.select_related(
            "goal__goal_set__district",
            "goal__goal_set__school",
            "goal__goal_set__pathway",
            "rule__kind",
            "rule__also_kind",
            "rule__school",
            "rule__pathway",
        ),
        pk=pk,
        goal__goal_set__district=request.district,
        goal__goal_set__level=GoalSet.Level.STUDENT,
    )


def _student_url(student) -> str:
    return reverse("cycle:student_detail", args=[student.district.slug, student.pk])


# -- overview --------------------------------------------------------------------------------


@district_view(Action.VIEW_STUDENTS)
@require_GET
def overview(request):
    district = request.district
    students = _visible(request)
    kinds = inventory.experience_kinds(district, by=request.user)
    counts = dict(
        Experience.objects.filter(student__in=students)
        .values("kind_id")
        .annotate(n=Count("pk"))
        .values_list("kind_id", "n")
    )
    for kind in kinds:
        kind.count = counts.get(kind.pk, 0)
    indicators = (
        Indicator.objects.filter(
            goal__goal_set__district=district, goal__goal_set__level=GoalSet.Level.STUDENT
        )
        .select_related("goal__goal_set", "rule__kind")
        .order_by("goal__goal_set__title", "goal__goal_set__version", "goal__order", "order")
    )
    return render(
        request,
        "cycle/inventory/overview.html",
        {
            "student_count": students.count(),
            "kinds": kinds,
            "experience_count": sum(counts.values()),
            "indicators": indicators,
            "can_log": can(request.membership, Action.LOG_PROGRESS),
            "can_edit": can(request.membership, Action.EDIT_GOALS),
        },
    )


# -- students --------------------------------------------------------------------------------


def _filtered_students(request, groups):
    form = StudentFilterForm(request.GET or None, district=request.district, groups=groups)
    students = _visible(request)
    if form.is_valid():
        students = form.filter(students)
    return form, students


@district_view(Action.VIEW_STUDENTS)
@require_GET
def student_list(request):
    groups = inventory.student_groups(request.district, by=request.user)
    form, students = _filtered_students(request, groups)
    per_student = Experience.objects.filter(student=OuterRef("pk")).order_by().values("student")
    students = (
        students.select_related("school", "pathway")
        .prefetch_related("groups")
        .annotate(
            experience_count=Coalesce(
                Subquery(per_student.annotate(n=Count("pk")).values("n")[:1]),
                0,
                output_field=IntegerField(),
            ),
            hours=Subquery(per_student.annotate(h=Sum("hours")).values("h")[:1]),
        )
        .order_by("local_id")
    )
    page = Paginator(students, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cycle/inventory/student_list.html",
        {
            "filter_form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "can_log": can(request.membership, Action.LOG_PROGRESS),
        },
    )


@district_view(Action.LOG_PROGRESS)
@require_http_methods(["GET", "POST"])
def student_create(request):
    groups = inventory.student_groups(request.district, by=request.user)
    form = StudentForm(request.POST or None, membership=request.membership, groups=groups)
    if request.method == "POST" and form.is_valid():
        student = save_form(form, by=request.user)
        messages.success(request, f"Added student {student.local_id}.")
        return redirect(_student_url(student))
    return render(request, "cycle/inventory/student_form.html", {"form": form})


@district_view(Action.VIEW_STUDENTS)
@require_GET
def student_detail(request, pk):
    student = get_student(request, pk)
    experiences = student.experiences.select_related("kind", "partner").order_by("date", "pk")
    return render(
        request,
        "cycle/inventory/student_detail.html",
        {
            "student": student,
            "groups": list(student.groups.all()),
            "experiences": list(experiences),
            "can_log": can(request.membership, Action.LOG_PROGRESS),
        },
    )


@district_view(Action.LOG_PROGRESS)
@require_http_methods(["GET", "POST"])
def student_edit(request, pk):
    student = get_student(request, pk)
    groups = inventory.student_groups(request.district, by=request.user)
    form = StudentForm(
        request.POST or None, instance=student, membership=request.membership, groups=groups
    )
    edit = Edit(request, form)
    if edit.saved:
        messages.success(request, "Saved the student.")
        return redirect(_student_url(student))
    return render(
        request,
        "cycle/inventory/student_form.html",
        {"form": edit.form, "student": student, "conflict": edit.conflict},
        status=edit.status,
    )


@district_view(Action.VIEW_STUDENTS)
@require_GET
def student_history(request, pk):
    student = get_student(request, pk)
    student_records = (
        Student.history.filter(id=student.pk)
        .select_related("history_user", "school", "pathway")
        .prefetch_related(STUDENT_GROUPS_HISTORY)
    )
    experience_records = Experience.history.filter(student_id=student.pk).select_related(
        "history_user", "kind", "partner"
    )
    history = entries(student_records, STUDENT_FIELDS, subject=lambda r: "Student") + entries(
        experience_records,
        EXPERIENCE_FIELDS,
        subject=lambda r: f"Experience: {r.kind} on {r.date:%b %-d, %Y}",
    )
    history.sort(key=lambda e: e.when, reverse=True)
    return render(
        request,
        "cycle/inventory/student_history.html",
        {"student": student, "entries": history},
    )


# -- experiences -----------------------------------------------------------------------------


@district_view(Action.LOG_PROGRESS)
@require_http_methods(["GET", "POST"])
def experience_create(request, pk):
    student = get_student(request, pk)
    kinds = inventory.experience_kinds(request.district, by=request.user)
    form = ExperienceForm(request.POST or None, student=student, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        experience = save_form(form, by=request.user)
        messages.success(request, f"Added {experience.kind.name.lower()} on {experience.date}.")
        return redirect(_student_url(student) + "#experiences")
    return render(
        request, "cycle/inventory/experience_form.html", {"form": form, "student": student}
    )


@district_view(Action.LOG_PROGRESS)
@require_http_methods(["GET", "POST"])
def experience_edit(request, pk):
    experience = get_experience(request, pk)
    student = experience.student
    kinds = inventory.experience_kinds(request.district, by=request.user)
    form = ExperienceForm(request.POST or None, instance=experience, student=student, kinds=kinds)
    edit = Edit(request, form)
    if edit.saved:
        messages.success(request, "Saved the experience.")
        return redirect(_student_url(student) + f"#experience-{experience.pk}")
    return render(
        request,
        "cycle/inventory/experience_form.html",
        {
            "form": edit.form,
            "student": student,
            "experience": experience,
            "conflict": edit.conflict,
        },
        status=edit.status,
    )


@district_view(Action.LOG_PROGRESS)
@require_http_methods(["GET", "POST"])
def experience_delete(request, pk):
    experience = get_experience(request, pk)
    student = experience.student
    if request.method == "POST":
        delete_with_history(experience, by=request.user)
        messages.success(request, "Deleted the experience.")
        return redirect(_student_url(student) + "#experiences")
    return render(
        request,
        "cycle/inventory/confirm_delete.html",
        {"student": student, "experience": experience},
    )


# -- experience kinds and student groups -----------------------------------------------------


@district_view(Action.VIEW_STUDENTS)
@require_GET
def inventory_settings(request):
    kinds = inventory.experience_kinds(request.district, by=request.user)
    groups = inventory.student_groups(request.district, by=request.user)
    return render(
        request,
        "cycle/inventory/settings.html",
        {"kinds": kinds, "groups": groups, "can_edit": can(request.membership, Action.EDIT_GOALS)},
    )


NAMED = {
    "kind": (ExperienceKind, ExperienceKindForm, "kind of experience"),
    "group": (StudentGroup, StudentGroupForm, "student group"),
}


@district_view(Action.EDIT_GOALS)
@require_http_methods(["GET", "POST"])
def named_create(request, what):
    model, form_class, noun = NAMED[what]
    form = form_class(request.POST or None, district=request.district)
    if request.method == "POST" and form.is_valid():
        row = save_form(form, by=request.user)
        messages.success(request, f"Added the {noun} “{row.name}”.")
        return redirect("cycle:inventory_settings", request.district.slug)
    return render(request, "cycle/inventory/named_form.html", {"form": form, "noun": noun})


@district_view(Action.EDIT_GOALS)
@require_http_methods(["GET", "POST"])
def named_edit(request, pk, what):
    model, form_class, noun = NAMED[what]
    row = get_object_or_404(model, pk=pk, district=request.district)
    form = form_class(request.POST or None, instance=row, district=request.district)
    edit = Edit(request, form)
    if edit.saved:
        messages.success(request, f"Saved the {noun}.")
        return redirect("cycle:inventory_settings", request.district.slug)
    return render(
        request,
        "cycle/inventory/named_form.html",
        {"form": edit.form, "noun": noun, "row": row, "conflict": edit.conflict},
        status=edit.status,
    )


# -- computed indicators ---------------------------------------------------------------------


@district_view(Action.EDIT_GOALS)
@require_http_methods(["GET", "POST"])
def rule(request, pk):
    indicator = get_student_indicator(request, pk)
    current = inventory.rule_for(indicator)
    kinds = inventory.experience_kinds(request.district, by=request.user)
    form = RuleForm(request.POST or None, instance=current, indicator=indicator, kinds=kinds)
    edit = Edit(request, form, save=lambda: inventory.save_rule(form, by=request.user))
    if edit.saved:
        messages.success(request, "Saved the rule: the indicator is computed from now on.")
        return redirect("cycle:computed", request.district.slug, indicator.pk)
    return render(
        request,
        "cycle/inventory/rule_form.html",
        {
            "form": edit.form,
            "indicator": indicator,
            "goal_set": indicator.goal.goal_set,
            "rule": current,
            "conflict": edit.conflict,
        },
        status=edit.status,
    )


@district_view(Action.EDIT_GOALS)
@require_POST
def rule_delete(request, pk):
    indicator = get_student_indicator(request, pk)
    inventory.remove_rule(indicator, by=request.user)
    messages.success(request, "Removed the rule: this indicator is logged by hand again.")
    return redirect("cycle:computed", request.district.slug, indicator.pk)


@district_view(Action.VIEW)
@require_GET
def computed(request, pk):
    indicator = get_student_indicator(request, pk)
    goal_set = indicator.goal.goal_set
    current = inventory.rule_for(indicator)
    figure = parts = who = what = None
    if current is not None:
        parts = inventory.breakdown(current)
        figure = inventory.overall(parts, current.result)
        who, what = inventory.describe(current)
    membership = request.membership
    return render(
        request,
        "cycle/inventory/computed.html",
        {
            "indicator": indicator,
            "goal_set": goal_set,
            "rule": current,
            "figure": figure,
            "parts": parts,
            "rule_who": who,
            "rule_what": what,
            "show_small": inventory.sees_small_groups(membership),
            "suppressed_label": inventory.SUPPRESSED,
            "can_edit": can(membership, Action.EDIT_GOALS),
            "can_record": covers_goal_set(membership, goal_set)
            and goal_set.stage in inventory.LOGGING_STAGES,
        },
    )


@district_view(Action.LOG_PROGRESS)
@require_POST
def computed_record(request, pk):
    indicator = get_student_indicator(request, pk)
    if not covers_goal_set(request.membership, indicator.goal.goal_set):
        raise PermissionDenied("You may not log progress for this goal set.")
    try:
        entry = inventory.record_value(indicator, by=request.user)
    except CycleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Recorded {entry.value} as of {entry.as_of:%B %-d, %Y}.")
    return redirect("cycle:computed", request.district.slug, indicator.pk)


# -- CSV imports -----------------------------------------------------------------------------


def _import_page(request, importer, *, title, back_url, done_url, goal_set=None):
    form = UploadForm()
    report = upload = None
    problem = ""
    if request.method == "POST":
        token = request.POST.get("token", "")
        if token:
            upload = csv_io.stored(importer, token)
            if upload is None:
                problem = "That preview is no longer available. Upload the file again."
            else:
                try:
                    _, written = csv_io.confirm(importer, upload)
                except csv_io.ImportFailed as exc:
                    report = exc.report
                except IntegrityError:
                    problem = (
                        "Someone changed the same records while you were importing; nothing "
                        "was written. Upload the file again."
                    )
                    upload = None
                else:
                    messages.success(request, f"Imported {written} {importer.plural}.")
                    return redirect(done_url)
        else:
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                uploaded = form.cleaned_data["file"]
                data = uploaded.read()
                report = csv_io.validate(importer, data, uploaded.name)
                if report.file_error:
                    form.add_error("file", report.file_error)
                    report = None
                else:
                    upload = csv_io.store(importer, data, uploaded.name)
    return render(
        request,
        "cycle/inventory/import.html",
        {
            "title": title,
            "form": form,
            "report": report,
            "upload": upload,
            "problem": problem,
            "importer": importer,
            "back_url": back_url,
            "goal_set": goal_set,
            "max_label": csv_io.MAX_LABEL,
        },
    )


@district_view(Action.LOG_PROGRESS)
@require_http_methods(["GET", "POST"])
def import_students(request):
    importer = csv_io.StudentImporter(membership=request.membership, user=request.user)
    url = reverse("cycle:students", args=[request.district.slug])
    return _import_page(request, importer, title="Import students", back_url=url, done_url=url)


@district_view(Action.LOG_PROGRESS)
@require_http_methods(["GET", "POST"])
def import_experiences(request):
    importer = csv_io.ExperienceImporter(membership=request.membership, user=request.user)
    url = reverse("cycle:students", args=[request.district.slug])
    return _import_page(
        request, importer, title="Import WBL experiences", back_url=url, done_url=url
    )


@district_view(Action.LOG_PROGRESS)
@require_http_methods(["GET", "POST"])
def import_progress(request, pk):
    goal_set = get_goal_set(request, pk)
    if not covers_goal_set(request.membership, goal_set):
        raise PermissionDenied("You may not log progress for this goal set.")
    importer = csv_io.ProgressImporter(
        membership=request.membership, user=request.user, goal_set=goal_set
    )
    try:
        done = reverse("cycle:dashboard", args=[request.district.slug, goal_set.pk])
    except NoReverseMatch:  # before the dashboard exists
        done = goal_set.get_absolute_url()
    return _import_page(
        request,
        importer,
        title=f"Import progress for {goal_set.title}",
        back_url=goal_set.get_absolute_url(),
        done_url=done,
        goal_set=goal_set,
    )


@district_view(Action.LOG_PROGRESS)
@require_GET
def import_errors(request, token):
    """Every bad row of an uploaded file, as a CSV to fix the file by."""
    upload = ImportUpload.objects.filter(
        token=token, district=request.district, user=request.user
    ).first()
    if upload is None:
        raise Http404
    if upload.goal_set_id and not covers_goal_set(request.membership, upload.goal_set):
        raise PermissionDenied
    importer = csv_io.IMPORTERS[upload.kind](
        membership=request.membership, user=request.user, goal_set=upload.goal_set
    )
    report = csv_io.validate(importer, bytes(upload.content), upload.filename)
    rows = [(e.row, e.column, e.message) for e in report.errors]
    if report.file_error:
        rows.insert(0, ("", "", report.file_error))
    return csv_io.csv_response(
        f"errors-{upload.filename or 'upload'}", ["Row", "Column", "Problem"], rows
    )
