"""The diagnostic flow: which KPIs to elevate in a cycle, in what order, as what KR."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from drumbeat.core.model import (
    KPI,
    Band,
    Benchmarks,
    Cadence,
    Direction,
    Health,
    Reading,
    Target,
    Thresholds,
    Tier,
    Workspace,
)
from drumbeat.core.suggest import Suggestion, suggest
from tests.core.builders import (
    cycle,
    key_result,
    kpi,
    objective,
    readings_at,
    weekly_readings,
    workspace,
)

Q4 = cycle("2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31))
Q1 = cycle("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
Q2 = cycle()  # 2026-04-01 to 2026-06-30, the cycle being planned
BEFORE_Q2 = dt.date(2026, 3, 30)


def history(*values: float, last: dt.date = BEFORE_Q2) -> tuple[Reading, ...]:
    """Weekly readings that end on `last` (by default two days before Q2 starts)."""
    return weekly_readings(last - dt.timedelta(weeks=len(values) - 1), values)


def up_kpi(
    key: str,
    value: float,
    *,
    green: float | None = 45,
    red: float | None = 30,
    industry: float | None = None,
    best: float | None = None,
    **fields: Any,
) -> KPI:
    """An `up` KPI whose latest reading before Q2 is `value` (green 45, red 30)."""
    fields.setdefault("readings", history(value))
    return kpi(
        key,
        thresholds=Thresholds(green=green, red=red),
        benchmarks=Benchmarks(industry=industry, best_in_class=best),
        **fields,
    )


def down_kpi(
    key: str,
    value: float,
    *,
    industry: float | None = None,
    best: float | None = None,
) -> KPI:
    """A `down` KPI whose latest reading before Q2 is `value` (green 200, red 400)."""
    return kpi(
        key,
        readings=history(value),
        direction=Direction.DOWN,
        thresholds=Thresholds(green=200, red=400),
        benchmarks=Benchmarks(industry=industry, best_in_class=best),
    )


def keys(ws: Workspace) -> list[str]:
    return [s.kpi.key for s in suggest(ws, Q2)]


def only_suggestion(*kpis: KPI) -> Suggestion:
    suggestions = suggest(workspace(kpis, [Q2]), Q2)
    assert len(suggestions) == 1
    return suggestions[0]


# --- judged as of the cycle start -------------------------------------------------


def test_suggest_judges_as_of_the_cycle_start() -> None:
    """A KPI red at the start is suggested though it recovered since; a KPI green at
    the start is not, though it turned red since."""
    recovered = up_kpi(
        "recovered",
        20,
        readings=readings_at([(dt.date(2026, 4, 1), 20), (dt.date(2026, 4, 15), 50)]),
    )
    slipped = up_kpi(
        "slipped",
        50,
        readings=readings_at([(BEFORE_Q2, 50), (dt.date(2026, 4, 15), 10)]),
    )
    [suggestion] = suggest(workspace([recovered, slipped], [Q2]), Q2)
    assert suggestion.kpi.key == "recovered"
    assert suggestion.baseline == 20
    assert suggestion.why == "red at 20"


def test_suggest_planning_ahead_judges_as_of_the_earlier_date() -> None:
    """Planned a month early, a weekly KPI read last week is not stale yet."""
    weekly = up_kpi(
        "nps",
        20,
        cadence=Cadence.WEEKLY,
        readings=readings_at([(dt.date(2026, 3, 1), 20)]),
    )
    ws = workspace([weekly], [Q2])
    [at_start] = suggest(ws, Q2)
    [ahead] = suggest(ws, Q2, as_of=dt.date(2026, 3, 4))
    assert at_start.why == "red at 20; its readings are stale"
    assert ahead.why == "red at 20"


def test_suggest_never_judges_after_the_cycle_start() -> None:
    slipped = up_kpi(
        "slipped",
        50,
        readings=readings_at([(BEFORE_Q2, 50), (dt.date(2026, 4, 15), 10)]),
    )
    assert suggest(workspace([slipped], [Q2]), Q2, as_of=dt.date(2026, 5, 1)) == []


# --- ranking ----------------------------------------------------------------------


def test_suggest_ranks_red_then_amber_then_benchmark_gap() -> None:
    gap = up_kpi("gap", 50, industry=60)
    amber = up_kpi("amber", 38)
    red = up_kpi("red", 20)
    assert keys(workspace([gap, amber, red], [Q2])) == ["red", "amber", "gap"]


# Green by its thresholds (green 30), but the last reading falls below the lower
# natural process limit (49.33 − 2.66 × 2.25 = 43.35): rule 1, on the bad side.
DRIFTING = up_kpi(
    "drifting",
    40,
    green=30,
    red=10,
    readings=history(50, 51, 50, 51, 50, 51, 50, 51, 40),
)


def test_suggest_ranks_unfavourable_signal_with_amber() -> None:
    north_star_gap = up_kpi("gap", 50, industry=60, tier=Tier.KEY, north_star=True)
    red = up_kpi("red", 20)
    ws = workspace([north_star_gap, DRIFTING, red], [Q2])
    suggestions = suggest(ws, Q2)
    assert [s.kpi.key for s in suggestions] == ["red", "drifting", "gap"]
    drifting = suggestions[1]
    assert drifting.assessment.threshold_health is Health.GREEN
    assert drifting.assessment.health is Health.AMBER
    assert drifting.why == "unfavourable signal (rule 1, below)"


def test_suggest_ranks_within_a_band_north_star_then_key_tier_then_larger_gap() -> None:
    def red(key: str, value: float, **fields: Any) -> KPI:
        return up_kpi(key, value, industry=60, **fields)

    ws = workspace(
        [
            red("secondary-huge-gap", 6),
            red("key-small-gap", 24, tier=Tier.KEY),
            red("key-big-gap", 12, tier=Tier.KEY),
            red("north-star", 27, tier=Tier.KEY, north_star=True),
        ],
        [Q2],
    )
    assert keys(ws) == [
        "north-star",
        "key-big-gap",
        "key-small-gap",
        "secondary-huge-gap",
    ]


def test_suggest_ranks_north_star_before_key_tier() -> None:
    ws = workspace(
        [
            up_kpi("key", 20, industry=60, tier=Tier.KEY),
            up_kpi("north-star", 20, industry=60, north_star=True),
        ],
        [Q2],
    )
    assert keys(ws) == ["north-star", "key"]


# --- exclusions -------------------------------------------------------------------


def test_suggest_excludes_green_kpis_at_or_ahead_of_benchmark() -> None:
    ws = workspace(
        [
            up_kpi("ahead", 50, industry=45),
            up_kpi("at", 45, industry=45),
            up_kpi("no-benchmark", 50),
            up_kpi("behind", 50, industry=55),
        ],
        [Q2],
    )
    [suggestion] = suggest(ws, Q2)
    assert suggestion.kpi.key == "behind"
    assert suggestion.benchmark_gap == 5 / 55


def reached(readings: tuple[Reading, ...], *, target: float) -> Workspace:
    """`nps` (amber at 42 before Q2) had a KR in Q1, from 35 to `target`."""
    nps = up_kpi("nps", 42, readings=readings)
    visits = up_kpi("visits", 38)
    q1 = objective(key_result("nps", target, baseline=35.0), key="q1", cycle="2026-Q1")
    return workspace([nps, visits], [Q4, Q1, Q2], [q1])


def test_suggest_excludes_kpi_completed_in_the_just_closed_cycle() -> None:
    ws = reached(history(35, 42), target=40)
    assert keys(ws) == ["visits"]


def test_suggest_keeps_kpi_whose_kr_missed_its_target() -> None:
    ws = reached(history(35, 42), target=44)
    assert keys(ws) == ["nps", "visits"]


def test_suggest_keeps_kpi_completed_in_an_earlier_cycle() -> None:
    nps = up_kpi(
        "nps",
        42,
        readings=readings_at([(dt.date(2025, 12, 15), 42), (BEFORE_Q2, 42)]),
    )
    q4 = objective(key_result("nps", 40.0, baseline=35.0), key="q4", cycle="2025-Q4")
    assert keys(workspace([nps], [Q4, Q1, Q2], [q4])) == ["nps"]


def test_suggest_excludes_kpis_already_targeted_in_the_cycle() -> None:
    ws = workspace(
        [up_kpi("nps", 20), up_kpi("visits", 20)],
        [Q2],
        [objective(key_result("nps", 45.0))],
    )
    assert keys(ws) == ["visits"]


def test_suggest_excludes_transient_kpis() -> None:
    ws = workspace([up_kpi("survey", 20, tier=Tier.TRANSIENT), up_kpi("nps", 38)], [Q2])
    assert keys(ws) == ["nps"]


@pytest.mark.parametrize(
    "readings",
    [
        pytest.param((), id="no-readings"),
        pytest.param(
            readings_at([(dt.date(2026, 4, 2), 20)]), id="only-readings-after-start"
        ),
    ],
)
def test_suggest_excludes_kpis_without_readings(
    readings: tuple[Reading, ...],
) -> None:
    ws = workspace([up_kpi("nps", 20, readings=readings, industry=60)], [Q2])
    assert suggest(ws, Q2) == []


# --- the draft KR -----------------------------------------------------------------

UPTIME_BAND = Thresholds(green=Band(99.9, 100), amber=Band(99.5, 100))


@pytest.mark.parametrize(
    ("subject", "baseline", "commit", "stretch"),
    [
        pytest.param(
            up_kpi("nps", 38, industry=40, best=65),
            38,
            45,
            65,
            id="up-green-threshold-and-best-in-class",
        ),
        pytest.param(
            up_kpi("nps", 50, industry=55, best=65),
            50,
            55,
            65,
            id="up-green-met-commits-to-industry",
        ),
        pytest.param(
            up_kpi("nps", 38, best=45),
            38,
            45,
            None,
            id="up-best-in-class-not-beyond-commit",
        ),
        pytest.param(
            up_kpi("nps", 20, green=None, best=65),
            20,
            None,
            65,
            id="up-no-green-no-industry-stretch-from-baseline",
        ),
        pytest.param(
            up_kpi("nps", 20, green=None, industry=15),
            20,
            None,
            None,
            id="up-industry-no-improvement",
        ),
        pytest.param(
            up_kpi("nps", 20, green=None),
            20,
            None,
            None,
            id="up-nothing-to-base-it-on",
        ),
        pytest.param(
            down_kpi("wait", 300, industry=250, best=120),
            300,
            200,
            120,
            id="down-green-threshold-and-best-in-class",
        ),
        pytest.param(
            down_kpi("wait", 180, industry=150, best=120),
            180,
            150,
            120,
            id="down-green-met-commits-to-industry",
        ),
        pytest.param(
            down_kpi("wait", 300, best=250),
            300,
            200,
            None,
            id="down-best-in-class-not-beyond-commit",
        ),
        pytest.param(
            kpi(
                "uptime",
                readings=history(99.6),
                direction=Direction.RANGE,
                thresholds=UPTIME_BAND,
                benchmarks=Benchmarks(industry=99.9, best_in_class=99.99),
            ),
            99.6,
            Band(99.9, 100),
            None,
            id="range-commits-to-green-band",
        ),
    ],
)
def test_suggest_draft_kr(
    subject: KPI, baseline: float, commit: Target | None, stretch: Target | None
) -> None:
    suggestion = only_suggestion(subject)
    assert (
        suggestion.baseline,
        suggestion.commit_target,
        suggestion.stretch_target,
    ) == (baseline, commit, stretch)


def test_suggest_draft_kr_baseline_is_the_latest_reading_before_the_cycle() -> None:
    suggestion = only_suggestion(up_kpi("nps", 36, readings=history(25, 38, 36)))
    assert suggestion.baseline == 36


@pytest.mark.parametrize(
    ("subject", "kind", "title"),
    [
        pytest.param(
            up_kpi("nps", 38, name="NPS"),
            "change",
            "Increase NPS from 38 to 45",
            id="up",
        ),
        pytest.param(
            down_kpi("wait", 300), "change", "Reduce wait from 300 to 200", id="down"
        ),
        pytest.param(
            kpi(
                "uptime",
                readings=history(99.6),
                direction=Direction.RANGE,
                thresholds=UPTIME_BAND,
            ),
            "change",
            "Bring uptime from 99.6 into [99.9, 100]",
            id="range-outside-its-band",
        ),
    ],
)
def test_suggest_draft_kr_kind_and_title(subject: KPI, kind: str, title: str) -> None:
    suggestion = only_suggestion(subject)
    assert (suggestion.kind, suggestion.title) == (kind, title)


# --- why --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "why"),
    [
        pytest.param(
            up_kpi("nps", 20, industry=40, unit="points"),
            "red at 20 points; 50% behind its benchmark",
            id="red-and-behind-industry",
        ),
        pytest.param(up_kpi("nps", 38), "amber at 38", id="amber-without-benchmark"),
        pytest.param(
            up_kpi("nps", 50, best=100),
            "50% behind its benchmark",
            id="green-behind-best-in-class",
        ),
        pytest.param(
            down_kpi("wait", 300, industry=250),
            "amber at 300; 20% behind its benchmark",
            id="down-amber-and-behind",
        ),
        pytest.param(
            up_kpi(
                "nps",
                20,
                cadence=Cadence.WEEKLY,
                readings=readings_at([(dt.date(2026, 3, 1), 20)]),
            ),
            "red at 20; its readings are stale",
            id="red-and-stale",
        ),
    ],
)
def test_suggest_why(subject: KPI, why: str) -> None:
    assert only_suggestion(subject).why == why
