"""Routes of the student WBL experience inventory, computed indicators and CSV imports.

Student records are for admin, staff and coordinators (in scope) only: board members and
viewers get 403 on every page that lists or shows students. Cross-district checks for
students, experiences, kinds and groups (district B objects the world does not hold) are in
tests/test_inventory.py."""

import datetime

from cycle import inventory
from cycle.models import Experience, Student
from cycle.models.inventory import ImportUpload
from goals.models import GoalSet, Indicator
from tests.routes import EDIT, EDIT_POST, VIEW, Route

# Pages with student rows, and the writes of coordinators: never board members or viewers.
STUDENTS = {**EDIT, "coordinator": 200}
STUDENTS_POST = {**STUDENTS, "admin": 302, "staff": 302, "coordinator": 302}


def _student(w):
    student, _ = Student.objects.get_or_create(
        district=w.district_a,
        local_id="ROUTE1",
        defaults={"school": w.school, "pathway": w.pathway, "grade": 12, "graduation_year": 2026},
    )
    return student


def student(w):
    return ["midtown", _student(w).pk]


def experience(w):
    kind = inventory.experience_kinds(w.district_a)[0]
    row = Experience.objects.create(student=_student(w), kind=kind, date=datetime.date(2024, 1, 9))
    return ["midtown", row.pk]


def kind(w):
    return ["midtown", inventory.experience_kinds(w.district_a)[0].pk]


def group(w):
    return ["midtown", inventory.student_groups(w.district_a)[0].pk]


def _student_set(w):
    goal_set, _ = GoalSet.objects.get_or_create(
        district=w.district_a,
        title="Engineering pathway student goals",
        defaults={
            "level": GoalSet.Level.STUDENT,
            "scope": GoalSet.Scope.PATHWAY,
            "pathway": w.pathway,
            "start_year": 2017,
            "target_year": 2020,
        },
    )
    return goal_set


def student_set(w):
    return ["midtown", _student_set(w).pk]


def student_indicator(w):
    goal_set = _student_set(w)
    goal = goal_set.goals.first() or goal_set.goals.create(statement="Complete an internship")
    indicator = goal.indicators.first() or Indicator.objects.create(
        goal=goal, name="Seniors with an internship", unit=Indicator.Unit.PERCENT
    )
    return ["midtown", indicator.pk]


def upload_of_admin(w):
    upload = ImportUpload.objects.create(
        district=w.district_a,
        user=w.admin,
        kind=ImportUpload.Kind.EXPERIENCES,
        content=b"Student ID,Kind,Date\n",
        sha256="-",
    )
    return ["midtown", upload.token]


ROUTES = {
    "cycle:inventory": Route(lambda w: ["midtown"], STUDENTS),
    "cycle:inventory_settings": Route(lambda w: ["midtown"], STUDENTS),
    "cycle:kind_create": Route(lambda w: ["midtown"], EDIT),
    "cycle:kind_edit": Route(kind, EDIT),
    "cycle:group_create": Route(lambda w: ["midtown"], EDIT),
    "cycle:group_edit": Route(group, EDIT),
    "cycle:students": Route(lambda w: ["midtown"], STUDENTS),
    "cycle:student_create": Route(lambda w: ["midtown"], STUDENTS),
    "cycle:student_detail": Route(student, STUDENTS),
    "cycle:student_edit": Route(student, STUDENTS),
    "cycle:student_history": Route(student, STUDENTS),
    "cycle:experience_create": Route(student, STUDENTS),
    "cycle:experience_edit": Route(experience, STUDENTS),
    "cycle:experience_delete": Route(experience, STUDENTS),
    "cycle:rule": Route(student_indicator, EDIT),
    "cycle:rule_delete": Route(student_indicator, EDIT_POST, method="post"),
    "cycle:computed": Route(student_indicator, VIEW),
    "cycle:computed_record": Route(student_indicator, STUDENTS_POST, method="post"),
    "cycle:import_students": Route(lambda w: ["midtown"], STUDENTS),
    "cycle:import_experiences": Route(lambda w: ["midtown"], STUDENTS),
    "cycle:import_progress": Route(student_set, STUDENTS),
    # Only the person who uploaded a file can read its problems; nobody else learns it exists.
    "cycle:import_errors": Route(upload_of_admin, {**STUDENTS, "staff": 404, "coordinator": 404}),
}

CROSS_DISTRICT = {
    "cycle:rule": ["other_indicator"],
    "cycle:rule_delete": ["other_indicator"],
    "cycle:computed": ["other_indicator"],
    "cycle:computed_record": ["other_indicator"],
    "cycle:import_progress": ["other_goal_set"],
}
