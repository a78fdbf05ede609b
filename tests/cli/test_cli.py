"""The `drumbeat` command: the CLI contract of docs/cli.md."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from drumbeat.cli import main
from tests.workspace.test_load import GOOD
from tests.workspace.test_load_kinds import KINDS


@pytest.fixture
def workspace_file(tmp_path: Path) -> Path:
    path = tmp_path / "okrs.yaml"
    path.write_text(GOOD)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_score_json_has_the_contract_shape(workspace_file: Path):
    code, out, _ = run(
        "score", str(workspace_file), "--as-of", "2026-08-15", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["as_of"] == "2026-08-15"
    nps = data["kpis"][0]
    assert nps == {
        "key": "nps",
        "health": "green",
        "stale": False,
        "lifecycle": "okr_target",
        "latest": {"at": "2026-07-31", "value": 48},
        "signals": [],
        "stagnating": False,
        "stagnation": None,
    }
    objective = data["objectives"][0]
    assert objective["key"] == "community-relevance"
    assert objective["grade"] in ("red", "yellow", "green")
    nps_up = objective["key_results"][0]
    assert nps_up == {
        "key": "nps-up",
        "kpi": "nps",
        "kind": "change",
        "baseline": 38,
        "target": 58,
        "current": 48,
        "progress": 0.5,
        "score": 0.5,
        "relative_target": None,  # the target was set as a level
        "forecast": None,  # fewer than 3 readings since the cycle began
    }
    uptime_held = objective["key_results"][1]
    assert uptime_held["target"] == [99.9, 100]
    assert uptime_held["score"] is None  # no uptime reading after the cycle start
    # Weighted mean of the scored KRs only: nps-up (weight 2) is the only one.
    assert objective["score"] == 0.5


def test_score_json_says_why_a_kpi_is_stagnating(tmp_path: Path):
    """Weekly 40.5 and 41.5 in turn, green from 50: short of green, no favourable
    signal, a fitted change of +0.3333 within its noise of 2.66 (mR̄ 1)."""
    readings = "".join(
        f"      - {{at: {dt.date(2026, 9, 7) + dt.timedelta(weeks=week)}, "
        f"value: {40.5 + week % 2}}}\n"
        for week in range(8)
    )
    path = tmp_path / "flat.yaml"
    path.write_text(
        "version: 1\nkpis:\n  - key: dau\n    name: Daily active users\n"
        f"    thresholds: {{green: 50}}\n    readings:\n{readings}"
    )
    _, out, _ = run("score", str(path), "--as-of", "2026-11-25", "--format", "json")
    [dau] = json.loads(out)["kpis"]
    assert dau["stagnating"] is True
    assert dau["stagnation"] == (
        "stagnating: below its green threshold (50), no favourable signal in its "
        "last 8 readings and a trend of +0.3 within its noise of ±2.7"
    )


def test_score_json_forecasts_each_kr_of_an_active_cycle(tmp_path: Path):
    path = tmp_path / "okrs.yaml"
    path.write_text(
        GOOD.replace(
            "      - {at: 2026-07-31, value: 48}\n",
            "      - {at: 2026-07-31, value: 48}\n"
            "      - {at: 2026-08-07, value: 50}\n"
            "      - {at: 2026-08-14, value: 52}\n",
        )
    )
    _, out, _ = run("score", str(path), "--as-of", "2026-08-15", "--format", "json")
    nps_up, uptime_held = json.loads(out)["objectives"][0]["key_results"]
    assert set(nps_up["forecast"]) == {"value", "p_hit"}
    assert nps_up["forecast"]["value"] > 52  # the trend goes on to the deadline
    assert 0 < nps_up["forecast"]["p_hit"] < 1
    assert uptime_held["forecast"] is None

    _, closed, _ = run("score", str(path), "--as-of", "2026-10-15", "--format", "json")
    assert json.loads(closed)["objectives"][0]["key_results"][0]["forecast"] is None


def test_score_table_shows_health_and_scores(workspace_file: Path):
    code, out, _ = run("score", str(workspace_file), "--as-of", "2026-08-15")
    assert code == 0
    assert "KPIs as of 2026-08-15" in out
    assert "48 points" in out
    assert "okr target" in out
    assert "nps-up" in out
    assert "50%" in out


def test_score_table_shows_a_relative_target_both_ways(tmp_path: Path):
    path = tmp_path / "okrs.yaml"
    path.write_text(KINDS)
    code, out, _ = run("score", str(path), "--as-of", "2026-05-01")
    assert code == 0
    assert "+10 % → 16.5" in out


def test_score_json_gives_a_relative_target_beside_the_resolved_level(tmp_path: Path):
    path = tmp_path / "okrs.yaml"
    path.write_text(KINDS)
    code, out, _ = run("score", str(path), "--as-of", "2026-05-01", "--format", "json")
    assert code == 0
    [objective] = json.loads(out)["objectives"]
    happier = {kr["key"]: kr for kr in objective["key_results"]}["happier"]
    assert (happier["target"], happier["relative_target"]) == (16.5, 10)


def test_lint_json_lists_findings_with_rule_severity_subject_message(
    workspace_file: Path,
):
    code, out, _ = run(
        "lint", str(workspace_file), "--as-of", "2026-08-15", "--format", "json"
    )
    findings = json.loads(out)["findings"]
    assert code == 0, "warnings alone do not fail lint"
    assert {"rule", "severity", "subject", "message"} == set(findings[0])
    rules = {(f["rule"], f["subject"]) for f in findings}
    assert ("kpi-incomplete", "uptime") in rules


def test_lint_exits_1_on_an_error_finding(tmp_path: Path):
    path = tmp_path / "okrs.yaml"
    path.write_text(GOOD.replace("kpi: nps\n", "kpi: npz\n"))
    code, out, _ = run("lint", str(path), "--as-of", "2026-08-15", "--format", "json")
    assert code == 1
    finding = next(
        f for f in json.loads(out)["findings"] if f["rule"] == "kr-unknown-kpi"
    )
    assert finding["severity"] == "error"
    assert finding["subject"] == "community-relevance/nps-up"
    assert "did you mean 'nps'?" in finding["message"]


def test_lint_table_counts_findings_by_severity(tmp_path: Path):
    path = tmp_path / "okrs.yaml"
    path.write_text(GOOD.replace("kpi: nps\n", "kpi: npz\n"))
    code, out, _ = run("lint", str(path), "--as-of", "2026-08-15")
    assert code == 1
    assert "kr-unknown-kpi" in out
    assert "1 error," in out


def test_suggest_json_ranks_kpis_for_the_cycle(tmp_path: Path):
    """NPS at 40 is amber (green from 45): worth elevating, with a draft KR."""
    path = tmp_path / "okrs.yaml"
    path.write_text(
        GOOD.replace(
            "{at: 2026-07-31, value: 48}", "{at: 2026-07-31, value: 40}"
        ).replace(
            "cycles:\n",
            "cycles:\n  - {key: 2026-Q4, start: 2026-10-01, end: 2026-12-31}\n",
        )
    )
    code, out, _ = run("suggest", str(path), "--cycle", "2026-Q4", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["cycle"] == "2026-Q4"
    assert data["suggestions"][0] == {
        "kpi": "nps",
        "baseline": 40,
        "commit_target": 45,
        "stretch_target": 65,
        "why": "amber at 40 points; 11% behind its benchmark",
        "kind": "change",
        "title": "Increase Net Promoter Score from 40 to 45",
        "stagnating": False,
        "annual_direction": [],
    }


def test_suggest_refuses_an_unknown_cycle(workspace_file: Path):
    code, _, err = run("suggest", str(workspace_file), "--cycle", "2031-Q1")
    assert code == 2
    assert "no cycle '2031-Q1' (cycles: 2026-Q3)" in err


@pytest.mark.parametrize("command", ["lint", "score"])
def test_a_bad_file_exits_2_with_one_located_line(tmp_path: Path, command: str):
    path = tmp_path / "okrs.yaml"
    path.write_text(GOOD.replace("thresholds:", "treshold:", 1))
    code, out, err = run(command, str(path))
    assert code == 2
    assert out == ""
    assert err.strip().count("\n") == 0
    assert f"{path}:18: kpis[nps].treshold: unknown field 'treshold'" in err
    assert "Traceback" not in err


ALIAS_BOMB = (
    "version: 1\na0: &a0 ["
    + ", ".join(["lol"] * 10)
    + "]\n"
    + "".join(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]\n" for n in range(1, 9))
)
"""Under 600 bytes that stand for a billion values (once: `drumbeat lint` over 120 s
and 4.5 GB)."""
DEEP = "version: 1\nkpis: " + "[" * 5000 + "]" * 5000 + "\n"
"""Nested deeper than Python's recursion: once a RecursionError and exit 1."""


@pytest.mark.parametrize("command", ["lint", "score", "review"])
@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            ALIAS_BOMB,
            ":5: the file repeats anchors too often (more than 10,000 aliased "
            "nodes): write the values out",
            id="alias-bomb",
        ),
        pytest.param(
            DEEP,
            ":2: the values nest more than 64 levels deep: a workspace file needs a "
            "handful; take out the extra brackets or indentation",
            id="deep",
        ),
    ],
)
def test_a_hostile_file_exits_2_naming_the_file_and_line(
    tmp_path: Path, command: str, text: str, message: str
):
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    code, out, err = run(command, str(path))
    assert (code, out, err) == (2, "", f"drumbeat: {path}{message}\n")


def test_a_missing_file_exits_2(tmp_path: Path):
    code, _, err = run("score", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "nope.yaml: no such file" in err


def test_a_bad_as_of_date_exits_2(workspace_file: Path):
    code, _, err = run("score", str(workspace_file), "--as-of", "2026-13-01")
    assert code == 2
    assert "'2026-13-01' is not a date as YYYY-MM-DD" in err


def test_the_installed_command_keeps_the_exit_codes(tmp_path: Path):
    """The console script itself, as a CI pipeline runs it."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("kpis: [")
    command = [sys.executable, "-m", "drumbeat", "lint", str(bad)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "malformed YAML" in result.stderr
    assert "Traceback" not in result.stderr


EXAMPLE = Path(__file__).parents[2] / "examples" / "okrs.yaml"


def test_review_json_lists_exceptions_with_owners_and_the_checkin_agenda():
    code, out, _ = run(
        "review", str(EXAMPLE), "--as-of", "2026-11-25", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    first = data["kpi_review"]["exceptions"][0]
    assert (first["key"], first["health"], first["owner"]) == (
        "logo-churn",
        "red",
        "Priya Raman",
    )
    assert "mql-to-sql" in {e["key"] for e in data["kpi_review"]["exceptions"]}
    checkins = data["checkins"]
    assert {"objective", "key_result", "forecast", "on_track", "last_checkin"} <= set(
        checkins[0]
    )
    # Low confidence comes first.
    assert checkins[0]["last_checkin"]["confidence"] < 0.5


def test_close_reports_final_grades_and_completed_kpis():
    code, out, _ = run("close", str(EXAMPLE), "--cycle", "2026-Q3", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["cycle"] == "2026-Q3"
    assert "ticket-resolution-time" in data["completed_kpis"]
    resolution = next(
        kr for kr in data["key_results"] if kr["kpi"] == "ticket-resolution-time"
    )
    assert resolution["reached"] is True
    assert resolution["proposed_threshold"] == resolution["achieved"]


def test_review_and_close_tables_render(workspace_file: Path):
    code, out, _ = run("review", str(workspace_file), "--as-of", "2026-08-15")
    assert code == 0
    assert "OKR check-in, 2026-08-15" in out
    code, out, _ = run("close", str(workspace_file), "--cycle", "2026-Q3")
    assert code == 0
    assert "Cycle 2026-Q3: final grades" in out


def test_every_problem_of_a_bad_file_is_listed_one_per_line(tmp_path: Path):
    path = tmp_path / "okrs.yaml"
    path.write_text(
        GOOD.replace("cadence: quarterly", "cadence: often").replace(
            "value: 48}", "value: lots}"
        )
    )
    code, _, err = run("score", str(path))
    assert code == 2
    assert err.splitlines() == [
        f"drumbeat: {path}:12: kpis[nps].cadence: must be one of 'daily', 'weekly', "
        "'monthly', 'quarterly' or 'yearly', not 'often'",
        f"drumbeat: {path}:25: kpis[nps].readings[2026-07-31].value: must be a "
        "number, not 'lots'",
    ]


def test_close_refuses_a_cycle_that_has_not_ended(workspace_file: Path):
    code, _, err = run(
        "close", str(workspace_file), "--cycle", "2026-Q3", "--as-of", "2026-09-30"
    )
    assert code == 2
    assert "cycle '2026-Q3' runs until 2026-09-30; close it after its end" in err


def test_lint_table_lists_errors_first(tmp_path: Path):
    path = tmp_path / "okrs.yaml"
    path.write_text(GOOD.replace("kpi: nps\n", "kpi: npz\n"))
    _, out, _ = run("lint", str(path), "--as-of", "2026-08-15")
    rows = [
        line for line in out.splitlines() if line.startswith("│ ") and "│ " in line[2:]
    ]
    severities = [
        row.split("│")[1].strip() for row in rows if row.split("│")[1].strip()
    ]
    assert severities[0] == "error"
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


def test_scores_in_tables_are_rounded_down_so_they_agree_with_the_grade(tmp_path: Path):
    """0.6996 is yellow: the table must not say 70%."""
    path = tmp_path / "okrs.yaml"
    path.write_text(GOOD.replace("value: 48}", "value: 51.992}"))
    _, out, _ = run("score", str(path), "--as-of", "2026-08-15")
    row = next(line for line in out.splitlines() if "nps-up" in line)
    assert "69%" in row
    assert "yellow" in row


def test_suggest_says_why_there_is_nothing_to_elevate(workspace_file: Path):
    code, out, _ = run("suggest", str(workspace_file), "--cycle", "2026-Q3")
    assert code == 0
    assert "no KPI is red, amber, signalling or behind its benchmark" in out
