"""Stage 1, Draft: the drafting page of a goal set (team, ground rules, discussion prompts,
comments, reading list) and the district's reading list.

Drafting records are written by staff and administrators while the set is editable (Draft and
Approve); comments by any member of the district, in any stage. Edits of existing rows are
version-checked (409 with both versions side by side); every write is one history row.
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from cycle.forms.drafting import (
    CommentForm,
    GroundRulesForm,
    PromptAnswerForm,
    ResourceForm,
    TeamMemberForm,
)
from cycle.models import Comment, DraftingRecord, PromptAnswer, Resource, TeamMember
from cycle.prompts import BY_KEY, prompt_for, prompts_for
from cycle.reading_list import ensure_reading_list
from goals.access import ensure_editable, get_goal_set
from wbl.access import Action, can, district_view
from wbl.concurrency import Edit, save_form
from wbl.history import delete_with_history, entries, save_with_history

TEAM_FIELDS = [
    ("name", "Name"),
    ("affiliation", "Affiliation"),
    ("role_on_team", "Role on the team"),
    ("user", "District account"),
]
RESOURCE_FIELDS = [("title", "Title"), ("description", "Description"), ("url", "Web address")]


# -- helpers -------------------------------------------------------------------------------


def _can_edit(request, goal_set) -> bool:
    return can(request.membership, Action.EDIT_GOALS) and goal_set.is_editable


def _numbered_goals(goal_set) -> list:
    goals = list(goal_set.goals.all())
    for position, goal in enumerate(goals, start=1):
        goal.position = position
    return goals


def _comments(goal_set, goals) -> list:
    by_pk = {g.pk: g for g in goals}
    comments = list(
        Comment.objects.filter(goal_set=goal_set)
        # Not those about a deleted goal (they come back if it is restored).
        .filter(Q(goal=None) | Q(goal__deleted_at=None))
        .select_related("author")
        .order_by("created_at", "pk")
    )
    for comment in comments:
        comment.about = by_pk.get(comment.goal_id)
    return comments


def _comments_context(request, goal_set, goals=None, form=None) -> dict:
    goals = goals if goals is not None else _numbered_goals(goal_set)
    if form is None:
        initial = {}
        goal_pk = request.GET.get("goal", "")
        if goal_pk.isdigit() and int(goal_pk) in {g.pk for g in goals}:
            initial["goal"] = int(goal_pk)
        form = CommentForm(goal_set=goal_set, goals=goals, initial=initial)
    return {
        "goal_set": goal_set,
        "comments": _comments(goal_set, goals),
        "comment_form": form,
    }


def _drafting_url(request, goal_set, anchor="") -> str:
    url = reverse("cycle:drafting", args=[request.district.slug, goal_set.pk])
    return f"{url}#{anchor}" if anchor else url


def _get_team_member(request, pk) -> TeamMember:
    member = get_object_or_404(
        TeamMember.objects.select_related("goal_set__district", "user"),
        pk=pk,
        goal_set__district=request.district,
    )
    ensure_editable(member.goal_set)
    return member


def _prompt_or_404(goal_set, key):
    prompt = prompt_for(goal_set, key)
    if prompt is None:
        raise Http404
    return prompt


# -- the drafting page ---------------------------------------------------------------------


def _render_drafting(request, goal_set, *, comment_form=None, status=200):
    ensure_reading_list(request.district)
    goals = _numbered_goals(goal_set)
    prompts = prompts_for(goal_set)
    answered = {
        key
        for key, answer in PromptAnswer.objects.filter(goal_set=goal_set).values_list(
            "prompt_key", "answer"
        )
        if answer.strip()
    }
    context = {
        "goal_set": goal_set,
        "can_edit": _can_edit(request, goal_set),
        "team": TeamMember.objects.filter(goal_set=goal_set).select_related("user"),
        "record": DraftingRecord.objects.filter(goal_set=goal_set).first(),
        "prompt_count": len(prompts),
        "answered_count": sum(1 for p in prompts if p.key in answered),
        "resources": Resource.objects.filter(district=request.district),
        **_comments_context(request, goal_set, goals, comment_form),
    }
    return render(request, "cycle/drafting/drafting.html", context, status=status)


@district_view(Action.VIEW)
@require_GET
def drafting(request, pk):
    return _render_drafting(request, get_goal_set(request, pk))


@district_view(Action.VIEW)
@require_GET
def drafting_history(request, pk):
    goal_set = get_goal_set(request, pk)
    team = TeamMember.history.filter(goal_set_id=goal_set.pk).select_related("history_user", "user")
    rules = DraftingRecord.history.filter(goal_set_id=goal_set.pk).select_related("history_user")
    answers = PromptAnswer.history.filter(goal_set_id=goal_set.pk).select_related("history_user")
    comments = Comment.history.filter(goal_set_id=goal_set.pk).select_related(
        "history_user", "goal"
    )

    def prompt_subject(record):
        prompt = BY_KEY.get(record.prompt_key)
        return f"Prompt {prompt.number}: {prompt.topic}" if prompt else record.prompt_key

    history = (
        entries(team, TEAM_FIELDS, subject=lambda r: f"Team member: {r.name}")
        + entries(rules, [("ground_rules", "Ground rules")], subject=lambda r: "Ground rules")
        + entries(answers, [("answer", "Answer")], subject=prompt_subject)
        + entries(
            comments,
            [("goal", "About goal"), ("body", "Comment")],
            subject=lambda r: "Comment",
        )
    )
    history.sort(key=lambda e: e.when, reverse=True)
    return render(
        request,
        "goals/history.html",
        {
            "goal_set": goal_set,
            "entries": history,
            "title": f"Drafting history of {goal_set.title}",
        },
    )


# -- the drafting team ---------------------------------------------------------------------


@district_view(Action.EDIT_GOALS)
@require_http_methods(["GET", "POST"])
def team_add(request, pk):
    goal_set = get_goal_set(request, pk, for_edit=True)
    form = TeamMemberForm(request.POST or None, goal_set=goal_set)
    if request.method == "POST" and form.is_valid():
        member = save_form(form, by=request.user)
        messages.success(request, f"Added {member.name} to the drafting team.")
        return redirect(_drafting_url(request, goal_set, "team"))
    return render(request, "cycle/drafting/team_form.html", {"form": form, "goal_set": goal_set})


@district_view(Action.EDIT_GOALS)
@require_http_methods(["GET", "POST"])
def team_edit(request, pk):
    member = _get_team_member(request, pk)
    goal_set = member.goal_set
    result = Edit(request, TeamMemberForm(request.POST or None, instance=member, goal_set=goal_set))
    if result.saved:
        messages.success(request, f"Saved {result.instance.name}.")
        return redirect(_drafting_url(request, goal_set, "team"))
    return render(
        request,
        "cycle/drafting/team_form.html",
        {"form": result.form, "goal_set": goal_set, "member": member, "conflict": result.conflict},
        status=result.status,
    )


@district_view(Action.EDIT_GOALS)
@require_http_methods(["GET", "POST"])
def team_remove(request, pk):
    member = _get_team_member(request, pk)
    goal_set = member.goal_set
    if request.method == "POST":
        with transaction.atomic():
            delete_with_history(member, by=request.user)
        messages.success(request, f"Removed {member.name} from the drafting team.")
        return redirect(_drafting_url(request, goal_set, "team"))
    return render(
        request,
        "goals/confirm_delete.html",
        {
            "goal_set": goal_set,
            "object": member,
            "what": "team member",
            "cancel_url": _drafting_url(request, goal_set, "team"),
            "detail": "They are removed from this set's drafting team only.",
            "action_url": reverse("cycle:team_remove", args=[request.district.slug, member.pk]),
        },
    )


# -- ground rules --------------------------------------------------------------------------


@district_view(Action.EDIT_GOALS)
@require_http_methods(["GET", "POST"])
def ground_rules(request, pk):
    goal_set = get_goal_set(request, pk, for_edit=True)
    record = DraftingRecord.objects.filter(goal_set=goal_set).first()
    form = GroundRulesForm(
        request.POST or None, instance=record or DraftingRecord(), goal_set=goal_set
    )
    result = Edit(request, form, on_duplicate=lambda: DraftingRecord.objects.get(goal_set=goal_set))
    if result.saved:
        messages.success(request, "Saved the ground rules.")
        return redirect(_drafting_url(request, goal_set, "ground-rules"))
    return render(
        request,
        "cycle/drafting/ground_rules_form.html",
        {"form": result.form, "goal_set": goal_set, "conflict": result.conflict},
        status=result.status,
    )


# -- discussion prompts --------------------------------------------------------------------


def _prompt_items(goal_set):
    answers = {a.prompt_key: a for a in PromptAnswer.objects.filter(goal_set=goal_set)}
    return [(prompt, answers.get(prompt.key)) for prompt in prompts_for(goal_set)]


@district_view(Action.VIEW)
@require_GET
def prompts(request, pk):
    goal_set = get_goal_set(request, pk)
    return render(
        request,
        "cycle/drafting/prompts.html",
        {
            "goal_set": goal_set,
            "items": _prompt_items(goal_set),
            "can_edit": _can_edit(request, goal_set),
        },
    )


@district_view(Action.EDIT_GOALS)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def prompt_answer(request, pk, key):
    goal_set = get_goal_set(request, pk, for_edit=True)
    prompt = _prompt_or_404(goal_set, key)
    existing = PromptAnswer.objects.filter(goal_set=goal_set, prompt_key=prompt.key).first()
    form = PromptAnswerForm(
        request.POST or None,
        instance=existing or PromptAnswer(),
        goal_set=goal_set,
        prompt=prompt,
    )
    result = Edit(
        request,
        form,
        on_duplicate=lambda: PromptAnswer.objects.get(goal_set=goal_set, prompt_key=prompt.key),
    )
    if result.saved:
        if request.htmx:
            return render(
                request,
                "cycle/drafting/_prompt.html",
                {
                    "goal_set": goal_set,
                    "prompt": prompt,
                    "answer": result.instance,
                    "can_edit": True,
                },
            )
        messages.success(request, f"Saved the answer to prompt {prompt.number}.")
        url = reverse("cycle:prompts", args=[request.district.slug, goal_set.pk])
        return redirect(f"{url}#prompt-{prompt.key}")
    context = {
        "form": result.form,
        "goal_set": goal_set,
        "prompt": prompt,
        "conflict": result.conflict,
        "inline": bool(request.htmx),
    }
    template = (
        "cycle/drafting/_prompt_form.html" if request.htmx else "cycle/drafting/prompt_form.html"
    )
    return render(request, template, context, status=result.status)


@district_view(Action.VIEW)
@vary_on_headers("HX-Request")
@require_GET
def prompt_detail(request, pk, key):
    """One prompt with its answer: the htmx fragment behind “Cancel”, else the prompts page."""
    goal_set = get_goal_set(request, pk)
    prompt = _prompt_or_404(goal_set, key)
    if not request.htmx:
        url = reverse("cycle:prompts", args=[request.district.slug, goal_set.pk])
        return redirect(f"{url}#prompt-{prompt.key}")
    answer = PromptAnswer.objects.filter(goal_set=goal_set, prompt_key=prompt.key).first()
    return render(
        request,
        "cycle/drafting/_prompt.html",
        {
            "goal_set": goal_set,
            "prompt": prompt,
            "answer": answer,
            "can_edit": _can_edit(request, goal_set),
        },
    )


# -- comments ------------------------------------------------------------------------------


@district_view(Action.COMMENT)
@vary_on_headers("HX-Request")
@require_POST
def comment_add(request, pk):
    goal_set = get_goal_set(request, pk)
    goals = _numbered_goals(goal_set)
    form = CommentForm(request.POST, goal_set=goal_set, goals=goals)
    if form.is_valid():
        comment = form.save(commit=False)
        comment.author = request.user
        with transaction.atomic():
            save_with_history(comment, by=request.user)
        if request.htmx:
            return render(
                request,
                "cycle/drafting/_comments.html",
                {**_comments_context(request, goal_set, goals), "posted": True},
            )
        messages.success(request, "Posted your comment.")
        return redirect(_drafting_url(request, goal_set, f"comment-{comment.pk}"))
    if request.htmx:
        return render(
            request,
            "cycle/drafting/_comments.html",
            _comments_context(request, goal_set, goals, form),
        )
    return _render_drafting(request, goal_set, comment_form=form)


# -- the district's reading list -----------------------------------------------------------


def _get_resource(request, pk) -> Resource:
    return get_object_or_404(Resource, pk=pk, district=request.district)


@district_view(Action.VIEW)
@require_GET
def resources(request):
    ensure_reading_list(request.district)
    return render(
        request,
        "cycle/drafting/resources.html",
        {
            "resources": Resource.objects.filter(district=request.district),
            "can_edit": can(request.membership, Action.EDIT_GOALS),
        },
    )


@district_view(Action.EDIT_GOALS)
@require_http_methods(["GET", "POST"])
def resource_add(request):
    ensure_reading_list(request.district)  # a first addition comes after the seeded list
    form = ResourceForm(request.POST or None, district=request.district)
    if request.method == "POST" and form.is_valid():

        def place_last(resource):
            last = Resource.objects.filter(district=request.district).order_by("-order").first()
            resource.order = (last.order if last else 0) + 1

        resource = save_form(form, by=request.user, before_save=place_last)
        messages.success(request, f"Added “{resource.title}” to the reading list.")
        return redirect(
            f"{reverse('cycle:resources', args=[request.district.slug])}#resource-{resource.pk}"
        )
    return render(request, "cycle/drafting/resource_form.html", {"form": form})


@district_view(Action.EDIT_GOALS)
@require_http_methods(["GET", "POST"])
def resource_edit(request, pk):
    resource = _get_resource(request, pk)
    result = Edit(
        request, ResourceForm(request.POST or None, instance=resource, district=request.district)
    )
    if result.saved:
        messages.success(request, f"Saved “{result.instance.title}”.")
        return redirect(
            f"{reverse('cycle:resources', args=[request.district.slug])}#resource-{resource.pk}"
        )
    return render(
        request,
        "cycle/drafting/resource_form.html",
        {"form": result.form, "resource": resource, "conflict": result.conflict},
        status=result.status,
    )


@district_view(Action.EDIT_GOALS)
@require_http_methods(["GET", "POST"])
def resource_delete(request, pk):
    resource = _get_resource(request, pk)
    list_url = reverse("cycle:resources", args=[request.district.slug])
    if request.method == "POST":
        with transaction.atomic():
            delete_with_history(resource, by=request.user)
        messages.success(request, f"Removed “{resource.title}” from the reading list.")
        return redirect(list_url)
    return render(
        request,
        "cycle/drafting/resource_delete.html",
        {"resource": resource, "cancel_url": list_url},
    )


@district_view(Action.VIEW)
@require_GET
def resource_history(request):
    records = Resource.history.filter(district_id=request.district.pk).select_related(
        "history_user"
    )
    history = entries(records, RESOURCE_FIELDS, subject=lambda r: f"Resource: {r.title}")
    return render(request, "cycle/drafting/resource_history.html", {"entries": history})
