"""The corrective flow: a cycle's close and what it hands back to the KPIs."""

from __future__ import annotations

import datetime as dt

from drumbeat.core.close import close_cycle, kpi_cycle_history
from drumbeat.core.model import Commitment, Tier
from drumbeat.core.scoring import Outcome
from tests.core.builders import (
    cycle,
    key_result,
    kpi,
    objective,
    readings_at,
    workspace,
)

Q2 = cycle()
Q3 = cycle("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30))

NPS = kpi(
    readings=readings_at(
        [
            (dt.date(2026, 3, 31), 38.0),
            (dt.date(2026, 6, 30), 60.0),
            (dt.date(2026, 7, 15), 40.0),  # a later restatement of the level
            (dt.date(2026, 9, 30), 50.0),
        ]
    )
)
CHURN = kpi(
    "churn",
    readings=readings_at([(dt.date(2026, 3, 31), 2.0), (dt.date(2026, 6, 1), 2.5)]),
)
MIGRATION = kpi(
    "migration",
    tier=Tier.TRANSIENT,
    readings=readings_at([(dt.date(2026, 6, 1), 80.0)]),
)
WS = workspace(
    [NPS, CHURN, MIGRATION],
    [Q2, Q3],
    [
        objective(
            key_result("nps", 58.0, key="nps-up"),
            key_result("churn", 1.5, key="churn-down"),
            key="trust",
            commitment=Commitment.COMMITTED,
        ),
        objective(key_result("migration", 100.0, key="move"), key="billing"),
        objective(
            key_result("nps", 65.0, key="nps-more"), key="later", cycle="2026-Q3"
        ),
    ],
)


def test_close_grades_are_final_and_read_up_to_the_cycle_end():
    close = close_cycle(WS, Q2)
    trust = close.objectives[0]
    assert trust.score == 0.5  # NPS reached (1.0), churn went the wrong way (0)
    assert trust.outcome is Outcome.MISSED


def test_close_hands_each_kpi_its_new_baseline_and_a_threshold_when_reached():
    nps_up, churn_down, move = close_cycle(WS, Q2).key_results
    assert (nps_up.achieved, nps_up.reached, nps_up.new_baseline) == (60, True, 60)
    assert nps_up.proposed_threshold == 60
    assert (churn_down.reached, churn_down.proposed_threshold) == (False, None)
    assert churn_down.new_baseline == 2.5
    assert move.kpi == "migration"


def test_close_lists_completed_and_transient_kpis():
    close = close_cycle(WS, Q2)
    assert close.completed_kpis == ("nps",)
    assert close.transient_kpis == ("migration",)


def test_close_of_a_cycle_ending_on_the_last_possible_day():
    last = cycle("end-of-time", dt.date(9999, 1, 1), dt.date.max)
    close = close_cycle(
        workspace([NPS], [last], [objective(key_result(), cycle=last.key)]), last
    )
    assert close.objectives[0].outcome is None  # not scored: no reading in the cycle


def test_kpi_history_traces_every_cycle_that_targeted_it():
    history = kpi_cycle_history(WS, "nps", dt.date(2026, 10, 15))
    assert [(h.cycle, h.score.baseline, h.target, h.achieved) for h in history] == [
        ("2026-Q2", 38, 58, 60),
        ("2026-Q3", 60, 65, 50),
    ]


def test_kpi_history_leaves_out_cycles_not_started():
    assert [h.cycle for h in kpi_cycle_history(WS, "nps", dt.date(2026, 5, 1))] == [
        "2026-Q2"
    ]
