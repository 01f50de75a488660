"""Stage 3, Communicate: the channel checklist and communication log of a goal set."""

from django.urls import path

from cycle.views import communication as views

urlpatterns = [
    path("sets/<int:pk>/communication/", views.communication, name="communication"),
    path(
        "sets/<int:pk>/communication/history/",
        views.communication_history,
        name="communication_history",
    ),
    path(
        "sets/<int:pk>/communication/log/",
        views.communication_create,
        name="communication_create",
    ),
    path(
        "sets/<int:pk>/communication/channels/new/",
        views.channel_create,
        name="channel_create",
    ),
    path("communications/<int:pk>/edit/", views.communication_edit, name="communication_edit"),
    path(
        "communications/<int:pk>/delete/",
        views.communication_delete,
        name="communication_delete",
    ),
]
