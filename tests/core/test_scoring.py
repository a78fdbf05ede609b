"""KR and objective scoring: baseline, current value, change and sustain KRs,
objective score, grade bands and outcome at close (docs/rules.md, "KR scoring")."""

from datetime import date, datetime

import pytest

from drumbeat.core.model import (
    Band,
    Commitment,
    Direction,
    Grade,
    KeyResultKind,
    Reading,
)
from drumbeat.core.scoring import (
    KeyResultScore,
    Outcome,
    grade,
    key_result_score,
    objective_outcome,
    objective_score,
)
from tests.core.builders import cycle, key_result, kpi, objective, readings_at

Q2 = cycle("2026-Q2", date(2026, 4, 1), date(2026, 6, 30))
SUSTAIN = KeyResultKind.SUSTAIN


def test_baseline_default_is_latest_reading_on_or_before_cycle_start():
    """A reading dated on the cycle start is the baseline, not the current value."""
    nps = kpi(
        readings=readings_at(
            [
                (date(2026, 3, 1), 10.0),
                (date(2026, 3, 25), 12.0),
                (date(2026, 4, 1), 14.0),
                (date(2026, 4, 8), 16.0),
            ]
        )
    )
    scored = key_result_score(key_result(target=24.0), nps, Q2, date(2026, 5, 1))
    assert scored.baseline == 14.0
    assert scored.current == Reading(date(2026, 4, 8), 16.0)
    assert scored.progress == pytest.approx(0.2)


def test_baseline_default_counts_a_timestamp_on_the_cycle_start_day():
    nps = kpi(
        readings=(
            Reading(datetime(2026, 3, 20, 9, 0), 10.0),
            Reading(datetime(2026, 4, 1, 17, 30), 12.0),
            Reading(datetime(2026, 4, 2, 8, 0), 13.0),
        )
    )
    scored = key_result_score(key_result(target=16.0), nps, Q2, date(2026, 5, 1))
    assert scored.baseline == 12.0
    assert scored.current is not None
    assert scored.current.value == 13.0
    assert scored.progress == pytest.approx(0.25)


def test_baseline_given_on_the_key_result_wins_over_readings():
    nps = kpi(
        readings=readings_at([(date(2026, 3, 25), 12.0), (date(2026, 4, 8), 30.0)])
    )
    scored = key_result_score(
        key_result(target=40.0, baseline=20.0), nps, Q2, date(2026, 5, 1)
    )
    assert scored.baseline == 20.0
    assert scored.progress == pytest.approx(0.5)


def test_baseline_missing_leaves_progress_and_score_null():
    """No given baseline and no reading up to the cycle start: nothing to measure."""
    nps = kpi(readings=readings_at([(date(2026, 4, 8), 30.0)]))
    scored = key_result_score(key_result(target=40.0), nps, Q2, date(2026, 5, 1))
    assert scored.baseline is None
    assert scored.current == Reading(date(2026, 4, 8), 30.0)
    assert (scored.progress, scored.score) == (None, None)


def test_current_missing_when_only_reading_is_on_the_cycle_start():
    nps = kpi(
        readings=readings_at([(date(2026, 3, 25), 12.0), (date(2026, 4, 1), 14.0)])
    )
    scored = key_result_score(key_result(target=20.0), nps, Q2, date(2026, 5, 1))
    assert scored.baseline == 14.0
    assert (scored.current, scored.progress, scored.score) == (None, None, None)


def test_current_missing_when_no_reading_yet_in_the_cycle():
    nps = kpi(
        readings=readings_at([(date(2026, 3, 25), 10.0), (date(2026, 4, 20), 15.0)])
    )
    scored = key_result_score(key_result(target=20.0), nps, Q2, date(2026, 4, 19))
    assert (scored.current, scored.progress, scored.score) == (None, None, None)
    assert scored.grade is None


SCORING_READINGS = readings_at(
    [
        (date(2026, 3, 25), 10.0),
        (date(2026, 4, 8), 12.0),
        (date(2026, 4, 15), 14.0),
        (date(2026, 5, 6), 16.0),
        (date(2026, 6, 30), 18.0),
        (date(2026, 7, 10), 20.0),
    ]
)


@pytest.mark.parametrize(
    ("as_of", "deadline", "expected_current"),
    [
        pytest.param(date(2026, 4, 14), None, 12.0, id="reading-after-as-of-ignored"),
        pytest.param(date(2026, 4, 15), None, 14.0, id="reading-on-as-of-counts"),
        pytest.param(
            date(2026, 6, 1), date(2026, 4, 30), 14.0, id="reading-after-deadline"
        ),
        pytest.param(
            date(2026, 6, 1), date(2026, 5, 6), 16.0, id="reading-on-deadline-counts"
        ),
        pytest.param(
            date(2026, 4, 20), date(2026, 5, 6), 14.0, id="as-of-before-deadline"
        ),
        pytest.param(date(2026, 8, 1), None, 18.0, id="deadline-defaults-to-cycle-end"),
    ],
)
def test_current_is_latest_reading_up_to_min_of_as_of_and_deadline(
    as_of, deadline, expected_current
):
    nps = kpi(readings=SCORING_READINGS)
    scored = key_result_score(
        key_result(target=20.0, deadline=deadline), nps, Q2, as_of
    )
    assert scored.current is not None
    assert scored.current.value == expected_current
    assert scored.progress == pytest.approx((expected_current - 10.0) / 10.0)


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "current", "progress", "score"),
    [
        pytest.param(Direction.UP, 10.0, 20.0, 15.0, 0.5, 0.5, id="up-halfway"),
        pytest.param(Direction.UP, 10.0, 20.0, 20.0, 1.0, 1.0, id="up-at-target"),
        pytest.param(Direction.UP, 10.0, 20.0, 25.0, 1.5, 1.0, id="up-overshoot"),
        pytest.param(Direction.UP, 10.0, 20.0, 10.0, 0.0, 0.0, id="up-no-move"),
        pytest.param(Direction.UP, 10.0, 20.0, 5.0, -0.5, 0.0, id="up-wrong-way"),
        pytest.param(Direction.DOWN, 8.0, 4.0, 5.0, 0.75, 0.75, id="down-progress"),
        pytest.param(Direction.DOWN, 8.0, 4.0, 2.0, 1.5, 1.0, id="down-overshoot"),
        pytest.param(Direction.DOWN, 8.0, 4.0, 10.0, -0.5, 0.0, id="down-wrong-way"),
    ],
)
def test_change_progress_is_unclipped_and_score_is_clamped(
    direction, baseline, target, current, progress, score
):
    churn = kpi(
        direction=direction,
        readings=readings_at(
            [(date(2026, 3, 30), baseline), (date(2026, 5, 1), current)]
        ),
    )
    scored = key_result_score(key_result(target=target), churn, Q2, date(2026, 6, 1))
    assert scored.progress == pytest.approx(progress)
    assert scored.score == pytest.approx(score)


def test_change_progress_null_when_target_equals_baseline():
    nps = kpi(
        readings=readings_at([(date(2026, 3, 30), 40.0), (date(2026, 5, 1), 45.0)])
    )
    scored = key_result_score(key_result(target=40.0), nps, Q2, date(2026, 6, 1))
    assert scored.current is not None
    assert (scored.progress, scored.score) == (None, None)


def test_change_score_without_a_kpi_is_null():
    scored = key_result_score(
        key_result(kpi="missing", target=40.0, baseline=10.0),
        None,
        Q2,
        date(2026, 5, 1),
    )
    assert (scored.baseline, scored.current, scored.score) == (10.0, None, None)


SUSTAIN_WINDOW = [
    date(2026, 4, 8),
    date(2026, 4, 15),
    date(2026, 4, 22),
    date(2026, 4, 29),
    date(2026, 5, 6),
]


@pytest.mark.parametrize(
    ("direction", "target", "values", "share"),
    [
        pytest.param(
            Direction.UP,
            99.9,
            [99.95, 99.8, 99.9, 100.0, 99.0],
            0.6,
            id="up-at-or-above",
        ),
        pytest.param(
            Direction.DOWN, 200.0, [150.0, 200.0, 250.0, 199.0, 201.0], 0.6, id="down"
        ),
        pytest.param(
            Direction.RANGE,
            Band(40.0, 60.0),
            [40.0, 60.0, 39.9, 60.1, 50.0],
            0.6,
            id="range-band-inclusive",
        ),
        pytest.param(Direction.UP, 10.0, [10.0] * 5, 1.0, id="all-met"),
        pytest.param(Direction.UP, 10.0, [9.0] * 5, 0.0, id="none-met"),
    ],
)
def test_sustain_score_is_share_of_readings_meeting_target(
    direction, target, values, share
):
    uptime = kpi(
        direction=direction,
        readings=readings_at(zip(SUSTAIN_WINDOW, values, strict=True)),
    )
    scored = key_result_score(
        key_result(target=target, kind=SUSTAIN), uptime, Q2, date(2026, 6, 1)
    )
    assert scored.progress == pytest.approx(share)
    assert scored.score == pytest.approx(share)


def test_sustain_window_is_after_start_up_to_min_of_as_of_and_deadline():
    """Only readings in (start, min(as_of, deadline)] count; others never do."""
    uptime = kpi(
        readings=readings_at(
            [
                (date(2026, 4, 1), 0.0),  # on the cycle start: excluded
                (date(2026, 4, 8), 100.0),
                (date(2026, 4, 15), 0.0),
                (date(2026, 4, 22), 100.0),
                (date(2026, 4, 29), 100.0),  # on the deadline: included
                (date(2026, 5, 6), 0.0),  # after the deadline: excluded
            ]
        )
    )
    kr = key_result(target=99.0, kind=SUSTAIN, deadline=date(2026, 4, 29))
    assert key_result_score(kr, uptime, Q2, date(2026, 6, 1)).score == 0.75
    assert key_result_score(kr, uptime, Q2, date(2026, 4, 21)).score == 0.5


def test_sustain_score_null_without_readings_in_the_window():
    uptime = kpi(readings=readings_at([(date(2026, 4, 1), 100.0)]))
    scored = key_result_score(
        key_result(target=99.0, kind=SUSTAIN), uptime, Q2, date(2026, 5, 1)
    )
    assert (scored.progress, scored.score) == (None, None)


def scored(score: float | None, weight: float = 1.0) -> KeyResultScore:
    return KeyResultScore(
        key="kr",
        kpi="nps",
        kind=KeyResultKind.CHANGE,
        baseline=0.0,
        target=1.0,
        current=None,
        progress=score,
        score=score,
        weight=weight,
    )


@pytest.mark.parametrize(
    ("key_results", "expected"),
    [
        pytest.param([scored(0.5), scored(1.0)], 0.75, id="equal-weights"),
        pytest.param([scored(1.0, 1), scored(0.4, 3)], 0.55, id="weighted"),
        pytest.param([scored(0.5), scored(None, 5)], 0.5, id="null-scores-ignored"),
        pytest.param([scored(0.0), scored(0.0)], 0.0, id="all-zero"),
        pytest.param([scored(None), scored(None)], None, id="all-null"),
        pytest.param([], None, id="no-key-results"),
    ],
)
def test_objective_score_is_weighted_mean_of_non_null_scores(key_results, expected):
    assert objective_score(key_results) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        pytest.param(0.0, Grade.RED, id="zero"),
        pytest.param(0.399, Grade.RED, id="just-below-0.4"),
        pytest.param(0.4, Grade.YELLOW, id="exactly-0.4"),
        pytest.param(0.699, Grade.YELLOW, id="just-below-0.7"),
        pytest.param(0.7, Grade.GREEN, id="exactly-0.7"),
        pytest.param(1.0, Grade.GREEN, id="one"),
        pytest.param(None, None, id="null"),
    ],
)
def test_grade_bands(score, expected):
    assert grade(score) is expected


def test_a_score_a_hair_below_a_boundary_in_floating_point_reaches_it():
    """18 → 26.4 of 30 is 0.7 exactly, though floating point makes it
    0.6999999999999998: scores meet grade boundaries at 9 decimal places."""
    nps = kpi(readings=readings_at([(date(2026, 4, 10), 26.4)]))
    scored_kr = key_result_score(
        key_result(baseline=18.0, target=30.0), nps, Q2, date(2026, 5, 1)
    )
    assert scored_kr.score is not None
    assert scored_kr.score < 0.7  # what floating point gives
    assert scored_kr.grade is Grade.GREEN
    assert grade(0.39999999999999997) is Grade.YELLOW
    assert grade(0.6999999989) is Grade.YELLOW  # a real difference at 9 places


def test_grade_of_key_result_score_follows_its_score():
    assert scored(0.4).grade is Grade.YELLOW


COMMITTED = Commitment.COMMITTED
ASPIRATIONAL = Commitment.ASPIRATIONAL
AFTER_CLOSE = date(2026, 7, 1)


@pytest.mark.parametrize(
    ("commitment", "score", "as_of", "expected"),
    [
        pytest.param(COMMITTED, 1.0, AFTER_CLOSE, Outcome.MET, id="committed-met"),
        pytest.param(
            COMMITTED, 0.99, AFTER_CLOSE, Outcome.MISSED, id="committed-below-1"
        ),
        pytest.param(
            ASPIRATIONAL, 0.7, AFTER_CLOSE, Outcome.SUCCESS, id="aspirational-at-0.7"
        ),
        pytest.param(
            ASPIRATIONAL, 0.69, AFTER_CLOSE, Outcome.FELL_SHORT, id="aspirational-0.69"
        ),
        pytest.param(COMMITTED, 1.0, date(2026, 6, 30), None, id="open-on-last-day"),
        pytest.param(ASPIRATIONAL, 0.9, date(2026, 5, 1), None, id="open-mid-cycle"),
        pytest.param(COMMITTED, None, AFTER_CLOSE, None, id="closed-unscored"),
    ],
)
def test_objective_outcome_at_close(commitment, score, as_of, expected):
    goal = objective(commitment=commitment)
    assert objective_outcome(goal, score, Q2, as_of) is expected


@pytest.mark.parametrize(
    ("commitment", "score", "expected"),
    [
        pytest.param(COMMITTED, 0.9999999999999998, Outcome.MET, id="committed"),
        pytest.param(
            ASPIRATIONAL, 0.6999999999999998, Outcome.SUCCESS, id="aspirational"
        ),
    ],
)
def test_an_outcome_is_judged_at_9_decimal_places(commitment, score, expected):
    goal = objective(commitment=commitment)
    assert objective_outcome(goal, score, Q2, AFTER_CLOSE) is expected


def test_score_after_close_ignores_later_readings():
    """Once the cycle is over, readings after its end never change the score."""
    nps = kpi(readings=SCORING_READINGS)
    kr = key_result(target=20.0)
    at_close = key_result_score(kr, nps, Q2, date(2026, 7, 1))
    later = key_result_score(kr, nps, Q2, date(2027, 1, 1))
    assert at_close == later
    assert later.score == pytest.approx(0.8)
