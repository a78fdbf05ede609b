"""A cycle's state: planning, active (with the days left), closing, closed."""

import datetime as dt

import pytest

from drumbeat.core.cycles import cycle_contains, cycle_score, cycle_standing
from drumbeat.core.model import CycleState

START, END = dt.date(2026, 7, 1), dt.date(2026, 9, 30)


@pytest.mark.parametrize(
    ("today", "closed", "state", "described"),
    [
        (dt.date(2026, 6, 30), False, CycleState.PLANNING, "planning"),
        (dt.date(2026, 7, 1), False, CycleState.ACTIVE, "active · 92 days left"),
        (dt.date(2026, 9, 30), False, CycleState.ACTIVE, "active · 1 day left"),
        (dt.date(2026, 10, 1), False, CycleState.CLOSING, "closing"),
        (dt.date(2026, 10, 14), False, CycleState.CLOSING, "closing"),
        (
            dt.date(2026, 10, 15),
            False,
            CycleState.CLOSING,
            "closing · overdue for close (15 days)",
        ),
        (dt.date(2026, 10, 15), True, CycleState.CLOSED, "closed"),
    ],
)
def test_a_cycles_state_comes_from_its_dates_and_its_close(
    today, closed, state, described
):
    standing = cycle_standing(START, END, today, closed=closed)
    assert standing.state is state
    assert standing.describe() == described
    assert standing.read_only is (state is CycleState.CLOSED)


Q3 = (START, END)


@pytest.mark.parametrize(
    ("outer", "contains"),
    [
        (Q3, True),
        ((dt.date(2026, 1, 1), dt.date(2026, 12, 31)), True),
        ((dt.date(2026, 7, 1), dt.date(2026, 8, 31)), False),
        ((dt.date(2026, 10, 1), dt.date(2026, 12, 31)), False),
        ((dt.date(2026, 7, 2), dt.date(2026, 12, 31)), False),
    ],
)
def test_a_cycle_contains_itself_and_the_cycles_within_its_dates(outer, contains):
    assert cycle_contains(outer, Q3) is contains


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([0.5, 1.0], 0.75),
        ([0.3, 0.0], 0.15),  # a zero score counts
        ([0.6, None], 0.6),  # an objective not scored yet does not
        ([None, None], None),
        ([], None),
    ],
)
def test_a_cycles_score_is_the_mean_of_its_scored_objectives(
    scores: list[float | None], expected: float | None
) -> None:
    assert cycle_score(scores) == (
        expected if expected is None else pytest.approx(expected)
    )
