"""The student WBL experience inventory's pages: who sees which students, filters and
pagination with a fixed number of queries, adding and editing students and experiences (unique
ids, coordinator scope, lost updates, history), kinds and groups, and other districts (404)."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cycle import inventory
from cycle.models import Experience, ExperienceKind, Student, StudentGroup
from tests.factories import PathwayFactory, SchoolFactory
from tests.factories_inventory import ExperienceFactory, StudentFactory, group, kind

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"cycle:{name}", args=["midtown", *args])


@pytest.fixture
def lakeside(world):
    return SchoolFactory(district=world.district_a, name="Lakeside High School")


@pytest.fixture
def people(world, lakeside):
    """R1 at Riverview (the coordinator's school), L1 at Lakeside (outside it), and district
    B's C1."""
    a = world.district_a
    r1 = StudentFactory(
        district=a,
        local_id="R1",
        display_name="Rita Riverview",
        school=world.school,
        pathway=world.pathway,
        grade=11,
        graduation_year=2027,
        groups=[group(a, "english-learner")],
    )
    l1 = StudentFactory(
        district=a,
        local_id="L1",
        display_name="Leo Lakeside",
        school=lakeside,
        grade=12,
        graduation_year=2026,
    )
    c1 = StudentFactory(district=world.district_b, local_id="C1", display_name="Cy Central")
    ExperienceFactory(student=r1, kind=kind(a, "internship"), hours=12)
    ExperienceFactory(student=l1, kind=kind(a, "job-shadow"))
    ExperienceFactory(student=c1, kind=kind(world.district_b, "job-shadow"))
    return {"r1": r1, "l1": l1, "c1": c1}


def listed(client, **query):
    response = client.get(url("students"), query)
    assert response.status_code == 200
    return [s.local_id for s in response.context["page"].object_list]


# -- who sees whom ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "staff"])
def test_staff_see_the_districts_students(world, people, login, persona):
    assert listed(login(world.persona(persona))) == ["L1", "R1"]


def test_coordinator_sees_only_their_schools_and_pathways(world, people, login, lakeside):
    client = login(world.coordinator)
    assert listed(client) == ["R1"]
    # A student of the coordinator's pathway at another school is theirs too.
    world.member_coordinator.pathways.add(PathwayFactory(district=world.district_a, name="IT"))
    StudentFactory(
        district=world.district_a,
        local_id="L2",
        school=lakeside,
        pathway=world.member_coordinator.pathways.get(),
    )
    assert listed(client) == ["L2", "R1"]


def test_coordinator_outside_scope_is_403(world, people, login):
    client = login(world.coordinator)
    l1 = people["l1"]
    experience = l1.experiences.get()
    for name, pk in [
        ("student_detail", l1.pk),
        ("student_edit", l1.pk),
        ("student_history", l1.pk),
        ("experience_create", l1.pk),
        ("experience_edit", experience.pk),
        ("experience_delete", experience.pk),
    ]:
        response = client.get(url(name, pk))
        assert response.status_code == 403, name
        assert b"Leo Lakeside" not in response.content
    assert client.post(url("experience_delete", experience.pk)).status_code == 403
    assert Experience.objects.filter(pk=experience.pk).exists()


@pytest.mark.parametrize("persona", ["board", "viewer"])
def test_board_and_viewers_never_see_a_student_row(world, people, login, persona):
    client = login(world.persona(persona))
    r1 = people["r1"]
    for address in [
        url("inventory"),
        url("students"),
        url("students") + "?q=R1",
        url("student_detail", r1.pk),
        url("student_history", r1.pk),
        url("student_edit", r1.pk),
        url("experience_create", r1.pk),
        url("experience_edit", r1.experiences.get().pk),
        url("export_experiences"),
        url("import_experiences"),
        url("inventory_settings"),
    ]:
        response = client.get(address)
        assert response.status_code == 403, address
        assert b"Rita" not in response.content and b"R1<" not in response.content


def test_another_districts_records_are_404(world, people, login):
    client = login(world.staff)
    c1 = people["c1"]
    b = world.district_b
    for name, pk in [
        ("student_detail", c1.pk),
        ("student_edit", c1.pk),
        ("student_history", c1.pk),
        ("experience_create", c1.pk),
        ("experience_edit", c1.experiences.get().pk),
        ("experience_delete", c1.experiences.get().pk),
        ("kind_edit", kind(b, "job-shadow").pk),
        ("group_edit", group(b, "low-income").pk),
    ]:
        response = client.get(url(name, pk))
        assert response.status_code == 404, name
        assert b"Cy Central" not in response.content
    assert client.post(url("experience_delete", c1.experiences.get().pk)).status_code == 404
    assert client.post(url("student_edit", c1.pk), {"local_id": "X"}).status_code == 404
    assert "C1" not in listed(client)


# -- the list: filters, pages, queries -------------------------------------------------------


def test_filters(world, people, login, lakeside):
    client = login(world.staff)
    assert listed(client, school=lakeside.pk) == ["L1"]
    assert listed(client, pathway=world.pathway.pk) == ["R1"]
    assert listed(client, grade=12) == ["L1"]
    assert listed(client, graduation_year=2027) == ["R1"]
    assert listed(client, group=group(world.district_a, "english-learner").pk) == ["R1"]
    assert listed(client, q="leo") == ["L1"]
    assert listed(client, q="r1") == ["R1"]
    # District B's school is not a choice: the filter is ignored with a message.
    other = SchoolFactory(district=world.district_b)
    response = client.get(url("students"), {"school": other.pk})
    assert b"Some filters were not understood" in response.content


def test_school_and_pathway_filters_are_labelled_escaped_and_keep_the_choice(
    world, login, lakeside
):
    odd = SchoolFactory(district=world.district_a, name='<b>"Odd" & Co</b>')
    page = login(world.staff).get(url("students"), {"school": lakeside.pk}).content.decode()
    start = page.index('<select id="id_school" name="school">')
    select = page[start : page.index("</select>", start)]
    assert '<option value="">All schools</option>' in select
    assert f'<option value="{lakeside.pk}" selected>Lakeside High School</option>' in select
    assert (
        f'<option value="{odd.pk}">&lt;b&gt;&quot;Odd&quot; &amp; Co&lt;/b&gt;</option>' in select
    )
    assert '<label for="id_school">' in page
    assert 'name="pathway"' in page


def add_students(world, n, start, school):
    a = world.district_a
    groups = inventory.student_groups(a)
    internship = kind(a, "internship")
    rows = Student.objects.bulk_create(
        Student(
            district=a,
            local_id=f"P{start + i:05d}",
            school=school,
            pathway=world.pathway,
            grade=9 + i % 4,
            graduation_year=2026,
        )
        for i in range(n)
    )
    through = Student.groups.through
    through.objects.bulk_create(
        through(student_id=s.pk, studentgroup_id=groups[i % len(groups)].pk)
        for i, s in enumerate(rows)
    )
    Experience.objects.bulk_create(
        Experience(student=s, kind=internship, date=datetime.date(2024, 1, 1), hours=5)
        for s in rows
        for _ in range(2)
    )


@pytest.mark.parametrize("persona", ["staff", "coordinator"])
def test_student_list_queries_do_not_grow(world, login, persona):
    client = login(world.persona(persona))
    counts = []
    for n, start in ((3, 0), (140, 1000)):
        add_students(world, n, start, world.school)
        for query in ({}, {"grade": 10, "page": 2}):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url("students"), query)
            assert response.status_code == 200
            counts.append(len(queries))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
    page = client.get(url("students")).context["page"]
    assert page.paginator.num_pages == 3  # 143 students, 50 a page
    assert page.object_list[0].experience_count == 2
    assert page.object_list[0].hours == 10


def test_student_detail_queries_do_not_grow(world, login):
    client = login(world.staff)
    a = world.district_a
    student = StudentFactory(district=a, school=world.school, groups=[group(a, "low-income")])
    counts = []
    for n in (1, 40):
        Experience.objects.bulk_create(
            Experience(student=student, kind=kind(a, "resume"), date=datetime.date(2024, 2, 2))
            for _ in range(n)
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("student_detail", student.pk)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_pagination_keeps_the_filters(world, login):
    add_students(world, 120, 0, world.school)
    page = login(world.staff).get(url("students"), {"graduation_year": 2026}).content.decode()
    assert "graduation_year=2026&amp;page=2" in page


# -- adding and editing students -------------------------------------------------------------


def student_data(world, **values):
    data = {
        "local_id": "N100",
        "display_name": "Nia New",
        "school": world.school.pk,
        "pathway": world.pathway.pk,
        "grade": "9",
        "graduation_year": "2029",
        "groups": [group(world.district_a, "foster-youth").pk],
    }
    data.update(values)
    return data


def test_coordinator_adds_a_student(world, login):
    client = login(world.coordinator)
    response = client.post(url("student_create"), student_data(world))
    assert response.status_code == 302
    student = Student.objects.get(local_id="N100")
    assert student.district == world.district_a
    assert [g.key for g in student.groups.all()] == ["foster-youth"]
    record = student.history.get()
    assert record.history_user == world.coordinator
    assert [r.studentgroup.key for r in record.groups.all()] == ["foster-youth"]


def test_local_id_is_unique_in_the_district(world, people, login):
    client = login(world.staff)
    response = client.post(url("student_create"), student_data(world, local_id="R1"))
    assert response.status_code == 200
    assert "Midtown District already has a student with id “R1”." in response.content.decode()
    # District B's C1 does not clash.
    response = client.post(url("student_create"), student_data(world, local_id="C1"))
    assert response.status_code == 302


def test_coordinator_cannot_add_a_student_outside_scope(world, login, lakeside):
    client = login(world.coordinator)
    response = client.post(
        url("student_create"), student_data(world, school=lakeside.pk, pathway="")
    )
    assert response.status_code == 200
    assert "Choose one of your schools or pathways" in response.content.decode()
    assert not Student.objects.exists()


def test_another_districts_school_is_not_a_choice(world, login):
    other = SchoolFactory(district=world.district_b)
    response = login(world.staff).post(url("student_create"), student_data(world, school=other.pk))
    assert response.status_code == 200
    assert not Student.objects.exists()


def test_markup_is_refused(world, login):
    response = login(world.staff).post(
        url("student_create"), student_data(world, display_name="<script>x</script>")
    )
    assert "Use plain text here" in response.content.decode()


def test_edit_student_refuses_a_lost_update(world, people, login):
    client = login(world.staff)
    r1 = people["r1"]
    data = student_data(world, local_id="R1", row_version="1")
    assert client.post(url("student_edit", r1.pk), {**data, "grade": "12"}).status_code == 302
    response = client.post(url("student_edit", r1.pk), {**data, "grade": "10"})
    assert response.status_code == 409
    assert "Someone else saved this" in response.content.decode()
    r1.refresh_from_db()
    assert (r1.grade, r1.row_version) == (12, 2)
    assert r1.history.first().history_user == world.staff


# -- experiences -----------------------------------------------------------------------------


def experience_data(world, **values):
    data = {
        "kind": kind(world.district_a, "internship").pk,
        "date": "2024-04-02",
        "hours": "12.5",
        "partner": world.partner.pk,
        "proficiency": "3",
        "reflection_submitted": "on",
        "verified_by": "Jordan Ellis",
    }
    data.update(values)
    return data


def test_experience_add_edit_delete_with_history(world, people, login):
    client = login(world.coordinator)
    r1 = people["r1"]
    response = client.post(url("experience_create", r1.pk), experience_data(world))
    assert response.status_code == 302
    experience = r1.experiences.get(hours=12.5)
    assert (experience.proficiency, experience.partner) == (3, world.partner)
    edit = experience_data(world, hours="20", row_version="1")
    assert client.post(url("experience_edit", experience.pk), edit).status_code == 302
    stale = client.post(url("experience_edit", experience.pk), {**edit, "hours": "5"})
    assert stale.status_code == 409
    experience.refresh_from_db()
    assert experience.hours == 20
    assert client.post(url("experience_delete", experience.pk)).status_code == 302
    assert not Experience.objects.filter(pk=experience.pk).exists()
    records = Experience.history.filter(id=experience.pk).order_by("history_id")
    assert [r.history_type for r in records] == ["+", "~", "-"]
    assert {r.history_user for r in records} == {world.coordinator}
    history = client.get(url("student_history", r1.pk)).content.decode()
    assert "Deleted · Experience: Internship on Apr 2, 2024" in history


def test_experience_validation(world, people, login):
    client = login(world.staff)
    r1 = people["r1"]
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    other_kind = kind(world.district_b, "internship")
    response = client.post(
        url("experience_create", r1.pk),
        experience_data(world, date=future, kind=other_kind.pk, hours="-1", proficiency="5"),
    )
    form = response.context["form"]
    assert set(form.errors) == {"date", "kind", "hours", "proficiency"}
    assert "cannot be in the future" in form.errors["date"][0]


# -- kinds and groups ------------------------------------------------------------------------


def test_standard_kinds_and_groups_on_first_need(world, login):
    assert not ExperienceKind.objects.exists()
    page = login(world.coordinator).get(url("inventory_settings")).content.decode()
    for _, name, _ in inventory.STANDARD_KINDS:
        assert name in page
    for _, name in inventory.STANDARD_GROUPS:
        assert name in page
    assert ExperienceKind.objects.filter(district=world.district_a).count() == 9
    assert StudentGroup.objects.filter(district=world.district_a).count() == 4
    assert not ExperienceKind.objects.filter(district=world.district_b).exists()
    assert ExperienceKind.history.first().history_user == world.coordinator


def test_staff_add_and_edit_kinds_and_groups(world, login):
    client = login(world.staff)
    response = client.post(
        url("kind_create"), {"name": "Industry tour", "continuum_stage": "awareness"}
    )
    assert response.status_code == 302
    tour = ExperienceKind.objects.get(name="Industry tour")
    assert (tour.key, tour.district) == ("industry-tour", world.district_a)
    assert tour.history.get().history_user == world.staff
    duplicate = client.post(url("kind_create"), {"name": "industry TOUR"})
    assert "already has one with this name" in duplicate.content.decode()
    edit = {"name": "Industry tours", "continuum_stage": "awareness", "row_version": "1"}
    assert client.post(url("kind_edit", tour.pk), edit).status_code == 302
    assert client.post(url("kind_edit", tour.pk), edit).status_code == 409
    tour.refresh_from_db()
    assert (tour.name, tour.key) == ("Industry tours", "industry-tour")

    assert client.post(url("group_create"), {"name": "Migrant students"}).status_code == 302
    assert StudentGroup.objects.get(name="Migrant students").key == "migrant-students"
    assert login(world.coordinator).get(url("kind_create")).status_code == 403


def test_overview_counts(world, people, login):
    page = login(world.coordinator).get(url("inventory"))
    assert page.context["student_count"] == 1
    assert page.context["experience_count"] == 1
    staff = login(world.staff).get(url("inventory"))
    assert (staff.context["student_count"], staff.context["experience_count"]) == (2, 2)


# -- demo data -------------------------------------------------------------------------------


def test_demo_inventory_loads_once_and_computes_the_engineering_goals(settings):
    from django.core.management import call_command

    from cycle.demo import inventory as demo
    from goals.models import GoalSet, Indicator
    from wbl.models import User

    call_command("load_demo", force=True, verbosity=0)
    admin = User.objects.get(email="admin@demo.wbl")
    demo.load(by=admin)

    def counts():
        return (
            Student.objects.count(),
            Student.history.count(),
            Experience.objects.count(),
            Experience.history.count(),
            Indicator.history.count(),
            GoalSet.history.count(),
        )

    first = counts()
    demo.load(by=admin)
    assert counts() == first  # idempotent: nothing new, no history

    midtown = Student.objects.filter(district__slug="midtown")
    assert 250 <= midtown.count() <= 400
    engineering = midtown.filter(pathway__name="Engineering")
    assert engineering.count() == 160
    assert set(engineering.values_list("grade", flat=True)) == {9, 10, 11, 12}
    assert Experience.history.first().history_user == admin
    goal_set = GoalSet.objects.get(title="Engineering pathway student goals", version=1)
    assert goal_set.stage == "monitor"
    computed = Indicator.objects.filter(goal__goal_set=goal_set, source="computed")
    assert computed.count() == 5
    for indicator in computed.select_related("rule"):
        value = inventory.compute_indicator(indicator)
        assert value is not None and 20 <= value <= 100, (indicator.name, value)
    seniors = computed.get(name="Seniors completing 40 or more internship hours")
    parts = inventory.breakdown(seniors.rule)
    groups = {row.label: row for row in parts[2].rows}
    assert groups["Foster youth"].is_small and not groups["Low income"].is_small
    # Hours split across several entries.
    assert (
        Experience.objects.filter(kind__key="internship")
        .values("student")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
