"""Demo data for stage 2, Approve.

- Central's "Central WBL system" is submitted for approval and stays in Approve, with a dozen
  pieces of stakeholder feedback from several groups (some through an active feedback link)
  and a stakeholder meeting.
- Midtown's "Midtown WBL system expansion" is submitted, hears from a few stakeholders and a
  meeting, and the board adopts it 5-0-0, which moves it to Communicate.

Idempotent: rows are found by natural keys (link label, feedback text, meeting date, meeting
date of the vote) and stage moves happen only from the stage they start from.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cycle import services
from cycle.models import BoardAdoption, Feedback, FeedbackLink, StakeholderMeeting
from goals.models import GoalSet, Stage
from wbl.history import save_with_history
from wbl.models import User

CENTRAL_SET = "Central WBL system"
MIDTOWN_SET = "Midtown WBL system expansion"
LINK_LABEL = "Pathway advisory boards and employer partners"
LINK_DAYS = 90

OVERRIDE = (
    "The drafting team agreed to send the set to the board as it is; the open quality "
    "warnings are recorded and will be settled in the first data review."
)

# (group, goal number or None, text, author email or None, name typed through the link)
# Author None with a name or not: given through the feedback link.
CENTRAL_FEEDBACK = [
    (
        "students",
        2,
        "Please make sure internships are not only for students in the academies. Many of "
        "us in general classes would sign up if we knew they existed.",
        None,
        "Maya, grade 11",
    ),
    (
        "business_partners",
        3,
        "One hundred employers is ambitious but reachable if the district gives us a single "
        "contact instead of each teacher calling us separately.",
        None,
        "Luis Romero",
    ),
    (
        "intermediaries",
        5,
        "We can coordinate placements, but the agreement should spell out who screens "
        "employers for safety and who handles student transportation.",
        None,
        "",
    ),
    (
        "advisory_board",
        6,
        "Advisory boards need a calendar set a year ahead; quarterly meetings slip when dates "
        "are chosen one at a time.",
        None,
        "Manufacturing advisory board chair",
    ),
    (
        "parents",
        2,
        "Families need to know early which experiences are paid and how many hours they "
        "take, so students can plan around jobs and sports.",
        None,
        "",
    ),
    (
        "partners",
        1,
        "The university can host campus visits for middle school students as part of the "
        "career awareness years.",
        None,
        "Central State University outreach",
    ),
    (
        "staff",
        1,
        "Teachers will need planning time to map the K-12 progression; please budget "
        "release days for it.",
        "staff@demo.wbl",
        "",
    ),
    (
        "site_leaders",
        4,
        "A site coordinator shared between two schools is not enough for Eastgate; we ask "
        "for one per high school.",
        "staff@demo.wbl",
        "",
    ),
    (
        "district_officials",
        None,
        "The goals fit the strategic plan. The board will ask how each one will be measured "
        "and reported, so keep the indicators in the packet.",
        "central-admin@demo.wbl",
        "",
    ),
    (
        "pathways",
        3,
        "The Business and Finance pathway already works with the credit union; count "
        "existing partners before recruiting new ones.",
        "staff@demo.wbl",
        "",
    ),
    (
        "students",
        None,
        "Could students help recruit employers? We know where many of us already work.",
        None,
        "Student council",
    ),
    (
        "business_partners",
        2,
        "Open access is good, but employers need students to arrive prepared: include a short "
        "workplace readiness session before placements.",
        None,
        "First Central Credit Union",
    ),
]

MIDTOWN_FEEDBACK = [
    (
        "district_officials",
        2,
        "Fifty percent of seniors is the right ambition; the board will want a yearly "
        "milestone to see whether we are on track.",
        "board@demo.wbl",
        "",
    ),
    (
        "site_leaders",
        3,
        "Riverview is ready to hire its coordinator in the spring if the position is funded.",
        "coordinator@demo.wbl",
        "",
    ),
    (
        "staff",
        6,
        "Counselors would welcome WBL in the graduate profile: it makes the conversation with "
        "families much easier.",
        "viewer@demo.wbl",
        "",
    ),
    (
        "business_partners",
        1,
        "Northgate can offer job shadow days to every engineering academy grade level.",
        "staff@demo.wbl",
        "",
    ),
]

CENTRAL_MEETING = {
    "held_on": date(2018, 10, 3),
    "groups": [
        "students",
        "staff",
        "pathways",
        "business_partners",
        "intermediaries",
        "advisory_board",
    ],
    "notes": (
        "Combined meeting of the pathway advisory boards at Central High School. Employers "
        "asked for a single point of contact; students asked for access beyond the academies. "
        "The team will add an access indicator and name the intermediary's duties."
    ),
}

MIDTOWN_MEETING = {
    "held_on": date(2017, 9, 12),
    "groups": ["staff", "site_leaders", "business_partners", "parents", "district_officials"],
    "notes": (
        "Community meeting in the Riverview library. Partners supported the internship goal; "
        "parents asked how students without a car reach placements. Transportation goes to "
        "the implementation plan."
    ),
}

MIDTOWN_ADOPTION = {
    "governing_body": "Midtown District Board of Trustees",
    "meeting_date": date(2017, 10, 17),
    "agenda_item": "7.2",
    "resolution_number": "2017-18/014",
    "votes_for": 5,
    "votes_against": 0,
    "votes_abstaining": 0,
    "outcome": BoardAdoption.Outcome.ADOPTED,
    "minutes_url": "",
}


def _set(slug: str, title: str) -> GoalSet | None:
    return GoalSet.objects.filter(district__slug=slug, title=title, version=1).first()


def _submit(goal_set: GoalSet, *, by) -> None:
    if goal_set.stage != Stage.DRAFT:
        return
    failing = services.failing_goals(goal_set)
    services.submit_for_approval(goal_set, by=by, override_reason=OVERRIDE if failing else "")
    goal_set.refresh_from_db()


def _link(goal_set: GoalSet, *, by) -> FeedbackLink:
    link = FeedbackLink.objects.filter(goal_set=goal_set, label=LINK_LABEL).first()
    today = timezone.localdate()
    if link is None:
        link = FeedbackLink(
            goal_set=goal_set,
            label=LINK_LABEL,
            expires_on=today + timedelta(days=LINK_DAYS),
            created_by=by,
        )
        save_with_history(link, by=by)
    elif link.revoked_at is None and link.expires_on < today:
        link.expires_on = today + timedelta(days=LINK_DAYS)  # keep the demo link working
        link.row_version += 1
        save_with_history(link, by=by, reason="Demo link renewed")
    return link


def _feedback(goal_set: GoalSet, rows, *, link=None) -> None:
    goals = list(goal_set.goals.all())
    users = {u.email: u for u in User.objects.filter(email__in={r[3] for r in rows if r[3]})}
    existing = set(Feedback.objects.filter(goal_set=goal_set).values_list("body", flat=True))
    for group, number, body, email, name in rows:
        if body in existing:
            continue
        author = users.get(email) if email else None
        feedback = Feedback(
            goal_set=goal_set,
            goal=goals[number - 1] if number and number <= len(goals) else None,
            group=group,
            body=body,
            author=author,
            author_name=name,
            link=None if author else link,
        )
        feedback.full_clean()
        save_with_history(feedback, by=author)


def _meeting(goal_set: GoalSet, spec, *, by) -> None:
    if StakeholderMeeting.objects.filter(goal_set=goal_set, held_on=spec["held_on"]).exists():
        return
    meeting = StakeholderMeeting(goal_set=goal_set, **spec)
    meeting.full_clean()
    save_with_history(meeting, by=by)


def _adopt(goal_set: GoalSet, spec, *, by) -> None:
    if goal_set.stage != Stage.APPROVE:
        return
    if goal_set.adoptions.filter(meeting_date=spec["meeting_date"]).exists():
        return
    adoption = BoardAdoption(goal_set=goal_set, recorded_by=by, **spec)
    adoption.full_clean(exclude=["goal_set", "recorded_by"])
    services.record_adoption(goal_set, by=by, adoption=adoption)


def load(*, by) -> None:
    """`by`: Midtown's demo administrator. Central's rows are written by Central's."""
    central_admin = User.objects.filter(email="central-admin@demo.wbl").first() or by
    with transaction.atomic():
        central = _set("central", CENTRAL_SET)
        if central is not None:
            _submit(central, by=central_admin)
            link = _link(central, by=central_admin) if central.is_editable else None
            _feedback(central, CENTRAL_FEEDBACK, link=link)
            _meeting(central, CENTRAL_MEETING, by=central_admin)
        midtown = _set("midtown", MIDTOWN_SET)
        if midtown is not None:
            _submit(midtown, by=by)
            if midtown.stage in (Stage.DRAFT, Stage.APPROVE):
                _feedback(midtown, MIDTOWN_FEEDBACK)
                _meeting(midtown, MIDTOWN_MEETING, by=by)
            _adopt(midtown, MIDTOWN_ADOPTION, by=by)
