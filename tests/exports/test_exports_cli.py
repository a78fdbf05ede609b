"""`drumbeat export readings|scores|statuses|checkins`, beside the unchanged
`drumbeat export [FILE]` of the workspace file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook  # type: ignore[import-untyped]

from drumbeat.cli import main
from drumbeat.workspace import load_workspace, load_workspace_text
from tests.conftest import SMALL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_workspace")]


def _run(*arguments: str):
    return CliRunner().invoke(main, ["export", *arguments])


def test_export_without_arguments_still_writes_the_workspace_yaml():
    result = _run()
    assert result.exit_code == 0, result.output
    assert load_workspace_text(result.output) == load_workspace_text(SMALL)


def test_export_file_still_writes_the_workspace_to_the_file(tmp_path: Path):
    target = tmp_path / "okrs.yaml"
    result = _run(str(target))
    assert result.exit_code == 0, result.output
    assert result.output == f"Exported to {target}.\n"
    assert load_workspace(target) == load_workspace_text(SMALL)


def test_readings_go_to_standard_output_as_csv():
    result = _run("readings")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["kpi"], r["at"], r["value"], r["source"]) for r in rows] == [
        ("csat", "2026-06-26", "85", "apply"),
        ("csat", "2026-07-03", "88", "apply"),
        ("churn", "2026-06-30", "2.5", "apply"),
    ]


def test_filters_as_options():
    result = _run(
        "readings", "--kpi", "churn", "--kpi", "csat", "--since", "2026-07-01"
    )
    assert [r["at"] for r in csv.DictReader(io.StringIO(result.output))] == [
        "2026-07-03"
    ]
    result = _run("readings", "--kpi", "churn,csat", "--until", "2026-06-29")
    assert [r["at"] for r in csv.DictReader(io.StringIO(result.output))] == [
        "2026-06-26"
    ]
    result = _run("statuses", "--team", "support", "--tier", "key")
    assert [r["kpi"] for r in csv.DictReader(io.StringIO(result.output))] == ["csat"]


def test_scores_as_json():
    result = _run("scores", "--format", "json", "--cycle", "2026-Q3")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["kind"] == "scores"
    assert document["filter"] == {"cycle": "2026-Q3"}
    assert [(r["level"], r["key_result"], r["score"]) for r in document["rows"]] == [
        ("objective", None, 0.3),
        ("key_result", "csat-up", 0.3),
        ("key_result", "churn-down", None),
    ]


def test_statuses_as_xlsx_to_a_file(tmp_path: Path):
    target = tmp_path / "statuses.xlsx"
    result = _run("statuses", "--format", "xlsx", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.output == f"Exported 2 statuses rows to {target}.\n"
    rows = list(load_workbook(target)["statuses"].iter_rows(values_only=True))
    assert rows[0][:3] == ("kpi", "kpi_name", "team")
    assert [(row[0], row[7], row[9]) for row in rows[1:]] == [
        ("csat", "amber", True),
        ("churn", "red", True),
    ]
    assert list(tmp_path.iterdir()) == [target]  # no partial file left behind


def test_checkins_as_csv_to_a_file(tmp_path: Path):
    target = tmp_path / "checkins.csv"
    result = _run("checkins", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.output == f"Exported 0 checkins rows to {target}.\n"
    assert target.read_text().splitlines() == [
        "cycle,objective,key_result,kpi,team,at,by,confidence,note,blockers,recorded_at"
    ]


def test_xlsx_to_standard_output_is_refused():
    result = _run("readings", "--format", "xlsx")
    assert result.exit_code == 2
    assert result.output == (
        "drumbeat: --format xlsx writes a binary file: give --output FILE "
        "(standard output takes csv or json)\n"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["readings", "--team", "sales"], "drumbeat: --team: No team 'sales'.\n"),
        (
            ["scores", "--kpi", "nps"],
            "drumbeat: --kpi: No KPI 'nps' in the dictionary.\n",
        ),
        (
            ["statuses", "--since", "2026-01-01"],
            "drumbeat: --since: KPI statuses are as of their last refresh: leave the "
            "dates empty.\n",
        ),
        (
            ["checkins", "--superseded"],
            "drumbeat: --superseded: Only readings have superseded values.\n",
        ),
        (
            ["okrs.yaml", "--team", "support"],
            "drumbeat: --team is for data exports: drumbeat export "
            "readings|scores|statuses|checkins --team ...; the workspace export "
            "takes only FILE\n",
        ),
    ],
)
def test_bad_options_exit_2_with_one_line(arguments, message):
    result = _run(*arguments)
    assert result.exit_code == 2
    assert result.output == message


def test_a_bad_date_exits_2():
    result = _run("readings", "--since", "2026-02-30")
    assert result.exit_code == 2
    assert "'2026-02-30' is not a date as YYYY-MM-DD" in result.output


def test_a_directory_as_the_workspace_file_is_refused(tmp_path: Path):
    result = _run(str(tmp_path))
    assert result.exit_code == 2
    assert result.output == (
        f"drumbeat: {tmp_path}: is a directory; give a file to write\n"
    )


def test_an_unwritable_output_exits_2_and_leaves_nothing(tmp_path: Path):
    target = tmp_path / "missing" / "readings.csv"
    result = _run("readings", "--output", str(target))
    assert result.exit_code == 2
    assert result.output.startswith(f"drumbeat: {target}: ")
    assert not target.parent.exists()
