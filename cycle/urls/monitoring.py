"""Stage 5, Monitor: progress, data stewards, data reviews, dashboards and the progress PDF."""

from django.urls import path

from cycle.views import monitoring as views

urlpatterns = [
    path("progress/", views.overview, name="overview"),
    path("sets/<int:pk>/progress/", views.dashboard, name="dashboard"),
    path("sets/<int:pk>/progress.pdf", views.progress_pdf, name="progress_pdf"),
    path("sets/<int:pk>/progress/steward/", views.set_steward, name="set_steward"),
    path("indicators/<int:pk>/progress/", views.progress_list, name="progress_list"),
    path("indicators/<int:pk>/progress/new/", views.progress_add, name="progress_add"),
    path("indicators/<int:pk>/progress/history/", views.progress_history, name="progress_history"),
    path("indicators/<int:pk>/progress/card/", views.indicator_card, name="indicator_card"),
    path("indicators/<int:pk>/steward/", views.indicator_steward, name="indicator_steward"),
    path("progress/<int:pk>/edit/", views.progress_edit, name="progress_edit"),
    path("progress/<int:pk>/delete/", views.progress_delete, name="progress_delete"),
    path("sets/<int:pk>/reviews/", views.data_reviews, name="data_reviews"),
    path("sets/<int:pk>/reviews/new/", views.data_review_add, name="data_review_add"),
    path("reviews/<int:pk>/", views.data_review, name="data_review"),
    path("reviews/<int:pk>/edit/", views.data_review_edit, name="data_review_edit"),
]
