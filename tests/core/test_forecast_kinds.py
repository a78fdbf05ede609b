"""Forecasts of the key-result kinds of issue 15, hand-computed: a cumulative KR's
projected sum, a change into a band read against its nearest edge."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drumbeat.core.forecast import HitForecast, forecast_progress, linear_fit
from drumbeat.core.model import Band, KeyResultKind
from drumbeat.core.scoring import key_result_score
from tests.core.builders import key_result, kpi, readings_at
from tests.core.test_forecast import (
    ASPIRATIONAL,
    COMMITTED,
    Q2,
    _day,
    _forecast,
    _p_hit,
)

CUMULATIVE = KeyResultKind.CUMULATIVE

# The reading on the cycle start (day 0) is not counted; then 3, 5 and 4 on days
# 10, 20 and 30. On day 31, 6 readings are still due by day 90 (one every 10
# days): the sum 12 + 6 × mean 4 = 36, with sd = stdev 1 × √(6 + 6² / 3) = √18.
LOGOS: list[float] = [9, 3, 5, 4]
SPREAD = math.sqrt(18)


@pytest.mark.parametrize(
    ("target", "commitment", "needed"),
    [
        (36.0, COMMITTED, 36.0),
        (30.0, ASPIRATIONAL, 21.0),
        (48.0, ASPIRATIONAL, 33.6),
    ],
)
def test_a_cumulative_kr_forecasts_its_projected_sum(target, commitment, needed):
    forecast = _forecast(LOGOS, target, kind=CUMULATIVE, commitment=commitment)
    assert isinstance(forecast, HitForecast)
    assert forecast.value == pytest.approx(36.0)
    expected_p = 1 - NormalDist(36.0, SPREAD).cdf(needed)
    assert forecast.p_hit == pytest.approx(expected_p)


def test_a_cumulative_kr_after_its_deadline_shows_its_sum():
    forecast = _forecast(LOGOS, 12.0, kind=CUMULATIVE, as_of=40, deadline=_day(30))
    assert forecast == HitForecast(12.0, 1.0, 1.0)


def test_a_cumulative_kr_projects_its_progress_linearly():
    measured = kpi(readings=readings_at((_day(10 * i), v) for i, v in enumerate(LOGOS)))
    kr = key_result(target=36.0, kind=CUMULATIVE)
    scored = key_result_score(kr, measured, Q2, _day(31))
    # 12 of 36 by day 30 of 90: a third, three times over.
    assert forecast_progress(kr, scored, Q2) == pytest.approx(1.0)


# 140 on the cycle start, then 135, 130, 125: a line falling 0.5 a day that
# reaches 95 on day 90, inside [90, 120].
PRESSURE: list[float] = [140, 135, 130, 125]
FIT_SD = linear_fit([0, 10, 20, 30], PRESSURE).prediction_sd(90, 1.0)


@pytest.mark.parametrize(
    ("commitment", "low", "high"),
    [
        # Committed: progress 1.0 is inside the band itself.
        (COMMITTED, 90.0, 120.0),
        # Aspirational, 0.7: within 0.3 × 20 (the baseline's gap) of the band.
        (ASPIRATIONAL, 84.0, 126.0),
    ],
)
def test_a_change_into_a_band_reads_the_nearest_edge(commitment, low, high):
    forecast = _forecast(PRESSURE, Band(90, 120), commitment=commitment)
    assert isinstance(forecast, HitForecast)
    assert forecast.value == pytest.approx(95.0)
    dist = NormalDist(95.0, FIT_SD)
    assert forecast.p_hit == pytest.approx(dist.cdf(high) - dist.cdf(low))


@given(
    st.lists(st.floats(min_value=0, max_value=1e4), min_size=4, max_size=9),
    st.floats(min_value=0.01, max_value=1e4),
    st.floats(min_value=0, max_value=1e4),
    st.sampled_from([COMMITTED, ASPIRATIONAL]),
)
def test_a_higher_cumulative_target_is_no_likelier_to_be_hit(
    history, lower, further, commitment
):
    options = {"kind": CUMULATIVE, "commitment": commitment}
    p_lower = _p_hit(history, lower, **options)
    p_higher = _p_hit(history, lower + further, **options)
    assert 0.0 <= p_higher <= p_lower + 1e-9
