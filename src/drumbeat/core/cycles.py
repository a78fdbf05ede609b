"""A cycle's state in the rhythm (PRODUCT.md, operating rhythm): planning, active,
closing after its end until someone closes it, closed by the close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from drumbeat.core.model import Cycle, CycleState

CLOSE_OVERDUE_DAYS = 14
"""A cycle still `closing` this many days after its end is overdue for close."""


@dataclass(frozen=True, slots=True)
class CycleStanding:
    state: CycleState
    days_left: int | None
    """While active: the days to the end, the end day counted (1 on the last day)."""
    days_closing: int | None
    """While closing: the days since the end."""

    @property
    def overdue_for_close(self) -> bool:
        return self.days_closing is not None and self.days_closing > CLOSE_OVERDUE_DAYS

    @property
    def read_only(self) -> bool:
        """Scores and structure are frozen: no check-ins, edits or new objectives."""
        return self.state is CycleState.CLOSED

    def describe(self) -> str:
        """In words: "active · 12 days left", "closing · overdue for close"."""
        if self.state is CycleState.ACTIVE and self.days_left is not None:
            unit = "day" if self.days_left == 1 else "days"
            return f"active · {self.days_left} {unit} left"
        if self.overdue_for_close:
            return f"closing · overdue for close ({self.days_closing} days)"
        return str(self.state)


def cycle_standing(
    start: dt.date, end: dt.date, as_of: dt.date, *, closed: bool
) -> CycleStanding:
    """The state of a cycle from `start` to `end` on `as_of`; `closed` when it has
    a close that was not reopened (a close before the end counts: an admin may
    close early)."""
    if closed:
        return CycleStanding(CycleState.CLOSED, None, None)
    if as_of < start:
        return CycleStanding(CycleState.PLANNING, None, None)
    if as_of <= end:
        return CycleStanding(CycleState.ACTIVE, (end - as_of).days + 1, None)
    return CycleStanding(CycleState.CLOSING, None, (as_of - end).days)


def cycle_contains(
    outer: tuple[dt.date, dt.date], inner: tuple[dt.date, dt.date]
) -> bool:
    """Whether the cycle from `outer`'s start to end contains `inner`'s (a year
    contains its quarters; a cycle contains itself): an objective may contribute
    to one in its own cycle or in a cycle containing it, never the other way."""
    return outer[0] <= inner[0] and inner[1] <= outer[1]


ANNUAL_MIN_DAYS = 300
"""A cycle longer than this is a year, not a quarter-like sprint."""


def is_annual_cycle(cycle: Cycle, cycles: Iterable[Cycle]) -> bool:
    """Whether `cycle` sets the annual direction rather than being a sprint.

    Annual: longer than `ANNUAL_MIN_DAYS`, or containing another cycle of the
    workspace (a year containing its quarters).
    """
    if cycle_days(cycle) > ANNUAL_MIN_DAYS:
        return True
    return any(
        other.key != cycle.key and cycle.start <= other.start and other.end <= cycle.end
        for other in cycles
    )


def cycle_days(cycle: Cycle) -> int:
    """The length of a cycle in days, both ends counted (a quarter: 90 to 92)."""
    return (cycle.end - cycle.start).days + 1


def cycle_score(objective_scores: Iterable[float | None]) -> float | None:
    """A cycle's score, as a year's board shows each quarter's: the mean of its
    objectives' scores that exist, each objective counted once whatever its KRs
    or team; None when no objective is scored (or there is none)."""
    scored = [score for score in objective_scores if score is not None]
    return sum(scored) / len(scored) if scored else None
