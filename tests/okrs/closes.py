"""Closes made in tests through the close service, with the corrective flow
leaving the dictionary as it was (thresholds declined, transient KPIs kept as
they are), so that a test sees the frozen grades and nothing else move."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from drumbeat.okrs.models import Cycle, CycleClose
from drumbeat.scorecard.closing import ChoiceIn, cycle_close, cycle_close_plan


def cycle_closed(
    key: str, *, by: User | None, at: dt.datetime | None = None
) -> CycleClose:
    """Close cycle `key` as `by`, recorded at `at` (now by default)."""
    cycle = Cycle.objects.get(key=key)
    plan = cycle_close_plan(cycle)
    choices = {
        item.name: ChoiceIn("declined" if "declined" in item.options else item.default)
        for item in plan.items
        if item.kind != "history"
    }
    close = cycle_close(cycle=cycle, by=by, choices=choices)
    if at is not None:
        CycleClose.objects.filter(pk=close.pk).update(closed_at=at)
        close.refresh_from_db()
    return close
