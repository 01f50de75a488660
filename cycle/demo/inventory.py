"""Demo of the student WBL experience inventory: a few hundred Midtown students with their
experiences, so that the "Engineering pathway student goals" compute their progress.

- 160 Engineering pathway students at Riverview High School (40 per grade, 9-12) whose
  experiences follow the pathway's goals: grade 9 career exploration projects with rubric
  scores, grade 10 job shadows with or without reflections, grade 11 mock interviews and
  resumes, grade 12 internship hours split over several entries and the senior defense.
- 160 more students at Riverview, Lakeside and Hillcrest with guest speakers, employment
  applications, microcredentials and job shadows, for the district-wide figures.
- Student groups (English learners, students with disabilities, low income, and a handful of
  foster youth, small enough to show as suppressed to the board).
- A rule for each Engineering indicator that the inventory can answer (the median-hours
  indicator stays logged by hand); then the set is walked to Monitor through the services, so
  the dashboard shows computed progress and the computed pages a breakdown.

The school year is 2019-20 (seniors graduate in 2020), matching the other demo figures.
Deterministic: each student's record comes from a random generator seeded with their id.
Idempotent: students are found by local id and written (with their experiences, with history
naming `by`) only when missing; rules are saved only when they differ; stage moves happen only
from the stage they start from.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from cycle import inventory, services
from cycle.csv_io import write_group_history
from cycle.models import BoardAdoption, ComputedRule, Experience, Student
from goals.models import GoalSet, Indicator, Stage
from wbl.history import save_with_history
from wbl.models import District, User

SET_TITLE = "Engineering pathway student goals"
SENIOR_YEAR = 2020  # the class of 2020 is in grade 12
ADOPTED_ON = date(2017, 11, 14)
OVERRIDE = (
    "The pathway team sends the student goals to the board as drafted; the remaining quality "
    "notes are picked up at the first data review."
)

# (local id prefix, school, pathway or None, students per grade)
COHORTS = [
    ("ENG", "Riverview High School", "Engineering", 40),
    ("RVH", "Riverview High School", None, 15),
    ("LKS", "Lakeside High School", "Health Sciences", 15),
    ("HCR", "Hillcrest High School", "Information Technology", 10),
]
GROUP_SHARES = {"english-learner": 0.16, "disability": 0.12, "low-income": 0.42}
FOSTER_YOUTH = {"ENG-12-03", "ENG-12-17", "ENG-11-08", "ENG-10-21", "RVH-12-04"}

# indicator name -> the rule (kind keys are looked up in the district)
RULES = {
    "Grade 9 members scoring proficient or higher on the project": {
        "grade": 9,
        "kind": "career-exploration-project",
        "min_proficiency": 3,
    },
    "Grade 10 members with two job shadows and reflections": {
        "grade": 10,
        "kind": "job-shadow",
        "min_count": 2,
        "reflection_required": True,
    },
    "Grade 11 members with a mock interview and a resume": {
        "grade": 11,
        "kind": "mock-interview",
        "also_kind": "resume",
    },
    "Seniors completing 40 or more internship hours": {
        "grade": 12,
        "kind": "internship",
        "min_hours": Decimal(40),
    },
    "Graduates passing the senior defense on all six skills": {
        "graduation_year": SENIOR_YEAR,
        "kind": "senior-defense",
        "min_proficiency": 3,
    },
}


def load(*, by) -> None:
    district = District.objects.get(slug="midtown")
    with transaction.atomic():
        kinds = {k.key: k for k in inventory.experience_kinds(district, by=by)}
        groups = {g.key: g for g in inventory.student_groups(district, by=by)}
        _students(district, kinds, groups, by=by)
        goal_set = GoalSet.objects.filter(district=district, title=SET_TITLE, version=1).first()
        if goal_set is None:
            return
        _rules(goal_set, kinds, by=by)
        _walk(goal_set, by=by)


# -- students and their experiences ----------------------------------------------------------


def _school_year_day(rnd, grade: int) -> date:
    """A school day in the year the student was (or is) in `grade`; never after Nov 2019."""
    start = date(SENIOR_YEAR - 1 - (12 - grade), 9, 1)
    end = min(start + timedelta(days=280), date(2019, 11, 22))
    return start + timedelta(days=rnd.randrange((end - start).days))


def _plan(local_id: str, grade: int, engineering: bool):
    """(groups, [experience values]) for one student, from a generator seeded with the id."""
    rnd = random.Random(local_id)
    groups = [key for key, share in GROUP_SHARES.items() if rnd.random() < share]
    if local_id in FOSTER_YOUTH:
        groups.append("foster-youth")
    experiences = []

    def add(kind, year_grade, **values):
        values.setdefault("reflection_submitted", rnd.random() < 0.8)
        experiences.append({"kind": kind, "date": _school_year_day(rnd, year_grade), **values})

    if rnd.random() < 0.6:
        add("guest-speaker", grade, reflection_submitted=rnd.random() < 0.5)
    if engineering:
        # Grade 9 (and every older student's grade 9): the career exploration project.
        if rnd.random() < 0.95:
            add(
                "career-exploration-project",
                9,
                proficiency=rnd.choices([1, 2, 3, 4], [5, 13, 52, 30])[0],
            )
        if grade >= 10:
            for _ in range(rnd.choices([0, 1, 2, 3], [10, 25, 50, 15])[0]):
                add(
                    "job-shadow",
                    10,
                    hours=Decimal(rnd.randrange(2, 7)),
                    reflection_submitted=rnd.random() < 0.85,
                    verified_by="Site supervisor",
                )
        if grade >= 11:
            if rnd.random() < 0.85:
                add("mock-interview", 11, proficiency=rnd.randint(2, 4))
            if rnd.random() < 0.78:
                add("resume", 11)
        if grade == 12:
            total = rnd.choice([0, 12, 24, 32, 38, 40, 44, 48, 52, 60, 60, 64])
            left = total
            while left > 0:
                part = min(left, rnd.choice([8, 10, 12, 16, 20]))
                add(
                    "internship",
                    12,
                    hours=Decimal(part),
                    proficiency=rnd.randint(2, 4),
                    verified_by="Northgate Engineering Group mentor",
                )
                left -= part
            if rnd.random() < 0.9:
                add("senior-defense", 12, proficiency=rnd.choices([2, 3, 4], [15, 55, 30])[0])
    else:
        for _ in range(rnd.choices([0, 1, 3, 4], [30, 30, 25, 15])[0]):
            add("employment-application", max(grade, 11) if grade >= 11 else grade)
        for _ in range(rnd.choices([0, 2, 4, 5], [40, 30, 20, 10])[0]):
            add("microcredential", grade, proficiency=3)
        if rnd.random() < 0.4:
            add("job-shadow", grade, hours=Decimal(4))
    return groups, experiences


def _students(district, kinds, groups, *, by) -> None:
    schools = {s.name: s for s in district.schools.all()}
    pathways = {p.name: p for p in district.pathways.all()}
    partner = district.partners.filter(name="Northgate Engineering Group").first()
    existing = set(Student.objects.filter(district=district).values_list("local_id", flat=True))
    new, plans = [], {}
    for prefix, school, pathway, per_grade in COHORTS:
        if school not in schools:
            continue
        for grade in (9, 10, 11, 12):
            for number in range(1, per_grade + 1):
                local_id = f"{prefix}-{grade}-{number:02d}"
                if local_id in existing:
                    continue
                plans[local_id] = _plan(local_id, grade, prefix == "ENG")
                new.append(
                    Student(
                        district=district,
                        local_id=local_id,
                        school=schools[school],
                        pathway=pathways.get(pathway) if pathway else None,
                        grade=grade,
                        graduation_year=SENIOR_YEAR + 12 - grade,
                    )
                )
    if not new:
        return
    created = bulk_create_with_history(new, Student, default_user=by)
    through = Student.groups.through
    links = [
        through(student_id=student.pk, studentgroup_id=groups[key].pk)
        for student in created
        for key in plans[student.local_id][0]
    ]
    through.objects.bulk_create(links)
    write_group_history(created, links)
    experiences = [
        Experience(
            student=student,
            kind=kinds[values.pop("kind")],
            partner=partner if values.get("verified_by", "").startswith("Northgate") else None,
            **values,
        )
        for student in created
        for values in plans[student.local_id][1]
    ]
    bulk_create_with_history(experiences, Experience, default_user=by, batch_size=2000)


# -- rules and the walk through the cycle ----------------------------------------------------


def _rules(goal_set, kinds, *, by) -> None:
    indicators = Indicator.objects.filter(goal__goal_set=goal_set).select_related("rule")
    for indicator in indicators:
        spec = RULES.get(indicator.name)
        if spec is None:
            continue
        values = {
            "school": None,
            "pathway": goal_set.pathway,
            "grade": None,
            "graduation_year": None,
            "min_count": 1,
            "min_hours": None,
            "reflection_required": False,
            "min_proficiency": None,
            "also_kind": None,
            "result": ComputedRule.Result.PERCENT,
            **spec,
        }
        values["kind"] = kinds[values["kind"]]
        if values["also_kind"]:
            values["also_kind"] = kinds[values["also_kind"]]
        rule = inventory.rule_for(indicator) or ComputedRule(indicator=indicator)
        changed = rule._state.adding
        for name, value in values.items():
            field = ComputedRule._meta.get_field(name)
            current = getattr(rule, field.attname)
            wanted = value.pk if field.is_relation and value is not None else value
            if current != wanted:
                setattr(rule, name, value)
                changed = True
        if changed:
            if not rule._state.adding:
                rule.row_version += 1
            save_with_history(rule, by=by)
        if indicator.source != Indicator.Source.COMPUTED:
            indicator.source = Indicator.Source.COMPUTED
            indicator.row_version += 1
            save_with_history(indicator, by=by)


def _walk(goal_set, *, by) -> None:
    """Draft -> Approve -> (adopted) Communicate -> Implement -> Monitor, as far as needed."""
    staff = User.objects.filter(email="staff@demo.wbl").first() or by
    if goal_set.stage == Stage.DRAFT:
        services.submit_for_approval(goal_set, by=staff, override_reason=OVERRIDE)
        goal_set.refresh_from_db()
    if goal_set.stage == Stage.APPROVE:
        services.record_adoption(
            goal_set,
            by=staff,
            adoption=BoardAdoption(
                governing_body="Midtown District Board of Trustees",
                meeting_date=ADOPTED_ON,
                agenda_item="7.3",
                resolution_number="2017-48",
                votes_for=5,
                outcome=BoardAdoption.Outcome.ADOPTED,
            ),
        )
        goal_set.refresh_from_db()
    if goal_set.stage == Stage.COMMUNICATE:
        services.start_implementation(goal_set, by=staff)
        goal_set.refresh_from_db()
    if goal_set.stage == Stage.IMPLEMENT:
        services.start_monitoring(goal_set, by=staff)
