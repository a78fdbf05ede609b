"""The invitation pages: admins invite people, see, resend and revoke pending
invitations; an invitation's link sets the person's password and signs them in.
Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from drumbeat.accounts import invitations
from drumbeat.accounts.forms import InviteForm
from drumbeat.accounts.models import Invitation
from drumbeat.accounts.signin import password_sign_in_allowed
from drumbeat.common.guards import AdminRequest, admin_required

admin_only = admin_required(invitations.INVITING_REFUSAL)
PASSWORD_BACKEND = "drumbeat.accounts.signin.PasswordBackend"
SSO_ONLY = (
    "Welcome! Passwords are not used here: sign in with {name}, with this e-mail "
    "address."
)


def _invitees(form: InviteForm) -> list[invitations.Invitee]:
    """Who the form names: the CSV file, else the pasted list, else the one
    person (a ValidationError lists every problem with its line)."""
    data = form.cleaned_data
    if data["csv_file"]:
        try:
            text = data["csv_file"].read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("The CSV file is not UTF-8 text.") from None
        return invitations.invitees_from_csv(text)
    if data["people"].strip():
        return invitations.invitees_from_lines(data["people"])
    team = data["team"]
    rows = [(1, data["name"], data["email"], team.key if team else "", data["role"])]
    return invitations.invitees_checked(rows)


@admin_only
def invite(request: AdminRequest) -> HttpResponse:
    """Invite people by e-mail, and the invitations still pending."""
    form = InviteForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    if form.is_valid():
        try:
            sent = invitations.invitations_send(
                invitees=_invitees(form), by=request.user
            )
        except ValidationError as error:
            for problem in error.messages:
                form.add_error(None, problem)
        else:
            emails = ", ".join(made.invitation.email for made in sent)
            messages.success(request, f"Invited {len(sent)}: {emails}.")
            return redirect("invite")
    context = {
        "form": form,
        "pending": invitations.invitations_pending(),
        "days": settings.DRUMBEAT_INVITATION_DAYS,
        "now": timezone.now(),
    }
    status = 400 if form.is_bound else 200
    return render(request, "accounts/invite.html", context, status=status)


@require_POST
@admin_only
def invitation_resend(request: AdminRequest, pk: int) -> HttpResponse:
    """Send an invitation again with a new link; the old one stops working."""
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        invitations.invitation_resend(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation of {invitation.email} is resent.")
    return redirect("invite")


@require_POST
@admin_only
def invitation_revoke(request: AdminRequest, pk: int) -> HttpResponse:
    """Withdraw an invitation: its link stops working."""
    invitation = get_object_or_404(Invitation, pk=pk)
    invitations.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, f"The invitation of {invitation.email} is withdrawn.")
    return redirect("invite")


@login_not_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link: the person chooses a password (the password rules
    apply) and is signed in. A link that is unknown, expired, used or withdrawn
    says so, and offers nothing else."""
    invitation, refusal = invitations.invitation_for_token(token)
    if invitation is None or invitation.user is None:
        status = 404 if refusal == invitations.NOT_FOUND else 410
        return render(
            request, "accounts/invitation.html", {"refusal": refusal}, status=status
        )
    if not password_sign_in_allowed(invitation.user.get_username()):
        # Single sign-on is the only way in: a password would be of no use, and
        # signing in by the link would go round the provider.
        sso_only = SSO_ONLY.format(name=settings.DRUMBEAT_OIDC_NAME)
        return render(request, "accounts/invitation.html", {"sso_only": sso_only})
    form = SetPasswordForm(
        invitation.user, request.POST if request.method == "POST" else None
    )
    if form.is_valid():
        try:
            person = invitations.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            return render(
                request,
                "accounts/invitation.html",
                {"refusal": " ".join(error.messages)},
                status=410,
            )
        login(request, person, backend=PASSWORD_BACKEND)
        messages.success(request, f"Welcome, {person.get_short_name() or person}.")
        return redirect("/")
    context = {"form": form, "invitation": invitation}
    status = 400 if form.is_bound else 200
    return render(request, "accounts/invitation.html", context, status=status)
