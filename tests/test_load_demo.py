"""`manage.py load_demo`: the source document's examples, demo accounts, idempotent re-runs."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from goals.models import Goal, GoalSet, Indicator
from goals.quality import check_goal
from wbl.history import m2m_history
from wbl.models import District, Membership, Partner, Pathway, School, User

pytestmark = pytest.mark.django_db

DEMO_EMAILS = [
    "admin@demo.wbl",
    "staff@demo.wbl",
    "coordinator@demo.wbl",
    "board@demo.wbl",
    "viewer@demo.wbl",
    "central-admin@demo.wbl",
]
MODELS = [District, School, Pathway, Partner, User, Membership, GoalSet, Goal, Indicator]


def load(**options) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    return load()


def counts():
    return {m.__name__: (m.objects.count(), m.history.count()) for m in MODELS}


def internship_indicator():
    return Indicator.objects.get(
        goal__goal_set__district__slug="midtown", name="Seniors completing internships"
    )


# -- running it ------------------------------------------------------------------------------


def test_refuses_without_debug_or_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        load()
    assert not District.objects.exists()
    assert not User.objects.exists()


def test_force_loads_without_debug(settings):
    settings.DEBUG = False
    load(force=True)
    assert District.objects.filter(slug__in=["midtown", "central"]).count() == 2


def test_second_run_adds_no_rows_and_no_history(demo):
    before = counts()
    output = load()
    assert counts() == before
    assert "0 rows created, 0 updated" in output
    assert before["District"][0] == 2
    # The document's goals, plus Riverview's version 2 (two carried forward, one new).
    assert before["Goal"][0] == 6 + 5 + 4 + 6 + 3


def test_rerun_restores_changed_demo_data(demo):
    indicator = internship_indicator()
    indicator.target_value = 60
    indicator.save()
    coordinator = User.objects.get(email="coordinator@demo.wbl")
    coordinator.set_password("something-else")
    coordinator.save()
    Membership.objects.get(user=coordinator).schools.clear()
    history_before = indicator.history.count()

    load()

    indicator.refresh_from_db()
    assert indicator.target_value == 50
    latest = indicator.history.first()
    assert indicator.history.count() == history_before + 1
    assert latest.history_type == "~"
    assert latest.history_user.email == "admin@demo.wbl"
    sign_in = RequestFactory().post("/accounts/login/")  # the throttle needs the request
    assert authenticate(sign_in, username="coordinator@demo.wbl", password="demo") == coordinator
    schools = Membership.objects.get(user=coordinator).schools.all()
    assert [s.name for s in schools] == ["Riverview High School"]


def test_prints_the_logins_and_the_url(demo):
    lines = demo.splitlines()
    assert any(line.split() == ["email", "role", "district"] for line in lines)
    for email in DEMO_EMAILS:
        assert email in demo
    assert any(line.split()[:2] == ["board@demo.wbl", "board"] for line in lines)
    assert any(
        line.split() == ["central-admin@demo.wbl", "admin", "Central", "School", "District"]
        for line in lines
    )
    assert "http://127.0.0.1:8000/" in demo
    assert '"demo"' in demo


def test_verbosity_zero_prints_nothing(settings):
    settings.DEBUG = True
    assert load(verbosity=0) == ""


# -- the document's examples -----------------------------------------------------------------


def test_districts_and_their_organisation(demo):
    midtown = District.objects.get(slug="midtown")
    central = District.objects.get(slug="central")
    assert midtown.name == "Midtown District"
    assert central.name == "Central School District"
    for district in (midtown, central):
        assert district.vision and district.mission and district.graduate_profile
    high_schools = midtown.schools.filter(name__endswith="High School")
    assert "Riverview High School" in {s.name for s in high_schools}
    assert high_schools.count() == 3
    engineering = midtown.pathways.get(name="Engineering")
    assert engineering.school.name == "Riverview High School"
    assert midtown.pathways.filter(name="Health Sciences").exists()
    assert set(midtown.partners.values_list("kind", flat=True)) == set(Partner.Kind.values)
    assert central.schools.exists() and central.partners.exists()
    assert not central.schools.filter(name="Riverview High School").exists()


def test_midtown_system_set(demo):
    goal_set = GoalSet.objects.get(district__slug="midtown", title="Midtown WBL system expansion")
    assert goal_set.level == GoalSet.Level.SYSTEM
    assert goal_set.scope == GoalSet.Scope.DISTRICT
    assert goal_set.stem == (
        "By 2020, Midtown District will expand its existing WBL system to ensure that:"
    )
    assert (goal_set.start_year, goal_set.target_year) == (2017, 2020)
    goals = list(goal_set.goals.all())
    assert [g.order for g in goals] == [1, 2, 3, 4, 5, 6]
    for goal in goals:
        assert goal.topic_area and goal.horizon and goal.responsible_roles
        assert goal.indicators.exists()
        orders = list(goal.indicators.values_list("order", flat=True))
        assert orders == list(range(1, len(orders) + 1))


def test_internship_indicator(demo):
    indicator = internship_indicator()
    assert indicator.unit == Indicator.Unit.PERCENT
    assert indicator.baseline_value == 20
    assert indicator.baseline_year == 2017
    assert indicator.target_value == 50
    assert indicator.target_date == datetime.date(2020, 6, 30)
    assert indicator.milestones == {"2018": 30, "2019": 40}
    goal = indicator.goal
    assert goal.owner.email == "staff@demo.wbl"
    partner_kinds = set(goal.responsible_partners.values_list("kind", flat=True))
    assert {Partner.Kind.EMPLOYER, Partner.Kind.INTERMEDIARY} <= partner_kinds


def test_midtown_targets_from_the_document(demo):
    midtown = Indicator.objects.filter(goal__goal_set__district__slug="midtown")
    coordinators = midtown.get(name="High schools with a full-time WBL coordinator")
    assert coordinators.unit == Indicator.Unit.COUNT
    high_schools = School.objects.filter(district__slug="midtown", name__endswith="High School")
    assert coordinators.target_value == high_schools.count()
    exhibition = midtown.get(goal__statement__startswith="The Senior Exhibition")
    assert exhibition.unit == Indicator.Unit.MILESTONE
    assert exhibition.direction == Indicator.Direction.ACHIEVE
    assert exhibition.target_value == 1
    experiences = midtown.get(goal__statement__startswith="WBL experiences are increased")
    assert experiences.target_value == experiences.baseline_value * Decimal("1.25")
    assert experiences.target_date.year == 2018


def test_engineering_student_set(demo):
    goal_set = GoalSet.objects.get(title="Engineering pathway student goals")
    assert goal_set.level == GoalSet.Level.STUDENT
    assert goal_set.scope == GoalSet.Scope.PATHWAY
    assert goal_set.pathway.name == "Engineering"
    grades = list(goal_set.goals.values_list("grade", flat=True))
    assert grades == ["9", "10", "11", "12", Goal.Grade.BEFORE_GRADUATION]
    for goal in goal_set.goals.all():
        indicator = goal.indicators.first()
        assert indicator.unit == Indicator.Unit.PERCENT
        assert 90 <= indicator.target_value <= 100


def test_riverview_student_set(demo):
    goal_set = GoalSet.objects.get(title="Riverview High School student goals", version=1)
    assert goal_set.level == GoalSet.Level.STUDENT
    assert goal_set.scope == GoalSet.Scope.SCHOOL
    assert goal_set.school.name == "Riverview High School"
    grades = list(goal_set.goals.values_list("grade", flat=True))
    assert grades == [
        Goal.Grade.EACH_YEAR,
        Goal.Grade.G12,
        Goal.Grade.BEFORE_GRADUATION,
        Goal.Grade.EACH_SEMESTER,
    ]


def test_central_system_set(demo):
    goal_set = GoalSet.objects.get(district__slug="central", title="Central WBL system")
    assert goal_set.stem == "The Central School District will develop a WBL system that features:"
    assert goal_set.goals.count() == 6
    employers = Indicator.objects.get(goal__goal_set=goal_set, goal__statement__contains="100")
    assert employers.unit == Indicator.Unit.COUNT
    assert (employers.baseline_value, employers.target_value) == (35, 100)
    owners = set(goal_set.goals.values_list("owner__email", flat=True))
    assert owners <= {"central-admin@demo.wbl", "staff@demo.wbl"}


def test_quality_check_has_something_to_show(demo):
    findings = {}
    for goal in Goal.objects.select_related("goal_set").prefetch_related("indicators"):
        codes = [f.code for f in check_goal(goal, goal.goal_set)]
        if codes:
            findings[goal.statement] = codes
    assert findings == {
        "WBL is specified in the graduate profile": ["no_owner"],
        "Successfully obtain at least four different microcredentials that demonstrate "
        "discrete skills from their elective courses": ["no_target_date"],
    }


# -- accounts and history --------------------------------------------------------------------


def test_every_demo_user_signs_in_with_demo(demo):
    for email in DEMO_EMAILS:
        user = authenticate(
            RequestFactory().post("/accounts/login/"), username=email, password="demo"
        )
        assert user is not None, email
        assert user.email == email
        assert " " in user.full_name


def test_memberships(demo):
    midtown = {m.user.email: m for m in Membership.objects.filter(district__slug="midtown")}
    assert {email: m.role for email, m in midtown.items()} == {
        "admin@demo.wbl": "admin",
        "staff@demo.wbl": "staff",
        "coordinator@demo.wbl": "coordinator",
        "board@demo.wbl": "board",
        "viewer@demo.wbl": "viewer",
    }
    assert all(m.title for m in midtown.values())
    coordinator = midtown["coordinator@demo.wbl"]
    assert [s.name for s in coordinator.schools.all()] == ["Riverview High School"]
    assert [p.name for p in coordinator.pathways.all()] == ["Engineering"]
    central = {m.user.email: m.role for m in Membership.objects.filter(district__slug="central")}
    assert central == {"staff@demo.wbl": "staff", "central-admin@demo.wbl": "admin"}


def test_every_row_has_history_naming_the_district_admin(demo):
    admins = {"midtown": "admin@demo.wbl", "central": "central-admin@demo.wbl"}
    for goal in Goal.objects.select_related("goal_set__district"):
        records = list(goal.history.all())
        assert records, goal
        assert records[-1].history_type == "+"
        assert records[-1].history_user.email == admins[goal.goal_set.district.slug]
    for model in MODELS:  # every row has history (stage moves add more rows to goal sets)
        recorded = set(model.history.values_list("id", flat=True))
        assert set(model.objects.values_list("pk", flat=True)) <= recorded, model.__name__
    internship_goal = internship_indicator().goal
    recorded = getattr(
        internship_goal.history.first(), m2m_history(Goal, "responsible_partners")
    ).all()
    assert {r.partner for r in recorded} == set(internship_goal.responsible_partners.all())
