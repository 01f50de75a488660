"""Stage 4, Implement: action steps per goal (in place with htmx, and as full pages without
JavaScript), and the district-wide list of open steps by owner.

Steps are staff work (admin and staff write; everyone in the district reads). They are planned
and updated while the set is in stages 3 to 5, which overlap in practice.
"""

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import BooleanField, Case, F, Prefetch, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from cycle.forms.implementation import ActionStepForm
from cycle.models import ActionStep
from goals.access import get_goal, get_goal_set
from goals.models import Goal, GoalSet, Stage
from goals.services import next_order
from wbl.access import Action, can, district_view
from wbl.concurrency import Edit, save_form
from wbl.history import delete_with_history, entries

STEP_STAGES = (Stage.COMMUNICATE, Stage.IMPLEMENT, Stage.MONITOR)
STEP_FIELDS = [
    ("description", "Description"),
    ("owner", "Owner"),
    ("due_date", "Due date"),
    ("status", "Status"),
    ("resources_needed", "Resources needed"),
]


def step_refusal(goal_set: GoalSet) -> str:
    """Why action steps cannot be added or changed now ("" when they can)."""
    if goal_set.stage in STEP_STAGES:
        return ""
    if goal_set.stage in (Stage.DRAFT, Stage.APPROVE):
        return (
            f"“{goal_set.title}” is in {goal_set.get_stage_display()}. Action steps are planned "
            "once the board has adopted the set (stages 3 Communicate to 5 Monitor)."
        )
    return (
        f"“{goal_set.title}” is in {goal_set.get_stage_display()}: its action steps are kept "
        "as a record. Plan the next version's steps once it is adopted."
    )


# -- helpers -------------------------------------------------------------------------------


def _ensure_open(goal_set: GoalSet) -> None:
    refusal = step_refusal(goal_set)
    if refusal:
        raise PermissionDenied(refusal)


def _ensure_still_open(goal_set: GoalSet) -> None:
    """Inside the write's transaction: lock the set and check its stage again."""
    _ensure_open(GoalSet.objects.select_for_update().get(pk=goal_set.pk))


def _can_write(request, goal_set) -> bool:
    return can(request.membership, Action.RUN_CYCLE) and not step_refusal(goal_set)


def _page_url(goal_set: GoalSet) -> str:
    return reverse("cycle:action_steps", args=[goal_set.district.slug, goal_set.pk])


def _get_step(request, pk) -> ActionStep:
    return get_object_or_404(
        ActionStep.objects.select_related("goal__goal_set__district", "owner"),
        pk=pk,
        goal__goal_set__district=request.district,
    )


def _steps_prefetch():
    return Prefetch("action_steps", queryset=ActionStep.objects.select_related("owner"))


def _step_form(request, goal, instance=None):
    auto_id = f"step-{instance.pk}-%s" if instance else f"new-step-{goal.pk}-%s"
    form = ActionStepForm(request.POST or None, goal=goal, instance=instance, auto_id=auto_id)
    if request.htmx:
        # A form swapped into the page takes the focus, so keyboard users land in it.
        form.fields["description"].widget.attrs["autofocus"] = True
    return form


def _render_goal_steps(request, goal, step_form=None):
    """The goal's section of the page (its steps, and the add form when open)."""
    goal_set = goal.goal_set
    goal = Goal.objects.prefetch_related(_steps_prefetch()).get(pk=goal.pk)
    goal.position = Goal.objects.filter(goal_set=goal_set, order__lt=goal.order).count() + 1
    context = {
        "goal": goal,
        "goal_set": goal_set,
        "can_write": _can_write(request, goal_set),
        "step_form": step_form,
    }
    return render(request, "cycle/implementation/_goal_steps.html", context)


def _render_step(request, step, status=200):
    goal_set = step.goal.goal_set
    step = ActionStep.objects.select_related("owner").get(pk=step.pk)
    context = {"step": step, "goal_set": goal_set, "can_write": _can_write(request, goal_set)}
    return render(request, "cycle/implementation/_step.html", context, status=status)


def _step_anchor(step) -> str:
    return f"{_page_url(step.goal.goal_set)}#step-{step.pk}"


# -- pages ---------------------------------------------------------------------------------


@district_view(Action.VIEW)
@require_GET
def action_steps(request, pk):
    goal_set = get_goal_set(request, pk)
    goals = list(Goal.objects.filter(goal_set=goal_set).prefetch_related(_steps_prefetch()))
    for position, goal in enumerate(goals, start=1):
        goal.position = position
    refusal = step_refusal(goal_set)
    return render(
        request,
        "cycle/implementation/page.html",
        {
            "goal_set": goal_set,
            "goals": goals,
            "refusal": refusal,
            "can_write": can(request.membership, Action.RUN_CYCLE) and not refusal,
            "today": timezone.localdate(),
        },
    )


@district_view(Action.VIEW)
@require_GET
def open_steps(request):
    """Every step not done, of the district's sets in stages 3-5, grouped by owner; overdue
    steps first in each group. One query, whatever the number of steps."""
    today = timezone.localdate()
    steps = (
        ActionStep.objects.filter(
            goal__goal_set__district=request.district, goal__goal_set__stage__in=STEP_STAGES
        )
        .exclude(status=ActionStep.Status.DONE)
        .select_related("owner", "goal__goal_set")
        .annotate(
            overdue=Case(
                When(due_date__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by(
            F("owner__full_name").asc(nulls_last=True),
            F("owner_id").asc(nulls_last=True),
            "-overdue",
            F("due_date").asc(nulls_last=True),
            "pk",
        )
    )
    groups = []
    for _, rows in groupby(steps, key=lambda s: s.owner_id):
        rows = list(rows)
        groups.append(
            {
                "owner": rows[0].owner,
                "steps": rows,
                "overdue": sum(1 for s in rows if s.overdue),
            }
        )
    total = sum(len(g["steps"]) for g in groups)
    overdue = sum(g["overdue"] for g in groups)
    return render(
        request,
        "cycle/implementation/open_steps.html",
        {"groups": groups, "total": total, "overdue": overdue, "today": today},
    )


@district_view(Action.VIEW)
@require_GET
def action_step_history(request, pk):
    goal_set = get_goal_set(request, pk)
    records = ActionStep.history.filter(goal__goal_set=goal_set).select_related(
        "history_user", "owner"
    )
    history = entries(records, STEP_FIELDS, subject=lambda r: f"Step: {r.description[:80]}")
    return render(
        request,
        "cycle/implementation/history.html",
        {"goal_set": goal_set, "entries": history},
    )


# -- steps ---------------------------------------------------------------------------------


@district_view(Action.RUN_CYCLE)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def action_step_create(request, pk):
    goal = get_goal(request, pk)
    goal_set = goal.goal_set
    _ensure_open(goal_set)
    form = _step_form(request, goal)
    if request.method == "POST":
        if form.is_valid():

            def before_save(step):
                _ensure_still_open(goal_set)
                step.order = next_order(goal.action_steps.all())

            step = save_form(form, by=request.user, before_save=before_save)
            if request.htmx:
                return _render_goal_steps(request, goal)
            messages.success(request, "Added the action step.")
            return redirect(_step_anchor(step))
        if request.htmx:
            return _render_goal_steps(request, goal, step_form=form)
    context = {"form": form, "goal": goal, "goal_set": goal_set, "inline": bool(request.htmx)}
    template = (
        "cycle/implementation/_step_form.html"
        if request.htmx
        else "cycle/implementation/step_form_page.html"
    )
    return render(request, template, context)


@district_view(Action.VIEW)
@vary_on_headers("HX-Request")
@require_GET
def action_step_detail(request, pk):
    step = _get_step(request, pk)
    if request.htmx:
        return _render_step(request, step)
    return redirect(_step_anchor(step))


@district_view(Action.RUN_CYCLE)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def action_step_edit(request, pk):
    step = _get_step(request, pk)
    goal = step.goal
    goal_set = goal.goal_set
    _ensure_open(goal_set)
    form = _step_form(request, goal, instance=step)
    edit = Edit(request, form, before_save=lambda _: _ensure_still_open(goal_set))
    form, conflict = edit.form, edit.conflict  # rebased on the saved row after a conflict
    if edit.saved:
        if request.htmx:
            return _render_step(request, step)
        messages.success(request, "Saved the action step.")
        return redirect(_step_anchor(step))
    context = {
        "form": form,
        "step": step,
        "goal": goal,
        "goal_set": goal_set,
        "conflict": conflict,
        "inline": bool(request.htmx),
    }
    template = (
        "cycle/implementation/_step_edit.html"
        if request.htmx
        else "cycle/implementation/step_form_page.html"
    )
    return render(request, template, context, status=409 if conflict else 200)


@district_view(Action.RUN_CYCLE)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def action_step_delete(request, pk):
    step = _get_step(request, pk)
    goal = step.goal
    goal_set = goal.goal_set
    _ensure_open(goal_set)
    if request.method == "POST":
        with transaction.atomic():
            _ensure_still_open(goal_set)
            delete_with_history(step, by=request.user)
        if request.htmx:
            return _render_goal_steps(request, goal)
        messages.success(request, "Deleted the action step.")
        return redirect(f"{_page_url(goal_set)}#goal-{goal.pk}-steps")
    return render(
        request,
        "cycle/implementation/confirm_delete.html",
        {"goal_set": goal_set, "goal": goal, "step": step},
    )
