from django.urls import path

from cycle.views import stages

urlpatterns = [
    path("sets/<int:pk>/stage/", stages.stage, name="stage"),
    path("sets/<int:pk>/stage/submit/", stages.submit_for_approval, name="submit_for_approval"),
    path("sets/<int:pk>/stage/return-to-draft/", stages.return_to_draft, name="return_to_draft"),
    path(
        "sets/<int:pk>/stage/start-implementation/",
        stages.start_implementation,
        name="start_implementation",
    ),
    path("sets/<int:pk>/stage/start-monitoring/", stages.start_monitoring, name="start_monitoring"),
    path("sets/<int:pk>/stage/open-revision/", stages.open_revision, name="open_revision"),
    path("sets/<int:pk>/stage/new-version/", stages.start_new_version, name="start_new_version"),
]
