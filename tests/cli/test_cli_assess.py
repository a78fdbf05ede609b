"""`drumbeat assess FILE [--as-of DATE] [--answer Q=yes|no] [--format json]`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import run, workspace_file  # noqa: F401


def test_assess_json_names_the_type_the_evidence_and_the_steps(
    workspace_file: Path,  # noqa: F811
) -> None:
    code, out, _ = run(
        "assess", str(workspace_file), "--as-of", "2026-05-15",
        "--answer", "key_kpis_agreed=no", "--format", "json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["type"] == 1
    assert data["label"] == "Type 1: informal KPIs"
    assert set(data["evidence"]) == {"informal", "targeted", "monitor"}
    assert data["recommendation"][0].startswith("If you have many informal KPIs")
    answers = {a["question"]: a["answer"] for a in data["answers"]}
    assert answers == {
        "key_kpis_agreed": False,
        "kpis_have_targets": None,
        "dashboard_reviewed": None,
    }
    assert all(set(step) == {"text", "kpis"} for step in data["next_steps"])


def test_assess_table_quotes_the_seed(workspace_file: Path) -> None:  # noqa: F811
    code, out, _ = run("assess", str(workspace_file), "--as-of", "2026-05-15")
    assert code == 0
    assert "What seed 001 recommends:" in out
    assert "Next steps:" in out


def test_assess_refuses_an_unknown_answer(workspace_file: Path) -> None:  # noqa: F811
    code, _, err = run("assess", str(workspace_file), "--answer", "mood=yes")
    assert code == 2
    assert "--answer 'mood=yes'" in err
    assert "Traceback" not in err
