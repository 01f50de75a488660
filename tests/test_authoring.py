"""Writing goal sets, goals and indicators: validation, escaping, htmx fragments, order."""

import datetime

import pytest
from django.urls import reverse

from goals.models import Goal, GoalSet, Indicator, Stage
from tests.factories import GoalFactory, GoalSetFactory, IndicatorFactory
from tests.test_history import goal_data, indicator_data

HX = {"HTTP_HX_REQUEST": "true"}


def errors_of(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# -- goal sets -------------------------------------------------------------------------------


def test_staff_creates_a_goal_set_and_lands_on_it(world, login):
    client = login(world.staff)
    response = client.post(
        reverse("goals:set_create", args=["midtown"]),
        {
            "title": "Riverview student goals",
            "level": "student",
            "scope": "school",
            "school": world.school.pk,
            "stem": "All students at Riverview High School will:",
            "start_year": 2018,
            "target_year": 2021,
        },
        follow=True,
    )
    goal_set = GoalSet.objects.get(title="Riverview student goals")
    assert goal_set.district == world.district_a
    assert goal_set.stage == Stage.DRAFT and goal_set.version == 1
    assert response.redirect_chain[-1][0] == goal_set.get_absolute_url()
    assert "All students at Riverview High School will:" in response.content.decode()


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"target_year": 2016}, "target_year", "cannot be before the start year"),
        ({"scope": "school"}, "school", "Choose the school"),
        ({"level": "county"}, "level", "Select a valid choice"),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"title": "<script>alert(1)</script>"}, "title", "plain text"),
        ({"start_year": "twenty"}, "start_year", "Enter a whole number"),
    ],
)
def test_goal_set_bad_input_is_refused_at_the_field(world, login, change, field, message):
    data = {
        "title": "New set",
        "level": "system",
        "scope": "district",
        "start_year": 2017,
        "target_year": 2020,
        **change,
    }
    response = login(world.staff).post(reverse("goals:set_create", args=["midtown"]), data)
    assert response.status_code == 200
    assert any(message in e for e in errors_of(response, field)), response.context["form"].errors
    assert not GoalSet.objects.filter(title=data["title"]).exists()


def test_another_districts_school_is_not_a_choice(world, login):
    from tests.factories import SchoolFactory

    other_school = SchoolFactory(district=world.district_b)
    response = login(world.staff).post(
        reverse("goals:set_create", args=["midtown"]),
        {
            "title": "Sneaky",
            "level": "system",
            "scope": "school",
            "school": other_school.pk,
            "start_year": 2017,
            "target_year": 2020,
        },
    )
    assert errors_of(response, "school")
    assert not GoalSet.objects.filter(title="Sneaky").exists()


def test_list_filters_by_level_stage_school_pathway_and_topic(world, login):
    GoalSetFactory(
        district=world.district_a,
        title="Engineering student goals",
        level="student",
        scope="pathway",
        pathway=world.pathway,
    )
    adopted = GoalSetFactory(district=world.district_a, title="Adopted goals", stage="implement")
    GoalFactory(goal_set=adopted, topic_area=Goal.TopicArea.GOVERNANCE)
    client = login(world.viewer)
    url = reverse("goals:set_list", args=["midtown"])

    def titles(**params):
        page = client.get(url, params)
        return {s.title for _, sets in page.context["levels"] for s in sets}

    assert titles() == {"Midtown WBL expansion", "Engineering student goals", "Adopted goals"}
    assert titles(level="student") == {"Engineering student goals"}
    assert titles(stage="implement") == {"Adopted goals"}
    assert titles(pathway=world.pathway.pk) == {"Engineering student goals"}
    assert titles(topic="governance") == {"Adopted goals"}
    assert titles(school=world.school.pk) == set()
    assert "Central WBL system" not in client.get(url).content.decode()


# -- goals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"statement": "y" * 1001}, "statement", "at most 1000 characters"),
        ({"statement": 'Partners <img src=x onerror="alert(1)">'}, "statement", "plain text"),
        ({"statement": ""}, "statement", "required"),
        ({"topic_area": "astrology"}, "topic_area", "Select a valid choice"),
        ({"horizon": "forever"}, "horizon", "Select a valid choice"),
        ({"responsible_roles": "<b>Counselors</b>"}, "responsible_roles", "plain text"),
    ],
)
def test_goal_bad_input_is_refused_and_nothing_saved(world, login, change, field, message):
    before = Goal.objects.count()
    response = login(world.staff).post(
        reverse("goals:goal_create", args=["midtown", world.goal_set.pk]), goal_data(**change)
    )
    assert response.status_code == 200
    assert any(message in e for e in errors_of(response, field))
    assert Goal.objects.count() == before


def test_owner_must_be_a_member_of_the_district(world, login):
    response = login(world.staff).post(
        reverse("goals:goal_create", args=["midtown", world.goal_set.pk]),
        goal_data(owner=world.outsider.pk),
    )
    assert errors_of(response, "owner")


def test_htmx_add_goal_returns_the_goal_section_with_the_new_goal(world, login):
    response = login(world.staff).post(
        reverse("goals:goal_create", args=["midtown", world.goal_set.pk]),
        goal_data(statement="All academies offer two to three WBL opportunities per grade"),
        **HX,
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert text.lstrip().startswith('<section id="goal-section"')
    assert "<html" not in text
    assert "Goal 2.</span> All academies offer two to three WBL opportunities" in text
    assert "HX-Request" in response["Vary"]


def test_htmx_edit_goal_returns_the_goal_with_fresh_quality_warnings(world, login):
    client = login(world.staff)
    url = reverse("goals:goal_edit", args=["midtown", world.goal.pk])
    form = client.get(url, **HX)
    assert f'hx-post="{url}"' in form.content.decode()
    response = client.post(url, goal_data(row_version=1), **HX)  # no owner now
    text = response.content.decode()
    assert text.lstrip().startswith(f'<li id="goal-{world.goal.pk}"')
    assert "No owner" in text


def test_text_is_always_shown_escaped(world, login):
    # Rows can reach the database without our forms (admin, imports): pages still escape.
    Goal.objects.filter(pk=world.goal.pk).update(statement="<script>alert('x')</script>")
    text = login(world.viewer).get(world.goal_set.get_absolute_url()).content.decode()
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text


def test_goals_move_up_and_down(world, login):
    second = GoalFactory(goal_set=world.goal_set, statement="Second goal")
    third = GoalFactory(goal_set=world.goal_set, statement="Third goal")
    client = login(world.staff)
    client.post(reverse("goals:goal_move", args=["midtown", third.pk]), {"direction": "up"})
    order = list(world.goal_set.goals.values_list("statement", flat=True))
    assert order == ["Seniors complete internships", "Third goal", "Second goal"]
    client.post(reverse("goals:goal_move", args=["midtown", world.goal.pk]), {"direction": "up"})
    assert list(world.goal_set.goals.values_list("pk", flat=True))[0] == world.goal.pk
    client.post(reverse("goals:goal_move", args=["midtown", world.goal.pk]), {"direction": "down"})
    assert list(world.goal_set.goals.values_list("pk", flat=True)) == [
        third.pk,
        world.goal.pk,
        second.pk,
    ]


def _many_goals(world, n):
    """The world's goal set grown to `n` goals (the first is world.goal)."""
    return [world.goal] + [
        GoalFactory(goal_set=world.goal_set, statement=f"Goal number {k}") for k in range(2, n + 1)
    ]


def test_moving_a_goal_across_a_page_break_shows_the_page_it_lands_on(world, login):
    goals = _many_goals(world, 30)
    client = login(world.staff)
    set_url = world.goal_set.get_absolute_url()
    url = reverse("goals:goal_move", args=["midtown", goals[24].pk])
    response = client.post(url, {"direction": "down"}, HTTP_HX_CURRENT_URL=set_url, **HX)
    text = response.content.decode()
    assert "Goal 26.</span> Goal number 25" in text
    assert f'id="goal-{goals[24].pk}-title" class="goal-title" tabindex="-1" autofocus' in text
    assert response["HX-Replace-Url"] == f"{set_url}?page=2"
    # Without JavaScript the redirect goes to the page and the goal.
    back = client.post(url, {"direction": "up"})
    assert back["Location"] == f"{set_url}#goal-{goals[24].pk}"


def test_htmx_delete_keeps_the_page_the_user_was_on(world, login):
    goals = _many_goals(world, 30)
    client = login(world.staff)
    set_url = world.goal_set.get_absolute_url()
    response = client.post(
        reverse("goals:goal_delete", args=["midtown", goals[27].pk]),
        HTTP_HX_CURRENT_URL=f"http://testserver{set_url}?page=2",
        **HX,
    )
    text = response.content.decode()
    assert "Goals 26–29 of 29." in text and "Goal number 28" not in text
    assert response["HX-Replace-Url"] == f"{set_url}?page=2"


def test_links_to_a_goal_open_the_page_that_holds_it(world, login):
    goals = _many_goals(world, 60)
    client = login(world.viewer)
    response = client.get(reverse("goals:goal_detail", args=["midtown", goals[55].pk]))
    set_url = world.goal_set.get_absolute_url()
    assert response["Location"] == f"{set_url}?page=3#goal-{goals[55].pk}"
    page = client.get(response["Location"]).content.decode()
    assert f'id="goal-{goals[55].pk}"' in page


def test_adding_a_goal_to_a_long_set_shows_the_last_page(world, login):
    _many_goals(world, 25)
    response = login(world.staff).post(
        reverse("goals:goal_create", args=["midtown", world.goal_set.pk]),
        goal_data(statement="The twenty-sixth goal"),
        **HX,
    )
    text = response.content.decode()
    assert "Goal 26.</span> The twenty-sixth goal" in text
    assert response["HX-Replace-Url"].endswith("?page=2")


def test_deleting_a_goal_deletes_its_indicators(world, login):
    client = login(world.staff)
    confirm = client.get(reverse("goals:goal_delete", args=["midtown", world.goal.pk]))
    assert "Its 1 indicator is deleted with it" in confirm.content.decode()
    client.post(reverse("goals:goal_delete", args=["midtown", world.goal.pk]))
    assert not Goal.objects.filter(pk=world.goal.pk).exists()
    assert not Indicator.objects.filter(pk=world.indicator.pk).exists()


def test_frozen_set_refuses_edits_and_says_why(world, login):
    GoalSet.objects.filter(pk=world.goal_set.pk).update(stage=Stage.COMMUNICATE)
    client = login(world.staff)
    response = client.post(
        reverse("goals:goal_edit", args=["midtown", world.goal.pk]), goal_data(row_version=1)
    )
    assert response.status_code == 403
    assert "adopted and is frozen" in response.content.decode()
    page = client.get(world.goal_set.get_absolute_url()).content.decode()
    assert "frozen" in page and "Add goal" not in page


# -- indicators ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"target_value": "fifty"}, "target_value", "Enter a number"),
        ({"target_value": "-5"}, "target_value", "cannot be negative"),
        ({"baseline_value": "-1"}, "baseline_value", "cannot be negative"),
        ({"target_date": "2016-06-30"}, "target_date", "before the baseline year"),
        ({"unit": "furlongs"}, "unit", "Select a valid choice"),
        (
            {"unit": "milestone", "direction": "achieve", "target_value": "2"},
            "target_value",
            "0 (not yet) or 1 (done)",
        ),
        ({"direction": "achieve"}, "direction", "for yes/no milestones"),
        ({"milestones": "2018 thirty"}, "milestones", "Line 1"),
        ({"milestones": "2018: 30\n2018: 40"}, "milestones", "listed twice"),
        ({"milestones": "2019: -3"}, "milestones", "cannot be negative"),
        ({"name": "<iframe src=x>"}, "name", "plain text"),
        ({"target_date": "30/06/2020"}, "target_date", "Enter a valid date"),
    ],
)
def test_indicator_bad_input_is_refused_and_nothing_saved(world, login, change, field, message):
    before = Indicator.objects.count()
    response = login(world.staff).post(
        reverse("goals:indicator_create", args=["midtown", world.goal.pk]),
        indicator_data(**change),
    )
    assert response.status_code == 200
    assert any(message in e for e in errors_of(response, field)), response.context["form"].errors
    assert Indicator.objects.count() == before


def test_indicator_with_milestones_is_saved_and_shown(world, login):
    client = login(world.staff)
    client.post(
        reverse("goals:indicator_create", args=["midtown", world.goal.pk]),
        indicator_data(
            name="Seniors with internships",
            unit="percent",
            baseline_value="20",
            target_value="50",
            milestones="2018: 30\n2019: 40",
        ),
    )
    indicator = Indicator.objects.get(name="Seniors with internships")
    assert indicator.milestones == {"2018": "30", "2019": "40"}
    assert list(world.goal.indicators.all()) == [world.indicator, indicator]  # added last
    page = client.get(world.goal_set.get_absolute_url()).content.decode()
    assert "milestones 2018: 30, 2019: 40" in page


def test_htmx_indicator_form_and_save_return_fragments(world, login):
    client = login(world.staff)
    url = reverse("goals:indicator_create", args=["midtown", world.goal.pk])
    form = client.get(url, **HX).content.decode()
    assert "<html" not in form and f'hx-target="#goal-{world.goal.pk}"' in form
    saved = client.post(url, indicator_data(name="Coordinators hired"), **HX).content.decode()
    assert saved.lstrip().startswith(f'<li id="goal-{world.goal.pk}"')
    assert "Coordinators hired" in saved


def test_full_page_forms_work_without_javascript(world, login):
    client = login(world.staff)
    page = client.get(reverse("goals:indicator_create", args=["midtown", world.goal.pk]))
    text = page.content.decode()
    assert "<html" in text and "hx-post" not in text.split("<main")[1]


# -- quality check ---------------------------------------------------------------------------


def _codes(goal):
    from goals.quality import check_goal

    goal = Goal.objects.prefetch_related("indicators").get(pk=goal.pk)
    return {f.code for f in check_goal(goal, goal.goal_set)}


def test_quality_check_flags_each_problem(world):
    goal_set = world.goal_set  # 2017-2020
    bare = GoalFactory(goal_set=goal_set)
    assert _codes(bare) == {"no_owner", "no_indicator"}
    IndicatorFactory(goal=bare, name="No date", target_date=None)
    IndicatorFactory(goal=bare, name="Flat", baseline_value=40, target_value=40)
    IndicatorFactory(goal=bare, name="Late", target_date=datetime.date(2023, 6, 1))
    IndicatorFactory(goal=bare, name="Too big", target_value=120)
    assert _codes(bare) == {
        "no_owner",
        "no_target_date",
        "target_equals_baseline",
        "target_date_outside",
        "percent_range",
    }


def test_quality_check_passes_a_well_formed_goal_and_allows_maintain(world):
    assert _codes(world.goal) == set()
    IndicatorFactory(goal=world.goal, direction="maintain", baseline_value=95, target_value=95)
    assert _codes(world.goal) == set()


def test_quality_warnings_show_on_the_set_page(world, login):
    GoalFactory(goal_set=world.goal_set, statement="Unmeasured goal")
    text = login(world.viewer).get(world.goal_set.get_absolute_url()).content.decode()
    assert "No measurable indicator" in text and "No owner" in text
    assert "measurable, owned and dated" in text  # the first goal passes


def test_reason_for_a_change_is_asked_only_from_version_two(world, login):
    client = login(world.staff)
    v1_form = client.get(reverse("goals:indicator_edit", args=["midtown", world.indicator.pk]))
    assert "revision_note" not in v1_form.context["form"].fields
    v2 = GoalSetFactory(district=world.district_a, version=2, previous_version=world.goal_set)
    indicator = IndicatorFactory(goal=GoalFactory(goal_set=v2, owner=world.staff))
    url = reverse("goals:indicator_edit", args=["midtown", indicator.pk])
    client.post(
        url, indicator_data(target_value="60", revision_note="Board raised the bar", row_version=1)
    )
    indicator.refresh_from_db()
    assert indicator.revision_note == "Board raised the bar"
    page = client.get(v2.get_absolute_url()).content.decode()
    assert "Reason for the change: Board raised the bar" in page


def test_htmx_indicator_errors_stay_in_the_form_and_success_retargets_the_goal(world, login):
    client = login(world.staff)
    url = reverse("goals:indicator_create", args=["midtown", world.goal.pk])
    bad = client.post(url, indicator_data(target_value="fifty"), **HX)
    text = bad.content.decode()
    # The form re-renders in its own container; the goal around it stays on the page.
    assert text.lstrip().startswith('<div class="indicator editing"')
    assert 'hx-target="closest div.indicator"' in text and "Enter a number" in text
    assert "HX-Retarget" not in bad
    good = client.post(url, indicator_data(name="Coordinators hired"), **HX)
    assert good["HX-Retarget"] == f"#goal-{world.goal.pk}"
    assert good["HX-Reswap"] == "outerHTML"


def test_computed_indicator_links_to_its_value_and_breakdown(world, login):
    Indicator.objects.filter(pk=world.indicator.pk).update(source=Indicator.Source.COMPUTED)
    page = login(world.viewer).get(world.goal_set.get_absolute_url()).content.decode()
    assert f'href="/d/midtown/indicators/{world.indicator.pk}/computed/"' in page
