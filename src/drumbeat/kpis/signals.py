"""What other parts of Drumbeat (webhooks, schedules) may react to, sent once the
change is committed, so that a rolled-back change announces nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.dispatch import Signal


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
