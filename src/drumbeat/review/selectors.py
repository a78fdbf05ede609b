"""Reads of the KPI review: the agenda (exceptions in meeting order, each with its
owner, since when, why in words, the KRs that read it, what the last review said
and who investigates), the investigations, and who may act at a review."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import F, QuerySet
from django.utils import timezone

from drumbeat.accounts.models import Membership
from drumbeat.accounts.selectors import AnyUser, person_display_name
from drumbeat.common.guards import is_admin
from drumbeat.core.cycles import CycleStanding
from drumbeat.core.health import assess_kpi
from drumbeat.core.model import Health
from drumbeat.core.review_cadence import (
    more_frequent_review_reason,
    next_review_day,
    review_due,
)
from drumbeat.core.rhythm import (
    ReviewBucket,
    agenda_reasons,
    exception_since,
    review_bucket,
    review_rank,
)
from drumbeat.kpis.models import KPI
from drumbeat.kpis.selectors import kpis_filtered
from drumbeat.okrs.models import Cycle, KeyResult
from drumbeat.okrs.selectors import cycles_overdue_for_close
from drumbeat.review.models import Investigation, ReviewNote
from drumbeat.scorecard.selectors import database_workspace

REVIEW_REFUSAL = (
    "Only admins, the KPI's owner and editors of its team act at its review."
)
NOBODY_INVESTIGATING = "red at two reviews running, nobody investigating"


@dataclass(frozen=True, slots=True)
class AgendaFilters:
    """The agenda narrowed to a team (key), a perspective, an owner (username);
    a filter left empty narrows nothing."""

    team: str = ""
    perspective: str = ""
    owner: str = ""


@dataclass(frozen=True)
class AgendaItem:
    """A KPI on the review agenda."""

    kpi: KPI
    bucket: ReviewBucket
    health: str
    reasons: tuple[str, ...]
    since: dt.date | None
    owner: str
    key_results: list[KeyResult]
    last_note: ReviewNote | None
    open_investigations: list[Investigation]
    flag: str
    can_act: bool


@dataclass(frozen=True)
class NotDue:
    """An on-track KPI that its `review_cadence` keeps off this review, with the
    first day it comes up again (`core.review_cadence.next_review_day`)."""

    kpi: KPI
    next_review: dt.date


@dataclass(frozen=True)
class KPIAgenda:
    """The KPI review agenda on a day: the exceptions in meeting order, how many
    KPIs are green (one line), and the cycles overdue for close."""

    items: list[AgendaItem]
    green: int
    as_of: dt.date
    overdue_cycles: list[tuple[Cycle, CycleStanding]] = field(default_factory=list)
    """Cycles still closing more than 14 days after their end, with standing."""
    periodic: list[KPI] = field(default_factory=list)
    """Green KPIs with a `review_cadence` whose periodic review falls this week
    (`core.review_cadence.review_due`), in dictionary order."""
    not_due: list[NotDue] = field(default_factory=list)
    """On-track KPIs whose review is not due by their `review_cadence`, in
    dictionary order: what `drumbeat review` lists as "review not due"."""


def editor_team_ids(user: AnyUser) -> set[int]:
    """The teams `user` edits (one query)."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(
            user_id=user.pk, role=Membership.Role.EDITOR
        ).values_list("team_id", flat=True)
    )


def can_review(user: AnyUser, kpi: KPI, editor_teams: set[int] | None = None) -> bool:
    """Admins, the KPI's owner and editors of its team acknowledge it and open
    and close its investigations (REVIEW_REFUSAL says so to anyone else)."""
    if is_admin(user):
        return True
    if not user.is_authenticated:
        return False
    if kpi.owner_id is not None and kpi.owner_id == user.pk:
        return True
    teams = editor_team_ids(user) if editor_teams is None else editor_teams
    return kpi.team_id is not None and kpi.team_id in teams


def can_close(
    user: AnyUser, investigation: Investigation, editor_teams: set[int] | None = None
) -> bool:
    """An investigation's assignee closes it; so does anyone who may review its
    KPI."""
    if user.is_authenticated and investigation.assignee_id == user.pk:
        return True
    return can_review(user, investigation.kpi, editor_teams)


def _owner_name(kpi: KPI) -> str:
    return person_display_name(kpi.owner, kpi.owner_name)


def _stored_bucket(kpi: KPI) -> ReviewBucket | None:
    status = getattr(kpi, "status", None)
    if status is None:
        return None
    return review_bucket(
        status.health,
        unfavourable_signal=any(not s.get("favourable") for s in status.signals),
        stale=status.stale,
    )


def kpi_agenda(
    user: AnyUser, filters: AgendaFilters | None = None, today: dt.date | None = None
) -> KPIAgenda:
    """The KPI review agenda: the KPIs not archived whose stored status makes them
    an exception, in meeting order (`core.rhythm.review_bucket`, `review_rank`),
    each explained by the core's rules; a number of queries that does not grow
    with the KPIs."""
    filters = filters or AgendaFilters()
    on = today or timezone.localdate()
    kpis = KPI.objects.filter(archived_at__isnull=True).select_related(
        "status", "team", "owner"
    )
    kpis = kpis_filtered(kpis, team=filters.team, perspective=filters.perspective)
    if filters.owner:
        kpis = kpis.filter(owner__username=filters.owner)
    exceptions: list[tuple[KPI, ReviewBucket]] = []
    green = 0
    periodic = []
    not_due = []
    for kpi in kpis:
        bucket = _stored_bucket(kpi)
        if bucket is not None:
            exceptions.append((kpi, bucket))
            continue
        if getattr(kpi, "status", None) is None:
            continue
        due = review_due(kpi.review_cadence, on)
        if not due:
            not_due.append(NotDue(kpi, next_review_day(kpi.review_cadence, on)))
        if kpi.status.health == Health.GREEN:
            green += 1
            if kpi.review_cadence and due:
                periodic.append(kpi)
    exceptions.sort(
        key=lambda pair: (
            review_rank(pair[1], north_star=pair[0].north_star, tier=pair[0].tier),
            pair[0].position,
            pair[0].key,
        )
    )
    ids = [kpi.pk for kpi, _ in exceptions]
    keys = [kpi.key for kpi, _ in exceptions]
    workspace = database_workspace(KPI.objects.filter(pk__in=ids), objectives=())
    reading_kpis = KeyResult.objects.filter(
        kpi_key__in=keys,
        archived_at__isnull=True,
        objective__archived_at__isnull=True,
        objective__cycle__archived_at__isnull=True,
        objective__cycle__start__lte=on,
        objective__cycle__end__gte=on,
    ).select_related("objective")
    key_results: dict[str, list[KeyResult]] = defaultdict(list)
    for kr in reading_kpis.order_by("objective__key", "position", "key"):
        key_results[kr.kpi_key].append(kr)
    notes: dict[int, list[ReviewNote]] = defaultdict(list)
    for note in ReviewNote.objects.filter(kpi_id__in=ids).select_related("by"):
        notes[note.kpi_id].append(note)  # newest first (Meta.ordering)
    investigations: dict[int, list[Investigation]] = defaultdict(list)
    for investigation in Investigation.objects.filter(
        kpi_id__in=ids, closed_at__isnull=True
    ).select_related("assignee"):
        investigations[investigation.kpi_id].append(investigation)
    editor_teams = editor_team_ids(user)
    items = []
    for kpi, bucket in exceptions:
        assessment = assess_kpi(workspace.kpi_by_key[kpi.key], kpi.status.as_of)
        last = notes[kpi.pk][0] if notes[kpi.pk] else None
        flagged = (
            kpi.status.health == Health.RED
            and last is not None
            and last.health == Health.RED
            and not investigations[kpi.pk]
        )
        items.append(
            AgendaItem(
                kpi=kpi,
                bucket=bucket,
                health=kpi.status.health,
                reasons=_with_review_proposal(agenda_reasons(assessment), kpi),
                since=exception_since(assessment),
                owner=_owner_name(kpi),
                key_results=key_results[kpi.key],
                last_note=last,
                open_investigations=investigations[kpi.pk],
                flag=NOBODY_INVESTIGATING if flagged else "",
                can_act=can_review(user, kpi, editor_teams),
            )
        )
    return KPIAgenda(
        items=items,
        green=green,
        as_of=on,
        overdue_cycles=cycles_overdue_for_close(on),
        periodic=sorted(periodic, key=_dictionary_order),
        not_due=sorted(not_due, key=lambda row: _dictionary_order(row.kpi)),
    )


def _dictionary_order(kpi: KPI) -> tuple[int, str]:
    return (kpi.position, kpi.key)


def _with_review_proposal(reasons: tuple[str, ...], kpi: KPI) -> tuple[str, ...]:
    """An at-risk KPI reviewed less often than it is read is proposed a more
    frequent review (seed 000: "Increase monitoring frequency")."""
    at_risk = kpi.status.health in (Health.RED, Health.AMBER)
    proposal = more_frequent_review_reason(kpi.cadence, kpi.review_cadence)
    return (*reasons, proposal) if at_risk and proposal else reasons


def investigations_assigned_to(user: AnyUser) -> QuerySet[Investigation]:
    """The open investigations assigned to `user`, due first (for My week and the
    weekly digest)."""
    if not user.is_authenticated:
        return Investigation.objects.none()
    return (
        Investigation.objects.filter(assignee_id=user.pk, closed_at__isnull=True)
        .select_related("kpi", "assignee")
        .order_by("due", "pk")
    )


def investigations_list(
    *, assigned_to: AnyUser | None = None, state: str = ""
) -> QuerySet[Investigation]:
    """Investigations, open ones first (due first), then closed ones (latest
    first); `assigned_to` one person; `state` "open" or "closed" narrows."""
    rows = Investigation.objects.select_related(
        "kpi", "assignee", "opened_by", "closed_by"
    )
    if assigned_to is not None:
        rows = rows.filter(assignee_id=assigned_to.pk)
    if state == "open":
        rows = rows.filter(closed_at__isnull=True)
    elif state == "closed":
        rows = rows.filter(closed_at__isnull=False)
    return rows.order_by(F("closed_at").desc(nulls_first=True), "due", "pk")


def people_to_assign() -> QuerySet[User]:
    """Active accounts, by name: who an investigation may be assigned to."""
    return User.objects.filter(is_active=True).order_by(
        "first_name", "last_name", "username"
    )
