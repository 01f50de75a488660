from django.urls import path

from cycle.views import feedback_links

urlpatterns = [
    path("feedback/<str:token>/", feedback_links.feedback_link, name="feedback_link"),
]
