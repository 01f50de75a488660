"""The stage page of a goal set (where it is in the cycle, what it needs before it moves on,
its transition history) and one POST view per transition. Views never set a stage: they call
cycle.services, and show a CycleError's message at the form that asked for the move."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from cycle import services
from cycle.forms.stages import (
    ConfirmForm,
    OpenRevisionForm,
    ReturnToDraftForm,
    SubmitForApprovalForm,
)
from cycle.models import Transition
from goals.access import get_goal_set
from goals.models import Stage
from wbl.access import Action, can, district_view


@dataclass(frozen=True)
class Move:
    """One transition a person can ask for on the stage page."""

    name: str  # URL name in the cycle namespace, and the service function's name
    from_stage: str
    title: str  # heading of its form
    button: str
    form_class: type
    done: str  # the message after it happened


MOVES = {
    m.name: m
    for m in [
        Move(
            "submit_for_approval",
            Stage.DRAFT,
            "Submit for approval",
            "Submit for approval",
            SubmitForApprovalForm,
            "Submitted the set for approval: it is now in 2 Approve.",
        ),
        Move(
            "return_to_draft",
            Stage.APPROVE,
            "Return to Draft",
            "Return to Draft",
            ReturnToDraftForm,
            "Returned the set to 1 Draft.",
        ),
        Move(
            "start_implementation",
            Stage.COMMUNICATE,
            "Start implementation",
            "Start implementation",
            ConfirmForm,
            "The set is now in 4 Implement.",
        ),
        Move(
            "start_monitoring",
            Stage.IMPLEMENT,
            "Start monitoring",
            "Start monitoring",
            ConfirmForm,
            "The set is now in 5 Monitor.",
        ),
        Move(
            "open_revision",
            Stage.MONITOR,
            "Open a revision",
            "Open a revision",
            OpenRevisionForm,
            "Opened the revision: the set is now in 6 Revise.",
        ),
        Move(
            "start_new_version",
            Stage.REVISE,
            "Start the next version",
            "Start the next version",
            ConfirmForm,
            "",  # the message names the new version
        ),
    ]
}


@dataclass
class Need:
    """Something the current stage needs before the set can move on."""

    text: str
    met: bool | None  # None: a person decides (no check the app can make)
    items: list = field(default_factory=list)
    link: tuple[str, str] | None = None  # (label, url)


def _url(name, district, goal_set) -> str | None:
    """A page of another part of the cycle, if that part has been built."""
    try:
        return reverse(f"cycle:{name}", args=[district.slug, goal_set.pk])
    except NoReverseMatch:
        return None


def _needs(goal_set, district) -> tuple[list[Need], dict]:
    """What the set's current stage needs, and facts the page shows with it."""
    stage = goal_set.stage
    extra = {}
    if stage == Stage.DRAFT:
        failing = services.failing_goals(goal_set)
        goal_count = goal_set.goals.count()
        needs = [
            Need("The set has at least one goal.", goal_count > 0),
            Need(
                "Every goal passes the quality check, or the person submitting writes an "
                "override reason.",
                goal_count > 0 and not failing,
                items=[{"goal": g, "findings": f} for g, f in failing],
            ),
        ]
        extra["failing"] = failing
    elif stage == Stage.APPROVE:
        adoptions = list(goal_set.adoptions.all())
        adoption_url = _url("adoption", district, goal_set)
        needs = [
            Need(
                "The board's vote is recorded as adopted (or adopted with amendments). A tabled "
                "or failed vote leaves the set here.",
                False,
                items=[{"adoption": a} for a in adoptions],
                link=("Record the board's vote", adoption_url) if adoption_url else None,
            ),
            Need(
                "If the goals need more work first, staff return the set to Draft with a reason.",
                None,
            ),
        ]
    elif stage == Stage.COMMUNICATE:
        url = _url("communication", district, goal_set)
        needs = [
            Need(
                "Staff move the set on once the goals have been shared; sharing can go on "
                "during Implement and Monitor.",
                None,
                link=("Communication log", url) if url else None,
            )
        ]
    elif stage == Stage.IMPLEMENT:
        url = _url("action_steps", district, goal_set)
        needs = [
            Need(
                "Staff move the set on once the work is planned and progress can be measured; "
                "action steps can go on during Monitor.",
                None,
                link=("Action steps", url) if url else None,
            )
        ]
    elif stage == Stage.MONITOR:
        url = _url("dashboard", district, goal_set)
        due = goal_set.revision_due
        text = "Staff open a revision when it is time to review the goals"
        text += f" (the district means to revisit them by {due:%B %-d, %Y})." if due else "."
        needs = [Need(text, None, link=("Progress", url) if url else None)]
    else:  # Revise
        missing = list(services.goals_without_outcome(goal_set))
        next_version = goal_set.next_versions.select_related("district").first()
        needs = [
            Need(
                "Every goal has an outcome (met, partly met, shifted, retired or carried forward).",
                not missing,
                items=[{"goal": g} for g in missing],
                link=("Record outcomes", _url("revision", district, goal_set)),
            ),
        ]
        extra["next_version"] = next_version
    return needs, extra


def _moves_for(request, goal_set, extra) -> list[Move]:
    if not can(request.membership, Action.RUN_CYCLE):
        return []
    moves = [m for m in MOVES.values() if m.from_stage == goal_set.stage]
    if extra.get("next_version") is not None:
        moves = [m for m in moves if m.name != "start_new_version"]
    return moves


def _render_stage(request, goal_set, *, failed=None, status=200):
    """The stage page; `failed` is (move name, bound form with its error) after a refusal."""
    needs, extra = _needs(goal_set, request.district)
    moves = _moves_for(request, goal_set, extra)
    actions = []
    for move in moves:
        if failed and failed[0] == move.name:
            form = failed[1]
        else:
            form = move.form_class(auto_id=f"id_{move.name}_%s")
        actions.append({"move": move, "form": form})
    failed_elsewhere = None
    if failed and failed[0] not in {m.name for m in moves}:
        failed_elsewhere = failed[1]
    transitions = Transition.objects.filter(goal_set=goal_set).select_related("by")
    context = {
        "goal_set": goal_set,
        "needs": needs,
        "actions": actions,
        "failed_elsewhere": failed_elsewhere,
        "transitions": transitions,
        "can_run": can(request.membership, Action.RUN_CYCLE),
        **extra,
    }
    return render(request, "cycle/stages/stage.html", context, status=status)


@district_view(Action.VIEW)
@require_GET
def stage(request, pk):
    return _render_stage(request, get_goal_set(request, pk))


def _run(request, pk, name):
    """Ask cycle.services for the move `name`; on refusal show the stage page with the reason
    at the move's form (409); on a form error show it at the field (200)."""
    move = MOVES[name]
    goal_set = get_goal_set(request, pk)
    form = move.form_class(request.POST, auto_id=f"id_{name}_%s")
    if not form.is_valid():
        return _render_stage(request, goal_set, failed=(name, form))
    data = form.cleaned_data
    by = request.user
    try:
        if name == "submit_for_approval":
            services.submit_for_approval(goal_set, by=by, override_reason=data["override_reason"])
        elif name == "return_to_draft":
            services.return_to_draft(goal_set, by=by, reason=data["reason"])
        elif name == "start_implementation":
            services.start_implementation(goal_set, by=by)
        elif name == "start_monitoring":
            services.start_monitoring(goal_set, by=by)
        elif name == "open_revision":
            services.open_revision(goal_set, by=by, reason=data["reason"])
        else:
            new = services.start_new_version(goal_set, by=by)
            messages.success(
                request,
                f"Started version {new.version} in 1 Draft with the goals carried forward. "
                f"Version {goal_set.version} stays as adopted.",
            )
            return redirect(new)
    except services.CycleError as exc:
        form.add_error(None, str(exc))
        goal_set.refresh_from_db()
        return _render_stage(request, goal_set, failed=(name, form), status=409)
    messages.success(request, move.done)
    return redirect("cycle:stage", request.district.slug, goal_set.pk)


@district_view(Action.RUN_CYCLE)
@require_POST
def submit_for_approval(request, pk):
    return _run(request, pk, "submit_for_approval")


@district_view(Action.RUN_CYCLE)
@require_POST
def return_to_draft(request, pk):
    return _run(request, pk, "return_to_draft")


@district_view(Action.RUN_CYCLE)
@require_POST
def start_implementation(request, pk):
    return _run(request, pk, "start_implementation")


@district_view(Action.RUN_CYCLE)
@require_POST
def start_monitoring(request, pk):
    return _run(request, pk, "start_monitoring")


@district_view(Action.RUN_CYCLE)
@require_POST
def open_revision(request, pk):
    return _run(request, pk, "open_revision")


@district_view(Action.RUN_CYCLE)
@require_POST
def start_new_version(request, pk):
    return _run(request, pk, "start_new_version")
