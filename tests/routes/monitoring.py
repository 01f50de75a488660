"""Routes of stage 5, Monitor: dashboards, progress entries, data stewards, data reviews.

World's goal set is district-wide, so the coordinator (scoped to one school) may not log
progress for it: 403. tests/test_monitoring.py covers a school-scoped set where they may."""

from datetime import date

from cycle.models import DataReview, ProgressEntry
from goals.models import GoalSet, Stage
from tests.routes import EDIT, FRAGMENT, VIEW, Route, a


def _monitor(w):
    """Put the world's goal set in Monitor (adopted), where progress is logged."""
    GoalSet.objects.filter(pk=w.goal_set.pk).update(stage=Stage.MONITOR)


def _set_in_monitor(w):
    _monitor(w)
    return ["midtown", w.goal_set.pk]


def _indicator_in_monitor(w):
    _monitor(w)
    return ["midtown", w.indicator.pk]


def _entry(w):
    _monitor(w)
    entry = ProgressEntry.objects.create(
        indicator=w.indicator, value=30, as_of=date(2019, 1, 15), entered_by=w.staff
    )
    return ["midtown", entry.pk]


def _review(w):
    _monitor(w)
    review = DataReview.objects.create(goal_set=w.goal_set, scheduled_for=date(2019, 6, 20))
    return ["midtown", review.pk]


ROUTES = {
    "cycle:overview": Route(a(), VIEW),
    "cycle:dashboard": Route(_set_in_monitor, VIEW),
    "cycle:progress_pdf": Route(_set_in_monitor, VIEW),
    "cycle:set_steward": Route(a("goal_set"), EDIT),
    "cycle:progress_list": Route(a("indicator"), VIEW),
    "cycle:progress_add": Route(_indicator_in_monitor, EDIT),
    "cycle:progress_history": Route(a("indicator"), VIEW),
    "cycle:indicator_card": Route(a("indicator"), FRAGMENT),
    "cycle:indicator_steward": Route(a("indicator"), EDIT),
    "cycle:progress_edit": Route(_entry, EDIT),
    "cycle:progress_delete": Route(_entry, EDIT),
    "cycle:data_reviews": Route(a("goal_set"), VIEW),
    "cycle:data_review_add": Route(_set_in_monitor, EDIT),
    "cycle:data_review": Route(_review, VIEW),
    "cycle:data_review_edit": Route(_review, EDIT),
}

CROSS_DISTRICT = {
    "cycle:dashboard": ["other_goal_set"],
    "cycle:progress_pdf": ["other_goal_set"],
    "cycle:set_steward": ["other_goal_set"],
    "cycle:data_reviews": ["other_goal_set"],
    "cycle:data_review_add": ["other_goal_set"],
    "cycle:progress_list": ["other_indicator"],
    "cycle:progress_add": ["other_indicator"],
    "cycle:progress_history": ["other_indicator"],
    "cycle:indicator_card": ["other_indicator"],
    "cycle:indicator_steward": ["other_indicator"],
}
