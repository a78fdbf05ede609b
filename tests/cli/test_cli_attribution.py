"""`drumbeat attribution FILE [--kpi KEY] [--as-of DATE] [--format json]`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import EXAMPLE, run, workspace_file  # noqa: F401

AFTER_Q3 = "2026-12-06"


def test_attribution_json_lists_each_closed_cycles_groups():
    code, out, _ = run(
        "attribution", str(EXAMPLE), "--as-of", AFTER_Q3, "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["as_of"] == AFTER_Q3
    (q3,) = data["cycles"]
    assert q3["cycle"] == "2026-Q3"
    moved = {row["kpi"]: row for row in q3["moved"]}
    assert moved["deploy-frequency"]["outcome"] == "moved"
    assert moved["deploy-frequency"]["held"] is True
    assert {row["kpi"] for row in q3["still"]} >= {"nps", "dau"}
    assert all(not row["key_results"] for row in q3["moved_without_okr"])


def test_attribution_json_for_one_kpi_has_its_targeting_cycles():
    code, out, _ = run(
        "attribution", str(EXAMPLE), "--kpi", "deploy-frequency",
        "--as-of", AFTER_Q3, "--format", "json",
    )  # fmt: skip
    assert code == 0
    (row,) = json.loads(out)["cycles"]
    assert row["key_results"][0] == {
        "objective": "q3-stop-firefighting",
        "key": "deploys-up",
        "baseline": 13,
        "target": 20,
        "achieved": 21,
    }
    assert (row["start_value"], row["end_value"], row["change"]) == (13, 21, 8)
    assert row["in_noise"] == round(8 / row["noise"], 9)
    assert row["outcome"] == "moved"


def test_attribution_tables_say_association_not_proof():
    code, out, _ = run("attribution", str(EXAMPLE), "--as-of", AFTER_Q3)
    assert code == 0
    assert "Moved beyond their noise with no OKR on them:" in out
    assert "not proof" in out
    code, out, _ = run("attribution", str(EXAMPLE), "--kpi", "nps", "--as-of", AFTER_Q3)
    assert code == 0
    assert "within its noise" in out


def test_attribution_refuses_an_unknown_kpi(workspace_file: Path):  # noqa: F811
    code, out, err = run("attribution", str(workspace_file), "--kpi", "nope")
    assert code == 2
    assert out == ""
    assert "no KPI 'nope' (KPIs: nps, uptime)" in err


def test_attribution_before_any_close_says_so(workspace_file: Path):  # noqa: F811
    code, out, _ = run("attribution", str(workspace_file), "--as-of", "2026-08-01")
    assert code == 0
    assert "No cycle had closed by 2026-08-01." in out
    code, out, _ = run(
        "attribution", str(workspace_file), "--kpi", "nps", "--as-of", "2026-08-01"
    )
    assert "No closed cycle has targeted nps." in out
