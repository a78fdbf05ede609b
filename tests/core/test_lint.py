"""The OKR quality checks: every rule fires where the design says, and only there."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from drumbeat.core.lint import RULES, Finding, Severity, has_errors, lint_workspace
from drumbeat.core.model import (
    KPI,
    Band,
    Benchmarks,
    Cadence,
    Cycle,
    Direction,
    Indicator,
    KeyResult,
    KeyResultKind,
    LimitPeriod,
    Objective,
    Period,
    Reading,
    Source,
    SourceType,
    Thresholds,
    Tier,
    Workspace,
)
from tests.core.builders import (
    cycle,
    key_result,
    kpi,
    objective,
    readings_at,
    weekly_readings,
    workspace,
)

AS_OF = dt.date(2026, 4, 1)
Q2 = cycle()  # 2026-04-01 to 2026-06-30
Q3 = cycle("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
KR = "o1/kr1"

UP = Direction.UP
DOWN = Direction.DOWN
RANGE = Direction.RANGE
SUSTAIN = KeyResultKind.SUSTAIN
WARNING = Severity.WARNING
ERROR = Severity.ERROR
INFO = Severity.INFO


def history(
    *values: float, last: dt.date = dt.date(2026, 3, 30)
) -> tuple[Reading, ...]:
    """Weekly readings that end on `last` (by default two days before Q2 starts)."""
    return weekly_readings(last - dt.timedelta(weeks=len(values) - 1), values)


def one_kr(kpis: list[KPI], kr: KeyResult, **objective_fields: Any) -> Workspace:
    """A workspace whose only objective, `o1` in Q2, holds one KR."""
    return workspace(kpis, [Q2, Q3], [objective(kr, **objective_fields)])


def lint_rule(rule: str, ws: Workspace, as_of: dt.date = AS_OF) -> list[Finding]:
    return [f for f in lint_workspace(ws, as_of) if f.rule == rule]


def assert_fires(
    rule: str, ws: Workspace, severity: Severity, subject: str, message: str
) -> None:
    found = lint_rule(rule, ws)
    assert [(f.severity, f.subject) for f in found] == [(severity, subject)]
    assert message in found[0].message


def complete_kpi(key: str, **fields: Any) -> KPI:
    """A KPI that no dictionary rule complains about."""
    fields.setdefault("description", f"The {key}, counted carefully.")
    fields.setdefault("owner", "Ana")
    fields.setdefault("team", "ops")
    fields.setdefault("cadence", Cadence.YEARLY)
    fields.setdefault("thresholds", Thresholds(green=45, red=30))
    return kpi(key, **fields)


def test_rules_are_the_26_of_the_design_with_their_severities() -> None:
    assert RULES == {
        "kr-unknown-kpi": ERROR,
        "kr-missing-baseline": ERROR,
        "kr-target-wrong-direction": ERROR,
        "kr-not-a-change": WARNING,
        "kr-already-met": WARNING,
        "kr-within-noise": WARNING,
        "kr-beyond-best-in-class": WARNING,
        "kr-vanity-metric": WARNING,
        "kr-transient-metric": INFO,
        "kr-no-owner": WARNING,
        "kr-deadline-outside-cycle": ERROR,
        "kr-conflicting-targets": WARNING,
        "objective-kr-count": WARNING,
        "objective-too-many": WARNING,
        "objective-has-numbers": INFO,
        "objective-kpi-in-disguise": WARNING,
        "objective-lagging-only": WARNING,
        "objective-parent-outside-cycle": WARNING,
        "cycle-focus-diluted": WARNING,
        "kpi-duplicate": WARNING,
        "kpi-incomplete": WARNING,
        "kpi-too-many-key": WARNING,
        "kpi-stale": WARNING,
        "kpi-financial-key": INFO,
        "kpi-parmenter": INFO,
        "kpi-north-star-many": WARNING,
        "cycle-length": WARNING,
    }


# --- kr-unknown-kpi ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kr_kpi", "message"),
    [
        pytest.param(
            "npss",
            "measures 'npss', which is not in the KPI dictionary (did you mean "
            "'nps'?): point the KR at a dictionary KPI",
            id="typo-with-hint",
        ),
        pytest.param(
            "revenue",
            "measures 'revenue', which is not in the KPI dictionary: point the KR",
            id="no-close-match",
        ),
    ],
)
def test_kr_unknown_kpi_fires(kr_kpi: str, message: str) -> None:
    ws = one_kr([kpi("nps", readings=history(40))], key_result(kr_kpi, 50.0))
    assert_fires("kr-unknown-kpi", ws, ERROR, KR, message)


def test_kr_unknown_kpi_quiet_for_a_dictionary_kpi() -> None:
    ws = one_kr([kpi("nps", readings=history(40))], key_result("nps", 50.0))
    assert lint_rule("kr-unknown-kpi", ws) == []


# --- kr-missing-baseline ----------------------------------------------------------

NO_BASELINE = "has no baseline: 'nps' has no reading on or before the cycle start "


@pytest.mark.parametrize(
    "readings",
    [
        pytest.param((), id="no-readings"),
        pytest.param(
            readings_at([(dt.date(2026, 4, 2), 40)]), id="only-readings-after-start"
        ),
    ],
)
def test_kr_missing_baseline_fires(readings: tuple[Reading, ...]) -> None:
    ws = one_kr([kpi("nps", readings=readings)], key_result("nps", 50.0))
    assert_fires("kr-missing-baseline", ws, ERROR, KR, NO_BASELINE + "2026-04-01")


@pytest.mark.parametrize(
    ("readings", "kr"),
    [
        pytest.param((), key_result(baseline=40.0), id="baseline-given"),
        pytest.param(
            readings_at([(dt.date(2026, 4, 1), 40)]),
            key_result(),
            id="reading-on-cycle-start",
        ),
        pytest.param(history(40), key_result(), id="reading-before-start"),
        pytest.param((), key_result("revenue"), id="unknown-kpi"),
    ],
)
def test_kr_missing_baseline_quiet(
    readings: tuple[Reading, ...], kr: KeyResult
) -> None:
    ws = one_kr([kpi("nps", readings=readings)], kr)
    assert lint_rule("kr-missing-baseline", ws) == []


# --- kr-target-wrong-direction ----------------------------------------------------

NEAR_ZERO = Thresholds(green=Band(99.9, 100))
COMFORT = Thresholds(green=Band(20, 22))
COMFORT_WIDE = Thresholds(green=Band(10, 20))
UTILISATION = Thresholds(green=Band(75, 90))
PRESSURE = Thresholds(green=Band(90, 120))


@pytest.mark.parametrize(
    ("nps", "kr", "message"),
    [
        pytest.param(
            kpi("nps", readings=history(40)),
            key_result(target=30.0),
            "target 30 is below the baseline 40, but higher is better for 'nps'",
            id="up-target-below-baseline",
        ),
        pytest.param(
            kpi("nps"),
            key_result(target=30.0, baseline=40.0),
            "target 30 is below the baseline 40, but higher is better for 'nps'",
            id="up-target-below-given-baseline",
        ),
        pytest.param(
            kpi("nps", readings=history(40), direction=DOWN),
            key_result(target=50.0),
            "target 50 is above the baseline 40, but lower is better for 'nps'",
            id="down-target-above-baseline",
        ),
        pytest.param(
            kpi("nps", readings=history(99.5), direction=RANGE, thresholds=NEAR_ZERO),
            key_result(target=99.0),
            "target 99 is below the baseline 99.5, but higher is better for 'nps'",
            id="range-below-band-target-lower",
        ),
        pytest.param(
            kpi("nps", readings=history(25), direction=RANGE, thresholds=COMFORT),
            key_result(target=26.0),
            "target 26 is above the baseline 25, but lower is better for 'nps'",
            id="range-above-band-target-higher",
        ),
        # Hand-computed: from 96.5 above the green [75, 90], the band [100, 120]
        # lies above the baseline (its nearest edge 100 > 96.5): away from green.
        pytest.param(
            kpi("nps", readings=history(96.5), direction=RANGE, thresholds=UTILISATION),
            key_result(target=Band(100, 120)),
            "target [100, 120] is above the baseline 96.5, but lower is better for "
            "'nps'",
            id="range-above-band-band-target-further-above",
        ),
        # From 150 above the green [90, 120], [200, 300] is above the baseline.
        pytest.param(
            kpi("nps", readings=history(150), direction=RANGE, thresholds=PRESSURE),
            key_result(target=Band(200, 300)),
            "target [200, 300] is above the baseline 150, but lower is better for "
            "'nps'",
            id="range-above-band-band-target-far-above",
        ),
        # From 60 below the green [90, 120], [20, 50] is below the baseline.
        pytest.param(
            kpi("nps", readings=history(60), direction=RANGE, thresholds=PRESSURE),
            key_result(target=Band(20, 50)),
            "target [20, 50] is below the baseline 60, but higher is better for 'nps'",
            id="range-below-band-band-target-further-below",
        ),
    ],
)
def test_kr_target_wrong_direction_fires(nps: KPI, kr: KeyResult, message: str) -> None:
    assert_fires("kr-target-wrong-direction", one_kr([nps], kr), ERROR, KR, message)


@pytest.mark.parametrize(
    ("nps", "kr"),
    [
        pytest.param(
            kpi("nps", readings=history(40)),
            key_result(target=50.0),
            id="up-target-above-baseline",
        ),
        pytest.param(
            kpi("nps", readings=history(40), direction=DOWN),
            key_result(target=30.0),
            id="down-target-below-baseline",
        ),
        pytest.param(
            kpi("nps", readings=history(99.5), direction=RANGE, thresholds=NEAR_ZERO),
            key_result(target=99.95),
            id="range-below-band-target-towards-band",
        ),
        pytest.param(
            kpi("nps", readings=history(25), direction=RANGE, thresholds=COMFORT),
            key_result(target=21.0),
            id="range-above-band-target-towards-band",
        ),
        pytest.param(
            kpi("nps", readings=history(21), direction=RANGE, thresholds=COMFORT),
            key_result(target=20.5),
            id="range-inside-band-has-no-bad-side",
        ),
        pytest.param(
            kpi("nps", readings=history(40)),
            key_result(target=30.0, kind=SUSTAIN),
            id="sustain-is-not-judged",
        ),
        pytest.param(kpi("nps"), key_result(target=30.0), id="no-baseline"),
        # From 150 above [90, 120], the band [90, 120] and [100, 130] lie below.
        pytest.param(
            kpi("nps", readings=history(150), direction=RANGE, thresholds=PRESSURE),
            key_result(target=Band(90, 120)),
            id="range-band-target-into-green",
        ),
        pytest.param(
            kpi("nps", readings=history(150), direction=RANGE, thresholds=PRESSURE),
            key_result(target=Band(100, 130)),
            id="range-band-target-towards-green",
        ),
        # A band around the baseline asks for no move: kr-not-a-change's to say.
        pytest.param(
            kpi("nps", readings=history(150), direction=RANGE, thresholds=PRESSURE),
            key_result(target=Band(140, 160)),
            id="range-band-target-around-baseline",
        ),
        pytest.param(
            kpi("nps", readings=history(150), direction=RANGE, thresholds=PRESSURE),
            key_result(target=Band(200, 300), kind=SUSTAIN),
            id="sustain-band-is-not-judged",
        ),
    ],
)
def test_kr_target_wrong_direction_quiet(nps: KPI, kr: KeyResult) -> None:
    assert lint_rule("kr-target-wrong-direction", one_kr([nps], kr)) == []


# --- kr-not-a-change --------------------------------------------------------------


@pytest.mark.parametrize(
    ("nps", "kr", "message"),
    [
        pytest.param(
            kpi("nps", readings=history(40)),
            key_result(target=40.0),
            "target 40 equals the baseline: nothing is asked to change",
            id="change-target-equals-baseline",
        ),
        pytest.param(
            kpi("nps"),
            key_result(target=40.0, baseline=40.0),
            "target 40 equals the baseline: nothing is asked to change",
            id="change-target-equals-given-baseline",
        ),
        pytest.param(
            kpi("nps", readings=history(99.95)),
            key_result(target=99.9, kind=SUSTAIN),
            "the baseline 99.95 already meets the target 99.9: holding it is "
            "business as usual",
            id="sustain-up-baseline-above-target",
        ),
        pytest.param(
            kpi("nps", readings=history(99.9)),
            key_result(target=99.9, kind=SUSTAIN),
            "the baseline 99.9 already meets the target 99.9",
            id="sustain-up-baseline-at-target",
        ),
        pytest.param(
            kpi("nps", readings=history(180), direction=DOWN),
            key_result(target=200.0, kind=SUSTAIN),
            "the baseline 180 already meets the target 200",
            id="sustain-down-baseline-below-target",
        ),
        pytest.param(
            kpi("nps", readings=history(99.95), direction=RANGE, thresholds=NEAR_ZERO),
            key_result(target=Band(99.9, 100), kind=SUSTAIN),
            "the baseline 99.95 already meets the target [99.9, 100]",
            id="sustain-range-baseline-in-band",
        ),
    ],
)
def test_kr_not_a_change_fires(nps: KPI, kr: KeyResult, message: str) -> None:
    assert_fires("kr-not-a-change", one_kr([nps], kr), WARNING, KR, message)


@pytest.mark.parametrize(
    ("nps", "kr"),
    [
        pytest.param(
            kpi("nps", readings=history(40)),
            key_result(target=50.0),
            id="change-target-differs",
        ),
        pytest.param(
            kpi("nps", readings=history(99.5)),
            key_result(target=99.9, kind=SUSTAIN),
            id="sustain-up-baseline-below-target",
        ),
        pytest.param(
            kpi("nps", readings=history(250), direction=DOWN),
            key_result(target=200.0, kind=SUSTAIN),
            id="sustain-down-baseline-above-target",
        ),
        pytest.param(
            kpi("nps", readings=history(99.5), direction=RANGE, thresholds=NEAR_ZERO),
            key_result(target=Band(99.9, 100), kind=SUSTAIN),
            id="sustain-range-baseline-outside-band",
        ),
        pytest.param(kpi("nps"), key_result(target=40.0), id="no-baseline"),
    ],
)
def test_kr_not_a_change_quiet(nps: KPI, kr: KeyResult) -> None:
    assert lint_rule("kr-not-a-change", one_kr([nps], kr)) == []


# --- kr-already-met ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("nps", "kr", "message"),
    [
        pytest.param(
            kpi("nps", readings=history(60)),
            key_result(target=55.0, baseline=40.0),
            "the latest reading before the cycle (60 on 2026-03-30) already meets "
            "the target 55: set a target beyond",
            id="up-reading-beyond-target",
        ),
        pytest.param(
            kpi("nps", readings=history(55)),
            key_result(target=55.0, baseline=40.0),
            "the latest reading before the cycle (55 on 2026-03-30) already meets "
            "the target 55",
            id="up-reading-at-target",
        ),
        pytest.param(
            kpi("nps", readings=history(180), direction=DOWN),
            key_result(target=200.0, baseline=300.0),
            "the latest reading before the cycle (180 on 2026-03-30) already meets "
            "the target 200",
            id="down-reading-below-target",
        ),
        pytest.param(
            kpi("nps", readings=history(12.5), direction=RANGE),
            key_result(target=12.0, baseline=10.0),
            "the latest reading before the cycle (12.5 on 2026-03-30) already meets "
            "the target 12",
            id="range-without-band-reading-past-target",
        ),
        pytest.param(
            kpi("nps", readings=history(60)),
            key_result(target=55.0, baseline=40.0, kind=SUSTAIN),
            "the latest reading before the cycle (60 on 2026-03-30) already meets "
            "the target 55",
            id="sustain-reading-meets-target-though-given-baseline-does-not",
        ),
    ],
)
def test_kr_already_met_fires(nps: KPI, kr: KeyResult, message: str) -> None:
    assert_fires("kr-already-met", one_kr([nps], kr), WARNING, KR, message)


@pytest.mark.parametrize(
    ("nps", "kr"),
    [
        pytest.param(
            kpi("nps", readings=history(50)),
            key_result(target=55.0, baseline=40.0),
            id="up-reading-short-of-target",
        ),
        pytest.param(
            kpi("nps", readings=history(250), direction=DOWN),
            key_result(target=200.0, baseline=300.0),
            id="down-reading-short-of-target",
        ),
        pytest.param(
            kpi("nps", readings=readings_at([(dt.date(2026, 4, 2), 60)])),
            key_result(target=55.0, baseline=40.0),
            id="no-reading-before-cycle",
        ),
        pytest.param(
            kpi("nps", readings=history(55)),
            key_result(target=55.0),
            id="target-equals-baseline-is-not-a-change",
        ),
        pytest.param(
            kpi("nps", readings=history(10), direction=RANGE),
            key_result(target=12.0),
            id="range-without-band-reading-short-of-target",
        ),
        pytest.param(
            kpi("nps", readings=history(21), direction=RANGE, thresholds=COMFORT),
            key_result(target=20.5),
            id="range-inside-band-reading-short-of-lower-target",
        ),
        pytest.param(
            kpi("nps", readings=history(60)),
            key_result(target=55.0, kind=SUSTAIN),
            id="sustain-baseline-meets-target-is-not-a-change",
        ),
        pytest.param(
            kpi("nps", readings=history(50)),
            key_result(target=55.0, kind=SUSTAIN),
            id="sustain-reading-short-of-target",
        ),
        pytest.param(
            kpi("nps", readings=history(40)),
            key_result(target=35.0),
            id="wrong-direction-target-is-not-already-met",
        ),
        pytest.param(
            kpi("nps", readings=history(25), direction=RANGE, thresholds=COMFORT_WIDE),
            key_result(target=30.0),
            id="range-target-away-from-the-band-is-not-already-met",
        ),
    ],
)
def test_kr_already_met_quiet(nps: KPI, kr: KeyResult) -> None:
    assert lint_rule("kr-already-met", one_kr([nps], kr)) == []


# --- kr-within-noise --------------------------------------------------------------

# Six readings with moving ranges of 2: the noise is 2.66 × 2 = 5.32; baseline 52.
ZIGZAG_VALUES = (50, 52, 50, 52, 50, 52)
ZIGZAG = history(*ZIGZAG_VALUES)

# Six quiet readings in Q1 (noise 2.66) set the limits; the wild ones come after.
CALM_THEN_WILD = weekly_readings(dt.date(2026, 1, 5), [50, 51, 50, 51, 50, 51, 60, 40])
CALM_BASELINE = Period(dt.date(2026, 1, 1), dt.date(2026, 2, 15))


@pytest.mark.parametrize(
    ("nps", "kr", "message"),
    [
        pytest.param(
            kpi("nps", readings=ZIGZAG),
            key_result(target=55.0),
            "the change asked for (3) is smaller than the routine variation of 'nps' "
            "(2.66 × average moving range = 5.32): noise alone could decide it",
            id="up-change-smaller-than-noise",
        ),
        pytest.param(
            kpi("nps", readings=ZIGZAG, direction=DOWN),
            key_result(target=49.0),
            "the change asked for (3) is smaller than the routine variation",
            id="down-change-smaller-than-noise",
        ),
        pytest.param(
            kpi("nps", readings=CALM_THEN_WILD, spc_baseline=CALM_BASELINE),
            key_result(target=42.0),
            "the change asked for (2) is smaller than the routine variation of 'nps' "
            "(2.66 × average moving range = 2.66)",
            id="spc-baseline-sets-the-noise",
        ),
        pytest.param(
            kpi(
                "nps",
                readings=history(60, 80, 60, 80, 60, 80, *ZIGZAG_VALUES),
                spc_periods=(LimitPeriod(dt.date(2026, 2, 23)),),
            ),
            key_result(target=55.0),
            "(2.66 × average moving range = 5.32)",
            id="the-latest-limit-period-sets-the-noise",
        ),
    ],
)
def test_kr_within_noise_fires(nps: KPI, kr: KeyResult, message: str) -> None:
    assert_fires("kr-within-noise", one_kr([nps], kr), WARNING, KR, message)


@pytest.mark.parametrize(
    ("nps", "kr"),
    [
        pytest.param(
            kpi("nps", readings=ZIGZAG),
            key_result(target=58.0),
            id="change-larger-than-noise",
        ),
        pytest.param(
            kpi("nps", readings=history(50, 52, 50, 52, 52)),
            key_result(target=53.0),
            id="fewer-than-six-readings",
        ),
        pytest.param(
            kpi("nps", readings=ZIGZAG),
            key_result(target=53.0, kind=SUSTAIN),
            id="sustain-is-not-a-change",
        ),
        pytest.param(
            kpi("nps", readings=CALM_THEN_WILD, spc_baseline=CALM_BASELINE),
            key_result(target=43.0),
            id="spc-baseline-change-larger-than-noise",
        ),
    ],
)
def test_kr_within_noise_quiet(nps: KPI, kr: KeyResult) -> None:
    assert lint_rule("kr-within-noise", one_kr([nps], kr)) == []


# --- kr-beyond-best-in-class ------------------------------------------------------


@pytest.mark.parametrize(
    ("nps", "kr", "message"),
    [
        pytest.param(
            kpi("nps", readings=history(40), benchmarks=Benchmarks(45, 65)),
            key_result(target=70.0),
            "target 70 is past the best-in-class benchmark 65: a target nobody "
            "reaches demoralises",
            id="up-target-above-best",
        ),
        pytest.param(
            kpi(
                "nps",
                readings=history(300),
                direction=DOWN,
                benchmarks=Benchmarks(best_in_class=100),
            ),
            key_result(target=90.0),
            "target 90 is past the best-in-class benchmark 100",
            id="down-target-below-best",
        ),
    ],
)
def test_kr_beyond_best_in_class_fires(nps: KPI, kr: KeyResult, message: str) -> None:
    assert_fires("kr-beyond-best-in-class", one_kr([nps], kr), WARNING, KR, message)


@pytest.mark.parametrize(
    ("nps", "kr"),
    [
        pytest.param(
            kpi("nps", readings=history(40), benchmarks=Benchmarks(45, 65)),
            key_result(target=65.0),
            id="up-target-at-best",
        ),
        pytest.param(
            kpi(
                "nps",
                readings=history(300),
                direction=DOWN,
                benchmarks=Benchmarks(best_in_class=100),
            ),
            key_result(target=100.0),
            id="down-target-at-best",
        ),
        pytest.param(
            kpi("nps", readings=history(40), benchmarks=Benchmarks(industry=45)),
            key_result(target=70.0),
            id="no-best-in-class",
        ),
        pytest.param(
            kpi(
                "nps",
                readings=history(99.5),
                direction=RANGE,
                thresholds=NEAR_ZERO,
                benchmarks=Benchmarks(best_in_class=99.9),
            ),
            key_result(target=99.95),
            id="range-kpi",
        ),
    ],
)
def test_kr_beyond_best_in_class_quiet(nps: KPI, kr: KeyResult) -> None:
    assert lint_rule("kr-beyond-best-in-class", one_kr([nps], kr)) == []


# --- kr-vanity-metric and kr-transient-metric -------------------------------------

KEY_NPS = kpi("nps", readings=history(40), tier=Tier.KEY)


@pytest.mark.parametrize(
    "kpis",
    [
        pytest.param(
            [KEY_NPS, kpi("visits", readings=history(40))],
            id="secondary-drives-nothing",
        ),
        pytest.param(
            [
                KEY_NPS,
                kpi("visits", readings=history(40), drives=("signups",)),
                kpi("signups", readings=history(40)),
            ],
            id="drives-only-a-secondary-kpi",
        ),
    ],
)
def test_kr_vanity_metric_fires(kpis: list[KPI]) -> None:
    ws = one_kr(kpis, key_result("visits"))
    message = "'visits' is a secondary KPI that drives no key KPI: so what if it moves?"
    assert_fires("kr-vanity-metric", ws, WARNING, KR, message)


def test_kr_vanity_metric_fires_for_a_transient_kpi_too() -> None:
    """Any KPI below `key` tier that drives no key KPI, transient ones included."""
    kpis = [KEY_NPS, kpi("visits", readings=history(40), tier=Tier.TRANSIENT)]
    message = "'visits' is a transient KPI that drives no key KPI"
    assert_fires(
        "kr-vanity-metric", one_kr(kpis, key_result("visits")), WARNING, KR, message
    )


@pytest.mark.parametrize(
    "kpis",
    [
        pytest.param(
            [KEY_NPS, kpi("visits", readings=history(40), tier=Tier.KEY)],
            id="key-tier",
        ),
        pytest.param(
            [KEY_NPS, kpi("visits", readings=history(40), drives=("nps",))],
            id="drives-a-key-kpi",
        ),
        pytest.param(
            [
                KEY_NPS,
                kpi("visits", readings=history(40), drives=("signups",)),
                kpi("signups", readings=history(40), drives=("nps",)),
            ],
            id="drives-a-key-kpi-indirectly",
        ),
    ],
)
def test_kr_vanity_metric_quiet(kpis: list[KPI]) -> None:
    assert lint_rule("kr-vanity-metric", one_kr(kpis, key_result("visits"))) == []


def test_kr_transient_metric_fires_as_info() -> None:
    survey = kpi("launch-survey", readings=history(40), tier=Tier.TRANSIENT)
    ws = one_kr([survey], key_result("launch-survey"))
    message = (
        "'launch-survey' is a transient KPI: at cycle close, decide whether to keep "
        "it in the KPI system or retire it"
    )
    assert_fires("kr-transient-metric", ws, INFO, KR, message)


@pytest.mark.parametrize("tier", [Tier.SECONDARY, Tier.KEY], ids=str)
def test_kr_transient_metric_quiet(tier: Tier) -> None:
    ws = one_kr([kpi("nps", readings=history(40), tier=tier)], key_result())
    assert lint_rule("kr-transient-metric", ws) == []


# --- kr-no-owner ------------------------------------------------------------------


def test_kr_no_owner_fires_without_kr_or_objective_owner() -> None:
    ws = one_kr([kpi("nps", readings=history(40))], key_result())
    message = "neither the KR nor its objective has an owner: name who is accountable"
    assert_fires("kr-no-owner", ws, WARNING, KR, message)


@pytest.mark.parametrize(
    ("kr", "objective_owner"),
    [
        pytest.param(key_result(owner="Ana"), None, id="kr-owner"),
        pytest.param(key_result(), "Ana", id="objective-owner-suffices"),
    ],
)
def test_kr_no_owner_quiet(kr: KeyResult, objective_owner: str | None) -> None:
    ws = one_kr([kpi("nps", readings=history(40))], kr, owner=objective_owner)
    assert lint_rule("kr-no-owner", ws) == []


# --- kr-deadline-outside-cycle ----------------------------------------------------


@pytest.mark.parametrize(
    "deadline",
    [
        pytest.param(dt.date(2026, 7, 1), id="after-cycle-end"),
        pytest.param(dt.date(2026, 3, 31), id="before-cycle-start"),
    ],
)
def test_kr_deadline_outside_cycle_fires(deadline: dt.date) -> None:
    ws = one_kr([kpi("nps", readings=history(40))], key_result(deadline=deadline))
    message = (
        f"deadline {deadline} is outside the cycle 2026-Q2 (2026-04-01 to "
        "2026-06-30): move the deadline into the cycle"
    )
    assert_fires("kr-deadline-outside-cycle", ws, ERROR, KR, message)


@pytest.mark.parametrize(
    "deadline",
    [
        pytest.param(dt.date(2026, 6, 30), id="on-cycle-end"),
        pytest.param(dt.date(2026, 4, 1), id="on-cycle-start"),
        pytest.param(None, id="none-means-cycle-end"),
    ],
)
def test_kr_deadline_outside_cycle_quiet(deadline: dt.date | None) -> None:
    ws = one_kr([kpi("nps", readings=history(40))], key_result(deadline=deadline))
    assert lint_rule("kr-deadline-outside-cycle", ws) == []


# --- kr-conflicting-targets -------------------------------------------------------

NPS_AND_VISITS = [kpi("nps", readings=history(40)), kpi("visits", readings=history(40))]


@pytest.mark.parametrize(
    ("objectives", "subject", "message"),
    [
        pytest.param(
            [
                objective(key_result(target=50.0)),
                objective(key_result(target=60.0), key="o2"),
            ],
            "o2/kr1",
            "targets 'nps' at 60, not 50 as o1/kr1: two KRs pulling one KPI apart",
            id="different-targets-same-direction",
        ),
        pytest.param(
            [
                objective(key_result(target=50.0)),
                objective(key_result(target=30.0), key="o2"),
            ],
            "o2/kr1",
            "targets 'nps' in the opposite direction to o1/kr1",
            id="opposite-directions",
        ),
        pytest.param(
            [
                objective(key_result(target=50.0), key_result(target=60.0, key="kr2")),
            ],
            "o1/kr2",
            "targets 'nps' at 60, not 50 as o1/kr1",
            id="within-one-objective",
        ),
    ],
)
def test_kr_conflicting_targets_fires(
    objectives: list[Objective], subject: str, message: str
) -> None:
    ws = workspace(NPS_AND_VISITS, [Q2, Q3], objectives)
    assert_fires("kr-conflicting-targets", ws, WARNING, subject, message)


@pytest.mark.parametrize(
    "objectives",
    [
        pytest.param(
            [
                objective(key_result(target=50.0)),
                objective(key_result(target=50.0), key="o2"),
            ],
            id="same-target",
        ),
        pytest.param(
            [
                objective(key_result(target=50.0)),
                objective(key_result(target=60.0), key="o2", cycle="2026-Q3"),
            ],
            id="different-cycles",
        ),
        pytest.param(
            [
                objective(key_result(target=50.0)),
                objective(key_result("visits", target=60.0), key="o2"),
            ],
            id="different-kpis",
        ),
    ],
)
def test_kr_conflicting_targets_quiet(objectives: list[Objective]) -> None:
    ws = workspace(NPS_AND_VISITS, [Q2, Q3], objectives)
    assert lint_rule("kr-conflicting-targets", ws) == []


# --- objective-kr-count -----------------------------------------------------------


def key_results(count: int) -> list[KeyResult]:
    return [key_result(key=f"kr{n}") for n in range(1, count + 1)]


@pytest.mark.parametrize(
    ("count", "message"),
    [
        pytest.param(
            1, "has 1 key result; an objective needs 2 to 5: add a KR", id="1"
        ),
        pytest.param(
            6,
            "has 6 key results; an objective needs 2 to 5: keep the ones that matter",
            id="6",
        ),
        pytest.param(0, "has 0 key results; an objective needs 2 to 5", id="0"),
    ],
)
def test_objective_kr_count_fires(count: int, message: str) -> None:
    ws = workspace([kpi("nps")], [Q2], [objective(*key_results(count))])
    assert_fires("objective-kr-count", ws, WARNING, "o1", message)


@pytest.mark.parametrize("count", [2, 5], ids=str)
def test_objective_kr_count_quiet(count: int) -> None:
    ws = workspace([kpi("nps")], [Q2], [objective(*key_results(count))])
    assert lint_rule("objective-kr-count", ws) == []


# --- objective-too-many -----------------------------------------------------------


def team_objectives(*teams: str, cycle_key: str = "2026-Q2") -> list[Objective]:
    return [
        objective(key=f"{cycle_key}-{n}", team=team, cycle=cycle_key)
        for n, team in enumerate(teams)
    ]


def test_objective_too_many_fires_for_four_objectives_of_one_team() -> None:
    ws = workspace([], [Q2], team_objectives("growth", "growth", "growth", "growth"))
    message = (
        "team 'growth' has 4 objectives in 2026-Q2; keep 3 or fewer: focus on what "
        "matters most"
    )
    assert_fires("objective-too-many", ws, WARNING, "2026-Q2/growth", message)


@pytest.mark.parametrize(
    "objectives",
    [
        pytest.param(team_objectives("growth", "growth", "growth"), id="three"),
        pytest.param(
            team_objectives("growth", "growth", "growth", "care"),
            id="four-across-two-teams",
        ),
        pytest.param(
            team_objectives("growth", "growth", "growth")
            + team_objectives("growth", cycle_key="2026-Q3"),
            id="four-across-two-cycles",
        ),
    ],
)
def test_objective_too_many_quiet(objectives: list[Objective]) -> None:
    ws = workspace([], [Q2, Q3], objectives)
    assert lint_rule("objective-too-many", ws) == []


# --- objective-has-numbers --------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "figures"),
    [
        pytest.param("Grow NPS to 58", "'58'", id="grow-nps-to-58"),
        pytest.param("Cut churn by 5%", "'5%'", id="percentage"),
        pytest.param("Raise $1.5m for the new wing", "'$1.5m'", id="money"),
        pytest.param("Open 3 galleries by 2027", "'3'", id="year-is-not-a-figure"),
        pytest.param("Grow 10x", "'10x'", id="multiple"),
        pytest.param("Reach 2000 members", "'2000'", id="count-that-looks-like-a-year"),
    ],
)
def test_objective_has_numbers_fires(title: str, figures: str) -> None:
    ws = workspace([], [Q2], [objective(title=title)])
    message = f"the title contains {figures}: keep numbers in the key results"
    assert_fires("objective-has-numbers", ws, INFO, "o1", message)


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("Win Q3", id="win-q3"),
        pytest.param("Lead the market by 2027", id="lead-the-market-by-2027"),
        pytest.param("Become the B2B partner of choice", id="digit-inside-a-word"),
        pytest.param("Customers love the product", id="no-digits"),
        pytest.param("Recover from COVID-19", id="number-in-a-name"),
        pytest.param("Ship the app in Q4 2026", id="quarter-and-year"),
    ],
)
def test_objective_has_numbers_quiet(title: str) -> None:
    ws = workspace([], [Q2], [objective(title=title)])
    assert lint_rule("objective-has-numbers", ws) == []


# --- objective-kpi-in-disguise ----------------------------------------------------

NPS_40 = kpi("nps", readings=history(40))
UPTIME = kpi("uptime", readings=history(99.95))
HOLD_UPTIME = key_result("uptime", 99.9, key="kr2", kind=SUSTAIN)


@pytest.mark.parametrize(
    "first",
    [
        pytest.param(key_result(target=40.0), id="not-a-change-twice"),
        pytest.param(
            key_result(target=35.0, baseline=30.0), id="already-met-and-not-a-change"
        ),
    ],
)
def test_objective_kpi_in_disguise_fires(first: KeyResult) -> None:
    ws = workspace([NPS_40, UPTIME], [Q2], [objective(first, HOLD_UPTIME)])
    message = (
        "every key result asks for what the KPIs already do: this is a KPI report "
        "relabelled as an OKR"
    )
    assert_fires("objective-kpi-in-disguise", ws, WARNING, "o1", message)


@pytest.mark.parametrize(
    "key_results",
    [
        pytest.param([key_result(target=50.0), HOLD_UPTIME], id="one-real-change"),
        pytest.param([], id="no-key-results"),
    ],
)
def test_objective_kpi_in_disguise_quiet(key_results: list[KeyResult]) -> None:
    ws = workspace([NPS_40, UPTIME], [Q2], [objective(*key_results)])
    assert lint_rule("objective-kpi-in-disguise", ws) == []


# --- objective-lagging-only -------------------------------------------------------

INDICATOR_KPIS = [
    kpi("nps", indicator=Indicator.LAGGING),
    kpi("revenue", indicator=Indicator.LAGGING),
    kpi("visits", indicator=Indicator.LEADING),
    kpi("signups"),
]


def test_objective_lagging_only_fires_when_every_kpi_is_lagging() -> None:
    objectives = [objective(key_result("nps"), key_result("revenue", key="kr2"))]
    ws = workspace(INDICATOR_KPIS, [Q2], objectives)
    message = "every key result measures a lagging KPI: results show only after"
    assert_fires("objective-lagging-only", ws, WARNING, "o1", message)


def test_objective_lagging_only_names_the_leading_kpis_that_drive_them() -> None:
    kpis = [
        kpi("nps", indicator=Indicator.LAGGING),
        kpi("revenue", indicator=Indicator.LAGGING),
        kpi("visits", indicator=Indicator.LEADING, drives=("nps",)),
        # Lagging itself: not a candidate, but what drives it is.
        kpi("churn", indicator=Indicator.LAGGING, drives=("revenue",)),
        kpi("calls", drives=("churn",)),
        # Drives a candidate: further from the outcome, not named.
        kpi("hiring", indicator=Indicator.LEADING, drives=("visits",)),
        kpi("unlinked", indicator=Indicator.LEADING),
    ]
    objectives = [objective(key_result("nps"), key_result("revenue", key="kr2"))]
    ws = workspace(kpis, [Q2], objectives)
    [found] = lint_rule("objective-lagging-only", ws)
    assert found.message.endswith(
        "within the cycle, such as visits, calls "
        "(by the strategy map, they drive these KPIs)"
    )


def test_objective_lagging_only_counts_candidates_past_five() -> None:
    drivers = [
        kpi(f"lead{n}", indicator=Indicator.LEADING, drives=("nps",)) for n in range(7)
    ]
    objectives = [objective(key_result("nps"), key_result("revenue", key="kr2"))]
    ws = workspace([*INDICATOR_KPIS, *drivers], [Q2], objectives)
    [found] = lint_rule("objective-lagging-only", ws)
    assert "such as lead0, lead1, lead2, lead3, lead4 and 2 more (by" in found.message


@pytest.mark.parametrize(
    "second",
    [
        pytest.param("visits", id="one-leading"),
        pytest.param("signups", id="unmarked-is-not-judged"),
        pytest.param("unknown", id="unknown-kpi-is-not-judged"),
    ],
)
def test_objective_lagging_only_quiet(second: str) -> None:
    objectives = [objective(key_result("nps"), key_result(second, key="kr2"))]
    ws = workspace(INDICATOR_KPIS, [Q2], objectives)
    assert lint_rule("objective-lagging-only", ws) == []


YEAR_2026 = Cycle("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
Q2_OF_2026 = Cycle("2026-Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30), parent="2026")
LAGGING_YEAR = objective(
    key_result("nps"), key_result("revenue", key="kr2"), key="year-o", cycle="2026"
)


@pytest.mark.parametrize(
    ("aligned_kpis", "fires"),
    [
        pytest.param(["nps", "visits"], False, id="a-quarter-carries-a-leading-kr"),
        pytest.param(["nps", "revenue"], True, id="the-quarters-are-lagging-too"),
        pytest.param([], True, id="no-quarter-aligned"),
    ],
)
def test_an_annual_objective_is_accompanied_by_its_quarters_leading_krs(
    aligned_kpis: list[str], fires: bool
) -> None:
    # Seed 000: lagging KRs "must be accompanied by Key Results targeting the
    # leading indicators that drive them"; for a year, its quarters carry them.
    aligned = objective(
        *(key_result(k, key=f"kr{n}") for n, k in enumerate(aligned_kpis)),
        key="q2-o",
        parent="year-o",
    )
    objectives = [LAGGING_YEAR, aligned] if aligned_kpis else [LAGGING_YEAR]
    ws = workspace(INDICATOR_KPIS, [YEAR_2026, Q2_OF_2026], objectives)
    subjects = [f.subject for f in lint_rule("objective-lagging-only", ws)]
    assert ("year-o" in subjects) is fires
    found = [
        f for f in lint_rule("objective-lagging-only", ws) if f.subject == "year-o"
    ]
    if fires:
        assert found[0].message.startswith(
            "every key result of this annual objective, and of the objectives "
            "aligned to it, measures a lagging KPI"
        )


# --- objective-parent-outside-cycle ----------------------------------------------

Q3_OF_2026 = Cycle("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30), parent="2026")
YEAR_2027 = Cycle("2027", dt.date(2027, 1, 1), dt.date(2027, 12, 31))


@pytest.mark.parametrize(
    ("parent_cycle", "fires"),
    [
        pytest.param("2026-Q2", False, id="its-own-cycle"),
        pytest.param("2026", False, id="the-year-that-contains-it"),
        pytest.param("2026-Q3", True, id="another-quarter"),
        pytest.param("2027", True, id="a-year-that-does-not-contain-it"),
    ],
)
def test_an_objective_contributes_within_its_cycle_or_its_year(
    parent_cycle: str, fires: bool
) -> None:
    cycles = [YEAR_2026, Q2_OF_2026, Q3_OF_2026, YEAR_2027]
    objectives = [
        objective(key_result("nps"), key="parent-o", cycle=parent_cycle),
        objective(key_result("nps"), key="child-o", parent="parent-o"),
    ]
    ws = workspace(INDICATOR_KPIS, cycles, objectives)
    findings = lint_rule("objective-parent-outside-cycle", ws)
    if not fires:
        assert findings == []
        return
    [found] = findings
    assert found.subject == "child-o"
    assert found.message == (
        f"contributes to 'parent-o' in {parent_cycle}, which does not contain "
        "2026-Q2: align it to an objective of its own cycle or of the cycle that "
        "contains it (its year)"
    )


# --- cycle-focus-diluted ----------------------------------------------------------

FOUR_KEY_AND_TWO_SECONDARY = [kpi(f"key{n}", tier=Tier.KEY) for n in range(1, 5)] + [
    kpi("sec1"),
    kpi("sec2"),
]


def targeting(*kpi_keys: str, cycle_key: str = "2026-Q2") -> Objective:
    return objective(
        *(key_result(k, key=k) for k in kpi_keys), key=f"o-{cycle_key}", cycle=cycle_key
    )


def test_cycle_focus_diluted_fires_for_three_of_four_key_kpis() -> None:
    ws = workspace(
        FOUR_KEY_AND_TWO_SECONDARY, [Q2], [targeting("key1", "key2", "key3")]
    )
    message = "3 of the 4 key KPIs are targeted in 2026-Q2: not every KPI should"
    assert_fires("cycle-focus-diluted", ws, WARNING, "2026-Q2", message)


@pytest.mark.parametrize(
    "objectives",
    [
        pytest.param([targeting("key1", "key2")], id="exactly-half"),
        pytest.param(
            [targeting("key1", "key2", "sec1", "sec2")],
            id="secondary-kpis-do-not-count",
        ),
        pytest.param(
            [targeting("key1", "key2"), targeting("key3", cycle_key="2026-Q3")],
            id="other-cycle-does-not-count",
        ),
    ],
)
def test_cycle_focus_diluted_quiet(objectives: list[Objective]) -> None:
    ws = workspace(FOUR_KEY_AND_TWO_SECONDARY, [Q2, Q3], objectives)
    assert lint_rule("cycle-focus-diluted", ws) == []


# --- kpi-duplicate ----------------------------------------------------------------


def sql(query: str) -> Source:
    return Source(type=SourceType.SQL, connection="warehouse", query=query)


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        pytest.param(
            kpi("nps", name="Net Promoter Score"),
            kpi("nps-2", name="score: net promoter"),
            "has the same name as 'nps': two KPIs for one measure split its history",
            id="same-name-ignoring-case-punctuation-order",
        ),
        pytest.param(
            kpi("nps", name="NPS", description="Promoters minus detractors."),
            kpi("nps-2", name="Loyalty", description="promoters minus detractors"),
            "has the same definition as 'nps'",
            id="same-description",
        ),
        pytest.param(
            kpi("nps", name="NPS", source=sql("SELECT avg(score) FROM survey")),
            kpi(
                "nps-2", name="Loyalty", source=sql("select avg(score)\n  from survey")
            ),
            "has the same source query as 'nps'",
            id="same-source-query",
        ),
    ],
)
def test_kpi_duplicate_fires(first: KPI, second: KPI, message: str) -> None:
    assert_fires("kpi-duplicate", workspace([first, second]), WARNING, "nps-2", message)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(
            kpi("nps", name="Net Promoter Score"),
            kpi("revenue", name="Net Revenue"),
            id="different-names",
        ),
        pytest.param(
            kpi("nps", name="NPS", description="Promoters minus detractors."),
            kpi("csat", name="CSAT", description="Share of satisfied visitors."),
            id="different-descriptions",
        ),
        pytest.param(
            kpi("nps", name="NPS", source=sql("SELECT avg(score) FROM survey")),
            kpi("csat", name="CSAT", source=sql("SELECT avg(csat) FROM survey")),
            id="different-source-queries",
        ),
    ],
)
def test_kpi_duplicate_quiet(first: KPI, second: KPI) -> None:
    assert lint_rule("kpi-duplicate", workspace([first, second])) == []


# --- kpi-incomplete ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("nps", "missing"),
    [
        pytest.param(
            kpi("nps"), "description, owner, team, cadence, thresholds", id="bare"
        ),
        pytest.param(complete_kpi("nps", team=None), "team", id="no-team"),
        pytest.param(complete_kpi("nps", owner=None), "owner", id="no-owner"),
        pytest.param(
            complete_kpi("nps", description="", thresholds=Thresholds()),
            "description, thresholds",
            id="empty-description-and-no-thresholds",
        ),
    ],
)
def test_kpi_incomplete_fires(nps: KPI, missing: str) -> None:
    message = f"lacks {missing}: an authoritative definition says what is counted"
    assert_fires("kpi-incomplete", workspace([nps]), WARNING, "nps", message)


def test_kpi_incomplete_quiet_for_a_complete_kpi() -> None:
    assert lint_rule("kpi-incomplete", workspace([complete_kpi("nps")])) == []


# --- kpi-too-many-key -------------------------------------------------------------


def key_kpis(count: int) -> list[KPI]:
    return [kpi(f"k{n}", tier=Tier.KEY) for n in range(count)]


def test_kpi_too_many_key_fires_for_eleven() -> None:
    message = "11 KPIs are `key` tier; keep 10 or fewer: fewer KPIs are better"
    ws = workspace(key_kpis(11))
    assert_fires("kpi-too-many-key", ws, WARNING, "kpis", message)


def test_kpi_too_many_key_quiet_for_ten_and_secondary_ones() -> None:
    ws = workspace(key_kpis(10) + [kpi(f"s{n}") for n in range(5)])
    assert lint_rule("kpi-too-many-key", ws) == []


# --- kpi-stale --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("readings", "message"),
    [
        pytest.param(
            readings_at([(dt.date(2026, 3, 21), 40)]),
            "the latest reading is 11 days old (2026-03-21) for a weekly KPI",
            id="weekly-11-days-old",
        ),
        pytest.param(
            readings_at([(dt.date(2026, 3, 21), 40), (dt.date(2026, 4, 2), 41)]),
            "the latest reading is 11 days old (2026-03-21) for a weekly KPI",
            id="reading-after-as-of-ignored",
        ),
        pytest.param(
            (),
            "has no reading although it is read weekly: record one",
            id="weekly-without-readings",
        ),
    ],
)
def test_kpi_stale_fires(readings: tuple[Reading, ...], message: str) -> None:
    ws = workspace([kpi("nps", readings=readings, cadence=Cadence.WEEKLY)])
    assert_fires("kpi-stale", ws, WARNING, "nps", message)


@pytest.mark.parametrize(
    ("cadence", "last"),
    [
        pytest.param(Cadence.WEEKLY, dt.date(2026, 3, 22), id="weekly-10-days-old"),
        pytest.param(Cadence.MONTHLY, dt.date(2026, 2, 15), id="monthly-45-days-old"),
        pytest.param(None, dt.date(2025, 1, 1), id="no-cadence-is-never-stale"),
    ],
)
def test_kpi_stale_quiet(cadence: Cadence | None, last: dt.date) -> None:
    ws = workspace([kpi("nps", readings=readings_at([(last, 40)]), cadence=cadence)])
    assert lint_rule("kpi-stale", ws) == []


# --- kpi-financial-key ------------------------------------------------------------


def test_kpi_financial_key_fires_as_info() -> None:
    ws = workspace([kpi("revenue", tier=Tier.KEY, financial=True)])
    message = "is a key KPI that is financial: key performance indicators are "
    assert_fires("kpi-financial-key", ws, INFO, "revenue", message)


@pytest.mark.parametrize(
    ("tier", "financial"),
    [
        pytest.param(Tier.KEY, False, id="key-non-financial"),
        pytest.param(Tier.SECONDARY, True, id="secondary-financial"),
    ],
)
def test_kpi_financial_key_quiet(tier: Tier, financial: bool) -> None:
    ws = workspace([kpi("revenue", tier=tier, financial=financial)])
    assert lint_rule("kpi-financial-key", ws) == []


# --- kpi-parmenter ----------------------------------------------------------------


def test_kpi_parmenter_fires_for_a_key_kpi_below_five_of_seven() -> None:
    """A complete yearly KPI: non-financial and tied to a team, 2 of 7."""
    ws = workspace([complete_kpi("nps", tier=Tier.KEY)])
    message = (
        "is a key KPI meeting 2 of Parmenter's 7 characteristics; missing: "
        "measured frequently, CEO's attention, clear with corrective action, "
        "impact on critical success factors, limited dark side"
    )
    assert_fires("kpi-parmenter", ws, INFO, "nps", message)


def test_kpi_parmenter_quiet_at_five_of_seven() -> None:
    nps = complete_kpi(
        "nps",
        tier=Tier.KEY,
        cadence=Cadence.WEEKLY,
        ceo_attention=True,
        corrective_action="Call back every detractor within a day",
    )
    assert lint_rule("kpi-parmenter", workspace([nps])) == []


def test_kpi_parmenter_quiet_for_a_secondary_kpi() -> None:
    assert lint_rule("kpi-parmenter", workspace([kpi("nps")])) == []


# --- kpi-north-star-many ----------------------------------------------------------


def test_kpi_north_star_many_fires_for_two_north_stars() -> None:
    ws = workspace([kpi("nps", north_star=True), kpi("nrr", north_star=True)])
    message = "2 KPIs are the north star (nps, nrr); keep one"
    assert_fires("kpi-north-star-many", ws, WARNING, "kpis", message)


@pytest.mark.parametrize("north_stars", [0, 1])
def test_kpi_north_star_many_quiet_for_one_or_none(north_stars: int) -> None:
    kpis = [kpi("nps", north_star=north_stars == 1), kpi("nrr")]
    assert lint_rule("kpi-north-star-many", workspace(kpis)) == []


# --- cycle-length -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        pytest.param(dt.date(2026, 4, 1), dt.date(2026, 5, 29), 59, id="59-days"),
        pytest.param(dt.date(2026, 4, 1), dt.date(2026, 7, 30), 121, id="121-days"),
        pytest.param(dt.date(2026, 1, 1), dt.date(2026, 10, 27), 300, id="300-days"),
    ],
)
def test_cycle_length_fires_outside_60_to_120_days(
    start: dt.date, end: dt.date, days: int
) -> None:
    ws = workspace(cycles=[cycle("sprint", start, end)])
    message = f"lasts {days} days; an OKR cycle is an intense sprint of 60 to 120"
    assert_fires("cycle-length", ws, WARNING, "sprint", message)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param(dt.date(2026, 4, 1), dt.date(2026, 5, 30), id="60-days"),
        pytest.param(dt.date(2026, 4, 1), dt.date(2026, 6, 30), id="a-quarter"),
        pytest.param(dt.date(2026, 4, 1), dt.date(2026, 7, 29), id="120-days"),
        pytest.param(dt.date(2026, 1, 1), dt.date(2026, 10, 28), id="301-days"),
        pytest.param(dt.date(2026, 1, 1), dt.date(2026, 12, 31), id="a-year"),
    ],
)
def test_cycle_length_quiet(start: dt.date, end: dt.date) -> None:
    ws = workspace(cycles=[cycle("c", start, end)])
    assert lint_rule("cycle-length", ws) == []


def test_cycle_length_quiet_for_a_half_year_containing_its_quarters() -> None:
    half = cycle("2026-H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    q1 = cycle("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert lint_rule("cycle-length", workspace(cycles=[half, q1, Q2])) == []


# --- the whole run ----------------------------------------------------------------


def test_has_errors_with_an_error_finding() -> None:
    ws = one_kr([complete_kpi("nps")], key_result("revenue"), owner="Ana")
    findings = lint_workspace(ws, AS_OF)
    assert has_errors(findings) is True


def test_has_errors_false_with_only_warnings_and_info() -> None:
    ws = workspace([kpi("revenue", tier=Tier.KEY, financial=True)])
    findings = lint_workspace(ws, AS_OF)
    assert {f.severity for f in findings} == {WARNING, INFO}
    assert has_errors(findings) is False


def test_has_errors_false_without_findings() -> None:
    assert has_errors([]) is False


def test_lint_workspace_reports_kpis_before_cycles() -> None:
    """Dictionary findings, then each KPI's, then each cycle's, objectives before
    their KRs."""
    nps = kpi("nps", readings=history(40), tier=Tier.KEY)
    copy = kpi("nps-copy", name="NPS")
    kr = key_result(target=50.0)
    ws = workspace([nps, copy], [Q2], [objective(kr, title="Grow NPS to 58")])
    assert [(f.rule, f.subject) for f in lint_workspace(ws, AS_OF)] == [
        ("kpi-duplicate", "nps-copy"),
        ("kpi-incomplete", "nps"),
        ("kpi-parmenter", "nps"),
        ("kpi-incomplete", "nps-copy"),
        ("cycle-focus-diluted", "2026-Q2"),
        ("objective-kr-count", "o1"),
        ("objective-has-numbers", "o1"),
        ("kr-no-owner", "o1/kr1"),
    ]
