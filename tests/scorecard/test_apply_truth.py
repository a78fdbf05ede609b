"""`drumbeat apply` tells the truth: what the database holds and the file does
not is listed and left alone (archived with --prune); work done outside the file
is never silently undone (--overwrite); --dry-run writes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from drumbeat.audit.models import Event
from drumbeat.cli import main
from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.services.readings import reading_record
from drumbeat.okrs.models import CheckIn, KeyResult, Objective
from drumbeat.okrs.services import key_result_check_in
from drumbeat.scorecard import sync
from drumbeat.scorecard.sync import OverwriteRefusedError, workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import SMALL

pytestmark = pytest.mark.django_db

WITHOUT_CHURN_KR = SMALL.replace(
    "      - {key: churn-down, kpi: churn, target: 1.5}\n", ""
)


def _apply(tmp_path, text: str, *options: str):
    path = tmp_path / "workspace.yaml"
    path.write_text(text)
    return CliRunner().invoke(main, ["apply", str(path), *options])


def test_a_key_result_removed_from_the_file_is_listed_and_left_alone(tmp_path):
    workspace_apply(load_workspace_text(SMALL))
    result = _apply(tmp_path, WITHOUT_CHURN_KR)
    assert result.exit_code == 0, result.output
    assert "already matches" not in result.output
    assert result.output.splitlines() == [
        "Nothing in the file to change.",
        "Not in the file, left alone (1; --prune archives them):",
        "  key result happier/churn-down",
    ]
    assert KeyResult.objects.get(key="churn-down").archived is False


def test_prune_archives_what_is_not_in_the_file(tmp_path):
    workspace_apply(load_workspace_text(SMALL))
    result = _apply(tmp_path, WITHOUT_CHURN_KR, "--prune")
    assert result.exit_code == 0, result.output
    assert "Applied: 1 archived (--prune)." in result.output
    churn_down = KeyResult.objects.get(key="churn-down")
    assert churn_down.archived is True
    event = Event.objects.get(action="archived")
    assert event.subject == "key result happier/churn-down"
    # Archived, it is no longer listed: the database now matches the file.
    again = _apply(tmp_path, WITHOUT_CHURN_KR)
    assert again.output.strip() == (
        "Nothing to change: the database already matches the file."
    )


def test_prune_is_all_or_nothing(monkeypatch):
    workspace_apply(load_workspace_text(SMALL))
    smaller = WITHOUT_CHURN_KR.replace("Customers are happier", "Happier customers")
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["subject"])
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(sync, "archived_set", failing)
    with pytest.raises(RuntimeError):
        workspace_apply(load_workspace_text(smaller), prune=True)
    assert calls == ["key result happier/churn-down"]
    assert Objective.objects.get(key="happier").title == (
        "Customers are happier with support"
    )
    assert KeyResult.objects.get(key="churn-down").archived is False


def test_a_kpi_a_cycle_and_an_objective_not_in_the_file_are_listed(tmp_path):
    workspace_apply(load_workspace_text(SMALL))
    only_teams = SMALL[: SMALL.index("kpis:")]
    result = workspace_apply(load_workspace_text(only_teams))
    assert result.not_in_file == [
        "KPI csat",
        "KPI churn",
        "cycle 2026-Q3",
        "objective happier",
    ]
    assert result.changed is False


def _checked_in_on_the_web(users) -> None:
    key_result_check_in(
        key_result=KeyResult.objects.get(key="csat-up"),
        by=users["editor"],
        confidence=0.6,
        note="On track",
    )


def test_a_check_in_made_on_the_web_is_kept_and_listed(users):
    workspace_apply(load_workspace_text(SMALL))
    _checked_in_on_the_web(users)
    result = workspace_apply(load_workspace_text(SMALL))
    assert result.changed is False
    assert result.not_in_file == [
        "check-in on happier/csat-up of 2026-11-25 by editor (on the web or the API)"
    ]
    assert CheckIn.objects.get().note == "On track"


def test_a_check_in_added_to_the_file_is_added_beside_the_web_ones(users):
    workspace_apply(load_workspace_text(SMALL))
    _checked_in_on_the_web(users)
    with_checkin = SMALL.replace(
        "      - {key: csat-up, kpi: csat, target: 95}\n",
        "      - key: csat-up\n        kpi: csat\n        target: 95\n"
        "        checkins:\n          - {at: 2026-07-10, by: Grace, confidence: 0.8}\n",
    )
    result = workspace_apply(load_workspace_text(with_checkin))
    assert result.created["check-in"] == 1
    assert CheckIn.objects.count() == 2


def _corrected_through_the_api(users) -> None:
    reading_record(
        kpi=KPI.objects.get(key="csat"),
        at=dt.date(2026, 7, 3),
        value=89,
        by=users["admin"],
        source=Reading.Source.API,
    )


def test_a_reading_corrected_outside_the_file_is_not_reverted(tmp_path, users):
    workspace_apply(load_workspace_text(SMALL))
    _corrected_through_the_api(users)
    result = _apply(tmp_path, SMALL)
    assert result.exit_code == 2
    assert "would overwrite 1 value recorded outside it; nothing was written" in (
        result.output
    )
    assert "reading csat 2026-07-03: 89 (api by admin) → 88 in the file" in (
        result.output
    )
    current = Reading.objects.current().get(kpi__key="csat", at="2026-07-03")
    assert current.value == 89


def test_overwrite_replaces_a_reading_recorded_outside_the_file(users):
    workspace_apply(load_workspace_text(SMALL))
    _corrected_through_the_api(users)
    with pytest.raises(OverwriteRefusedError):
        workspace_apply(load_workspace_text(SMALL))
    result = workspace_apply(load_workspace_text(SMALL), overwrite=True)
    assert result.updated["reading"] == 1
    assert result.would_overwrite == [
        "reading csat 2026-07-03: 89 (api by admin) → 88 in the file"
    ]
    current = Reading.objects.current().get(kpi__key="csat", at="2026-07-03")
    assert current.value == 88


def test_a_reading_recorded_outside_the_file_on_another_day_is_kept(users):
    workspace_apply(load_workspace_text(SMALL))
    reading_record(
        kpi=KPI.objects.get(key="csat"), at=dt.date(2026, 7, 10), value=90, by=None
    )
    result = workspace_apply(load_workspace_text(SMALL))
    assert result.not_in_file == [
        "1 reading of csat (kept: readings are never archived)"
    ]
    assert Reading.objects.current().filter(kpi__key="csat").count() == 3


def test_a_dry_run_prints_the_plan_and_writes_nothing(tmp_path):
    workspace_apply(load_workspace_text(SMALL))
    changed = WITHOUT_CHURN_KR.replace("{green: 90, red: 80}", "{green: 92, red: 80}")
    events = Event.objects.count()
    result = _apply(tmp_path, changed, "--dry-run", "--prune")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Would apply: 1 KPI updated, 1 archived (--prune).",
        "Archived, not in the file (1):",
        "  key result happier/churn-down",
        "Dry run: nothing was written.",
    ]
    assert KPI.objects.get(key="csat").thresholds == {"green": 90, "red": 80}
    assert KeyResult.objects.get(key="churn-down").archived is False
    assert Event.objects.count() == events


def test_the_json_output_adds_what_is_not_in_the_file(tmp_path):
    workspace_apply(load_workspace_text(SMALL))
    result = _apply(tmp_path, WITHOUT_CHURN_KR, "--format", "json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["not_in_file"] == ["key result happier/churn-down"]
    assert answer["archived"] == []
    assert answer["would_overwrite"] == []
    assert answer["changed"] is False
