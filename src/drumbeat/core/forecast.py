"""Where a Key Result is heading: its pace so far, projected to the deadline."""

from __future__ import annotations

import datetime as dt

from drumbeat.core.model import Cycle, KeyResult, KeyResultKind
from drumbeat.core.scoring import (
    GREEN_FROM,
    KeyResultScore,
    key_result_deadline,
    reaches,
)

ON_TRACK_FROM = GREEN_FROM
"""A KR is on track when its forecast score reaches the green band (0.7)."""


def forecast_progress(
    key_result: KeyResult, scored: KeyResultScore, cycle: Cycle
) -> float | None:
    """The progress the KR will have at its deadline if it keeps its pace.

    A `change` KR moves linearly: the progress reached by the latest reading, over
    the share of the time from cycle start to deadline that had passed by then. A
    `sustain` KR's share of readings on target so far is its best forecast. None
    when there is nothing to go on yet.
    """
    if scored.progress is None or scored.current is None:
        return None
    if key_result.kind is KeyResultKind.SUSTAIN:
        return scored.progress
    deadline = key_result_deadline(key_result, cycle)
    span = (deadline - cycle.start).days
    elapsed = (scored.current.day - cycle.start).days
    if span <= 0 or elapsed <= 0:
        return None
    return scored.progress * span / elapsed


def on_track(forecast: float | None) -> bool | None:
    if forecast is None:
        return None
    return reaches(forecast, ON_TRACK_FROM)


def days_left(key_result: KeyResult, cycle: Cycle, as_of: dt.date) -> int:
    """Days from `as_of` to the deadline (negative once it has passed)."""
    return (key_result_deadline(key_result, cycle) - as_of).days
