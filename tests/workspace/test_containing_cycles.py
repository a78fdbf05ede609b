"""A cycle's `parent`: a year containing its quarters, and a KPI's `review_cadence`,
loaded, refused with a located message, and written back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from drumbeat.cli import main
from drumbeat.core.model import Cadence
from drumbeat.workspace import WorkspaceError, load_workspace_text
from drumbeat.workspace.dump import dump_workspace

FILE = """\
version: 1
kpis:
  - {key: dau, name: Daily active users, cadence: monthly, review_cadence: quarterly}
cycles:
  - {key: fy2027, start: 2027-01-01, end: 2027-12-31}
  - {key: 2027-q1, start: 2027-01-01, end: 2027-03-31, parent: fy2027}
objectives:
  - {key: grow, title: Grow, cycle: fy2027}
  - {key: grow-q1, title: Grow this quarter, cycle: 2027-q1, parent: grow}
"""


def test_a_year_contains_its_quarters_and_a_quarterly_objective_aligns_to_it() -> None:
    ws = load_workspace_text(FILE)
    year, quarter = ws.cycles
    assert (year.parent, quarter.parent) == (None, "fy2027")
    assert ws.containing_cycle(quarter) == year
    assert ws.objectives[1].parent == "grow"
    assert ws.kpis[0].review_cadence is Cadence.QUARTERLY


def test_parent_and_review_cadence_are_written_back() -> None:
    text = dump_workspace(load_workspace_text(FILE))
    assert "parent: fy2027" in text
    assert "review_cadence: quarterly" in text
    assert load_workspace_text(text) == load_workspace_text(FILE)


QUARTER = "end: 2027-03-31, parent: fy2027}"


@pytest.mark.parametrize(
    ("quarter", "message"),
    [
        ("end: 2027-03-31, parent: fy2028}", "refers to cycle 'fy2028', which is not"),
        ("end: 2028-03-31, parent: fy2027}", "does not fit inside 'fy2027'"),
        ("end: 2027-03-31, parent: 2027-q1}", "a cycle cannot contain itself"),
    ],
)
def test_a_bad_parent_is_refused_with_the_field_named(
    quarter: str, message: str
) -> None:
    with pytest.raises(WorkspaceError) as error:
        load_workspace_text(FILE.replace(QUARTER, quarter))
    assert "cycles[2027-q1].parent" in str(error.value)
    assert message in str(error.value)


def test_cycles_contain_others_one_level_deep() -> None:
    text = FILE.replace(
        "  - {key: fy2027, start: 2027-01-01, end: 2027-12-31}",
        "  - {key: decade, start: 2020-01-01, end: 2029-12-31}\n"
        "  - {key: fy2027, start: 2027-01-01, end: 2027-12-31, parent: decade}",
    )
    with pytest.raises(WorkspaceError, match="one level deep"):
        load_workspace_text(text)


def test_a_bad_review_cadence_names_the_field() -> None:
    with pytest.raises(WorkspaceError) as error:
        load_workspace_text(
            FILE.replace("review_cadence: quarterly", "review_cadence: often")
        )
    assert "kpis[dau].review_cadence" in str(error.value)


def test_drumbeat_review_names_the_kpis_whose_review_is_not_due(tmp_path: Path) -> None:
    path = tmp_path / "okrs.yaml"
    path.write_text(
        "version: 1\nkpis:\n"
        "  - {key: dau, name: DAU, cadence: monthly, review_cadence: quarterly,\n"
        "     thresholds: {green: 10}, readings: [{at: 2027-05-01, value: 20}]}\n"
    )
    result = CliRunner().invoke(
        main, ["review", str(path), "--as-of", "2027-05-12", "--format", "json"]
    )
    assert json.loads(result.output)["kpi_review"]["not_due"] == ["dau"]
    text = CliRunner().invoke(main, ["review", str(path), "--as-of", "2027-05-12"])
    assert "On track, review not due (review cadence): dau" in text.output
