"""Limit periods and the new signals through the `drumbeat` command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import run

FIRST = dt.date(2026, 1, 5)
SHIFT = FIRST + dt.timedelta(weeks=20)


def flow_file(tmp_path: Path, spc: str = "") -> Path:
    """River flow: a mean of 100 for 20 weeks, then 90 for 20 more."""
    values = [99.0, 101.0] * 10 + [89.0, 91.0] * 10
    readings = "".join(
        f"      - {{at: {FIRST + dt.timedelta(weeks=index)}, value: {value}}}\n"
        for index, value in enumerate(values)
    )
    path = tmp_path / "flow.yaml"
    path.write_text(
        "version: 1\nkpis:\n  - key: flow\n    name: River flow\n"
        f"    thresholds: {{green: 50}}\n{spc}    readings:\n{readings}"
    )
    return path


def score(path: Path) -> dict[str, Any]:
    code, out, _ = run("score", str(path), "--as-of", "2026-11-25", "--format", "json")
    assert code == 0
    kpis: list[dict[str, Any]] = json.loads(out)["kpis"]
    return kpis[0]


def test_without_a_divider_the_lasting_shift_keeps_signalling(tmp_path: Path):
    kpi = score(flow_file(tmp_path))
    assert kpi["health"] == "amber"
    assert {(s["rule"], s["side"]) for s in kpi["signals"]} == {
        (1, "below"),
        (2, "below"),
        (3, "below"),
    }


def test_with_a_divider_the_new_process_is_judged_by_its_own_limits(tmp_path: Path):
    spc = f"    spc:\n      periods:\n        - {{from: {SHIFT}}}\n"
    kpi = score(flow_file(tmp_path, spc))
    assert (kpi["health"], kpi["signals"]) == ("green", [])


@pytest.mark.parametrize(
    ("spc", "message"),
    [
        pytest.param(
            f"    spc:\n      periods:\n        - {{from: {SHIFT}}}\n"
            f"        - {{from: {FIRST}}}\n",
            f"flow.yaml:9: kpis[flow].spc.periods[1].from: dividers go in date "
            f"order: {FIRST} is not after {SHIFT}",
            id="out-of-order",
        ),
        pytest.param(
            "    spc:\n      periods:\n        - {from: someday}\n",
            "flow.yaml:8: kpis[flow].spc.periods[0].from: must be a date as YYYY-MM-DD",
            id="not-a-date",
        ),
    ],
)
def test_bad_periods_exit_2_naming_the_line_and_field(tmp_path: Path, spc, message):
    code, _, err = run("lint", str(flow_file(tmp_path, spc)))
    assert code == 2
    assert message in err
    assert "Traceback" not in err
