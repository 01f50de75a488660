"""Stage 2, Approve: stakeholder feedback and its summary, feedback links, stakeholder
meetings, the board's adoption vote and the board packet PDF."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from cycle import services
from cycle.forms.approval import AdoptionForm, FeedbackLinkForm, MeetingForm, MemberFeedbackForm
from cycle.models import BoardAdoption, FeedbackLink, StakeholderGroup, StakeholderMeeting
from cycle.packet import (
    feedback_rows,
    latest_adoption,
    packet_filename,
    render_packet,
    summarise,
)
from cycle.pdf import PdfLimitExceeded, limit_page, pdf_response
from goals.access import get_goal_set
from goals.models import Stage
from wbl.access import Action, can, district_view
from wbl.concurrency import Edit, save_form
from wbl.history import save_with_history

FEEDBACK_STAGES = (Stage.DRAFT, Stage.APPROVE)
GROUP_LABELS = dict(StakeholderGroup.choices)


def feedback_open(goal_set) -> bool:
    """Stakeholders are heard while the set is drafted and while the board considers it."""
    return goal_set.stage in FEEDBACK_STAGES


def closed_message(goal_set) -> str:
    return (
        f"Feedback is closed: “{goal_set.title}” is in {goal_set.get_stage_display()}. "
        "Stakeholders give feedback while a set is in Draft or Approve; to change adopted "
        "goals, open a revision."
    )


def _feedback_url(request, goal_set, anchor=""):
    url = reverse("cycle:feedback", args=[request.district.slug, goal_set.pk])
    return f"{url}#{anchor}" if anchor else url


def _can_run(request) -> bool:
    return can(request.membership, Action.RUN_CYCLE)


# -- context builders ----------------------------------------------------------------------


def _goals(goal_set):
    goals = list(goal_set.goals.all())
    for position, goal in enumerate(goals, start=1):
        goal.position = position
    return goals


def _feedback_context(request, goal_set, goals, form=None):
    is_open = feedback_open(goal_set)
    if is_open and form is None:
        form = MemberFeedbackForm(goal_set=goal_set, goals=goals)
    feedback = list(feedback_rows(goal_set, with_people=True))
    positions = {goal.pk: goal.position for goal in goals}
    for item in feedback:
        item.goal_position = positions.get(item.goal_id)
    by_group, by_goal = summarise(feedback, goals)
    return {
        "goal_set": goal_set,
        "feedback_form": form if is_open else None,
        "feedback_open": is_open,
        "closed_message": closed_message(goal_set),
        "feedback_total": len(feedback),
        "by_group": by_group,
        "by_goal": by_goal,
    }


def _links_context(request, goal_set, link_form=None):
    links = list(
        FeedbackLink.objects.filter(goal_set=goal_set)
        .select_related("created_by")
        .annotate(replies=Count("feedback"))
        .order_by("-created_at", "-pk")
    )
    today = timezone.localdate()
    for link in links:
        link.full_url = request.build_absolute_uri(
            reverse("public:feedback_link", args=[link.token])
        )
        if link.revoked_at:
            link.status = "Revoked"
        elif link.expires_on < today:
            link.status = "Expired"
        else:
            link.status = "Active"
    is_open = feedback_open(goal_set)
    if is_open and link_form is None:
        link_form = FeedbackLinkForm(goal_set=goal_set)
    return {
        "goal_set": goal_set,
        "links": links,
        "link_form": link_form if is_open else None,
        "feedback_open": is_open,
    }


def _meetings(goal_set):
    meetings = list(StakeholderMeeting.objects.filter(goal_set=goal_set))
    for meeting in meetings:
        meeting.group_labels = [GROUP_LABELS[g] for g in meeting.groups if g in GROUP_LABELS]
    return meetings


def _render_feedback_page(request, goal_set, goals, *, form=None, status=200):
    context = _feedback_context(request, goal_set, goals, form)
    can_run = _can_run(request)
    if can_run:
        context.update(_links_context(request, goal_set))
    context.update(
        {
            "can_run": can_run,
            "meetings": _meetings(goal_set),
            "adoption": latest_adoption(goal_set),
        }
    )
    return render(request, "cycle/approval/feedback.html", context, status=status)


# -- feedback --------------------------------------------------------------------------------


@district_view(Action.COMMENT)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def feedback(request, pk):
    goal_set = get_goal_set(request, pk)
    goals = _goals(goal_set)
    if request.method != "POST":
        return _render_feedback_page(request, goal_set, goals)
    if not feedback_open(goal_set):
        if request.htmx:  # the section itself says feedback is closed
            context = _feedback_context(request, goal_set, goals)
            return render(request, "cycle/approval/_feedback_section.html", context, status=409)
        messages.error(request, closed_message(goal_set))
        return _render_feedback_page(request, goal_set, goals, status=409)
    form = MemberFeedbackForm(request.POST, goal_set=goal_set, goals=goals)
    if form.is_valid():
        save_form(form, by=request.user, before_save=lambda f: setattr(f, "author", request.user))
        if request.htmx:
            context = _feedback_context(request, goal_set, goals)
            context["saved"] = True
            return render(request, "cycle/approval/_feedback_section.html", context)
        messages.success(request, "Thank you: your feedback was added to the summary.")
        return redirect(_feedback_url(request, goal_set, "feedback-section"))
    if request.htmx:
        context = _feedback_context(request, goal_set, goals, form)
        return render(request, "cycle/approval/_feedback_section.html", context)
    return _render_feedback_page(request, goal_set, goals, form=form)


# -- feedback links --------------------------------------------------------------------------


@district_view(Action.RUN_CYCLE)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def link_create(request, pk):
    goal_set = get_goal_set(request, pk)
    is_open = feedback_open(goal_set)
    form = FeedbackLinkForm(request.POST or None, goal_set=goal_set)
    status = 200
    if request.method == "POST":
        if not is_open:
            status = 409
            messages.error(request, closed_message(goal_set))
        elif form.is_valid():
            link = save_form(
                form, by=request.user, before_save=lambda f: setattr(f, "created_by", request.user)
            )
            if request.htmx:
                context = _links_context(request, goal_set)
                context["created"] = link
                return render(request, "cycle/approval/_links.html", context)
            messages.success(
                request, f"Created the link for “{link.label}”. Copy it from the list and share it."
            )
            return redirect(_feedback_url(request, goal_set, f"link-{link.pk}"))
        elif request.htmx:
            context = _links_context(request, goal_set, link_form=form)
            return render(request, "cycle/approval/_links.html", context)
    context = {
        "goal_set": goal_set,
        "form": form if is_open else None,
        "closed_message": closed_message(goal_set),
    }
    return render(request, "cycle/approval/link_form.html", context, status=status)


def revoke_link(link: FeedbackLink, *, by) -> bool:
    """Revoke the link (one history row naming `by`). Idempotent: revoking a link that is
    already revoked changes nothing and returns False."""
    with transaction.atomic():
        locked = FeedbackLink.objects.select_for_update().get(pk=link.pk)
        if locked.revoked_at is not None:
            return False
        locked.revoked_at = timezone.now()
        locked.row_version += 1
        save_with_history(locked, by=by, reason="Revoked")
    link.revoked_at, link.row_version = locked.revoked_at, locked.row_version
    return True


@district_view(Action.RUN_CYCLE)
@vary_on_headers("HX-Request")
@require_POST
def link_revoke(request, pk):
    link = get_object_or_404(
        FeedbackLink.objects.select_related("goal_set__district"),
        pk=pk,
        goal_set__district=request.district,
    )
    goal_set = link.goal_set
    changed = revoke_link(link, by=request.user)
    if request.htmx:
        return render(request, "cycle/approval/_links.html", _links_context(request, goal_set))
    if changed:
        messages.success(request, f"Revoked the link for “{link.label}”: it no longer works.")
    else:
        messages.info(request, f"The link for “{link.label}” was already revoked.")
    return redirect(_feedback_url(request, goal_set, f"link-{link.pk}"))


# -- stakeholder meetings --------------------------------------------------------------------


def _ensure_meetings_open(goal_set):
    if not feedback_open(goal_set):
        raise PermissionDenied(
            f"“{goal_set.title}” is in {goal_set.get_stage_display()}: stakeholder meetings are "
            "recorded while a set is in Draft or Approve."
        )


@district_view(Action.RUN_CYCLE)
@require_http_methods(["GET", "POST"])
def meeting_create(request, pk):
    goal_set = get_goal_set(request, pk)
    _ensure_meetings_open(goal_set)
    form = MeetingForm(request.POST or None, goal_set=goal_set)
    if request.method == "POST" and form.is_valid():
        meeting = save_form(form, by=request.user)
        messages.success(request, "Recorded the stakeholder meeting.")
        return redirect(_feedback_url(request, goal_set, f"meeting-{meeting.pk}"))
    return render(request, "cycle/approval/meeting_form.html", {"form": form, "goal_set": goal_set})


@district_view(Action.RUN_CYCLE)
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = get_object_or_404(
        StakeholderMeeting.objects.select_related("goal_set__district"),
        pk=pk,
        goal_set__district=request.district,
    )
    goal_set = meeting.goal_set
    _ensure_meetings_open(goal_set)
    form = MeetingForm(request.POST or None, instance=meeting, goal_set=goal_set)
    edit = Edit(request, form)
    form, conflict = edit.form, edit.conflict  # rebased on the saved row after a conflict
    if edit.saved:
        messages.success(request, "Saved the stakeholder meeting.")
        return redirect(_feedback_url(request, goal_set, f"meeting-{meeting.pk}"))
    return render(
        request,
        "cycle/approval/meeting_form.html",
        {"form": form, "goal_set": goal_set, "meeting": meeting, "conflict": conflict},
        status=409 if conflict else 200,
    )


# -- board adoption --------------------------------------------------------------------------


@district_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def adoption(request, pk):
    goal_set = get_goal_set(request, pk)
    can_run = _can_run(request)
    in_approve = goal_set.stage == Stage.APPROVE
    form = None
    status = 200
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied("Only district staff record the board's vote.")
        form = AdoptionForm(request.POST)
        if not in_approve:
            form.is_valid()
            form.add_error(
                None,
                f"“{goal_set.title}” is in {goal_set.get_stage_display()}: the board's vote is "
                "recorded while a set is in Approve.",
            )
            status = 409
        elif form.is_valid():
            try:
                record = services.record_adoption(goal_set, by=request.user, adoption=form.instance)
            except services.CycleError as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                if record.adopts:
                    messages.success(
                        request,
                        f"Recorded the vote: {record.get_outcome_display().lower()}. The set "
                        "moved to 3 Communicate and its goals are now frozen.",
                    )
                else:
                    messages.success(
                        request,
                        f"Recorded the vote: {record.get_outcome_display().lower()}. The set "
                        "stays in 2 Approve.",
                    )
                return redirect(
                    reverse("cycle:adoption", args=[request.district.slug, goal_set.pk])
                )
    elif can_run and in_approve:
        form = AdoptionForm()
    records = list(BoardAdoption.objects.filter(goal_set=goal_set).select_related("recorded_by"))
    return render(
        request,
        "cycle/approval/adoption.html",
        {
            "goal_set": goal_set,
            "form": form,
            "records": records,
            "can_run": can_run,
            "in_approve": in_approve,
        },
        status=status,
    )


# -- board packet ----------------------------------------------------------------------------


@district_view(Action.VIEW)
@require_GET
def packet(request, pk):
    goal_set = get_goal_set(request, pk)
    try:
        pdf = render_packet(goal_set)
    except PdfLimitExceeded as exc:
        set_url = reverse("goals:set_detail", args=[request.district.slug, goal_set.pk])
        return limit_page(
            request,
            exc,
            document="board packet",
            subject=goal_set.title,
            instead=[
                ("Read the goal set on screen: its page shows every goal and indicator", set_url),
                ("Split the goal set into smaller sets, each with its own packet", None),
            ],
        )
    return pdf_response(pdf, packet_filename(goal_set))
