"""Confidence calibration: hand-computed cases (docs/calibration.md)."""

import pytest

from drumbeat.core.calibration import (
    CheckInConfidence,
    Statement,
    TooFewResolved,
    Verdict,
    band_index,
    brier_score,
    calibration,
    reliability,
    statements,
    verdict,
)


def said(*pairs: tuple[float, bool]) -> list[Statement]:
    return [
        Statement(f"kr{i}", "ana", confidence, hit)
        for i, (confidence, hit) in enumerate(pairs)
    ]


def test_each_person_s_word_on_a_kr_is_the_mean_of_their_confidences():
    check_ins = [
        CheckInConfidence("a", "ana", 0.9),
        CheckInConfidence("a", "ana", 0.5),
        CheckInConfidence("a", "bo", 0.4),
        CheckInConfidence("b", "ana", 0.6),
        CheckInConfidence("open", "ana", 0.8),  # not resolved: left out
    ]
    found = statements(check_ins, {"a": True, "b": False})
    assert [(s.key_result, s.person, round(s.confidence, 9), s.hit) for s in found] == [
        ("a", "ana", 0.7, True),
        ("a", "bo", 0.4, True),
        ("b", "ana", 0.6, False),
    ]


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([(1.0, True), (0.0, False)], 0.0),
        ([(0.5, True), (0.5, False)], 0.25),
        ([(0.8, False)], 0.64),
        # (0.2)² + (0.6)² + (0.3)² = 0.04 + 0.36 + 0.09 = 0.49; / 3
        ([(0.8, True), (0.6, False), (0.7, True)], 0.49 / 3),
    ],
)
def test_brier_score(pairs, expected):
    assert brier_score(said(*pairs)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("confidence", "band"),
    [(0.0, 0), (0.19, 0), (0.2, 1), (0.5, 2), (0.6, 3), (0.79, 3), (0.8, 4), (1.0, 4)],
)
def test_a_band_holds_its_lower_edge_and_the_last_one_1(confidence, band):
    assert band_index(confidence) == band


def test_reliability_counts_and_shares_by_band():
    bands = reliability(
        said((0.9, True), (0.85, False), (0.8, True), (0.1, False), (0.5, True))
    )
    assert [b.count for b in bands] == [1, 0, 1, 0, 3]
    assert bands[4].share_hit == pytest.approx(2 / 3)
    assert bands[4].mean_confidence == pytest.approx(0.85)
    assert bands[1].share_hit is None
    assert bands[1].mean_confidence is None
    assert bands[0].share_hit == 0.0
    assert bands[0].label == "0.0–0.2"


@pytest.mark.parametrize(
    ("mean_confidence", "share_hit", "expected"),
    [
        (0.8, 0.45, Verdict.OVER),
        (0.8, 0.7, Verdict.WELL),  # exactly 10 points: still well calibrated
        (0.6, 0.7, Verdict.WELL),
        (0.5, 0.8, Verdict.UNDER),
        (0.5, 0.6, Verdict.WELL),
    ],
)
def test_verdict_within_ten_points_is_well_calibrated(
    mean_confidence, share_hit, expected
):
    assert verdict(mean_confidence, share_hit) is expected


def test_hidden_below_five_resolved_krs():
    found = calibration("Sales", said((0.8, True), (0.7, False), (0.9, True)))
    assert found == TooFewResolved("Sales", 3)
    assert found.sentence == "not enough closed KRs yet: 3 of 5"


def test_two_people_on_one_kr_count_it_once_as_resolved():
    same_kr = [Statement("kr", person, 0.5, True) for person in "abcdef"]
    assert calibration("Sales", same_kr) == TooFewResolved("Sales", 1)


def test_an_over_confident_team():
    # 20 KRs stated at 0.8, 9 of them hit: mean 0.80, hits 45 %.
    found = calibration("Sales", said(*[(0.8, i < 9) for i in range(20)]))
    assert not isinstance(found, TooFewResolved)
    assert (
        found.sentence == "Sales states 0.80 on average and hits 45 %: over-confident"
    )
    assert found.resolved == 20
    # 9 hits at (0.2)² and 11 misses at (0.8)²: (0.36 + 7.04) / 20
    assert found.brier == pytest.approx(0.37)
    assert found.bands[4].count == 20


def test_a_well_calibrated_and_an_under_confident_person():
    well = calibration(
        "Ana", said((0.9, True), (0.8, True), (0.2, False), (0.7, True), (0.4, False))
    )
    assert not isinstance(well, TooFewResolved)
    assert well.verdict is Verdict.WELL  # states 0.60, hits 60 %
    under = calibration("Bo", said(*[(0.3, True)] * 4, (0.3, False)))
    assert not isinstance(under, TooFewResolved)
    assert under.sentence == "Bo states 0.30 on average and hits 80 %: under-confident"
