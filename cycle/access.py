"""Who may log progress and see students where: coordinators act only within the schools and
pathways of their membership; admin and staff across the district."""

from django.db.models import Q

from goals.models import GoalSet
from wbl.access import Action, can
from wbl.models import Membership

Role = Membership.Role


def covers_goal_set(membership: Membership, goal_set: GoalSet) -> bool:
    """May this member log progress for the goal set's indicators?"""
    if not can(membership, Action.LOG_PROGRESS):
        return False
    if membership.role != Role.COORDINATOR:
        return True
    if goal_set.scope == GoalSet.Scope.SCHOOL:
        return membership.schools.filter(pk=goal_set.school_id).exists()
    if goal_set.scope == GoalSet.Scope.PATHWAY:
        return membership.pathways.filter(pk=goal_set.pathway_id).exists() or (
            goal_set.pathway is not None
            and goal_set.pathway.school_id is not None
            and membership.schools.filter(pk=goal_set.pathway.school_id).exists()
        )
    return False  # district-wide sets are logged by staff


def goal_sets_covered(membership: Membership, goal_sets):
    """Filter a GoalSet queryset to the sets this member may log progress for."""
    if not can(membership, Action.LOG_PROGRESS):
        return goal_sets.none()
    if membership.role != Role.COORDINATOR:
        return goal_sets
    schools = membership.schools.values("pk")
    pathways = membership.pathways.values("pk")
    return goal_sets.filter(
        Q(scope=GoalSet.Scope.SCHOOL, school__in=schools)
        | Q(scope=GoalSet.Scope.PATHWAY, pathway__in=pathways)
        | Q(scope=GoalSet.Scope.PATHWAY, pathway__school__in=schools)
    )


def students_visible(membership: Membership, students):
    """Filter a Student queryset to the rows this member may see: none for board members and
    viewers; a coordinator's schools and pathways; the whole district for admin and staff."""
    if not can(membership, Action.VIEW_STUDENTS):
        return students.none()
    students = students.filter(district_id=membership.district_id)
    if membership.role != Role.COORDINATOR:
        return students
    return students.filter(
        Q(school__in=membership.schools.values("pk"))
        | Q(pathway__in=membership.pathways.values("pk"))
    )
