"""Stagnation, by hand: short of green or benchmark, no favourable signal in the
last 8 readings, and a fitted trend within the noise (2.66 × mR̄)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from drumbeat.core.model import Band, Benchmarks, Direction, Thresholds
from drumbeat.core.stagnation import fitted_change, shortfall, stagnation
from tests.core.builders import START, kpi

FLAT = [40, 41, 40, 41, 40, 41, 40, 41]
"""mR̄ = 1, so noise = 2.66; fitted change = 2/42 × 7 = +0.3333."""

AFTER = START + dt.timedelta(days=7 * 40)


def test_fitted_change_is_the_least_squares_line_across_the_window() -> None:
    # x − 3.5 against y − 40.5: products 1.75 −1.25 0.75 −0.25 −0.25 0.75 −1.25 1.75
    # sum 2; Σ(x − 3.5)² = 42; slope 2/42; over 7 steps: 1/3.
    assert fitted_change(FLAT) == pytest.approx(1 / 3)
    assert fitted_change([40, 41, 42, 43, 44, 45, 46, 47]) == pytest.approx(7)
    assert fitted_change([5.0] * 8) == 0


UP_GREEN_50: dict[str, Any] = {"thresholds": Thresholds(green=50)}


@pytest.mark.parametrize(
    ("values", "fields", "expected"),
    [
        # flat and below green 50: stagnating
        (FLAT, UP_GREEN_50, "below its green threshold (50)"),
        # flat but at green: fine
        ([v + 10 for v in FLAT], UP_GREEN_50, None),
        # 7 readings: too few to say
        (FLAT[:7], UP_GREEN_50, None),
        # rising 1 a week: +7 beyond the noise 2.66, and a favourable rule-2 hit
        ([40, 41, 42, 43, 44, 45, 46, 47], UP_GREEN_50, None),
        # falling 1 a week: deteriorating (−7 beyond its noise), not stagnating
        ([47, 46, 45, 44, 43, 42, 41, 40], UP_GREEN_50, None),
        # a `down` KPI (churn) flat above its green 2
        (
            [3.0, 3.1, 3.0, 3.1, 3.0, 3.1, 3.0, 3.1],
            {"direction": Direction.DOWN, "thresholds": Thresholds(green=2)},
            "above its green threshold (2)",
        ),
        # no thresholds: behind the industry benchmark 60
        (FLAT, {"benchmarks": Benchmarks(industry=60)}, "behind its benchmark (60)"),
        # no thresholds: best in class when there is no industry figure
        (
            FLAT,
            {"benchmarks": Benchmarks(best_in_class=45)},
            "behind its benchmark (45)",
        ),
        # ahead of its benchmark: fine
        (FLAT, {"benchmarks": Benchmarks(industry=30)}, None),
        # nothing to fall short of
        (FLAT, {}, None),
        # a `range` KPI flat outside its green band
        (
            [25, 26, 25, 26, 25, 26, 25, 26],
            {
                "direction": Direction.RANGE,
                "thresholds": Thresholds(green=Band(10, 20)),
            },
            "outside its green band [10, 20]",
        ),
    ],
)
def test_stagnation_table(
    values: list[float], fields: dict[str, Any], expected: str | None
) -> None:
    found = stagnation(kpi(values=values, **fields), AFTER)
    assert (found.short_of if found else None) == expected


def test_the_reason_says_what_it_falls_short_of_and_how_flat_it_is() -> None:
    found = stagnation(kpi(values=FLAT, **UP_GREEN_50), AFTER)
    assert found is not None
    assert found.first == START
    assert found.last == START + dt.timedelta(days=49)
    assert found.noise == pytest.approx(2.66)
    assert found.reason == (
        "stagnating: below its green threshold (50), no favourable signal in its "
        "last 8 readings and a trend of 0 within its noise of ±3"
    )


@pytest.mark.parametrize(
    ("values", "trend", "noise"),
    [
        # whole readings: +0.3333 and 2.66 read as whole numbers, no sign on 0
        (FLAT, "0", "3"),
        # one decimal: mean 40, Σ(x − 3.5)(y − 40) = −13, so −13/42 × 7 = −2.1667;
        # moving ranges 1.5 and 1 in turn, mR̄ 9/7, noise 3.42
        ([41.5, 40.0, 41.0, 39.5, 40.5, 39.0, 40.0, 38.5], "−2.2", "3.4"),
        # one decimal, rising: +0.1333 within 2.66 × 0.4 = 1.064
        ([40.0, 40.4] * 4, "+0.1", "1.1"),
        # a whole window, but the limits of the 20 readings before (mR̄ 0.1) give a
        # noise of 0.266: one more decimal, so that it does not read ±0
        ([40, 40.1] * 10 + [40] * 8, "0.0", "0.3"),
    ],
)
def test_the_reason_rounds_trend_and_noise_to_the_kpis_decimals(
    values: list[float], trend: str, noise: str
) -> None:
    found = stagnation(kpi(values=values, **UP_GREEN_50), AFTER)
    assert found is not None
    assert found.reason.endswith(f"a trend of {trend} within its noise of ±{noise}")


BASELINE = [40, 41] * 10
"""The first 20 readings set the limits: mean 40.5, mR̄ 1, upper limit 43.16."""


def test_a_favourable_signal_in_the_window_is_not_stagnation() -> None:
    # 44 is beyond the upper limit 43.16 of the KPI's limits: rule 1, favourable.
    # Against the 8 readings' own limits (mR̄ 10/7, upper 44.68) it would not be.
    moving = kpi(values=[*BASELINE, 40, 41, 40, 41, 40, 41, 40, 44], **UP_GREEN_50)
    assert stagnation(moving, AFTER) is None


def test_a_point_inside_the_limits_keeps_it_stagnating() -> None:
    # 43 stays under 43.16; its moving range 3 under 3.268; one point past the
    # quartile line 41.83 is no rule-2 hit; fitted change +1.5 under 2.66.
    flat = kpi(values=[*BASELINE, 40, 41, 40, 41, 40, 41, 40, 43], **UP_GREEN_50)
    found = stagnation(flat, AFTER)
    assert found is not None
    assert found.change == pytest.approx(
        fitted_change([40, 41, 40, 41, 40, 41, 40, 43])
    )


def test_judged_on_the_readings_known_on_the_day() -> None:
    flat = kpi(values=FLAT, **UP_GREEN_50)
    assert stagnation(flat, START + dt.timedelta(days=48)) is None  # 7 known
    assert stagnation(flat, START + dt.timedelta(days=49)) is not None


@pytest.mark.parametrize(
    ("fields", "value", "expected"),
    [
        (UP_GREEN_50, 49.9, "below its green threshold (50)"),
        (UP_GREEN_50, 50, None),
        ({"direction": Direction.DOWN, "thresholds": Thresholds(green=2)}, 2, None),
        (
            {"direction": Direction.RANGE, "thresholds": Thresholds(green=Band(1, 3))},
            3,
            None,
        ),
        ({"direction": Direction.RANGE, "benchmarks": Benchmarks(industry=5)}, 9, None),
    ],
)
def test_shortfall(fields: dict[str, Any], value: float, expected: str | None) -> None:
    assert shortfall(kpi(**fields), value) == expected
