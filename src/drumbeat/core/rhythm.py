"""The operating rhythm's agendas: the KPI review and the weekly OKR check-in.

The KPI review lists exceptions only (red, amber, stale, unfavourable signals), each
with its owner, worst first; green KPIs are one line each. The check-in lists every
KR of the active cycles with its score, its forecast to the deadline, the last
confidence and blockers: low confidence and off-track forecasts first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from drumbeat.core.display import unfavourable_signal_reason
from drumbeat.core.forecast import days_left, forecast_progress, on_track
from drumbeat.core.lifecycle import active_cycles
from drumbeat.core.model import CheckIn, Health, KeyResult, Objective, Tier, Workspace
from drumbeat.core.scoring import KeyResultScore, key_result_score
from drumbeat.core.status import KPIStatus, kpi_statuses

LOW_CONFIDENCE_BELOW = 0.5

CHECKIN_DUE_AFTER_DAYS = 7
"""A KR's check-in is due when nobody has checked in on it for this many days."""

_HEALTH_RANK = {Health.RED: 0, Health.AMBER: 1, Health.UNKNOWN: 2, Health.GREEN: 3}


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A KPI on the review agenda, with why it is there."""

    status: KPIStatus
    reasons: tuple[str, ...]

    @property
    def owner(self) -> str | None:
        return self.status.assessment.kpi.owner


@dataclass(frozen=True, slots=True)
class KPIReview:
    exceptions: tuple[ReviewItem, ...]
    on_track: tuple[KPIStatus, ...]


def review_reasons(status: KPIStatus) -> tuple[str, ...]:
    """Why a KPI needs attention; empty when it does not."""
    assessment = status.assessment
    reasons = []
    if assessment.health in (Health.RED, Health.AMBER):
        reasons.append(str(assessment.health))
    for signal in assessment.signals:
        if not signal.favourable:
            reasons.append(unfavourable_signal_reason(signal))
            break
    if assessment.stale:
        reasons.append("stale")
    return tuple(reasons)


def kpi_review(workspace: Workspace, as_of: dt.date) -> KPIReview:
    """The KPI review agenda: exceptions worst first (red, amber, then signal or
    stale only; the north star and key tier first within each), then the rest."""
    exceptions: list[ReviewItem] = []
    fine: list[KPIStatus] = []
    for status in kpi_statuses(workspace, as_of):
        reasons = review_reasons(status)
        if reasons:
            exceptions.append(ReviewItem(status, reasons))
        else:
            fine.append(status)

    def worst_first(item: ReviewItem) -> tuple[int, int, int]:
        kpi = item.status.assessment.kpi
        return (
            _HEALTH_RANK[item.status.assessment.health],
            0 if kpi.north_star else 1,
            0 if kpi.tier is Tier.KEY else 1,
        )

    return KPIReview(tuple(sorted(exceptions, key=worst_first)), tuple(fine))


@dataclass(frozen=True, slots=True)
class CheckInItem:
    """A KR on the weekly check-in agenda."""

    objective: Objective
    key_result: KeyResult
    score: KeyResultScore
    forecast: float | None
    """The progress expected at the deadline at the current pace."""
    last_checkin: CheckIn | None
    days_left: int
    checkin_due: bool = False
    """No check-in for `CHECKIN_DUE_AFTER_DAYS` days (or none yet)."""

    @property
    def on_track(self) -> bool | None:
        return on_track(self.forecast)

    @property
    def low_confidence(self) -> bool:
        last = self.last_checkin
        return (
            last is not None
            and last.confidence is not None
            and last.confidence < LOW_CONFIDENCE_BELOW
        )

    @property
    def needs_attention(self) -> bool:
        return self.low_confidence or self.on_track is False

    @property
    def trend(self) -> str | None:
        """The last confidence's trend: "up", "down", or None (see
        `confidence_trend`), from the check-ins up to the last one."""
        last = self.last_checkin
        if last is None:
            return None
        upto = sorted(
            (c for c in self.key_result.checkins if c.at <= last.at),
            key=lambda c: c.at,
        )
        return confidence_trend(upto)


class Confident(Protocol):
    """A check-in, as the core or the database holds it."""

    @property
    def confidence(self) -> float | None: ...


def confidence_trend(checkins: Iterable[Confident]) -> str | None:
    """ "up" or "down" from the last two confidences given (oldest first) among
    `checkins`; None when they are equal or there are fewer than two."""
    values = [c.confidence for c in checkins if c.confidence is not None]
    if len(values) < 2 or values[-1] == values[-2]:
        return None
    return "up" if values[-1] > values[-2] else "down"


def last_checkin(key_result: KeyResult, as_of: dt.date) -> CheckIn | None:
    """The latest check-in on or before `as_of`."""
    earlier = [c for c in key_result.checkins if c.at <= as_of]
    return max(earlier, key=lambda c: c.at) if earlier else None


def checkin_due(key_result: KeyResult, as_of: dt.date) -> bool:
    """True when nobody has checked in on the KR for `CHECKIN_DUE_AFTER_DAYS`
    days up to `as_of`, or ever."""
    last = last_checkin(key_result, as_of)
    return last is None or (as_of - last.at).days >= CHECKIN_DUE_AFTER_DAYS


def checkin_agenda(
    workspace: Workspace, as_of: dt.date, cycles: Iterable[str] | None = None
) -> list[CheckInItem]:
    """Every KR of the cycles keyed in `cycles` (default: those active on
    `as_of`): low confidence and off-track first, then those with no check-in for
    a week, then the rest; the lowest confidence and forecast first within each."""
    items = []
    chosen = (
        active_cycles(workspace, as_of)
        if cycles is None
        else [workspace.cycle_by_key[key] for key in cycles]
    )
    for cycle in chosen:
        for objective in workspace.objectives_in(cycle.key):
            for kr in objective.key_results:
                scored = key_result_score(
                    kr, workspace.kpi_by_key.get(kr.kpi), cycle, as_of
                )
                items.append(
                    CheckInItem(
                        objective=objective,
                        key_result=kr,
                        score=scored,
                        forecast=forecast_progress(kr, scored, cycle),
                        last_checkin=last_checkin(kr, as_of),
                        days_left=days_left(kr, cycle, as_of),
                        checkin_due=checkin_due(kr, as_of),
                    )
                )

    def attention_first(item: CheckInItem) -> tuple[int, float, float]:
        last = item.last_checkin
        confidence = last.confidence if last and last.confidence is not None else 1.0
        forecast = item.forecast if item.forecast is not None else 1.0
        tier = 0 if item.needs_attention else 1 if item.checkin_due else 2
        return (tier, confidence, forecast)

    return sorted(items, key=attention_first)
