from django.urls import path

from drumbeat.accounts import views

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/<str:username>/edit/", views.person_edit, name="person-edit"),
    path(
        "people/<str:username>/password/",
        views.person_password_reset,
        name="person-password-reset",
    ),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<slug:key>/edit/", views.team_edit, name="team-edit"),
    path("teams/<slug:key>/members/", views.membership_set, name="membership-set"),
    path(
        "teams/<slug:key>/members/remove/",
        views.membership_remove,
        name="membership-remove",
    ),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
