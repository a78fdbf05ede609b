"""Suggestions draft the new key-result kinds: a change into a band from outside
it, a sustain KR when the KPI is inside it already."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.core.contract import suggestions_json
from drumbeat.core.model import (
    KPI,
    Band,
    Benchmarks,
    Cycle,
    Direction,
    KeyResultKind,
    Objective,
    Thresholds,
)
from drumbeat.core.suggest import Suggestion, suggest
from tests.core.builders import (
    cycle,
    key_result,
    kpi,
    objective,
    readings_at,
    workspace,
)

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


# --- cumulative drafts: a KPI whose last KR added its readings up --------------------

Q4 = cycle("2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31))
Q1 = cycle("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
Q2 = cycle()  # 2026-04-01 to 2026-06-30, the cycle being planned
YEAR = cycle("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
MONTH_ENDS = (dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31))


def customers(
    values: tuple[float, ...] = (4, 5, 3),
    *,
    green: float = 6,
    best: float | None = 8,
    days: tuple[dt.date, ...] = MONTH_ENDS,
) -> KPI:
    """New enterprise customers a month; red under 4, green from `green`."""
    return kpi(
        "enterprise",
        name="New enterprise customers",
        readings=readings_at(zip(days, values, strict=True)),
        thresholds=Thresholds(green=green, red=4),
        benchmarks=Benchmarks(best_in_class=best),
    )


def last_kr(cycle_key: str, kind: KeyResultKind, key: str = "o") -> Objective:
    """An objective of `cycle_key` with a KR on the KPI it missed (so that the KPI
    is not just completed)."""
    return objective(
        key_result("enterprise", target=1000.0, kind=kind),
        key=key,
        cycle=cycle_key,
    )


CUMULATIVE, CHANGE = KeyResultKind.CUMULATIVE, KeyResultKind.CHANGE
RAISED = (
    "cumulative",
    0.0,
    21.0,
    27.0,
    "Add up to 21 new enterprise customers in 2026-Q2",
)
CHANGED = ("change", 3.0, 6.0, 8.0, "Increase new enterprise customers from 3 to 6")


@pytest.mark.parametrize(
    ("subject", "objectives", "cycles", "draft"),
    [
        pytest.param(
            # Q1 added up to 4 + 5 + 3 = 12 over 3 readings, the latest 3; green 6
            # asks each reading 3 more: 12 + 3 × 3 = 21; best in class 8: 12 + 3 × 5.
            customers(),
            [last_kr("2026-Q1", CUMULATIVE)],
            [Q1, Q2],
            RAISED,
            id="sum-raised-by-the-change-drafts-step",
        ),
        pytest.param(
            customers(best=None),
            [last_kr("2026-Q1", CUMULATIVE)],
            [Q1, Q2],
            (
                "cumulative",
                0.0,
                21.0,
                None,
                "Add up to 21 new enterprise customers in 2026-Q2",
            ),
            id="no-best-in-class-no-stretch",
        ),
        pytest.param(
            # The latest reading is 0: 2 + 1 + 0 = 3, and 3 + 3 × (6 − 0) = 21.
            customers((2, 1, 0)),
            [last_kr("2026-Q1", CUMULATIVE)],
            [Q1, Q2],
            RAISED,
            id="latest-zero",
        ),
        pytest.param(
            # Not whole numbers: 1.5 + 2.5 + 2 = 6, 6 + 3 × (3.3 − 2) = 9.9.
            customers((1.5, 2.5, 2.0), green=3.3, best=None),
            [last_kr("2026-Q1", CUMULATIVE)],
            [Q1, Q2],
            (
                "cumulative",
                0.0,
                9.9,
                None,
                "Add up to 9.9 new enterprise customers in 2026-Q2",
            ),
            id="fractions-kept-to-two-decimals",
        ),
        pytest.param(
            # Q4 targeted it last (Q1 did not): still cumulative, on Q1's sum.
            customers(),
            [last_kr("2025-Q4", CUMULATIVE)],
            [Q4, Q1, Q2],
            RAISED,
            id="latest-cycle-that-targeted-it",
        ),
        pytest.param(
            customers(),
            [last_kr("2025-Q4", CUMULATIVE, "a"), last_kr("2026-Q1", CHANGE, "b")],
            [Q4, Q1, Q2],
            CHANGED,
            id="a-later-change-kr-wins",
        ),
        pytest.param(
            customers(),
            [last_kr("2026", CUMULATIVE)],
            [YEAR, Q1, Q2],
            CHANGED,
            id="the-years-kr-does-not-set-a-quarters-kind",
        ),
        pytest.param(
            # Nothing was read in Q1 (the last reading is December's): no sum.
            customers(days=(dt.date(2025, 10, 31), dt.date(2025, 11, 30), Q4.end)),
            [last_kr("2025-Q4", CUMULATIVE)],
            [Q4, Q1, Q2],
            CHANGED,
            id="no-readings-in-the-previous-cycle",
        ),
    ],
)
def test_a_cumulative_kr_is_drafted_cumulative_again(
    subject: KPI,
    objectives: list[Objective],
    cycles: list[Cycle],
    draft: tuple[str, float, float, float | None, str],
) -> None:
    [suggestion] = suggest(workspace([subject], cycles, objectives), Q2)
    assert (
        suggestion.kind,
        suggestion.baseline,
        suggestion.commit_target,
        suggestion.stretch_target,
        suggestion.title,
    ) == draft


def test_a_cumulative_draft_says_why() -> None:
    objectives = [last_kr("2026-Q1", CUMULATIVE)]
    [suggestion] = suggest(workspace([customers()], [Q1, Q2], objectives), Q2)
    assert suggestion.why.endswith("its last KR was cumulative: 12 in 2026-Q1")


def test_the_cli_json_drafts_the_cumulative_kr() -> None:
    objectives = [last_kr("2026-Q1", CUMULATIVE)]
    suggestions = suggest(workspace([customers()], [Q1, Q2], objectives), Q2)
    [drafted] = suggestions_json("2026-Q2", suggestions)["suggestions"]
    assert (
        drafted["kind"],
        drafted["baseline"],
        drafted["commit_target"],
        drafted["stretch_target"],
    ) == ("cumulative", 0, 21, 27)
