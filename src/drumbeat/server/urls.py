"""URL routes of the web application."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from drumbeat.accounts.signin import SignInView
from drumbeat.server.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("drumbeat.kpis.urls")),
    path("", include("drumbeat.okrs.urls")),
    path("", include("drumbeat.scorecard.urls")),
    path("", include("drumbeat.reports.urls")),
    path("", include("drumbeat.review.ownership_views")),
    path("", include("drumbeat.review.assessment_views")),
    path("", include("drumbeat.accounts.urls")),
    path("", include("drumbeat.webhooks.urls")),
    path("", include("drumbeat.exports.urls")),
    path("imports/", include("drumbeat.imports.urls")),
    path("", include("drumbeat.worker.urls")),
    path("", include("drumbeat.audit.urls")),
    path("", include("drumbeat.review.urls")),
    path("", include("drumbeat.review.okr_urls")),
    path("", include("drumbeat.notifications.urls")),
    path("sign-in/", SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/changed/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
]

handler403 = "drumbeat.server.errors.forbidden"
handler404 = "drumbeat.server.errors.not_found"
handler500 = "drumbeat.server.errors.server_error"
