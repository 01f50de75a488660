from django.urls import path

from cycle.views import drafting

urlpatterns = [
    path("sets/<int:pk>/drafting/", drafting.drafting, name="drafting"),
    path("sets/<int:pk>/drafting/history/", drafting.drafting_history, name="drafting_history"),
    path("sets/<int:pk>/drafting/team/new/", drafting.team_add, name="team_add"),
    path("drafting/team/<int:pk>/edit/", drafting.team_edit, name="team_edit"),
    path("drafting/team/<int:pk>/remove/", drafting.team_remove, name="team_remove"),
    path("sets/<int:pk>/drafting/ground-rules/", drafting.ground_rules, name="ground_rules"),
    path("sets/<int:pk>/drafting/prompts/", drafting.prompts, name="prompts"),
    path("sets/<int:pk>/drafting/prompts/<str:key>/", drafting.prompt_detail, name="prompt_detail"),
    path(
        "sets/<int:pk>/drafting/prompts/<str:key>/answer/",
        drafting.prompt_answer,
        name="prompt_answer",
    ),
    path("sets/<int:pk>/comments/new/", drafting.comment_add, name="comment_add"),
    path("resources/", drafting.resources, name="resources"),
    path("resources/new/", drafting.resource_add, name="resource_add"),
    path("resources/history/", drafting.resource_history, name="resource_history"),
    path("resources/<int:pk>/edit/", drafting.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/delete/", drafting.resource_delete, name="resource_delete"),
]
