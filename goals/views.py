"""Goal sets, goals and indicators: pages, and the same actions as htmx fragments."""

from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import replace_url, reswap, retarget

from goals import services
from goals.access import ensure_deletable, get_goal, get_goal_set, get_indicator
from goals.filters import GoalSetFilterForm
from goals.forms import GoalForm, GoalSetForm, IndicatorForm
from goals.models import (
    GOAL_CONTENT_FIELDS,
    INDICATOR_CONTENT_FIELDS,
    RESTORE_WINDOW,
    Goal,
    GoalSet,
    Indicator,
    Stage,
)
from goals.quality import check_goal
from wbl.access import Action, can, district_view
from wbl.concurrency import Edit, save_form
from wbl.history import entries, m2m_history

GOALS_PER_PAGE = 25
RESTORABLE = f"An administrator can restore it within {RESTORE_WINDOW.days} days."
STAGE_ORDER = {value: index for index, value in enumerate(Stage.values)}

GOAL_SET_FIELDS = [
    ("title", "Title"),
    ("level", "Level"),
    ("scope", "Scope"),
    ("school", "School"),
    ("pathway", "Pathway"),
    ("stem", "Stem sentence"),
    ("start_year", "Start year"),
    ("target_year", "Target year"),
    ("stage", "Stage"),
    ("version", "Version"),
]
GOAL_FIELDS = [*GOAL_CONTENT_FIELDS, ("order", "Position")]
GOAL_PARTNERS_HISTORY = m2m_history(Goal, "responsible_partners") + "__partner"
INDICATOR_FIELDS = [
    *INDICATOR_CONTENT_FIELDS,
    ("revision_note", "Reason for the change"),
    ("order", "Position"),
]


# -- helpers -------------------------------------------------------------------------------


def _can_edit(request, goal_set) -> bool:
    return can(request.membership, Action.EDIT_GOALS) and goal_set.is_editable


def _goals_for_display(goal_set, goals):
    for goal in goals:
        goal.findings = check_goal(goal, goal_set)
    return goals


def _goal_queryset():
    return Goal.objects.select_related("owner").prefetch_related(
        "indicators", "responsible_partners"
    )


def _autofocus(form):
    """In an htmx fragment, put keyboard focus on the first field with an error, else the
    first field (htmx focuses [autofocus] in swapped content)."""
    names = [name for name in form.errors if name in form.fields] or [
        name for name, f in form.fields.items() if not f.widget.is_hidden
    ]
    if names:
        form.fields[names[0]].widget.attrs["autofocus"] = True
    return form


def _position(goal) -> int:
    """The goal's 1-based position in its set, in the set's order (order, pk)."""
    before = Q(order__lt=goal.order) | Q(order=goal.order, pk__lt=goal.pk)
    return Goal.objects.filter(before, goal_set_id=goal.goal_set_id).count() + 1


def _page_of(position: int) -> int:
    return (position - 1) // GOALS_PER_PAGE + 1


def _requested_page(request) -> int:
    """The page asked for: ?page= on a page load; for htmx, the page the user is looking at
    (from HX-Current-URL), so a swap of the section keeps them where they were."""
    raw = request.GET.get("page")
    if raw is None and request.htmx and request.htmx.current_url:
        raw = parse_qs(urlsplit(request.htmx.current_url).query).get("page", [None])[0]
    try:
        return int(raw or 1)
    except ValueError:
        return 1


def _section_context(request, goal_set, goal_form=None, focus=None, page=None):
    """One page of the set's goals (GOALS_PER_PAGE), numbered by their place in the whole set.

    With `focus` a goal's pk, the page is the one holding that goal (after a move or an add);
    otherwise the page asked for. A fixed number of queries whatever the size of the set.
    """
    total = Goal.objects.filter(goal_set=goal_set).count()
    pages = max(1, -(-total // GOALS_PER_PAGE))
    if isinstance(focus, int):
        order = Goal.objects.filter(pk=focus).values_list("order", flat=True).first() or 0
        page = _page_of(_position(Goal(pk=focus, goal_set_id=goal_set.pk, order=order)))
    elif page is None:
        page = _requested_page(request)
    page = min(max(page, 1), pages)
    start = (page - 1) * GOALS_PER_PAGE
    goals = list(_goal_queryset().filter(goal_set=goal_set)[start : start + GOALS_PER_PAGE])
    for position, goal in enumerate(goals, start=start + 1):
        goal.position = position
        goal.is_last = position == total
    can_edit = _can_edit(request, goal_set)
    if can_edit and goal_form is None:
        goal_form = GoalForm(goal_set=goal_set)
    return {
        "goal_set": goal_set,
        "goals": _goals_for_display(goal_set, goals),
        "goal_count": total,
        "page": page,
        "pages": range(1, pages + 1) if pages > 1 else None,
        "first_position": start + 1,
        "goal_form": goal_form,
        "can_edit": can_edit,
        "focus": focus,
    }


def _render_section(request, goal_set, goal_form=None, status=200, focus=None):
    """The goals section for an htmx swap; the address bar follows the page it shows."""
    context = _section_context(request, goal_set, goal_form, focus=focus)
    response = render(request, "goals/_goal_section.html", context, status=status)
    query = f"?page={context['page']}" if context["pages"] else ""
    return replace_url(response, f"{goal_set.get_absolute_url()}{query}")


def _render_goal(request, goal, status=200):
    goal_set = goal.goal_set
    goal = _goal_queryset().get(pk=goal.pk)
    goal.position = _position(goal)
    goal.is_last = not Goal.objects.filter(goal_set=goal_set, order__gt=goal.order).exists()
    _goals_for_display(goal_set, [goal])
    context = {
        "goal": goal,
        "goal_set": goal_set,
        "can_edit": _can_edit(request, goal_set),
        "focus": goal.pk,
    }
    return render(request, "goals/_goal.html", context, status=status)


def _render_goal_from_form(request, goal):
    """After an inline form inside a goal saves: the whole goal, retargeted from the form's
    own container (which errors and conflicts re-render in place) to the goal."""
    response = _render_goal(request, goal)
    return retarget(reswap(response, "outerHTML"), f"#goal-{goal.pk}")


def _goal_anchor(goal) -> str:
    """The set page that shows the goal, scrolled to it."""
    page = _page_of(_position(goal))
    query = f"?page={page}" if page > 1 else ""
    return f"{goal.goal_set.get_absolute_url()}{query}#goal-{goal.pk}"


# -- goal sets -----------------------------------------------------------------------------


@district_view(Action.VIEW)
@require_GET
def set_list(request):
    district = request.district
    form = GoalSetFilterForm(request.GET or None, district=district)
    goal_sets = GoalSet.objects.filter(district=district).for_list()
    if form.is_valid():
        goal_sets = form.filter(goal_sets)
    goal_sets = sorted(goal_sets, key=lambda s: (STAGE_ORDER[s.stage], s.title, -s.version))
    levels = [
        (label, [s for s in goal_sets if s.level == value])
        for value, label in GoalSet.Level.choices
    ]
    return render(
        request,
        "goals/set_list.html",
        {"levels": levels, "filter_form": form, "total": len(goal_sets)},
    )


@district_view(Action.EDIT_GOALS)
@require_http_methods(["GET", "POST"])
def set_create(request):
    form = GoalSetForm(request.POST or None, district=request.district)
    if request.method == "POST" and form.is_valid():
        goal_set = save_form(form, by=request.user)
        messages.success(request, f"Created the goal set “{goal_set.title}”. Now add its goals.")
        return redirect(goal_set)
    return render(request, "goals/set_form.html", {"form": form})


@district_view(Action.EDIT_GOALS)
@require_http_methods(["GET", "POST"])
def set_edit(request, pk):
    goal_set = get_goal_set(request, pk, for_edit=True)
    form = GoalSetForm(request.POST or None, instance=goal_set, district=request.district)
    edit = Edit(request, form)
    form, conflict = edit.form, edit.conflict  # rebased on the saved row after a conflict
    if edit.saved:
        messages.success(request, "Saved the goal set.")
        return redirect(goal_set)
    return render(
        request,
        "goals/set_form.html",
        {"form": form, "goal_set": goal_set, "conflict": conflict},
        status=edit.status,
    )


@district_view(Action.EDIT_GOALS)
@require_http_methods(["GET", "POST"])
def set_delete(request, pk):
    goal_set = get_goal_set(request, pk)
    ensure_deletable(goal_set)
    if request.method == "POST":
        services.soft_delete(goal_set, by=request.user)
        messages.success(
            request,
            f"Deleted the goal set “{goal_set.title}” with its goals and indicators. {RESTORABLE}",
        )
        return redirect("goals:set_list", request.district.slug)
    goal_count = goal_set.goals.count()
    return render(
        request,
        "goals/confirm_delete.html",
        {
            "goal_set": goal_set,
            "object": goal_set,
            "what": "goal set",
            "cancel_url": goal_set.get_absolute_url(),
            "detail": (
                f"Its {goal_count} goal{pluralize(goal_count)} and their indicators are deleted "
                "with it."
            ),
            "action_url": reverse("goals:set_delete", args=[request.district.slug, goal_set.pk]),
        },
    )


@district_view(Action.VIEW)
@require_GET
def set_detail(request, pk):
    goal_set = get_goal_set(request, pk)
    context = _section_context(request, goal_set)
    return render(request, "goals/set_detail.html", context)


@district_view(Action.VIEW)
@require_GET
def set_history(request, pk):
    goal_set = get_goal_set(request, pk)
    set_records = GoalSet.history.filter(id=goal_set.pk).select_related(
        "history_user", "school", "pathway"
    )
    goal_records = (
        Goal.history.filter(goal_set_id=goal_set.pk)
        .select_related("history_user", "owner")
        .prefetch_related(GOAL_PARTNERS_HISTORY)
    )
    history = entries(set_records, GOAL_SET_FIELDS, subject=lambda r: "Goal set") + entries(
        goal_records, GOAL_FIELDS, subject=lambda r: f"Goal: {r.statement[:80]}"
    )
    history.sort(key=lambda e: e.when, reverse=True)
    return render(
        request,
        "goals/history.html",
        {"goal_set": goal_set, "entries": history, "title": f"History of {goal_set.title}"},
    )


# -- goals ---------------------------------------------------------------------------------


@district_view(Action.EDIT_GOALS)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def goal_create(request, pk):
    goal_set = get_goal_set(request, pk, for_edit=True)
    form = GoalForm(request.POST or None, goal_set=goal_set)
    if request.method == "POST":
        if form.is_valid():
            goal = save_form(
                form,
                by=request.user,
                before_save=lambda g: setattr(
                    g, "order", services.next_order(goal_set.goals.all())
                ),
            )
            if request.htmx:
                return _render_section(request, goal_set, focus=goal.pk)
            messages.success(request, "Added the goal.")
            return redirect(_goal_anchor(goal))
        if request.htmx:
            return _render_section(request, goal_set, goal_form=_autofocus(form))
    return render(request, "goals/goal_form_page.html", {"form": form, "goal_set": goal_set})


@district_view(Action.VIEW)
@vary_on_headers("HX-Request")
@require_GET
def goal_detail(request, pk):
    goal = get_goal(request, pk)
    if request.htmx:
        return _render_goal(request, goal)
    return redirect(_goal_anchor(goal))


@district_view(Action.EDIT_GOALS)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def goal_edit(request, pk):
    goal = get_goal(request, pk, for_edit=True)
    goal_set = goal.goal_set
    form = GoalForm(request.POST or None, instance=goal, goal_set=goal_set)
    edit = Edit(request, form)
    form, conflict = edit.form, edit.conflict  # rebased on the saved row after a conflict
    if edit.saved:
        if request.htmx:
            return _render_goal(request, goal)
        messages.success(request, "Saved the goal.")
        return redirect(_goal_anchor(goal))
    if request.htmx:
        _autofocus(form)
    context = {
        "form": form,
        "goal": goal,
        "goal_set": goal_set,
        "conflict": conflict,
        "inline": bool(request.htmx),
    }
    template = "goals/_goal_edit.html" if request.htmx else "goals/goal_form_page.html"
    return render(request, template, context, status=edit.status)


@district_view(Action.EDIT_GOALS)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def goal_delete(request, pk):
    goal = get_goal(request, pk)
    goal_set = goal.goal_set
    ensure_deletable(goal_set)
    if request.method == "POST":
        services.soft_delete(goal, by=request.user)
        if request.htmx:
            return _render_section(request, goal_set, focus="section")
        messages.success(request, f"Deleted the goal and its indicators. {RESTORABLE}")
        return redirect(goal_set)
    indicator_count = goal.indicators.count()
    return render(
        request,
        "goals/confirm_delete.html",
        {
            "goal_set": goal_set,
            "object": goal,
            "what": "goal",
            "cancel_url": _goal_anchor(goal),
            "detail": (
                f"Its {indicator_count} indicator{pluralize(indicator_count)} "
                f"{pluralize(indicator_count, 'is,are')} deleted with it."
            ),
            "action_url": reverse("goals:goal_delete", args=[request.district.slug, goal.pk]),
        },
    )


@district_view(Action.EDIT_GOALS)
@vary_on_headers("HX-Request")
@require_POST
def goal_move(request, pk):
    goal = get_goal(request, pk, for_edit=True)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise Http404
    services.move(goal, goal.goal_set.goals.all(), direction, by=request.user)
    goal.refresh_from_db(fields=["order", "row_version"])
    if request.htmx:
        return _render_section(request, goal.goal_set, focus=goal.pk)
    return redirect(_goal_anchor(goal))


@district_view(Action.VIEW)
@require_GET
def goal_history(request, pk):
    goal = get_goal(request, pk)
    goal_records = (
        Goal.history.filter(id=goal.pk)
        .select_related("history_user", "owner")
        .prefetch_related(GOAL_PARTNERS_HISTORY)
    )
    indicator_records = Indicator.history.filter(goal_id=goal.pk).select_related("history_user")
    history = entries(goal_records, GOAL_FIELDS, subject=lambda r: "Goal") + entries(
        indicator_records, INDICATOR_FIELDS, subject=lambda r: f"Indicator: {r.name}"
    )
    history.sort(key=lambda e: e.when, reverse=True)
    return render(
        request,
        "goals/history.html",
        {"goal_set": goal.goal_set, "goal": goal, "entries": history, "title": "History of a goal"},
    )


# -- indicators ----------------------------------------------------------------------------


@district_view(Action.EDIT_GOALS)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def indicator_create(request, pk):
    goal = get_goal(request, pk, for_edit=True)
    form = IndicatorForm(request.POST or None, goal=goal)
    if request.method == "POST" and form.is_valid():
        save_form(
            form,
            by=request.user,
            before_save=lambda i: setattr(i, "order", services.next_order(goal.indicators.all())),
        )
        if request.htmx:
            return _render_goal_from_form(request, goal)
        messages.success(request, "Added the indicator.")
        return redirect(_goal_anchor(goal))
    if request.htmx:
        _autofocus(form)
    context = {"form": form, "goal": goal, "goal_set": goal.goal_set, "inline": bool(request.htmx)}
    template = "goals/_indicator_form.html" if request.htmx else "goals/indicator_form_page.html"
    return render(request, template, context)


@district_view(Action.EDIT_GOALS)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk):
    indicator = get_indicator(request, pk, for_edit=True)
    goal = indicator.goal
    form = IndicatorForm(request.POST or None, instance=indicator, goal=goal)
    edit = Edit(request, form)
    form, conflict = edit.form, edit.conflict  # rebased on the saved row after a conflict
    if edit.saved:
        if request.htmx:
            return _render_goal_from_form(request, goal)
        messages.success(request, "Saved the indicator.")
        return redirect(_goal_anchor(goal))
    if request.htmx:
        _autofocus(form)
    context = {
        "form": form,
        "goal": goal,
        "goal_set": goal.goal_set,
        "indicator": indicator,
        "conflict": conflict,
        "inline": bool(request.htmx),
    }
    template = "goals/_indicator_form.html" if request.htmx else "goals/indicator_form_page.html"
    return render(request, template, context, status=edit.status)


@district_view(Action.EDIT_GOALS)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def indicator_delete(request, pk):
    indicator = get_indicator(request, pk)
    goal = indicator.goal
    ensure_deletable(goal.goal_set)
    if request.method == "POST":
        services.soft_delete(indicator, by=request.user)
        if request.htmx:
            return _render_goal(request, goal)
        messages.success(request, f"Deleted the indicator. {RESTORABLE}")
        return redirect(_goal_anchor(goal))
    return render(
        request,
        "goals/confirm_delete.html",
        {
            "goal_set": goal.goal_set,
            "object": indicator,
            "what": "indicator",
            "cancel_url": _goal_anchor(goal),
            "detail": "",
            "action_url": reverse(
                "goals:indicator_delete", args=[request.district.slug, indicator.pk]
            ),
        },
    )


@district_view(Action.EDIT_GOALS)
@vary_on_headers("HX-Request")
@require_POST
def indicator_move(request, pk):
    indicator = get_indicator(request, pk, for_edit=True)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise Http404
    services.move(indicator, indicator.goal.indicators.all(), direction, by=request.user)
    if request.htmx:
        return _render_goal(request, indicator.goal)
    return redirect(_goal_anchor(indicator.goal))


# -- deleted items (admins) ----------------------------------------------------------------


@district_view(Action.RESTORE_DELETED)
@require_GET
def deleted_items(request):
    """What was deleted in the district within RESTORE_WINDOW, newest first, in three
    queries: each goal set, goal or indicator deleted on its own (what went with it is
    counted on its row and comes back with it)."""
    district = request.district
    since = timezone.now() - RESTORE_WINDOW
    goal_sets = list(
        GoalSet.all_objects.filter(district=district, deleted_at__gte=since)
        .select_related("deleted_by")
        .annotate(
            goals_with=Count("goals", filter=Q(goals__deleted_at=F("deleted_at")), distinct=True)
        )
        .order_by("-deleted_at", "-pk")
    )
    goals = list(
        Goal.all_objects.filter(goal_set__district=district, deleted_at__gte=since)
        .exclude(goal_set__deleted_at=F("deleted_at"))
        .select_related("goal_set", "deleted_by")
        .annotate(
            indicators_with=Count("indicators", filter=Q(indicators__deleted_at=F("deleted_at")))
        )
        .order_by("-deleted_at", "-pk")
    )
    indicators = list(
        Indicator.all_objects.filter(goal__goal_set__district=district, deleted_at__gte=since)
        .exclude(goal__deleted_at=F("deleted_at"))
        .select_related("goal__goal_set", "deleted_by")
        .order_by("-deleted_at", "-pk")
    )
    for goal in goals:
        goal.blocker = services.restore_blocker(goal, goal.goal_set)
    for indicator in indicators:
        indicator.blocker = services.restore_blocker(indicator, indicator.goal.goal_set)
    return render(
        request,
        "goals/deleted_items.html",
        {
            "goal_sets": goal_sets,
            "goals": goals,
            "indicators": indicators,
            "window_days": RESTORE_WINDOW.days,
        },
    )


def _restore(request, queryset, pk):
    """Restore one deleted row of the district; the outcome is a message on the list."""
    item = get_object_or_404(queryset, pk=pk)
    raw_version = request.POST.get("row_version", "")
    expected = int(raw_version) if raw_version.isdigit() else None
    try:
        rows = services.restore(item, by=request.user, expected_version=expected)
    except services.RestoreError as exc:
        messages.error(request, str(exc))
    else:
        with_rows = rows[1:]  # rows[0] is the item itself
        goals = sum(isinstance(r, Goal) for r in with_rows)
        indicators = sum(isinstance(r, Indicator) for r in with_rows)
        with_it = [
            f"{count} {noun}{pluralize(count)}"
            for count, noun in ((goals, "goal"), (indicators, "indicator"))
            if count
        ]
        suffix = f", with {' and '.join(with_it)}" if with_it else ""
        named = services.describe(item)
        messages.success(request, f"Restored {named[0].lower()}{named[1:]}{suffix}.")
    return redirect("goals:deleted_items", request.district.slug)


@require_POST  # first: a GET is refused as such, whoever asks
@district_view(Action.RESTORE_DELETED)
def set_restore(request, pk):
    return _restore(request, GoalSet.all_objects.filter(district=request.district), pk)


@require_POST  # first: a GET is refused as such, whoever asks
@district_view(Action.RESTORE_DELETED)
def goal_restore(request, pk):
    return _restore(request, Goal.all_objects.filter(goal_set__district=request.district), pk)


@require_POST  # first: a GET is refused as such, whoever asks
@district_view(Action.RESTORE_DELETED)
def indicator_restore(request, pk):
    return _restore(
        request, Indicator.all_objects.filter(goal__goal_set__district=request.district), pk
    )
