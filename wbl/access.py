"""Who may do what, in one matrix, and the helpers that resolve a district for a request.

- A person who is not a member of a district gets 404 for everything in it.
- A member whose role may not do an action gets 403.
Views declare their action with `@district_view(Action.X)`; the decorator sets
`request.district` and `request.membership`.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils import timezone

from wbl.models import District, Membership

Role = Membership.Role


class Action(models.TextChoices):
    VIEW = "view", "Read goals, progress and history"
    COMMENT = "comment", "Comment on goals"
    EDIT_GOALS = "edit_goals", "Write and edit goal sets, goals and indicators"
    RUN_CYCLE = "run_cycle", "Move goal sets through the cycle"
    LOG_PROGRESS = "log_progress", "Log progress and WBL experiences"
    VIEW_STUDENTS = "view_students", "See student records"
    MANAGE_DISTRICT = "manage_district", "Manage schools, pathways, partners and members"
    RESTORE_DELETED = "restore_deleted", "Restore deleted goal sets, goals and indicators"


ALL_ROLES = frozenset(Role.values)

MATRIX: dict[str, frozenset[str]] = {
    Action.VIEW: ALL_ROLES,
    Action.COMMENT: ALL_ROLES,
    Action.EDIT_GOALS: frozenset({Role.ADMIN, Role.STAFF}),
    Action.RUN_CYCLE: frozenset({Role.ADMIN, Role.STAFF}),
    Action.LOG_PROGRESS: frozenset({Role.ADMIN, Role.STAFF, Role.COORDINATOR}),
    Action.VIEW_STUDENTS: frozenset({Role.ADMIN, Role.STAFF, Role.COORDINATOR}),
    Action.MANAGE_DISTRICT: frozenset({Role.ADMIN}),
    Action.RESTORE_DELETED: frozenset({Role.ADMIN}),
}


def can(membership: Membership | None, action: str) -> bool:
    return membership is not None and membership.role in MATRIX[action]


def membership_for(user, district_slug: str) -> Membership:
    """The user's membership in the district named by the slug, or 404."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("district").get(
            user=user, district__slug=district_slug, user__is_active=True
        )
    except Membership.DoesNotExist:
        raise Http404 from None


def district_view(action: str):
    """Decorate a view taking `district` (a slug) as its first URL argument."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, district, *args, **kwargs):
            membership = membership_for(request.user, district)
            if not can(membership, action):
                raise PermissionDenied(f"Your role may not {Action(action).label.lower()}.")
            request.membership = membership
            request.district = membership.district
            # "Today" and every time shown follow the district's clock (templates render
            # inside the view).
            with timezone.override(request.district.zone):
                return view(request, *args, **kwargs)

        wrapper.district_action = action
        return wrapper

    return decorator


def scoped_or_404(queryset, district: District, **lookup):
    """One object of `queryset` in `district`, or 404 (never another district's)."""
    try:
        return queryset.get(district=district, **lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
