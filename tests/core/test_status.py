"""The state of a whole workspace on a date, end to end."""

from datetime import date

import pytest

from drumbeat.core.model import (
    Cadence,
    Commitment,
    Direction,
    Grade,
    Health,
    KeyResultKind,
    Lifecycle,
    Thresholds,
)
from drumbeat.core.scoring import Outcome
from drumbeat.core.status import workspace_status
from tests.core.builders import (
    cycle,
    key_result,
    kpi,
    objective,
    readings_at,
    workspace,
)

Q1 = cycle("2026-Q1", date(2026, 1, 1), date(2026, 3, 31))
Q2 = cycle("2026-Q2", date(2026, 4, 1), date(2026, 6, 30))
AS_OF = date(2026, 5, 15)

TINY = workspace(
    kpis=[
        kpi(
            "nps",
            cadence=Cadence.MONTHLY,
            thresholds=Thresholds(green=50.0, red=20.0),
            readings=readings_at(
                [
                    (date(2025, 12, 15), 30.0),
                    (date(2026, 3, 15), 55.0),
                    (date(2026, 5, 1), 52.0),
                ]
            ),
        ),
        kpi(
            "churn",
            direction=Direction.DOWN,
            cadence=Cadence.MONTHLY,
            thresholds=Thresholds(green=2.0, red=5.0),
            readings=readings_at(
                [
                    (date(2026, 3, 31), 6.0),
                    (date(2026, 4, 30), 5.0),
                    (date(2026, 5, 10), 4.0),
                ]
            ),
        ),
        kpi(
            "uptime",
            cadence=Cadence.WEEKLY,
            thresholds=Thresholds(green=99.9, red=99.0),
            readings=readings_at(
                [
                    (date(2026, 4, 1), 90.0),
                    (date(2026, 4, 8), 99.95),
                    (date(2026, 4, 15), 99.8),
                    (date(2026, 4, 22), 99.9),
                    (date(2026, 5, 13), 99.99),
                ]
            ),
        ),
        kpi(
            "activation",
            cadence=Cadence.WEEKLY,
            thresholds=Thresholds(green=0.5, red=0.2),
            readings=readings_at([(date(2026, 5, 12), 0.3)]),
        ),
        kpi("revenue", cadence=Cadence.MONTHLY),
    ],
    cycles=[Q1, Q2],
    objectives=[
        objective(
            key_result("nps", target=50.0),
            key="loved",
            cycle="2026-Q1",
            commitment=Commitment.COMMITTED,
        ),
        objective(
            key_result("churn", target=2.0, key="churn"),
            key_result(
                "uptime",
                target=99.9,
                key="uptime",
                kind=KeyResultKind.SUSTAIN,
                weight=2,
            ),
            key="reliable",
            cycle="2026-Q2",
        ),
    ],
)


@pytest.mark.parametrize(
    ("key", "health", "stale", "lifecycle"),
    [
        pytest.param("nps", Health.GREEN, False, Lifecycle.COMPLETED, id="nps"),
        pytest.param("churn", Health.AMBER, False, Lifecycle.OKR_TARGET, id="churn"),
        pytest.param("uptime", Health.GREEN, False, Lifecycle.OKR_TARGET, id="uptime"),
        pytest.param("activation", Health.AMBER, False, Lifecycle.AT_RISK, id="act"),
        pytest.param("revenue", Health.UNKNOWN, True, Lifecycle.WATCH, id="revenue"),
    ],
)
def test_workspace_status_kpis(key, health, stale, lifecycle):
    statuses = {s.assessment.kpi.key: s for s in workspace_status(TINY, AS_OF).kpis}
    status = statuses[key]
    assert status.assessment.health is health
    assert status.assessment.stale is stale
    assert status.lifecycle is lifecycle


def test_workspace_status_kpis_in_dictionary_order():
    status = workspace_status(TINY, AS_OF)
    assert status.as_of == AS_OF
    assert [s.assessment.kpi.key for s in status.kpis] == [
        "nps",
        "churn",
        "uptime",
        "activation",
        "revenue",
    ]


def test_workspace_status_completed_kpi_carries_level_reached():
    nps = workspace_status(TINY, AS_OF).kpis[0]
    assert nps.completion is not None
    assert (nps.completion.cycle, nps.completion.level_reached) == ("2026-Q1", 55.0)


def test_workspace_status_closed_committed_objective_met():
    loved = workspace_status(TINY, AS_OF).objectives[0]
    assert loved.cycle == Q1
    assert loved.score == 1.0
    assert (loved.grade, loved.outcome) == (Grade.GREEN, Outcome.MET)


def test_workspace_status_open_objective_weighted_score():
    """Churn 6 → 4 of 6 → 2 is 0.5; uptime met 3 of 4 weekly readings is 0.75;
    weighted 1:2 that is 2/3, yellow, with no outcome while the cycle is open."""
    reliable = workspace_status(TINY, AS_OF).objectives[1]
    churn, uptime = reliable.key_results
    assert churn.baseline == 6.0
    assert churn.progress == pytest.approx(0.5)
    assert uptime.score == pytest.approx(0.75)
    assert reliable.score == pytest.approx(2 / 3)
    assert (reliable.grade, reliable.outcome) == (Grade.YELLOW, None)


def test_workspace_status_kr_on_unknown_kpi_is_unscored_and_ignored():
    ws = workspace(
        kpis=TINY.kpis,
        cycles=[Q2],
        objectives=[
            objective(
                key_result("churn", target=2.0),
                key_result("ghost", target=10.0, baseline=1.0, key="kr2"),
                cycle="2026-Q2",
            )
        ],
    )
    (status,) = workspace_status(ws, AS_OF).objectives
    assert status.key_results[1].score is None
    assert status.score == pytest.approx(0.5)
