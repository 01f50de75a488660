from django.urls import path

from cycle.views import approval

urlpatterns = [
    path("sets/<int:pk>/feedback/", approval.feedback, name="feedback"),
    path("sets/<int:pk>/feedback/links/new/", approval.link_create, name="feedback_link_create"),
    path("feedback-links/<int:pk>/revoke/", approval.link_revoke, name="feedback_link_revoke"),
    path("sets/<int:pk>/meetings/new/", approval.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/edit/", approval.meeting_edit, name="meeting_edit"),
    path("sets/<int:pk>/adoption/", approval.adoption, name="adoption"),
    path("sets/<int:pk>/packet.pdf", approval.packet, name="packet"),
]
