"""Suggestions draft the new key-result kinds: a change into a band from outside
it, a sustain KR when the KPI is inside it already."""

from __future__ import annotations

from drumbeat.core.model import Band, Direction
from drumbeat.core.suggest import Suggestion
from tests.core.builders import kpi

PRESSURE = kpi("blood-pressure", name="Blood pressure", direction=Direction.RANGE)
GUIDELINES = Band(90, 120)


def draft(baseline: float) -> Suggestion:
    return Suggestion(
        kpi=PRESSURE,
        baseline=baseline,
        commit_target=GUIDELINES,
        stretch_target=None,
        why="",
        assessment=None,  # type: ignore[arg-type]
        benchmark_gap=None,
    )


def test_a_kpi_outside_its_band_is_drafted_as_a_change_into_it():
    suggestion = draft(140)
    assert suggestion.moves_into_band
    assert (suggestion.kind, suggestion.title) == (
        "change",
        "Bring blood pressure from 140 into [90, 120]",
    )


def test_a_kpi_inside_its_band_is_drafted_as_a_sustain_kr():
    suggestion = draft(100)
    assert not suggestion.moves_into_band
    assert (suggestion.kind, suggestion.title) == (
        "sustain",
        "Bring blood pressure into [90, 120] and hold it",
    )
