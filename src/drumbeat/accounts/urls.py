from django.contrib.auth.decorators import login_not_required
from django.urls import path

from drumbeat.accounts import views
from drumbeat.accounts.oidc import OidcCallbackView, OidcStartView

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/lockouts/", views.lockouts, name="lockouts"),
    path("people/lockouts/clear/", views.lockout_clear, name="lockout-clear"),
    path("people/<str:username>/edit/", views.person_edit, name="person-edit"),
    path(
        "people/<str:username>/password/",
        views.person_password_reset,
        name="person-password-reset",
    ),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<slug:key>/edit/", views.team_edit, name="team-edit"),
    path(
        "teams/<slug:key>/archive/",
        views.team_archived,
        {"archived": True},
        name="team-archive",
    ),
    path(
        "teams/<slug:key>/restore/",
        views.team_archived,
        {"archived": False},
        name="team-restore",
    ),
    path("teams/<slug:key>/members/", views.membership_set, name="membership-set"),
    path(
        "teams/<slug:key>/members/remove/",
        views.membership_remove,
        name="membership-remove",
    ),
    path("tokens/", views.tokens, name="tokens"),
    path("me/settings/", views.my_settings, name="my-settings"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    # Single sign-on; the names are mozilla-django-oidc's.
    path(
        "sign-in/sso/",
        login_not_required(OidcStartView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "sign-in/sso/callback/",
        login_not_required(OidcCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
]
