"""Stage 5, Monitor: progress entries per indicator, data stewards, data reviews, the
per-set dashboard with its charts, the district overview and the progress report PDF.

Progress is logged once the board has adopted a set: in Communicate, Implement and Monitor
(stages 3-5 overlap), and in Revise too, because the last figures often arrive while the
district judges each goal's outcome. Once a newer version of the set has started, the old
one is closed: progress goes to the new version. Coordinators log only for sets in their
schools and pathways (cycle.access); admin and staff for the whole district.
"""

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from cycle.access import covers_goal_set
from cycle.charts import LATEST_FIGURES, figures, indicator_chart
from cycle.forms.monitoring import (
    DataReviewForm,
    GoalSetStewardForm,
    IndicatorStewardForm,
    ProgressEntryForm,
)
from cycle.models import BoardAdoption, DataReview, ProgressEntry
from cycle.pdf import PdfLimitExceeded, limit_page, pdf_response, render_pdf
from cycle.status import (
    STATUS_FIELDS,
    STATUS_RULE,
    SYMBOLS,
    Status,
    counts,
    next_value_due,
    show_value,
    statuses_for,
)
from cycle.status import snapshot as take_snapshot
from goals.models import Goal, GoalSet, Indicator, Stage
from wbl.access import Action, can, district_view
from wbl.concurrency import Edit, save_form
from wbl.history import delete_with_history, entries

LOGGING_STAGES = (Stage.COMMUNICATE, Stage.IMPLEMENT, Stage.MONITOR, Stage.REVISE)
ADOPTED_STAGES = LOGGING_STAGES
PROGRESS_FIELDS = [
    ("value", "Value"),
    ("as_of", "As of"),
    ("note", "Note"),
    ("evidence_url", "Evidence link"),
    ("entered_by", "Entered by"),
]


# -- resolving objects and rights ----------------------------------------------------------


def _indicator(request, pk) -> Indicator:
    return get_object_or_404(
        Indicator.objects.select_related(
            "goal__goal_set__district",
            "goal__goal_set__school",
            "goal__goal_set__pathway",
            "goal__goal_set__data_steward",
            "data_steward",
        ),
        pk=pk,
        goal__goal_set__district=request.district,
    )


def _entry(request, pk) -> ProgressEntry:
    return get_object_or_404(
        ProgressEntry.objects.select_related(
            "indicator__goal__goal_set__district",
            "indicator__goal__goal_set__school",
            "indicator__goal__goal_set__pathway",
        ),
        pk=pk,
        indicator__goal__goal_set__district=request.district,
    )


def _goal_set(request, pk) -> GoalSet:
    return get_object_or_404(
        GoalSet.objects.select_related("district", "school", "pathway", "data_steward"),
        pk=pk,
        district=request.district,
    )


def _review(request, pk) -> DataReview:
    return get_object_or_404(
        DataReview.objects.select_related("goal_set__district"),
        pk=pk,
        goal_set__district=request.district,
    )


def logging_closed_reason(goal_set: GoalSet) -> str:
    """Why progress cannot be logged for this set now, or "" when it can."""
    if goal_set.stage not in LOGGING_STAGES:
        return (
            f"Progress is logged once the board has adopted “{goal_set.title}”; it is in "
            f"{goal_set.get_stage_display()} now."
        )
    if goal_set.stage == Stage.REVISE and goal_set.next_versions.exists():
        return (
            f"Version {goal_set.version + 1} of “{goal_set.title}” has started: log progress "
            "there. This version stays as it was adopted."
        )
    return ""


def _ensure_can_log(request, goal_set: GoalSet) -> None:
    if not covers_goal_set(request.membership, goal_set):
        raise PermissionDenied(
            "You log progress only for goal sets of your schools and pathways; this one is "
            f"for {goal_set.scope_label.lower()}."
        )
    reason = logging_closed_reason(goal_set)
    if reason:
        raise PermissionDenied(reason)


def _ensure_reviews_open(goal_set: GoalSet) -> None:
    if goal_set.stage not in LOGGING_STAGES:
        raise PermissionDenied(
            f"Data reviews are held once the board has adopted “{goal_set.title}”; it is in "
            f"{goal_set.get_stage_display()} now."
        )


def _can_log(request, goal_set) -> bool:
    return covers_goal_set(request.membership, goal_set) and not logging_closed_reason(goal_set)


def _can_manage(request) -> bool:
    return can(request.membership, Action.RUN_CYCLE)


def _dashboard_url(district, indicator) -> str:
    goal_set_pk = indicator.goal.goal_set_id
    return reverse("cycle:dashboard", args=[district.slug, goal_set_pk]) + (
        f"#indicator-{indicator.pk}"
    )


# -- building what the dashboard and the PDF show ------------------------------------------


def _monitoring_since(goal_set):
    """The day monitoring counts from: the board's adoption, else Jan 1 of the start year."""
    adopted = (
        BoardAdoption.objects.filter(
            goal_set=goal_set,
            outcome__in=[BoardAdoption.Outcome.ADOPTED, BoardAdoption.Outcome.ADOPTED_AMENDED],
        )
        .order_by("-meeting_date")
        .values_list("meeting_date", flat=True)
        .first()
    )
    return adopted or date(goal_set.start_year, 1, 1)


class Point(NamedTuple):
    """A logged value as the charts and tables need it (no model instance per entry)."""

    as_of: date
    value: Decimal


def _points_by_indicator(indicators) -> dict[int, list[Point]]:
    """Every logged value of these indicators, by date, in one query without model instances:
    a page of ten indicators with years of monthly values would otherwise build ~1,000."""
    found = {indicator.pk: [] for indicator in indicators}
    rows = (
        ProgressEntry.objects.filter(indicator__in=list(found))
        .order_by("as_of", "pk")
        .values_list("indicator_id", "as_of", "value")
    )
    for indicator_id, as_of, value in rows:
        found[indicator_id].append(Point(as_of, value))
    return found


def _decorate(indicators, goal_set, statuses, since, points=None):
    """Status, chart, figures and due date on each indicator; `points` from
    _points_by_indicator, else each indicator's prefetched progress."""
    for indicator in indicators:
        entries_ = points[indicator.pk] if points is not None else list(indicator.progress.all())
        status = statuses[indicator.pk]
        indicator.status = status
        indicator.entries = entries_
        indicator.chart = indicator_chart(indicator, entries_, status)
        indicator.figures = figures(indicator, entries_)
        indicator.figures_latest = LATEST_FIGURES
        indicator.steward = indicator.data_steward or goal_set.data_steward
        indicator.latest_shown = show_value(indicator, status.latest_value)
        indicator.expected_shown = show_value(indicator, status.expected_value)
        indicator.target_shown = show_value(indicator, indicator.target_value)
        last = entries_[-1].as_of if entries_ else None
        indicator.next_due = (
            next_value_due(indicator, last, since)
            if indicator.source == Indicator.Source.MANUAL
            else None
        )
    return indicators


def _indicator_queryset():
    return Indicator.objects.select_related("data_steward").prefetch_related("progress")


GOALS_PER_PAGE = 10


def _report(goal_set, *, page=None):
    """The set's goals with their indicators, statuses and charts; fixed number of queries.

    With `page` (1-based), only that page's goals (GOALS_PER_PAGE) get their values and charts;
    the tally at the top still counts every indicator of the set. The PDF passes no page.
    """
    goals = list(Goal.objects.filter(goal_set=goal_set))
    by_goal = {goal.pk: [] for goal in goals}
    indicators = list(
        Indicator.objects.filter(goal__goal_set=goal_set)
        .select_related("data_steward")
        .order_by("goal__order", "goal", "order", "pk")
    )
    # Plain lists, not a prefetch: goal.indicators.all() builds a queryset per goal.
    for indicator in indicators:
        by_goal[indicator.goal_id].append(indicator)
    for position, goal in enumerate(goals, start=1):
        goal.position = position
        goal.indicator_list = by_goal[goal.pk]
    statuses = statuses_for(indicators)
    goal_count = len(goals)
    pages = max(1, -(-goal_count // GOALS_PER_PAGE))
    if page is not None:
        page = min(max(page, 1), pages)
        goals = goals[(page - 1) * GOALS_PER_PAGE : page * GOALS_PER_PAGE]
    shown = [i for goal in goals for i in goal.indicator_list]
    since = _monitoring_since(goal_set) if goal_set.stage in ADOPTED_STAGES else None
    _decorate(shown, goal_set, statuses, since, points=_points_by_indicator(shown))
    tally = counts(statuses.values())
    latest_review = goal_set.data_reviews.order_by("-scheduled_for", "-pk").first()
    return {
        "goal_set": goal_set,
        "goals": goals,
        "indicator_count": len(indicators),
        "tally": [(Status(key), SYMBOLS[key], n) for key, n in tally.items()],
        "latest_review": latest_review,
        "status_rule": STATUS_RULE,
        "today": timezone.localdate(),
        "goal_count": goal_count,
        "first_position": goals[0].position if goals else 0,
        "page": page,
        "pages": range(1, pages + 1) if pages > 1 else None,
    }


def _card(request, indicator, *, form=None, steward_form=None, conflict=None, saved=""):
    """One indicator's card (for htmx), with its status, chart and an open form, if any."""
    goal_set = indicator.goal.goal_set
    fresh = _indicator_queryset().get(pk=indicator.pk)
    fresh.goal = indicator.goal
    statuses = statuses_for([fresh])
    since = _monitoring_since(goal_set) if goal_set.stage in ADOPTED_STAGES else None
    _decorate([fresh], goal_set, statuses, since)
    return {
        "ind": fresh,
        "goal_set": goal_set,
        "can_log": _can_log(request, goal_set),
        "can_manage": _can_manage(request),
        "form": form,
        "steward_form": steward_form,
        "conflict": conflict,
        "saved": saved,
        "inline": True,
    }


# -- pages ---------------------------------------------------------------------------------


@district_view(Action.VIEW)
@require_GET
def overview(request):
    goal_sets = list(
        GoalSet.objects.filter(district=request.district, stage__in=ADOPTED_STAGES)
        .select_related("school", "pathway")
        .order_by("title", "-version")
    )
    # The set's id as a column, not the goal as an object, and only the fields the status
    # rule reads: a district of 1,000 indicators builds half the instances, each smaller.
    indicators = list(
        Indicator.objects.filter(goal__goal_set__in=[s.pk for s in goal_sets])
        .only(*STATUS_FIELDS)
        .annotate(set_id=F("goal__goal_set_id"))
    )
    statuses = statuses_for(indicators)
    by_set = {s.pk: [] for s in goal_sets}
    for indicator in indicators:
        by_set[indicator.set_id].append(statuses[indicator.pk])
    for goal_set in goal_sets:
        goal_set.tally = list(counts(by_set[goal_set.pk]).values())
        goal_set.indicator_count = len(by_set[goal_set.pk])
    totals = counts(statuses.values())
    return render(
        request,
        "cycle/monitoring/overview.html",
        {
            "goal_sets": goal_sets,
            "columns": [(Status(key), SYMBOLS[key]) for key in Status.values],
            "totals": list(totals.values()),
            "indicator_count": len(indicators),
            "status_rule": STATUS_RULE,
        },
    )


@district_view(Action.VIEW)
@require_GET
def dashboard(request, pk):
    goal_set = _goal_set(request, pk)
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        page = 1
    context = _report(goal_set, page=page)
    can_manage = _can_manage(request)
    context.update(
        {
            "can_log": _can_log(request, goal_set),
            "closed_reason": logging_closed_reason(goal_set),
            "can_manage": can_manage,
            "set_steward_form": GoalSetStewardForm(instance=goal_set, district=request.district)
            if can_manage
            else None,
        }
    )
    return render(request, "cycle/monitoring/dashboard.html", context)


@district_view(Action.VIEW)
@require_GET
def progress_pdf(request, pk):
    goal_set = _goal_set(request, pk)
    context = _report(goal_set)
    context["district"] = request.district
    try:
        pdf = render_pdf("pdf/progress_report.html", context)
    except PdfLimitExceeded as exc:
        dashboard_url = reverse("cycle:dashboard", args=[request.district.slug, goal_set.pk])
        return limit_page(
            request,
            exc,
            document="progress report",
            subject=goal_set.title,
            instead=[
                ("Read the progress on the dashboard, which shows the same figures", dashboard_url),
                ("Split the goal set into smaller sets, each with its own report", None),
            ],
        )
    return pdf_response(pdf, f"{request.district.slug}-progress-{goal_set.title}.pdf")


@district_view(Action.VIEW)
@vary_on_headers("HX-Request")
@require_GET
def indicator_card(request, pk):
    """One indicator's card on the dashboard (htmx); a plain request goes to the dashboard."""
    indicator = _indicator(request, pk)
    if not request.htmx:
        return redirect(_dashboard_url(request.district, indicator))
    return render(request, "cycle/monitoring/_indicator.html", _card(request, indicator))


# -- progress entries ----------------------------------------------------------------------


@district_view(Action.VIEW)
@require_GET
def progress_list(request, pk):
    indicator = _indicator(request, pk)
    goal_set = indicator.goal.goal_set
    progress = list(indicator.progress.select_related("entered_by").order_by("-as_of", "-pk"))
    status = statuses_for([indicator])[indicator.pk]
    return render(
        request,
        "cycle/monitoring/progress_list.html",
        {
            "indicator": indicator,
            "goal_set": goal_set,
            "progress": progress,
            "status": status,
            "can_log": _can_log(request, goal_set),
        },
    )


@district_view(Action.LOG_PROGRESS)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def progress_add(request, pk):
    indicator = _indicator(request, pk)
    goal_set = indicator.goal.goal_set
    _ensure_can_log(request, goal_set)
    if indicator.source == Indicator.Source.COMPUTED:
        raise PermissionDenied(
            f"“{indicator.name}” is computed from the students' WBL experiences: record the "
            "experiences, and its value follows."
        )
    # Ids carry the indicator's pk: several forms may be open on one dashboard.
    form = ProgressEntryForm(
        request.POST or None, indicator=indicator, auto_id=f"id_log{indicator.pk}_%s"
    )
    if request.method == "POST" and form.is_valid():
        entry = save_form(
            form, by=request.user, before_save=lambda e: setattr(e, "entered_by", request.user)
        )
        saved = f"Logged {entry.value.normalize():f} as of {entry.as_of:%b} {entry.as_of.day}, "
        saved += f"{entry.as_of.year}."
        if request.htmx:
            context = _card(request, indicator, saved=saved)
            return render(request, "cycle/monitoring/_indicator.html", context)
        messages.success(request, saved)
        return redirect(_dashboard_url(request.district, indicator))
    if request.htmx:
        form.fields["value"].widget.attrs["autofocus"] = True
        context = _card(request, indicator, form=form)
        return render(request, "cycle/monitoring/_indicator.html", context)
    return render(
        request,
        "cycle/monitoring/progress_form_page.html",
        {"form": form, "indicator": indicator, "goal_set": goal_set},
    )


@district_view(Action.LOG_PROGRESS)
@require_http_methods(["GET", "POST"])
def progress_edit(request, pk):
    entry = _entry(request, pk)
    indicator = entry.indicator
    goal_set = indicator.goal.goal_set
    _ensure_can_log(request, goal_set)
    form = ProgressEntryForm(request.POST or None, instance=entry, indicator=indicator)
    edit = Edit(request, form)
    form, conflict = edit.form, edit.conflict  # rebased on the saved row after a conflict
    if edit.saved:
        messages.success(request, "Saved the value.")
        return redirect("cycle:progress_list", request.district.slug, indicator.pk)
    return render(
        request,
        "cycle/monitoring/progress_form_page.html",
        {
            "form": form,
            "indicator": indicator,
            "goal_set": goal_set,
            "entry": entry,
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


@district_view(Action.LOG_PROGRESS)
@require_http_methods(["GET", "POST"])
def progress_delete(request, pk):
    entry = _entry(request, pk)
    indicator = entry.indicator
    goal_set = indicator.goal.goal_set
    _ensure_can_log(request, goal_set)
    list_url = reverse("cycle:progress_list", args=[request.district.slug, indicator.pk])
    if request.method == "POST":
        with transaction.atomic():
            delete_with_history(entry, by=request.user)
        messages.success(request, "Deleted the value. The deletion is kept in the history.")
        return redirect(list_url)
    return render(
        request,
        "goals/confirm_delete.html",
        {
            "goal_set": goal_set,
            "object": f"{indicator.name}: {entry.value.normalize():f} as of {entry.as_of}",
            "what": "value",
            "detail": "",
            "cancel_url": list_url,
            "action_url": reverse("cycle:progress_delete", args=[request.district.slug, entry.pk]),
        },
    )


@district_view(Action.VIEW)
@require_GET
def progress_history(request, pk):
    indicator = _indicator(request, pk)
    records = ProgressEntry.history.filter(indicator_id=indicator.pk).select_related(
        "history_user", "entered_by"
    )
    history = entries(
        records,
        PROGRESS_FIELDS,
        subject=lambda r: f"Value as of {r.as_of:%b} {r.as_of.day}, {r.as_of.year}",
    )
    return render(
        request,
        "goals/history.html",
        {
            "goal_set": indicator.goal.goal_set,
            "entries": history,
            "title": f"History of the values of “{indicator.name}”",
        },
    )


# -- data stewards -------------------------------------------------------------------------


@district_view(Action.RUN_CYCLE)
@require_http_methods(["GET", "POST"])
def set_steward(request, pk):
    goal_set = _goal_set(request, pk)
    form = GoalSetStewardForm(request.POST or None, instance=goal_set, district=request.district)
    edit = Edit(request, form)
    form, conflict = edit.form, edit.conflict  # rebased on the saved row after a conflict
    if edit.saved:
        messages.success(request, "Saved the data steward and revision date.")
        return redirect("cycle:dashboard", request.district.slug, goal_set.pk)
    return render(
        request,
        "cycle/monitoring/set_steward.html",
        {"form": form, "goal_set": goal_set, "conflict": conflict},
        status=409 if conflict else 200,
    )


@district_view(Action.RUN_CYCLE)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def indicator_steward(request, pk):
    indicator = _indicator(request, pk)
    goal_set = indicator.goal.goal_set
    form = IndicatorStewardForm(
        request.POST or None,
        instance=indicator,
        district=request.district,
        auto_id=f"id_steward{indicator.pk}_%s",
    )
    edit = Edit(request, form)
    form, conflict = edit.form, edit.conflict  # rebased on the saved row after a conflict
    if edit.saved:
        if request.htmx:
            context = _card(request, indicator, saved="Saved the data steward.")
            return render(request, "cycle/monitoring/_indicator.html", context)
        messages.success(request, "Saved the data steward.")
        return redirect(_dashboard_url(request.district, indicator))
    status = 409 if conflict else 200
    if request.htmx:
        context = _card(request, indicator, steward_form=form, conflict=conflict)
        return render(request, "cycle/monitoring/_indicator.html", context, status=status)
    return render(
        request,
        "cycle/monitoring/indicator_steward.html",
        {"form": form, "indicator": indicator, "goal_set": goal_set, "conflict": conflict},
        status=status,
    )


# -- data reviews --------------------------------------------------------------------------


def _review_indicators(goal_set):
    return (
        Indicator.objects.filter(goal__goal_set=goal_set)
        .select_related("goal")
        .order_by("goal__order", "goal__pk", "order", "pk")
    )


@district_view(Action.VIEW)
@require_GET
def data_reviews(request, pk):
    goal_set = _goal_set(request, pk)
    reviews = list(goal_set.data_reviews.order_by("-scheduled_for", "-pk"))
    for review in reviews:
        review.tally = _snapshot_tally(review.snapshot)
    return render(
        request,
        "cycle/monitoring/review_list.html",
        {
            "goal_set": goal_set,
            "reviews": reviews,
            "can_manage": _can_manage(request) and goal_set.stage in LOGGING_STAGES,
            "columns": [(Status(key), SYMBOLS[key]) for key in Status.values],
            "today": timezone.localdate(),
        },
    )


def _snapshot_tally(rows) -> list[int]:
    tally = dict.fromkeys(Status.values, 0)
    for row in rows or []:
        if row.get("status") in tally:
            tally[row["status"]] += 1
    return list(tally.values())


def _snapshot_row(row: dict) -> dict:
    row = {**row, "symbol": SYMBOLS.get(row.get("status"), "")}
    for key in ("latest_as_of", "target_date"):
        try:
            row[key] = date.fromisoformat(row[key]) if row.get(key) else None
        except (TypeError, ValueError):
            row[key] = None
    return row


def _save_review(form, *, by, original_date=None, expected_version=None):
    """Save a data review and its snapshot: the figures on its date. The snapshot is taken
    for a new review, when the date changes, and while the date is today or ahead (the
    review is not held yet); a held review's figures stay as they were reviewed."""
    goal_set = form.goal_set
    today = timezone.localdate()

    def before_save(review):
        if (
            original_date is None
            or review.scheduled_for != original_date
            or (review.scheduled_for >= today)
        ):
            review.snapshot = take_snapshot(
                _review_indicators(goal_set), as_of=review.scheduled_for
            )

    return save_form(form, by=by, expected_version=expected_version, before_save=before_save)


@district_view(Action.RUN_CYCLE)
@require_http_methods(["GET", "POST"])
def data_review_add(request, pk):
    goal_set = _goal_set(request, pk)
    _ensure_reviews_open(goal_set)
    form = DataReviewForm(request.POST or None, goal_set=goal_set)
    if request.method == "POST" and form.is_valid():
        review = _save_review(form, by=request.user)
        messages.success(request, "Saved the data review with the figures on its date.")
        return redirect("cycle:data_review", request.district.slug, review.pk)
    return render(
        request, "cycle/monitoring/review_form.html", {"form": form, "goal_set": goal_set}
    )


@district_view(Action.VIEW)
@require_GET
def data_review(request, pk):
    review = _review(request, pk)
    goal_set = review.goal_set
    return render(
        request,
        "cycle/monitoring/review_detail.html",
        {
            "review": review,
            "goal_set": goal_set,
            "rows": [_snapshot_row(row) for row in review.snapshot],
            "can_manage": _can_manage(request) and goal_set.stage in LOGGING_STAGES,
            "held": review.scheduled_for <= timezone.localdate(),
        },
    )


@district_view(Action.RUN_CYCLE)
@require_http_methods(["GET", "POST"])
def data_review_edit(request, pk):
    review = _review(request, pk)
    goal_set = review.goal_set
    _ensure_reviews_open(goal_set)
    original_date = review.scheduled_for
    form = DataReviewForm(request.POST or None, instance=review, goal_set=goal_set)
    edit = Edit(
        request,
        form,
        save=lambda: _save_review(
            form,
            by=request.user,
            original_date=original_date,
            expected_version=form.expected_version,
        ),
    )
    if edit.saved:
        messages.success(request, "Saved the data review.")
        return redirect("cycle:data_review", request.district.slug, review.pk)
    return render(
        request,
        "cycle/monitoring/review_form.html",
        {"form": edit.form, "goal_set": goal_set, "review": review, "conflict": edit.conflict},
        status=edit.status,
    )
