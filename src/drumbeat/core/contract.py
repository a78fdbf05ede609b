"""The JSON shapes of the CLI contract (docs/cli.md), as plain values.

Users' scripts read these: names and shapes are stable. Numbers are plain JSON
numbers; a whole number is written without a decimal point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from drumbeat.core.assessment import QUESTIONS, Assessment
from drumbeat.core.attribution import CycleAttribution, KPICycleAttribution
from drumbeat.core.close import CycleClose
from drumbeat.core.forecast import HitForecast, KeyResultForecasts, NoForecast
from drumbeat.core.lint import Finding
from drumbeat.core.model import Band, Reading, Target
from drumbeat.core.rhythm import CheckInItem, KPIReview
from drumbeat.core.spc import Signal
from drumbeat.core.stagnation import stagnation
from drumbeat.core.status import KPIStatus, ObjectiveStatus, WorkspaceStatus
from drumbeat.core.suggest import Suggestion

JSON = dict[str, Any]


def plain_number(value: float | None) -> float | int | None:
    """`48.0` → `48`; other numbers as they are."""
    if value is None:
        return None
    if float(value).is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def plain_target(target: Target | None) -> Any:
    if isinstance(target, Band):
        return [plain_number(target.low), plain_number(target.high)]
    return plain_number(target)


def plain_moment(at: dt.date | dt.datetime) -> str:
    return at.isoformat()


def reading_json(reading: Reading | None) -> JSON | None:
    if reading is None:
        return None
    return {"at": plain_moment(reading.at), "value": plain_number(reading.value)}


def findings_json(findings: Iterable[Finding]) -> JSON:
    return {
        "findings": [
            {
                "rule": f.rule,
                "severity": str(f.severity),
                "subject": f.subject,
                "message": f.message,
            }
            for f in findings
        ]
    }


def signal_json(signal: Signal, readings: Sequence[Reading]) -> JSON:
    """A detection-rule hit, dated by the last reading of its window."""
    return {
        "rule": signal.rule,
        "at": plain_moment(readings[signal.last].at),
        "favourable": signal.favourable,
        "side": str(signal.side),
    }


def kpi_status_json(status: KPIStatus) -> JSON:
    """A KPI's status; `stagnation` is the reason when `stagnating`, else null."""
    assessment = status.assessment
    readings = assessment.kpi.readings_until(assessment.as_of)
    stagnating = stagnation(assessment.kpi, assessment.as_of)
    return {
        "key": assessment.kpi.key,
        "health": str(assessment.health),
        "stale": assessment.stale,
        "lifecycle": str(status.lifecycle),
        "latest": reading_json(assessment.latest),
        "signals": [signal_json(s, readings) for s in assessment.signals],
        "stagnating": stagnating is not None,
        "stagnation": stagnating.reason if stagnating else None,
    }


def forecast_json(forecast: HitForecast | NoForecast | None) -> JSON | None:
    """`{value, p_hit}`: the KPI value expected at the deadline and the probability
    that the KR is hit; None when there is no forecast."""
    if not isinstance(forecast, HitForecast):
        return None
    return {
        "value": plain_number(forecast.value),
        "p_hit": plain_number(forecast.p_hit),
    }


def objective_status_json(
    status: ObjectiveStatus, forecasts: KeyResultForecasts | None = None
) -> JSON:
    """An objective's score and its KRs'; with `forecasts`, each KR's `forecast`."""
    grade = status.grade
    key = status.objective.key
    return {
        "key": key,
        "cycle": status.cycle.key,
        "score": plain_number(status.score),
        "grade": str(grade) if grade else None,
        "outcome": str(status.outcome) if status.outcome else None,
        "key_results": [
            {
                "key": kr.key,
                "kpi": kr.kpi,
                "kind": str(kr.kind),
                "baseline": plain_number(kr.baseline),
                "target": plain_target(kr.target),
                "current": plain_number(kr.current.value) if kr.current else None,
                "progress": plain_number(kr.progress),
                "score": plain_number(kr.score),
                "relative_target": plain_number(kr.relative_target),
            }
            | (
                {}
                if forecasts is None
                else {"forecast": forecast_json(forecasts.get((key, kr.key)))}
            )
            for kr in status.key_results
        ],
    }


def workspace_status_json(status: WorkspaceStatus) -> JSON:
    return {
        "as_of": status.as_of.isoformat(),
        "kpis": [kpi_status_json(k) for k in status.kpis],
        "objectives": [
            objective_status_json(o, status.forecasts) for o in status.objectives
        ],
    }


def suggestions_json(cycle_key: str, suggestions: Iterable[Suggestion]) -> JSON:
    return {
        "cycle": cycle_key,
        "suggestions": [
            {
                "kpi": s.kpi.key,
                "baseline": plain_number(s.baseline),
                "commit_target": plain_target(s.commit_target),
                "stretch_target": plain_target(s.stretch_target),
                "why": s.why,
                "kind": s.kind,
                "title": s.title,
                "stagnating": s.stagnation is not None,
                "annual_direction": list(s.annual_direction),
            }
            for s in suggestions
        ],
    }


def kpi_review_json(review: KPIReview) -> JSON:
    return {
        "exceptions": [
            {
                "key": item.status.assessment.kpi.key,
                "owner": item.owner,
                "health": str(item.status.assessment.health),
                "stale": item.status.assessment.stale,
                "reasons": list(item.reasons),
                "latest": reading_json(item.status.assessment.latest),
            }
            for item in review.exceptions
        ],
        "on_track": [
            {
                "key": status.assessment.kpi.key,
                "health": str(status.assessment.health),
                "latest": reading_json(status.assessment.latest),
            }
            for status in review.on_track
        ],
        "not_due": [status.assessment.kpi.key for status in review.not_due],
    }


def checkin_agenda_json(items: Iterable[CheckInItem]) -> list[JSON]:
    agenda = []
    for item in items:
        last = item.last_checkin
        agenda.append(
            {
                "objective": item.objective.key,
                "key_result": item.key_result.key,
                "kpi": item.key_result.kpi,
                "score": plain_number(item.score.score),
                "progress": plain_number(item.score.progress),
                "forecast": plain_number(item.forecast),
                "on_track": item.on_track,
                "days_left": item.days_left,
                "checkin_due": item.checkin_due,
                "trend": item.trend,
                "last_checkin": {
                    "at": last.at.isoformat(),
                    "by": last.by,
                    "confidence": plain_number(last.confidence),
                    "note": last.note,
                    "blockers": last.blockers,
                }
                if last
                else None,
            }
        )
    return agenda


def review_json(
    as_of: dt.date, review: KPIReview, items: Iterable[CheckInItem]
) -> JSON:
    return {
        "as_of": as_of.isoformat(),
        "kpi_review": kpi_review_json(review),
        "checkins": checkin_agenda_json(items),
    }


def cycle_close_json(close: CycleClose) -> JSON:
    return {
        "cycle": close.cycle.key,
        "objectives": [objective_status_json(o) for o in close.objectives],
        "key_results": [
            {
                "objective": kr.objective,
                "key": kr.score.key,
                "kpi": kr.kpi,
                "baseline": plain_number(kr.score.baseline),
                "target": plain_target(kr.target),
                "achieved": plain_number(kr.achieved),
                "score": plain_number(kr.score.score),
                "reached": kr.reached,
                "new_baseline": plain_number(kr.new_baseline),
                "proposed_threshold": plain_number(kr.proposed_threshold),
            }
            for kr in close.key_results
        ],
        "completed_kpis": list(close.completed_kpis),
        "transient_kpis": list(close.transient_kpis),
    }


def _rounded(value: float | None) -> float | int | None:
    """Rounded past the float's noise (0.7000000000000002 is 0.7)."""
    return None if value is None else plain_number(round(value, 9))


def kpi_cycle_json(row: KPICycleAttribution) -> dict[str, Any]:
    """One KPI over one cycle, as the CLI's and the API's JSON say it."""
    movement = row.movement
    return {
        "cycle": row.cycle.key,
        "start": row.cycle.start.isoformat(),
        "end": row.cycle.end.isoformat(),
        "kpi": row.kpi.key,
        "key_results": [
            {
                "objective": entry.objective,
                "key": entry.score.key,
                "baseline": _rounded(entry.score.baseline),
                "target": plain_target(entry.target),
                "achieved": _rounded(entry.achieved),
            }
            for entry in row.key_results
        ],
        "start_value": _rounded(movement.first.value if movement.first else None),
        "end_value": _rounded(movement.last.value if movement.last else None),
        "change": _rounded(movement.change),
        "noise": _rounded(movement.limits.noise if movement.limits else None),
        "in_noise": _rounded(movement.in_noise),
        "targeted_side": row.targeted_side.value if row.targeted_side else None,
        "outcome": row.outcome.value,
        "side": row.moved_side.value if row.moved_side else None,
        "rules": sorted({signal.rule for signal in row.signals}),
        "held": row.held,
    }


def attribution_json(groups: CycleAttribution) -> JSON:
    """A cycle's groups, as the CLI's and the API's JSON say them."""
    return {
        "cycle": groups.cycle.key,
        **{
            name: [kpi_cycle_json(row) for row in rows]
            for name, _, rows in groups.groups
        },
    }


def kpi_attribution_json(
    as_of: dt.date, kpi: str, rows: Iterable[KPICycleAttribution]
) -> JSON:
    """`drumbeat attribution --kpi KEY --format json`."""
    return {
        "as_of": as_of.isoformat(),
        "kpi": kpi,
        "cycles": [kpi_cycle_json(row) for row in rows],
    }


def cycles_attribution_json(as_of: dt.date, groups: Iterable[CycleAttribution]) -> JSON:
    """`drumbeat attribution --format json`: each closed cycle's groups."""
    return {
        "as_of": as_of.isoformat(),
        "cycles": [attribution_json(group) for group in groups],
    }


def assessment_json(result: Assessment) -> JSON:
    """`drumbeat assess --format json` and the API: Kelly's decision tree."""
    informal, targeted, monitor = result.informal, result.targeted, result.monitor
    return {
        "as_of": result.as_of.isoformat(),
        "type": int(result.kpi_type),
        "label": result.kpi_type.label,
        "reasons": list(result.reasons),
        "recommendation": list(result.recommendation),
        "evidence": {
            "informal": {
                "holds": informal.holds,
                "kpis": informal.kpi_count,
                "share": round(informal.share, 4),
                "incomplete": list(informal.incomplete),
                "duplicated": list(informal.duplicated),
                "unowned": list(informal.unowned),
                "key_kpis": informal.key_count,
                "too_many_key": informal.too_many_key,
            },
            "targeted": {
                "holds": targeted.holds,
                "cycle": targeted.cycle,
                "targeted_twice": list(targeted.targeted_twice),
                "standing": list(targeted.standing),
                "action_plans": list(targeted.action_plans),
            },
            "monitor": {
                "holds": monitor.holds,
                "well_defined": monitor.well_defined,
                "share_well_defined": round(monitor.share_well_defined, 4),
                "perspectives_missing": [str(p) for p in monitor.perspectives_missing],
                "key_targeted": list(monitor.key_targeted),
                "okrs_on_a_few": monitor.okrs_on_a_few,
            },
        },
        "answers": [
            {"question": q.key, "text": q.text, "answer": result.answers.get(q.key)}
            for q in QUESTIONS
        ],
        "next_steps": [
            {"text": step.text, "kpis": list(step.kpis)} for step in result.next_steps
        ],
    }
