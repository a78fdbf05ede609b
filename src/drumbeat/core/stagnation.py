"""Stagnation: a KPI short of where it should be that is not moving.

Seed 000 asks which KPIs "are stagnating when they should be improving"; seed 004's
team sees that "the KPI has flagged stagnation". A KPI is stagnating on a date when

1. it falls short: below (for a `down` KPI, above) its green threshold, outside its
   green band, or, without a green threshold, behind its benchmark (industry, else
   best in class);
2. its last 8 readings hold no favourable signal, judged against the limits of its
   latest period (or, with too few readings for those, of the 8 readings alone);
3. the trend across those 8 readings — the least-squares line's change from the
   first reading to the last — is within its noise (2.66 × mR̄) either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from drumbeat.core.display import (
    MAX_DECIMALS,
    format_number,
    format_target,
    measure_decimals,
)
from drumbeat.core.model import KPI, Band, Direction
from drumbeat.core.spc import (
    detect_signals,
    favourable_side,
    limit_segments,
    process_limits,
)
from drumbeat.core.spc_words import MINUS

STAGNATION_WINDOW = 8
"""How many of the latest readings stagnation looks at."""


@dataclass(frozen=True, slots=True)
class Stagnation:
    """Why a KPI reads as stagnating: what it falls short of, and how flat it is."""

    first: dt.date
    last: dt.date
    change: float
    """The fitted change across the window, in the KPI's unit (signed)."""
    noise: float
    """The widest change noise alone produces (2.66 × mR̄)."""
    short_of: str
    """What it falls short of, e.g. "below its green threshold (45)"."""
    decimals: int = 0
    """The decimals the KPI's readings in the window are written with."""

    @property
    def reason(self) -> str:
        """One line for a KPI page or a suggestion's "why", the trend and the noise
        to the KPI's decimals: "a trend of −5.4 within its noise of ±7.0"."""
        decimals = self.shown_decimals
        change = format_number(abs(self.change), decimals=decimals)
        if float(change) != 0:
            change = ("+" if self.change > 0 else MINUS) + change
        return (
            f"stagnating: {self.short_of}, no favourable signal in its last "
            f"{STAGNATION_WINDOW} readings and a trend of {change} within its noise "
            f"of ±{format_number(self.noise, decimals=decimals)}"
        )

    @property
    def shown_decimals(self) -> int:
        """The KPI's decimals, or more where its noise would round to 0 (a noise
        of 0.4 on whole readings reads ±0.4, not ±0)."""
        decimals = self.decimals
        while (
            self.noise
            and float(format_number(self.noise, decimals=decimals)) == 0
            and decimals < MAX_DECIMALS
        ):
            decimals += 1
        return decimals


def shortfall(kpi: KPI, value: float) -> str | None:
    """What a KPI at `value` falls short of, or None when it does not."""
    green = kpi.thresholds.green
    if isinstance(green, Band):
        return (
            None if value in green else f"outside its green band {format_target(green)}"
        )
    if green is not None and kpi.direction is not Direction.RANGE:
        if kpi.direction is Direction.UP and value < green:
            return f"below its green threshold ({format_number(green)})"
        if kpi.direction is Direction.DOWN and value > green:
            return f"above its green threshold ({format_number(green)})"
        return None
    benchmark = kpi.benchmarks.industry
    if benchmark is None:
        benchmark = kpi.benchmarks.best_in_class
    if benchmark is None or kpi.direction is Direction.RANGE:
        return None
    behind = value < benchmark if kpi.direction is Direction.UP else value > benchmark
    return f"behind its benchmark ({format_number(benchmark)})" if behind else None


def fitted_change(values: Sequence[float]) -> float:
    """The least-squares line's change from the first value to the last."""
    count = len(values)
    mean_x = (count - 1) / 2
    mean_y = sum(values) / count
    spread = sum((x - mean_x) ** 2 for x in range(count))
    slope = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values)) / spread
    return slope * (count - 1)


def stagnation(kpi: KPI, as_of: dt.date) -> Stagnation | None:
    """How the KPI stagnates on `as_of`, or None when it does not (or has fewer
    than 8 readings by then)."""
    readings = kpi.readings_until(as_of)
    if len(readings) < STAGNATION_WINDOW:
        return None
    window = readings[-STAGNATION_WINDOW:]
    values = [reading.value for reading in window]
    short_of = shortfall(kpi, values[-1])
    if short_of is None:
        return None
    limits = limit_segments(kpi, as_of)[-1].limits or process_limits(values)
    assert limits is not None, "8 readings always give limits"
    good_side = favourable_side(kpi.direction, limits, kpi.thresholds.green)
    if any(signal.favourable for signal in detect_signals(values, limits, good_side)):
        return None
    change = fitted_change(values)
    if abs(change) > limits.noise:
        return None
    return Stagnation(
        first=window[0].day,
        last=window[-1].day,
        change=change,
        noise=limits.noise,
        short_of=short_of,
        decimals=measure_decimals(values),
    )
