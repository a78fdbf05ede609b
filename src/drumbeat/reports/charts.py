"""The board report's small charts: sparklines drawn on the server as inline SVG,
so that the page, its printout and its PDF show them without JavaScript."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from drumbeat.core.model import Reading

WIDTH = 120
HEIGHT = 28
PADDING = 2


@dataclass(frozen=True, slots=True)
class Sparkline:
    """A polyline's points in a WIDTH × HEIGHT box, and the span of the cycle."""

    points: str
    cycle_x: float | None
    """Where the cycle starts along the line (None: before the first point)."""
    cycle_width: float
    width: int = WIDTH
    height: int = HEIGHT


def sparkline(readings: Sequence[Reading], cycle_start: dt.date) -> Sparkline | None:
    """The readings as a line, oldest on the left; None with fewer than two."""
    if len(readings) < 2:
        return None
    values = [r.value for r in readings]
    low, high = min(values), max(values)
    spread = (high - low) or 1.0
    step = (WIDTH - 2 * PADDING) / (len(values) - 1)
    xs = [PADDING + index * step for index in range(len(values))]
    ys = [
        HEIGHT - PADDING - (v - low) / spread * (HEIGHT - 2 * PADDING) for v in values
    ]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    inside = [x for x, r in zip(xs, readings, strict=True) if r.day >= cycle_start]
    cycle_x = inside[0] if inside else None
    cycle_width = (WIDTH - PADDING - cycle_x) if cycle_x is not None else 0.0
    return Sparkline(points, cycle_x, cycle_width)
