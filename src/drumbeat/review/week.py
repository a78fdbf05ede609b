"""Reads of the weekly rhythm: My week and the check-in agenda (the KPI review's
are in `review.selectors`).

The rules are the core's (`core.rhythm.checkin_agenda`, `core.health.reading_due`):
these selectors only choose the rows and hand them to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from drumbeat.accounts.models import Membership, Team
from drumbeat.common.guards import is_admin
from drumbeat.core.display import unfavourable_signals_text
from drumbeat.core.forecast import KeyResultForecasts, workspace_forecasts
from drumbeat.core.health import reading_due
from drumbeat.core.model import Cadence, Health, Reading
from drumbeat.core.rhythm import CheckInItem, checkin_agenda
from drumbeat.kpis.models import KPI
from drumbeat.kpis.selectors import kpi_decimals
from drumbeat.okrs.models import Cycle, KeyResult, Objective
from drumbeat.okrs.selectors import (
    cycles_running,
    objectives_filtered,
    with_hit_forecasts,
)
from drumbeat.review.models import Investigation
from drumbeat.review.selectors import investigations_assigned_to
from drumbeat.scorecard.selectors import database_workspace

_ATTENTION = (Health.RED.value, Health.AMBER.value)


@dataclass(frozen=True)
class AgendaItem:
    """A KR on an agenda: its row (for links and forms) and the core's item
    (score, forecast, days left, last check-in, whether a check-in is due)."""

    row: KeyResult
    item: CheckInItem


def checkin_items(
    key_results: QuerySet[KeyResult], cycles: Collection[str], as_of: dt.date
) -> list[AgendaItem]:
    """The check-in agenda (`core.rhythm.checkin_agenda`, in its order) of the
    unarchived `key_results` of unarchived objectives in `cycles` (constant
    queries)."""
    rows = {
        (kr.objective.key, kr.key): kr
        for kr in key_results.filter(
            archived_at__isnull=True, objective__archived_at__isnull=True
        ).select_related("objective__team", "objective__cycle", "owner")
    }
    if not rows:
        return []
    kpi_keys = {kr.kpi_key for kr in rows.values()}
    workspace = database_workspace(
        KPI.objects.filter(key__in=kpi_keys),
        readings_of=kpi_keys,
        objectives={objective for objective, _ in rows},
    )
    with_hit_forecasts_by_key(rows, workspace_forecasts(workspace, as_of))
    return [
        AgendaItem(row=rows[key], item=item)
        for item in checkin_agenda(workspace, as_of, cycles=cycles)
        if (key := (item.objective.key, item.key_result.key)) in rows
    ]


def with_hit_forecasts_by_key(
    rows: Mapping[tuple[str, str], KeyResult], forecasts: KeyResultForecasts
) -> None:
    """Give each KR row (by objective and KR key, its cycle loaded) its hit
    forecast, deadline and KPI's decimals, as `okrs/_forecast.html` shows them
    (one query)."""
    decimals = kpi_decimals(kr.kpi_key for kr in rows.values())
    for key, kr in rows.items():
        kr.decimals = decimals.get(kr.kpi_key)  # type: ignore[attr-defined]
        with_hit_forecasts(
            [kr],
            {kr.pk: forecasts[key]} if key in forecasts else {},
            kr.objective.cycle.end,
        )


def checkin_agenda_for(
    cycle: Cycle, team: str | None = None, today: dt.date | None = None
) -> list[AgendaItem]:
    """The check-in meeting's agenda of `cycle`, of one team's objectives when
    `team` (a team's key) is given."""
    today = today or timezone.localdate()
    objectives = objectives_filtered(Objective.objects.filter(cycle=cycle), team=team)
    key_results = KeyResult.objects.filter(objective__in=objectives)
    return checkin_items(key_results, [cycle.key], today)


@dataclass(frozen=True)
class KPIAttention:
    """A KPI of the person's that needs them this week, and why, in words."""

    kpi: KPI
    reasons: tuple[str, ...]


def kpi_attention(kpi: KPI, today: dt.date) -> tuple[str, ...]:
    """Why `kpi` needs its owner: red or amber, an unfavourable signal, stale, or
    (read by hand: no `source`) its next reading due. Empty when it does not."""
    status = getattr(kpi, "status", None)
    reasons: list[str] = []
    latest = None
    if status is not None:
        if status.health in _ATTENTION:
            reasons.append(status.health)
        signal = unfavourable_signals_text(status.signals)
        if signal:
            reasons.append(signal)
        if status.stale:
            reasons.append("stale")
        if status.latest_day is not None:
            latest = Reading(status.latest_day, status.latest_value or 0.0)
    cadence = Cadence(kpi.cadence) if kpi.cadence else None
    if not kpi.source and reading_due(cadence, latest, today):
        reasons.append("reading due")
    return tuple(reasons)


@dataclass(frozen=True)
class MyWeek:
    """What needs a person this week."""

    key_results: list[AgendaItem]
    kpis: list[KPIAttention]
    objectives: list[Objective]
    investigations: list[Investigation]
    owns_anything: bool
    may_check_in: frozenset[int]
    """The KRs (by pk) among `key_results` the person may check in on."""

    @property
    def checkins_due(self) -> int:
        return sum(1 for entry in self.key_results if entry.item.checkin_due)


def owns_anything(user: User) -> bool:
    """True when `user` owns a KPI, an objective or a KR, or is assigned an open
    investigation: they land on My week after signing in."""
    return (
        KPI.objects.filter(owner=user, archived_at__isnull=True).exists()
        or Objective.objects.filter(owner=user, archived_at__isnull=True).exists()
        or KeyResult.objects.filter(owner=user, archived_at__isnull=True).exists()
        or investigations_assigned_to(user).exists()
    )


def my_week(user: User, today: dt.date | None = None) -> MyWeek:
    """The KRs of active cycles `user` owns or has checked in on in the cycle,
    the KPIs they own that need them, their teams' objectives in active cycles,
    and the investigations assigned to them (constant queries)."""
    today = today or timezone.localdate()
    cycles = list(cycles_running(today))
    in_cycles = Objective.objects.filter(cycle__in=cycles, archived_at__isnull=True)
    theirs = KeyResult.objects.filter(objective__in=in_cycles).filter(
        Q(owner=user)
        | Q(
            checkins__by=user,
            checkins__archived_at__isnull=True,
            checkins__at__gte=F("objective__cycle__start"),
        )
    )
    key_results = checkin_items(
        KeyResult.objects.filter(pk__in=theirs.values("pk")),
        [c.key for c in cycles],
        today,
    )
    kpis = [
        KPIAttention(kpi, reasons)
        for kpi in KPI.objects.filter(owner=user, archived_at__isnull=True)
        .select_related("status")
        .order_by("position", "key")
        if (reasons := kpi_attention(kpi, today))
    ]
    objectives = list(
        in_cycles.filter(team__memberships__user=user)
        .select_related("team", "cycle")
        .order_by("team__name", "position", "key")
        .distinct()
    )
    investigations = list(investigations_assigned_to(user))
    editing = set(
        Membership.objects.filter(user=user, role=Membership.Role.EDITOR).values_list(
            "team_id", flat=True
        )
    )
    may_check_in = frozenset(
        entry.row.pk
        for entry in key_results
        if is_admin(user) or entry.row.objective.team_id in editing
    )
    return MyWeek(
        may_check_in=may_check_in,
        key_results=key_results,
        kpis=kpis,
        objectives=objectives,
        investigations=investigations,
        owns_anything=bool(key_results or kpis or investigations)
        or owns_anything(user),
    )


def key_result_item(key_result: KeyResult, today: dt.date | None = None) -> AgendaItem:
    """One KR's agenda item (its row on My week, after a check-in)."""
    today = today or timezone.localdate()
    items = checkin_items(
        KeyResult.objects.filter(pk=key_result.pk),
        [key_result.objective.cycle.key],
        today,
    )
    return items[0]


def agenda_cycle(key: str | None, today: dt.date | None = None) -> Cycle:
    """The cycle keyed `key`, or (no key) the one running today, else the latest;
    Http404 with what is missing."""
    if key:
        found = Cycle.objects.filter(key=key).first()
        if found is None:
            raise Http404(f"No cycle '{key}'.")
        return found
    cycle = (
        cycles_running(today).first()
        or Cycle.objects.filter(archived_at__isnull=True).order_by("-start").first()
    )
    if cycle is not None:
        return cycle
    raise Http404("No cycle yet: an admin creates one, or `drumbeat apply` a file.")


def agenda_team(key: str | None) -> Team | None:
    """The team keyed `key` (None for none); Http404 when there is no such team."""
    if not key:
        return None
    found = Team.objects.filter(key=key).first()
    if found is None:
        raise Http404(f"No team '{key}'.")
    return found
