"""How numbers, counts, targets, percents, grades and signals read to a person."""

import pytest

from drumbeat.core.display import (
    format_band,
    format_bounds,
    format_count,
    format_frozen_score,
    format_measure,
    format_number,
    format_percent,
    format_readings_counts,
    format_rules,
    format_size,
    format_target,
    grade_text,
    measure_decimals,
    percent_floor,
    score_restated,
    signal_groups,
    unfavourable_signal_reason,
    unfavourable_signals_text,
)
from drumbeat.core.model import Band
from drumbeat.core.spc import Side, Signal


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(38.0, "38", id="whole-float"),
        pytest.param(0.0, "0", id="zero"),
        pytest.param(-0.0, "0", id="negative-zero"),
        pytest.param(-12.0, "-12", id="negative-whole"),
        pytest.param(1_250_000.0, "1250000", id="large-whole"),
        pytest.param(99.95, "99.95", id="two-decimals"),
        pytest.param(0.333, "0.333", id="three-decimals"),
        pytest.param(1 / 3, "0.3333", id="four-decimals-at-most"),
        pytest.param(0.1 + 0.2, "0.3", id="float-noise"),
        pytest.param(-2.5, "-2.5", id="negative-decimal"),
        pytest.param(2.00004, "2", id="rounds-to-whole"),
        pytest.param(0.00001, "1e-05", id="tiny-keeps-significance"),
        pytest.param(-0.00001, "-1e-05", id="tiny-negative"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(2_758_400.0, "2,758,400", id="large-whole-grouped"),
        pytest.param(10_000, "10,000", id="ten-thousand"),
        pytest.param(16_000, "16,000", id="an-int-target"),
        pytest.param(-16_000.0, "-16,000", id="negative-grouped"),
        pytest.param(9_999.0, "9,999", id="below-ten-thousand"),
        pytest.param(1_000.0, "1,000", id="grouped-from-a-thousand"),
        pytest.param(999.0, "999", id="under-a-thousand-plain"),
        pytest.param(12_500.5, "12,500.5", id="decimal-grouped"),
        pytest.param(-1_234.25, "-1,234.25", id="negative-decimal-grouped"),
        pytest.param(99.95, "99.95", id="small-decimal"),
    ],
)
def test_format_number_grouped(value, text):
    assert format_number(value, grouped=True) == text


@pytest.mark.parametrize(
    ("value", "decimals", "unit", "text"),
    [
        pytest.param(14_210, None, "", "14,210", id="baseline"),
        pytest.param(15_270.0, None, "", "15,270", id="current"),
        pytest.param(16_000, None, "", "16,000", id="target"),
        pytest.param(16_000, 1, "", "16,000.0", id="target-with-the-readings-decimal"),
        pytest.param(85, 1, "percent", "85.0 percent", id="unit"),
        pytest.param(99.95, 1, "", "100.0", id="rounded-to-the-decimals"),
        pytest.param(2.345, 0, "", "2", id="whole-readings"),
        pytest.param(-0.04, 1, "", "0.0", id="no-negative-zero"),
        pytest.param(-1_500.5, 2, "GBP", "-1,500.50 GBP", id="negative"),
        pytest.param(0.5, None, "", "0.5", id="decimals-as-written"),
    ],
)
def test_format_measure(value, decimals, unit, text):
    assert format_measure(value, decimals=decimals, unit=unit) == text


@pytest.mark.parametrize(
    ("values", "decimals"),
    [
        pytest.param([], 0, id="none"),
        pytest.param([85, 86.0], 0, id="whole"),
        pytest.param([85, 85.5, 86.25], 2, id="the-most"),
        pytest.param([0.1 + 0.2], 1, id="float-noise"),
        pytest.param([1 / 3], 4, id="at-most-four"),
        pytest.param([0.00001], 4, id="tiny"),
    ],
)
def test_measure_decimals(values, decimals):
    assert measure_decimals(values) == decimals


def test_a_band_target_takes_the_decimals():
    assert format_target(Band(1500, 2000.5), grouped=True, decimals=1) == (
        "[1,500.0, 2,000.5]"
    )


@pytest.mark.parametrize(
    ("count", "text"),
    [
        pytest.param(0, "0", id="zero"),
        pytest.param(999, "999", id="under-a-thousand"),
        pytest.param(1_000, "1,000", id="a-thousand"),
        pytest.param(1_234_567, "1,234,567", id="millions"),
    ],
)
def test_format_count(count, text):
    assert format_count(count) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        pytest.param(93, "93 bytes", id="bytes"),
        pytest.param(12_600, "12.3 KB", id="kilobytes"),
        pytest.param(1_572_864, "1.5 MB", id="megabytes"),
        pytest.param(200 * 1024 * 1024, "200.0 MB", id="a-limit"),
        pytest.param(1024**3 + 1, "1.0 GB", id="gigabytes"),
        pytest.param(5000 * 1024**3, "5,000.0 GB", id="grouped"),
    ],
)
def test_format_size(size, text):
    assert format_size(size) == text


@pytest.mark.parametrize(
    ("target", "grouped", "text"),
    [
        pytest.param(50.0, False, "50", id="level"),
        pytest.param(99.95, False, "99.95", id="decimal-level"),
        pytest.param(16_000.0, False, "16000", id="large-level-plain"),
        pytest.param(16_000.0, True, "16,000", id="large-level-grouped"),
        pytest.param(Band(40.0, 60.5), False, "[40, 60.5]", id="band"),
        pytest.param(Band(10_000, 12_000), True, "[10,000, 12,000]", id="grouped-band"),
    ],
)
def test_format_target(target, grouped, text):
    assert format_target(target, grouped=grouped) == text


def test_format_band_is_the_bounds_in_brackets():
    assert format_band(99.9, 100.0) == "[99.9, 100]"


@pytest.mark.parametrize(
    ("bounds", "text"),
    [
        pytest.param([99.9, 100.0], "99.9, 100", id="band"),
        pytest.param([45.0], "45", id="one"),
        pytest.param([], "", id="none"),
    ],
)
def test_format_bounds(bounds, text):
    assert format_bounds(bounds) == text


@pytest.mark.parametrize(
    ("fraction", "whole", "text"),
    [
        pytest.param(0.0, 0, "0%", id="zero"),
        pytest.param(0.6996, 69, "69%", id="never-rounds-up-to-yellow"),
        pytest.param(0.7, 70, "70%", id="exact"),
        pytest.param(0.6999999999999998, 70, "70%", id="green-in-floating-point"),
        pytest.param(0.29, 29, "29%", id="not-28-in-floating-point"),
        pytest.param(0.6999999989, 69, "69%", id="yellow-at-9-places"),
        pytest.param(1.0, 100, "100%", id="full"),
        pytest.param(1.234, 123, "123%", id="over-full"),
        pytest.param(-0.05, -5, "-5%", id="negative"),
    ],
)
def test_percent(fraction, whole, text):
    assert percent_floor(fraction) == whole
    assert format_percent(fraction) == text


@pytest.mark.parametrize(
    ("score", "text"),
    [
        pytest.param(None, None, id="unscored"),
        pytest.param(0.0, "red", id="zero"),
        pytest.param(0.5, "yellow", id="half"),
        pytest.param(0.6996, "yellow", id="just-below-green"),
        pytest.param(0.7, "green", id="green"),
        pytest.param(1.0, "green", id="full"),
    ],
)
def test_grade_text(score, text):
    assert grade_text(score) == text


@pytest.mark.parametrize(
    ("rules", "text"),
    [
        pytest.param([3], "rule 3", id="one"),
        pytest.param([2, 1], "rules 1, 2", id="in-order"),
        pytest.param([1, 1], "rule 1", id="each-once"),
        pytest.param([3, 1, 2, 1], "rules 1, 2, 3", id="three"),
    ],
)
def test_format_rules(rules, text):
    assert format_rules(rules) == text


def _signal(rule: int, side: Side, *, favourable: bool) -> Signal:
    return Signal(rule, side, 0, 1, favourable=favourable)


def test_signal_groups_unfavourable_first_each_side_once():
    signals = [
        _signal(3, Side.ABOVE, favourable=True),
        _signal(2, Side.BELOW, favourable=False),
        _signal(1, Side.BELOW, favourable=False),
        _signal(1, Side.BELOW, favourable=False),
    ]
    assert signal_groups(signals) == [
        (False, "unfavourable: rules 1, 2 below"),
        (True, "favourable: rule 3 above"),
    ]


def test_signal_groups_none():
    assert signal_groups([]) == []


@pytest.mark.parametrize(
    ("signals", "text"),
    [
        pytest.param([], "", id="none"),
        pytest.param(
            [{"rule": 1, "side": "above", "favourable": True}],
            "",
            id="favourable-only",
        ),
        pytest.param(
            [{"rule": 2, "side": "below", "favourable": False}],
            "3 of the last 4 readings below the lower quartile line (rule 2)",
            id="one",
        ),
        pytest.param(
            [
                {"rule": 3, "side": "below", "favourable": False},
                {"rule": 1, "side": "below", "favourable": False},
                {"rule": 2, "side": "above", "favourable": False},
                {"rule": 4, "side": "above", "favourable": True},
            ],
            "latest reading below the lower natural process limit (rule 1); "
            "3 of the last 4 readings above the upper quartile line (rule 2); "
            "8 readings in a row below the process mean (rule 3)",
            id="both-sides",
        ),
    ],
)
def test_unfavourable_signals_text(signals, text):
    assert unfavourable_signals_text(signals) == text


def test_unfavourable_signal_reason():
    assert (
        unfavourable_signal_reason(_signal(2, Side.BELOW, favourable=False))
        == "unfavourable signal (rule 2, below)"
    )


def test_format_readings_counts_groups_each_count():
    assert (
        format_readings_counts(
            total=12_345, created=12_000, corrected=300, unchanged=45
        )
        == "12,345 readings: 12,000 new, 300 corrected, 45 unchanged"
    )


@pytest.mark.parametrize(
    ("final", "live", "restated"),
    [
        (0.35, 0.35, False),
        (0.7, 0.6999999999999998, False),  # the same once settled
        (0.35, 0.7, True),
        (None, None, False),
        (None, 0.5, True),
        (0.5, None, True),
    ],
)
def test_a_score_is_restated_when_it_differs_from_the_final_one(final, live, restated):
    assert score_restated(final, live) is restated


@pytest.mark.parametrize(
    ("final", "restatement", "text"),
    [
        (0.35, None, "final 35 %"),
        (
            0.35,
            (0.7, "nps corrected on 2026-11-30 by admin"),
            "final 35 % · restated 70 % (nps corrected on 2026-11-30 by admin)",
        ),
        (
            None,
            (1.0, "a late churn reading"),
            "final not scored · restated 100 % (a late churn reading)",
        ),
    ],
)
def test_a_frozen_score_shows_its_restatement_beside_it(final, restatement, text):
    assert format_frozen_score(final, restatement) == text
