"""`drumbeat apply` and `drumbeat export`: file ⇄ database, lossless and idempotent."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from drumbeat.cli import main
from drumbeat.kpis.models import KPI, KPIStatus, Reading
from drumbeat.okrs.models import KeyResult, Objective
from drumbeat.scorecard.sync import workspace_apply, workspace_export
from drumbeat.workspace import WorkspaceError, load_workspace, load_workspace_text
from tests.cli.test_cli import ALIAS_BOMB, DEEP
from tests.conftest import EXAMPLE, SMALL

pytestmark = pytest.mark.django_db


def test_apply_creates_everything_in_the_file():
    result = workspace_apply(load_workspace_text(SMALL))
    assert result.created["KPI"] == 2
    assert result.created["reading"] == 3
    assert result.created["objective"] == 1
    assert result.created["key result"] == 2
    team = KPI.objects.get(key="csat").team
    assert team is not None
    assert team.key == "support"


def test_the_second_apply_changes_nothing():
    workspace = load_workspace_text(SMALL)
    workspace_apply(workspace)
    history = KPI.history.count()
    readings = Reading.objects.count()
    result = workspace_apply(workspace)
    assert result.changed is False
    assert (
        result.summary() == "Nothing to change: the database already matches the file."
    )
    assert (KPI.history.count(), Reading.objects.count()) == (history, readings)


def test_a_changed_definition_is_kept_in_history():
    workspace_apply(load_workspace_text(SMALL))
    workspace_apply(
        load_workspace_text(
            SMALL.replace("{green: 90, red: 80}", "{green: 92, red: 80}")
        )
    )
    csat = KPI.objects.get(key="csat")
    assert csat.thresholds == {"green": 92, "red": 80}
    assert csat.version == 2
    assert [h.thresholds["green"] for h in csat.history.order_by("history_date")] == [
        90,
        92,
    ]


def test_a_changed_reading_is_a_correction_that_keeps_the_old_value():
    workspace_apply(load_workspace_text(SMALL))
    result = workspace_apply(
        load_workspace_text(
            SMALL.replace("{at: 2026-07-03, value: 88}", "{at: 2026-07-03, value: 87}")
        )
    )
    assert result.updated["reading"] == 1
    values = Reading.objects.filter(kpi__key="csat", at="2026-07-03").order_by(
        "recorded_at", "pk"
    )
    assert [(r.value, r.superseded_at is not None) for r in values] == [
        (88, True),
        (87, False),
    ]


def test_apply_computes_statuses_and_scores():
    workspace_apply(load_workspace_text(SMALL))
    churn = KPIStatus.objects.get(kpi__key="churn")
    assert (churn.health, churn.latest_value) == ("red", 2.5)
    kr = KeyResult.objects.get(key="csat-up")
    # Baseline 85 (2026-06-26), current 88 (2026-07-03), target 95.
    assert (kr.computed_baseline, kr.current) == (85, 88)
    assert kr.score == pytest.approx(0.3)
    assert Objective.objects.get(key="happier").score == pytest.approx(0.3)


def test_apply_is_all_or_nothing(monkeypatch):
    """A failure half-way leaves the database as it was."""
    from drumbeat.scorecard import sync

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sync, "statuses_refresh", fail)
    with pytest.raises(RuntimeError):
        workspace_apply(load_workspace_text(SMALL))
    assert KPI.objects.count() == 0
    assert Reading.objects.count() == 0


def test_apply_export_apply_is_lossless():
    original = load_workspace(EXAMPLE)
    workspace_apply(original)
    exported = load_workspace_text(workspace_export())
    assert exported == original
    assert workspace_apply(exported).changed is False


def test_refresh_statuses_recomputes_as_of_a_date():
    from django.core.management import call_command

    workspace_apply(load_workspace_text(SMALL))
    call_command("refresh_statuses", "--as-of", "2026-07-06", verbosity=0)
    csat = KPIStatus.objects.get(kpi__key="csat")
    assert (str(csat.as_of), csat.stale, csat.lifecycle) == (
        "2026-07-06",
        False,
        "okr_target",
    )
    call_command("refresh_statuses", "--as-of", "2026-12-01", verbosity=0)
    csat = KPIStatus.objects.get(kpi__key="csat")
    assert (csat.stale, csat.lifecycle) == (True, "at_risk")


def test_drumbeat_apply_refuses_a_reading_after_tomorrow_at_its_line(tmp_path):
    """Today is 2026-11-25 in the tests: a reading of 2026-12-01 is a typo."""
    path = tmp_path / "okrs.yaml"
    path.write_text(
        SMALL.replace(
            "      - {at: 2026-07-03, value: 88}\n",
            "      - {at: 2026-07-03, value: 88}\n"
            "      - {at: 2026-12-01, value: 89}\n",
        )
    )
    result = CliRunner().invoke(main, ["apply", str(path)])
    assert result.exit_code == 2
    assert result.output == (
        f"drumbeat: {path}:21: kpis[csat].readings[2026-12-01].at: 2026-12-01 is in "
        "the future: a reading may be dated 2026-11-26 at the latest (today is "
        "2026-11-25); check the date\n"
    )
    assert not KPI.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ALIAS_BOMB, ":5: the file repeats anchors too often"),
        (DEEP, ":2: the values nest more than 64 levels deep"),
    ],
)
def test_drumbeat_apply_refuses_a_hostile_file_and_writes_nothing(
    tmp_path, text, message
):
    path = tmp_path / "okrs.yaml"
    path.write_text(text)
    result = CliRunner().invoke(main, ["apply", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith(f"drumbeat: {path}{message}")
    assert not KPI.objects.exists()


def test_readings_the_service_refuses_are_named_as_the_file_names_them():
    """A workspace built in code (not loaded with today) meets the reading
    service's own check, and the refusal names the reading."""
    workspace = load_workspace_text(
        SMALL.replace("- {at: 2026-07-03, value: 88}", "- {at: 2027-01-08, value: 88}")
    )
    with pytest.raises(WorkspaceError) as refused:
        workspace_apply(workspace)
    assert refused.value.lines == [
        "workspace: kpis[csat].readings[2027-01-08].at: 2027-01-08 is in the future: "
        "a reading may be dated 2026-11-26 at the latest (today is 2026-11-25); "
        "check the date"
    ]
    assert not Reading.objects.exists()


def test_the_summary_counts_only_what_changed():
    result = workspace_apply(load_workspace_text(SMALL))
    assert result.summary() == (
        "Applied: 2 KPIs created, 1 cycle created, 2 key results created, "
        "1 objective created, 3 readings created, 2 teams created, "
        "1 organisation updated, 1 team parent updated."
    )
