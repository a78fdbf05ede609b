"""Closes for the report's tests: through the close service (tests.okrs.closes)."""

from __future__ import annotations

from django.contrib.auth.models import User

from drumbeat.okrs.models import Cycle, CycleClose
from tests.okrs.closes import cycle_closed


def close_for_test(cycle: Cycle, by: User | None = None) -> CycleClose:
    """Close `cycle` now, its final grades frozen."""
    return cycle_closed(cycle.key, by=by)
