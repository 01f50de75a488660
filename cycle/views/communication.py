"""Stage 3, Communicate: the channel checklist of a goal set, its communication log, and the
district's own channels. Logging is open in stages 3 to 5 (see cycle.channels.LOG_STAGES)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cycle.channels import (
    channels_with_coverage,
    checklist,
    ensure_standard_channels,
    has_all_standard_channels,
    log_refusal,
)
from cycle.forms.communication import ChannelForm, CommunicationForm
from cycle.models import Channel, Communication
from goals.access import get_goal_set
from goals.models import GoalSet
from wbl.access import Action, can, district_view
from wbl.concurrency import Edit, save_form
from wbl.history import delete_with_history, entries

COMMUNICATION_FIELDS = [
    ("channel", "Channel"),
    ("date", "Date"),
    ("audience", "Audience"),
    ("note", "Note"),
    ("link", "Link"),
]
CHANNEL_FIELDS = [("name", "Name"), ("standard_key", "Standard channel")]


# -- helpers -------------------------------------------------------------------------------


def _page_url(goal_set: GoalSet) -> str:
    return reverse("cycle:communication", args=[goal_set.district.slug, goal_set.pk])


def _ensure_open(goal_set: GoalSet) -> None:
    refusal = log_refusal(goal_set)
    if refusal:
        raise PermissionDenied(refusal)


def _ensure_still_open(goal_set: GoalSet) -> None:
    """Inside the write's transaction: lock the set and check its stage again, so a log entry
    never lands on a set that someone moved on a moment ago."""
    _ensure_open(GoalSet.objects.select_for_update().get(pk=goal_set.pk))


def _get_communication(request, pk) -> Communication:
    return get_object_or_404(
        Communication.objects.select_related("goal_set__district", "channel", "logged_by"),
        pk=pk,
        goal_set__district=request.district,
    )


def _needs_channels(request) -> None:
    """Standard channels are created for the district the first time someone logs."""
    channels = Channel.objects.filter(district=request.district)
    if not has_all_standard_channels(channels):
        ensure_standard_channels(request.district, by=request.user)


# -- pages ---------------------------------------------------------------------------------


@district_view(Action.VIEW)
@require_GET
def communication(request, pk):
    goal_set = get_goal_set(request, pk)
    refusal = log_refusal(goal_set)
    can_log = can(request.membership, Action.RUN_CYCLE) and not refusal
    channels = list(channels_with_coverage(goal_set))
    if can_log and not has_all_standard_channels(channels):
        ensure_standard_channels(request.district, by=request.user)
        channels = list(channels_with_coverage(goal_set))
    log = Communication.objects.filter(goal_set=goal_set).select_related("channel", "logged_by")
    return render(
        request,
        "cycle/communication/page.html",
        {
            "goal_set": goal_set,
            "checklist": checklist(goal_set, channels),
            "log": log,
            "refusal": refusal,
            "can_log": can_log,
            "can_add_channel": can(request.membership, Action.RUN_CYCLE),
            "form": CommunicationForm(goal_set=goal_set) if can_log else None,
        },
    )


@district_view(Action.VIEW)
@require_GET
def communication_history(request, pk):
    goal_set = get_goal_set(request, pk)
    log_records = Communication.history.filter(goal_set_id=goal_set.pk).select_related(
        "history_user", "channel"
    )
    channel_records = Channel.history.filter(district_id=request.district.pk).select_related(
        "history_user"
    )
    history = entries(
        log_records, COMMUNICATION_FIELDS, subject=lambda r: f"Communication on {r.date:%b %-d, %Y}"
    ) + entries(channel_records, CHANNEL_FIELDS, subject=lambda r: f"Channel: {r.name}")
    history.sort(key=lambda e: e.when, reverse=True)
    return render(
        request,
        "cycle/communication/history.html",
        {"goal_set": goal_set, "entries": history},
    )


# -- the log -------------------------------------------------------------------------------


@district_view(Action.RUN_CYCLE)
@require_http_methods(["GET", "POST"])
def communication_create(request, pk):
    goal_set = get_goal_set(request, pk)
    _ensure_open(goal_set)
    _needs_channels(request)
    form = CommunicationForm(request.POST or None, goal_set=goal_set)
    if request.method == "POST" and form.is_valid():

        def before_save(item):
            _ensure_still_open(goal_set)
            item.logged_by = request.user

        item = save_form(form, by=request.user, before_save=before_save)
        messages.success(request, f"Logged the communication through “{item.channel}”.")
        return redirect(f"{_page_url(goal_set)}#communication-{item.pk}")
    return render(
        request, "cycle/communication/form_page.html", {"form": form, "goal_set": goal_set}
    )


@district_view(Action.RUN_CYCLE)
@require_http_methods(["GET", "POST"])
def communication_edit(request, pk):
    item = _get_communication(request, pk)
    goal_set = item.goal_set
    _ensure_open(goal_set)
    form = CommunicationForm(request.POST or None, instance=item, goal_set=goal_set)
    edit = Edit(request, form, before_save=lambda _: _ensure_still_open(goal_set))
    form, conflict = edit.form, edit.conflict  # rebased on the saved row after a conflict
    if edit.saved:
        messages.success(request, "Saved the communication.")
        return redirect(f"{_page_url(goal_set)}#communication-{item.pk}")
    return render(
        request,
        "cycle/communication/form_page.html",
        {"form": form, "goal_set": goal_set, "item": item, "conflict": conflict},
        status=409 if conflict else 200,
    )


@district_view(Action.RUN_CYCLE)
@require_http_methods(["GET", "POST"])
def communication_delete(request, pk):
    item = _get_communication(request, pk)
    goal_set = item.goal_set
    _ensure_open(goal_set)
    if request.method == "POST":
        with transaction.atomic():
            _ensure_still_open(goal_set)
            delete_with_history(item, by=request.user)
        messages.success(request, "Deleted the communication from the log.")
        return redirect(f"{_page_url(goal_set)}#log")
    return render(
        request,
        "cycle/communication/confirm_delete.html",
        {"goal_set": goal_set, "item": item},
    )


# -- the district's own channels ------------------------------------------------------------


@district_view(Action.RUN_CYCLE)
@require_http_methods(["GET", "POST"])
def channel_create(request, pk):
    goal_set = get_goal_set(request, pk)
    form = ChannelForm(request.POST or None, district=request.district)
    if request.method == "POST" and form.is_valid():
        channel = save_form(form, by=request.user)
        messages.success(request, f"Added the channel “{channel.name}” to the checklist.")
        return redirect(f"{_page_url(goal_set)}#checklist")
    return render(
        request, "cycle/communication/channel_form.html", {"form": form, "goal_set": goal_set}
    )
