"""What each message says: the reads behind reminders and digests, scoped to one
person or one team.

Kept apart from the review app's agendas on purpose (small queries over
KPIStatus, KeyResult and Investigation), so that they can be pointed at
`review.selectors` once those exist; each returns plain `Line`s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Max, Q, QuerySet
from django.urls import reverse

from drumbeat.accounts.models import Profile, Team
from drumbeat.accounts.selectors import person_display_name
from drumbeat.core.display import format_percent
from drumbeat.core.health import reading_due
from drumbeat.core.model import Cadence, Reading
from drumbeat.core.reminders import check_in_overdue
from drumbeat.kpis.models import KPI
from drumbeat.notifications.models import Notification
from drumbeat.okrs.models import Cycle, KeyResult
from drumbeat.okrs.selectors import active_cycles
from drumbeat.review.models import Investigation

PREFERENCE: dict[str, str] = {
    Notification.Kind.CHECK_IN_REMINDER: "email_check_in_reminders",
    Notification.Kind.READING_REMINDER: "email_reading_reminders",
    Notification.Kind.DIGEST: "email_digest",
}
"""The Profile toggle that turns each kind of e-mail on or off."""


@dataclass(frozen=True, slots=True)
class Line:
    """One item of a message: what, its state in words, its page (absolute)."""

    kind: str  # "kpi", "key_result", "investigation"
    key: str
    name: str
    state: str
    owner: str
    url: str


def absolute(path: str) -> str:
    return str(settings.DRUMBEAT_BASE_URL) + path


def person_name(user: User | None) -> str:
    return person_display_name(user)


# --- Who: people and their schedule -----------------------------------------------


def recipients() -> QuerySet[User]:
    """Active people with an e-mail address, with their profile and teams."""
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .select_related("profile")
        .prefetch_related("memberships__team")
        .order_by("pk")
    )


def home_team(user: User) -> Team | None:
    """The team whose check-in day a person's messages follow: their first
    membership's (a team not archived), else none (Monday 09:00, the server's)."""
    teams = [
        m.team
        for m in sorted(user.memberships.all(), key=lambda m: m.pk)
        if m.team.archived_at is None
    ]
    return teams[0] if teams else None


def profile_of(user: User) -> Profile | None:
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def wants(user: User, kind: str) -> bool:
    """Whether the person takes this kind by e-mail (no profile: every kind)."""
    profile = profile_of(user)
    return profile is None or bool(getattr(profile, PREFERENCE[kind]))


# --- What: each person's items ------------------------------------------------------


def _key_results(cycles: Iterable[Cycle]) -> QuerySet[KeyResult]:
    return (
        KeyResult.objects.filter(
            objective__cycle__in=list(cycles),
            archived_at__isnull=True,
            objective__archived_at__isnull=True,
        )
        .select_related("objective", "owner")
        .annotate(
            last_check_in=Max(
                "checkins__at", filter=Q(checkins__archived_at__isnull=True)
            )
        )
        .order_by("objective__position", "objective__pk", "position", "pk")
    )


def _check_in_url(kr: KeyResult) -> str:
    return absolute(reverse("check-in", args=[kr.objective.key, kr.key]))


def _kr_state(kr: KeyResult, on: dt.date) -> str:
    score = "no score yet" if kr.score is None else f"score {format_percent(kr.score)}"
    last: dt.date | None = getattr(kr, "last_check_in", None)
    if last is None:
        return f"{score}; never checked in"
    return f"{score}; last check-in {(on - last).days} days ago ({last.isoformat()})"


def _kr_line(kr: KeyResult, on: dt.date) -> Line:
    return Line(
        kind="key_result",
        key=kr.key,
        name=kr.title or kr.key,
        state=_kr_state(kr, on),
        owner=person_name(kr.owner) or kr.owner_name,
        url=_check_in_url(kr),
    )


def check_ins_due(user: User, on: dt.date) -> list[Line]:
    """The KRs of active cycles the person owns or has checked in on whose last
    check-in (anyone's) is 7 days old or more, or that have none."""
    krs = _key_results(active_cycles(on)).filter(
        Q(owner=user) | Q(checkins__by=user, checkins__archived_at__isnull=True)
    )
    seen: set[int] = set()
    lines = []
    for kr in krs:
        if kr.pk in seen:
            continue
        seen.add(kr.pk)
        if check_in_overdue(kr.last_check_in, on):  # type: ignore[attr-defined]
            lines.append(_kr_line(kr, on))
    return lines


def _kpi_url(kpi: KPI) -> str:
    return absolute(reverse("kpi-detail", args=[kpi.key]))


def readings_due(user: User, on: dt.date) -> list[Line]:
    """The manual KPIs (no data source) the person owns whose next reading is due
    (`core.health.reading_due`)."""
    lines = []
    kpis = (
        KPI.objects.filter(owner=user, archived_at__isnull=True)
        .exclude(cadence="")
        .select_related("status")
        .order_by("position", "pk")
    )
    for kpi in kpis:
        if kpi.source:
            continue
        status = getattr(kpi, "status", None)
        latest = (
            Reading(status.latest_day, status.latest_value or 0.0)
            if status is not None and status.latest_day is not None
            else None
        )
        if reading_due(Cadence(kpi.cadence), latest, on):
            when = latest.at.isoformat() if latest else "never"
            lines.append(
                Line(
                    kind="kpi",
                    key=kpi.key,
                    name=kpi.name,
                    state=f"{kpi.cadence} reading due; last reading: {when}",
                    owner=person_name(user),
                    url=_kpi_url(kpi),
                )
            )
    return lines


def _kpi_exception(kpi: KPI) -> str | None:
    """The KPI's exception in words (red, amber, signalling, stale), or None."""
    status = getattr(kpi, "status", None)
    if status is None:
        return None
    words = []
    if status.health in ("red", "amber"):
        words.append(status.health)
    if status.signals:
        words.append("signalling")
    if status.stale:
        words.append("stale")
    return ", ".join(words) or None


def _kpi_exceptions(kpis: QuerySet[KPI]) -> list[Line]:
    lines = []
    for kpi in kpis.select_related("status", "owner").order_by("position", "pk"):
        state = _kpi_exception(kpi)
        if state is not None:
            lines.append(
                Line(
                    kind="kpi",
                    key=kpi.key,
                    name=kpi.name,
                    state=state,
                    owner=person_name(kpi.owner) or kpi.owner_name,
                    url=_kpi_url(kpi),
                )
            )
    return lines


def digest(user: User, on: dt.date) -> list[Line]:
    """The person's agenda: their KPIs that are red, amber, signalling or stale;
    their KRs of active cycles with scores; their open investigations."""
    lines = _kpi_exceptions(KPI.objects.filter(owner=user, archived_at__isnull=True))
    lines += [
        _kr_line(kr, on) for kr in _key_results(active_cycles(on)).filter(owner=user)
    ]
    for investigation in (
        Investigation.objects.filter(assignee=user, closed_at__isnull=True)
        .select_related("kpi")
        .order_by("due", "pk")
    ):
        overdue = " (overdue)" if investigation.due < on else ""
        lines.append(
            Line(
                kind="investigation",
                key=investigation.kpi.key,
                name=f"Investigate {investigation.kpi.name}",
                state=f"due {investigation.due.isoformat()}{overdue}",
                owner=person_name(user),
                url=_kpi_url(investigation.kpi),
            )
        )
    return lines


def team_agenda(team: Team, on: dt.date) -> list[Line]:
    """A team's week for its channel: its KPIs' exceptions, then its KRs of
    active cycles with scores."""
    lines = _kpi_exceptions(KPI.objects.filter(team=team, archived_at__isnull=True))
    lines += [
        _kr_line(kr, on)
        for kr in _key_results(active_cycles(on)).filter(objective__team=team)
    ]
    return lines


def teams_scheduled() -> QuerySet[Team]:
    """The teams whose check-in day sends a digest to the webhooks."""
    return Team.objects.filter(archived_at__isnull=True).order_by("pk")


def failures() -> QuerySet[Notification]:
    """Messages that failed or wait for another try, newest first (admins)."""
    return (
        Notification.objects.filter(
            Q(status=Notification.Status.FAILED)
            | Q(status=Notification.Status.QUEUED, attempts__gt=0)
        )
        .select_related("user", "team")
        .order_by("-created_at", "-pk")
    )


def recent() -> QuerySet[Notification]:
    return Notification.objects.exclude(
        status=Notification.Status.SKIPPED
    ).select_related("user", "team")
