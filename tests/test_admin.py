"""Django admin (for support staff): every model is registered, with its history."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

OUR_APPS = ("wbl", "goals", "cycle")


def our_models():
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in OUR_APPS
        and not m.__name__.startswith("Historical")
        and not m._meta.auto_created
    ]


LOGS = {
    "Transition",
    "ReminderLog",
    "ImportUpload",
    "ComputedFigure",
}  # records of fact or caches, not edited by people: read-only


def test_every_model_is_registered_with_history():
    for model in our_models():
        assert admin.site.is_registered(model), model
        if model.__name__ not in LOGS:
            assert hasattr(admin.site._registry[model], "history_view"), model


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m.__name__)
def test_support_staff_open_each_changelist_and_history(model, world, client):
    support = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(support)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert client.get(reverse(f"{prefix}_changelist")).status_code == 200
    obj = model.objects.first()
    if obj is not None and model.__name__ not in LOGS:
        assert client.get(reverse(f"{prefix}_history", args=[obj.pk])).status_code == 200


def test_district_members_cannot_enter_the_admin(world, login):
    response = login(world.admin).get(reverse("admin:index"))
    assert response.status_code == 302
