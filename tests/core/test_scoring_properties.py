"""Properties of KR and objective scoring that hold for any readings."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drumbeat.core.model import (
    KPI,
    Band,
    Direction,
    KeyResultKind,
    Reading,
    Target,
)
from drumbeat.core.scoring import (
    key_result_score,
    objective_score,
    sustain_progress,
)
from tests.core.builders import cycle, key_result, kpi

Q2 = cycle("2026-Q2", date(2026, 4, 1), date(2026, 6, 30))

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
directions = st.sampled_from(list(Direction))
kinds = st.sampled_from(list(KeyResultKind))
days = st.integers(min_value=-60, max_value=150).map(
    lambda offset: Q2.start + timedelta(days=offset)
)
as_ofs = st.integers(min_value=-10, max_value=150).map(
    lambda offset: Q2.start + timedelta(days=offset)
)
readings = st.lists(st.tuples(days, values), max_size=12).map(
    lambda points: tuple(Reading(at=day, value=value) for day, value in points)
)


@st.composite
def targets(draw: st.DrawFn) -> Target:
    if draw(st.booleans()):
        return draw(values)
    low, high = sorted((draw(values), draw(values)))
    return Band(low, high)


def measure(direction: Direction, points: tuple[Reading, ...]) -> KPI:
    return kpi(direction=direction, readings=points)


@given(
    direction=directions,
    kind=kinds,
    points=readings,
    target=targets(),
    baseline=st.none() | values,
    as_of=as_ofs,
)
def test_score_is_in_unit_interval_or_null(
    direction, kind, points, target, baseline, as_of
):
    kr = key_result(target=target, kind=kind, baseline=baseline)
    scored = key_result_score(kr, measure(direction, points), Q2, as_of)
    assert scored.score is None or 0.0 <= scored.score <= 1.0
    if scored.progress is not None:
        assert scored.score == min(max(scored.progress, 0.0), 1.0)


@given(
    baseline=values,
    distance=st.floats(min_value=1e-3, max_value=1e6),
    lower=values,
    higher=values,
)
def test_change_score_on_up_kpi_is_monotone_in_current_value(
    baseline, distance, lower, higher
):
    """Of two current values, the higher never scores less (target above baseline)."""
    lower, higher = sorted((lower, higher))
    kr = key_result(target=baseline + distance, baseline=baseline)

    def score_with(current: float) -> float | None:
        points = (Reading(date(2026, 5, 1), current),)
        return key_result_score(kr, measure(Direction.UP, points), Q2, Q2.end).score

    low_score, high_score = score_with(lower), score_with(higher)
    assert low_score is not None
    assert high_score is not None
    assert low_score <= high_score


def mirrored(target: Target) -> Target:
    if isinstance(target, Band):
        return Band(-target.high, -target.low)
    return -target


@given(
    kind=kinds,
    points=readings,
    target=targets(),
    baseline=st.none() | values,
    as_of=as_ofs,
)
def test_down_kpi_mirrors_up_kpi(kind, points, target, baseline, as_of):
    """Negating baseline, target and readings of an up KPI and making it down
    gives the same progress and score."""
    up_kr = key_result(target=target, kind=kind, baseline=baseline)
    down_kr = key_result(
        target=mirrored(target),
        kind=kind,
        baseline=None if baseline is None else -baseline,
    )
    down_points = tuple(Reading(r.at, -r.value) for r in points)
    up = key_result_score(up_kr, measure(Direction.UP, points), Q2, as_of)
    down = key_result_score(down_kr, measure(Direction.DOWN, down_points), Q2, as_of)
    assert down.progress == pytest.approx(up.progress)
    assert down.score == pytest.approx(up.score)


@given(points=readings, target=targets(), direction=directions)
def test_sustain_share_is_in_unit_interval_or_null_without_readings(
    points, target, direction
):
    share = sustain_progress(points, target, direction)
    if points:
        assert share is not None
        assert 0.0 <= share <= 1.0
        assert share * len(points) == pytest.approx(round(share * len(points)))
    else:
        assert share is None


@given(
    st.lists(
        st.tuples(
            st.none() | st.floats(min_value=0.0, max_value=1.0),
            st.floats(min_value=0.1, max_value=10.0),
        ),
        max_size=6,
    )
)
def test_objective_score_lies_between_its_kr_scores(scores_and_weights):
    kr_scores = [
        key_result_score(
            key_result(target=1.0, baseline=0.0, weight=weight),
            kpi(readings=() if score is None else (Reading(Q2.end, score),)),
            Q2,
            Q2.end,
        )
        for score, weight in scores_and_weights
    ]
    present = [kr.score for kr in kr_scores if kr.score is not None]
    score = objective_score(kr_scores)
    if not present:
        assert score is None
    else:
        assert score is not None
        assert min(present) - 1e-9 <= score <= max(present) + 1e-9
