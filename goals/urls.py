from django.urls import path

from goals import views

app_name = "goals"

urlpatterns = [
    path("", views.set_list, name="set_list"),
    path("sets/new/", views.set_create, name="set_create"),
    path("sets/<int:pk>/", views.set_detail, name="set_detail"),
    path("sets/<int:pk>/edit/", views.set_edit, name="set_edit"),
    path("sets/<int:pk>/delete/", views.set_delete, name="set_delete"),
    path("sets/<int:pk>/restore/", views.set_restore, name="set_restore"),
    path("sets/<int:pk>/history/", views.set_history, name="set_history"),
    path("sets/<int:pk>/goals/new/", views.goal_create, name="goal_create"),
    path("goals/<int:pk>/", views.goal_detail, name="goal_detail"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/delete/", views.goal_delete, name="goal_delete"),
    path("goals/<int:pk>/restore/", views.goal_restore, name="goal_restore"),
    path("goals/<int:pk>/move/", views.goal_move, name="goal_move"),
    path("goals/<int:pk>/history/", views.goal_history, name="goal_history"),
    path("goals/<int:pk>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/delete/", views.indicator_delete, name="indicator_delete"),
    path("indicators/<int:pk>/restore/", views.indicator_restore, name="indicator_restore"),
    path("manage/deleted/", views.deleted_items, name="deleted_items"),
    path("indicators/<int:pk>/move/", views.indicator_move, name="indicator_move"),
]
