"""The calibration page: stated check-in confidence against KRs hit at close
(docs/calibration.md), for a cycle, a team or a person."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from drumbeat.okrs.calibration import calibration_report, can_see_person_calibration

PERSON_REFUSAL = (
    "A person's calibration is seen by the person, their team leads and admins."
)


def calibration_page(request: HttpRequest) -> HttpResponse:
    """The chosen scope's calibration with its reliability chart, and one per
    cycle, team and person (those the reader may see) within it."""
    cycle = request.GET.get("cycle", "").strip()
    team = request.GET.get("team", "").strip()
    person = request.GET.get("person", "").strip()
    if person and not can_see_person_calibration(request.user, person):
        raise PermissionDenied(PERSON_REFUSAL)
    report = calibration_report(request.user, cycle=cycle, team=team, person=person)
    return render(
        request,
        "okrs/calibration.html",
        {
            "report": report,
            "chosen": {"cycle": cycle, "team": team, "person": person},
            "sections": [
                ("Cycle", report.cycles),
                ("Team", report.teams),
                ("Person", report.people),
            ],
        },
    )
