"""Demo of stages 3 and 4: Midtown shares its adopted system goals through the standard
channels and one of its own, starts implementation, and plans action steps for each goal.

Runs after the approval demo, which leaves "Midtown WBL system expansion" adopted in
Communicate; a set still in Draft or Approve is left alone. Idempotent: channels,
communications (one per channel) and action steps (by goal and description) are created only
when missing and never rewritten, and the set moves to Implement only from Communicate, so a
second run changes nothing.

Communication dates follow the board's adoption; action-step due dates are counted from the
day the demo is first loaded, so that the list of open steps shows what it is meant to: some
steps done, one blocked, one overdue, the rest due in the coming months.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from cycle import services
from cycle.channels import CUSTOM_ORDER, LOG_STAGES, ensure_standard_channels
from cycle.models import ActionStep, BoardAdoption, Channel, Communication
from goals.models import GoalSet, Stage
from wbl.history import save_with_history
from wbl.models import District, User

SET_TITLE = "Midtown WBL system expansion"
CUSTOM_CHANNEL = "Chamber of Commerce breakfast"
FALLBACK_ADOPTION = datetime.date(2018, 6, 12)
STAFF = "staff@demo.wbl"
ADMIN = "admin@demo.wbl"
COORDINATOR = "coordinator@demo.wbl"

# (channel: standard key or the custom channel's name, days after adoption, who logged it,
#  audience, note, link)
COMMUNICATIONS = [
    (
        "website",
        9,
        STAFF,
        "Families, students and the public",
        "Posted the adopted goals and targets on the district's WBL page, linked from the "
        "home page.",
        "https://midtown.example.org/wbl/goals",
    ),
    (
        "talking_points",
        20,
        ADMIN,
        "Board of Trustees and the superintendent's cabinet",
        "Added three talking points to the superintendent's back-to-school speech and the "
        "board's standing report.",
        "",
    ),
    (
        "site_staff",
        62,
        STAFF,
        "Principals and academy teachers at all three high schools",
        "Walked through the targets at the opening staff meetings; teachers asked how "
        "internship hours will be counted.",
        "",
    ),
    (
        "parents",
        70,
        STAFF,
        "Parents of grade 9 to 12 students",
        "Back-to-school night presentation in each high school, and a feature in the September "
        "family newsletter.",
        "https://midtown.example.org/news/september",
    ),
    (
        "employers",
        84,
        STAFF,
        "Employer partners of the engineering, health and IT pathways",
        "Shared the internship target at the partner advisory meeting; two employers offered "
        "more summer placements.",
        "",
    ),
    (
        CUSTOM_CHANNEL,
        98,
        ADMIN,
        "Local business owners",
        "Superintendent asked chamber members to help the district reach 50 percent of "
        "seniors in internships.",
        "",
    ),
]

# Per goal (found by the start of its statement): (description, owner, days from the first
# load until due, status, resources needed).
Status = ActionStep.Status
STEPS = {
    "All career academies offer": [
        (
            "Map each academy's current WBL opportunities by grade level",
            COORDINATOR,
            -75,
            Status.DONE,
            "Academy calendars",
        ),
        (
            "Recruit employers for the grade levels with fewer than two opportunities",
            STAFF,
            60,
            Status.IN_PROGRESS,
            "Intermediary staff time",
        ),
        (
            "Publish a shared WBL calendar for all academies",
            STAFF,
            120,
            Status.NOT_STARTED,
            "",
        ),
    ],
    "The percentage of seniors completing internships": [
        (
            "Agree an internship definition and hour minimum with employer partners",
            STAFF,
            -40,
            Status.DONE,
            "",
        ),
        (
            "Recruit 40 more internship placements for seniors",
            STAFF,
            -14,  # the overdue one
            Status.IN_PROGRESS,
            "Employer outreach by the business education alliance",
        ),
        (
            "Add internship tracking to the WBL experience inventory",
            ADMIN,
            45,
            Status.BLOCKED,
            "Student information system vendor support (waiting on a contract change)",
        ),
    ],
    "Each high school site employs": [
        (
            "Write the WBL coordinator job description",
            ADMIN,
            -90,
            Status.DONE,
            "",
        ),
        (
            "Fund coordinator positions in next year's budget",
            ADMIN,
            150,
            Status.IN_PROGRESS,
            "Two full-time positions in the budget request",
        ),
    ],
    "The Senior Exhibition requirement": [
        (
            "Draft a WBL component for the Senior Exhibition guidelines",
            STAFF,
            30,
            Status.IN_PROGRESS,
            "Senior Exhibition committee meetings",
        ),
        (
            "Take the revised guidelines to the board for approval",
            ADMIN,
            110,
            Status.NOT_STARTED,
            "",
        ),
    ],
    "WBL experiences are increased": [
        (
            "Train site coordinators to record every WBL experience in the inventory",
            COORDINATOR,
            -20,
            Status.DONE,
            "Two training sessions",
        ),
        (
            "Add guest speakers and site visits to grade 9 and 10 schedules",
            COORDINATOR,
            75,
            Status.NOT_STARTED,
            "Speaker list from the Rotary Club",
        ),
    ],
    "WBL is specified in the graduate profile": [
        (
            "Propose graduate-profile wording that names WBL",
            STAFF,
            40,
            Status.IN_PROGRESS,
            "",
        ),
        (
            "Gather comments from the community on the new wording",
            STAFF,
            90,
            Status.NOT_STARTED,
            "",
        ),
    ],
}


def load(*, by) -> None:
    district = District.objects.get(slug="midtown")
    goal_set = GoalSet.objects.get(district=district, title=SET_TITLE, version=1)
    if goal_set.stage in (Stage.DRAFT, Stage.APPROVE):
        return  # not adopted (yet): nothing is communicated or planned
    users = {u.email: u for u in User.objects.filter(email__in=[STAFF, ADMIN, COORDINATOR])}
    with transaction.atomic():
        if goal_set.stage in LOG_STAGES:
            _communications(district, goal_set, users, by=by)
        if goal_set.stage == Stage.COMMUNICATE:
            services.start_implementation(goal_set, by=by)
            goal_set.refresh_from_db()
        if goal_set.stage in (Stage.IMPLEMENT, Stage.MONITOR):
            _action_steps(goal_set, users, by=by)


def _adopted_on(goal_set: GoalSet) -> datetime.date:
    adoption = (
        BoardAdoption.objects.filter(
            goal_set=goal_set,
            outcome__in=[BoardAdoption.Outcome.ADOPTED, BoardAdoption.Outcome.ADOPTED_AMENDED],
        )
        .order_by("-meeting_date")
        .first()
    )
    return adoption.meeting_date if adoption else FALLBACK_ADOPTION


def _communications(district, goal_set, users, *, by) -> None:
    ensure_standard_channels(district, by=by)
    custom = Channel.objects.filter(district=district, name=CUSTOM_CHANNEL).first()
    if custom is None:
        custom = Channel(district=district, name=CUSTOM_CHANNEL, order=CUSTOM_ORDER)
        save_with_history(custom, by=by)
    channels = {c.standard_key: c for c in Channel.objects.filter(district=district)}
    channels[CUSTOM_CHANNEL] = custom
    adopted_on = _adopted_on(goal_set)
    today = timezone.localdate()
    for key, days, email, audience, note, link in COMMUNICATIONS:
        channel = channels[key]
        if Communication.objects.filter(goal_set=goal_set, channel=channel).exists():
            continue
        who = users[email]
        item = Communication(
            goal_set=goal_set,
            channel=channel,
            date=min(adopted_on + datetime.timedelta(days=days), today),
            audience=audience,
            note=note,
            link=link,
            logged_by=who,
        )
        item.full_clean()
        save_with_history(item, by=who)


def _action_steps(goal_set, users, *, by) -> None:
    today = timezone.localdate()
    for start, steps in STEPS.items():
        goal = goal_set.goals.filter(statement__startswith=start).first()
        if goal is None:
            continue
        for order, (description, email, days, status, resources) in enumerate(steps, start=1):
            if ActionStep.objects.filter(goal=goal, description=description).exists():
                continue
            step = ActionStep(
                goal=goal,
                description=description,
                owner=users[email],
                due_date=today + datetime.timedelta(days=days),
                status=status,
                resources_needed=resources,
                order=order,
            )
            step.full_clean()
            save_with_history(step, by=by)
