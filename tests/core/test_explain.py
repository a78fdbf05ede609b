"""A KPI's health in words, from the values its stored status holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from drumbeat.core.explain import (
    HealthExplanation,
    health_explanation,
    thresholds_from_plain,
)
from drumbeat.core.model import Band, Thresholds

AS_OF = dt.date(2026, 11, 25)
UP = {"green": 90, "red": 80}
DOWN = {"green": 1.5, "red": 2}
RANGE = {"green": [40, 60], "amber": [30, 70]}
RULE_2_BELOW = {"rule": 2, "side": "below", "favourable": False}


def explained(**given: Any) -> HealthExplanation:
    fields: dict[str, Any] = {
        "direction": "up",
        "thresholds": thresholds_from_plain(UP),
        "latest_day": AS_OF,
        "as_of": AS_OF,
        "stale": False,
        "cadence": "weekly",
        "signals": (),
        "unit": "",
    }
    fields.update(given)
    if isinstance(fields["thresholds"], dict):
        fields["thresholds"] = thresholds_from_plain(fields["thresholds"])
    return health_explanation(**fields)


@pytest.mark.parametrize(
    ("given", "sentence"),
    [
        pytest.param(
            {"health": "unknown", "threshold_health": "unknown", "latest_value": None},
            "Unknown: no readings yet",
            id="no-reading",
        ),
        pytest.param(
            {
                "health": "unknown",
                "threshold_health": "unknown",
                "latest_value": 41,
                "thresholds": {},
                "unit": "percent",
            },
            "Unknown: no thresholds to judge 41 percent against",
            id="no-thresholds",
        ),
        pytest.param(
            {"health": "green", "threshold_health": "green", "latest_value": 92},
            "Green: 92 is at or above the green threshold of 90",
            id="up-green",
        ),
        pytest.param(
            {"health": "red", "threshold_health": "red", "latest_value": 41},
            "Red: 41 is at or below the red threshold of 80",
            id="up-red",
        ),
        pytest.param(
            {"health": "amber", "threshold_health": "amber", "latest_value": 85},
            "Amber: 85 is between the red threshold of 80 and the green threshold "
            "of 90",
            id="up-amber",
        ),
        pytest.param(
            {
                "health": "red",
                "threshold_health": "red",
                "latest_value": 2.5,
                "direction": "down",
                "thresholds": DOWN,
                "unit": "percent",
            },
            "Red: 2.5 percent is at or above the red threshold of 2",
            id="down-red",
        ),
        pytest.param(
            {
                "health": "green",
                "threshold_health": "green",
                "latest_value": 1.2,
                "direction": "down",
                "thresholds": DOWN,
            },
            "Green: 1.2 is at or below the green threshold of 1.5",
            id="down-green",
        ),
        pytest.param(
            {
                "health": "amber",
                "threshold_health": "amber",
                "latest_value": 95,
                "thresholds": {"green": 100},
            },
            "Amber: 95 is below the green threshold of 100",
            id="up-amber-green-only",
        ),
        pytest.param(
            {
                "health": "green",
                "threshold_health": "green",
                "latest_value": 50,
                "direction": "range",
                "thresholds": RANGE,
            },
            "Green: 50 is inside the green band [40, 60]",
            id="range-green",
        ),
        pytest.param(
            {
                "health": "amber",
                "threshold_health": "amber",
                "latest_value": 65,
                "direction": "range",
                "thresholds": RANGE,
            },
            "Amber: 65 is outside the green band [40, 60] but inside the amber "
            "band [30, 70]",
            id="range-amber",
        ),
        pytest.param(
            {
                "health": "red",
                "threshold_health": "red",
                "latest_value": 75,
                "direction": "range",
                "thresholds": RANGE,
            },
            "Red: 75 is outside the amber band [30, 70]",
            id="range-red",
        ),
        pytest.param(
            {
                "health": "amber",
                "threshold_health": "green",
                "latest_value": 91.2,
                "signals": [RULE_2_BELOW],
                "unit": "percent",
            },
            "Amber: green by its thresholds (91.2 percent is at or above the green "
            "threshold of 90), but 3 of the last 4 readings are below the lower "
            "quartile line (rule 2)",
            id="amber-from-a-signal",
        ),
        pytest.param(
            {
                "health": "amber",
                "threshold_health": "green",
                "latest_value": 91,
                "signals": [
                    {"rule": 3, "side": "below", "favourable": False},
                    RULE_2_BELOW,
                    {"rule": 3, "side": "below", "favourable": False},
                ],
            },
            "Amber: green by its thresholds (91 is at or above the green threshold "
            "of 90), but 3 of the last 4 readings are below the lower quartile line "
            "(rule 2) and the last 8 readings are below the process mean (rule 3)",
            id="amber-from-two-signals-each-once",
        ),
        pytest.param(
            {
                "health": "red",
                "threshold_health": "red",
                "latest_value": 70,
                "signals": [{"rule": 1, "side": "below", "favourable": False}],
            },
            "Red: 70 is at or below the red threshold of 80; unfavourable signal: "
            "the latest reading is below the lower natural process limit (rule 1)",
            id="red-with-a-signal",
        ),
        pytest.param(
            {
                "health": "green",
                "threshold_health": "green",
                "latest_value": 99,
                "signals": [{"rule": 1, "side": "above", "favourable": True}],
            },
            "Green: 99 is at or above the green threshold of 90; favourable signal: "
            "the latest reading is above the upper natural process limit (rule 1)",
            id="favourable-signal",
        ),
        pytest.param(
            {
                "health": "unknown",
                "threshold_health": "unknown",
                "latest_value": 12,
                "thresholds": {},
                "signals": [{"rule": 3, "side": "above", "favourable": False}],
            },
            "Unknown: no thresholds to judge 12 against, but the last 8 readings "
            "are above the process mean (rule 3)",
            id="no-thresholds-with-a-signal",
        ),
        pytest.param(
            {
                "health": "amber",
                "threshold_health": "amber",
                "latest_value": 85,
                "stale": True,
                "latest_day": AS_OF - dt.timedelta(days=54),
            },
            "Amber: 85 is between the red threshold of 80 and the green threshold "
            "of 90. Stale: the latest reading is 54 days old for a weekly KPI "
            "(stale after 10.5 days)",
            id="stale",
        ),
        pytest.param(
            {
                "health": "unknown",
                "threshold_health": "unknown",
                "latest_value": None,
                "latest_day": None,
                "stale": True,
                "cadence": "monthly",
            },
            "Unknown: no readings yet. Stale: no reading yet for a monthly KPI",
            id="stale-without-a-reading",
        ),
    ],
)
def test_health_explanation_says_why(given, sentence):
    assert explained(**given).sentence == sentence


def test_the_short_line_of_a_demoted_kpi_names_the_signal():
    why = explained(
        health="amber",
        threshold_health="green",
        latest_value=91.2,
        signals=[RULE_2_BELOW],
    )
    assert why.short == (
        "Amber: green by its thresholds, but 3 of the last 4 readings are below "
        "the lower quartile line (rule 2)"
    )


def test_the_short_line_of_a_kpi_demoted_by_two_rules_names_the_second():
    why = explained(
        health="amber",
        threshold_health="green",
        latest_value=91.2,
        signals=[{"rule": 3, "side": "below", "favourable": False}, RULE_2_BELOW],
    )
    assert why.short == (
        "Amber: green by its thresholds, but 3 of the last 4 readings are below "
        "the lower quartile line (rule 2); also rule 3"
    )


def test_three_signals_read_as_a_list():
    why = explained(
        health="red",
        threshold_health="red",
        latest_value=70,
        signals=[
            {"rule": rule, "side": "below", "favourable": False} for rule in (1, 2, 3)
        ],
    )
    assert why.sentence.endswith(
        "unfavourable signal: the latest reading is below the lower natural process "
        "limit (rule 1), 3 of the last 4 readings are below the lower quartile line "
        "(rule 2) and the last 8 readings are below the process mean (rule 3)"
    )


def test_between_the_thresholds_of_a_down_kpi_reads_from_low_to_high():
    why = explained(
        health="amber",
        threshold_health="amber",
        latest_value=1.8,
        direction="down",
        thresholds=DOWN,
    )
    assert why.sentence == (
        "Amber: 1.8 is between the green threshold of 1.5 and the red threshold of 2"
    )


def test_the_short_line_of_a_stale_kpi_says_so():
    why = explained(
        health="red",
        threshold_health="red",
        latest_value=41,
        stale=True,
        latest_day=AS_OF - dt.timedelta(days=30),
    )
    assert why.short == "Red: 41 is at or below the red threshold of 80 (stale)"


@pytest.mark.parametrize(
    ("plain", "thresholds"),
    [
        ({}, Thresholds()),
        (None, Thresholds()),
        ({"green": 90, "red": 80}, Thresholds(green=90.0, red=80.0)),
        (
            {"green": [40, 60], "amber": [30, 70]},
            Thresholds(green=Band(40, 60), amber=Band(30, 70)),
        ),
    ],
)
def test_thresholds_from_plain(plain, thresholds):
    assert thresholds_from_plain(plain) == thresholds


def test_the_short_line_names_the_rules_of_an_unfavourable_signal_beside_red():
    why = explained(
        health="red",
        threshold_health="red",
        latest_value=70,
        signals=[{"rule": 1, "side": "below", "favourable": False}],
    )
    assert why.short == (
        "Red: 70 is at or below the red threshold of 80; unfavourable signal (rule 1)"
    )
