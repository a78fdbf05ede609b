"""Limit periods (dividers), the moving-range series, the proposed divider and the
signals in words (docs/rules.md, "Limit periods")."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drumbeat.core.health import assess_kpi
from drumbeat.core.model import Direction, LimitPeriod, Period, Thresholds
from drumbeat.core.spc import (
    ProcessLimits,
    Side,
    Signal,
    active_signals,
    current_signals,
    kpi_process_limits,
    lasting_runs,
    limit_segments,
    period_signals,
    process_chart,
    proposed_divider,
)
from drumbeat.core.spc_words import divider_explanation, figure, signal_explanation
from tests.core.builders import START, kpi

FAR_FUTURE = date(2030, 1, 1)
STEADY = [99.0, 101.0] * 10
"""Twenty readings: mean 100, average moving range 2."""
LOWER = [89.0, 91.0] * 10
"""Twenty readings: mean 90, average moving range 2."""


def week(index: int) -> date:
    return START + timedelta(days=7 * index)


def test_a_divider_recomputes_the_limits_from_the_first_20_readings_after_it():
    measure = kpi(values=STEADY + LOWER, spc_periods=(LimitPeriod(week(20)),))
    first, second = limit_segments(measure, FAR_FUTURE)
    assert (first.start, first.first, first.stop) == (None, 0, 20)
    assert first.limits == ProcessLimits(mean=100.0, average_moving_range=2.0)
    assert (second.start, second.first, second.stop) == (week(20), 20, 40)
    assert second.limits == ProcessLimits(mean=90.0, average_moving_range=2.0)
    assert kpi_process_limits(measure, FAR_FUTURE) == second.limits


def test_the_first_period_stops_at_the_divider_for_its_default_baseline():
    """Ten readings before the divider: the first period's limits use those ten."""
    measure = kpi(values=STEADY[:10] + LOWER, spc_periods=(LimitPeriod(week(10)),))
    first, _ = limit_segments(measure, FAR_FUTURE)
    assert len(first.baseline) == 10


def test_a_divider_with_its_own_baseline():
    values = STEADY + [80.0] * 4 + LOWER
    divider = LimitPeriod(week(20), baseline=Period(week(24), week(43)))
    measure = kpi(values=values, spc_periods=(divider,))
    assert limit_segments(measure, FAR_FUTURE)[1].limits == ProcessLimits(90.0, 2.0)


def test_a_divider_after_the_latest_reading_starts_no_period_yet():
    measure = kpi(values=STEADY, spc_periods=(LimitPeriod(week(25)),))
    assert len(limit_segments(measure, FAR_FUTURE)) == 1
    assert kpi_process_limits(measure, FAR_FUTURE) == ProcessLimits(100.0, 2.0)


def test_a_new_period_has_no_limits_until_six_readings():
    measure = kpi(values=STEADY + LOWER[:5], spc_periods=(LimitPeriod(week(20)),))
    assert kpi_process_limits(measure, FAR_FUTURE) is None
    assert assess_kpi(measure, FAR_FUTURE).signals == ()


def test_readings_are_judged_against_the_limits_of_their_own_period():
    """Without the divider the lower process is an unfavourable run below the old
    mean; with it, the same readings are ordinary."""
    values = STEADY + LOWER
    green = Thresholds(green=50.0)
    before = assess_kpi(kpi(values=values, thresholds=green), FAR_FUTURE)
    assert {(s.rule, s.favourable) for s in before.signals} == {
        (1, False),
        (2, False),
        (3, False),
    }
    assert str(before.health) == "amber"
    divided = kpi(values=values, thresholds=green, spc_periods=(LimitPeriod(week(20)),))
    after = assess_kpi(divided, FAR_FUTURE, history=True)
    assert (after.signals, str(after.health)) == ((), "green")
    assert after.limits == ProcessLimits(90.0, 2.0)


def test_no_window_and_no_moving_range_reaches_across_a_divider():
    """The jump from 101 to 89 sits on the divider: it is no signal, and the first
    reading of the new period has no moving range."""
    measure = kpi(values=STEADY + LOWER, spc_periods=(LimitPeriod(week(20)),))
    chart = process_chart(measure, FAR_FUTURE)
    assert chart.signals == ()
    assert chart.moving_ranges[0] is None
    assert chart.moving_ranges[19] == 2.0
    assert chart.moving_ranges[20] is None
    assert chart.period_of(25).start == week(20)


def test_the_undivided_chart_has_the_jump_and_the_runs():
    chart = process_chart(kpi(values=STEADY + LOWER), FAR_FUTURE)
    assert chart.moving_ranges[20] == 12.0
    assert Signal(4, Side.BELOW, 20, 20, favourable=False) in chart.signals
    assert chart.active
    assert all(not s.favourable for s in chart.active)


@pytest.mark.parametrize(
    ("after", "proposed"),
    [
        pytest.param(15, None, id="fifteen-in-a-row-not-yet"),
        pytest.param(16, week(20), id="sixteen-in-a-row"),
        pytest.param(20, week(20), id="still-going"),
    ],
)
def test_a_divider_is_proposed_when_a_run_of_8_lasts_8_more(after, proposed):
    measure = kpi(values=STEADY + LOWER[:after])
    divider = proposed_divider(measure, FAR_FUTURE)
    assert (divider.start if divider else None) == proposed


def test_the_proposed_divider_says_the_old_and_new_mean():
    measure = kpi(values=STEADY + LOWER, unit="points")
    divider = proposed_divider(measure, FAR_FUTURE)
    assert divider is not None
    assert (divider.index, divider.side) == (20, Side.BELOW)
    assert (divider.old_mean, divider.new_mean) == (100.0, 90.0)
    assert divider_explanation(divider, "points") == (
        "the process changed on 2026-05-25: mean 100 → 90 points (−10 points, −10 %)"
    )


def test_a_declined_divider_is_not_proposed_again():
    measure = kpi(values=STEADY + LOWER)
    assert proposed_divider(measure, FAR_FUTURE, declined={week(20)}) is None


def test_an_accepted_divider_is_not_proposed_again():
    measure = kpi(values=STEADY + LOWER, spc_periods=(LimitPeriod(week(20)),))
    assert proposed_divider(measure, FAR_FUTURE) is None
    assert process_chart(measure, FAR_FUTURE).divider is None


def test_a_divider_is_proposed_only_from_readings_known_on_as_of():
    measure = kpi(values=STEADY + LOWER)
    assert proposed_divider(measure, as_of=week(34)) is None
    assert proposed_divider(measure, as_of=week(35)) is not None


@pytest.mark.parametrize(
    ("values", "rule", "words"),
    [
        pytest.param(
            [*STEADY, 110.0],
            1,
            "the reading of 2026-05-25 (110) is above the upper natural process "
            "limit (105.3)",
            id="rule-1",
        ),
        pytest.param(
            [*STEADY, 97.0, 97.0, 97.0, 100.0],
            2,
            "3 of the last 4 readings are below the lower quartile line (97.3)",
            id="rule-2-latest",
        ),
        pytest.param(
            [*STEADY, 97.0, 97.0, 100.0, 97.0, 100.0, 100.0],
            2,
            "3 of the 4 readings from 2026-05-25 to 2026-06-15 are below the lower "
            "quartile line (97.3)",
            id="rule-2-past",
        ),
        pytest.param(
            [*STEADY, *[100.5] * 8],
            3,
            "8 readings in a row, from 2026-05-25 to 2026-07-13, are above the mean "
            "(100)",
            id="rule-3",
        ),
        pytest.param(
            [*STEADY, 93.0],
            4,
            "a jump of 8 between 2026-05-18 and 2026-05-25, above the upper range "
            "limit of 6.54",
            id="rule-4",
        ),
    ],
)
def test_each_signal_in_words(values, rule, words):
    chart = process_chart(kpi(values=values, direction=Direction.UP), FAR_FUTURE)
    *_, signal = (s for s in chart.signals if s.rule == rule)
    assert signal_explanation(signal, chart) == words


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(41.234, "41.2", id="three-digits"),
        pytest.param(0.012345, "0.0123", id="small"),
        pytest.param(497.64, "497.6", id="hundreds"),
        pytest.param(2401441.2, "2,401,441", id="large-grouped"),
        pytest.param(-6.5, "-6.5", id="negative"),
    ],
)
def test_chart_figures_are_rounded_for_reading(value, text):
    assert figure(value) == text


@given(
    values=st.lists(
        st.sampled_from([90.0, 95.0, 100.0, 101.0, 105.0, 120.0]), max_size=90
    ),
    dividers=st.sets(st.integers(min_value=1, max_value=80), max_size=3),
)
def test_the_active_signals_read_from_the_tail_are_those_of_the_whole_history(
    values, dividers
):
    """Many readings on the mean (100, with a baseline of 95/105) make the tail
    grow; dividers split the history."""
    measure = kpi(
        values=[95.0, 105.0] * 3 + values,
        spc_periods=tuple(LimitPeriod(week(index)) for index in sorted(dividers)),
    )
    readings = measure.readings_until(FAR_FUTURE)
    segments = limit_segments(measure, FAR_FUTURE)
    everything = period_signals(measure, readings, segments)
    assert current_signals(measure, readings, segments) == active_signals(
        everything, len(readings) - 1
    )


def brute_force_lasting_runs(
    values: list[float], mean: float
) -> list[tuple[int, Side]]:
    """Each run's first index and side, when it holds sixteen values off the mean,
    scanned run by run."""
    off = [(index, value > mean) for index, value in enumerate(values) if value != mean]
    found = []
    for position, (index, above) in enumerate(off):
        if position > 0 and off[position - 1][1] == above:
            continue  # not the start of a run
        length = 0
        while position + length < len(off) and off[position + length][1] == above:
            length += 1
        if length >= 16:
            found.append((index, Side.ABOVE if above else Side.BELOW))
    return found


@given(
    st.lists(
        st.sampled_from([0.0, 1.0, -1.0]).flatmap(
            lambda value: st.lists(st.just(value), min_size=1, max_size=20)
        ),
        max_size=8,
    )
)
def test_lasting_runs_are_those_a_brute_force_scan_finds(stretches):
    values = [value for stretch in stretches for value in stretch]
    assert list(lasting_runs(values, 0.0)) == brute_force_lasting_runs(values, 0.0)
