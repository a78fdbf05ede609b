"""The scorecard in the REST API: cycle planning's suggestions and a cycle's
close, read from the dictionary and the OKRs together. Thin: parse, check scope,
select, answer."""

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from drumbeat.accounts.auth import scoped
from drumbeat.common.api import ERRORS
from drumbeat.common.guards import require_admin
from drumbeat.core.contract import attribution_json, kpi_attribution_json
from drumbeat.kpis.models import KPI
from drumbeat.okrs.api import Target
from drumbeat.okrs.models import Cycle
from drumbeat.scorecard import closing
from drumbeat.scorecard.attribution import (
    cycle_kpis_attribution,
    kpi_cycles_attribution,
)
from drumbeat.scorecard.selectors import suggestions_for_cycle

router = Router(tags=["OKRs"])


class SuggestionOut(Schema):
    """A KPI worth elevating to a KR, with the draft (the CLI's JSON, plus the
    draft KR's title and the KPI's health)."""

    kpi: str
    baseline: float | None
    commit_target: Target | None
    stretch_target: Target | None
    why: str
    title: str
    health: str
    stagnating: bool = Field(description="short of green or benchmark, not moving")
    annual_direction: list[str] = Field(
        description="the keys of the containing cycle's KRs that target the KPI"
    )


@router.get(
    "/cycles/{key}/suggestions",
    response={200: list[SuggestionOut], **ERRORS},
    summary="The KPIs worth elevating in a cycle, best first",
)
def suggestions_list(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    scoped(request, "read")
    cycle = get_object_or_404(Cycle, key=key)
    # Stored at refresh for a cycle running or to come, like statuses.
    suggestions = suggestions_for_cycle(cycle, timezone.localdate())
    return [
        {
            "kpi": s.kpi.key,
            "baseline": s.baseline,
            "commit_target": s.commit,
            "stretch_target": s.stretch,
            "why": s.why,
            "title": s.title,
            "health": s.health,
            "stagnating": s.stagnating,
            "annual_direction": s.annual_direction,
        }
        for s in suggestions
    ]


@router.get(
    "/kpis/{key}/attribution",
    response={200: dict[str, Any], **ERRORS},
    summary="Each ended cycle that targeted a KPI: did it move beyond its noise?",
    tags=["KPIs and readings"],
)
def kpi_attribution_get(
    request: HttpRequest, key: str, as_of: dt.date | None = None
) -> dict[str, Any]:
    """Every cycle ended before `as_of` (default: today) with a KR on the KPI: its
    KRs' baseline, target and achieved values, the movement in the KPI's unit and
    in multiples of its noise, the outcome and whether it held (an association,
    never proof; see docs/attribution.md)."""
    scoped(request, "read")
    kpi = get_object_or_404(KPI, key=key)
    on = as_of or timezone.localdate()
    return kpi_attribution_json(on, kpi.key, kpi_cycles_attribution(kpi, on))


@router.get(
    "/cycles/{key}/attribution",
    response={200: dict[str, Any], **ERRORS},
    summary="An ended cycle's KPIs: moved beyond their noise with or without an OKR",
)
def cycle_attribution_get(
    request: HttpRequest, key: str, as_of: dt.date | None = None
) -> dict[str, Any]:
    """The KPIs that moved beyond their noise as targeted, those targeted that did
    not, those that moved with no OKR on them, and those too new to judge; 409
    while the cycle has not ended by `as_of` (default: today)."""
    scoped(request, "read")
    cycle = get_object_or_404(Cycle, key=key)
    on = as_of or timezone.localdate()
    groups = cycle_kpis_attribution(cycle, on)
    if groups is None:
        raise HttpError(
            409,
            f"Cycle {cycle.key} runs until {cycle.end}: attribution is for a cycle "
            "that has ended.",
        )
    return {"as_of": on.isoformat(), **attribution_json(groups)}


# --- Closing a cycle ----------------------------------------------------------------


class GradeOut(Schema):
    """An objective's (`key_result` null) or a KR's final grade: computed as of the
    cycle end before the close, frozen after it."""

    objective: str
    key_result: str | None
    title: str
    team: str
    commitment: str
    kpi: str | None
    kind: str | None
    baseline: float | None
    target: Target | None
    achieved: float | None
    progress: float | None
    score: float | None
    grade: str | None
    outcome: str | None


class ItemOut(Schema):
    """An item of the corrective flow: before the close its `options` and
    `default`; after it, the `choice` applied."""

    name: str
    kind: str
    kpi: str
    key_result: str | None
    options: list[str]
    default: str | None
    value: float | None
    choice: str | None


class ClosedOut(Schema):
    closed_at: dt.datetime
    closed_by: str | None
    graded_as_of: dt.date


class CloseOut(Schema):
    """A cycle's close: the plan while it is `closing` (or why it cannot be closed:
    `refusal`), the standing close once closed."""

    cycle: str
    state: str
    refusal: str | None
    close: ClosedOut | None
    grades: list[GradeOut]
    items: list[ItemOut]


class ChoiceBody(Schema):
    item: str = Field(description="`history:objective/kr`, `threshold:kpi`, ...")
    choice: str
    value: float | None = None


class RetrospectiveBody(Schema):
    objective: str
    happened: str = ""
    learned: str = ""


class CloseIn(Schema):
    """The choices made (each item not named takes its default), the retrospective
    by objective and the cycle's summary."""

    choices: list[ChoiceBody] = Field(default_factory=list)
    retrospectives: list[RetrospectiveBody] = Field(default_factory=list)
    summary: str = ""


class ReopenIn(Schema):
    reason: str


def _closable(request: HttpRequest, key: str, scope: str) -> tuple[User, Cycle]:
    user = scoped(request, scope)
    cycle = get_object_or_404(Cycle, key=key)
    if not closing.can_close_cycle(user, cycle):
        raise PermissionDenied(closing.CLOSE_REFUSAL)
    return user, cycle


@router.get(
    "/cycles/{key}/close",
    response={200: CloseOut, **ERRORS},
    summary="A cycle's close: the plan (grades, choices) or the standing close",
)
def close_get(request: HttpRequest, key: str) -> dict[str, Any]:
    _, cycle = _closable(request, key, "read")
    return closing.cycle_close_json(cycle)


@router.post(
    "/cycles/{key}/close",
    response={201: CloseOut, **ERRORS},
    summary="Close a cycle: freeze its grades and apply the corrective flow "
    "(admins and the cycle's objective owners; 409 unless it is closing)",
)
def close_post(
    request: HttpRequest, key: str, payload: CloseIn
) -> Status[dict[str, Any]]:
    user, cycle = _closable(request, key, "admin")
    closing.cycle_close(
        cycle=cycle,
        by=user,
        choices={c.item: closing.ChoiceIn(c.choice, c.value) for c in payload.choices},
        retrospectives={
            r.objective: closing.RetrospectiveIn(r.happened, r.learned)
            for r in payload.retrospectives
        },
        summary=payload.summary,
    )
    return Status(201, closing.cycle_close_json(cycle))


@router.post(
    "/cycles/{key}/reopen",
    response={200: CloseOut, **ERRORS},
    summary="Reopen a closed cycle, with a reason (admins only)",
)
def reopen_post(request: HttpRequest, key: str, payload: ReopenIn) -> dict[str, Any]:
    user = require_admin(scoped(request, "admin"), closing.REOPEN_ADMINS_ONLY)
    cycle = get_object_or_404(Cycle, key=key)
    closing.cycle_reopen(cycle=cycle, by=user, reason=payload.reason)
    return closing.cycle_close_json(cycle)
