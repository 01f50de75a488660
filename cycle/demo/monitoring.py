"""Demo of stage 5, Monitor: Midtown's adopted system goals with two years of figures.

Runs after the approval and communication demos, which leave "Midtown WBL system expansion"
adopted and (usually) in Implement; this moves it on to Monitor (from Communicate it first
starts implementation). A set still in Draft or Approve is left alone: progress is logged only
once the board has adopted it.

The figures run from late 2017 to mid 2019, so that the dashboard shows every status: the
internship share on track through its milestones, the coordinator count met, the exhibition
milestone not done but on track, the count of WBL experiences just short of its target (at
risk), and the opportunities per grade and the graduate-profile milestone off track. One data
review, held in June 2019, keeps the figures of that day.

Idempotent: progress entries are found by indicator and date, the review by its date; rows
are written (with history) only when missing or different.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from cycle import services
from cycle.models import DataReview, ProgressEntry
from cycle.status import snapshot
from goals.models import GoalSet, Indicator, Stage
from wbl.history import save_with_history
from wbl.models import User

SET_TITLE = "Midtown WBL system expansion"
STAFF = "staff@demo.wbl"
COORDINATOR = "coordinator@demo.wbl"
REVIEW_DATE = date(2019, 6, 20)

# indicator name -> [(as of, value, note)]
ENTRIES = {
    "WBL opportunities per grade level per year (lowest academy)": [
        (date(2018, 6, 15), "1", "Health academy: one job-shadow day per grade."),
        (date(2019, 6, 14), "1", "Still one per grade in the health academy; others have two."),
    ],
    "Seniors completing internships": [
        (date(2017, 12, 15), "22", "Fall semester count from the internship tracker."),
        (date(2018, 6, 15), "31", "Spring semester, all three high schools."),
        (date(2018, 12, 14), "35", "Fall semester."),
        (date(2019, 6, 14), "41", "Spring semester; summer internships not yet counted."),
    ],
    "High schools with a full-time WBL coordinator": [
        (date(2018, 8, 15), "2", "Lakeside hired its coordinator in July."),
        (date(2019, 8, 15), "3", "Hillcrest's coordinator started in August."),
    ],
    "Senior Exhibition guidelines include a WBL component": [
        (date(2017, 12, 15), "0", "Senior Exhibition committee formed."),
        (date(2018, 6, 15), "0", "Committee drafting the new rubric."),
        (date(2019, 1, 31), "0", "Rubric out for teacher comment; adoption planned for May."),
    ],
    "WBL experiences recorded across the continuum": [
        (date(2017, 12, 15), "1290", "Fall semester, from the WBL experience inventory."),
        (date(2018, 6, 29), "1480", "School year 2017-18."),
        (date(2018, 12, 14), "1495", "Fall semester 2018-19, annualised."),
    ],
    "Board-adopted graduate profile names WBL": [
        (date(2017, 12, 15), "0", "Graduate profile revision not yet scheduled."),
        (date(2018, 6, 29), "0", "Board study session moved to the fall."),
        (date(2019, 6, 14), "0", "Still waiting for the board's study session."),
    ],
}

REVIEW = {
    "attendees": (
        "WBL Director, Assistant Superintendent for College and Career, the three site WBL "
        "coordinators, academy leads, the district's data steward"
    ),
    "notes": (
        "Internship completion is ahead of the 2019 milestone at 41 percent. All three high "
        "schools now have (or have hired) a full-time coordinator. The health academy still "
        "offers one WBL opportunity per grade, against two in the other academies. The "
        "graduate profile has not gone back to the board, so that goal has slipped."
    ),
    "decisions": (
        "The health academy lead and the medical center plan a second opportunity per grade "
        "for next year. The superintendent asks the board to schedule the graduate-profile "
        "study session this fall. Next data review in December, after fall semester figures."
    ),
}


def load(*, by) -> None:
    goal_set = GoalSet.objects.filter(district__slug="midtown", title=SET_TITLE, version=1).first()
    if goal_set is None or goal_set.stage in (Stage.DRAFT, Stage.APPROVE):
        return  # not adopted (yet): nothing is monitored
    with transaction.atomic():
        if goal_set.stage == Stage.COMMUNICATE:
            services.start_implementation(goal_set, by=by)
            goal_set.refresh_from_db()
        if goal_set.stage == Stage.IMPLEMENT:
            services.start_monitoring(goal_set, by=by)
            goal_set.refresh_from_db()
        staff = User.objects.get(email=STAFF)
        coordinator = User.objects.get(email=COORDINATOR)
        _steward(goal_set, staff, by=by)
        indicators = {
            i.name: i
            for i in Indicator.objects.filter(goal__goal_set=goal_set).select_related("goal")
        }
        internships = indicators.get("Seniors completing internships")
        if internships is not None:
            _steward(internships, coordinator, by=by)
        for name, rows in ENTRIES.items():
            if name in indicators:
                _entries(indicators[name], rows, by=staff)
        _review(goal_set, by=by)


def _steward(obj, user, *, by) -> None:
    if obj.data_steward_id == user.pk:
        return
    obj.data_steward = user
    obj.row_version += 1
    save_with_history(obj, by=by)


def _entries(indicator, rows, *, by) -> None:
    existing = {e.as_of: e for e in indicator.progress.all()}
    for as_of, value, note in rows:
        entry = existing.get(as_of)
        value = Decimal(value)
        if entry is not None and entry.value == value and entry.note == note:
            continue
        if entry is None:
            entry = ProgressEntry(indicator=indicator, as_of=as_of, entered_by=by)
        else:
            entry.row_version += 1
        entry.value = value
        entry.note = note
        entry.full_clean()
        save_with_history(entry, by=by)


def _review(goal_set, *, by) -> None:
    indicators = (
        Indicator.objects.filter(goal__goal_set=goal_set)
        .select_related("goal")
        .order_by("goal__order", "goal__pk", "order", "pk")
    )
    figures = snapshot(indicators, as_of=REVIEW_DATE)
    review = DataReview.objects.filter(goal_set=goal_set, scheduled_for=REVIEW_DATE).first()
    if (
        review is not None
        and review.snapshot == figures
        and all(getattr(review, key) == value for key, value in REVIEW.items())
    ):
        return
    if review is None:
        review = DataReview(goal_set=goal_set, scheduled_for=REVIEW_DATE)
    else:
        review.row_version += 1
    for key, value in REVIEW.items():
        setattr(review, key, value)
    review.snapshot = figures
    review.full_clean()
    save_with_history(review, by=by)
