"""Annual direction: a year contains its quarters, and a quarter's suggestions rank
first, within their band, the KPIs an annual KR of the year targets."""

from __future__ import annotations

import datetime as dt

from drumbeat.core.contract import suggestions_json
from drumbeat.core.model import KPI, Cycle, Thresholds
from drumbeat.core.suggest import annual_direction, suggest
from tests.core.builders import key_result, kpi, objective, weekly_readings, workspace

YEAR = Cycle("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
Q1 = Cycle("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), parent="2026")
Q2 = Cycle("2026-Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30), parent="2026")
LONE_Q2 = Cycle("2026-Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30))


def red(key: str, value: float) -> KPI:
    """An `up` KPI (green 45, red 30) red at `value` the week before Q2."""
    return kpi(
        key,
        readings=weekly_readings(dt.date(2026, 3, 30), [value]),
        thresholds=Thresholds(green=45, red=30),
    )


ANNUAL = objective(
    key_result("churn_down", key="kr-a"),
    key_result("churn_down", key="kr-b"),
    key="year-o",
    cycle="2026",
)


def test_the_containing_cycle_is_the_parent() -> None:
    ws = workspace(cycles=[YEAR, Q1, Q2])
    assert ws.containing_cycle(Q2) == YEAR
    assert ws.containing_cycle(YEAR) is None


def test_annual_direction_names_the_year_krs_per_kpi() -> None:
    ws = workspace(cycles=[YEAR, Q2], objectives=[ANNUAL])
    assert annual_direction(ws, Q2) == {"churn_down": ["kr-a", "kr-b"]}
    assert annual_direction(ws, YEAR) == {}


def test_a_kpi_the_year_targets_ranks_first_within_its_band_and_says_why() -> None:
    # Both red, same tier, no benchmark: alone, the quarter keeps the file's order;
    # inside the year, whose KRs target "churn_down", that KPI comes first.
    kpis = [red("aaa", 20), red("churn_down", 25)]
    plain = suggest(workspace(kpis, [LONE_Q2]), LONE_Q2)
    assert [s.kpi.key for s in plain] == ["aaa", "churn_down"]

    ws = workspace(kpis, [YEAR, Q2], [ANNUAL])
    ranked = suggest(ws, Q2)
    assert [s.kpi.key for s in ranked] == ["churn_down", "aaa"]
    assert ranked[0].annual_direction == ("kr-a", "kr-b")
    assert (
        ranked[0].why == "red at 25; the annual direction: 2026 targets it (kr-a, kr-b)"
    )
    assert ranked[1].annual_direction == ()


def test_the_band_still_comes_first() -> None:
    # An amber KPI the year targets stays behind a red one it does not.
    amber = kpi(
        "churn_down",
        readings=weekly_readings(dt.date(2026, 3, 30), [40]),
        thresholds=Thresholds(green=45, red=30),
    )
    ranked = suggest(workspace([amber, red("aaa", 20)], [YEAR, Q2], [ANNUAL]), Q2)
    assert [s.kpi.key for s in ranked] == ["aaa", "churn_down"]


def test_the_json_adds_keys_and_keeps_the_old_ones() -> None:
    ws = workspace([red("churn_down", 25)], [YEAR, Q2], [ANNUAL])
    [entry] = suggestions_json("2026-Q2", suggest(ws, Q2))["suggestions"]
    assert {"kpi", "baseline", "commit_target", "stretch_target", "why", "kind"} <= set(
        entry
    )
    assert entry["annual_direction"] == ["kr-a", "kr-b"]
    assert entry["stagnating"] is False


def test_a_stagnating_kpi_says_so_in_its_why() -> None:
    flat = kpi(
        "dau",
        readings=weekly_readings(dt.date(2026, 2, 9), [40, 41, 40, 41, 40, 41, 40, 41]),
        thresholds=Thresholds(green=50, red=30),
    )
    [suggestion] = suggest(workspace([flat], [LONE_Q2]), LONE_Q2)
    assert suggestion.stagnation is not None
    assert suggestion.why == (
        "amber at 41; stagnating: below its green threshold (50), no favourable "
        "signal in its last 8 readings and a trend of 0 within its noise of ±3"
    )
