from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from wbl import views
from wbl.forms import LoginForm

district_patterns = (
    [
        path("manage/", views.manage, name="manage"),
        path("manage/profile/", views.district_edit, name="district_edit"),
        path("manage/members/new/", views.member_add, name="member_add"),
        path("manage/members/<int:pk>/edit/", views.member_edit, name="member_edit"),
        path("manage/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
        *[
            route
            for kind in views.ORG_KINDS
            for route in (
                path(
                    f"manage/{kind}s/new/", views.org_create, {"kind": kind}, name=f"{kind}_create"
                ),
                path(
                    f"manage/{kind}s/<int:pk>/edit/",
                    views.org_edit,
                    {"kind": kind},
                    name=f"{kind}_edit",
                ),
            )
        ],
    ],
    "wbl",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm,
            template_name="registration/login.html",
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("d/<slug:district>/", include(district_patterns)),
    path("d/<slug:district>/", include("goals.urls")),
    path("d/<slug:district>/", include("cycle.urls")),
    path("", include("cycle.urls.public")),
    path("admin/", admin.site.urls),
]
