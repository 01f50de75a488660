"""Pages without login: the district's public goals page and feedback links."""

from cycle.urls import public_feedback, public_pages

app_name = "public"

urlpatterns = [*public_pages.urlpatterns, *public_feedback.urlpatterns]
