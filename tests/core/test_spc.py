"""Process behaviour (XmR): natural process limits and Wheeler's detection rules
(docs/rules.md, "KPI health", behaviour)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drumbeat.core.health import assess_kpi
from drumbeat.core.model import Band, Direction, Period, Thresholds
from drumbeat.core.spc import (
    MOVING_RANGE_RULE,
    ProcessLimits,
    Side,
    Signal,
    active_signals,
    detect_signals,
    favourable_side,
    kpi_process_limits,
    process_limits,
    signals_at_end,
)
from tests.core.builders import START, kpi

ABOVE, BELOW = Side.ABOVE, Side.BELOW
UNIT = ProcessLimits(mean=0.0, average_moving_range=1.0)
"""Limits ±2.66 and quartile lines ±1.33 around a mean of 0."""
FAR_FUTURE = date(2030, 1, 1)


def week(index: int) -> date:
    """The date of the `index`-th reading of a `kpi(values=...)`."""
    return START + timedelta(days=7 * index)


def test_process_limits_are_mean_plus_minus_2_66_average_moving_range():
    limits = process_limits([1.0, 3.0, 2.0, 4.0, 3.0, 5.0])
    assert limits is not None
    assert limits.mean == pytest.approx(3.0)
    assert limits.average_moving_range == pytest.approx(1.6)
    assert limits.upper == pytest.approx(3.0 + 2.66 * 1.6)
    assert limits.lower == pytest.approx(3.0 - 2.66 * 1.6)
    assert limits.upper_quartile == pytest.approx(3.0 + 1.33 * 1.6)
    assert limits.lower_quartile == pytest.approx(3.0 - 1.33 * 1.6)


@pytest.mark.parametrize(
    ("count", "has_limits"),
    [
        pytest.param(0, False, id="none"),
        pytest.param(5, False, id="five"),
        pytest.param(6, True, id="six"),
    ],
)
def test_process_limits_need_six_baseline_readings(count, has_limits):
    measure = kpi(values=[10.0 + index % 2 for index in range(count)])
    assert (kpi_process_limits(measure, FAR_FUTURE) is not None) is has_limits


def test_process_limits_default_to_the_first_twenty_readings():
    measure = kpi(values=[10.0, 12.0] * 10 + [100.0] * 5)
    limits = kpi_process_limits(measure, FAR_FUTURE)
    assert limits == ProcessLimits(mean=11.0, average_moving_range=2.0)


def test_process_limits_never_use_readings_after_as_of():
    """With eight readings known, the first eight set the limits, not twenty."""
    measure = kpi(values=[10.0, 12.0] * 3 + [20.0, 30.0] + [100.0] * 12)
    limits = kpi_process_limits(measure, as_of=week(7))
    assert limits is not None
    assert limits.mean == pytest.approx(116.0 / 8)
    assert limits.average_moving_range == pytest.approx((2.0 * 5 + 8.0 + 10.0) / 7)


def test_process_limits_use_the_spc_baseline_period_inclusive():
    values = [100.0, 100.0, 10.0, 12.0, 10.0, 12.0, 10.0, 12.0, 100.0, 100.0]
    measure = kpi(values=values, spc_baseline=Period(week(2), week(7)))
    limits = kpi_process_limits(measure, FAR_FUTURE)
    assert limits == ProcessLimits(mean=11.0, average_moving_range=2.0)


def test_process_limits_of_spc_baseline_stop_at_as_of():
    values = [10.0, 12.0, 10.0, 12.0, 10.0, 12.0, 40.0, 40.0]
    measure = kpi(values=values, spc_baseline=Period(week(0), week(7)))
    assert kpi_process_limits(measure, as_of=week(5)) == ProcessLimits(11.0, 2.0)
    assert kpi_process_limits(measure, as_of=week(4)) is None


def test_process_limits_of_a_baseline_from_the_first_possible_day():
    measure = kpi(values=[1.0, 2.0] * 4, spc_baseline=Period(date.min, date.max))
    limits = kpi_process_limits(measure, FAR_FUTURE)
    assert limits is not None
    assert limits.mean == 1.5


def test_process_limits_none_when_spc_baseline_holds_fewer_than_six():
    measure = kpi(values=[10.0, 12.0] * 10, spc_baseline=Period(week(0), week(4)))
    assert kpi_process_limits(measure, FAR_FUTURE) is None


def signals_of(rule: int, values: list[float]) -> list[tuple[Side, int, int]]:
    """The (side, first, last) of the hits of one rule against the UNIT limits."""
    return [
        (s.side, s.first, s.last)
        for s in detect_signals(values, UNIT, good_side=ABOVE)
        if s.rule == rule
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([0.0, 3.0, 0.0], [(ABOVE, 1, 1)], id="above-upper"),
        pytest.param([0.0, 0.0, -3.0], [(BELOW, 2, 2)], id="below-lower"),
        pytest.param([2.66, -2.66, 2.0], [], id="on-the-limits"),
        pytest.param([0.0, 2.6, -2.6], [], id="inside"),
    ],
)
def test_rule_1_point_beyond_a_limit(values, expected):
    assert signals_of(1, values) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([2.0, 2.0, 0.0, 2.0], [(ABOVE, 0, 3)], id="three-of-four-above"),
        pytest.param(
            [-2.0, 0.0, -2.0, -2.0], [(BELOW, 0, 3)], id="three-of-four-below"
        ),
        pytest.param(
            [0.0, 2.0, 2.0, 2.0, 2.0],
            [(ABOVE, 0, 3), (ABOVE, 1, 4)],
            id="four-in-a-row",
        ),
        pytest.param([2.0, 0.0, 0.0, 2.0], [], id="two-of-four"),
        pytest.param([2.0, -2.0, 2.0, -2.0], [], id="three-split-across-sides"),
        pytest.param([2.0, 2.0, -2.0, 0.0, 2.0], [], id="three-in-five-not-four"),
        pytest.param([1.33, 1.33, 1.33, 1.33], [], id="on-the-quartile-line"),
        pytest.param(
            [0.0, 2.0, 2.0, 2.0, 0.0],
            [(ABOVE, 0, 3), (ABOVE, 1, 4)],
            id="a-window-may-end-on-a-point-back-inside",
        ),
        pytest.param(
            [-2.0, -2.0, -2.0, 0.0, 0.0, 0.0],
            [(BELOW, 0, 3)],
            id="three-low-at-the-very-start-then-ordinary",
        ),
        pytest.param(
            [0.0, 2.0, 0.0, 2.0, 2.0, 0.0, 0.0],
            [(ABOVE, 1, 4)],
            id="three-of-four-in-the-middle",
        ),
        pytest.param([-2.0, -2.0, -2.0], [], id="three-is-no-window-of-four"),
        pytest.param(
            [2.0, 2.0, 2.0, -2.0, -2.0, -2.0],
            [(ABOVE, 0, 3), (BELOW, 2, 5)],
            id="each-side-counts-its-own-line",
        ),
    ],
)
def test_rule_2_three_of_four_beyond_the_same_quartile_line(values, expected):
    assert signals_of(2, values) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([0.5] * 8, [(ABOVE, 0, 7)], id="eight-above"),
        pytest.param([-0.5] * 8, [(BELOW, 0, 7)], id="eight-below"),
        pytest.param([0.5] * 7, [], id="seven-above"),
        pytest.param([-0.5] + [0.5] * 7, [], id="seven-after-one-below"),
        pytest.param(
            [0.5] * 7 + [0.0, 0.5], [(ABOVE, 0, 8)], id="on-mean-does-not-break"
        ),
        pytest.param([0.5] * 7 + [-0.5, 0.5], [], id="one-below-breaks"),
        pytest.param([0.5] * 4 + [0.0] * 4, [], id="on-mean-does-not-extend"),
        pytest.param(
            [0.5] * 9, [(ABOVE, 0, 7), (ABOVE, 1, 8)], id="nine-above-two-windows"
        ),
    ],
)
def test_rule_3_eight_consecutive_on_one_side_of_the_mean(values, expected):
    assert signals_of(3, values) == expected


@pytest.mark.parametrize(
    ("direction", "green", "expected"),
    [
        pytest.param(Direction.UP, None, ABOVE, id="up"),
        pytest.param(Direction.DOWN, None, BELOW, id="down"),
        pytest.param(Direction.RANGE, Band(20.0, 30.0), ABOVE, id="range-band-above"),
        pytest.param(Direction.RANGE, Band(0.0, 5.0), BELOW, id="range-band-below"),
        pytest.param(Direction.RANGE, Band(5.0, 15.0), None, id="range-centred"),
        pytest.param(Direction.RANGE, None, None, id="range-no-band"),
    ],
)
def test_favourable_side_by_direction(direction, green, expected):
    """Up improves above, down below, range towards its green band (mean 10)."""
    limits = ProcessLimits(mean=10.0, average_moving_range=1.0)
    assert favourable_side(direction, limits, green) is expected


@pytest.mark.parametrize(
    ("good_side", "favourable"),
    [
        pytest.param(ABOVE, [True, False], id="good-above"),
        pytest.param(BELOW, [False, True], id="good-below"),
        pytest.param(None, [False, False], id="no-good-side"),
    ],
)
def test_signal_favourable_when_on_the_good_side(good_side, favourable):
    signals = detect_signals([3.0, -3.0], UNIT, good_side)
    assert [s.favourable for s in signals if s.rule == 1] == favourable


def test_three_bad_readings_then_an_ordinary_one_still_signal_rule_2():
    """The window ending at the latest reading holds three readings beyond the
    upper quartile line: rule 2 is active, though the latest is ordinary."""
    values = [10.0, 10.5] * 10 + [11.5, 11.5, 11.5, 10.25]
    measure = kpi(
        values=values, direction=Direction.DOWN, thresholds=Thresholds(green=12)
    )
    assessment = assess_kpi(measure, FAR_FUTURE)
    assert [(s.rule, s.side, s.first, s.favourable) for s in assessment.signals] == [
        (2, ABOVE, 20, False)
    ]
    assert str(assessment.health) == "amber"


def test_a_good_latest_reading_after_three_bad_ones_is_a_good_and_a_bad_signal():
    """A latest reading beyond the good limit after three on the bad side: both
    show, and the unfavourable window makes the KPI amber."""
    values = [10.0, 10.5] * 10 + [12.5, 12.5, 12.5, 8.0]
    measure = kpi(
        values=values, direction=Direction.DOWN, thresholds=Thresholds(green=12)
    )
    assessment = assess_kpi(measure, FAR_FUTURE)
    assert [(s.rule, s.favourable) for s in assessment.signals] == [
        (1, True),
        (2, False),
        (4, True),
    ]
    assert str(assessment.health) == "amber"


def test_active_signals_are_those_whose_window_includes_the_latest():
    signals = [
        Signal(1, ABOVE, 2, 2, favourable=True),
        Signal(2, ABOVE, 4, 7, favourable=True),
        Signal(3, BELOW, 0, 8, favourable=False),
        Signal(1, BELOW, 9, 9, favourable=False),
    ]
    assert active_signals(signals, latest_index=7) == signals[1:3]


def test_active_signal_of_a_kpi_includes_a_run_ending_on_the_latest_reading():
    """Eight readings just above the mean after a steady baseline is a rule 3 run."""
    values = [101.0, 99.0] * 10 + [101.0] * 8
    measure = kpi(values=values, thresholds=Thresholds(green=0.0))
    assessment = assess_kpi(measure, FAR_FUTURE)
    assert [(s.rule, s.first, s.last) for s in assessment.signals] == [(3, 20, 27)]
    seven = assess_kpi(measure, as_of=week(26))
    assert (seven.signals, seven.history_signals) == ((), ())


@given(
    values=st.lists(
        st.sampled_from([0.0, 5.0, 9.0, 10.0, 11.0, 15.0, 30.0, -10.0]), max_size=40
    ),
    good=st.sampled_from([Side.ABOVE, Side.BELOW, None]),
)
def test_signals_found_from_the_tail_are_the_active_signals_of_the_whole_history(
    values, good
):
    limits = ProcessLimits(mean=10.0, average_moving_range=3.0)
    everything = detect_signals(values, limits, good)
    assert signals_at_end(values, limits, good) == active_signals(
        everything, len(values) - 1
    )


def brute_force_rule_2(
    values: list[float], limits: ProcessLimits
) -> list[tuple[Side, int, int]]:
    """Every window of four consecutive values with three beyond one quartile line,
    scanned one window at a time."""
    found = []
    for first in range(len(values) - 3):
        window = values[first : first + 4]
        for side, beyond in (
            (ABOVE, [v > limits.upper_quartile for v in window]),
            (BELOW, [v < limits.lower_quartile for v in window]),
        ):
            if sum(beyond) >= 3:
                found.append((side, first, first + 3))
    return sorted(found, key=lambda hit: (hit[2], hit[0] is BELOW))


readings_around_unit = st.lists(
    st.sampled_from([-3.0, -2.0, -1.33, -1.0, 0.0, 1.0, 1.33, 2.0, 3.0]), max_size=30
)


@given(values=readings_around_unit)
def test_rule_2_finds_every_window_a_brute_force_scan_finds(values):
    assert signals_of(2, values) == brute_force_rule_2(values, UNIT)


@given(values=readings_around_unit)
def test_rule_2_is_active_exactly_when_the_last_window_of_four_qualifies(values):
    active = [
        s.side for s in signals_at_end(values, UNIT, good_side=ABOVE) if s.rule == 2
    ]
    last_window = [
        side
        for side, first, _ in brute_force_rule_2(values, UNIT)
        if first == len(values) - 4
    ]
    assert active == last_window


def test_upper_range_limit_is_3_268_average_moving_range():
    limits = process_limits([1.0, 3.0, 2.0, 4.0, 3.0, 5.0])
    assert limits is not None
    assert limits.upper_range_limit == pytest.approx(3.268 * 1.6)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([0.0, 3.3], [(ABOVE, 1, 1)], id="jump-up"),
        pytest.param([1.0, -2.5], [(BELOW, 1, 1)], id="jump-down-inside-limits"),
        pytest.param([0.0, 3.268], [], id="on-the-range-limit"),
        pytest.param([2.0, -1.0, 2.0], [], id="ranges-of-three"),
        pytest.param([-2.0, 2.0, -2.0], [(ABOVE, 1, 1), (BELOW, 2, 2)], id="two-jumps"),
    ],
)
def test_rule_mr_a_moving_range_above_the_upper_range_limit(values, expected):
    """Against mR-bar 1: a range over 3.268 is a jump, dated by its second point."""
    assert signals_of(MOVING_RANGE_RULE, values) == expected
