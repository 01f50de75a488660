"""Stage 4, Implement: action steps per goal, and the district's open steps by owner."""

from django.urls import path

from cycle.views import implementation as views

urlpatterns = [
    path("sets/<int:pk>/action-steps/", views.action_steps, name="action_steps"),
    path(
        "sets/<int:pk>/action-steps/history/",
        views.action_step_history,
        name="action_step_history",
    ),
    path("action-steps/", views.open_steps, name="open_steps"),
    path("goals/<int:pk>/action-steps/new/", views.action_step_create, name="action_step_create"),
    path("action-steps/<int:pk>/", views.action_step_detail, name="action_step_detail"),
    path("action-steps/<int:pk>/edit/", views.action_step_edit, name="action_step_edit"),
    path("action-steps/<int:pk>/delete/", views.action_step_delete, name="action_step_delete"),
]
