"""The KPI review in the REST API: the agenda (same items, order and filters as
the page), review notes, investigations opened, closed and listed. Thin: parse,
check scope and role, call one service or selector, answer."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from drumbeat.accounts.auth import scoped
from drumbeat.common.api import ERRORS
from drumbeat.kpis.models import KPI
from drumbeat.review.models import Investigation, ReviewNote
from drumbeat.review.selectors import (
    AgendaFilters,
    AgendaItem,
    investigations_list,
    kpi_agenda,
)
from drumbeat.review.services import (
    investigation_close,
    investigation_open,
    review_note_record,
)

router = Router(tags=["KPI review"])


def _name(user: User | None) -> str | None:
    return None if user is None else user.get_username()


class ReviewNoteOut(Schema):
    kpi: str
    action: str
    note: str
    health: str
    by: str | None
    at: dt.datetime

    @staticmethod
    def resolve_kpi(note: ReviewNote) -> str:
        return note.kpi.key

    @staticmethod
    def resolve_by(note: ReviewNote) -> str | None:
        return _name(note.by)


class InvestigationOut(Schema):
    id: int
    kpi: str
    question: str
    assignee: str | None
    due: dt.date
    opened_by: str | None
    opened_at: dt.datetime
    closed_by: str | None
    closed_at: dt.datetime | None
    finding: str
    open: bool

    @staticmethod
    def resolve_kpi(investigation: Investigation) -> str:
        return investigation.kpi.key

    @staticmethod
    def resolve_assignee(investigation: Investigation) -> str | None:
        return _name(investigation.assignee)

    @staticmethod
    def resolve_opened_by(investigation: Investigation) -> str | None:
        return _name(investigation.opened_by)

    @staticmethod
    def resolve_closed_by(investigation: Investigation) -> str | None:
        return _name(investigation.closed_by)


class AgendaItemOut(Schema):
    kpi: str
    name: str
    bucket: str = Field(description="red, signal, amber or stale: the meeting order")
    health: str
    tier: str
    owner: str
    since: dt.date | None
    reasons: list[str]
    key_results: list[str] = Field(description="objective/kr of the active cycle")
    last_note: ReviewNoteOut | None
    open_investigations: list[InvestigationOut]
    flag: str

    @staticmethod
    def resolve_kpi(item: AgendaItem) -> str:
        return item.kpi.key

    @staticmethod
    def resolve_name(item: AgendaItem) -> str:
        return item.kpi.name

    @staticmethod
    def resolve_bucket(item: AgendaItem) -> str:
        return item.bucket.name.lower()

    @staticmethod
    def resolve_tier(item: AgendaItem) -> str:
        return item.kpi.tier

    @staticmethod
    def resolve_key_results(item: AgendaItem) -> list[str]:
        return [f"{kr.objective.key}/{kr.key}" for kr in item.key_results]


class CycleOverdueOut(Schema):
    key: str
    end: dt.date


class NotDueOut(Schema):
    kpi: str = Field(alias="kpi.key")
    name: str = Field(alias="kpi.name")
    review_cadence: str = Field(alias="kpi.review_cadence")
    next_due: dt.date = Field(
        alias="next_review", description="the first day it comes up again"
    )


class AgendaOut(Schema):
    as_of: dt.date
    green: int = Field(description="How many KPIs are green (not listed)")
    overdue_for_close: list[CycleOverdueOut]
    items: list[AgendaItemOut]
    not_due: list[NotDueOut] = Field(
        description="On track, review not due by its review cadence (as "
        "`drumbeat review` lists them)"
    )


class AgendaQuery(Schema):
    team: str = ""
    perspective: str = ""
    owner: str = Field("", description="username")


@router.get(
    "/review/kpis",
    response={200: AgendaOut, **ERRORS},
    summary="The KPI review agenda: exceptions in meeting order",
)
def kpi_agenda_get(
    request: HttpRequest, filters: Query[AgendaQuery]
) -> dict[str, object]:
    user = scoped(request, "read")
    agenda = kpi_agenda(
        user,
        AgendaFilters(
            team=filters.team, perspective=filters.perspective, owner=filters.owner
        ),
    )
    return {
        "as_of": agenda.as_of,
        "green": agenda.green,
        "overdue_for_close": [cycle for cycle, _ in agenda.overdue_cycles],
        "items": agenda.items,
        "not_due": agenda.not_due,
    }


class ReviewNoteIn(Schema):
    note: str = ""
    action: str = Field(
        ReviewNote.Action.ACKNOWLEDGED, description="acknowledged or noted"
    )


@router.post(
    "/kpis/{key}/review-notes",
    response={201: ReviewNoteOut, **ERRORS},
    summary="Acknowledge a KPI at its review (admins, its owner, its team's editors)",
)
def review_note_post(
    request: HttpRequest, key: str, payload: ReviewNoteIn
) -> Status[ReviewNote]:
    user = scoped(request, "admin")
    kpi = get_object_or_404(KPI, key=key)
    note = review_note_record(
        kpi=kpi, by=user, note=payload.note, action=payload.action
    )
    return Status(201, note)


class InvestigationIn(Schema):
    assignee: str = Field(description="username or e-mail address")
    due: dt.date
    question: str = ""


def _person(identifier: str) -> User:
    found = list(
        User.objects.filter(Q(username=identifier) | Q(email__iexact=identifier))[:2]
    )
    if len(found) != 1:
        raise ValidationError(
            {
                "assignee": f"No one (or more than one) is '{identifier}': give a "
                "username or an e-mail address."
            }
        )
    return found[0]


@router.post(
    "/kpis/{key}/investigations",
    response={201: InvestigationOut, **ERRORS},
    summary="Open an investigation of a KPI, assigned to a person by a date",
)
def investigation_post(
    request: HttpRequest, key: str, payload: InvestigationIn
) -> Status[Investigation]:
    user = scoped(request, "admin")
    kpi = get_object_or_404(KPI, key=key)
    investigation = investigation_open(
        kpi=kpi,
        by=user,
        assignee=_person(payload.assignee),
        due=payload.due,
        question=payload.question,
    )
    return Status(201, investigation)


class InvestigationCloseIn(Schema):
    finding: str


@router.post(
    "/investigations/{pk}/close",
    response={200: InvestigationOut, **ERRORS},
    summary="Close an investigation with its finding (its assignee, or a reviewer)",
)
def investigation_close_post(
    request: HttpRequest, pk: int, payload: InvestigationCloseIn
) -> Investigation:
    user = scoped(request, "admin")
    investigation = get_object_or_404(Investigation, pk=pk)
    return investigation_close(
        investigation=investigation, by=user, finding=payload.finding
    )


class InvestigationsQuery(Schema):
    assignee: str = Field("", description="`me`, or a username")
    state: str = Field("", description="open or closed")


@router.get(
    "/investigations",
    response={200: list[InvestigationOut], **ERRORS},
    summary="Investigations, open ones first (due first)",
)
def investigations_get(
    request: HttpRequest, filters: Query[InvestigationsQuery]
) -> QuerySet[Investigation]:
    user = scoped(request, "read")
    assignee: User | None = None
    if filters.assignee == "me":
        assignee = user
    elif filters.assignee:
        assignee = get_object_or_404(User, username=filters.assignee)
    return investigations_list(assigned_to=assignee, state=filters.state)
