"""KPI health from thresholds and behaviour, and staleness (docs/rules.md,
"KPI health")."""

from datetime import date, timedelta

import pytest

from drumbeat.core.health import assess_kpi, is_stale, threshold_health
from drumbeat.core.model import (
    Band,
    Cadence,
    Direction,
    Health,
    Reading,
    Thresholds,
)
from drumbeat.core.spc import Side
from tests.core.builders import START, kpi

UP, DOWN, RANGE = Direction.UP, Direction.DOWN, Direction.RANGE
GREEN, AMBER, RED, UNKNOWN = Health.GREEN, Health.AMBER, Health.RED, Health.UNKNOWN

UP_BOTH = Thresholds(green=50.0, red=30.0)
DOWN_BOTH = Thresholds(green=2.0, red=5.0)
RANGE_BOTH = Thresholds(green=Band(40.0, 60.0), amber=Band(30.0, 70.0))


@pytest.mark.parametrize(
    ("direction", "thresholds", "value", "expected"),
    [
        pytest.param(UP, UP_BOTH, 60.0, GREEN, id="up-above-green"),
        pytest.param(UP, UP_BOTH, 50.0, GREEN, id="up-equal-green"),
        pytest.param(UP, UP_BOTH, 40.0, AMBER, id="up-between"),
        pytest.param(UP, UP_BOTH, 30.0, RED, id="up-equal-red"),
        pytest.param(UP, UP_BOTH, 20.0, RED, id="up-below-red"),
        pytest.param(DOWN, DOWN_BOTH, 1.0, GREEN, id="down-below-green"),
        pytest.param(DOWN, DOWN_BOTH, 2.0, GREEN, id="down-equal-green"),
        pytest.param(DOWN, DOWN_BOTH, 3.0, AMBER, id="down-between"),
        pytest.param(DOWN, DOWN_BOTH, 5.0, RED, id="down-equal-red"),
        pytest.param(DOWN, DOWN_BOTH, 6.0, RED, id="down-above-red"),
        pytest.param(RANGE, RANGE_BOTH, 50.0, GREEN, id="range-inside-green"),
        pytest.param(RANGE, RANGE_BOTH, 40.0, GREEN, id="range-green-low-edge"),
        pytest.param(RANGE, RANGE_BOTH, 60.0, GREEN, id="range-green-high-edge"),
        pytest.param(RANGE, RANGE_BOTH, 35.0, AMBER, id="range-amber-below"),
        pytest.param(RANGE, RANGE_BOTH, 65.0, AMBER, id="range-amber-above"),
        pytest.param(RANGE, RANGE_BOTH, 30.0, AMBER, id="range-amber-low-edge"),
        pytest.param(RANGE, RANGE_BOTH, 70.0, AMBER, id="range-amber-high-edge"),
        pytest.param(RANGE, RANGE_BOTH, 29.9, RED, id="range-below-amber"),
        pytest.param(RANGE, RANGE_BOTH, 70.1, RED, id="range-above-amber"),
    ],
)
def test_threshold_health_with_both_thresholds(direction, thresholds, value, expected):
    assert threshold_health(direction, thresholds, value) is expected


@pytest.mark.parametrize(
    ("direction", "thresholds", "value", "expected"),
    [
        pytest.param(UP, Thresholds(green=50.0), 50.0, GREEN, id="up-green-only-met"),
        pytest.param(UP, Thresholds(green=50.0), -1e9, AMBER, id="up-green-only-low"),
        pytest.param(UP, Thresholds(red=30.0), 1e9, AMBER, id="up-red-only-high"),
        pytest.param(UP, Thresholds(red=30.0), 30.0, RED, id="up-red-only-met"),
        pytest.param(DOWN, Thresholds(green=2.0), 2.0, GREEN, id="down-green-only-met"),
        pytest.param(
            DOWN, Thresholds(green=2.0), 1e9, AMBER, id="down-green-only-high"
        ),
        pytest.param(DOWN, Thresholds(red=5.0), -1e9, AMBER, id="down-red-only-low"),
        pytest.param(DOWN, Thresholds(red=5.0), 5.0, RED, id="down-red-only-met"),
        pytest.param(
            RANGE, Thresholds(green=Band(40, 60)), 50.0, GREEN, id="range-green-only-in"
        ),
        pytest.param(
            RANGE, Thresholds(green=Band(40, 60)), 61.0, RED, id="range-green-only-out"
        ),
        pytest.param(
            RANGE, Thresholds(amber=Band(30, 70)), 50.0, AMBER, id="range-amber-only-in"
        ),
        pytest.param(
            RANGE, Thresholds(amber=Band(30, 70)), 71.0, RED, id="range-amber-only-out"
        ),
    ],
)
def test_threshold_health_with_one_threshold(direction, thresholds, value, expected):
    assert threshold_health(direction, thresholds, value) is expected


@pytest.mark.parametrize(
    ("direction", "thresholds", "value"),
    [
        pytest.param(UP, Thresholds(), 50.0, id="up-no-thresholds"),
        pytest.param(DOWN, Thresholds(), 50.0, id="down-no-thresholds"),
        pytest.param(RANGE, Thresholds(), 50.0, id="range-no-thresholds"),
        pytest.param(UP, UP_BOTH, None, id="up-no-reading"),
        pytest.param(RANGE, RANGE_BOTH, None, id="range-no-reading"),
    ],
)
def test_threshold_health_unknown_without_thresholds_or_reading(
    direction, thresholds, value
):
    assert threshold_health(direction, thresholds, value) is UNKNOWN


def test_assess_kpi_judges_the_latest_reading_up_to_as_of():
    """A reading after `as_of` is not known yet and does not count."""
    nps = kpi(values=[20.0, 60.0, 10.0], thresholds=UP_BOTH)
    assessment = assess_kpi(nps, as_of=START + timedelta(days=7))
    assert assessment.latest == Reading(START + timedelta(days=7), 60.0)
    assert assessment.health is GREEN


def test_assess_kpi_without_readings_is_unknown():
    assessment = assess_kpi(kpi(thresholds=UP_BOTH), as_of=START)
    assert (assessment.latest, assessment.health) == (None, UNKNOWN)


STEADY = [99.0, 101.0] * 10
"""Twenty readings: mean 100, average moving range 2, limits 94.68 to 105.32."""


@pytest.mark.parametrize(
    ("direction", "thresholds", "latest", "health", "favourable"),
    [
        pytest.param(UP, Thresholds(green=10.0), 90.0, AMBER, False, id="up-drop"),
        pytest.param(UP, Thresholds(green=10.0), 110.0, GREEN, True, id="up-rise"),
        pytest.param(
            DOWN, Thresholds(green=200.0), 110.0, AMBER, False, id="down-rise"
        ),
        pytest.param(DOWN, Thresholds(green=200.0), 90.0, GREEN, True, id="down-drop"),
        pytest.param(
            RANGE,
            Thresholds(green=Band(80.0, 120.0)),
            110.0,
            AMBER,
            False,
            id="range-centred-any-shift",
        ),
        pytest.param(
            RANGE,
            Thresholds(green=Band(0.0, 94.0)),
            90.0,
            GREEN,
            True,
            id="range-above-band-drop-towards",
        ),
    ],
)
def test_green_kpi_turns_amber_on_unfavourable_signal_only(
    direction, thresholds, latest, health, favourable
):
    """A green KPI whose latest reading is an unfavourable signal is amber; a
    favourable signal leaves it green. The threshold verdict stays green."""
    measure = kpi(direction=direction, thresholds=thresholds, values=[*STEADY, latest])
    assessment = assess_kpi(measure, as_of=date(2027, 1, 1))
    assert [(s.rule, s.favourable) for s in assessment.signals] == [
        (1, favourable),
        (4, favourable),  # the jump from the steady readings, on the same side
    ]
    assert assessment.health is health
    assert assessment.threshold_health is GREEN
    assert assessment.unfavourable_signal is (not favourable)


def test_range_kpi_below_its_band_finds_a_rise_favourable():
    measure = kpi(
        direction=RANGE,
        thresholds=Thresholds(green=Band(105.0, 200.0), amber=Band(0.0, 300.0)),
        values=[*STEADY, 110.0],
    )
    assessment = assess_kpi(measure, as_of=date(2027, 1, 1))
    assert {(s.side, s.favourable) for s in assessment.signals} == {(Side.ABOVE, True)}
    assert assessment.health is GREEN


def test_red_or_amber_kpi_is_not_changed_by_a_signal():
    measure = kpi(thresholds=Thresholds(green=200.0, red=91.0), values=[*STEADY, 90.0])
    assessment = assess_kpi(measure, as_of=date(2027, 1, 1))
    assert assessment.unfavourable_signal
    assert assessment.health is RED


def test_past_signal_not_including_latest_reading_leaves_kpi_green():
    """Back to the mean in two steps, each too small to be a jump."""
    values = [*STEADY, 90.0, 95.0, 100.0]
    measure = kpi(thresholds=Thresholds(green=10.0), values=values)
    assessment = assess_kpi(measure, as_of=date(2027, 1, 1), history=True)
    assert assessment.signals == ()
    assert [(s.rule, s.first) for s in assessment.history_signals] == [(1, 20), (4, 20)]
    assert assessment.health is GREEN


def test_assess_kpi_without_limits_has_no_signals():
    """Five readings are too few for limits, so even a big drop is no signal."""
    measure = kpi(thresholds=Thresholds(green=10.0), values=[100, 101, 99, 100, 20])
    assessment = assess_kpi(measure, as_of=date(2027, 1, 1))
    assert assessment.limits is None
    assert (assessment.signals, assessment.health) == ((), GREEN)


@pytest.mark.parametrize(
    ("cadence", "age_days", "stale"),
    [
        pytest.param(Cadence.DAILY, 0, False, id="daily-today"),
        pytest.param(Cadence.DAILY, 1, False, id="daily-1-day"),
        pytest.param(Cadence.DAILY, 2, True, id="daily-2-days"),
        pytest.param(Cadence.WEEKLY, 10, False, id="weekly-10-days"),
        pytest.param(Cadence.WEEKLY, 11, True, id="weekly-11-days"),
        pytest.param(Cadence.MONTHLY, 45, False, id="monthly-45-days"),
        pytest.param(Cadence.MONTHLY, 46, True, id="monthly-46-days"),
        pytest.param(Cadence.QUARTERLY, 136, False, id="quarterly-136-days"),
        pytest.param(Cadence.QUARTERLY, 137, True, id="quarterly-137-days"),
        pytest.param(Cadence.YEARLY, 547, False, id="yearly-547-days"),
        pytest.param(Cadence.YEARLY, 548, True, id="yearly-548-days"),
        pytest.param(None, 10_000, False, id="no-cadence-never-stale"),
    ],
)
def test_stale_after_one_and_a_half_cadence_periods(cadence, age_days, stale):
    latest = Reading(START, 1.0)
    assert is_stale(cadence, latest, START + timedelta(days=age_days)) is stale


def test_stale_when_cadence_and_no_reading():
    assert is_stale(Cadence.WEEKLY, None, START) is True


def test_not_stale_without_cadence_or_reading():
    assert is_stale(None, None, START) is False


def test_stale_is_reported_beside_green_health():
    """A reading after `as_of` does not refresh the KPI on `as_of`."""
    nps = kpi(
        values=[60.0, 60.0, 60.0],
        step_days=14,
        cadence=Cadence.WEEKLY,
        thresholds=UP_BOTH,
    )
    assessment = assess_kpi(nps, as_of=START + timedelta(days=14 + 11))
    assert (assessment.health, assessment.stale) == (GREEN, True)
    fresh = assess_kpi(nps, as_of=START + timedelta(days=28))
    assert fresh.stale is False
