"""Invitations by e-mail: who is invited (one, a pasted list, or a CSV file), the
invitation's link, which sets the person's password and signs them in, and its
resending and revoking by admins.

An invited person's account is made at once, active with an unusable password
(Django's own state for "no password yet": password sign-in and Django's password
reset both pass them by, while the account can already own KPIs and be a team
member). Accepting the invitation gives it a password. The link's token is 256
random bits of which only a SHA-256 digest is kept, as for API tokens.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from drumbeat.accounts.models import Invitation, Membership, Organisation, Team
from drumbeat.accounts.selectors import person_display_name
from drumbeat.accounts.services import membership_set, token_digest
from drumbeat.audit.models import Event
from drumbeat.audit.services import event_record
from drumbeat.common.guards import require_admin

INVITING_REFUSAL = "Only admins invite people."
CSV_COLUMNS = ("name", "email", "team", "role")

NO_EMAIL = "line {line}: no e-mail address"
BAD_EMAIL = "line {line}: “{email}” is not an e-mail address"
TWICE = "line {line}: {email} is already on line {first}"
UNKNOWN_TEAM = "line {line}: no team has the key “{team}”"
BAD_ROLE = "line {line}: a role is editor or viewer, not “{role}”"
ROLE_WITHOUT_TEAM = "line {line}: a role needs a team"
DEACTIVATED = "line {line}: {email} belongs to a deactivated person; reactivate them"
PENDING = "line {line}: {email} has a pending invitation already; resend it instead"
TOO_MANY_MAILS = (
    "line {line}: {email} got {count} account e-mails in the last hour; try again later"
)
CSV_HEADER = "line 1: the CSV's columns are {expected}, not {found}"
NOTHING = "No one to invite: give at least one e-mail address."

NOT_FOUND = (
    "This invitation link is not valid: check that it was copied whole, or ask an "
    "admin for a new one."
)
EXPIRED = "This invitation expired on {date}. Ask an admin to send you a new one."
USED = "This invitation was already used, on {date}. It cannot be used again."
REVOKED = "This invitation was withdrawn on {date}. It cannot be used."


@dataclass(frozen=True)
class Invitee:
    """One person to invite, as read from line `line` of a list or a CSV file."""

    line: int
    email: str
    name: str = ""
    team: Team | None = None
    role: str = ""


# --- Reading who to invite --------------------------------------------------------


def invitees_from_lines(text: str) -> list[Invitee]:
    """The people of a pasted list, one a line: `Name <e-mail>` or `e-mail`
    (blank lines skipped). Every line is checked first; any problem refuses the
    whole list with each problem and its line (a ValidationError)."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, email = parseaddr(line) if "<" in line else ("", line)
        rows.append((number, name.strip(), email.strip(), "", ""))
    return invitees_checked(rows)


def invitees_from_csv(text: str) -> list[Invitee]:
    """The people of a CSV file with the columns name, email, team, role (the
    header line first; team and role optional). All or nothing, as for a list."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    found = tuple(column.strip().lower() for column in header or ())
    if found[: len(CSV_COLUMNS)] != CSV_COLUMNS:
        raise ValidationError(
            CSV_HEADER.format(
                expected=",".join(CSV_COLUMNS), found=",".join(found) or "nothing"
            )
        )
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        name, email, team, role = [*map(str.strip, cells), "", "", "", ""][:4]
        rows.append((reader.line_num, name, email, team, role.lower()))
    return invitees_checked(rows)


def invitees_checked(rows: list[tuple[int, str, str, str, str]]) -> list[Invitee]:
    """Invitees of (line, name, e-mail, team key, role) rows, every problem of
    every row reported at once."""
    teams = {team.key: team for team in Team.objects.filter(archived_at__isnull=True)}
    problems: list[str] = []
    invitees: list[Invitee] = []
    first_line: dict[str, int] = {}
    for line, name, email, team_key, role in rows:
        problem = _row_problem(line, email, team_key, role, teams, first_line)
        if problem:
            problems.append(problem)
            continue
        first_line[email.lower()] = line
        invitees.append(
            Invitee(
                line=line,
                email=email,
                name=name,
                team=teams.get(team_key),
                role=role or (Membership.Role.VIEWER if team_key else ""),
            )
        )
    problems += _account_problems(invitees)
    if problems:
        raise ValidationError(sorted(problems, key=_line_of))
    if not invitees:
        raise ValidationError(NOTHING)
    return invitees


def _line_of(problem: str) -> int:
    return int(problem.split(":", 1)[0].removeprefix("line "))


def _row_problem(
    line: int,
    email: str,
    team_key: str,
    role: str,
    teams: dict[str, Team],
    first_line: dict[str, int],
) -> str | None:
    if not email:
        return NO_EMAIL.format(line=line)
    try:
        validate_email(email)
    except ValidationError:
        return BAD_EMAIL.format(line=line, email=email)
    if email.lower() in first_line:
        return TWICE.format(line=line, email=email, first=first_line[email.lower()])
    if team_key and team_key not in teams:
        return UNKNOWN_TEAM.format(line=line, team=team_key)
    if role and role not in Membership.Role.values:
        return BAD_ROLE.format(line=line, role=role)
    if role and not team_key:
        return ROLE_WITHOUT_TEAM.format(line=line)
    return None


def _account_problems(invitees: list[Invitee]) -> list[str]:
    """What the database refuses: a deactivated person, a pending invitation, an
    address past its e-mails for the hour."""
    problems = []
    now = timezone.now()
    for invitee in invitees:
        person = _person_of(invitee.email)
        if person is not None and not person.is_active:
            problems.append(DEACTIVATED.format(line=invitee.line, email=invitee.email))
        elif invitations_pending().filter(email__iexact=invitee.email).exists():
            problems.append(PENDING.format(line=invitee.line, email=invitee.email))
        elif (count := invitation_mails_recent(invitee.email, now)) >= mails_per_hour():
            problems.append(
                TOO_MANY_MAILS.format(
                    line=invitee.line, email=invitee.email, count=count
                )
            )
    return problems


# --- Reads ------------------------------------------------------------------------


def mails_per_hour() -> int:
    return int(settings.DRUMBEAT_ACCOUNT_MAILS_PER_HOUR)


def invitation_mails_recent(email: str, now: dt.datetime) -> int:
    """Invitation e-mails sent to `email` in the hour before `now`."""
    return Invitation.objects.filter(
        email__iexact=email, created_at__gt=now - dt.timedelta(hours=1)
    ).count()


def invitations_pending() -> QuerySet[Invitation]:
    """Invitations neither accepted nor revoked (expired ones too: they may be
    resent), newest first, for the people page."""
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("team", "invited_by", "user")


def invitation_for_token(token: str) -> tuple[Invitation | None, str]:
    """The invitation a link's token opens, or None and what to tell its holder
    (an unknown, expired, used or withdrawn link)."""
    invitation = (
        Invitation.objects.select_related("user")
        .filter(digest=token_digest(token))
        .first()
    )
    if invitation is None:
        return None, NOT_FOUND
    refusal = invitation_refusal(invitation)
    return (None, refusal) if refusal else (invitation, "")


def invitation_refusal(invitation: Invitation, now: dt.datetime | None = None) -> str:
    """Why an invitation can no longer be accepted ('' while it can)."""
    now = now or timezone.now()
    if invitation.revoked_at is not None:
        return REVOKED.format(date=f"{invitation.revoked_at:%Y-%m-%d}")
    if invitation.accepted_at is not None:
        return USED.format(date=f"{invitation.accepted_at:%Y-%m-%d}")
    if invitation.expires_at <= now:
        return EXPIRED.format(date=f"{invitation.expires_at:%Y-%m-%d}")
    return ""


def _person_of(email: str) -> User | None:
    return (
        User.objects.filter(email__iexact=email).order_by("id").first()
        or User.objects.filter(username__iexact=email).first()
    )


# --- Writes -----------------------------------------------------------------------


@dataclass(frozen=True)
class SentInvitation:
    """An invitation and its link, which holds the token (never stored)."""

    invitation: Invitation
    link: str


def invitations_send(*, invitees: Iterable[Invitee], by: User) -> list[SentInvitation]:
    """Invite people: each gets an account (found by e-mail, else made, with no
    password yet), their team and role if given, and an e-mail with a link that
    expires. The rows are written all or nothing, then the e-mails are sent."""
    require_admin(by, INVITING_REFUSAL)
    sent = _invitations_save(list(invitees), by)
    for made in sent:
        _invitation_mail(made)
    return sent


def invitation_send(
    *,
    email: str,
    name: str = "",
    team: Team | None = None,
    role: str = "",
    by: User,
) -> SentInvitation:
    """Invite one person (checked as one line of a list)."""
    require_admin(by, INVITING_REFUSAL)
    rows = [(1, name.strip(), email.strip(), team.key if team else "", role)]
    (invitee,) = invitees_checked(rows)
    return invitations_send(invitees=[invitee], by=by)[0]


@transaction.atomic
def _invitations_save(invitees: list[Invitee], by: User) -> list[SentInvitation]:
    sent = []
    for invitee in invitees:
        person = _person_of(invitee.email) or _person_invited(invitee)
        if invitee.team is not None:
            membership_set(team=invitee.team, user=person, role=invitee.role, by=by)
        sent.append(
            _invitation_issue(
                email=invitee.email,
                name=invitee.name,
                team=invitee.team,
                role=invitee.role,
                person=person,
                by=by,
            )
        )
        event_record(
            kind=Event.Kind.PERSON,
            action="invited",
            subject=person.get_username(),
            by=by,
            summary=invitee.email
            + (f", {invitee.role} of {invitee.team.key}" if invitee.team else ""),
        )
    return sent


def _person_invited(invitee: Invitee) -> User:
    """A new account for an invitee: their e-mail is their username, and they have
    no password until they accept."""
    first_name, _, last_name = invitee.name.partition(" ")
    person = User(
        username=invitee.email.lower(),
        email=invitee.email,
        first_name=first_name[:150],
        last_name=last_name[:150],
    )
    person.set_unusable_password()
    person.full_clean()
    person.save()
    return person


def _invitation_issue(
    *, email: str, name: str, team: Team | None, role: str, person: User, by: User
) -> SentInvitation:
    token = secrets.token_urlsafe(32)  # 256 random bits
    invitation = Invitation.objects.create(
        email=email,
        name=name,
        team=team,
        role=role,
        user=person,
        digest=token_digest(token),
        invited_by=by,
        expires_at=timezone.now()
        + dt.timedelta(days=int(settings.DRUMBEAT_INVITATION_DAYS)),
    )
    link = settings.DRUMBEAT_BASE_URL + reverse("invitation-accept", args=[token])
    return SentInvitation(invitation=invitation, link=link)


def _invitation_mail(sent: SentInvitation) -> None:
    invitation = sent.invitation
    organisation = Organisation.objects.first()
    context = {
        "invitation": invitation,
        "link": sent.link,
        "organisation": organisation.name if organisation else "Drumbeat",
        "inviter": person_display_name(invitation.invited_by, "An admin"),
    }
    subject = "{inviter} invites you to {organisation} on Drumbeat".format(**context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("accounts/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("accounts/email/invitation.html", context), "text/html"
    )
    message.send()


def invitation_resend(*, invitation: Invitation, by: User) -> SentInvitation:
    """Send a pending invitation again with a new link; the old link stops
    working."""
    require_admin(by, INVITING_REFUSAL)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None or invitation.revoked_at is not None:
            raise ValidationError(
                invitation_refusal(invitation).replace("This invitation", "It")
            )
        count = invitation_mails_recent(invitation.email, timezone.now())
        if count >= mails_per_hour():
            raise ValidationError(
                TOO_MANY_MAILS.format(
                    line=1, email=invitation.email, count=count
                ).removeprefix("line 1: ")
            )
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        assert invitation.user is not None
        sent = _invitation_issue(
            email=invitation.email,
            name=invitation.name,
            team=invitation.team,
            role=invitation.role,
            person=invitation.user,
            by=by,
        )
        event_record(
            kind=Event.Kind.PERSON,
            action="invitation resent",
            subject=invitation.user.get_username(),
            by=by,
            summary=invitation.email,
        )
    _invitation_mail(sent)
    return sent


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """Withdraw a pending invitation: its link stops working (the account stays,
    with no password)."""
    require_admin(by, INVITING_REFUSAL)
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        event_record(
            kind=Event.Kind.PERSON,
            action="invitation revoked",
            subject=invitation.user.get_username() if invitation.user else "",
            by=by,
            summary=invitation.email,
        )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> User:
    """Accept an invitation: its person's password is set (the caller checked it
    against the password rules) and the link is used up. Refused (ValidationError)
    when the invitation has expired, been used or been withdrawn meanwhile."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=invitation.pk)
    )
    refusal = invitation_refusal(invitation)
    if refusal:
        raise ValidationError(refusal)
    person = invitation.user
    if person is None or not person.is_active:
        raise PermissionDenied(NOT_FOUND)
    person.set_password(password)
    person.save(update_fields=["password"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    event_record(
        kind=Event.Kind.PERSON,
        action="invitation accepted",
        subject=person.get_username(),
        by=person,
        summary=invitation.email,
    )
    return person
