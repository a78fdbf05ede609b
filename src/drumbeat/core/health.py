"""KPI health: thresholds, process behaviour and staleness, as of a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from drumbeat.core.model import (
    KPI,
    Band,
    Cadence,
    Direction,
    Health,
    Reading,
    Thresholds,
)
from drumbeat.core.spc import (
    ProcessLimits,
    Signal,
    active_signals,
    current_signals,
    limit_segments,
    period_signals,
)

STALE_FACTOR = 1.5
"""A reading is stale once it is older than 1.5 periods of the KPI's cadence."""


def threshold_health(
    direction: Direction, thresholds: Thresholds, value: float | None
) -> Health:
    """Green, amber or red from the thresholds alone; unknown without them."""
    if value is None or thresholds.is_empty:
        return Health.UNKNOWN
    if direction is Direction.RANGE:
        return _range_health(thresholds, value)
    green, red = thresholds.green, thresholds.red
    assert not isinstance(green, Band), "up/down thresholds are single levels"
    if direction is Direction.UP:
        if green is not None and value >= green:
            return Health.GREEN
        if red is not None and value <= red:
            return Health.RED
    else:
        if green is not None and value <= green:
            return Health.GREEN
        if red is not None and value >= red:
            return Health.RED
    return Health.AMBER


def _range_health(thresholds: Thresholds, value: float) -> Health:
    green, amber = thresholds.green, thresholds.amber
    if isinstance(green, Band) and value in green:
        return Health.GREEN
    if amber is not None and value in amber:
        return Health.AMBER
    if green is None and amber is None:
        return Health.UNKNOWN
    return Health.RED


def is_stale(cadence: Cadence | None, latest: Reading | None, as_of: dt.date) -> bool:
    """True when no reading has arrived for 1.5 periods of the cadence.

    A KPI with a cadence and no reading at all is stale: it is expected and missing.
    A KPI without a cadence cannot be judged, and is never stale.
    """
    if cadence is None:
        return False
    if latest is None:
        return True
    return (as_of - latest.day).days > STALE_FACTOR * cadence.days


def next_reading_due(cadence: Cadence | None, latest: Reading | None) -> dt.date | None:
    """The day a KPI's next reading is expected: one period of its cadence after
    its latest reading (whole days, rounded down). None without a cadence or a
    reading (nothing to count from)."""
    if cadence is None or latest is None:
        return None
    return latest.day + dt.timedelta(days=int(cadence.days))


def reading_due(
    cadence: Cadence | None, latest: Reading | None, as_of: dt.date
) -> bool:
    """True when a KPI's next reading is due by `as_of` (owed, not yet stale: a
    reminder to whoever records it by hand), or it has a cadence and no reading."""
    if cadence is None:
        return False
    due = next_reading_due(cadence, latest)
    return due is None or due <= as_of


@dataclass(frozen=True, slots=True)
class KPIAssessment:
    """How a KPI stands on a date: its latest reading, health, staleness, signals."""

    kpi: KPI
    as_of: dt.date
    latest: Reading | None
    health: Health
    threshold_health: Health
    stale: bool
    limits: ProcessLimits | None
    signals: tuple[Signal, ...]
    """The detection-rule hits whose window includes the latest reading."""
    history_signals: tuple[Signal, ...]
    """Every hit over the readings up to `as_of` (indices into those readings);
    empty unless assessed with `history=True`."""

    @property
    def unfavourable_signal(self) -> bool:
        return any(not signal.favourable for signal in self.signals)


def assess_kpi(kpi: KPI, as_of: dt.date, *, history: bool = False) -> KPIAssessment:
    """Everything the rules say about one KPI on `as_of`, from readings up to then.

    A green KPI whose latest reading belongs to an unfavourable signal is amber: it
    is deteriorating before any threshold is crossed. Each reading is judged
    against the limits of its own period (`spc.periods`). Every signal in the history
    (for a chart) is found only when asked (`history`); the active ones always.
    """
    readings = kpi.readings_until(as_of)
    latest = readings[-1] if readings else None
    by_threshold = threshold_health(
        kpi.direction, kpi.thresholds, latest.value if latest else None
    )
    segments = limit_segments(kpi, as_of)
    found: list[Signal] = []
    if history:
        found = period_signals(kpi, readings, segments)
        active = active_signals(found, len(readings) - 1)
    else:
        active = current_signals(kpi, readings, segments)
    health = by_threshold
    if health is Health.GREEN and any(not s.favourable for s in active):
        health = Health.AMBER
    return KPIAssessment(
        kpi=kpi,
        as_of=as_of,
        latest=latest,
        health=health,
        threshold_health=by_threshold,
        stale=is_stale(kpi.cadence, latest, as_of),
        limits=segments[-1].limits,
        signals=tuple(active),
        history_signals=tuple(found),
    )
