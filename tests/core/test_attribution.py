"""How far a KPI moved over a cycle and over a year, against its noise (limits from
the readings before the period), and the one rule of whether it moved beyond it."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.core.attribution import (
    CycleOutcome,
    KPICycleAttribution,
    cycle_verdicts,
    moved_beyond_noise,
    verdict_words,
    year_movement,
)
from drumbeat.core.display import movement_text
from drumbeat.core.model import KPI, Direction, Thresholds
from tests.core.builders import cycle, kpi, readings_at, workspace

# Thirteen weekly readings from 2026-01-05 to 2026-03-30 alternate 10 and 11 (mR̄
# 1: noise 2.66; the last, 10, is the latest by the cycle start), then the
# cycle's readings, weekly from 2026-04-06.
BEFORE = [10, 11] * 6 + [10]
Q2 = cycle()
END = dt.date(2026, 6, 30)
IN_Q2 = [(dt.date(2026, 4, 6), 10.0), (dt.date(2026, 5, 4), 30.0)]


def over_q2(judged: KPI, as_of: dt.date = END) -> KPICycleAttribution:
    """`judged` over Q2 with no OKR on it."""
    return cycle_verdicts(workspace([judged], [Q2]), Q2, as_of)[judged.key]


def test_a_change_wider_than_the_noise_is_beyond_it():
    moved = over_q2(kpi(values=[*BEFORE, 11, 12, 14])).movement
    assert moved.change == 4
    assert moved.in_noise == 4 / 2.66
    assert moved.beyond_noise is True
    assert moved.favourable is True


def test_a_change_within_the_noise_is_not_beyond_it():
    moved = over_q2(kpi(values=[*BEFORE, 11, 12])).movement
    assert moved.change == 2
    assert moved.beyond_noise is False


def test_a_fall_of_a_down_kpi_is_favourable():
    down = kpi(values=[*BEFORE, 11, 7], direction=Direction.DOWN)
    assert over_q2(down).movement.favourable is True


def test_without_limits_before_the_cycle_the_noise_is_not_judged():
    """Fewer than six readings before the cycle: no limits, no noise to judge by."""
    short = over_q2(kpi(readings=readings_at([(dt.date(2026, 3, 1), 10), *IN_Q2])))
    assert short.movement.limits is None
    assert short.movement.change == 20
    assert short.movement.in_noise is None
    assert short.outcome is CycleOutcome.UNJUDGED
    assert moved_beyond_noise(short.outcome) is False


def test_one_reading_and_none_before_is_no_movement():
    moved = over_q2(kpi(readings=readings_at([(dt.date(2026, 4, 6), 30)]))).movement
    assert moved.last is not None
    assert moved.change is None
    assert movement_text(moved, "pts") == "30"


def test_the_cycle_is_read_up_to_as_of_while_it_runs():
    moved = over_q2(kpi(values=[*BEFORE, 11, 12, 14]), dt.date(2026, 4, 13)).movement
    assert moved.last is not None
    assert moved.last.value == 12


@pytest.mark.parametrize(
    ("outcome", "moved"),
    [
        (CycleOutcome.MOVED, True),
        (CycleOutcome.AGAINST, True),
        (CycleOutcome.STILL, False),
        (CycleOutcome.UNJUDGED, False),
    ],
)
def test_a_signal_either_way_is_a_move_beyond_the_noise(outcome, moved):
    assert moved_beyond_noise(outcome) is moved


def test_a_small_steady_rise_moved_though_its_change_is_within_the_noise():
    """Eight readings above the mean (rule 3), 10 → 10.9: a third of the noise."""
    creeping = over_q2(kpi(values=[*BEFORE, *[10.6, 10.8, 10.7, 10.9] * 2]))
    assert creeping.movement.beyond_noise is False
    assert creeping.outcome is CycleOutcome.MOVED
    assert verdict_words(creeping) == "moved beyond its noise, favourable"


def test_a_wide_wobble_is_within_the_noise_though_its_change_is_beyond_it():
    """12.9 is inside the limits (13.12): 10 → 12.9 is 1.1× the noise, no signal."""
    wobble = over_q2(kpi(values=[*BEFORE, 11, 12.9]))
    assert wobble.movement.beyond_noise is True
    assert wobble.outcome is CycleOutcome.STILL
    assert verdict_words(wobble) == "within its noise"


def test_the_year_compares_with_the_latest_reading_a_year_before():
    yearly = kpi(
        readings=readings_at(
            [
                (dt.date(2025, 6, 1), 40),
                (dt.date(2025, 7, 1), 45),
                (dt.date(2026, 6, 1), 52),
            ]
        ),
        thresholds=Thresholds(green=50),
    )
    moved = year_movement(yearly, dt.date(2026, 6, 15))
    assert (moved.first, moved.last) == yearly.readings[0:1] + yearly.readings[2:3]
    assert moved.change == 12
    assert movement_text(moved, "pts") == "40 → 52 (+12 pts)"


def test_movement_in_words_says_its_noise_and_the_verdict():
    moved = over_q2(kpi(values=[*BEFORE, 11, 12, 14]))
    assert (
        movement_text(moved.movement, "%", verdict_words(moved))
        == "10 → 14 (+4 %, 1.5× noise, moved beyond its noise, favourable)"
    )
    fell = over_q2(kpi(values=[*BEFORE, 9, 7]))
    assert verdict_words(fell) == "moved beyond its noise, unfavourable"
    within = over_q2(kpi(values=[*BEFORE, 11, 11]))
    assert (
        movement_text(within.movement, "", verdict_words(within))
        == "10 → 11 (+1, 0.4× noise, within its noise)"
    )
