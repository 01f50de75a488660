"""CSV downloads."""

from django.urls import path

from cycle.views import exports as views

urlpatterns = [
    path("sets/<int:pk>/export/goals.csv", views.export_goals, name="export_goals"),
    path("sets/<int:pk>/export/progress.csv", views.export_progress, name="export_progress"),
    path("inventory/export/experiences.csv", views.export_experiences, name="export_experiences"),
]
