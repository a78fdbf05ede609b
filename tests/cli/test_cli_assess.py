"""`drumbeat assess FILE [--as-of DATE] [--answer Q=yes|no] [--format json]`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import EXAMPLE, run, workspace_file  # noqa: F401


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


def test_assess_judges_the_quarter_not_the_year_it_starts_with() -> None:
    """The sample as of 2027-01-15: fy2027 and 2027-Q1 both start on 2027-01-01;
    the quarter is judged. Worked by hand, it is still type 2, for other reasons
    than the year gave:

    - logo-churn: fy2027's KR (1.2) and 2027-Q1's (1.5) are one target, not two
      (the quarter follows the year); but 2026-Q3 (1.2), 2026-Q4 (1.5) and
      2027-Q1 (1.5), the last 3 sprints, each target it: a standing target;
    - dau: 15,000, 16,000 and 17,500 in those three quarters: standing too;
    - csat: its own corrective action, and q1-customers-stay targets it in
      2027-Q1: an action plan under an OKR.
    """
    code, out, _ = run(
        "assess", str(EXAMPLE), "--as-of", "2027-01-15", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    targeted = data["evidence"]["targeted"]
    assert targeted["cycle"] == "2027-Q1"
    assert targeted["targeted_twice"] == []
    assert targeted["standing"] == ["logo-churn", "dau"]
    assert targeted["action_plans"] == ["csat"]
    assert data["type"] == 2
    assert data["reasons"][1] == (
        "They are targeted directly: 3 key KPIs are targeted twice, cycle after "
        "cycle, or carry their own action plans while OKRs target them."
    )
    # nrr is the year's alone: in force in 2027-Q1 with the quarter's own KRs.
    assert data["evidence"]["monitor"]["key_targeted"] == [
        "mrr", "nrr", "csat", "logo-churn", "dau",
    ]  # fmt: skip
    code, table, _ = run("assess", str(EXAMPLE), "--as-of", "2027-01-15")
    assert "in 2027-Q1 too" in table
    assert "fy2027" not in table
