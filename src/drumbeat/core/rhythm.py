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
from enum import IntEnum
from typing import Protocol

from drumbeat.core.display import (
    format_number,
    signal_words,
    unfavourable_signal_reason,
)
from drumbeat.core.forecast import days_left, forecast_progress, on_track
from drumbeat.core.health import KPIAssessment, threshold_health
from drumbeat.core.lifecycle import active_cycles
from drumbeat.core.model import (
    Cadence,
    CheckIn,
    Health,
    KeyResult,
    Objective,
    Tier,
    Workspace,
)
from drumbeat.core.review_cadence import more_frequent_review_reason, review_due
from drumbeat.core.scoring import KeyResultScore, key_result_score
from drumbeat.core.stagnation import stagnation
from drumbeat.core.status import KPIStatus, kpi_statuses

LOW_CONFIDENCE_BELOW = 0.5

STAGNATING = "stagnating"
"""The word a stagnating KPI (`core.stagnation`) adds to its agenda's "why"."""


class ReviewBucket(IntEnum):
    """Where an exception comes in a KPI review meeting, first to last."""

    RED = 0
    SIGNAL = 1
    """Amber with an unfavourable signal (or a signal without thresholds)."""
    AMBER = 2
    STALE = 3
    """Stale only: neither red nor amber, no unfavourable signal."""


def review_bucket(
    health: Health | str, *, unfavourable_signal: bool, stale: bool
) -> ReviewBucket | None:
    """The part of the agenda a KPI belongs to: red, then amber with an
    unfavourable signal, then amber, then stale; None when it needs no review."""
    if health == Health.RED:
        return ReviewBucket.RED
    if unfavourable_signal:
        return ReviewBucket.SIGNAL
    if health == Health.AMBER:
        return ReviewBucket.AMBER
    if stale:
        return ReviewBucket.STALE
    return None


def review_rank(
    bucket: ReviewBucket, *, north_star: bool, tier: Tier | str
) -> tuple[int, int, int]:
    """The meeting order: bucket first, then the north star and the key tier."""
    return (bucket, 0 if north_star else 1, 0 if tier == Tier.KEY else 1)


def stale_words(
    cadence: Cadence | str | None, latest: dt.date | None, as_of: dt.date
) -> str:
    """`no reading for 23 days; weekly KPI`, or `no reading yet; weekly KPI`."""
    kind = f"; {cadence} KPI" if cadence else ""
    if latest is None:
        return f"no reading yet{kind}"
    days = (as_of - latest).days
    return f"no reading for {days} day{'s' if days != 1 else ''}{kind}"


def agenda_reasons(assessment: KPIAssessment) -> tuple[str, ...]:
    """Why a KPI is on the review agenda, in words: its thresholds' verdict with
    the latest reading, each unfavourable signal, and staleness."""
    reasons = []
    latest = assessment.latest
    if latest is not None and assessment.threshold_health in (Health.RED, Health.AMBER):
        unit = f" {assessment.kpi.unit}" if assessment.kpi.unit else ""
        reasons.append(
            f"{assessment.threshold_health} on its thresholds: latest reading "
            f"{format_number(latest.value, grouped=True)}{unit}"
        )
    seen = set()
    for signal in assessment.signals:
        words = signal_words(signal.rule, str(signal.side))
        if not signal.favourable and words not in seen:
            seen.add(words)
            reasons.append(words)
    if assessment.stale:
        reasons.append(
            stale_words(
                assessment.kpi.cadence,
                latest.day if latest else None,
                assessment.as_of,
            )
        )
    return with_stagnation(tuple(reasons), assessment)


def with_stagnation(
    reasons: tuple[str, ...], assessment: KPIAssessment
) -> tuple[str, ...]:
    """`reasons` and "stagnating" when the KPI is on the agenda (some reason
    already) and stagnates on its day; stagnation alone puts nothing on it."""
    if reasons and stagnation(assessment.kpi, assessment.as_of) is not None:
        return (*reasons, STAGNATING)
    return reasons


def exception_since(assessment: KPIAssessment) -> dt.date | None:
    """Since when a KPI has been in the state that puts it on the agenda.

    Red or amber on its thresholds: the first reading of the latest run of
    readings with that threshold health. Amber from an unfavourable signal alone:
    the first reading of the signal's window. Stale only: the last reading (None
    when there was never one)."""
    kpi = assessment.kpi
    readings = kpi.readings_until(assessment.as_of)
    if not readings:
        return None
    health = assessment.threshold_health
    if health in (Health.RED, Health.AMBER):
        since = readings[-1].day
        for reading in reversed(readings):
            if threshold_health(kpi.direction, kpi.thresholds, reading.value) != health:
                break
            since = reading.day
        return since
    unfavourable = [s for s in assessment.signals if not s.favourable]
    if unfavourable:
        return readings[min(s.first for s in unfavourable)].day
    return readings[-1].day


CHECKIN_DUE_AFTER_DAYS = 7
"""A KR's check-in is due when nobody has checked in on it for this many days."""


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
    not_due: tuple[KPIStatus, ...] = ()
    """On track, and not up at this review by their `review_cadence`."""


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
    reasons = list(with_stagnation(tuple(reasons), assessment))
    kpi = assessment.kpi
    at_risk = assessment.health in (Health.RED, Health.AMBER)
    more_often = more_frequent_review_reason(kpi.cadence, kpi.review_cadence)
    if at_risk and more_often:
        reasons.append(more_often)
    return tuple(reasons)


def kpi_review(workspace: Workspace, as_of: dt.date) -> KPIReview:
    """The KPI review agenda: exceptions in meeting order (`review_bucket`; the
    north star and key tier first within each), then the rest."""
    exceptions: list[ReviewItem] = []
    fine: list[KPIStatus] = []
    not_due: list[KPIStatus] = []
    for status in kpi_statuses(workspace, as_of):
        reasons = review_reasons(status)
        if reasons:
            exceptions.append(ReviewItem(status, reasons))
        elif review_due(status.assessment.kpi.review_cadence, as_of):
            fine.append(status)
        else:
            not_due.append(status)

    def worst_first(item: ReviewItem) -> tuple[int, int, int]:
        assessment = item.status.assessment
        bucket = review_bucket(
            assessment.health,
            unfavourable_signal=assessment.unfavourable_signal,
            stale=assessment.stale,
        )
        return review_rank(
            ReviewBucket.STALE if bucket is None else bucket,
            north_star=assessment.kpi.north_star,
            tier=assessment.kpi.tier,
        )

    return KPIReview(
        tuple(sorted(exceptions, key=worst_first)), tuple(fine), tuple(not_due)
    )


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
