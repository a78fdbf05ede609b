"""The probability that a KR will be hit (`core.forecast.key_result_hit_forecast`):
hand-computed cases and properties. The straight-line pace is in test_rhythm."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drumbeat.core.forecast import (
    TOO_FEW_READINGS,
    HitForecast,
    NoForecast,
    binomial_at_least,
    hit_level,
    key_result_hit_forecast,
    linear_fit,
    probability_meets,
    process_sigma,
)
from drumbeat.core.model import (
    Band,
    Cadence,
    Commitment,
    Direction,
    KeyResultKind,
)
from tests.core.builders import cycle, key_result, kpi, readings_at

Q2 = cycle()  # 2026-04-01 .. 2026-06-30: 90 days
APRIL_1 = dt.date(2026, 4, 1)
COMMITTED, ASPIRATIONAL = Commitment.COMMITTED, Commitment.ASPIRATIONAL


def _day(n: int) -> dt.date:
    return APRIL_1 + dt.timedelta(days=n)


def _forecast(
    values: list[float],
    target: float | Band,
    *,
    commitment: Commitment = COMMITTED,
    direction: Direction = Direction.UP,
    kind: KeyResultKind = KeyResultKind.CHANGE,
    sigma: float | None = 1.0,
    as_of: int = 31,
    deadline: dt.date | None = None,
) -> HitForecast | NoForecast:
    """The forecast of a KR whose KPI read values[0] on the cycle start (its
    baseline) and then values[1:] every 10 days."""
    measured = kpi(
        readings=readings_at(
            (_day(10 * index), value) for index, value in enumerate(values)
        ),
        direction=direction,
    )
    kr = key_result(target=target, kind=kind, deadline=deadline)
    return key_result_hit_forecast(
        kr, measured, Q2, _day(as_of), commitment=commitment, sigma=sigma
    )


def _p_hit(values: list[float], target: float | Band, **options: Any) -> float:
    forecast = _forecast(values, target, **options)
    assert isinstance(forecast, HitForecast), forecast
    return forecast.p_hit


@pytest.mark.parametrize(
    ("commitment", "level"), [(COMMITTED, 1.0), (ASPIRATIONAL, 0.7)]
)
def test_a_kr_is_hit_at_its_objectives_level(commitment, level):
    assert hit_level(commitment) == level


@pytest.mark.parametrize(
    ("values", "target", "commitment", "direction", "expected"),
    [
        # y = x: 90 at the deadline (day 90); hitting 90 is a coin toss.
        pytest.param([0, 10, 20, 30], 90, COMMITTED, Direction.UP, 0.5, id="on-line"),
        pytest.param([0, 10, 20, 30], 60, COMMITTED, Direction.UP, 1.0, id="past-it"),
        pytest.param([0, 10, 20, 30], 200, COMMITTED, Direction.UP, 0.0, id="short"),
        # 0.7 of the way to 90 is 63, where y = 0.7x ends.
        pytest.param([0, 7, 14, 21], 90, ASPIRATIONAL, Direction.UP, 0.5, id="0.7"),
        # Down: 100, 90, 80, 70 ends at 10.
        pytest.param([100, 90, 80, 70], 10, COMMITTED, Direction.DOWN, 0.5, id="down"),
        pytest.param([100, 90, 80, 70], 40, COMMITTED, Direction.DOWN, 1.0, id="dn-in"),
        pytest.param([100, 90, 80, 70], -50, COMMITTED, Direction.DOWN, 0.0, id="dn-x"),
    ],
)
def test_a_change_kr_follows_its_line(values, target, commitment, direction, expected):
    forecast = _forecast(values, target, commitment=commitment, direction=direction)
    assert isinstance(forecast, HitForecast)
    assert forecast.p_hit == pytest.approx(expected, abs=1e-6)
    assert forecast.value == pytest.approx(values[0] + 9 * (values[1] - values[0]))


def test_the_line_is_read_at_the_last_reading_due_by_the_deadline():
    # y = x read weekly from day 30: the last reading due by day 90 is on day 86.
    measured = kpi(
        readings=readings_at((_day(day), float(day)) for day in (0, 10, 20, 30)),
        cadence=Cadence.WEEKLY,
    )
    forecast = key_result_hit_forecast(
        key_result(target=86.0), measured, Q2, _day(31), commitment=COMMITTED
    )
    assert isinstance(forecast, HitForecast)
    assert forecast.value == pytest.approx(86)
    assert forecast.p_hit == pytest.approx(0.5)


def test_the_line_s_own_uncertainty_widens_towards_the_deadline():
    fit = linear_fit([0, 1, 2], [0, 1, 2])
    # x̄ = 1, Sxx = 2: at x = 3, σ·√(1 + 1/3 + (3 − 1)²/2).
    assert fit.prediction_sd(3, 2.0) == pytest.approx(2 * math.sqrt(1 + 1 / 3 + 2))
    assert fit.residual_sd == 0


def test_the_probability_is_the_normal_tail_at_the_threshold():
    # y = x: 90 at day 90, sd = σ·√(1 + 1/4 + (90 − 15)²/500) with σ = 10;
    # hitting 100 is P(Z ≥ 10 / sd).
    sd = 10 * math.sqrt(1 + 1 / 4 + 75**2 / 500)
    expected = 1 - 0.5 * (1 + math.erf(10 / sd / math.sqrt(2)))
    assert _p_hit([0, 10, 20, 30], 100, sigma=10.0) == pytest.approx(expected)


def test_readings_scattered_beyond_the_noise_widen_the_forecast():
    steady = _p_hit([0, 10, 20, 30], 100, sigma=1.0)
    scattered = _p_hit([0, 16, 14, 30], 100, sigma=1.0)
    assert scattered > steady


def test_sustain_kr_is_a_binomial_tail():
    # Three readings on target so far, each to come meets it half the time
    # (mean = target), four to come by the deadline (day 49, weekly cadence).
    measured = kpi(
        readings=readings_at((_day(day), 50.0) for day in (7, 14, 21)),
        cadence=Cadence.WEEKLY,
    )
    kr = key_result(target=50.0, kind=KeyResultKind.SUSTAIN, deadline=_day(49))

    def p_hit(commitment: Commitment) -> float:
        forecast = key_result_hit_forecast(
            kr, measured, Q2, _day(22), commitment=commitment, sigma=1.0
        )
        assert isinstance(forecast, HitForecast)
        assert forecast.value == 50.0
        return forecast.p_hit

    assert p_hit(COMMITTED) == pytest.approx(1 / 16)  # all four
    assert p_hit(ASPIRATIONAL) == pytest.approx(11 / 16)  # 5 of 7 ≥ 0.7: two or more


@pytest.mark.parametrize(
    ("trials", "p", "needed", "expected"),
    [(4, 0.5, 2, 11 / 16), (4, 0.5, 0, 1.0), (4, 0.5, 5, 0.0), (3, 0.2, 3, 0.008)],
)
def test_binomial_at_least(trials, p, needed, expected):
    assert binomial_at_least(trials, p, needed) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("mean", "target", "direction", "expected"),
    [
        (50.0, 50.0, Direction.UP, 0.5),
        (50.0, 50.0, Direction.DOWN, 0.5),
        (50.0, Band(49.0, 51.0), Direction.RANGE, 0.6826894921),
        (50.0, Band(49.0, 51.0), Direction.UP, 0.6826894921),
    ],
)
def test_one_reading_meets_the_target(mean, target, direction, expected):
    assert probability_meets(mean, 1.0, target, direction) == pytest.approx(expected)


def test_no_forecast_with_fewer_than_three_readings_since_the_cycle_began():
    assert _forecast([0, 10, 20], 90) == NoForecast(TOO_FEW_READINGS)


@pytest.mark.parametrize(
    ("values", "target", "reason"),
    [
        ([50, 50, 50, 50], 50, "the target equals the baseline"),
    ],
)
def test_no_forecast_without_a_distance_to_travel(values, target, reason):
    assert _forecast(values, target) == NoForecast(reason)


def test_no_forecast_without_a_kpi():
    kr = key_result(kpi="gone", target=10.0)
    forecast = key_result_hit_forecast(kr, None, Q2, _day(40), commitment=COMMITTED)
    assert forecast == NoForecast("no KPI 'gone'")


@pytest.mark.parametrize(("target", "expected"), [(30, 1.0), (40, 0.0)])
def test_after_the_deadline_the_score_is_final(target, expected):
    assert _p_hit([0, 10, 20, 30], target, as_of=40, deadline=_day(30)) == expected


def test_the_noise_is_the_limit_period_s_by_default():
    # Moving ranges of 2: σ = 2 / 1.128.
    measured = kpi(values=[10, 12, 10, 12, 10, 12, 10])
    assert process_sigma(measured, dt.date(2027, 1, 1)) == pytest.approx(2 / 1.128)
    assert isinstance(_forecast([0, 10, 20, 30], 90, sigma=None), HitForecast)


# --- Properties -------------------------------------------------------------------

values = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
histories = st.lists(values, min_size=4, max_size=9)
kinds = st.sampled_from(list(KeyResultKind))
commitments = st.sampled_from(list(Commitment))
level_kinds = st.sampled_from([KeyResultKind.CHANGE, KeyResultKind.SUSTAIN])
"""The kinds whose baseline is the first reading (a cumulative KR's is 0)."""


@given(histories, values, kinds, commitments, st.sampled_from(list(Direction)))
def test_p_hit_is_a_probability(history, target, kind, commitment, direction):
    forecast = _forecast(
        history, target, kind=kind, commitment=commitment, direction=direction
    )
    if isinstance(forecast, HitForecast):
        assert 0.0 <= forecast.p_hit <= 1.0


@given(
    histories,
    st.floats(min_value=0.01, max_value=1e4),
    st.floats(min_value=0, max_value=1e4),
    level_kinds,
    commitments,
)
def test_a_higher_target_is_no_likelier_to_be_hit(
    history, step, further, kind, commitment
):
    lower = history[0] + step  # both above the baseline, on an `up` KPI
    higher = lower + further
    p_lower = _p_hit(history, lower, kind=kind, commitment=commitment)
    p_higher = _p_hit(history, higher, kind=kind, commitment=commitment)
    assert p_higher <= p_lower + 1e-9
