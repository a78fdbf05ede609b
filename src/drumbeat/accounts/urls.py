from django.contrib.auth.decorators import login_not_required
from django.urls import path

from drumbeat.accounts import invitation_views, passwords, views
from drumbeat.accounts.oidc import OidcCallbackView, OidcStartView

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/invite/", invitation_views.invite, name="invite"),
    path(
        "people/invitations/<int:pk>/resend/",
        invitation_views.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "people/invitations/<int:pk>/revoke/",
        invitation_views.invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        "invitations/<str:token>/",
        invitation_views.invitation_accept,
        name="invitation-accept",
    ),
    # "Forgot password": Django's views; the names are the ones they expect.
    path(
        "password/reset/", passwords.PasswordResetView.as_view(), name="password_reset"
    ),
    path(
        "password/reset/sent/",
        passwords.password_reset_done,
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        passwords.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        passwords.password_reset_complete,
        name="password_reset_complete",
    ),
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
