"""Confidence calibration in the REST API (docs/calibration.md): thin, the
selector does the work and `okrs.calibration` says who sees a person's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from drumbeat.accounts.auth import scoped
from drumbeat.common.api import ERRORS
from drumbeat.core.calibration import Calibration
from drumbeat.okrs.calibration import (
    CalibrationReport,
    Group,
    calibration_report,
    can_see_person_calibration,
)
from drumbeat.okrs.calibration_views import PERSON_REFUSAL

router = Router(tags=["OKRs"])


class CalibrationFilter(Schema):
    cycle: str = Field("", description="A cycle's key; blank for all")
    team: str = Field("", description="A team's key; blank for all")
    person: str = Field(
        "", description="A person's username (or the name on check-ins); blank for all"
    )


class BandOut(Schema):
    low: float
    high: float
    count: int
    mean_confidence: float | None
    share_hit: float | None


class CalibrationOut(Schema):
    """A group's calibration; `shown` false (and the figures null) below 5
    resolved KRs, `sentence` then saying how many there are."""

    key: str
    name: str
    shown: bool
    resolved: int
    sentence: str
    brier: float | None = None
    mean_confidence: float | None = None
    share_hit: float | None = None
    verdict: str | None = None
    bands: list[BandOut] = Field(default_factory=list)


class CalibrationReportOut(Schema):
    overall: CalibrationOut
    cycles: list[CalibrationOut]
    teams: list[CalibrationOut]
    people: list[CalibrationOut]


def _group_out(group: Group) -> CalibrationOut:
    found = group.found
    if not isinstance(found, Calibration):
        return CalibrationOut(
            key=group.key,
            name=group.name,
            shown=False,
            resolved=found.resolved,
            sentence=found.sentence,
        )
    return CalibrationOut(
        key=group.key,
        name=group.name,
        shown=True,
        resolved=found.resolved,
        sentence=found.sentence,
        brier=found.brier,
        mean_confidence=found.mean_confidence,
        share_hit=found.share_hit,
        verdict=found.verdict.value,
        bands=[
            BandOut(
                low=band.low,
                high=band.high,
                count=band.count,
                mean_confidence=band.mean_confidence,
                share_hit=band.share_hit,
            )
            for band in found.bands
        ],
    )


def _report_out(report: CalibrationReport) -> CalibrationReportOut:
    return CalibrationReportOut(
        overall=_group_out(report.overall),
        cycles=[_group_out(group) for group in report.cycles],
        teams=[_group_out(group) for group in report.teams],
        people=[_group_out(group) for group in report.people],
    )


@router.get(
    "/calibration",
    response={200: CalibrationReportOut, **ERRORS},
    summary="Confidence calibration",
)
def calibration_get(
    request: HttpRequest, chosen: Query[CalibrationFilter]
) -> CalibrationReportOut:
    """Stated check-in confidence against the KRs hit at close, for the chosen
    cycle, team and person, with one per cycle, team and person within them
    (only the people the caller may see: themself, those they lead, everyone for
    an admin)."""
    user = scoped(request, "read")
    if chosen.person and not can_see_person_calibration(user, chosen.person):
        raise PermissionDenied(PERSON_REFUSAL)
    return _report_out(
        calibration_report(
            user, cycle=chosen.cycle, team=chosen.team, person=chosen.person
        )
    )
