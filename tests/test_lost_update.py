"""Two people edit the same record from the same version: the second save is refused,
with the other person's saved values next to theirs, and nothing is overwritten."""

import pytest
from django.urls import reverse

from goals.models import Goal, Indicator
from tests.test_history import goal_data, indicator_data


def _version_from_form(response):
    return response.context["form"]["row_version"].value()


@pytest.mark.parametrize("htmx", [False, True])
def test_second_goal_editor_gets_a_conflict_and_nothing_is_overwritten(world, client, htmx):
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(world.staff)
    second.force_login(world.admin)
    url = reverse("goals:goal_edit", args=["midtown", world.goal.pk])
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    v1 = _version_from_form(first.get(url, **headers))
    v2 = _version_from_form(second.get(url, **headers))
    assert v1 == v2 == 1

    ok = first.post(url, goal_data(statement="Sam's wording", row_version=v1), **headers)
    assert ok.status_code == (200 if htmx else 302)

    clash = second.post(url, goal_data(statement="Alice's wording", row_version=v2), **headers)
    assert clash.status_code == 409
    text = clash.content.decode()
    assert "Someone else saved this while you were editing" in text
    assert "Sam&#x27;s wording" in text and "Alice&#x27;s wording" in text
    goal = Goal.objects.get(pk=world.goal.pk)
    assert goal.statement == "Sam's wording"
    assert goal.row_version == 2

    # The refused form now carries the newer version: saving again keeps Alice's values on purpose.
    assert clash.context["form"]["row_version"].value() == 2
    again = second.post(url, goal_data(statement="Alice's wording", row_version=2), **headers)
    assert again.status_code == (200 if htmx else 302)
    assert Goal.objects.get(pk=world.goal.pk).statement == "Alice's wording"


def test_second_indicator_editor_gets_a_conflict(world):
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(world.staff)
    second.force_login(world.admin)
    url = reverse("goals:indicator_edit", args=["midtown", world.indicator.pk])
    first.post(url, indicator_data(target_value="55", row_version=1))
    clash = second.post(url, indicator_data(target_value="70", row_version=1))
    assert clash.status_code == 409
    rows = {row.label: (row.theirs, row.yours) for row in clash.context["conflict"]}
    assert rows["Target value"] == ("55.00", "70")
    assert Indicator.objects.get(pk=world.indicator.pk).target_value == 55


def test_missing_version_is_treated_as_a_conflict(world, login):
    client = login(world.staff)
    url = reverse("goals:goal_edit", args=["midtown", world.goal.pk])
    response = client.post(url, goal_data(statement="No version sent"))
    assert response.status_code == 409
    assert Goal.objects.get(pk=world.goal.pk).statement == "Seniors complete internships"


def test_goal_set_and_organisation_edits_are_version_checked(world, login):
    client = login(world.admin)
    url = reverse("wbl:school_edit", args=["midtown", world.school.pk])
    assert client.post(url, {"name": "Riverview HS", "row_version": 1}).status_code == 302
    clash = client.post(url, {"name": "Riverview High", "row_version": 1})
    assert clash.status_code == 409
    assert "Riverview HS" in clash.content.decode()
