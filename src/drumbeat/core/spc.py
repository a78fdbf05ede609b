"""Process behaviour (XmR) charts: natural process limits and Wheeler's rules 1-3.

A KPI's readings vary from week to week; most of that variation is noise. The limits
are computed from the KPI's baseline readings, and a reading is a *signal* only when
it breaks one of the three detection rules. A signal on the KPI's bad side is
unfavourable: the process has changed for the worse, whatever the thresholds say.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from drumbeat.core.model import KPI, Band, Direction, Reading

LIMIT_FACTOR = 2.66
"""Natural process limits are mean ± 2.66 × the average moving range."""

QUARTILE_FACTOR = 1.33
"""Quartile lines (rule 2) are halfway to the limits: mean ± 1.33 × mR̄."""

MINIMUM_BASELINE = 6
"""Fewer baseline readings than this give no limits: the noise cannot be told."""

DEFAULT_BASELINE_LENGTH = 20
"""Without an explicit `spc.baseline`, the first 20 readings set the limits."""

RUN_LENGTH = 8
"""Rule 3: eight consecutive points on one side of the mean."""


class Side(StrEnum):
    ABOVE = "above"
    BELOW = "below"


@dataclass(frozen=True, slots=True)
class ProcessLimits:
    """The central line and natural limits of one KPI's process."""

    mean: float
    average_moving_range: float

    @property
    def upper(self) -> float:
        return self.mean + LIMIT_FACTOR * self.average_moving_range

    @property
    def lower(self) -> float:
        return self.mean - LIMIT_FACTOR * self.average_moving_range

    @property
    def upper_quartile(self) -> float:
        return self.mean + QUARTILE_FACTOR * self.average_moving_range

    @property
    def lower_quartile(self) -> float:
        return self.mean - QUARTILE_FACTOR * self.average_moving_range

    @property
    def noise(self) -> float:
        """The widest change that noise alone produces: 2.66 × mR̄."""
        return LIMIT_FACTOR * self.average_moving_range


@dataclass(frozen=True, slots=True)
class Signal:
    """One hit of a detection rule, over readings `first..last` (indices, inclusive)."""

    rule: int
    side: Side
    first: int
    last: int
    favourable: bool


def baseline_readings(kpi: KPI, as_of: dt.date) -> tuple[Reading, ...]:
    """The readings that set a KPI's limits: `spc.baseline`, else the first 20.

    Only readings known on `as_of` count, so that limits never use the future.
    """
    if kpi.spc_baseline is not None:
        period = kpi.spc_baseline
        return tuple(
            r
            for r in kpi.readings_until(min(period.end, as_of))
            if r.day >= period.start
        )
    return kpi.readings_until(as_of)[:DEFAULT_BASELINE_LENGTH]


def average_moving_range(values: Sequence[float]) -> float:
    """The mean absolute difference between successive values."""
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    return sum(ranges) / len(ranges)


def process_limits(values: Sequence[float]) -> ProcessLimits | None:
    """Limits from baseline values, or None when there are fewer than six."""
    if len(values) < MINIMUM_BASELINE:
        return None
    return ProcessLimits(
        mean=sum(values) / len(values),
        average_moving_range=average_moving_range(values),
    )


def kpi_process_limits(kpi: KPI, as_of: dt.date) -> ProcessLimits | None:
    return process_limits([r.value for r in baseline_readings(kpi, as_of)])


def favourable_side(
    direction: Direction, limits: ProcessLimits, green: float | Band | None
) -> Side | None:
    """The side a shift should go for the KPI to improve, if it has one.

    A `range` KPI improves towards its green band; when its process is centred in
    the band already (or it has no band), every shift is a departure: no good side.
    """
    if direction is Direction.UP:
        return Side.ABOVE
    if direction is Direction.DOWN:
        return Side.BELOW
    if isinstance(green, Band):
        if limits.mean < green.low:
            return Side.ABOVE
        if limits.mean > green.high:
            return Side.BELOW
    return None


def detect_signals(
    values: Sequence[float], limits: ProcessLimits, good_side: Side | None
) -> list[Signal]:
    """Every window of `values` that breaks rule 1, 2 or 3, in order of its end."""
    signals: list[Signal] = []

    def hit(rule: int, side: Side, first: int, last: int) -> None:
        signals.append(Signal(rule, side, first, last, favourable=side is good_side))

    upper, lower, mean = limits.upper, limits.lower, limits.mean
    beyond_upper_quartile = [v > limits.upper_quartile for v in values]
    beyond_lower_quartile = [v < limits.lower_quartile for v in values]
    run_side: Side | None = None
    run: list[int] = []
    for index, value in enumerate(values):
        if value > upper:
            hit(1, Side.ABOVE, index, index)
        elif value < lower:
            hit(1, Side.BELOW, index, index)

        # Rule 2 is judged at each point beyond a quartile line, so that a signal
        # always ends on a point that is part of it.
        if index >= 3:
            window = slice(index - 3, index + 1)
            if beyond_upper_quartile[index] and sum(beyond_upper_quartile[window]) >= 3:
                hit(2, Side.ABOVE, index - 3, index)
            if beyond_lower_quartile[index] and sum(beyond_lower_quartile[window]) >= 3:
                hit(2, Side.BELOW, index - 3, index)

        if value == mean:
            continue  # on the central line: neither extends nor breaks a run
        side = Side.ABOVE if value > mean else Side.BELOW
        if side is not run_side:
            run_side, run = side, []
        run.append(index)
        if len(run) >= RUN_LENGTH:
            hit(3, side, run[-RUN_LENGTH], index)
    return signals


def active_signals(signals: Sequence[Signal], latest_index: int) -> list[Signal]:
    """The hits whose window includes the latest reading."""
    return [s for s in signals if s.first <= latest_index <= s.last]


def signals_at_end(
    values: Sequence[float], limits: ProcessLimits, good_side: Side | None
) -> list[Signal]:
    """The active signals (those whose window includes the last value), found from
    the tail of the values alone: what `active_signals(detect_signals(...))` keeps,
    at a cost that does not grow with the history.

    A window that includes the last value ends there. Rule 1 reads the last value,
    rule 2 the last four, and rule 3 the last RUN_LENGTH values off the central line
    (values on it neither extend nor break a run), so the tail reaches back that far.
    """
    start, off_line = len(values), 0
    while start > 0 and off_line < RUN_LENGTH:
        start -= 1
        if values[start] != limits.mean:
            off_line += 1
    start = max(0, min(start, len(values) - 4))
    tail = values[start:]
    return [
        replace(signal, first=signal.first + start, last=signal.last + start)
        for signal in active_signals(
            detect_signals(tail, limits, good_side), len(tail) - 1
        )
    ]
