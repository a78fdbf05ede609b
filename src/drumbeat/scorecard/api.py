"""The scorecard in the REST API: cycle planning's suggestions, read from the
dictionary and the OKRs together. Thin: parse, check scope, select, answer."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from drumbeat.accounts.auth import scoped
from drumbeat.common.api import ERRORS
from drumbeat.core.contract import plain_target
from drumbeat.okrs.api import Target
from drumbeat.okrs.models import Cycle
from drumbeat.scorecard.selectors import cycle_suggestions, database_workspace

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


@router.get(
    "/cycles/{key}/suggestions",
    response={200: list[SuggestionOut], **ERRORS},
    summary="The KPIs worth elevating in a cycle, best first",
)
def suggestions_list(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    scoped(request, "read")
    cycle = get_object_or_404(Cycle, key=key)
    suggestions = cycle_suggestions(database_workspace(), cycle, timezone.localdate())
    return [
        {
            "kpi": s.kpi.key,
            "baseline": s.baseline,
            "commit_target": plain_target(s.commit_target),
            "stretch_target": plain_target(s.stretch_target),
            "why": s.why,
            "title": s.title,
            "health": str(s.assessment.health),
        }
        for s in suggestions
    ]
