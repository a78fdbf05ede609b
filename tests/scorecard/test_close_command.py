"""`drumbeat close --cycle KEY` without a FILE: the database's cycle closed with
the corrective flow's defaults, or (`--dry-run`) only shown."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from drumbeat.cli import main
from drumbeat.okrs.models import CycleClose

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_workspace")]


def close(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["close", "--cycle", "2026-Q3", *arguments])
    return result.exit_code, result.stdout, result.stderr


def test_a_dry_run_shows_the_plan_and_writes_nothing():
    code, out, _ = close("--dry-run", "--format", "json")
    assert code == 0
    shown = json.loads(out)
    assert shown["dry_run"] is True
    assert shown["state"] == "closing"
    assert [(i["name"], i["default"]) for i in shown["items"]] == [
        ("history:happier/csat-up", "recorded"),
        ("history:happier/churn-down", "recorded"),
    ]
    assert not CycleClose.objects.exists()


def test_the_dry_run_table_says_nothing_was_written():
    code, out, _ = close("--dry-run")
    assert code == 0
    assert "Cycle 2026-Q3 (closing): final grades" in out
    assert "nothing was written" in out
    assert not CycleClose.objects.exists()


def test_closing_with_the_defaults_freezes_the_grades(users):
    code, out, _ = close("--by", "admin", "--format", "json")
    assert code == 0
    shown = json.loads(out)
    assert shown["state"] == "closed"
    assert shown["close"]["closed_by"] == "admin"
    assert shown["grades"][0]["score"] == pytest.approx(0.3)
    assert CycleClose.objects.get().closed_by == users["admin"]


def test_closing_twice_is_refused_with_a_message():
    assert close()[0] == 0
    code, _, err = close()
    assert code == 2
    assert err.strip() == (
        "drumbeat: 2026-Q3 is already closed; an admin may reopen it to close it again."
    )


def test_an_unknown_cycle_or_person_is_named():
    result = CliRunner().invoke(main, ["close", "--cycle", "2031-Q1"])
    assert result.exit_code == 2
    assert "no cycle '2031-Q1' in the database (cycles: 2026-Q3)" in result.stderr
    code, _, err = close("--by", "nobody")
    assert code == 2
    assert "--by: no person 'nobody'" in err
