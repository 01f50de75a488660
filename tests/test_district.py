"""Signing in, switching districts, and what district admins manage."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone as django_timezone

from cycle.models import ProgressEntry
from tests.factories import MembershipFactory
from tests.factories_communication import adopt
from wbl.history import save_with_history
from wbl.models import District, Membership, User


def test_sign_in_with_email_and_land_in_the_district(world, client):
    response = client.post(
        reverse("login"), {"username": "sam.staff@example.org", "password": "pw"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/d/midtown/"
    assert "Midtown WBL expansion" in response.content.decode()


def test_wrong_password_does_not_say_whether_the_email_exists(world, client):
    known = client.post(reverse("login"), {"username": "sam.staff@example.org", "password": "x"})
    unknown = client.post(reverse("login"), {"username": "nobody@example.org", "password": "x"})
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_member_of_two_districts_chooses_and_switches(world, login):
    MembershipFactory(user=world.staff, district=world.district_b, role=Membership.Role.VIEWER)
    client = login(world.staff)
    home = client.get(reverse("home"))
    text = home.content.decode()
    assert "Midtown District" in text and "Central School District" in text
    central = client.get(reverse("goals:set_list", args=["central"])).content.decode()
    assert "Central WBL system" in central and "Midtown WBL expansion" not in central
    assert "New goal set" not in central  # a viewer there


def test_admin_adds_a_new_person_who_can_then_sign_in(world, login, client):
    login(world.admin).post(
        reverse("wbl:member_add", args=["midtown"]),
        {
            "email": "Dana.Lee@Example.org",
            "full_name": "Dana Lee",
            "password": "first-password-2026",
            "role": "coordinator",
            "title": "Site coordinator",
            "schools": [world.school.pk],
        },
    )
    membership = Membership.objects.get(user__email="dana.lee@example.org")
    assert membership.role == "coordinator"
    assert list(membership.schools.all()) == [world.school]
    client.logout()
    response = client.post(
        reverse("login"), {"username": "dana.lee@example.org", "password": "first-password-2026"}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_adding_an_existing_account_keeps_its_password(world, login):
    response = login(world.admin).post(
        reverse("wbl:member_add", args=["midtown"]),
        {"email": "olga.outsider@example.org", "full_name": "ignored", "role": "viewer"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=world.outsider, district=world.district_a).exists()
    world.outsider.refresh_from_db()
    assert world.outsider.check_password("pw")


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"email": "sam.staff@example.org", "full_name": "Sam", "role": "staff"},
            "email",
            "already a member",
        ),
        (
            {"email": "new@example.org", "full_name": "New", "role": "staff"},
            "password",
            "first password",
        ),
        (
            {"email": "new@example.org", "full_name": "New", "role": "staff", "password": "123"},
            "password",
            "too short",
        ),
        (
            {
                "email": "new@example.org",
                "full_name": "<b>New</b>",
                "role": "staff",
                "password": "first-password-2026",
            },
            "full_name",
            "plain text",
        ),
        (
            {
                "email": "new@example.org",
                "full_name": "New",
                "role": "staff",
                "password": "first-password-2026",
                "schools": ["SCHOOL"],
            },
            "role",
            "Only coordinators",
        ),
        (
            {
                "email": "new@example.org",
                "full_name": "New",
                "role": "superuser",
                "password": "first-password-2026",
            },
            "role",
            "Select a valid choice",
        ),
    ],
)
def test_bad_member_input_is_refused(world, login, data, field, message):
    data = {k: ([world.school.pk] if v == ["SCHOOL"] else v) for k, v in data.items()}
    users = User.objects.count()
    response = login(world.admin).post(reverse("wbl:member_add", args=["midtown"]), data)
    assert response.status_code == 200
    assert any(message in str(e) for e in response.context["form"].errors[field])
    assert User.objects.count() == users


def test_the_last_admin_cannot_be_removed_or_demoted(world, login):
    client = login(world.admin)
    admin_membership = Membership.objects.get(user=world.admin)
    client.post(reverse("wbl:member_remove", args=["midtown", admin_membership.pk]))
    assert Membership.objects.filter(pk=admin_membership.pk).exists()
    response = client.post(
        reverse("wbl:member_edit", args=["midtown", admin_membership.pk]),
        {"role": "staff", "row_version": 1},
    )
    assert "at least one administrator" in response.content.decode()
    assert Membership.objects.get(pk=admin_membership.pk).role == "admin"


def test_removing_a_member_ends_their_access(world, login):
    login(world.admin).post(
        reverse("wbl:member_remove", args=["midtown", world.member_coordinator.pk])
    )
    response = login(world.coordinator).get(reverse("goals:set_list", args=["midtown"]))
    assert response.status_code == 404


def test_school_names_are_unique_within_a_district_only(world, login):
    client = login(world.admin)
    dup = client.post(
        reverse("wbl:school_create", args=["midtown"]), {"name": "Riverview High School"}
    )
    assert "already has one with that name" in dup.content.decode()
    from tests.factories import SchoolFactory

    SchoolFactory(district=world.district_b, name="Lakeside High")
    ok = client.post(reverse("wbl:school_create", args=["midtown"]), {"name": "Lakeside High"})
    assert ok.status_code == 302


def test_district_profile_is_edited_by_admins(world, login):
    login(world.admin).post(
        reverse("wbl:district_edit", args=["midtown"]),
        {
            "name": "Midtown District",
            "time_zone": "America/Los_Angeles",
            "vision": "Every graduate has real work experience.",
            "mission": "",
            "graduate_profile": "",
            "row_version": 1,
        },
    )
    page = login(world.admin).get(reverse("wbl:manage", args=["midtown"])).content.decode()
    assert "Every graduate has real work experience." in page


def test_sign_in_page_asks_for_an_email_address(client):
    text = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">Email address</label>' in text
    assert 'type="email"' in text


def test_students_link_only_for_roles_that_see_students(world, login):
    staff_page = login(world.staff).get(reverse("goals:set_list", args=["midtown"]))
    assert 'href="/d/midtown/inventory/"' in staff_page.content.decode()
    board_page = login(world.board).get(reverse("goals:set_list", args=["midtown"]))
    assert 'href="/d/midtown/inventory/"' not in board_page.content.decode()


# -- the district's time zone ----------------------------------------------------------------

# 05:30 UTC on Dec 4, 2026: already 00:30 on Dec 4 in New York, still 21:30 on Dec 3 in
# Los Angeles.
NIGHT = datetime(2026, 12, 4, 5, 30, tzinfo=UTC)


@pytest.fixture
def at_night(monkeypatch):
    monkeypatch.setattr(django_timezone, "now", lambda: NIGHT)


def eastern(district, by):
    district.time_zone = District.TimeZone.EASTERN
    save_with_history(district, by=by)


def test_admins_set_the_time_zone_in_the_profile(world, login):
    client = login(world.admin)
    form = client.get(reverse("wbl:district_edit", args=["midtown"])).content.decode()
    assert '<label for="id_time_zone">Time zone</label>' in form
    assert '<option value="America/Los_Angeles" selected>Pacific</option>' in form
    data = {"name": "Midtown District", "vision": "", "mission": "", "graduate_profile": ""}
    refused = client.post(
        reverse("wbl:district_edit", args=["midtown"]),
        {**data, "time_zone": "Europe/Paris", "row_version": 1},
    )
    assert "Select a valid choice. Europe/Paris is not one of the available choices." in (
        refused.content.decode()
    )
    client.post(
        reverse("wbl:district_edit", args=["midtown"]),
        {**data, "time_zone": "America/Chicago", "row_version": 1},
    )
    world.district_a.refresh_from_db()
    assert world.district_a.time_zone == "America/Chicago"
    last = world.district_a.history.first()
    assert (last.time_zone, last.history_user) == ("America/Chicago", world.admin)
    page = client.get(reverse("wbl:manage", args=["midtown"])).content.decode()
    assert "<dd>Central (America/Chicago)</dd>" in page


def test_today_is_the_districts_own_day(world, login, at_night):
    """A coordinator on the East Coast logs a value as of today, Dec 4, just after midnight;
    for a district on Pacific time the same date is still tomorrow."""
    eastern(world.district_a, by=world.admin)
    adopt(world.goal_set, by=world.admin)
    adopt(world.other_goal_set, by=world.outsider)
    value = {"value": "35", "as_of": "2026-12-04", "note": "", "evidence_url": ""}

    east = login(world.staff).post(
        reverse("cycle:progress_add", args=["midtown", world.indicator.pk]), value
    )
    assert east.status_code == 302
    assert ProgressEntry.objects.get(indicator=world.indicator).as_of == date(2026, 12, 4)

    west = login(world.outsider).post(
        reverse("cycle:progress_add", args=["central", world.other_indicator.pk]), value
    )
    assert "The date cannot be in the future (today is Dec 3, 2026)." in west.content.decode()
    assert not ProgressEntry.objects.filter(indicator=world.other_indicator).exists()


def test_times_in_history_are_the_districts_clock(world, login, at_night):
    world.goal.statement = "Seniors complete paid internships"
    save_with_history(world.goal, by=world.staff)  # at 05:30 UTC
    history = reverse("goals:goal_history", args=["midtown", world.goal.pk])
    pacific = login(world.staff).get(history).content.decode()
    assert "Dec 3, 2026, 9:30 p.m." in pacific
    eastern(world.district_a, by=world.admin)
    east = login(world.staff).get(history).content.decode()
    assert "Dec 4, 2026, 12:30 a.m." in east and "9:30 p.m." not in east
