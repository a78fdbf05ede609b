"""Lint on the key-result kinds of issue 15: cumulative KRs, relative targets
and change KRs into a band (wrong direction, not a change, already met, within
noise), with hand-computed figures."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.core.model import (
    KPI,
    Band,
    Direction,
    KeyResult,
    KeyResultKind,
    Thresholds,
)
from tests.core.builders import key_result, kpi, objective, weekly_readings, workspace
from tests.core.test_lint import (
    ERROR,
    KR,
    Q2,
    WARNING,
    assert_fires,
    history,
    lint_rule,
    one_kr,
)

CUMULATIVE = KeyResultKind.CUMULATIVE
GUIDELINES = Band(90, 120)
RANGE = Direction.RANGE


def pressure(*values: float) -> KPI:
    return kpi(
        "nps",
        readings=history(*values),
        direction=RANGE,
        thresholds=Thresholds(green=GUIDELINES),
    )


# Q2 lasts 90 days: the span before it is (2026-01-01, 2026-04-01].
LOGOS_BEFORE = weekly_readings(dt.date(2025, 12, 29), [1] * 13)  # Jan 5 to Mar 30: 12


@pytest.mark.parametrize(
    ("nps", "kr", "rule", "severity", "message"),
    [
        pytest.param(
            kpi("nps", readings=LOGOS_BEFORE, direction=Direction.DOWN),
            key_result(target=5.0, kind=CUMULATIVE),
            "kr-target-wrong-direction",
            ERROR,
            "target 5 is above the baseline 0, but lower is better for 'nps'",
            id="cumulative-on-a-down-kpi-rewards-more",
        ),
        pytest.param(
            kpi("nps", readings=LOGOS_BEFORE),
            key_result(target=10.0, kind=CUMULATIVE),
            "kr-already-met",
            WARNING,
            "the readings from 2026-01-01 to the cycle start already add up to 12, "
            "at or past the target 10",
            id="cumulative-the-usual-pace-meets-it",
        ),
        pytest.param(
            pressure(100),
            key_result(target=GUIDELINES),
            "kr-not-a-change",
            WARNING,
            "the baseline 100 already lies in the band [90, 120]: nothing is asked",
            id="band-baseline-already-inside",
        ),
        pytest.param(
            pressure(100),
            key_result(target=GUIDELINES, baseline=140.0),
            "kr-already-met",
            WARNING,
            "the latest reading before the cycle (100 on 2026-03-30) already meets "
            "the target [90, 120]",
            id="band-reached-before-the-cycle",
        ),
        pytest.param(
            pressure(122, 124, 122, 124, 122, 124),
            key_result(target=GUIDELINES),
            "kr-within-noise",
            WARNING,
            "the change asked for (4) is smaller than the routine variation of 'nps' "
            "(2.66 × average moving range = 5.32)",
            id="band-nearest-edge-within-noise",
        ),
        pytest.param(
            kpi("nps", readings=history(50, 52, 50, 52, 50, 52)),
            key_result(target=54.6, relative_target=5.0),
            "kr-within-noise",
            WARNING,
            "the change asked for (2.6) is smaller than the routine variation",
            id="relative-target-within-noise",
        ),
    ],
)
def test_rules_fire_on_the_new_kinds(
    nps: KPI, kr: KeyResult, rule: str, severity, message: str
) -> None:
    assert_fires(rule, one_kr([nps], kr), severity, KR, message)


@pytest.mark.parametrize(
    ("nps", "kr"),
    [
        pytest.param(
            kpi("nps", readings=LOGOS_BEFORE),
            key_result(target=15.0, kind=CUMULATIVE),
            id="cumulative-beyond-the-usual-pace",
        ),
        pytest.param(
            kpi("nps", readings=history(1, 9, 1, 9)),
            key_result(target=30.0, kind=CUMULATIVE),
            id="cumulative-not-judged-against-noise",
        ),
        pytest.param(
            pressure(140, 141, 140, 141, 140, 141),
            key_result(target=GUIDELINES),
            id="band-far-from-its-baseline",
        ),
        pytest.param(
            pressure(140),
            key_result(target=GUIDELINES, baseline=170.0),
            id="band-not-reached-says-nothing-as-already-met",
        ),
    ],
)
def test_rules_are_quiet_for_sound_new_kinds(nps: KPI, kr: KeyResult) -> None:
    ws = one_kr([nps], kr)
    for rule in (
        "kr-target-wrong-direction",
        "kr-not-a-change",
        "kr-already-met",
        "kr-within-noise",
        "kr-missing-baseline",
    ):
        assert lint_rule(rule, ws) == [], rule


def test_a_cumulative_kr_and_a_change_kr_on_one_kpi_do_not_conflict() -> None:
    nps = kpi("nps", readings=history(10))
    ws = workspace(
        [nps],
        [Q2],
        [
            objective(key_result(target=12.0), key="o1"),
            objective(key_result(target=40.0, kind=CUMULATIVE), key="o2"),
            objective(key_result(target=14.0), key="o3"),
        ],
    )
    found = [f.subject for f in lint_rule("kr-conflicting-targets", ws)]
    assert found == ["o3/kr1"]  # o3 against o1, never o2's sum
