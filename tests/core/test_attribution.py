"""How far a KPI moved over a cycle and over a year, against its noise (limits from
the readings before the period)."""

from __future__ import annotations

import datetime as dt

from drumbeat.core.attribution import cycle_movement, year_movement
from drumbeat.core.display import movement_text
from drumbeat.core.model import Direction, Thresholds
from tests.core.builders import cycle, kpi, readings_at

# Thirteen weekly readings from 2026-01-05 to 2026-03-30 alternate 10 and 11 (mR̄
# 1: noise 2.66), then the cycle's readings, weekly from 2026-04-06.
BEFORE = [10, 11] * 6 + [10]
Q2 = cycle()
END = dt.date(2026, 6, 30)
IN_Q2 = [(dt.date(2026, 4, 6), 10.0), (dt.date(2026, 5, 4), 30.0)]


def test_a_change_wider_than_the_noise_is_beyond_it():
    moved = cycle_movement(kpi(values=[*BEFORE, 11, 12, 14]), Q2, dt.date(2026, 6, 30))
    assert moved.change == 3
    assert moved.in_noise == 3 / 2.66
    assert moved.beyond_noise is True
    assert moved.favourable is True


def test_a_change_within_the_noise_is_not_beyond_it():
    moved = cycle_movement(kpi(values=[*BEFORE, 11, 13]), Q2, dt.date(2026, 6, 30))
    assert moved.change == 2
    assert moved.beyond_noise is False


def test_a_fall_of_a_down_kpi_is_favourable():
    down = kpi(values=[*BEFORE, 11, 7], direction=Direction.DOWN)
    assert cycle_movement(down, Q2, dt.date(2026, 6, 30)).favourable is True


def test_without_limits_before_the_cycle_the_noise_is_not_judged():
    """Fewer than six readings before the cycle: no limits, no noise to judge by."""
    short = cycle_movement(
        kpi(readings=readings_at([(dt.date(2026, 3, 1), 10), *IN_Q2])), Q2, END
    )
    assert short.limits is None
    assert short.change == 20
    assert short.in_noise is None
    assert short.beyond_noise is False


def test_one_reading_in_the_cycle_is_no_movement():
    moved = cycle_movement(kpi(values=[*BEFORE, 30]), Q2, dt.date(2026, 6, 30))
    assert moved.last is not None
    assert moved.change is None
    assert movement_text(moved, "pts") == "30"


def test_the_cycle_is_read_up_to_as_of_while_it_runs():
    moved = cycle_movement(
        kpi(values=[*BEFORE, 11, 12, 14]), Q2, as_of=dt.date(2026, 4, 13)
    )
    assert moved.last is not None
    assert moved.last.value == 12


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


def test_movement_in_words_says_its_noise_and_side():
    moved = cycle_movement(kpi(values=[*BEFORE, 11, 12, 14]), Q2, dt.date(2026, 6, 30))
    assert movement_text(moved, "%") == "11 → 14 (+3 %, 1.1× noise, favourable)"
    within = cycle_movement(kpi(values=[*BEFORE, 11, 10]), Q2, dt.date(2026, 6, 30))
    assert movement_text(within) == "11 → 10 (−1, 0.4× noise, within noise)"
