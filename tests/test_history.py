"""Every write view leaves one history row naming the acting user, and history pages show it."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from goals.models import Goal, GoalSet, Indicator
from goals.services import soft_delete
from tests.factories import GoalFactory, IndicatorFactory
from wbl.models import District, Membership, Partner, Pathway, School


def goal_data(**extra):
    return {
        "statement": "Each high school employs one full-time WBL coordinator",
        "topic_area": "capacity",
        "horizon": "short",
        **extra,
    }


def indicator_data(**extra):
    return {
        "name": "Coordinators employed",
        "unit": "count",
        "direction": "increase",
        "baseline_value": "1",
        "baseline_year": "2017",
        "target_value": "3",
        "target_date": "2020-06-30",
        "collection_frequency": "yearly",
        **extra,
    }


def _deleted(item, w):
    soft_delete(item, by=w.staff)
    return item


@dataclass
class Write:
    actor: str
    url: object  # world -> (name, args)
    data: object  # world -> dict
    history: object  # world -> queryset of history rows that must grow by one


WRITES = {
    "set_create": Write(
        "staff",
        lambda w: ("goals:set_create", ["midtown"]),
        lambda w: {
            "title": "Engineering pathway goals",
            "level": "student",
            "scope": "pathway",
            "pathway": w.pathway.pk,
            "start_year": 2017,
            "target_year": 2020,
        },
        lambda w: GoalSet.history.filter(title="Engineering pathway goals"),
    ),
    "set_edit": Write(
        "staff",
        lambda w: ("goals:set_edit", ["midtown", w.goal_set.pk]),
        lambda w: {
            "title": "Renamed set",
            "level": "system",
            "scope": "district",
            "start_year": 2017,
            "target_year": 2021,
            "row_version": 1,
        },
        lambda w: GoalSet.history.filter(id=w.goal_set.pk),
    ),
    "set_delete": Write(
        "staff",
        lambda w: ("goals:set_delete", ["midtown", w.goal_set.pk]),
        lambda w: {},
        lambda w: GoalSet.history.filter(id=w.goal_set.pk, deleted_at__isnull=False),
    ),
    "set_restore": Write(
        "admin",
        lambda w: ("goals:set_restore", ["midtown", _deleted(w.goal_set, w).pk]),
        lambda w: {},
        lambda w: GoalSet.history.filter(id=w.goal_set.pk, history_change_reason="Restored"),
    ),
    "goal_create": Write(
        "staff",
        lambda w: ("goals:goal_create", ["midtown", w.goal_set.pk]),
        lambda w: goal_data(responsible_partners=[w.partner.pk], owner=w.staff.pk),
        lambda w: Goal.history.filter(goal_set_id=w.goal_set.pk, history_type="+"),
    ),
    "goal_edit": Write(
        "admin",
        lambda w: ("goals:goal_edit", ["midtown", w.goal.pk]),
        lambda w: goal_data(row_version=1, responsible_partners=[w.partner.pk]),
        lambda w: Goal.history.filter(id=w.goal.pk),
    ),
    "goal_delete": Write(
        "staff",
        lambda w: ("goals:goal_delete", ["midtown", w.goal.pk]),
        lambda w: {},
        lambda w: Goal.history.filter(id=w.goal.pk, deleted_at__isnull=False),
    ),
    "goal_restore": Write(
        "admin",
        lambda w: ("goals:goal_restore", ["midtown", _deleted(w.goal, w).pk]),
        lambda w: {},
        lambda w: Goal.history.filter(id=w.goal.pk, history_change_reason="Restored"),
    ),
    "goal_move": Write(
        "staff",
        lambda w: ("goals:goal_move", ["midtown", w.goal.pk]),
        lambda w: {"direction": "up"},
        lambda w: Goal.history.filter(id=w.goal.pk),
    ),
    "indicator_create": Write(
        "staff",
        lambda w: ("goals:indicator_create", ["midtown", w.goal.pk]),
        lambda w: indicator_data(),
        lambda w: Indicator.history.filter(goal_id=w.goal.pk, history_type="+"),
    ),
    "indicator_edit": Write(
        "staff",
        lambda w: ("goals:indicator_edit", ["midtown", w.indicator.pk]),
        lambda w: indicator_data(row_version=1),
        lambda w: Indicator.history.filter(id=w.indicator.pk),
    ),
    "indicator_delete": Write(
        "staff",
        lambda w: ("goals:indicator_delete", ["midtown", w.indicator.pk]),
        lambda w: {},
        lambda w: Indicator.history.filter(id=w.indicator.pk, deleted_at__isnull=False),
    ),
    "indicator_restore": Write(
        "admin",
        lambda w: ("goals:indicator_restore", ["midtown", _deleted(w.indicator, w).pk]),
        lambda w: {},
        lambda w: Indicator.history.filter(id=w.indicator.pk, history_change_reason="Restored"),
    ),
    "indicator_move": Write(
        "staff",
        lambda w: ("goals:indicator_move", ["midtown", w.indicator.pk]),
        lambda w: {"direction": "up"},
        lambda w: Indicator.history.filter(id=w.indicator.pk),
    ),
    "district_edit": Write(
        "admin",
        lambda w: ("wbl:district_edit", ["midtown"]),
        lambda w: {
            "name": "Midtown Unified",
            "time_zone": "America/Chicago",
            "vision": "Ready for life",
            "row_version": 1,
        },
        lambda w: District.history.filter(id=w.district_a.pk),
    ),
    "school_create": Write(
        "admin",
        lambda w: ("wbl:school_create", ["midtown"]),
        lambda w: {"name": "Lakeside High"},
        lambda w: School.history.filter(name="Lakeside High"),
    ),
    "school_edit": Write(
        "admin",
        lambda w: ("wbl:school_edit", ["midtown", w.school.pk]),
        lambda w: {"name": "Riverview HS", "row_version": 1},
        lambda w: School.history.filter(id=w.school.pk),
    ),
    "pathway_create": Write(
        "admin",
        lambda w: ("wbl:pathway_create", ["midtown"]),
        lambda w: {"name": "Health Sciences", "industry_sector": "Health"},
        lambda w: Pathway.history.filter(name="Health Sciences"),
    ),
    "pathway_edit": Write(
        "admin",
        lambda w: ("wbl:pathway_edit", ["midtown", w.pathway.pk]),
        lambda w: {"name": "Engineering and Design", "row_version": 1},
        lambda w: Pathway.history.filter(id=w.pathway.pk),
    ),
    "partner_create": Write(
        "admin",
        lambda w: ("wbl:partner_create", ["midtown"]),
        lambda w: {"name": "Valley Hospital", "kind": "employer"},
        lambda w: Partner.history.filter(name="Valley Hospital"),
    ),
    "partner_edit": Write(
        "admin",
        lambda w: ("wbl:partner_edit", ["midtown", w.partner.pk]),
        lambda w: {"name": "Acme Engineering Inc.", "kind": "employer", "row_version": 1},
        lambda w: Partner.history.filter(id=w.partner.pk),
    ),
    "member_add": Write(
        "admin",
        lambda w: ("wbl:member_add", ["midtown"]),
        lambda w: {
            "email": "new.person@example.org",
            "full_name": "New Person",
            "password": "a-long-first-password-42",
            "role": "viewer",
        },
        lambda w: Membership.history.filter(district_id=w.district_a.pk, history_type="+"),
    ),
    "member_edit": Write(
        "admin",
        lambda w: ("wbl:member_edit", ["midtown", w.member_coordinator.pk]),
        lambda w: {
            "role": "coordinator",
            "title": "Site WBL coordinator",
            "pathways": [w.pathway.pk],
            "row_version": 1,
        },
        lambda w: Membership.history.filter(id=w.member_coordinator.pk),
    ),
    "member_remove": Write(
        "admin",
        lambda w: ("wbl:member_remove", ["midtown", w.member_coordinator.pk]),
        lambda w: {},
        lambda w: Membership.history.filter(id=w.member_coordinator.pk, history_type="-"),
    ),
}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_write_leaves_one_history_row_with_the_acting_user(name, world, login):
    write = WRITES[name]
    if name == "goal_move":  # give the row a neighbour above it to move past
        GoalFactory(goal_set=world.goal_set, order=0)
    if name == "indicator_move":
        IndicatorFactory(goal=world.goal, order=0)
    actor = getattr(world, write.actor)
    client = login(actor)
    url_name, args = write.url(world)
    before = write.history(world).count()
    response = client.post(reverse(url_name, args=args), write.data(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    rows = write.history(world)
    assert rows.count() == before + 1
    assert rows.latest("history_date").history_user == actor


def test_goal_history_page_shows_who_changed_what_before_and_after(world, login):
    client = login(world.staff)
    client.post(
        reverse("goals:goal_edit", args=["midtown", world.goal.pk]),
        {
            "statement": "Seniors complete paid internships",
            "topic_area": "opportunities",
            "horizon": "long",
            "owner": world.admin.pk,
            "row_version": 1,
            "responsible_partners": [world.partner.pk],
        },
    )
    client.post(
        reverse("goals:indicator_edit", args=["midtown", world.indicator.pk]),
        indicator_data(name="Seniors completing internships", target_value="60", row_version=1),
    )
    page = login(world.viewer).get(reverse("goals:goal_history", args=["midtown", world.goal.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Sam Staff" in text
    assert "Seniors complete internships" in text and "Seniors complete paid internships" in text
    assert "Short term" in text and "Long term" in text  # choices shown as people read them
    assert "Alice Admin" in text  # new owner, by name
    assert "Acme Engineering" in text  # partners added
    assert "50.00" in text and "60.00" in text  # indicator target before and after


def test_set_history_lists_goal_deletions(world, login):
    client = login(world.staff)
    client.post(reverse("goals:goal_delete", args=["midtown", world.goal.pk]))
    page = client.get(reverse("goals:set_history", args=["midtown", world.goal_set.pk]))
    assert "Deleted · Goal: Seniors complete internships" in page.content.decode()
