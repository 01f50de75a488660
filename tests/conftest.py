"""Personas (healthchecks style): district A's admin, staff, coordinator, board member and
viewer, and district B's staff member, who must never see district A's data."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from tests.factories import (
    DistrictFactory,
    GoalFactory,
    GoalSetFactory,
    IndicatorFactory,
    MembershipFactory,
    PartnerFactory,
    PathwayFactory,
    SchoolFactory,
    UserFactory,
)
from tests.routes import PERSONAS  # noqa: F401  (re-exported for tests)
from wbl.models import Membership


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rolled-back rows can come back with the same ids,
    so a key made of ids could otherwise meet a page cached by an earlier test."""
    cache.clear()
    yield
    cache.clear()


Role = Membership.Role


@dataclass
class World:
    district_a: object
    district_b: object
    school: object
    pathway: object
    partner: object
    admin: object
    staff: object
    coordinator: object
    board: object
    viewer: object
    outsider: object
    goal_set: object
    goal: object
    indicator: object
    other_goal_set: object
    other_goal: object
    other_indicator: object
    member_coordinator: object  # the coordinator's Membership, for member URLs

    def persona(self, name):
        return None if name == "anonymous" else getattr(self, name)


@pytest.fixture
def world(db):
    a = DistrictFactory(name="Midtown District", slug="midtown")
    b = DistrictFactory(name="Central School District", slug="central")
    school = SchoolFactory(district=a, name="Riverview High School")
    pathway = PathwayFactory(district=a, name="Engineering", school=school)
    partner = PartnerFactory(district=a, name="Acme Engineering")

    def member(district, role, name):
        user = UserFactory(full_name=name, email=f"{name.lower().replace(' ', '.')}@example.org")
        return user, MembershipFactory(user=user, district=district, role=role)

    admin, _ = member(a, Role.ADMIN, "Alice Admin")
    staff, _ = member(a, Role.STAFF, "Sam Staff")
    coordinator, member_coordinator = member(a, Role.COORDINATOR, "Cora Coordinator")
    member_coordinator.schools.add(school)
    board, _ = member(a, Role.BOARD, "Bo Board")
    viewer, _ = member(a, Role.VIEWER, "Vic Viewer")
    outsider, _ = member(b, Role.STAFF, "Olga Outsider")

    goal_set = GoalSetFactory(district=a, title="Midtown WBL expansion")
    goal = GoalFactory(goal_set=goal_set, owner=staff, statement="Seniors complete internships")
    indicator = IndicatorFactory(goal=goal, name="Seniors completing internships")
    other_set = GoalSetFactory(district=b, title="Central WBL system")
    other_goal = GoalFactory(goal_set=other_set)
    other_indicator = IndicatorFactory(goal=other_goal)
    return World(
        a,
        b,
        school,
        pathway,
        partner,
        admin,
        staff,
        coordinator,
        board,
        viewer,
        outsider,
        goal_set,
        goal,
        indicator,
        other_set,
        other_goal,
        other_indicator,
        member_coordinator,
    )


@pytest.fixture
def login(client):
    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login
