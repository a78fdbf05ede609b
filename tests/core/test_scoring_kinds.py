"""The key-result kinds of issue 15, with hand-computed tables: cumulative KRs,
relative targets ("+10%") and change KRs into a band (docs/rules.md, "KR
scoring")."""

from datetime import date

import pytest

from drumbeat.core.display import format_key_result_target
from drumbeat.core.model import Band, Direction, KeyResultKind, Reading
from drumbeat.core.scoring import (
    band_gap,
    band_progress,
    key_result_score,
    parse_relative_target,
    relative_target_problem,
    relative_target_text,
    resolve_relative_target,
)
from tests.core.builders import cycle, key_result, kpi, readings_at

Q2 = cycle("2026-Q2", date(2026, 4, 1), date(2026, 6, 30))
CUMULATIVE = KeyResultKind.CUMULATIVE

NEW_LOGOS = kpi(
    "new_logos",
    readings=readings_at(
        [
            (date(2026, 3, 31), 9.0),  # before the cycle: not counted
            (date(2026, 4, 1), 4.0),  # on the cycle start: not counted
            (date(2026, 4, 30), 3.0),
            (date(2026, 5, 31), 5.0),
            (date(2026, 6, 30), 4.0),
            (date(2026, 7, 31), 6.0),  # after the cycle end: not counted
        ]
    ),
)


@pytest.mark.parametrize(
    ("as_of", "current", "progress"),
    [
        # Close 15 new logos: the sum of the readings in (Apr 1, as_of], from 0.
        (date(2026, 4, 15), None, None),
        (date(2026, 4, 30), 3.0, 3 / 15),
        (date(2026, 5, 31), 8.0, 8 / 15),
        (date(2026, 6, 30), 12.0, 12 / 15),
        (date(2026, 8, 15), 12.0, 12 / 15),
    ],
)
def test_cumulative_kr_adds_up_the_readings_in_the_cycle(as_of, current, progress):
    kr = key_result("new_logos", target=15.0, kind=CUMULATIVE)
    scored = key_result_score(kr, NEW_LOGOS, Q2, as_of)
    assert scored.baseline == 0.0
    assert (scored.current.value if scored.current else None) == current
    assert scored.progress == (None if progress is None else pytest.approx(progress))


def test_cumulative_kr_counts_up_to_its_deadline_and_is_dated_at_the_last_reading():
    kr = key_result(
        "new_logos", target=10.0, kind=CUMULATIVE, deadline=date(2026, 5, 31)
    )
    scored = key_result_score(kr, NEW_LOGOS, Q2, date(2026, 6, 30))
    assert scored.current == Reading(date(2026, 5, 31), 8.0)
    assert scored.progress == pytest.approx(0.8)


def test_cumulative_kr_with_a_baseline_is_scored_like_a_change():
    # 2 logos already counted elsewhere: (12 - 2) / (22 - 2) = 0.5
    kr = key_result("new_logos", target=22.0, kind=CUMULATIVE, baseline=2.0)
    scored = key_result_score(kr, NEW_LOGOS, Q2, date(2026, 6, 30))
    assert scored.progress == pytest.approx(0.5)


def test_cumulative_kr_beyond_its_target_scores_one():
    kr = key_result("new_logos", target=10.0, kind=CUMULATIVE)
    scored = key_result_score(kr, NEW_LOGOS, Q2, date(2026, 6, 30))
    assert scored.progress == pytest.approx(1.2)
    assert scored.score == 1.0


@pytest.mark.parametrize(
    ("text", "percent"),
    [
        ("+10%", 10.0),
        ("-25%", -25.0),
        (" +30 % ", 30.0),
        ("+2.5%", 2.5),
        ("10%", None),  # the sign says which way
        ("+10", None),
        ("ten percent", None),
        ("+-10%", None),
    ],
)
def test_parse_relative_target(text, percent):
    assert parse_relative_target(text) == percent


@pytest.mark.parametrize(
    ("baseline", "percent", "target"),
    [
        (15.0, 10.0, 16.5),  # seed 001: from 15 out of 20 to 16.5
        (1000.0, 30.0, 1300.0),  # seed 003: visitors +30 %
        (40.0, -25.0, 30.0),
        (-8.0, 50.0, -12.0),  # a percent of a negative baseline
        (3.0, 10.0, 3.3),  # 3.3000000000000003 in floating point
    ],
)
def test_resolve_relative_target(baseline, percent, target):
    assert resolve_relative_target(baseline, percent) == target


def test_relative_target_text_round_trips():
    for percent in (10.0, -25.0, 2.5, 0.0):
        assert parse_relative_target(relative_target_text(percent)) == percent
    assert relative_target_text(10.0) == "+10%"
    assert relative_target_text(-2.5) == "-2.5%"


def test_relative_target_problems_name_what_is_missing():
    assert relative_target_problem(15.0, KeyResultKind.CHANGE, "+10%") is None
    assert "needs a baseline" in (
        relative_target_problem(None, KeyResultKind.CHANGE, "+10%") or ""
    )
    assert "baseline of 0" in (
        relative_target_problem(0.0, KeyResultKind.CHANGE, "+10%") or ""
    )
    assert "only for a change KR" in (
        relative_target_problem(15.0, KeyResultKind.CUMULATIVE, "+10%") or ""
    )


def test_relative_target_problems_quote_what_was_written():
    assert relative_target_problem(15.0, KeyResultKind.SUSTAIN, "+5%") == (
        "a relative target (+5%) is only for a change KR; give one number"
    )
    assert (
        relative_target_problem(None, KeyResultKind.CHANGE, "-3%") or ""
    ).startswith("a relative target (-3%) needs a baseline")


def test_relative_target_is_shown_both_ways():
    assert format_key_result_target(16.5, 10.0) == "+10 % → 16.5"
    assert format_key_result_target(30.0, -25.0) == "-25 % → 30"
    assert format_key_result_target(16.5, None) == "16.5"


GUIDELINES = Band(90.0, 120.0)


@pytest.mark.parametrize(
    ("value", "gap"),
    [(80.0, 10.0), (90.0, 0.0), (105.0, 0.0), (120.0, 0.0), (140.0, 20.0)],
)
def test_band_gap(value, gap):
    assert band_gap(value, GUIDELINES) == gap


@pytest.mark.parametrize(
    ("baseline", "current", "progress"),
    [
        # From 140 down towards 120, the nearest edge: 20 to cover.
        (140.0, 140.0, 0.0),
        (140.0, 135.0, 0.25),
        (140.0, 125.0, 0.75),
        (140.0, 120.0, 1.0),  # on the edge: inside
        (140.0, 100.0, 1.0),
        (140.0, 150.0, -0.5),  # moved away
        (140.0, 85.0, 0.75),  # overshot the far edge by 5 of 20
        # From 70 up towards 90: 20 to cover.
        (70.0, 80.0, 0.5),
        # Already inside at the start: 1.0 inside, 0.0 outside.
        (100.0, 110.0, 1.0),
        (100.0, 125.0, 0.0),
        (None, 100.0, None),
        (140.0, None, None),
    ],
)
def test_band_progress(baseline, current, progress):
    assert band_progress(baseline, GUIDELINES, current) == pytest.approx(progress)


def test_change_kr_into_a_band_is_scored_from_the_kpi_readings():
    pressure = kpi(
        "blood_pressure",
        direction=Direction.RANGE,
        readings=readings_at(
            [
                (date(2026, 3, 15), 140.0),
                (date(2026, 4, 30), 130.0),
                (date(2026, 5, 31), 125.0),
            ]
        ),
    )
    kr = key_result("blood_pressure", target=GUIDELINES)
    scored = key_result_score(kr, pressure, Q2, date(2026, 5, 31))
    assert scored.baseline == 140.0
    assert scored.progress == pytest.approx(0.75)
    assert scored.score == pytest.approx(0.75)
