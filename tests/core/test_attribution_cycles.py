"""Attribution across quarters: each closed cycle that targeted a KPI, judged
against the process from before the cycle (hand-computed cases and properties)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drumbeat.core.attribution import (
    CycleOutcome,
    KPICycleAttribution,
    cycle_attribution,
    kpi_attribution,
    pre_cycle_limits,
)
from drumbeat.core.contract import attribution_json
from drumbeat.core.model import Band, Cycle, Direction, KeyResultKind
from drumbeat.core.spc import Side
from tests.core.builders import cycle, key_result, kpi, objective, workspace

# Thirteen weekly readings, 2026-01-05 to 2026-03-30, alternate 10 and 11: mean
# 136/13 = 10.46, mR̄ 1, limits 7.80 and 13.12, quartile lines 9.13 and 11.79. The
# cycle's readings follow weekly from 2026-04-06 (Q2), then Q3's from 2026-07-06.
BEFORE = [10.0, 11.0] * 6 + [10.0]
Q2 = cycle()
Q3 = cycle("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
TODAY = dt.date(2026, 12, 1)
FILLER = [10.0, 11.0] * 7  # the rest of Q2 (13 weeks): noise as before


def _weeks(in_q2: list[float], in_q3: tuple[float, ...] = ()) -> list[float]:
    return [*BEFORE, *[*in_q2, *FILLER][:13], *in_q3]


def _judge(
    values: list[float],
    target: float = 14.0,
    *,
    direction: Direction = Direction.UP,
    baseline: float = 10.0,
    cycles: tuple[Cycle, ...] = (Q2, Q3),
) -> KPICycleAttribution:
    ws = workspace(
        [kpi(values=values, direction=direction)],
        cycles,
        [objective(key_result("nps", target, baseline=baseline))],
    )
    (row,) = kpi_attribution(ws, "nps", TODAY)
    return row


@pytest.mark.parametrize(
    ("in_q2", "outcome", "rules"),
    [
        ([11.0, 12.0, 14.0], CycleOutcome.MOVED, {1}),  # 14 > 13.12
        ([12.0, 12.0, 12.0], CycleOutcome.MOVED, {2}),  # 3 of 4 above 11.79
        ([11.0, 10.0, 11.0], CycleOutcome.STILL, set()),
        ([7.0, 10.0, 10.0], CycleOutcome.AGAINST, {1}),  # 7 < 7.80, the wrong way
        ([10.6] * 8, CycleOutcome.MOVED, {3}),  # eight above the mean 10.46
    ],
)
def test_a_cycle_is_judged_by_signals_against_the_limits_from_before_it(
    in_q2: list[float], outcome: CycleOutcome, rules: set[int]
):
    row = _judge(_weeks(in_q2))
    assert row.outcome is outcome
    assert {signal.rule for signal in row.signals} >= rules
    assert row.movement.limits is not None
    assert row.movement.limits.mean == pytest.approx(136 / 13)
    assert row.movement.limits.average_moving_range == 1


def test_the_movement_runs_from_the_reading_by_the_start_to_the_last_by_the_end():
    row = _judge(_weeks([11.0, 12.0, 14.0], (14.0,)))
    # From 10 (2026-03-30) to Q2's last reading, 11 (2026-06-29).
    assert row.movement.first is not None
    assert row.movement.first.value == 10
    assert row.movement.change == 1
    assert row.movement.in_noise == pytest.approx(1 / 2.66)
    assert row.first_key_result is not None
    assert row.first_key_result.score.baseline == 10
    assert row.first_key_result.target == 14


@pytest.mark.parametrize(
    ("in_q3", "held"),
    [([13.0, 12.5], True), ([13.0, 10.0], False), ([], None)],
)
def test_a_movement_held_while_the_following_cycle_stays_on_its_side(
    in_q3: list[float], held: bool | None
):
    q2 = [14.0] * 13
    row = _judge([*BEFORE, *q2, *in_q3])
    assert row.outcome is CycleOutcome.MOVED
    assert row.held is held


def test_no_following_cycle_leaves_held_unknown():
    row = _judge(_weeks([14.0]), cycles=(Q2,))
    assert row.held is None


def test_a_kpi_going_down_is_judged_on_its_targeted_side():
    row = _judge(
        _weeks([7.0, 7.0]), target=7.0, direction=Direction.DOWN, baseline=10.0
    )
    assert row.targeted_side is Side.BELOW
    assert row.outcome is CycleOutcome.MOVED


def test_fewer_than_six_readings_before_the_cycle_cannot_be_judged():
    row = _judge([10.0, 11.0, 10.0, 11.0, 10.0], cycles=(Q2,))
    assert row.outcome is CycleOutcome.UNJUDGED


def test_the_process_before_a_cycle_is_its_latest_twenty_readings():
    # Ten readings at 100 then twenty alternating 10 and 11: the old level is gone.
    values = [100.0] * 10 + [10.0, 11.0] * 10
    q2 = cycle("q", _weeks_on(len(values)), _weeks_on(len(values) + 12))
    limits = pre_cycle_limits(kpi(values=values), q2)
    assert limits is not None
    assert limits.mean == 10.5
    assert limits.average_moving_range == 1


def _weeks_on(weeks: int) -> dt.date:
    return dt.date(2026, 1, 5) + dt.timedelta(weeks=weeks)


def test_a_cycle_sorts_its_kpis_into_moved_still_and_moved_without_an_okr():
    ws = workspace(
        [
            kpi("moved", values=_weeks([14.0])),
            kpi("still", values=_weeks([11.0])),
            kpi("untargeted", values=_weeks([6.0])),
            kpi("quiet", values=_weeks([10.0])),
            kpi("new", values=[10.0, 11.0, 10.0, 11.0, 10.0]),
        ],
        [Q2, Q3],
        [
            objective(
                key_result("moved", 14.0, key="a", baseline=10.0),
                key_result("still", 14.0, key="b", baseline=10.0),
                key_result("new", 14.0, key="c", baseline=10.0),
            )
        ],
    )
    groups = cycle_attribution(ws, Q2, TODAY)
    assert [row.kpi.key for row in groups.moved] == ["moved"]
    assert [row.kpi.key for row in groups.still] == ["still"]
    assert [row.kpi.key for row in groups.moved_without_okr] == ["untargeted"]
    assert [row.kpi.key for row in groups.unjudged] == ["new"]
    assert groups.moved_without_okr[0].moved_side is Side.BELOW
    data = attribution_json(groups)
    assert data["moved"][0]["kpi"] == "moved"
    assert data["moved_without_okr"][0]["side"] == "below"


def test_a_sustain_key_result_aims_at_the_kpis_good_side():
    ws = workspace(
        [kpi(values=_weeks([14.0]))],
        [Q2],
        [objective(key_result("nps", 10.0, kind=KeyResultKind.SUSTAIN))],
    )
    (row,) = kpi_attribution(ws, "nps", TODAY)
    assert row.targeted_side is Side.ABOVE


def test_a_cycle_still_running_is_left_out():
    ws = workspace(
        [kpi(values=_weeks([14.0]))],
        [Q2],
        [objective(key_result("nps", 14.0))],
    )
    assert kpi_attribution(ws, "nps", dt.date(2026, 6, 30)) == []
    assert kpi_attribution(ws, "unknown", TODAY) == []


@given(
    cycle_values=st.lists(
        st.floats(min_value=-50, max_value=50, allow_nan=False), min_size=1, max_size=13
    ),
)
def test_a_mirrored_kpi_gets_the_same_verdict(cycle_values: list[float]):
    """Negating every reading, the baseline and the target, and flipping the
    direction, changes nothing but the sides."""
    up = _judge([*BEFORE, *cycle_values], cycles=(Q2,))
    mirrored = _judge(
        [-v for v in [*BEFORE, *cycle_values]],
        target=-14.0,
        direction=Direction.DOWN,
        baseline=-10.0,
        cycles=(Q2,),
    )
    assert up.outcome is mirrored.outcome
    assert up.movement.in_noise == (
        None if mirrored.movement.in_noise is None else -mirrored.movement.in_noise
    )


@given(
    cycle_values=st.lists(st.sampled_from([10.0, 10.5, 11.0]), min_size=1, max_size=6)
)
def test_readings_within_the_quartile_lines_never_move(cycle_values: list[float]):
    """At most six readings, all between the quartile lines: no rule fires (a run
    of eight would need the last reading before the cycle, 10, and seven more)."""
    row = _judge([*BEFORE, *cycle_values], cycles=(Q2,))
    assert row.outcome is CycleOutcome.STILL


@pytest.mark.parametrize(
    ("band", "side", "outcome"),
    [
        (Band(14.0, 16.0), Side.ABOVE, CycleOutcome.MOVED),
        (Band(5.0, 7.0), Side.BELOW, CycleOutcome.AGAINST),
        (Band(9.0, 12.0), None, CycleOutcome.AGAINST),  # a departure from the band
    ],
)
def test_a_band_target_aims_towards_the_band(
    band: Band, side: Side | None, outcome: CycleOutcome
):
    """Q2's first reading, 14, is above the upper limit 13.12."""
    ws = workspace(
        [kpi(values=_weeks([14.0]))], [Q2], [objective(key_result("nps", band))]
    )
    (row,) = kpi_attribution(ws, "nps", TODAY)
    assert row.targeted_side is side
    assert row.outcome is outcome


def test_a_key_result_key_repeated_by_teams_is_listed_once():
    ws = workspace(
        [kpi(values=_weeks([14.0]))],
        [Q2],
        [
            objective(key_result("nps", 14.0, key="up"), key="a"),
            objective(key_result("nps", 14.0, key="up"), key="b"),
            objective(key_result("nps", 15.0, key="more"), key="c"),
        ],
    )
    (row,) = kpi_attribution(ws, "nps", TODAY)
    assert [(kr.objective, kr.score.key) for kr in row.distinct_key_results] == [
        ("a", "up"),
        ("c", "more"),
    ]
