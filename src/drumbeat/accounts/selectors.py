"""Who may change what. Everyone signed in may read everything."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from drumbeat.accounts.lockouts import account_limit, address_limit, cool_off
from drumbeat.accounts.models import ApiToken, Membership, Profile, Team
from drumbeat.common.guards import is_admin

AnyUser = AbstractBaseUser | AnonymousUser


def can_edit_team_okrs(user: AnyUser, team: Team | None) -> bool:
    """A team's editors write its objectives and KRs and check in; so do admins."""
    if is_admin(user):
        return True
    if team is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user_id=user.pk, team=team, role=Membership.Role.EDITOR
    ).exists()


# --- People and teams, as an admin manages them -----------------------------------


def people_list(search: str = "") -> QuerySet[User]:
    """Everyone, by username, with their memberships and owned KPIs prefetched:
    a constant number of queries however many people there are."""
    people = User.objects.order_by("username").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("team").order_by("team__name"),
        ),
        "owned_kpis",
    )
    if search:
        people = people.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
    return people


def person_memberships(person: User) -> QuerySet[Membership]:
    return person.memberships.select_related("team").order_by("team__name")


def person_history(person: User, limit: int = 50) -> list[LogEntry]:
    """Who added or changed a person and when, newest first (the admin log: the
    same entries the Django admin writes)."""
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User),
            object_id=str(person.pk),
        )
        .select_related("user")
        .order_by("-action_time")[:limit]
    )


@dataclass(frozen=True)
class TeamNode:
    """A team in the tree, at `depth` below the top (0), with its people."""

    team: Team
    depth: int
    editors: list[User]
    viewers: list[User]


def team_tree(*, archived: bool = False) -> list[TeamNode]:
    """Every team in tree order (each under its parent, siblings by name), with
    members and their people prefetched: two queries for any number of teams.
    Archived teams are left out unless `archived`."""
    shown = Team.objects.all() if archived else Team.objects.filter(archived_at=None)
    teams = list(
        shown.select_related("parent")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("user").order_by(
                    "role", "user__username"
                ),
            )
        )
        .order_by("name")
    )
    children: dict[int | None, list[Team]] = {}
    for team in teams:
        children.setdefault(team.parent_id, []).append(team)
    nodes: list[TeamNode] = []
    placed: set[int] = set()

    def place(team: Team, depth: int) -> None:
        if team.pk in placed:  # a loop in the data: list each team once
            return
        placed.add(team.pk)
        members = list(team.memberships.all())
        nodes.append(
            TeamNode(
                team,
                depth,
                editors=[m.user for m in members if m.role == Membership.Role.EDITOR],
                viewers=[m.user for m in members if m.role == Membership.Role.VIEWER],
            )
        )
        for child in children.get(team.pk, []):
            place(child, depth + 1)

    for team in children.get(None, []):
        place(team, 0)
    for team in teams:  # teams in a loop of parents have no top: list them anyway
        place(team, 0)
    return nodes


def team_ancestor_ids(team: Team) -> list[int]:
    """The ids of the teams above `team`, nearest first (one query)."""
    parents = dict(Team.objects.values_list("id", "parent_id"))
    ancestors: list[int] = []
    parent_id = parents.get(team.pk)
    while parent_id is not None and parent_id not in ancestors:
        ancestors.append(parent_id)
        parent_id = parents.get(parent_id)
    return ancestors


def team_members(team: Team) -> QuerySet[Membership]:
    return team.memberships.select_related("user").order_by("role", "user__username")


def team_changes(team: Team, limit: int = 50) -> list[dict[str, Any]]:
    """Who changed a team or its members and when, newest first."""
    kinds = {"+": "added", "~": "changed", "-": "removed"}
    changes = [
        {
            "at": row.history_date,
            "by": row.history_user,
            "what": (
                f"team {kinds[row.history_type]}: {row.name} ({row.key})"
                f"{', under ' + row.parent.name if row.parent else ''}"
            ),
        }
        for row in Team.history.filter(id=team.pk)
        .select_related("history_user", "parent")
        .order_by("-history_date")[:limit]
    ]
    changes += [
        {
            "at": row.history_date,
            "by": row.history_user,
            "what": {
                "+": f"{row.user.get_username()} added as {row.role}",
                "~": f"{row.user.get_username()} now {row.role}",
                "-": f"{row.user.get_username()} removed",
            }[row.history_type],
        }
        for row in Membership.history.filter(team_id=team.pk)
        .select_related("history_user", "user")
        .order_by("-history_date")[:limit]
    ]
    return sorted(changes, key=lambda change: change["at"], reverse=True)[:limit]


def active_usernames() -> list[str]:
    """Usernames of the people who may sign in, for picking a team's members."""
    return list(
        User.objects.filter(is_active=True)
        .order_by("username")
        .values_list("username", flat=True)
    )


# --- Personal API tokens ----------------------------------------------------------


def tokens_of(user: User, now: dt.datetime | None = None) -> QuerySet[ApiToken]:
    """A person's own API tokens, newest first, revoked and expired ones too, each
    with its `state` (revoked, expired or active, as `token_authenticate` judges
    it): one query."""
    return (
        ApiToken.objects.filter(user_id=user.pk)
        .annotate(
            state=Case(
                When(revoked_at__isnull=False, then=Value("revoked")),
                When(expires_at__lte=now or timezone.now(), then=Value("expired")),
                default=Value("active"),
                output_field=CharField(),
            )
        )
        .order_by("-created_at", "-id")
    )


def tokens_active(now: dt.datetime | None = None) -> QuerySet[ApiToken]:
    """Everyone's live tokens (neither revoked nor expired) with their person, by
    username then newest first, for admins to oversee (one query)."""
    now = now or timezone.now()
    return (
        ApiToken.objects.filter(revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("user")
        .order_by("user__username", "-created_at", "-id")
    )


# --- Signing in -------------------------------------------------------------------


def people_with_email(email: str) -> list[User]:
    """The people with an e-mail address (letter case aside), active or not: whom
    a single sign-on with that verified address may be (one query)."""
    return list(User.objects.filter(email__iexact=email.strip()).order_by("pk"))


@dataclass(frozen=True)
class Lockout:
    """An account or an address refused sign-ins until `until`."""

    kind: str  # "account" or "address"
    who: str
    failures: int
    until: dt.datetime


def sign_in_lockouts(now: dt.datetime | None = None) -> list[Lockout]:
    """The accounts and addresses locked out now, by when they are let in again:
    those whose failures in the cool-off reach their limit (`accounts.lockouts`).
    Two queries."""
    now = now or timezone.now()
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - cool_off())
    lockouts = [
        Lockout(kind, str(row[field]), row["failures"], row["last"] + cool_off())
        for kind, field, limit in (
            ("account", "username", account_limit()),
            ("address", "ip_address", address_limit()),
        )
        for row in recent.exclude(**{f"{field}__isnull": True})
        .order_by()
        .values(field)
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=limit)
    ]
    return sorted(lockouts, key=lambda lockout: (lockout.until, lockout.who))


# --- People as owners ---------------------------------------------------------------


def person_display_name(user: User | None, nobody: str = "") -> str:
    """How a person is shown and written as an owner: full name, else username;
    `nobody` for no account (one deleted since, or a command)."""
    if user is None:
        return nobody
    return user.get_full_name() or user.get_username()


def people_active() -> QuerySet[User]:
    """The people who may own things: active accounts, by name then username."""
    return User.objects.filter(is_active=True).order_by(
        "first_name", "last_name", "username"
    )


PICKED = re.compile(r".*<(?P<email>[^<>@\s]+@[^<>\s]+)>")


class PersonIndex:
    """Active people, read once, matched to the owner text of a file or a form.

    Matching rules (one place for every way in): an e-mail address matches the
    one account with that address, case-insensitively; a name matches the one
    account whose full name is exactly it; with `usernames`, a username matches
    its account. Several accounts matching: no match (a guess would hand
    someone else's KPI over)."""

    def __init__(self, people: Iterable[User] | None = None) -> None:
        self.by_email: dict[str, list[User]] = {}
        self.by_name: dict[str, list[User]] = {}
        self.by_username: dict[str, User] = {}
        for person in people_active() if people is None else people:
            if person.email:
                self.by_email.setdefault(person.email.casefold(), []).append(person)
            if person.get_full_name():
                self.by_name.setdefault(person.get_full_name(), []).append(person)
            self.by_username[person.username] = person

    def match(self, text: str, *, usernames: bool = False) -> User | None:
        """The one person `text` names (see the class), or None."""
        text = text.strip()
        picked = PICKED.fullmatch(text)  # "Full Name <e-mail>", as the picker lists
        if picked:
            text = picked["email"]
        if not text:
            return None
        if usernames and text in self.by_username:
            return self.by_username[text]
        found = (
            self.by_email.get(text.casefold(), [])
            if "@" in text
            else self.by_name.get(text, [])
        )
        return found[0] if len(found) == 1 else None


def person_choice(person: User) -> str:
    """A person as the person picker lists them: "Full Name <e-mail>"."""
    name = person_display_name(person)
    return f"{name} <{person.email}>" if person.email else name


OWNER_HELP = (
    "the owner: a person's username or e-mail address (or full name); "
    "blank or null: no owner"
)
UNKNOWN_PERSON = "no active person has the username or e-mail address '{text}'"


def owner_values(
    text: str | None, people: PersonIndex | None = None, *, field: str | None = None
) -> dict[str, Any]:
    """The owner fields that an owner written in a file, a form or a request sets:
    the account it names (a username too), with `owner_name` following its display
    name; else no account and the text as written. With `field` (the API), a text
    that names no one is refused: a ValidationError naming `field`."""
    text = (text or "").strip()
    person = (people or PersonIndex()).match(text, usernames=True) if text else None
    if person is not None:
        return {"owner_id": person.pk, "owner_name": person_display_name(person)}
    if text and field is not None:
        raise ValidationError({field: UNKNOWN_PERSON.format(text=text)})
    return {"owner_id": None, "owner_name": text}


def owner_assign(row: Any, values: dict[str, Any]) -> None:
    """Set an owned row's owner (a KPI, objective or KR, unsaved) from a service's
    `values`: the account given as `owner_id`, else the one `owner_name` names when
    it is new or changed (`owner_values`); unchanged, the owner stays."""
    if "owner_id" in values:
        row.owner_id = values["owner_id"]
        row.owner_name = values.get("owner_name", row.owner_name)
    elif row.pk is None or values["owner_name"] != row.owner_name:
        for name, value in owner_values(values["owner_name"]).items():
            setattr(row, name, value)


def person_match(text: str, *, usernames: bool = False) -> User | None:
    """The one active person `text` names (`PersonIndex.match`), or None."""
    return PersonIndex().match(text, usernames=usernames)


def profile_of(user: User) -> Profile:
    """A person's profile; an unsaved default when they have none yet (no write on
    a read: `profile_update` saves it)."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        return Profile(user=user)
