"""The KPI lifecycle: okr_target, completed, at_risk, watch (docs/rules.md,
"KPI lifecycle")."""

from datetime import date

import pytest

from drumbeat.core.lifecycle import most_recently_closed
from drumbeat.core.model import (
    KPI,
    Health,
    KeyResultKind,
    Lifecycle,
    Thresholds,
    Workspace,
)
from drumbeat.core.status import KPIStatus, kpi_statuses
from tests.core.builders import (
    cycle,
    key_result,
    kpi,
    objective,
    readings_at,
    workspace,
)

Q4_2025 = cycle("2025-Q4", date(2025, 10, 1), date(2025, 12, 31))
Q1 = cycle("2026-Q1", date(2026, 1, 1), date(2026, 3, 31))
Q2 = cycle("2026-Q2", date(2026, 4, 1), date(2026, 6, 30))
Q3 = cycle("2026-Q3", date(2026, 7, 1), date(2026, 9, 30))
IN_Q2 = date(2026, 4, 10)

GREEN_FROM_50 = Thresholds(green=50.0, red=20.0)


def nps(thresholds: Thresholds = GREEN_FROM_50) -> KPI:
    """An NPS that reached 55 in 2025-Q4, fell back to 30, then reached 55 again."""
    return kpi(
        "nps",
        thresholds=thresholds,
        readings=readings_at(
            [
                (date(2025, 9, 20), 30.0),
                (date(2025, 11, 1), 55.0),
                (date(2026, 1, 1), 30.0),
                (date(2026, 2, 1), 40.0),
                (date(2026, 3, 20), 55.0),
                (date(2026, 4, 5), 55.0),
            ]
        ),
    )


def status_of(ws: Workspace, key: str, as_of: date) -> KPIStatus:
    return next(s for s in kpi_statuses(ws, as_of) if s.assessment.kpi.key == key)


def test_okr_target_when_a_kr_of_an_active_cycle_measures_it():
    """Targeted now wins over health: a red KPI under an OKR is an okr_target."""
    ws = workspace(
        kpis=[nps(Thresholds(green=90.0, red=60.0))],
        cycles=[Q2],
        objectives=[objective(key_result(target=90.0), cycle="2026-Q2")],
    )
    status = status_of(ws, "nps", IN_Q2)
    assert status.assessment.health is Health.RED
    assert status.lifecycle is Lifecycle.OKR_TARGET


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        pytest.param(date(2026, 3, 31), Lifecycle.WATCH, id="day-before-start"),
        pytest.param(date(2026, 4, 1), Lifecycle.OKR_TARGET, id="first-day"),
        pytest.param(date(2026, 6, 30), Lifecycle.OKR_TARGET, id="last-day"),
        pytest.param(date(2026, 7, 1), Lifecycle.WATCH, id="day-after-end"),
    ],
)
def test_okr_target_only_while_the_cycle_is_active(as_of, expected):
    ws = workspace(
        kpis=[nps()],
        cycles=[Q2],
        objectives=[objective(key_result(target=90.0), cycle="2026-Q2")],
    )
    assert status_of(ws, "nps", as_of).lifecycle is expected


def test_completed_when_a_kr_of_the_last_closed_cycle_scored_one():
    """The level reached is the last reading the KR was scored on (55, not 50)."""
    ws = workspace(
        kpis=[nps()],
        cycles=[Q1, Q2],
        objectives=[objective(key_result(target=50.0), key="grow", cycle="2026-Q1")],
    )
    status = status_of(ws, "nps", IN_Q2)
    assert status.lifecycle is Lifecycle.COMPLETED
    assert status.completion is not None
    assert (status.completion.cycle, status.completion.objective) == (
        "2026-Q1",
        "grow",
    )
    assert status.completion.key_result.score == 1.0
    assert status.completion.level_reached == 55.0


def test_completed_by_a_sustain_kr_that_held_all_period():
    ws = workspace(
        kpis=[nps()],
        cycles=[Q1],
        objectives=[
            objective(
                key_result(target=40.0, kind=KeyResultKind.SUSTAIN), cycle="2026-Q1"
            )
        ],
    )
    status = status_of(ws, "nps", IN_Q2)
    assert status.lifecycle is Lifecycle.COMPLETED
    assert status.completion is not None
    assert status.completion.level_reached == 55.0


def test_completed_wins_over_red_health():
    ws = workspace(
        kpis=[nps(Thresholds(green=90.0, red=60.0))],
        cycles=[Q1],
        objectives=[objective(key_result(target=50.0), cycle="2026-Q1")],
    )
    assert status_of(ws, "nps", IN_Q2).lifecycle is Lifecycle.COMPLETED


def test_not_completed_when_targeted_again_now():
    ws = workspace(
        kpis=[nps()],
        cycles=[Q1, Q2],
        objectives=[
            objective(key_result(target=50.0), key="q1", cycle="2026-Q1"),
            objective(key_result(target=70.0), key="q2", cycle="2026-Q2"),
        ],
    )
    status = status_of(ws, "nps", IN_Q2)
    assert (status.lifecycle, status.completion) == (Lifecycle.OKR_TARGET, None)


def test_not_completed_when_the_kr_fell_short_of_its_target():
    ws = workspace(
        kpis=[nps()],
        cycles=[Q1],
        objectives=[objective(key_result(target=60.0), cycle="2026-Q1")],
    )
    status = status_of(ws, "nps", IN_Q2)
    assert (status.lifecycle, status.completion) == (Lifecycle.WATCH, None)


def test_not_completed_when_the_kr_was_in_an_older_closed_cycle():
    """Only the most recently closed cycle counts; 2025-Q4's success is history."""
    ws = workspace(
        kpis=[nps()],
        cycles=[Q4_2025, Q1],
        objectives=[objective(key_result(target=50.0), cycle="2025-Q4")],
    )
    status = status_of(ws, "nps", IN_Q2)
    assert (status.lifecycle, status.completion) == (Lifecycle.WATCH, None)
    assert status_of(ws, "nps", date(2026, 1, 10)).lifecycle is Lifecycle.COMPLETED


def test_most_recently_closed_returns_every_cycle_ending_last():
    h1 = cycle("2026-H1", date(2026, 1, 1), date(2026, 6, 30))
    ws = workspace(cycles=[Q4_2025, Q1, h1, Q2, Q3])
    assert most_recently_closed(ws, date(2026, 7, 1)) == [h1, Q2]
    assert most_recently_closed(ws, date(2025, 12, 31)) == []


STEADY = [101.0, 99.0] * 10
"""Twenty readings: mean 100, limits 94.68 to 105.32."""


@pytest.mark.parametrize(
    ("values", "thresholds", "expected"),
    [
        pytest.param([40.0], GREEN_FROM_50, Lifecycle.AT_RISK, id="amber"),
        pytest.param([10.0], GREEN_FROM_50, Lifecycle.AT_RISK, id="red"),
        pytest.param([60.0], GREEN_FROM_50, Lifecycle.WATCH, id="green"),
        pytest.param([60.0], Thresholds(), Lifecycle.WATCH, id="unknown"),
        pytest.param([], GREEN_FROM_50, Lifecycle.WATCH, id="no-readings"),
        pytest.param(
            [*STEADY, 90.0], Thresholds(), Lifecycle.AT_RISK, id="unfavourable-signal"
        ),
        pytest.param(
            [*STEADY, 90.0], Thresholds(green=10.0), Lifecycle.AT_RISK, id="green-drop"
        ),
        pytest.param(
            [*STEADY, 110.0], Thresholds(), Lifecycle.WATCH, id="favourable-signal"
        ),
        pytest.param(
            [*STEADY, 90.0, 100.0], Thresholds(), Lifecycle.WATCH, id="past-signal"
        ),
    ],
)
def test_untargeted_kpi_is_at_risk_on_amber_red_or_unfavourable_signal(
    values, thresholds, expected
):
    ws = workspace(kpis=[kpi("nps", values=values, thresholds=thresholds)])
    assert status_of(ws, "nps", date(2030, 1, 1)).lifecycle is expected
