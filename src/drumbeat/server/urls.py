"""URL routes of the web application."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from drumbeat.accounts.signin import SignInView
from drumbeat.server.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("drumbeat.kpis.urls")),
    path("", include("drumbeat.okrs.urls")),
    path("", include("drumbeat.scorecard.urls")),
    path("", include("drumbeat.reports.urls")),
    path("", include("drumbeat.review.ownership_views")),
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
        auth_views.PasswordChangeView.as_view(success_url="/"),
        name="password_change",
    ),
    path("admin/", admin.site.urls),
]
