"""The operating rhythm: forecasts, the KPI review and the check-in agendas."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.core.display import signal_words
from drumbeat.core.forecast import forecast_progress, on_track
from drumbeat.core.health import assess_kpi
from drumbeat.core.model import (
    Cadence,
    CheckIn,
    Direction,
    KeyResultKind,
    Thresholds,
    Tier,
    Workspace,
)
from drumbeat.core.rhythm import (
    ReviewBucket,
    agenda_reasons,
    checkin_agenda,
    checkin_due,
    confidence_trend,
    exception_since,
    kpi_review,
    last_checkin,
    review_bucket,
    review_rank,
    stale_words,
)
from drumbeat.core.scoring import key_result_score
from tests.core.builders import (
    cycle,
    key_result,
    kpi,
    objective,
    readings_at,
    workspace,
)

Q2 = cycle()  # 2026-04-01 .. 2026-06-30: 90 days
APRIL_1 = dt.date(2026, 4, 1)


def _days(n: int) -> dt.date:
    return APRIL_1 + dt.timedelta(days=n)


# --- forecast -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reading_day", "value", "expected"),
    [
        pytest.param(30, 55.0, 1.5, id="half-way-there-after-a-third-of-the-time"),
        pytest.param(45, 55.0, 1.0, id="on-pace"),
        pytest.param(90, 55.0, 0.5, id="at-the-deadline-forecast-is-progress"),
        pytest.param(45, 45.0, -1.0, id="going-the-wrong-way"),
    ],
)
def test_forecast_change_kr_keeps_its_pace(reading_day, value, expected):
    measured = kpi(readings=readings_at([(APRIL_1, 50.0), (_days(reading_day), value)]))
    kr = key_result(target=60.0)
    scored = key_result_score(kr, measured, Q2, _days(reading_day))
    assert scored.progress is not None
    assert forecast_progress(kr, scored, Q2) == pytest.approx(expected)


def test_forecast_sustain_kr_is_its_share_so_far():
    measured = kpi(
        readings=readings_at([(_days(10), 99.9), (_days(20), 99.0), (_days(30), 99.95)])
    )
    kr = key_result(target=99.9, kind=KeyResultKind.SUSTAIN)
    scored = key_result_score(kr, measured, Q2, _days(40))
    assert forecast_progress(kr, scored, Q2) == pytest.approx(2 / 3)


def test_forecast_is_unknown_without_a_reading_in_the_cycle():
    measured = kpi(readings=readings_at([(APRIL_1, 50.0)]))
    kr = key_result(target=60.0)
    scored = key_result_score(kr, measured, Q2, _days(40))
    assert forecast_progress(kr, scored, Q2) is None
    assert on_track(None) is None


@pytest.mark.parametrize(
    ("forecast", "expected"), [(0.69, False), (0.7, True), (1.4, True)]
)
def test_on_track_from_the_green_band(forecast, expected):
    assert on_track(forecast) is expected


# --- KPI review -----------------------------------------------------------------

GREEN_RED = Thresholds(green=45, red=30)


def _review_kpi(key: str, value: float, **fields):
    fields.setdefault("thresholds", GREEN_RED)
    return kpi(key, readings=readings_at([(_days(-3), value)]), **fields)


def test_review_lists_exceptions_worst_first_and_the_rest_in_one_line():
    ws = workspace(
        [
            _review_kpi("fine", 50),
            _review_kpi("amber-key", 40, tier=Tier.KEY),
            _review_kpi("red", 20, owner="Ana"),
            _review_kpi("amber", 40),
            _review_kpi("stale", 50, cadence=Cadence.DAILY),
            _review_kpi("amber-north-star", 40, north_star=True),
        ]
    )
    review = kpi_review(ws, APRIL_1)
    assert [i.status.assessment.kpi.key for i in review.exceptions] == [
        "red",
        "amber-north-star",
        "amber-key",
        "amber",
        "stale",
    ]
    assert review.exceptions[0].owner == "Ana"
    assert review.exceptions[0].reasons == ("red",)
    assert review.exceptions[-1].reasons == ("stale",)
    assert [s.assessment.kpi.key for s in review.on_track] == ["fine"]


def test_review_names_an_unfavourable_signal():
    # Twenty steady readings, then a drop far below the lower limit.
    values = [50.0, 51.0] * 10 + [40.0]
    dropping = kpi("dropping", values=values, thresholds=Thresholds(green=30, red=10))
    as_of = dropping.readings[-1].day
    [item] = kpi_review(workspace([dropping]), as_of).exceptions
    assert item.reasons == ("amber", "unfavourable signal (rule 1, below)")


@pytest.mark.parametrize(
    ("health", "signal", "stale", "expected"),
    [
        ("red", False, True, ReviewBucket.RED),
        ("red", True, False, ReviewBucket.RED),
        ("amber", True, False, ReviewBucket.SIGNAL),
        ("unknown", True, False, ReviewBucket.SIGNAL),
        ("amber", False, True, ReviewBucket.AMBER),
        ("green", False, True, ReviewBucket.STALE),
        ("unknown", False, True, ReviewBucket.STALE),
        ("green", False, False, None),
        ("unknown", False, False, None),
    ],
)
def test_review_bucket_takes_red_then_signal_then_amber_then_stale(
    health, signal, stale, expected
):
    assert review_bucket(health, unfavourable_signal=signal, stale=stale) == expected


def test_review_rank_puts_the_bucket_before_the_tier():
    red_secondary = review_rank(ReviewBucket.RED, north_star=False, tier="secondary")
    amber_key = review_rank(ReviewBucket.AMBER, north_star=True, tier="key")
    red_key = review_rank(ReviewBucket.RED, north_star=False, tier="key")
    assert sorted([amber_key, red_secondary, red_key]) == [
        red_key,
        red_secondary,
        amber_key,
    ]


@pytest.mark.parametrize(
    ("rule", "side", "words"),
    [
        (1, "below", "latest reading below the lower natural process limit"),
        (1, "above", "latest reading above the upper natural process limit"),
        (2, "below", "3 of the last 4 readings below the lower quartile line"),
        (3, "above", "8 readings in a row above the process mean"),
    ],
)
def test_signal_words(rule, side, words):
    assert signal_words(rule, side) == words


def test_stale_words_count_the_days_since_the_last_reading():
    on = dt.date(2026, 11, 25)
    assert stale_words("weekly", dt.date(2026, 11, 2), on) == (
        "no reading for 23 days; weekly KPI"
    )
    assert stale_words("daily", dt.date(2026, 11, 24), on) == (
        "no reading for 1 day; daily KPI"
    )
    assert stale_words("monthly", None, on) == "no reading yet; monthly KPI"


def test_a_red_kpi_is_red_since_the_first_reading_of_its_red_run():
    dropping = kpi(
        readings=readings_at(
            [(_days(0), 20.0), (_days(7), 50.0), (_days(14), 25.0), (_days(21), 20.0)]
        ),
        thresholds=GREEN_RED,
    )
    assessment = assess_kpi(dropping, _days(22))
    assert exception_since(assessment) == _days(14)
    assert agenda_reasons(assessment) == ("red on its thresholds: latest reading 20",)


def test_an_amber_kpi_from_a_signal_is_amber_since_the_signal_began():
    values = [50.0, 51.0] * 10 + [40.0]
    dropping = kpi("dropping", values=values, thresholds=Thresholds(green=30, red=10))
    assessment = assess_kpi(dropping, dropping.readings[-1].day)
    assert exception_since(assessment) == dropping.readings[-1].day
    assert agenda_reasons(assessment) == (
        "latest reading below the lower natural process limit",
        "a sudden jump down to the latest reading, above the upper range limit",
    )


def test_a_stale_kpi_is_stale_since_its_last_reading():
    old = kpi(
        readings=readings_at([(_days(0), 50.0)]),
        thresholds=GREEN_RED,
        cadence=Cadence.WEEKLY,
    )
    assessment = assess_kpi(old, _days(23))
    assert exception_since(assessment) == _days(0)
    assert agenda_reasons(assessment) == ("no reading for 23 days; weekly KPI",)


# --- check-in agenda ------------------------------------------------------------


def _checked(confidence: float, day: int = 20, **fields) -> CheckIn:
    return CheckIn(at=_days(day), by="Ana", confidence=confidence, **fields)


def test_last_checkin_is_the_latest_up_to_the_date():
    kr = key_result(checkins=(_checked(0.2, day=5), _checked(0.9, day=20)))
    assert last_checkin(kr, _days(10)) == _checked(0.2, day=5)
    assert last_checkin(kr, _days(30)) == _checked(0.9, day=20)
    assert last_checkin(kr, _days(1)) is None


def test_checkin_agenda_puts_low_confidence_and_off_track_first():
    steady = kpi("steady", readings=readings_at([(APRIL_1, 50.0), (_days(45), 55.0)]))
    slow = kpi("slow", readings=readings_at([(APRIL_1, 50.0), (_days(45), 51.0)]))
    ws = workspace(
        [steady, slow],
        [Q2],
        [
            objective(
                key_result("steady", 60.0, key="confident", checkins=(_checked(0.9),)),
                key_result("slow", 60.0, key="off-track", checkins=(_checked(0.8),)),
                key_result(
                    "steady",
                    60.0,
                    key="worried",
                    checkins=(_checked(0.3, blockers="No budget"),),
                ),
            )
        ],
    )
    agenda = checkin_agenda(ws, _days(50))
    assert [item.key_result.key for item in agenda] == [
        "worried",
        "off-track",
        "confident",
    ]
    worried, off_track, confident = agenda
    assert worried.low_confidence
    assert worried.last_checkin is not None
    assert worried.last_checkin.blockers == "No budget"
    assert off_track.on_track is False
    assert off_track.forecast == pytest.approx(0.2)
    assert confident.needs_attention is False
    assert confident.days_left == 40


def _now_and_next() -> Workspace:
    """Objective `now` in Q2 and `next` in 2026-Q3."""
    measured = kpi(readings=readings_at([(APRIL_1, 50.0)]), direction=Direction.UP)
    later = cycle("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    return workspace(
        [measured],
        [Q2, later],
        [
            objective(key_result(), key="now"),
            objective(key_result(), key="next", cycle="2026-Q3"),
        ],
    )


def test_checkin_agenda_covers_only_active_cycles():
    ws = _now_and_next()
    assert [i.objective.key for i in checkin_agenda(ws, _days(10))] == ["now"]


def test_checkin_is_due_after_a_week_without_one():
    kr = key_result(checkins=(_checked(0.8, day=20),))
    assert checkin_due(kr, _days(26)) is False
    assert checkin_due(kr, _days(27)) is True
    assert checkin_due(key_result(), _days(1)) is True


def test_checkin_agenda_puts_krs_with_no_checkin_for_a_week_after_the_worried():
    steady = kpi("steady", readings=readings_at([(APRIL_1, 50.0), (_days(45), 55.0)]))
    ws = workspace(
        [steady],
        [Q2],
        [
            objective(
                key_result("steady", 60.0, key="fresh", checkins=(_checked(0.9, 48),)),
                key_result("steady", 60.0, key="quiet", checkins=(_checked(0.9, 40),)),
                key_result(
                    "steady", 60.0, key="worried", checkins=(_checked(0.3, 49),)
                ),
            )
        ],
    )
    agenda = checkin_agenda(ws, _days(50))
    assert [item.key_result.key for item in agenda] == ["worried", "quiet", "fresh"]
    assert [item.checkin_due for item in agenda] == [False, True, False]


def test_checkin_agenda_of_a_chosen_cycle_even_when_not_active():
    ws = _now_and_next()
    agenda = checkin_agenda(ws, _days(10), cycles=["2026-Q3"])
    assert [i.objective.key for i in agenda] == ["next"]


@pytest.mark.parametrize(
    ("confidences", "trend"),
    [
        ((), None),
        ((0.5,), None),
        ((0.5, 0.5), None),
        ((0.2, 0.5), "up"),
        ((0.9, 0.7, 0.8), "up"),
        ((0.8, 0.4), "down"),
    ],
)
def test_confidence_trend_compares_the_last_two_confidences(confidences, trend):
    checkins = [_checked(c, day=i) for i, c in enumerate(confidences)]
    assert confidence_trend(checkins) == trend


def test_an_agenda_items_trend_is_up_to_its_last_checkin():
    kr = key_result(
        checkins=(_checked(0.4, day=5), _checked(0.6, day=9), _checked(0.1, day=30))
    )
    ws = workspace(
        [kpi(readings=readings_at([(APRIL_1, 50.0)]))], [Q2], [objective(kr)]
    )
    assert checkin_agenda(ws, _days(10))[0].trend == "up"
    assert checkin_agenda(ws, _days(31))[0].trend == "down"
