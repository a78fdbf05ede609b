"""Key Result and objective scoring, read from the KPI's own readings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from drumbeat.core.model import (
    KPI,
    Band,
    Commitment,
    Cycle,
    Direction,
    Grade,
    KeyResult,
    KeyResultKind,
    Objective,
    Reading,
    Target,
)

RED_BELOW = 0.4
GREEN_FROM = 0.7
"""Grade bands (Google's convention): < 0.4 red, < 0.7 yellow, else green."""

SCORE_DECIMALS = 9
"""Scores are compared with grade and outcome boundaries at this many decimal
places: floating point makes 18 → 26.4 of 30 come out as 0.6999999999999998,
which is 0.7 and green."""


def settled(score: float) -> float:
    """A score as it is compared with a boundary (see `SCORE_DECIMALS`)."""
    return round(score, SCORE_DECIMALS)


def reaches(score: float | None, level: float) -> bool:
    """Whether a score is at or above `level` (0.7, 1.0...) once settled."""
    return score is not None and settled(score) >= level


def meets_target(value: float, target: Target, direction: Direction) -> bool:
    """True when `value` is at or beyond `target` on the KPI's good side.

    A band target is met inside `[low, high]`, inclusive. A single level on a
    `range` KPI reads as "at least", like `up`.
    """
    if isinstance(target, Band):
        return value in target
    if direction is Direction.DOWN:
        return value <= target
    return value >= target


def grade(score: float | None) -> Grade | None:
    """A score's grade band, compared once settled; None for no score."""
    if score is None:
        return None
    if not reaches(score, RED_BELOW):
        return Grade.RED
    if not reaches(score, GREEN_FROM):
        return Grade.YELLOW
    return Grade.GREEN


def key_result_deadline(key_result: KeyResult, cycle: Cycle) -> dt.date:
    return key_result.deadline or cycle.end


def default_baseline(kpi: KPI, cycle: Cycle) -> Reading | None:
    """The latest reading dated on or before the cycle start."""
    return kpi.latest_until(cycle.start)


def key_result_baseline(
    key_result: KeyResult, kpi: KPI | None, cycle: Cycle
) -> float | None:
    """The KR's baseline: as given, else 0 for a cumulative KR (nothing is added
    up yet at the cycle start), else the latest reading up to the cycle start."""
    if key_result.baseline is not None:
        return key_result.baseline
    if key_result.kind is KeyResultKind.CUMULATIVE:
        return 0.0
    if kpi is None:
        return None
    reading = default_baseline(kpi, cycle)
    return reading.value if reading else None


def scoring_window(
    key_result: KeyResult, kpi: KPI, cycle: Cycle, as_of: dt.date
) -> tuple[Reading, ...]:
    """The readings that count: after the cycle start, up to min(as_of, deadline)."""
    until = min(as_of, key_result_deadline(key_result, cycle))
    return kpi.readings_between(cycle.start, until)


@dataclass(frozen=True, slots=True)
class KeyResultScore:
    """A KR's state on a date. `progress` is unclipped; `score` is in [0, 1]."""

    key: str
    kpi: str
    kind: KeyResultKind
    baseline: float | None
    target: Target
    current: Reading | None
    progress: float | None
    score: float | None
    weight: float
    relative_target: float | None = None
    """The percent change the target was set as (`KeyResult.relative_target`)."""

    @property
    def grade(self) -> Grade | None:
        return grade(self.score)


_RELATIVE_TARGET = re.compile(r"\s*([+-])\s*(\d+(?:\.\d+)?)\s*%\s*")


def parse_relative_target(text: str) -> float | None:
    """The percent change a relative target states: `"+10%"` is 10.0, `"-25 %"`
    is -25.0; None when the text is not one (the sign is required)."""
    found = _RELATIVE_TARGET.fullmatch(text)
    if found is None:
        return None
    percent = float(found.group(2))
    return -percent if found.group(1) == "-" else percent


def relative_target_text(percent: float) -> str:
    """A relative target as the file writes it: 10.0 is `"+10%"`, -2.5 `"-2.5%"`."""
    return f"{percent:+g}%"


def resolve_relative_target(baseline: float, percent: float) -> float:
    """The level a relative target names: 15 and +10 % make 16.5 (rounded to
    `SCORE_DECIMALS` places, so that 15 × 1.1 is not 16.500000000000004)."""
    return round(baseline * (1 + percent / 100), SCORE_DECIMALS)


def relative_target_problem(
    baseline: float | None, kind: KeyResultKind, written: str
) -> str | None:
    """Why a relative target cannot be resolved against this baseline, or None;
    `written` is the target as written (`"+5%"`), quoted in the message."""
    quoted = f"a relative target ({written})"
    if kind is not KeyResultKind.CHANGE:
        return f"{quoted} is only for a change KR; give one number"
    if baseline is None:
        return (
            f"{quoted} needs a baseline: set `baseline:` on the KR, "
            "or record a reading on or before the cycle start"
        )
    if baseline == 0:
        return f"{quoted} cannot grow from a baseline of 0; give one number"
    return None


def cumulative_reading(window: Sequence[Reading]) -> Reading | None:
    """A cumulative KR's current value: the sum of the window's readings, dated
    at the last of them; None before the first."""
    if not window:
        return None
    return Reading(window[-1].at, sum(reading.value for reading in window))


def band_gap(value: float, band: Band) -> float:
    """How far `value` lies outside `band`: 0 inside, else the distance to the
    nearest edge."""
    if value < band.low:
        return band.low - value
    if value > band.high:
        return value - band.high
    return 0.0


def band_progress(
    baseline: float | None, band: Band, current: float | None
) -> float | None:
    """A change into a band: 1.0 inside it; outside, the share of the baseline's
    distance to the band that has been covered, `1 - gap(current) / gap(baseline)`
    (negative when the KPI moved away; overshooting past the far edge counts the
    overshoot as a gap). 0.0 outside when the baseline was already inside."""
    if baseline is None or current is None:
        return None
    if current in band:
        return 1.0
    start = band_gap(baseline, band)
    if start == 0:
        return 0.0
    return 1 - band_gap(current, band) / start


def change_progress(
    baseline: float | None, target: float, current: float | None
) -> float | None:
    """How far from baseline to target the KPI has moved (unclipped).

    Undefined (None) without a baseline or a current value, and when the target
    equals the baseline: there is no distance to travel.
    """
    if baseline is None or current is None or target == baseline:
        return None
    return (current - baseline) / (target - baseline)


def sustain_progress(
    readings: Sequence[Reading], target: Target, direction: Direction
) -> float | None:
    """The share of readings that meet the target; None when there are none."""
    if not readings:
        return None
    met = sum(meets_target(r.value, target, direction) for r in readings)
    return met / len(readings)


def key_result_score(
    key_result: KeyResult, kpi: KPI | None, cycle: Cycle, as_of: dt.date
) -> KeyResultScore:
    """Score a KR from its KPI's readings as of `as_of` (None where it cannot be)."""
    baseline = key_result_baseline(key_result, kpi, cycle)
    current: Reading | None = None
    progress: float | None = None
    if kpi is not None:
        window = scoring_window(key_result, kpi, cycle, as_of)
        if key_result.kind is KeyResultKind.CUMULATIVE:
            current = cumulative_reading(window)
        else:
            current = window[-1] if window else None
        value = current.value if current else None
        if key_result.kind is KeyResultKind.SUSTAIN:
            progress = sustain_progress(window, key_result.target, kpi.direction)
        elif isinstance(key_result.target, Band):
            progress = band_progress(baseline, key_result.target, value)
        else:
            progress = change_progress(baseline, key_result.target, value)
    score = None if progress is None else min(max(progress, 0.0), 1.0)
    return KeyResultScore(
        key=key_result.key,
        kpi=key_result.kpi,
        kind=key_result.kind,
        baseline=baseline,
        target=key_result.target,
        current=current,
        progress=progress,
        score=score,
        weight=key_result.weight,
        relative_target=key_result.relative_target,
    )


def objective_score(key_results: Sequence[KeyResultScore]) -> float | None:
    """The weighted mean of the KRs' scores that exist; None if none does."""
    scored = [kr for kr in key_results if kr.score is not None]
    total_weight = sum(kr.weight for kr in scored)
    if not scored or total_weight == 0:
        return None
    return sum(kr.score * kr.weight for kr in scored if kr.score is not None) / (
        total_weight
    )


class Outcome(StrEnum):
    """How an objective ended, by its commitment (read at cycle close)."""

    MET = "met"
    MISSED = "missed"
    SUCCESS = "success"
    FELL_SHORT = "fell_short"


def objective_outcome(
    objective: Objective, score: float | None, cycle: Cycle, as_of: dt.date
) -> Outcome | None:
    """At close: a committed objective below 1.0 is missed; an aspirational one at
    0.7 or above is a success. None while the cycle is open or nothing was scored.
    """
    if as_of <= cycle.end or score is None:
        return None
    if objective.commitment is Commitment.COMMITTED:
        return Outcome.MET if reaches(score, 1.0) else Outcome.MISSED
    return Outcome.SUCCESS if reaches(score, GREEN_FROM) else Outcome.FELL_SHORT
