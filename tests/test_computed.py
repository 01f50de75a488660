"""Computed student-goal indicators against a hand-counted cohort, their breakdowns, and the
suppression of small groups outside staff pages."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cycle import inventory
from cycle.models import ComputedRule, Student
from goals.models import GoalSet, Indicator, Stage
from tests.factories import (
    DistrictFactory,
    GoalFactory,
    GoalSetFactory,
    IndicatorFactory,
    PathwayFactory,
    SchoolFactory,
)
from tests.factories_inventory import ExperienceFactory, StudentFactory, group, kind, rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def student_indicator(world):
    goal_set = GoalSetFactory(
        district=world.district_a,
        level=GoalSet.Level.STUDENT,
        scope=GoalSet.Scope.PATHWAY,
        pathway=world.pathway,
        title="Engineering pathway student goals",
    )
    goal = GoalFactory(goal_set=goal_set, statement="Complete 40 hours of internship")
    return IndicatorFactory(goal=goal, name="Seniors with 40 internship hours")


@pytest.fixture
def cohort(world):
    """Seven grade-12 Engineering students, hand-counted: s2, s5 and s7 meet "at least 40
    internship hours with a reflection, scored 3 or higher"; the others do not."""
    a = world.district_a
    internship = kind(a, "internship")
    shadow = kind(a, "job-shadow")

    def student(name, **values):
        values.setdefault("pathway", world.pathway)
        values.setdefault("school", world.school)
        return StudentFactory(district=a, local_id=name, **values)

    def did(who, hours, *, k=internship, reflection=True, proficiency=3):
        ExperienceFactory(
            student=who,
            kind=k,
            hours=hours,
            reflection_submitted=reflection,
            proficiency=proficiency,
        )

    s = {name: student(name) for name in ("s1", "s2", "s3", "s4", "s5", "s6", "s7")}
    # s1: no experiences at all (still in the denominator).
    did(s["s2"], 20)
    did(s["s2"], 25, proficiency=4)  # 45 hours over two entries: meets
    did(s["s3"], 30)
    did(s["s3"], 15, reflection=False)  # the unreflected 15 hours do not count: 30
    did(s["s4"], 50, proficiency=2)  # below the minimum proficiency
    did(s["s5"], 40)  # exactly 40: meets
    did(s["s6"], 50, k=shadow, proficiency=4)  # the wrong kind
    for _ in range(4):
        did(s["s7"], 10)  # 4 x 10 hours: meets
    # Outside the cohort:
    s8 = student("s8", grade=11)  # another grade
    did(s8, 100)
    other_pathway = PathwayFactory(district=a, name="Health Sciences")
    s9 = student("s9", pathway=other_pathway)  # another pathway (meets the requirement)
    did(s9, 100)
    b = world.district_b
    outsider = StudentFactory(district=b, local_id="s1", grade=12)
    ExperienceFactory(student=outsider, kind=kind(b, "internship"), hours=100, proficiency=4)
    return {"internship": internship, "shadow": shadow, **s, "s8": s8, "s9": s9}


def hours_rule(indicator, cohort, world, **values):
    spec = {
        "pathway": world.pathway,
        "grade": 12,
        "min_hours": Decimal(40),
        "reflection_required": True,
        "min_proficiency": 3,
    }
    spec.update(values)
    return rule(indicator, cohort["internship"], **spec)


def test_percent_of_the_hand_counted_cohort(world, cohort, student_indicator):
    r = hours_rule(student_indicator, cohort, world)
    figure = inventory.compute(r)
    assert (figure.total, figure.meeting) == (7, 3)
    assert figure.value == Decimal("42.86")  # 3 of 7
    assert inventory.compute_indicator(student_indicator) == Decimal("42.86")


def test_count_result(world, cohort, student_indicator):
    student_indicator.unit = Indicator.Unit.COUNT
    student_indicator.save()
    hours_rule(student_indicator, cohort, world, result=ComputedRule.Result.COUNT)
    assert inventory.compute_indicator(Indicator.objects.get(pk=student_indicator.pk)) == 3


def test_district_wide_cohort_excludes_other_districts(world, cohort, student_indicator):
    hours_rule(student_indicator, cohort, world, pathway=None)
    figure = inventory.compute(student_indicator.rule)
    # s1..s7 and s9 (another pathway, meets); never district B's grade-12 student.
    assert (figure.total, figure.meeting) == (8, 4)
    assert figure.value == Decimal("50.00")


def test_without_reflection_or_proficiency_requirements(world, cohort, student_indicator):
    hours_rule(student_indicator, cohort, world, reflection_required=False, min_proficiency=None)
    figure = inventory.compute(student_indicator.rule)
    # Now s3 (30 + 15 = 45) and s4 (50) meet too.
    assert (figure.total, figure.meeting) == (7, 5)


def test_number_of_experiences_and_a_second_kind(world, cohort, student_indicator):
    a = world.district_a
    shadow, interview, resume = (kind(a, k) for k in ("job-shadow", "mock-interview", "resume"))
    s1, s2, s3 = cohort["s1"], cohort["s2"], cohort["s3"]
    for _ in range(2):
        ExperienceFactory(student=s1, kind=shadow, reflection_submitted=True)
    ExperienceFactory(student=s2, kind=shadow, reflection_submitted=True)
    ExperienceFactory(student=s2, kind=shadow, reflection_submitted=False)
    two_shadows = rule(
        student_indicator,
        shadow,
        pathway=world.pathway,
        grade=12,
        min_count=2,
        reflection_required=True,
    )
    # s1 has two reflected shadows; s2 only one reflected; s6 one shadow.
    assert (inventory.compute(two_shadows).total, inventory.compute(two_shadows).meeting) == (7, 1)
    two_shadows.delete()

    ExperienceFactory(student=s1, kind=interview)
    ExperienceFactory(student=s1, kind=resume)
    ExperienceFactory(student=s3, kind=interview)  # no resume
    both = rule(student_indicator, interview, pathway=world.pathway, grade=12, also_kind=resume)
    assert inventory.compute(both).meeting == 1
    assert inventory.describe(both)[1] == (
        "At least 1 mock interview experience; and at least one resume."
    )


def test_empty_cohort_has_no_percent(world, student_indicator):
    rule(student_indicator, kind(world.district_a, "internship"), graduation_year=1999)
    assert inventory.compute_indicator(student_indicator) is None


def test_no_rule_no_value(world, student_indicator):
    assert inventory.compute_indicator(student_indicator) is None


def test_one_query_per_indicator(world, cohort, student_indicator):
    hours_rule(student_indicator, cohort, world)
    with_rule = Indicator.objects.select_related("rule").get(pk=student_indicator.pk)
    with CaptureQueriesContext(connection) as queries:
        assert inventory.compute_indicator(with_rule) == Decimal("42.86")
    assert len(queries) == 1
    sql = queries[0]["sql"].upper()
    assert "GROUP BY" in sql and "HAVING" in sql  # the hours are summed in SQL


def test_breakdown_by_school_pathway_and_group(world, cohort, student_indicator):
    a = world.district_a
    low_income = group(a, "low-income")
    cohort["s2"].groups.add(low_income)
    cohort["s3"].groups.add(low_income)
    cohort["s2"].groups.add(group(a, "english-learner"))
    other_school = SchoolFactory(district=a, name="Lakeside High School")
    Student.objects.filter(pk=cohort["s7"].pk).update(school=other_school)
    r = hours_rule(student_indicator, cohort, world)
    with CaptureQueriesContext(connection) as queries:
        parts = {
            p.title: {row.label: (row.total, row.meeting) for row in p.rows}
            for p in inventory.breakdown(r)
        }
    assert len(queries) == 2
    assert parts["By school"] == {"Lakeside High School": (1, 1), "Riverview High School": (6, 2)}
    assert parts["By pathway"] == {"Engineering": (7, 3)}
    assert parts["By student group"] == {"English learners": (1, 1), "Low income": (2, 1)}


# -- the page, and small groups --------------------------------------------------------------


@pytest.fixture
def groups_cohort(world, student_indicator):
    """12 low-income students (a group large enough to show) and 3 foster youth (suppressed)."""
    a = world.district_a
    internship = kind(a, "internship")
    low_income, foster = group(a, "low-income"), group(a, "foster-youth")
    for n in range(15):
        s = StudentFactory(
            district=a,
            school=world.school,
            pathway=world.pathway,
            local_id=f"G{n:02d}",
            groups=[low_income] if n < 12 else [foster],
        )
        if n % 2 == 0:
            ExperienceFactory(student=s, kind=internship, hours=45)
    return rule(student_indicator, internship, pathway=world.pathway, min_hours=40)


def computed_url(indicator):
    return reverse("cycle:computed", args=["midtown", indicator.pk])


def test_board_sees_small_groups_suppressed(world, groups_cohort, student_indicator, login):
    page = login(world.board).get(computed_url(student_indicator)).content.decode()
    assert "Suppressed (fewer than 10 students)" in page
    assert "Foster youth" in page
    assert "Low income" in page
    # 12 low-income students, 6 meeting: shown; the three foster youth: not shown.
    assert ">12<" in page and "50.00%" in page
    foster_row = page[page.index("Foster youth") :].split("</tr>")[0]
    assert 'class="num"' not in foster_row
    for local_id in ("G00", "G13"):
        assert local_id not in page


@pytest.mark.parametrize("persona", ["viewer", "coordinator"])
def test_others_than_staff_see_small_groups_suppressed(
    world, groups_cohort, student_indicator, login, persona
):
    page = login(world.persona(persona)).get(computed_url(student_indicator)).content.decode()
    assert "Suppressed (fewer than 10 students)" in page


@pytest.mark.parametrize("persona", ["admin", "staff"])
def test_staff_see_small_groups(world, groups_cohort, student_indicator, login, persona):
    page = login(world.persona(persona)).get(computed_url(student_indicator)).content.decode()
    assert "Suppressed (fewer than 10 students)" not in page
    foster_row = page[page.index("Foster youth") :].split("</tr>")[0]
    assert ">3<" in foster_row
    assert "fewer than 10: suppressed outside staff pages" in foster_row


def test_small_cohort_headline_is_suppressed_for_the_board(world, cohort, student_indicator, login):
    hours_rule(student_indicator, cohort, world)
    board = login(world.board).get(computed_url(student_indicator)).content.decode()
    assert "42.86%" not in board
    assert "Suppressed (fewer than 10 students)" in board
    staff = login(world.staff).get(computed_url(student_indicator)).content.decode()
    assert "42.86%" in staff and "3 of 7 students" in staff


def test_computed_page_without_rule(world, student_indicator, login):
    page = login(world.board).get(computed_url(student_indicator))
    assert page.status_code == 200
    assert b"not computed from the student inventory" in page.content


def test_system_level_indicator_has_no_computed_page(world, login):
    response = login(world.staff).get(computed_url(world.indicator))
    assert response.status_code == 404


# -- setting a rule --------------------------------------------------------------------------


def rule_post(world, **values):
    data = {
        "pathway": world.pathway.pk,
        "grade": "12",
        "kind": kind(world.district_a, "internship").pk,
        "min_count": "1",
        "min_hours": "40",
        "reflection_required": "on",
        "min_proficiency": "3",
        "result": "percent",
        "row_version": "",
    }
    data.update(values)
    return data


def test_staff_set_a_rule_and_the_indicator_becomes_computed(
    world, cohort, student_indicator, login
):
    client = login(world.staff)
    url = reverse("cycle:rule", args=["midtown", student_indicator.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, rule_post(world))
    assert response.status_code == 302
    student_indicator.refresh_from_db()
    assert student_indicator.source == Indicator.Source.COMPUTED
    assert student_indicator.rule.min_hours == 40
    assert student_indicator.history.first().history_user == world.staff
    assert student_indicator.rule.history.first().history_user == world.staff
    page = client.get(computed_url(student_indicator)).content.decode()
    assert "42.86%" in page

    # An edit from a stale version is refused with both versions (409), nothing overwritten.
    stale = rule_post(world, row_version="1", min_hours="30")
    client.post(url, rule_post(world, row_version="1", min_hours="45"))
    response = client.post(url, stale)
    assert response.status_code == 409
    assert ComputedRule.objects.get(indicator=student_indicator).min_hours == 45


def test_rule_result_must_match_the_unit(world, student_indicator, login):
    client = login(world.staff)
    url = reverse("cycle:rule", args=["midtown", student_indicator.pk])
    response = client.post(url, rule_post(world, result="count"))
    assert response.status_code == 200
    assert "This indicator is measured in percent" in response.content.decode()
    assert not ComputedRule.objects.exists()


def test_rule_kind_of_another_district_is_refused(world, student_indicator, login):
    client = login(world.staff)
    url = reverse("cycle:rule", args=["midtown", student_indicator.pk])
    other = kind(world.district_b, "internship")
    response = client.post(url, rule_post(world, kind=other.pk))
    assert response.status_code == 200
    assert not ComputedRule.objects.exists()


def test_remove_rule(world, cohort, student_indicator):
    hours_rule(student_indicator, cohort, world)
    student_indicator.source = Indicator.Source.COMPUTED
    student_indicator.save()
    inventory.remove_rule(student_indicator, by=world.staff)
    student_indicator.refresh_from_db()
    assert student_indicator.source == Indicator.Source.MANUAL
    assert not ComputedRule.objects.filter(indicator=student_indicator).exists()
    assert ComputedRule.history.filter(history_type="-").first().history_user == world.staff


def test_coordinator_may_not_set_rules(world, student_indicator):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        inventory.remove_rule(student_indicator, by=world.coordinator)


def test_record_value_as_progress_entry(world, cohort, student_indicator):
    from cycle.services import CycleError

    hours_rule(student_indicator, cohort, world)
    goal_set = student_indicator.goal.goal_set
    with pytest.raises(CycleError, match="adopted"):
        inventory.record_value(student_indicator, by=world.staff)
    GoalSet.objects.filter(pk=goal_set.pk).update(stage="monitor")
    student_indicator = Indicator.objects.get(pk=student_indicator.pk)
    entry = inventory.record_value(
        student_indicator, by=world.staff, as_of=datetime.date(2024, 6, 1)
    )
    assert entry.value == Decimal("42.86")
    assert "3 of 7 students" in entry.note
    assert entry.history.first().history_user == world.staff


# -- query budget ----------------------------------------------------------------------------


def _students(district, school, pathway, n, start, internship):
    rows = Student.objects.bulk_create(
        Student(
            district=district,
            local_id=f"Q{start + i:05d}",
            school=school,
            pathway=pathway,
            grade=12,
            graduation_year=2026,
        )
        for i in range(n)
    )
    for s in rows[::3]:
        ExperienceFactory(student=s, kind=internship, hours=45)


@pytest.mark.parametrize("persona", ["staff", "board"])
def test_computed_page_queries_do_not_grow(world, student_indicator, login, persona):
    a = world.district_a
    internship = kind(a, "internship")
    rule(student_indicator, internship, pathway=world.pathway, min_hours=40)
    client = login(world.persona(persona))
    url = computed_url(student_indicator)
    counts = []
    for n, start in ((5, 0), (120, 100)):
        _students(a, world.school, world.pathway, n, start, internship)
        extra_school = SchoolFactory(district=a)
        _students(a, extra_school, world.pathway, n, start + 500, internship)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_other_district_has_its_own_standard_kinds(world):
    a = inventory.experience_kinds(world.district_a)
    b = inventory.experience_kinds(world.district_b)
    assert len(a) == len(b) == len(inventory.STANDARD_KINDS)
    assert not {k.pk for k in a} & {k.pk for k in b}
    # Created once: a second call adds nothing.
    assert len(inventory.experience_kinds(world.district_a)) == len(a)
    assert DistrictFactory(slug="new").experience_kinds.count() == 0


# -- seed_scale at a tiny size ---------------------------------------------------------------


def test_seed_scale_tiny(db, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from cycle.models import Experience, ProgressEntry
    from wbl.models import District

    sizes = {"schools": 3, "students": 40, "experiences": 300, "goals": 12, "progress": 60}
    call_command("seed_scale", district="tiny", **sizes)
    district = District.objects.get(slug="tiny")
    assert district.schools.count() == 3
    assert Student.objects.filter(district=district).count() == 40
    assert Experience.objects.filter(student__district=district).count() == 300
    assert Indicator.objects.filter(goal__goal_set__district=district).count() == 12
    assert ProgressEntry.objects.filter(indicator__goal__goal_set__district=district).count() == 60
    assert not Experience.history.exists()  # synthetic rows carry no per-row history
    assert "experiences" in capsys.readouterr().err  # the progress bar

    computed = Indicator.objects.filter(
        goal__goal_set__district=district, source=Indicator.Source.COMPUTED
    ).select_related("rule")
    assert computed.count() == 1
    value = inventory.compute_indicator(computed.get())
    assert value is None or 0 <= value <= 100

    with pytest.raises(CommandError, match="already exists"):
        call_command("seed_scale", district="tiny", **sizes)
    call_command("seed_scale", district="tiny", replace=True, seed=5, **{**sizes, "students": 20})
    assert Student.objects.filter(district__slug="tiny").count() == 20
    assert Experience.objects.filter(student__district__slug="tiny").count() == 300


def test_the_breakdown_adds_up_to_the_figure(world, cohort, student_indicator):
    r = hours_rule(student_indicator, cohort, world, pathway=None)
    whole = inventory.overall(inventory.breakdown(r), r.result)
    figure = inventory.compute(r)
    assert (whole.total, whole.meeting, whole.value) == (figure.total, figure.meeting, figure.value)


def test_benchmark_counts_only_what_the_pages_show(db):
    """The benchmark's opening line counts indicators as the pages do: soft-deleted ones are
    left out, so the "largest goal set" figure is the one its page timings are for."""
    from django.core.management import call_command

    from goals.services import soft_delete
    from wbl.models import District

    sizes = {"schools": 2, "students": 30, "experiences": 100, "goals": 12, "progress": 10}
    call_command("seed_scale", district="tiny", no_progress_bar=True, **sizes)
    district = District.objects.get(slug="tiny")
    system = GoalSet.objects.filter(district=district, level=GoalSet.Level.SYSTEM)
    biggest = max(system, key=lambda s: Indicator.objects.filter(goal__goal_set=s).count())
    shown = Indicator.objects.filter(goal__goal_set=biggest).count()
    total = Indicator.objects.filter(goal__goal_set__district=district).count()
    admin = district.memberships.filter(role="admin").first().user
    # The seeded sets are adopted (frozen); a draft of the same size can lose an indicator.
    GoalSet.objects.filter(pk=biggest.pk).update(stage=Stage.DRAFT)
    soft_delete(Indicator.objects.filter(goal__goal_set=biggest).first(), by=admin)

    out = io.StringIO()
    call_command("benchmark", district="tiny", only=["computed"], stdout=out)
    [line] = [x for x in out.getvalue().splitlines() if "largest goal set" in x]
    assert f"{total - 1:,} indicators; largest goal set {shown - 1} indicators" in line
