"""Stagnation in the command's tables: `drumbeat score` appends "stagnating" to a
stagnating KPI's signals, and `drumbeat review` says it in the KPI's "why"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from drumbeat.cli import main
from drumbeat.cli.output import _signals_text
from drumbeat.core.rhythm import kpi_review
from drumbeat.core.spc import Side, Signal
from drumbeat.core.stagnation import stagnation
from drumbeat.workspace import load_workspace_text

FLAT = [40, 41, 40, 41, 40, 41, 40, 41]
"""Amber between red 30 and green 50, no signal, a trend within its noise."""


def _weekly(values: list[int], last: dt.date = dt.date(2026, 11, 20)) -> str:
    start = last - dt.timedelta(weeks=len(values) - 1)
    return ", ".join(
        f"{{at: {start + dt.timedelta(weeks=i)}, value: {value}}}"
        for i, value in enumerate(values)
    )


STAGNATION_FILE = (
    "version: 1\n"
    "kpis:\n"
    "  - {key: flat, name: Flat, cadence: weekly, thresholds: {green: 50, red: 30}, "
    f"readings: [{_weekly(FLAT)}]}}\n"
    "  - {key: rising, name: Rising, cadence: weekly, "
    "thresholds: {green: 50, red: 30}, "
    f"readings: [{_weekly([40, 41, 42, 43, 44, 45, 46, 47])}]}}\n"
)


@pytest.fixture
def stagnation_file(tmp_path: Path) -> Path:
    path = tmp_path / "okrs.yaml"
    path.write_text(STAGNATION_FILE)
    return path


def _row(out: str, key: str) -> str:
    return next(line for line in out.splitlines() if f" {key} " in line)


def test_the_score_table_appends_stagnating_to_the_signals(
    stagnation_file: Path,
) -> None:
    result = CliRunner().invoke(
        main, ["score", str(stagnation_file), "--as-of", "2026-11-25"]
    )
    assert result.exit_code == 0
    assert _row(result.stdout, "flat").rstrip(" │").endswith("stagnating")
    assert "stagnating" not in _row(result.stdout, "rising")


def test_stagnating_comes_after_the_signals_with_a_semicolon() -> None:
    below = Signal(rule=1, side=Side.BELOW, first=7, last=7, favourable=False)
    assert _signals_text([below], stagnating=True).plain == (
        "unfavourable: rule 1 below; stagnating"
    )
    assert _signals_text([], stagnating=True).plain == "stagnating"
    assert _signals_text([below]).plain == "unfavourable: rule 1 below"


def test_the_review_why_says_stagnating(stagnation_file: Path) -> None:
    result = CliRunner().invoke(
        main, ["review", str(stagnation_file), "--as-of", "2026-11-25"]
    )
    assert result.exit_code == 0
    assert _row(result.stdout, "flat").split("│")[4].strip() == "amber, stagnating"


def test_stagnation_alone_puts_no_kpi_on_the_agenda() -> None:
    # A green-threshold-less KPI behind its benchmark stagnates, but is not red,
    # amber, signalling or stale: it stays off the exceptions.
    text = STAGNATION_FILE.replace(
        "thresholds: {green: 50, red: 30}, readings: [{at: 2026-10-02, value: 40}",
        "benchmarks: {industry: 60}, readings: [{at: 2026-10-02, value: 40}",
    )
    workspace = load_workspace_text(text)
    review = kpi_review(workspace, dt.date(2026, 11, 25))
    flat = workspace.kpi_by_key["flat"]
    assert stagnation(flat, dt.date(2026, 11, 25)) is not None
    assert "flat" not in [item.status.assessment.kpi.key for item in review.exceptions]
