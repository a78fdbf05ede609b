"""The check-in meeting's agenda in the REST API: the items of `/review/okrs/`, in
the same order. Thin: parse, check scope, call the selector, answer."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from drumbeat.accounts.auth import scoped
from drumbeat.common.api import ERRORS
from drumbeat.review.week import (
    AgendaItem,
    agenda_cycle,
    agenda_team,
    checkin_agenda_for,
)

router = Router(tags=["Review"])


class AgendaFilters(Schema):
    cycle: str | None = None
    team: str | None = None


class LastCheckInOut(Schema):
    at: dt.date
    by: str | None
    confidence: float | None
    note: str | None
    blockers: str | None


class CheckInAgendaItemOut(Schema):
    objective: str
    key_result: str
    title: str
    team: str | None
    owner: str | None
    kpi: str
    score: float | None
    progress: float | None
    forecast: float | None
    on_track: bool | None
    low_confidence: bool
    checkin_due: bool
    days_left: int
    trend: str | None
    last_checkin: LastCheckInOut | None


class CheckInAgendaOut(Schema):
    cycle: str
    team: str | None
    items: list[CheckInAgendaItemOut]


def _item_out(entry: AgendaItem) -> CheckInAgendaItemOut:
    row, item = entry.row, entry.item
    last = item.last_checkin
    owner = row.owner.get_username() if row.owner else row.owner_name or None
    return CheckInAgendaItemOut(
        objective=row.objective.key,
        key_result=row.key,
        title=row.title or row.key,
        team=row.objective.team.key if row.objective.team else None,
        owner=owner,
        kpi=row.kpi_key,
        score=item.score.score,
        progress=item.score.progress,
        forecast=item.forecast,
        on_track=item.on_track,
        low_confidence=item.low_confidence,
        checkin_due=item.checkin_due,
        days_left=item.days_left,
        trend=item.trend,
        last_checkin=LastCheckInOut(
            at=last.at,
            by=last.by,
            confidence=last.confidence,
            note=last.note,
            blockers=last.blockers,
        )
        if last
        else None,
    )


@router.get(
    "/review/okrs",
    response={200: CheckInAgendaOut, **ERRORS},
    summary="The check-in meeting's agenda of a cycle (default: the running one)",
)
def checkin_agenda_get(
    request: HttpRequest, filters: Query[AgendaFilters]
) -> CheckInAgendaOut:
    """Every KR of the cycle (of one team's objectives with `team`): off-track
    forecasts and low confidence first, then no check-in for a week, then the
    rest."""
    scoped(request, "read")
    cycle = agenda_cycle(filters.cycle)
    team = agenda_team(filters.team)
    items = checkin_agenda_for(cycle, team.key if team else None)
    return CheckInAgendaOut(
        cycle=cycle.key,
        team=team.key if team else None,
        items=[_item_out(entry) for entry in items],
    )
