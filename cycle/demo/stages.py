"""Demo data for stage 1 (Draft) and stage 6 (Revise): Riverview High School's student goals
drafted by a team, walked through the whole cycle as version 1, and revised into version 2 in
Draft, so that the comparison page has added, removed and changed goals to show. Also each
district's reading list.

Idempotent: every row is found by a natural key and created only when missing, and each
stage move is made through cycle.services only when the set is in the stage it starts from.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from cycle import services
from cycle.models import (
    BoardAdoption,
    Comment,
    DraftingRecord,
    GoalOutcome,
    PromptAnswer,
    RevisionRecord,
    TeamMember,
)
from cycle.reading_list import seed_reading_list
from goals.models import Goal, GoalSet, Indicator, Stage
from wbl.history import save_with_history
from wbl.models import District, Partner, User

RIVERVIEW = "Riverview High School student goals"
STAFF = "staff@demo.wbl"
COORDINATOR = "coordinator@demo.wbl"
BOARD = "board@demo.wbl"
VIEWER = "viewer@demo.wbl"
CENTRAL_ADMIN = "central-admin@demo.wbl"

Affiliation = TeamMember.Affiliation
Outcome = GoalOutcome.Outcome

# (name, affiliation, role on the team, demo account or None)
TEAM = [
    ("Marcus Ortega", Affiliation.DISTRICT_OFFICE, "Facilitator, district WBL director", STAFF),
    (
        "Priya Raman",
        Affiliation.PATHWAY_CLASSROOM,
        "Writer, Riverview WBL coordinator",
        COORDINATOR,
    ),
    ("Jordan Ellis", Affiliation.EMPLOYER, "Employer voice, Northgate Engineering Group", None),
    (
        "Sandra Mills",
        Affiliation.INTERMEDIARY,
        "Partner liaison, Business Education Alliance",
        None,
    ),
    ("Maya T.", Affiliation.STUDENT, "Student voice, grade 11", None),
]

GROUND_RULES = (
    "We meet every other Tuesday after school until the draft goes to the board.\n"
    "Everyone brainstorms alone first, then in pairs, then as a whole group; the facilitator "
    "keeps the shared draft.\n"
    "Every goal we write must be something a Riverview student can show, not something adults "
    "promise to do.\n"
    "We decide by consensus; when we cannot agree, we write both options down for the "
    "stakeholder meetings."
)

ANSWERS = {
    "student-1": (
        "Yes for the floor: every student, whatever their academy, reaches the same minimum "
        "set of experiences. Students in an academy go further in their pathway's field."
    ),
    "student-2": (
        "A current resume, a course plan they can explain, reflections on real workplaces, and "
        "skills that an employer has seen and vouched for."
    ),
    "student-3": (
        "A plan updated every year, a guest-speaker event each semester, job applications in "
        "grade 12, and credentials earned in elective classes."
    ),
    "student-4": (
        "Awareness in grades 9 and 10 (speakers, plans), exploration in 10 and 11, and "
        "preparation in 11 and 12 (applications, credentials)."
    ),
}

# (author email, goal statement start or None for the whole set, text)
COMMENTS = [
    (
        BOARD,
        None,
        "Thank you for including a student on the team. How will families hear about the "
        "course plans?",
    ),
    (
        STAFF,
        "Successfully obtain at least four different microcredentials",
        "The community college is still choosing which credentials it will recognise, so the "
        "target date is left open for now.",
    ),
    (
        VIEWER,
        "Attend at least one brown-bag lunch",
        "Counselors can take attendance at the lunches if the sign-in sheets go digital.",
    ),
]

OVERRIDE = (
    "The microcredential target date depends on the community college's catalogue, due after "
    "the board meeting; we will set it in the first revision."
)

ADOPTION = {
    "governing_body": "Midtown District Board of Trustees",
    "meeting_date": date(2017, 6, 13),
    "agenda_item": "8.3",
    "resolution_number": "2017-42",
    "votes_for": 5,
    "votes_against": 0,
    "votes_abstaining": 0,
    "outcome": BoardAdoption.Outcome.ADOPTED,
    "minutes_url": "https://midtown.example.org/board/minutes/2017-06-13",
}

# What became of version 1's goals (statement start -> outcome, notes).
OUTCOMES = {
    "Complete and annually update a four-year course plan": (
        Outcome.CARRIED_FORWARD,
        "Nearly every student in grades 9 and 10 has a current plan; seniors lag behind. Keep "
        "the goal with a new baseline.",
    ),
    "Complete and submit at least three part-time employment applications": (
        Outcome.MET,
        "93 percent of seniors submitted three or more applications by December 2019.",
    ),
    "Successfully obtain at least four different microcredentials": (
        Outcome.CARRIED_FORWARD,
        "Partly there: the elective catalogue limits how many students can earn four.",
    ),
    "Attend at least one brown-bag lunch": (
        Outcome.RETIRED,
        "Folded into the new grade 9 employer-visit goal; the lunches go on without a target.",
    ),
}

NEW_PRIORITIES = (
    "Career awareness has to start in grade 9, before students choose an academy.\n"
    "Employers asked for fewer, better-prepared interns rather than more applications."
)

# Version 2: the carried indicators' new figures, with the reason given.
V2_YEARS = (2020, 2023)
JUNE_2023 = date(2023, 6, 30)
V2_INDICATORS = {
    "Graduates holding four or more microcredentials": {
        "target_value": Decimal(60),
        "target_date": JUNE_2023,
        "revision_note": (
            "Fewer electives offer microcredentials than planned, so the target follows the "
            "catalogue; the date is now set."
        ),
    },
    "Students with a course plan updated this year": {
        "baseline_value": Decimal(85),
        "baseline_year": 2020,
        "target_date": JUNE_2023,
        "revision_note": "New baseline from the 2019-20 counseling records.",
    },
}
V2_GOAL = {
    "statement": (
        "Visit a workplace in person or virtually in grade 9 and record what they learned about "
        "the careers they saw"
    ),
    "grade": Goal.Grade.G9,
    "topic_area": Goal.TopicArea.OPPORTUNITIES,
    "continuum_stage": Goal.ContinuumStage.AWARENESS,
    "horizon": Goal.Horizon.SHORT,
    "responsible_roles": "Grade 9 advisory teachers, WBL coordinator",
}
V2_GOAL_PARTNERS = ["Northgate Engineering Group", "Midtown Regional Medical Center"]
V2_INDICATOR = {
    "name": "Grade 9 students recording a workplace visit",
    "unit": Indicator.Unit.PERCENT,
    "baseline_value": Decimal(35),
    "baseline_year": 2020,
    "target_value": Decimal(90),
    "target_date": JUNE_2023,
    "direction": Indicator.Direction.INCREASE,
    "data_source": "WBL experience inventory",
    "collection_frequency": Indicator.Frequency.SEMESTER,
}
V2_COMMENT = (
    "Version 2 draft: the microcredential target follows the catalogue, the course plan has a "
    "new baseline, and a grade 9 workplace visit replaces the brown-bag lunch goal."
)


def load(*, by):
    """Load the demo (by = Midtown's demo administrator)."""
    users = {u.email: u for u in User.objects.filter(email__endswith="@demo.wbl")}
    midtown = District.objects.get(slug="midtown")
    with transaction.atomic():
        seed_reading_list(midtown, by=by)
        seed_reading_list(District.objects.get(slug="central"), by=users[CENTRAL_ADMIN])
        v1 = GoalSet.objects.get(district=midtown, title=RIVERVIEW, version=1)
        _drafting(v1, users, by)
        v1 = _walk(v1, users, by)
        _version_two(v1.next_versions.get(), users, by)


def _create(instance, *, by):
    instance.full_clean()
    return save_with_history(instance, by=by)


def _goal(goal_set, start):
    return goal_set.goals.get(statement__startswith=start)


def _drafting(goal_set, users, by):
    for name, affiliation, role, email in TEAM:
        if not TeamMember.objects.filter(goal_set=goal_set, name=name).exists():
            member = TeamMember(
                goal_set=goal_set,
                name=name,
                affiliation=affiliation,
                role_on_team=role,
                user=users[email] if email else None,
            )
            _create(member, by=users[STAFF])
    if not DraftingRecord.objects.filter(goal_set=goal_set).exists():
        _create(DraftingRecord(goal_set=goal_set, ground_rules=GROUND_RULES), by=users[STAFF])
    for key, answer in ANSWERS.items():
        if not PromptAnswer.objects.filter(goal_set=goal_set, prompt_key=key).exists():
            _create(
                PromptAnswer(goal_set=goal_set, prompt_key=key, answer=answer),
                by=users[COORDINATOR],
            )
    for email, goal_start, body in COMMENTS:
        if not Comment.objects.filter(goal_set=goal_set, body=body).exists():
            goal = _goal(goal_set, goal_start) if goal_start else None
            comment = Comment(goal_set=goal_set, goal=goal, author=users[email], body=body)
            _create(comment, by=users[email])


def _walk(goal_set, users, by):
    """Version 1 from Draft to Revise, each move through its service, then its outcomes and
    version 2."""
    staff = users[STAFF]
    if goal_set.stage == Stage.DRAFT:
        services.submit_for_approval(goal_set, by=staff, override_reason=OVERRIDE)
        goal_set.refresh_from_db()
    if goal_set.stage == Stage.APPROVE:
        services.record_adoption(goal_set, by=by, adoption=BoardAdoption(**ADOPTION))
        goal_set.refresh_from_db()
    moves = [
        (Stage.COMMUNICATE, lambda: services.start_implementation(goal_set, by=staff)),
        (Stage.IMPLEMENT, lambda: services.start_monitoring(goal_set, by=staff)),
        (
            Stage.MONITOR,
            lambda: services.open_revision(
                goal_set, by=staff, reason="Review of the 2017-2020 goals"
            ),
        ),
    ]
    for stage, move in moves:
        if goal_set.stage == stage:
            move()
            goal_set.refresh_from_db()
    if goal_set.stage != Stage.REVISE:
        return goal_set
    for start, (outcome, notes) in OUTCOMES.items():
        goal = _goal(goal_set, start)
        if not GoalOutcome.objects.filter(goal=goal).exists():
            _create(GoalOutcome(goal=goal, outcome=outcome, notes=notes), by=staff)
    if not RevisionRecord.objects.filter(goal_set=goal_set).exists():
        _create(RevisionRecord(goal_set=goal_set, new_priorities=NEW_PRIORITIES), by=staff)
    if not goal_set.next_versions.exists():
        services.start_new_version(goal_set, by=by)
    return goal_set


def _save_changed(instance, values, *, by):
    """Set `values` on an existing row and save it (one history row) if anything differs."""
    changed = {k: v for k, v in values.items() if getattr(instance, k) != v}
    if not changed:
        return instance
    for name, value in changed.items():
        setattr(instance, name, value)
    instance.row_version += 1
    instance.full_clean()
    return save_with_history(instance, by=by)


def _version_two(goal_set, users, by):
    if not goal_set.is_editable:
        return  # version 2 has moved on since: leave it as people made it
    start, target = V2_YEARS
    if goal_set.start_year == 2017 and goal_set.target_year == 2020:
        _save_changed(goal_set, {"start_year": start, "target_year": target}, by=by)
    for name, values in V2_INDICATORS.items():
        indicator = Indicator.objects.get(goal__goal_set=goal_set, name=name)
        if not indicator.revision_note:
            _save_changed(indicator, values, by=by)
    if not goal_set.goals.filter(statement=V2_GOAL["statement"]).exists():
        order = max(goal_set.goals.values_list("order", flat=True), default=0) + 1
        goal = Goal(goal_set=goal_set, order=order, owner=users[COORDINATOR], **V2_GOAL)
        goal.full_clean()
        partners = list(
            Partner.objects.filter(district=goal_set.district, name__in=V2_GOAL_PARTNERS)
        )
        save_with_history(goal, by=by, set_m2m=lambda: goal.responsible_partners.set(partners))
        _create(Indicator(goal=goal, order=1, **V2_INDICATOR), by=by)
    if not Comment.objects.filter(goal_set=goal_set, body=V2_COMMENT).exists():
        _create(Comment(goal_set=goal_set, author=users[STAFF], body=V2_COMMENT), by=users[STAFF])
