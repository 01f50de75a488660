from django.urls import path

from cycle.views import revision

urlpatterns = [
    path("sets/<int:pk>/revision/", revision.revision, name="revision"),
    path("sets/<int:pk>/revision/priorities/", revision.priorities_edit, name="priorities_edit"),
    path("goals/<int:pk>/outcome/", revision.outcome_edit, name="outcome_edit"),
    path("sets/<int:pk>/versions/", revision.versions, name="versions"),
    path("sets/<int:pk>/compare/", revision.compare, name="compare"),
]
