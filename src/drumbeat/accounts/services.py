"""Writes about people and their roles."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from zoneinfo import available_timezones

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from drumbeat.accounts.models import ApiToken, Membership, Profile, Team
from drumbeat.accounts.selectors import profile_of, team_ancestor_ids
from drumbeat.audit.models import Event
from drumbeat.audit.services import (
    archived_set,
    change_record,
    event_record,
    values_of,
)
from drumbeat.common.busy import short_lock_wait
from drumbeat.common.guards import is_admin

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str


@transaction.atomic
def demo_users_create(*, editor_team: str, owner_name: str) -> list[DemoUser]:
    """One user per role, each with a fresh random password (printed by the
    caller): safe to run again, the passwords change each time. The caller gives
    `owner` the KPIs of `owner_name` (`kpis_owner_assign`)."""
    team = Team.objects.get(key=editor_team)
    made = []
    for username, role in (
        ("admin", "admin: manages people, teams, cycles and the KPI dictionary"),
        ("editor", f"editor of team {team.key}: writes its OKRs and checks in"),
        ("owner", f"owner of {owner_name}'s KPIs: edits them, records readings"),
        ("viewer", "viewer: reads everything"),
    ):
        user, _ = User.objects.get_or_create(username=username)
        password = _new_password(user)
        user.set_password(password)
        user.is_staff = user.is_superuser = username == "admin"
        user.save()
        made.append(DemoUser(username, password, role))
    Membership.objects.update_or_create(
        user=User.objects.get(username="editor"),
        team=team,
        defaults={"role": Membership.Role.EDITOR},
    )
    Membership.objects.update_or_create(
        user=User.objects.get(username="viewer"),
        team=team,
        defaults={"role": Membership.Role.VIEWER},
    )
    return made


# --- People and teams, as an admin manages them -----------------------------------

USERNAME_TAKEN = "Someone already has the username “{username}”."
ONE_ROLE_PER_TEAM = "One role per team: {teams} cannot be both editor and viewer."
SELF_DEMOTION = "You cannot remove your own admin rights; ask another admin."
SELF_DEACTIVATION = "You cannot deactivate yourself; ask another admin."
SELF_RESET = "Change your own password on the password page instead."
TEAM_KEY_TAKEN = "Another team already has the key “{key}”."
TEAM_CYCLE = (
    "{parent} is {team} itself or one of its sub-teams: a team cannot sit under itself."
)

# As the Django admin names them in its log.
PERSON_FIELD_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email address",
    "is_staff": "Staff status",
    "is_superuser": "Superuser status",
    "is_active": "Active",
}
# Password length in random bytes: 12 give 16 URL-safe characters, 96 bits.
PASSWORD_BYTES = 12


def _new_password(person: User) -> str:
    """A random password for `person` that the password rules accept (as one
    made by the system must; a random one fails them only by a fluke, such as all
    digits, and is then made again)."""
    while True:
        password = secrets.token_urlsafe(PASSWORD_BYTES)
        try:
            validate_password(password, person)
        except ValidationError:
            continue
        return password


@dataclass(frozen=True)
class OneTimePassword:
    """A person and the password to give them: shown once, kept only as a hash."""

    user: User
    password: str


def _log_person(*, by: User, person: User, flag: int, fields: list[str]) -> None:
    """Keep who added or changed a person in Django's admin log, in the admin's
    own message format, so the admin's history page of the user shows it too."""
    message: list[dict[str, Any]] = (
        [{"added": {}}] if flag == ADDITION else [{"changed": {"fields": fields}}]
    )
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=[person],
        action_flag=flag,
        change_message=message,
        single_object=True,
    )
    event_record(
        kind=Event.Kind.PERSON,
        action="added" if flag == ADDITION else "changed",
        subject=person.get_username(),
        by=by,
        summary=", ".join(fields),
    )


def _attributed(row: Team | Membership, by: User) -> None:
    """Name `by` in the history row the next save or delete of `row` writes."""
    row._history_user = by  # type: ignore[union-attr]


def _membership_put(*, team: Team, user: User, role: str, by: User) -> Membership:
    if role not in Membership.Role.values:
        raise ValueError(f"A role is editor or viewer, not {role!r}.")
    membership = Membership.objects.filter(team=team, user=user).first()
    if membership is None:
        membership = Membership(team=team, user=user)
    elif membership.role == role:
        return membership  # nothing changed: no history row
    was = membership.role or None
    membership.role = role
    _attributed(membership, by)
    membership.save()
    event_record(
        kind=Event.Kind.ROLE,
        action="set",
        subject=f"{user.get_username()} in {team.key}",
        by=by,
        summary=f"role {was or '—'} → {role}",
    )
    return membership


@transaction.atomic
def person_create(
    *,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_admin: bool = False,
    editor_of: Iterable[Team] = (),
    viewer_of: Iterable[Team] = (),
    by: User,
) -> OneTimePassword:
    """Add a person with a random password, to be given to them once; optionally
    an editor or viewer of some teams. Nothing is written if anything is wrong."""
    username = username.strip()
    editor_teams, viewer_teams = list(editor_of), list(viewer_of)
    both = sorted({t.name for t in editor_teams} & {t.name for t in viewer_teams})
    if both:
        raise ValidationError(
            {"viewer_of": ONE_ROLE_PER_TEAM.format(teams=", ".join(both))}
        )
    # Usernames differing only in case are refused too: people would mix them up.
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": USERNAME_TAKEN.format(username=username)})
    person = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=is_admin,
        is_superuser=is_admin,
    )
    password = _new_password(person)
    person.set_password(password)
    person.full_clean()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # added by someone else since the check above
        raise ValidationError(
            {"username": USERNAME_TAKEN.format(username=username)}
        ) from None
    for team in editor_teams:
        _membership_put(team=team, user=person, role=Membership.Role.EDITOR, by=by)
    for team in viewer_teams:
        _membership_put(team=team, user=person, role=Membership.Role.VIEWER, by=by)
    _log_person(by=by, person=person, flag=ADDITION, fields=[])
    return OneTimePassword(person, password)


@transaction.atomic
def person_update(
    *,
    person: User,
    first_name: str,
    last_name: str,
    email: str,
    is_admin: bool,
    is_active: bool,
    by: User,
) -> User:
    """Change a person's name, email, admin rights or whether they may sign in
    (people are deactivated, never deleted: their history stays theirs). An admin
    cannot demote or deactivate themselves, so there is always an admin left."""
    problems: dict[str, str] = {}
    if person.pk == by.pk and person.is_staff and not is_admin:
        problems["is_admin"] = SELF_DEMOTION
    if person.pk == by.pk and not is_active:
        problems["is_active"] = SELF_DEACTIVATION
    if problems:
        raise ValidationError(problems)
    values = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "is_staff": is_admin,
        "is_superuser": is_admin,
        "is_active": is_active,
    }
    changed = [name for name, value in values.items() if getattr(person, name) != value]
    if not changed:
        return person
    for name in changed:
        setattr(person, name, values[name])
    person.full_clean()
    person.save(update_fields=changed)
    _log_person(
        by=by,
        person=person,
        flag=CHANGE,
        fields=[PERSON_FIELD_LABELS[name] for name in changed],
    )
    return person


@transaction.atomic
def person_password_reset(*, person: User, by: User) -> OneTimePassword:
    """Give a person a new random password, to be handed to them once; the old
    one stops working and their open sessions end."""
    if person.pk == by.pk:
        raise ValidationError(SELF_RESET)
    password = _new_password(person)
    person.set_password(password)
    person.save(update_fields=["password"])
    _log_person(by=by, person=person, flag=CHANGE, fields=["password"])
    return OneTimePassword(person, password)


@transaction.atomic
def team_save(
    *, team: Team | None, key: str, name: str, parent: Team | None, by: User
) -> Team:
    """Create a team (`team` None) or change one; a team cannot sit under itself
    or one of its sub-teams. Kept in the team's history with `by`."""
    others = Team.objects.filter(key=key)
    if team is not None:
        others = others.exclude(pk=team.pk)
    if others.exists():
        raise ValidationError({"key": TEAM_KEY_TAKEN.format(key=key)})
    row = team or Team()
    before = None if team is None else _team_values(team)
    if (
        row.pk is not None
        and parent is not None
        and row.pk in [parent.pk, *team_ancestor_ids(parent)]
    ):
        raise ValidationError(
            {"parent": TEAM_CYCLE.format(parent=parent.name, team=row.name)}
        )
    row.key, row.name, row.parent = key, name, parent
    row.full_clean()
    _attributed(row, by)
    row.save()
    change_record(
        kind=Event.Kind.TEAM,
        subject=row.key,
        by=by,
        before=before,
        after=_team_values(row),
    )
    return row


TEAM_ARCHIVE_REFUSAL = "Only admins archive or restore teams."


@transaction.atomic
def team_archive(*, team: Team, by: User | None, reason: str = "") -> Team:
    """Take a team off the teams lists and choices, its members, OKRs and
    history kept and its page still reachable (`by` None: a command)."""
    _team_archived(team, True, by, reason)
    return team


@transaction.atomic
def team_restore(*, team: Team, by: User | None) -> Team:
    """Bring an archived team back."""
    _team_archived(team, False, by, "")
    return team


def _team_archived(team: Team, archived: bool, by: User | None, reason: str) -> None:
    if by is not None and not is_admin(by):
        raise PermissionDenied(TEAM_ARCHIVE_REFUSAL)
    archived_set(
        row=team,
        archived=archived,
        by=by,
        kind=Event.Kind.TEAM,
        subject=team.key,
        reason=reason,
    )


def _team_values(team: Team) -> dict[str, str]:
    return {
        "key": team.key,
        "name": team.name,
        "parent": team.parent.key if team.parent else "",
    }


@transaction.atomic
def membership_set(*, team: Team, user: User, role: str, by: User) -> Membership:
    """Make `user` an editor or a viewer of `team` (added, or their role changed).
    Kept in the membership's history with `by`."""
    return _membership_put(team=team, user=user, role=role, by=by)


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Take a person out of a team. Kept in the membership's history with `by`."""
    _attributed(membership, by)
    event_record(
        kind=Event.Kind.ROLE,
        action="removed",
        subject=f"{membership.user.get_username()} in {membership.team.key}",
        by=by,
        summary=f"was {membership.role}",
    )
    membership.delete()


TOKEN_PREFIX = "dbt_"


def token_digest(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the row, and the token itself, which is shown only once."""

    token: ApiToken
    secret: str


@transaction.atomic
def token_create(
    *,
    user: User,
    name: str,
    scopes: Iterable[str],
    expires_at: dt.datetime | None,
) -> IssuedToken:
    """Issue a personal API token. A scope narrows what the token may do; it never
    widens the person's role (an `admin`-scoped token of a viewer still only
    reads)."""
    chosen = sorted(set(scopes))
    known = {scope.value for scope in ApiToken.Scope}
    unknown = [scope for scope in chosen if scope not in known]
    if unknown:
        raise ValidationError(
            {"scopes": f"unknown scope {unknown[0]!r}: use {', '.join(sorted(known))}"}
        )
    if not chosen:
        raise ValidationError({"scopes": "choose at least one scope"})
    if not name.strip():
        raise ValidationError({"name": "name the token after what will use it"})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "the expiry must be in the future"})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=token_digest(secret),
        scopes=chosen,
        expires_at=expires_at,
    )
    event_record(
        kind=Event.Kind.TOKEN,
        action="created",
        subject=f"{user.get_username()}: {token.name}",
        by=user,
        summary=(
            f"scopes {', '.join(chosen)}; "
            + (f"expires {expires_at:%Y-%m-%d}" if expires_at else "no expiry")
        ),
    )
    return IssuedToken(token=token, secret=secret)


def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke a token at once: its owner or an admin."""
    if token.user_id != by.pk and not by.is_staff:
        raise PermissionDenied("Only the token's owner or an admin revokes it.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        event_record(
            kind=Event.Kind.TOKEN,
            action="revoked",
            subject=f"{token.user.get_username()}: {token.name}",
            by=by,
        )
    return token


def token_authenticate(secret: str) -> ApiToken | None:
    """The live token for a secret (not revoked, not expired, its person active),
    with its last use recorded (at most once a minute, to spare writes)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(secret), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        _last_use_record(token, now)
    return token


def _last_use_record(token: ApiToken, now: dt.datetime) -> None:
    """Note when a token was last used, at once (not in the request's write),
    and never at the cost of the request: a busy database skips it until the
    next request a minute on."""
    try:
        with short_lock_wait():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except OperationalError:
        return
    token.last_used_at = now


# --- Signing in -------------------------------------------------------------------


@transaction.atomic
def person_create_at_sign_in(*, email: str, first_name: str, last_name: str) -> User:
    """Add a person at their first single sign-on (when accounts may be made so):
    their username is their e-mail address, and they have no password (they sign
    in with the provider). Logged as added by themselves."""
    username = email.strip().lower()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": USERNAME_TAKEN.format(username=username)})
    person = User(
        username=username,
        email=email.strip(),
        first_name=first_name,
        last_name=last_name,
    )
    person.set_unusable_password()
    person.full_clean()
    person.save()
    _log_person(by=person, person=person, flag=ADDITION, fields=[])
    return person


def lockout_clear(*, kind: str, who: str, by: User) -> int:
    """Let a locked-out account (a username) or address sign in again at once:
    its failed sign-ins are forgotten. Returns how many records went."""
    if kind == "account":
        cleared = AxesProxyHandler.reset_attempts(username=who)
    elif kind == "address":
        cleared = AxesProxyHandler.reset_attempts(ip_address=who)
    else:
        raise ValueError(f"A lockout is of an account or an address, not {kind!r}.")
    logger.info("%s unlocked the %s %s", by.get_username(), kind, who)
    event_record(
        kind=Event.Kind.PERSON,
        action=f"{kind} unlocked",
        subject=who,
        by=by,
        summary=f"{int(cleared)} failed sign-in record(s) forgotten",
    )
    return int(cleared)


def sessions_clear_daily(*, now: dt.datetime | None = None) -> bool:
    """Delete the sessions that have ended, once a day (the worker asks at every
    tick): when some session ended before today began. True when it cleared."""
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if not Session.objects.filter(expire_date__lt=today).exists():
        return False
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return True


# --- A person's own settings ------------------------------------------------------

PROFILE_FIELDS = (
    "time_zone",
    "email_check_in_reminders",
    "email_reading_reminders",
    "email_digest",
)
PERSON_OWN_FIELDS = ("first_name", "last_name", "email")
UNKNOWN_TIME_ZONE = "'{zone}' is not a time zone: choose one from the list."


@transaction.atomic
def profile_update(*, person: User, values: dict[str, Any], by: User) -> Profile:
    """Change a person's own settings: their name and e-mail address (the account's)
    and their time zone and e-mail preferences (the profile, created on first
    save). A person changes only their own; admins anyone's. Kept in the audit
    log and the profile's history."""
    if person.pk != by.pk and not is_admin(by):
        raise PermissionDenied("People change only their own settings.")
    zone = values.get("time_zone", "")
    if zone and zone not in available_timezones():
        raise ValidationError({"time_zone": UNKNOWN_TIME_ZONE.format(zone=zone)})
    profile = profile_of(person)
    before = _own_settings(person, profile)
    for name in PERSON_OWN_FIELDS:
        if name in values:
            setattr(person, name, values[name])
    for name in PROFILE_FIELDS:
        if name in values:
            setattr(profile, name, values[name])
    person.full_clean()
    person.save(update_fields=list(PERSON_OWN_FIELDS))
    setattr(profile, "_history_user", by)  # noqa: B010
    profile.save()
    change_record(
        kind=Event.Kind.PERSON,
        subject=person.username,
        by=by,
        before=before,
        after=_own_settings(person, profile),
    )
    return profile


def _own_settings(person: User, profile: Profile) -> dict[str, Any]:
    own = values_of(person, PERSON_OWN_FIELDS)
    return {**own, **values_of(profile, PROFILE_FIELDS)}
