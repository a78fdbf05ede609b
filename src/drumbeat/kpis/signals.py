"""What other parts of Drumbeat may react to, so that the dictionary never
imports them: changes to KPIs (the scorecard refreshes what they move, inside the
writing transaction), and changes of KPI statuses (webhooks), sent once the change
is committed, so that a rolled-back change announces nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.dispatch import Signal


class KPIChange(StrEnum):
    """What changed about KPIs, which decides what must be recomputed."""

    READINGS = "readings"
    """Readings came in: the KPIs' statuses, the KR scores on them, and the
    findings on them and their objectives."""
    DEFINITION = "definition"
    """A definition was added or changed: statuses, and every finding that reads
    the dictionary or the KPIs' cycles."""
    SOURCE = "source"
    """Where readings come from changed: findings only (statuses do not move)."""


kpis_changed = Signal()
"""Sent by the dictionary's services inside their transaction with `kpi_keys:
frozenset[str]`, `change: KPIChange` and `defer: bool` (a large batch: recompute
in the background, after the answer). `drumbeat.scorecard` recomputes."""


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A KPI whose health or stale flag moved at a refresh."""

    kpi_key: str
    as_of: dt.date
    health_before: str | None
    """None when the KPI had no status yet (just created)."""
    health_after: str
    stale_before: bool | None
    stale_after: bool


kpi_statuses_changed = Signal()
"""Sent with `changes: list[StatusChange]` when refreshed KPIs' health or stale
flags moved."""

statuses_refreshed = Signal()
"""Sent with `as_of: date` and `full: bool` after every status refresh."""
