"""The status rule at its edges (cycle.status), and statuses for many indicators in one query."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cycle.models import ComputedFigure, ComputedRule, ProgressEntry, Student
from cycle.status import (
    STATUS_RULE,
    Status,
    add_months,
    judge,
    next_value_due,
    planned_path,
    show_value,
    snapshot,
    statuses_for,
)
from goals.models import Indicator
from tests.factories import IndicatorFactory
from tests.factories_inventory import ExperienceFactory, StudentFactory, kind, rule
from wbl.history import save_with_history

D = Decimal
Direction = Indicator.Direction
Unit = Indicator.Unit


def indicator(**fields) -> Indicator:
    """An unsaved indicator: 20 -> 50 percent from Jan 1, 2017 to Jan 1, 2020 (1095 days)."""
    values = {
        "name": "Seniors completing internships",
        "unit": Unit.PERCENT,
        "direction": Direction.INCREASE,
        "baseline_value": D(20),
        "baseline_year": 2017,
        "target_value": D(50),
        "target_date": date(2020, 1, 1),
        "milestones": {},
    }
    values.update(fields)
    return Indicator(**values)


def status_of(ind, when, value, first=None):
    return judge(ind, (when, D(value)), first)


# 2018-07-02 is day 547 of 1095: exactly half-way, so the path expects 35.
HALF_WAY = date(2018, 7, 2)


def test_path_is_a_straight_line_from_baseline_to_target():
    path = planned_path(indicator())
    assert path.expected_at(date(2017, 1, 1)) == 20
    assert path.expected_at(HALF_WAY) == pytest.approx(D(20) + D(30) * D(547) / D(1095))
    assert path.expected_at(date(2020, 1, 1)) == 50
    assert path.expected_at(date(2016, 6, 1)) == 20, "flat before the baseline"
    assert path.expected_at(date(2023, 1, 1)) == 50, "flat at the target after its date"


def test_nothing_logged_is_not_measured():
    result = judge(indicator(), None)
    assert result.status == Status.NOT_MEASURED
    assert result.label == "Not yet measured"
    assert result.latest_value is None


class TestIncrease:
    def test_exactly_on_the_line_is_on_track(self):
        ind = indicator()
        expected = planned_path(ind).expected_at(HALF_WAY)
        result = status_of(ind, HALF_WAY, expected)
        assert result.status == Status.ON_TRACK
        assert result.expected_value == expected

    def test_above_the_line_is_on_track(self):
        assert status_of(indicator(), HALF_WAY, 40).status == Status.ON_TRACK

    def test_just_below_the_line_is_at_risk(self):
        ind = indicator()
        expected = planned_path(ind).expected_at(HALF_WAY)
        assert status_of(ind, HALF_WAY, expected - D("0.01")).status == Status.AT_RISK

    def test_at_risk_ends_at_a_tenth_of_the_distance(self):
        ind = indicator()  # distance 30, so the at-risk band is 3 wide
        expected = planned_path(ind).expected_at(HALF_WAY)
        assert status_of(ind, HALF_WAY, expected - D("2.99")).status == Status.AT_RISK
        assert status_of(ind, HALF_WAY, expected - D(3)).status == Status.OFF_TRACK
        assert status_of(ind, HALF_WAY, 20).status == Status.OFF_TRACK

    def test_reaching_the_target_is_met_even_early(self):
        assert status_of(indicator(), date(2017, 3, 1), 50).status == Status.MET
        assert status_of(indicator(), date(2017, 3, 1), 55).status == Status.MET
        assert status_of(indicator(), date(2017, 3, 1), "49.99").status != Status.MET

    def test_target_date_passed_compares_with_the_target(self):
        ind = indicator()
        late = date(2021, 3, 1)
        assert status_of(ind, late, "47.01").status == Status.AT_RISK
        assert status_of(ind, late, 47).status == Status.OFF_TRACK
        assert status_of(ind, late, 50).status == Status.MET
        assert status_of(ind, late, 47).expected_value == 50


class TestDecrease:
    """Chronic absence among WBL students falls from 30 to 10 percent."""

    def ind(self):
        return indicator(direction=Direction.DECREASE, baseline_value=D(30), target_value=D(10))

    def test_on_the_line_or_below_is_on_track(self):
        ind = self.ind()
        expected = planned_path(ind).expected_at(HALF_WAY)
        assert status_of(ind, HALF_WAY, expected).status == Status.ON_TRACK
        assert status_of(ind, HALF_WAY, 15).status == Status.ON_TRACK

    def test_just_above_the_line_is_at_risk_then_off_track(self):
        ind = self.ind()  # distance 20: the at-risk band is 2 wide
        expected = planned_path(ind).expected_at(HALF_WAY)
        assert status_of(ind, HALF_WAY, expected + D("0.01")).status == Status.AT_RISK
        assert status_of(ind, HALF_WAY, expected + D("1.99")).status == Status.AT_RISK
        assert status_of(ind, HALF_WAY, expected + D(2)).status == Status.OFF_TRACK

    def test_at_or_below_the_target_is_met(self):
        assert status_of(self.ind(), HALF_WAY, 10).status == Status.MET
        assert status_of(self.ind(), HALF_WAY, 8).status == Status.MET
        assert status_of(self.ind(), HALF_WAY, "10.01").status != Status.MET


class TestMaintain:
    """Keep 90 percent of internship hosts returning; tolerance 2% of 90 = 1.8."""

    def ind(self, target=90):
        return indicator(
            direction=Direction.MAINTAIN, baseline_value=D(target), target_value=D(target)
        )

    def test_within_the_tolerance_is_met(self):
        for value in ("90", "91.8", "88.2"):
            assert status_of(self.ind(), HALF_WAY, value).status == Status.MET, value

    def test_just_outside_the_tolerance_is_at_risk(self):
        assert status_of(self.ind(), HALF_WAY, "91.81").status == Status.AT_RISK
        assert status_of(self.ind(), HALF_WAY, "88.19").status == Status.AT_RISK

    def test_beyond_a_tenth_of_the_target_is_off_track(self):
        assert status_of(self.ind(), HALF_WAY, 81).status == Status.AT_RISK
        assert status_of(self.ind(), HALF_WAY, "80.99").status == Status.OFF_TRACK
        assert status_of(self.ind(), HALF_WAY, "99.01").status == Status.OFF_TRACK

    def test_small_targets_have_a_tolerance_of_one_unit(self):
        ind = indicator(
            unit=Unit.COUNT,
            direction=Direction.MAINTAIN,
            baseline_value=D(3),
            target_value=D(3),
        )
        assert status_of(ind, HALF_WAY, 4).status == Status.MET
        assert status_of(ind, HALF_WAY, 2).status == Status.MET
        assert status_of(ind, HALF_WAY, 5).status == Status.AT_RISK  # within 2 tolerances
        assert status_of(ind, HALF_WAY, 6).status == Status.OFF_TRACK


class TestAchieve:
    """A yes/no milestone: 0 until done, 1 when done, due Jan 1, 2020 (1095 days)."""

    def ind(self):
        return indicator(
            unit=Unit.MILESTONE,
            direction=Direction.ACHIEVE,
            baseline_value=D(0),
            target_value=D(1),
        )

    def test_done_is_met(self):
        assert status_of(self.ind(), HALF_WAY, 1).status == Status.MET

    def test_not_done_with_time_left_is_on_track(self):
        assert status_of(self.ind(), HALF_WAY, 0).status == Status.ON_TRACK

    def test_not_done_in_the_last_tenth_of_the_time_is_at_risk(self):
        # 109.5 days is a tenth of 1095: 110 days left is on track, 109 at risk.
        assert status_of(self.ind(), date(2019, 9, 13), 0).status == Status.ON_TRACK
        assert status_of(self.ind(), date(2019, 9, 14), 0).status == Status.AT_RISK

    def test_not_done_by_the_target_date_is_off_track(self):
        assert status_of(self.ind(), date(2020, 1, 1), 0).status == Status.OFF_TRACK
        assert status_of(self.ind(), date(2021, 5, 1), 0).status == Status.OFF_TRACK


class TestMilestones:
    """20 -> 50 by Jan 1, 2020 through 40 on Jan 1, 2018 (day 365): a steep first year."""

    def ind(self, milestones=None):
        return indicator(milestones=milestones if milestones is not None else {"2018": "40"})

    def test_the_line_goes_through_the_milestone(self):
        path = planned_path(self.ind())
        assert path.milestones == [(date(2018, 1, 1), D(40))]
        assert path.expected_at(date(2018, 1, 1)) == 40
        assert path.expected_at(date(2017, 7, 2)) == pytest.approx(D(20) + D(20) * D(182) / D(365))
        assert path.expected_at(date(2019, 1, 1)) == pytest.approx(D(40) + D(10) * D(365) / D(730))

    def test_status_is_judged_against_the_milestone(self):
        # Without the milestone 35 on Jan 1, 2018 is ahead of the line (30); with it, behind.
        assert status_of(self.ind({}), date(2018, 1, 1), 35).status == Status.ON_TRACK
        assert status_of(self.ind(), date(2018, 1, 1), 40).status == Status.ON_TRACK
        assert status_of(self.ind(), date(2018, 1, 1), "37.01").status == Status.AT_RISK
        assert status_of(self.ind(), date(2018, 1, 1), 35).status == Status.OFF_TRACK

    def test_milestones_count_on_the_target_dates_anniversary(self):
        ind = self.ind({"2018": "30", "2019": 40})
        ind.target_date = date(2020, 6, 30)
        path = planned_path(ind)
        assert path.milestones == [(date(2018, 6, 30), D(30)), (date(2019, 6, 30), D(40))]

    def test_milestones_outside_the_path_are_ignored(self):
        ind = self.ind({"2016": "10", "2020": "45", "2030": "99", "later": "5", "2019": "x"})
        assert planned_path(ind).milestones == []


class TestNoBaseline:
    def test_without_a_baseline_year_the_line_starts_at_the_first_value(self):
        ind = indicator(baseline_year=None, baseline_value=None)
        first = (date(2018, 1, 1), D(30))
        path = planned_path(ind, first=first)
        assert path.points[0] == first
        # Half-way from Jan 1, 2018 (30) to Jan 1, 2020 (50): 40 expected on Jan 1, 2019.
        assert path.expected_at(date(2019, 1, 1)) == pytest.approx(D(40))
        assert status_of(ind, date(2019, 1, 1), 40, first).status == Status.ON_TRACK
        assert status_of(ind, date(2019, 1, 1), "38.5", first).status == Status.AT_RISK
        assert status_of(ind, date(2019, 1, 1), 35, first).status == Status.OFF_TRACK

    def test_a_single_first_value_is_on_its_own_line(self):
        ind = indicator(baseline_year=None, baseline_value=None)
        first = (date(2018, 1, 1), D(30))
        assert judge(ind, first, first).status == Status.ON_TRACK

    def test_baseline_value_without_a_year_starts_on_the_first_value_date(self):
        ind = indicator(baseline_year=None)
        path = planned_path(ind, first=(date(2018, 1, 1), D(33)))
        assert path.points[0] == (date(2018, 1, 1), D(20))


def test_no_target_or_no_target_date_has_no_status():
    no_target = status_of(indicator(target_value=None), HALF_WAY, 30)
    assert (no_target.status, no_target.label) == (Status.NOT_MEASURED, "No target set")
    assert no_target.latest_value == 30
    no_date = status_of(indicator(target_date=None), HALF_WAY, 30)
    assert (no_date.status, no_date.label) == (Status.NOT_MEASURED, "No target date")
    assert status_of(indicator(target_date=None), HALF_WAY, 50).status == Status.MET


def test_the_rule_is_written_down_for_the_help_text():
    text = " ".join(STATUS_RULE)
    for words in ("straight line", "milestone", "Met", "On track", "At risk", "Off track"):
        assert words in text


def test_values_are_shown_in_their_unit():
    assert show_value(indicator(), D("41.00")) == "41%"
    assert show_value(indicator(unit=Unit.HOURS), D("37.5")) == "37.5 hours"
    assert show_value(indicator(unit=Unit.COUNT), D("1500")) == "1500"
    assert show_value(indicator(unit=Unit.MILESTONE), D(1)) == "Done"
    assert show_value(indicator(unit=Unit.MILESTONE), D(0)) == "Not yet"
    assert show_value(indicator(), None) == "—"


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2019, 1, 31), 1, date(2019, 2, 28)),
        (date(2019, 11, 15), 3, date(2020, 2, 15)),
        (date(2019, 8, 31), 6, date(2020, 2, 29)),
        (date(2020, 2, 29), 12, date(2021, 2, 28)),
    ],
)
def test_add_months_keeps_to_the_month(start, months, expected):
    assert add_months(start, months) == expected


def test_next_value_due_follows_the_collection_frequency():
    ind = indicator(collection_frequency=Indicator.Frequency.QUARTERLY)
    assert next_value_due(ind, date(2019, 1, 15), date(2017, 10, 17)) == date(2019, 4, 15)
    assert next_value_due(ind, None, date(2017, 10, 17)) == date(2018, 1, 17)
    assert next_value_due(ind, None, None) is None


# -- with the database -----------------------------------------------------------------------


def log(ind, as_of, value, user):
    return ProgressEntry.objects.create(indicator=ind, as_of=as_of, value=value, entered_by=user)


def test_statuses_for_many_indicators_take_one_query(world):
    indicators = [IndicatorFactory(goal=world.goal) for _ in range(30)]
    for n, ind in enumerate(indicators):
        log(ind, date(2018, 1, 1), 25, world.staff)
        log(ind, date(2018, 7, 2), 35 + n, world.staff)
    with CaptureQueriesContext(connection) as ctx:
        statuses = statuses_for(indicators)
    assert len(ctx.captured_queries) == 1
    assert len(statuses) == 30
    # IndicatorFactory: 20 -> 50 by Jun 30, 2020, so about 32.9 is expected on Jul 2, 2018.
    first = statuses[indicators[0].pk]
    assert first.status == Status.ON_TRACK
    assert (first.latest_value, first.latest_as_of) == (35, date(2018, 7, 2))


def test_statuses_for_takes_the_latest_by_date_not_by_entry_order(world):
    ind = world.indicator
    log(ind, date(2019, 1, 1), 45, world.staff)
    log(ind, date(2018, 1, 1), 22, world.staff)  # logged later, about an earlier date
    status = statuses_for([ind])[ind.pk]
    assert (status.latest_value, status.latest_as_of) == (45, date(2019, 1, 1))


def test_statuses_as_of_a_date_ignore_later_entries(world):
    ind = world.indicator
    log(ind, date(2018, 1, 1), 22, world.staff)
    log(ind, date(2019, 1, 1), 50, world.staff)
    assert statuses_for([ind])[ind.pk].status == Status.MET
    earlier = statuses_for([ind], as_of=date(2018, 6, 1))[ind.pk]
    assert (earlier.latest_value, earlier.status) == (22, Status.OFF_TRACK)
    before_any = statuses_for([ind], as_of=date(2017, 6, 1))[ind.pk]
    assert before_any.status == Status.NOT_MEASURED


def test_without_a_baseline_the_database_first_entry_starts_the_line(world):
    ind = IndicatorFactory(goal=world.goal, baseline_value=None, baseline_year=None)
    log(ind, date(2018, 1, 1), 30, world.staff)
    log(ind, date(2019, 1, 1), 40, world.staff)
    assert statuses_for([ind])[ind.pk].status == Status.ON_TRACK


def test_computed_indicator_without_a_rule_is_not_measured(world):
    ind = IndicatorFactory(goal=world.goal, source=Indicator.Source.COMPUTED)
    status = statuses_for([ind])[ind.pk]
    assert status.status == Status.NOT_MEASURED
    assert "no rule" in status.note


def _computed(world, target=50):
    """A computed indicator over the world's two students: one has a job shadow."""
    a = world.district_a
    ind = IndicatorFactory(goal=world.goal, source=Indicator.Source.COMPUTED, target_value=target)
    rule(ind, kind(a, "job-shadow"))
    first = StudentFactory(district=a, local_id="S1")
    StudentFactory(district=a, local_id="S2")
    ExperienceFactory(student=first, kind=kind(a, "job-shadow"))
    return ind


def test_computed_indicator_takes_todays_computed_value(world):
    ind = _computed(world)
    status = statuses_for([ind])[ind.pk]
    assert (status.status, status.latest_value) == (Status.MET, 50)


def test_a_computed_figure_is_kept_until_the_inventory_changes(world):
    ind = _computed(world, target=100)
    assert statuses_for([ind])[ind.pk].latest_value == 50
    with CaptureQueriesContext(connection) as counted_again:
        assert statuses_for([ind])[ind.pk].latest_value == 50
    # Kept: the entries, the rule with the inventory's mark, the kept figure; no recount.
    assert len(counted_again.captured_queries) == 3
    second = Student.objects.get(local_id="S2")
    ExperienceFactory(student=second, kind=kind(world.district_a, "job-shadow"))
    assert statuses_for([ind])[ind.pk].latest_value == 100  # a new experience: counted again
    second.delete()  # a student leaves (history records the deletion)
    assert statuses_for([ind])[ind.pk].latest_value == 100  # 1 of 1
    rule_row = ComputedRule.objects.get(indicator=ind)
    rule_row.kind = kind(world.district_a, "internship")
    save_with_history(rule_row, by=world.staff)
    assert statuses_for([ind])[ind.pk].latest_value == 0  # the rule changed: counted again


def test_a_kept_figure_is_counted_again_after_ten_minutes_whatever_its_mark(world):
    ind = _computed(world, target=100)
    assert statuses_for([ind])[ind.pk].latest_value == 50
    figure = ComputedFigure.objects.get(indicator=ind)
    figure.meeting = 2  # what a figure kept under a mark that missed a change would say
    figure.save(update_fields=["meeting"])
    assert statuses_for([ind])[ind.pk].latest_value == 100  # 2 of 2: the kept figure is used
    figure.computed_at -= timedelta(minutes=10, seconds=1)
    figure.save(update_fields=["computed_at"])
    assert statuses_for([ind])[ind.pk].latest_value == 50  # too old: counted again
    assert ComputedFigure.objects.get(indicator=ind).meeting == 1


def test_snapshot_is_json_with_each_indicators_figures(world):
    log(world.indicator, date(2018, 7, 2), 35, world.staff)
    rows = snapshot([world.indicator], as_of=date(2019, 1, 1))
    assert rows == [
        {
            "indicator_id": world.indicator.pk,
            "indicator": "Seniors completing internships",
            "goal": "Seniors complete internships",
            "unit": "Percent",
            "target_value": "50",
            "target_date": "2020-06-30",
            "status": "on_track",
            "label": "On track",
            "note": rows[0]["note"],
            "latest_value": "35",
            "latest_as_of": "2018-07-02",
            "expected_value": rows[0]["expected_value"],
        }
    ]
