"""Small builders for core tests: KPIs with readings, cycles, objectives, KRs.

Every builder has defaults that make a valid object, so a test names only what it
is about: `kpi(values=[10, 12, 14])`, `key_result(target=20)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from drumbeat.core.model import (
    KPI,
    Cycle,
    KeyResult,
    Objective,
    Reading,
    Target,
    Workspace,
)

START = dt.date(2026, 1, 5)
"""The default date of a KPI's first reading (a Monday)."""


def weekly_readings(
    start: dt.date, values: Iterable[float], step_days: int = 7
) -> tuple[Reading, ...]:
    """One reading per `step_days` from `start`, with the given values in order."""
    return tuple(
        Reading(at=start + dt.timedelta(days=step_days * index), value=value)
        for index, value in enumerate(values)
    )


def readings_at(points: Iterable[tuple[dt.date, float]]) -> tuple[Reading, ...]:
    """Readings at explicit dates: `readings_at([(date(2026, 4, 1), 10.0)])`."""
    return tuple(Reading(at=day, value=value) for day, value in points)


def kpi(
    key: str = "nps",
    values: Sequence[float] = (),
    start: dt.date = START,
    step_days: int = 7,
    **fields: Any,
) -> KPI:
    """A KPI whose readings are `values`, one every `step_days` from `start`.

    Pass `readings=` instead of `values` for readings at explicit dates.
    """
    fields.setdefault("name", key.replace("_", " ").title())
    fields.setdefault("readings", weekly_readings(start, values, step_days))
    return KPI(key=key, **fields)


def cycle(
    key: str = "2026-Q2",
    start: dt.date = dt.date(2026, 4, 1),
    end: dt.date = dt.date(2026, 6, 30),
) -> Cycle:
    return Cycle(key=key, start=start, end=end)


def key_result(
    kpi: str = "nps", target: Target = 50.0, key: str = "kr1", **fields: Any
) -> KeyResult:
    return KeyResult(key=key, kpi=kpi, target=target, **fields)


def objective(
    *key_results: KeyResult,
    key: str = "o1",
    cycle: str = "2026-Q2",
    title: str = "Customers love the product",
    **fields: Any,
) -> Objective:
    return Objective(
        key=key, title=title, cycle=cycle, key_results=key_results, **fields
    )


def workspace(
    kpis: Iterable[KPI] = (),
    cycles: Iterable[Cycle] = (),
    objectives: Iterable[Objective] = (),
    **fields: Any,
) -> Workspace:
    return Workspace(
        kpis=tuple(kpis),
        cycles=tuple(cycles),
        objectives=tuple(objectives),
        **fields,
    )
