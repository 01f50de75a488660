"""The district's public goals page and its printable summary (namespace `public`, no login)."""

from django.urls import path

from cycle.views import public as views

urlpatterns = [
    path("p/<slug:slug>/", views.district, name="district"),
    path("p/<slug:slug>/summary.pdf", views.summary_pdf, name="summary_pdf"),
]
