"""The student WBL experience inventory, computed indicators and CSV imports."""

from django.urls import path

from cycle.views import inventory as views

urlpatterns = [
    path("inventory/", views.overview, name="inventory"),
    path("inventory/settings/", views.inventory_settings, name="inventory_settings"),
    path("inventory/kinds/new/", views.named_create, {"what": "kind"}, name="kind_create"),
    path("inventory/kinds/<int:pk>/edit/", views.named_edit, {"what": "kind"}, name="kind_edit"),
    path("inventory/groups/new/", views.named_create, {"what": "group"}, name="group_create"),
    path("inventory/groups/<int:pk>/edit/", views.named_edit, {"what": "group"}, name="group_edit"),
    path("students/", views.student_list, name="students"),
    path("students/new/", views.student_create, name="student_create"),
    path("students/<int:pk>/", views.student_detail, name="student_detail"),
    path("students/<int:pk>/edit/", views.student_edit, name="student_edit"),
    path("students/<int:pk>/history/", views.student_history, name="student_history"),
    path(
        "students/<int:pk>/experiences/new/",
        views.experience_create,
        name="experience_create",
    ),
    path("experiences/<int:pk>/edit/", views.experience_edit, name="experience_edit"),
    path("experiences/<int:pk>/delete/", views.experience_delete, name="experience_delete"),
    path("indicators/<int:pk>/rule/", views.rule, name="rule"),
    path("indicators/<int:pk>/rule/delete/", views.rule_delete, name="rule_delete"),
    path("indicators/<int:pk>/computed/", views.computed, name="computed"),
    path("indicators/<int:pk>/computed/record/", views.computed_record, name="computed_record"),
    path("imports/students/", views.import_students, name="import_students"),
    path("imports/experiences/", views.import_experiences, name="import_experiences"),
    path("sets/<int:pk>/imports/progress/", views.import_progress, name="import_progress"),
    path("imports/<str:token>/errors.csv", views.import_errors, name="import_errors"),
]
