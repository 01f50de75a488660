"""Signing in, choosing a district, and the district's own organisation (admins)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wbl.access import Action, district_view
from wbl.concurrency import Edit, save_form
from wbl.forms import (
    DistrictForm,
    MembershipForm,
    NewMemberForm,
    PartnerForm,
    PathwayForm,
    SchoolForm,
)
from wbl.history import delete_with_history, save_with_history
from wbl.models import Membership, Partner, Pathway, School, User, is_last_admin


@require_GET
def healthz(request):
    """For load balancers and uptime checks: the app answers and so does its database (one
    query). Says nothing else; no login."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_GET
def home(request):
    """Send a member to their district; someone in several chooses one."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("district")
        .order_by("district__name")
    )
    if len(memberships) == 1:
        return redirect(memberships[0].district)
    return render(request, "wbl/home.html", {"memberships": memberships})


# -- district profile ------------------------------------------------------------------------


@district_view(Action.MANAGE_DISTRICT)
@require_http_methods(["GET", "POST"])
def district_edit(request):
    district = request.district
    form = DistrictForm(request.POST or None, instance=district)
    edit = Edit(request, form)
    form, conflict = edit.form, edit.conflict
    if edit.saved:
        messages.success(request, "Saved the district profile.")
        return redirect("wbl:manage", district.slug)
    return render(
        request,
        "wbl/district_form.html",
        {"form": form, "conflict": conflict, "heading": "Edit district profile"},
        status=edit.status,
    )


@district_view(Action.MANAGE_DISTRICT)
@require_GET
def manage(request):
    district = request.district
    context = {
        "schools": district.schools.all(),
        "pathways": district.pathways.select_related("school"),
        "partners": district.partners.all(),
        "memberships": district.memberships.select_related("user").prefetch_related(
            "schools", "pathways"
        ),
    }
    return render(request, "wbl/manage.html", context)


# -- schools, pathways, partners: one view pair serves the three ----------------------------

ORG_KINDS = {
    "school": (School, SchoolForm, "school"),
    "pathway": (Pathway, PathwayForm, "pathway"),
    "partner": (Partner, PartnerForm, "partner"),
}


@district_view(Action.MANAGE_DISTRICT)
@require_http_methods(["GET", "POST"])
def org_create(request, kind):
    model, form_class, noun = ORG_KINDS[kind]
    form = form_class(request.POST or None, district=request.district)
    if request.method == "POST" and form.is_valid():
        obj = save_form(form, by=request.user)
        messages.success(request, f"Added the {noun} “{obj}”.")
        return redirect(reverse("wbl:manage", args=[request.district.slug]) + f"#{kind}s")
    return render(request, "wbl/org_form.html", {"form": form, "heading": f"Add a {noun}"})


@district_view(Action.MANAGE_DISTRICT)
@require_http_methods(["GET", "POST"])
def org_edit(request, kind, pk):
    model, form_class, noun = ORG_KINDS[kind]
    obj = get_object_or_404(model, pk=pk, district=request.district)
    form = form_class(request.POST or None, instance=obj, district=request.district)
    edit = Edit(request, form)
    form, conflict = edit.form, edit.conflict
    if edit.saved:
        messages.success(request, f"Saved the {noun} “{obj}”.")
        return redirect(reverse("wbl:manage", args=[request.district.slug]) + f"#{kind}s")
    return render(
        request,
        "wbl/org_form.html",
        {"form": form, "heading": f"Edit the {noun} “{obj}”", "conflict": conflict},
        status=edit.status,
    )


# -- members ---------------------------------------------------------------------------------


@district_view(Action.MANAGE_DISTRICT)
@require_http_methods(["GET", "POST"])
def member_add(request):
    form = NewMemberForm(request.POST or None, district=request.district)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.existing_user
            if user is None:
                user = User(
                    email=form.cleaned_data["email"].lower(),
                    full_name=form.cleaned_data["full_name"],
                )
                user.set_password(form.cleaned_data["password"])
                save_with_history(user, by=request.user)
            form.instance.user = user
            save_form(form, by=request.user)
        messages.success(request, f"Added {user} as {form.instance.get_role_display()}.")
        return redirect(reverse("wbl:manage", args=[request.district.slug]) + "#members")
    return render(request, "wbl/member_form.html", {"form": form, "heading": "Add a member"})


@district_view(Action.MANAGE_DISTRICT)
@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, district=request.district
    )
    form = MembershipForm(request.POST or None, instance=membership, district=request.district)
    edit = Edit(request, form)
    if edit.saved:
        messages.success(request, f"Saved {membership.user}'s role.")
        return redirect(reverse("wbl:manage", args=[request.district.slug]) + "#members")
    return render(
        request,
        "wbl/member_form.html",
        {"form": edit.form, "conflict": edit.conflict, "heading": f"Edit {membership.user}'s role"},
        status=edit.status,
    )


@district_view(Action.MANAGE_DISTRICT)
@require_POST
def member_remove(request, pk):
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, district=request.district
    )
    if is_last_admin(membership):
        messages.error(request, "The district needs at least one administrator.")
    else:
        with transaction.atomic():
            delete_with_history(membership, by=request.user)
        messages.success(request, f"Removed {membership.user} from the district.")
    return redirect(reverse("wbl:manage", args=[request.district.slug]) + "#members")
