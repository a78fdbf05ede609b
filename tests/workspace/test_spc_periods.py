"""`spc.periods` in the workspace file: dividers that recompute a KPI's limits."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.core.model import LimitPeriod, Period
from drumbeat.workspace import WorkspaceError, dump_workspace
from tests.workspace.test_load import GOOD, load

BASELINE_ONLY = "    spc: {baseline: {start: 2025-01-01, end: 2025-12-31}}\n"
WITH_PERIODS = """\
    spc:
      baseline: {start: 2025-01-01, end: 2025-12-31}
      periods:
        - {from: 2026-03-01}
        - {from: 2026-09-01, baseline: {start: 2026-09-01, end: 2026-11-30}}
"""
FIRST_DIVIDER_LINE = 25  # `- {from: 2026-03-01}` in the file with periods


def with_periods(text: str = WITH_PERIODS) -> str:
    assert BASELINE_ONLY in GOOD
    return GOOD.replace(BASELINE_ONLY, text, 1)


def test_periods_load_beside_the_baseline():
    nps = load(with_periods()).kpi_by_key["nps"]
    assert nps.spc_baseline == Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert nps.spc_periods == (
        LimitPeriod(dt.date(2026, 3, 1)),
        LimitPeriod(
            dt.date(2026, 9, 1), Period(dt.date(2026, 9, 1), dt.date(2026, 11, 30))
        ),
    )


def test_a_kpi_without_periods_has_none():
    assert load(GOOD).kpi_by_key["nps"].spc_periods == ()


def test_periods_round_trip_through_the_exporter():
    workspace = load(with_periods())
    text = dump_workspace(workspace)
    assert "    - {from: 2026-03-01}\n" in text
    assert load(text) == workspace


def test_a_baseline_alone_is_still_written_on_one_line():
    assert BASELINE_ONLY.strip() in dump_workspace(load(GOOD))


@pytest.mark.parametrize(
    ("change", "line", "field", "message"),
    [
        pytest.param(
            ("from: 2026-09-01,", "from: 2026-02-01,"),
            FIRST_DIVIDER_LINE + 1,
            "kpis[nps].spc.periods[1].from",
            "dividers go in date order: 2026-02-01 is not after 2026-03-01",
            id="out-of-order",
        ),
        pytest.param(
            ("{from: 2026-03-01}", "{from: 2025-06-01}"),
            23,
            "kpis[nps].spc.baseline",
            "the baseline must lie inside its limit period (from the first reading "
            "to 2025-05-31)",
            id="first-baseline-past-the-first-divider",
        ),
        pytest.param(
            (
                "start: 2026-09-01, end: 2026-11-30",
                "start: 2026-08-01, end: 2026-11-30",
            ),
            FIRST_DIVIDER_LINE + 1,
            "kpis[nps].spc.periods[1].baseline",
            "the baseline must lie inside its limit period (from 2026-09-01 on)",
            id="baseline-before-its-divider",
        ),
        pytest.param(
            ("end: 2026-11-30", "end: 2026-08-30"),
            FIRST_DIVIDER_LINE + 1,
            "kpis[nps].spc.periods[1].baseline.end",
            "the baseline ends before it starts",
            id="baseline-backwards",
        ),
        pytest.param(
            ("{from: 2026-03-01}", "{from: 2026-03-01, until: 2026-04-01}"),
            FIRST_DIVIDER_LINE,
            "kpis[nps].spc.periods[0].until",
            "unknown field 'until'; expected one of: from, baseline",
            id="unknown-field",
        ),
        pytest.param(
            ("{from: 2026-03-01}", "{from: March}"),
            FIRST_DIVIDER_LINE,
            "kpis[nps].spc.periods[0].from",
            "",
            id="not-a-date",
        ),
    ],
)
def test_bad_periods_are_located(change, line, field, message):
    old, new = change
    text = with_periods()
    assert old in text, "the case must change the file"
    with pytest.raises(WorkspaceError) as caught:
        load(text.replace(old, new, 1))
    problem = caught.value.problems[0]
    assert (problem.line, problem.field) == (line, field)
    assert message in problem.message
