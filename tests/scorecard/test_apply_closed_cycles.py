"""`drumbeat apply` refuses a file that changes a closed cycle's objectives, KRs,
check-ins or dates, naming the file, the line and the cycle; nothing is written.
Corrected readings still go in: they show as restatements."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from drumbeat.cli import main
from drumbeat.kpis.models import Reading
from drumbeat.okrs.models import CheckIn, KeyResult, Objective
from tests.conftest import SMALL
from tests.okrs.closes import cycle_closed

pytestmark = pytest.mark.django_db

CLOSED = "2026-Q3 was closed on 2026-10-06 by admin; an admin may reopen it."


@pytest.fixture
def closed(small_workspace, users):
    Reading.objects.update(recorded_at=dt.datetime(2026, 10, 5, tzinfo=dt.UTC))
    return cycle_closed(
        "2026-Q3", by=users["admin"], at=dt.datetime(2026, 10, 6, 10, tzinfo=dt.UTC)
    )


def _apply(tmp_path, text: str):
    path = tmp_path / "okrs.yaml"
    path.write_text(text)
    return path, CliRunner().invoke(main, ["apply", str(path)])


def test_the_same_file_again_applies_to_a_closed_cycle(closed, tmp_path):
    _, result = _apply(tmp_path, SMALL)
    assert result.exit_code == 0, result.output
    assert "Nothing to change" in result.output


def test_a_changed_kr_target_in_a_closed_cycle_is_refused_at_its_line(closed, tmp_path):
    path, result = _apply(
        tmp_path, SMALL.replace("kpi: csat, target: 95", "kpi: csat, target: 97")
    )
    assert result.exit_code == 2
    assert result.output == (
        f"drumbeat: {path}:40: objectives[happier].key_results[csat-up]: changes a "
        f"key result of a closed cycle: {CLOSED}\n"
    )
    assert KeyResult.objects.get(key="csat-up").target == 95


def test_a_new_objective_in_a_closed_cycle_is_refused_and_nothing_written(
    closed, tmp_path
):
    text = SMALL + (
        "  - key: faster\n"
        "    title: Answer faster\n"
        "    cycle: 2026-Q3\n"
        "    key_results:\n"
        "      - {key: csat-up, kpi: csat, target: 95}\n"
    )
    text = text.replace("{at: 2026-07-03, value: 88}", "{at: 2026-07-03, value: 90}")
    path, result = _apply(tmp_path, text)
    assert result.exit_code == 2
    assert result.output == (
        f"drumbeat: {path}:42: objectives[faster]: changes an objective of a closed "
        f"cycle: {CLOSED}\n"
    )
    assert not Objective.objects.filter(key="faster").exists()
    assert Reading.objects.current().get(at="2026-07-03").value == 88


def test_new_check_ins_on_a_closed_cycle_s_kr_are_refused(closed, tmp_path):
    text = SMALL.replace(
        "      - {key: churn-down, kpi: churn, target: 1.5}\n",
        "      - key: churn-down\n"
        "        kpi: churn\n"
        "        target: 1.5\n"
        "        checkins:\n"
        "          - {at: 2026-09-01, by: Grace, confidence: 0.5}\n",
    )
    path, result = _apply(tmp_path, text)
    assert result.exit_code == 2
    assert f"{path}:41: objectives[happier].key_results[churn-down]:" in result.output
    assert not CheckIn.objects.exists()


def test_a_closed_cycle_s_dates_are_refused(closed, tmp_path):
    path, result = _apply(tmp_path, SMALL.replace("end: 2026-09-30", "end: 2026-10-31"))
    assert result.exit_code == 2
    assert result.output == (
        f"drumbeat: {path}:32: cycles[2026-Q3]: changes the dates of a closed "
        f"cycle: {CLOSED}\n"
    )


def test_a_corrected_reading_of_a_closed_cycle_is_applied(closed, tmp_path):
    _, result = _apply(
        tmp_path,
        SMALL.replace("{at: 2026-07-03, value: 88}", "{at: 2026-07-03, value: 92}"),
    )
    assert result.exit_code == 0, result.output
    assert result.output == "Applied: 1 reading updated.\n"
