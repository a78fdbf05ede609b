"""People and team pages, for admins: who signs in, which teams they are in and
with what role; and everyone's page of their own API tokens. Thin: parse, call one
service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from drumbeat.accounts import services
from drumbeat.accounts.forms import (
    MembershipForm,
    PersonCreateForm,
    PersonForm,
    SettingsForm,
    TeamForm,
    TokenForm,
)
from drumbeat.accounts.lockouts import account_limit, address_limit, cool_off
from drumbeat.accounts.models import ApiToken, Membership, Team
from drumbeat.accounts.selectors import (
    active_usernames,
    people_list,
    person_history,
    person_memberships,
    profile_of,
    sign_in_lockouts,
    team_changes,
    team_members,
    team_tree,
    tokens_active,
    tokens_of,
)
from drumbeat.common.archiving import archive_button
from drumbeat.common.editing import save_from_form
from drumbeat.common.guards import AdminRequest, admin_required, is_admin

admin_only = admin_required("Only admins manage people and teams.")


def _one_time_password(
    request: HttpRequest, made: services.OneTimePassword, *, created: bool
) -> HttpResponse:
    """The password, shown this once: rendered, never stored or redirected with."""
    response = render(
        request,
        "accounts/one_time_password.html",
        {"person": made.user, "password": made.password, "created": created},
    )
    add_never_cache_headers(response)
    return response


# --- People -----------------------------------------------------------------------


@admin_only
def people(request: AdminRequest) -> HttpResponse:
    """Everyone who may sign in: teams and roles, last sign-in, KPIs owned."""
    search = request.GET.get("q", "").strip()
    context = {"people": people_list(search), "search": search}
    return render(request, "accounts/people.html", context)


@admin_only
def person_create(request: AdminRequest) -> HttpResponse:
    """Add a person; their password is made here and shown once."""
    form = PersonCreateForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        made = save_from_form(
            form,
            lambda: services.person_create(
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                is_admin=data["is_admin"],
                editor_of=data["editor_of"],
                viewer_of=data["viewer_of"],
                by=request.user,
            ),
        )
        if made is not None:
            return _one_time_password(request, made, created=True)
    status = 400 if form.is_bound else 200
    return render(request, "accounts/person_create.html", {"form": form}, status=status)


def _person_page(
    request: HttpRequest, person: User, form: PersonForm, status: int = 200
) -> HttpResponse:
    context = {
        "person": person,
        "form": form,
        "memberships": person_memberships(person),
        "owned_kpis": person.owned_kpis.order_by("key"),
        "history": person_history(person),
    }
    return render(request, "accounts/person_edit.html", context, status=status)


@admin_only
def person_edit(request: AdminRequest, username: str) -> HttpResponse:
    """Change a person's name, email, admin rights, or deactivate them."""
    person = get_object_or_404(User, username=username)
    if request.method != "POST":
        form = PersonForm(initial=PersonForm.initial_for(person))
        return _person_page(request, person, form)
    form = PersonForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        saved = save_from_form(
            form,
            lambda: services.person_update(
                person=person,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                is_admin=data["is_admin"],
                is_active=data["is_active"],
                by=request.user,
            ),
        )
        if saved is not None:
            messages.success(request, f"{person.username} is saved.")
            return redirect("people")
    return _person_page(request, person, form, status=400)


@require_POST
@admin_only
def person_password_reset(request: AdminRequest, username: str) -> HttpResponse:
    """Give a person a new password, shown once; the old one stops working."""
    person = get_object_or_404(User, username=username)
    try:
        made = services.person_password_reset(person=person, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("person-edit", username=person.username)
    return _one_time_password(request, made, created=False)


@admin_only
def lockouts(request: AdminRequest) -> HttpResponse:
    """The accounts and addresses refused sign-ins for too many failures."""
    context = {
        "lockouts": sign_in_lockouts(),
        "account_limit": account_limit(),
        "address_limit": address_limit(),
        "minutes": int(cool_off().total_seconds() // 60),
    }
    return render(request, "accounts/lockouts.html", context)


@require_POST
@admin_only
def lockout_clear(request: AdminRequest) -> HttpResponse:
    """Let a locked-out account or address sign in again at once."""
    kind, who = request.POST.get("kind", ""), request.POST.get("who", "").strip()
    if kind not in ("account", "address") or not who:
        messages.error(request, "Choose an account or an address to unlock.")
        return redirect("lockouts")
    services.lockout_clear(kind=kind, who=who, by=request.user)
    messages.success(request, f"The {kind} {who} may sign in again.")
    return redirect("lockouts")


# --- Teams ------------------------------------------------------------------------


@admin_only
def teams(request: AdminRequest) -> HttpResponse:
    """The teams as a tree, each with its editors and viewers."""
    archived = request.GET.get("archived") == "1"
    return render(
        request,
        "accounts/teams.html",
        {"nodes": team_tree(archived=archived), "show_archived": archived},
    )


@admin_only
def team_create(request: AdminRequest) -> HttpResponse:
    """Add a team, at the top of the tree or under another team."""
    form = TeamForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        values = form.cleaned_data
        team = save_from_form(
            form, lambda: services.team_save(team=None, by=request.user, **values)
        )
        if team is not None:
            messages.success(request, f"Team {team.name} is added; now add its people.")
            return redirect("team-edit", key=team.key)
    status = 400 if form.is_bound else 200
    return render(request, "accounts/team_create.html", {"form": form}, status=status)


def _team_page(
    request: HttpRequest,
    team: Team,
    *,
    form: TeamForm | None = None,
    member_form: MembershipForm | None = None,
    status: int = 200,
) -> HttpResponse:
    initial = {"key": team.key, "name": team.name, "parent": team.parent}
    context: dict[str, Any] = {
        "team": team,
        "form": form or TeamForm(initial=initial),
        "member_form": member_form or MembershipForm(),
        "members": team_members(team),
        "roles": Membership.Role.values,
        "usernames": active_usernames(),
        "changes": team_changes(team),
    }
    return render(request, "accounts/team_edit.html", context, status=status)


@admin_only
def team_edit(request: AdminRequest, key: str) -> HttpResponse:
    """A team's members and roles, its key, name and place in the tree."""
    team = get_object_or_404(Team.objects.select_related("parent"), key=key)
    if request.method != "POST":
        return _team_page(request, team)
    form = TeamForm(request.POST)
    if form.is_valid():
        values = form.cleaned_data
        saved = save_from_form(
            form, lambda: services.team_save(team=team, by=request.user, **values)
        )
        if saved is not None:
            messages.success(request, f"Team {team.name} is saved.")
            return redirect("team-edit", key=team.key)
    # What was typed stays in the form; the heading keeps the saved team.
    team.refresh_from_db()
    return _team_page(request, team, form=form, status=400)


@require_POST
@admin_only
def membership_set(request: AdminRequest, key: str) -> HttpResponse:
    """Add a person to a team with a role, or change their role."""
    team = get_object_or_404(Team.objects.select_related("parent"), key=key)
    form = MembershipForm(request.POST)
    if not form.is_valid():
        return _team_page(request, team, member_form=form, status=400)
    membership = services.membership_set(
        team=team,
        user=form.cleaned_data["username"],
        role=form.cleaned_data["role"],
        by=request.user,
    )
    messages.success(
        request, f"{membership.user.username} is {membership.role} of {team.name}."
    )
    return redirect("team-edit", key=team.key)


@require_POST
@admin_only
def membership_remove(request: AdminRequest, key: str) -> HttpResponse:
    """Take a person out of a team."""
    membership = get_object_or_404(
        Membership.objects.select_related("team", "user"),
        team__key=key,
        user__username=request.POST.get("username", ""),
    )
    services.membership_remove(membership=membership, by=request.user)
    messages.success(
        request,
        f"{membership.user.username} is no longer in {membership.team.name}.",
    )
    return redirect("team-edit", key=key)


# --- Personal API tokens ----------------------------------------------------------


def _signed_in(request: HttpRequest) -> User:
    """The signed-in person (the sign-in middleware sends anyone else away)."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in to manage your API tokens.")
    return request.user


def tokens(request: HttpRequest) -> HttpResponse:
    """A person's own API tokens and a form to make one, the token shown once on
    the page that answers; admins also see everyone's live tokens."""
    user = _signed_in(request)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        values = form.cleaned_data
        issued = save_from_form(
            form, lambda: services.token_create(user=user, **values)
        )
        if issued is not None:
            # Rendered, never stored or redirected with; no cache keeps it either.
            response = render(
                request, "accounts/token_created.html", {"issued": issued}
            )
            add_never_cache_headers(response)
            return response
    context = {
        "form": form,
        "tokens": tokens_of(user),
        "everyones": tokens_active() if is_admin(user) else None,
    }
    status = 400 if form.is_bound else 200
    return render(request, "accounts/tokens.html", context, status=status)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a token at once: its owner's, or any as an admin."""
    user = _signed_in(request)
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    services.token_revoke(token=token, by=user)
    whose = "" if token.user_id == user.pk else f" of {token.user.username}"
    messages.success(
        request, f"Token {token.name} ({token.prefix}…){whose} is revoked."
    )
    return redirect("tokens")


@require_POST
@admin_only
def team_archived(request: AdminRequest, key: str, archived: bool) -> HttpResponse:
    """Archive or restore a team from its page: admins."""
    team = get_object_or_404(Team, key=key)
    return archive_button(
        request,
        lambda user: (
            services.team_archive(team=team, by=user)
            if archived
            else services.team_restore(team=team, by=user)
        ),
        back=reverse("team-edit", args=[team.key]),
        done=f"Team {team.name} {'archived' if archived else 'restored'}.",
    )


# --- A person's own settings ------------------------------------------------------


def my_settings(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own settings: display name, e-mail address, time zone
    and which messages they want by e-mail."""
    user = _signed_in(request)
    profile = profile_of(user)
    if request.method != "POST":
        form = SettingsForm(initial=SettingsForm.initial_for(user, profile))
        return render(request, "accounts/my_settings.html", {"form": form})
    form = SettingsForm(request.POST)
    if form.is_valid():
        values = form.cleaned_data
        saved = save_from_form(
            form,
            lambda: services.profile_update(person=user, values=values, by=user),
        )
        if saved is not None:
            messages.success(request, "Your settings are saved.")
            return redirect("my-settings")
    return render(request, "accounts/my_settings.html", {"form": form}, status=400)
