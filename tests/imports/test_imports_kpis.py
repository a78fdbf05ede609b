"""KPI definitions in bulk from a CSV file (`drumbeat import kpis`): checked by the
workspace format's own rules, all or nothing, existing keys updated in the
columns the file has, new keys created, problems named by row and column."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.core.management import call_command

from drumbeat.cli import main
from drumbeat.imports.services import ImportRefusedError, kpis_import_file
from drumbeat.kpis.models import KPI

pytestmark = pytest.mark.django_db


def _csv(tmp_path: Path, text: str, name: str = "kpis.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


DEFINITIONS = (
    "key,name,unit,direction,cadence,team,tier,north_star,thresholds.green,"
    "thresholds.red,benchmarks.best_in_class,drives\n"
    'nps,Net Promoter Score,points,up,quarterly,support,key,no,45,30,65,"csat"\n'
    "csat,Customer satisfaction (survey),percent,up,weekly,support,key,yes,92,80,"
    ",\n"
)


def test_new_keys_are_created_and_existing_ones_updated(small_workspace, tmp_path):
    result = kpis_import_file(path=_csv(tmp_path, DEFINITIONS), by=None)
    assert (result.rows, result.created, result.updated, result.unchanged) == (
        2,
        1,
        1,
        0,
    )
    assert result.summary() == "2 KPIs: 1 new, 1 updated, 0 unchanged"
    nps = KPI.objects.get(key="nps")
    assert (nps.name, nps.cadence, nps.tier, nps.team.key if nps.team else None) == (
        "Net Promoter Score",
        "quarterly",
        "key",
        "support",
    )
    assert (nps.thresholds, nps.benchmarks, nps.drives) == (
        {"green": 45, "red": 30},
        {"best_in_class": 65},
        ["csat"],
    )
    assert nps.position == 2  # after the dictionary's KPIs
    csat = KPI.objects.get(key="csat")
    assert (csat.name, csat.thresholds) == (
        "Customer satisfaction (survey)",
        {"green": 92, "red": 80},
    )


def test_fields_without_a_column_are_kept(small_workspace, tmp_path):
    kpis_import_file(path=_csv(tmp_path, "key,unit\ncsat,share\n"), by=None)
    csat = KPI.objects.get(key="csat")
    assert (csat.unit, csat.name, csat.thresholds, csat.description) == (
        "share",
        "Customer satisfaction",
        {"green": 90, "red": 80},
        "Share of satisfied survey answers.",
    )
    assert csat.readings.count() == 2  # readings are untouched


def test_an_empty_cell_clears_its_field(small_workspace, tmp_path):
    kpis_import_file(path=_csv(tmp_path, "key,description,unit\ncsat,,\n"), by=None)
    csat = KPI.objects.get(key="csat")
    assert (csat.description, csat.unit) == ("", "")


def test_the_same_file_again_changes_nothing(small_workspace, tmp_path):
    path = _csv(tmp_path, DEFINITIONS)
    kpis_import_file(path=path, by=None)
    versions = dict(KPI.objects.values_list("key", "version"))
    again = kpis_import_file(path=path, by=None)
    assert again.summary() == "2 KPIs: 0 new, 0 updated, 2 unchanged"
    assert dict(KPI.objects.values_list("key", "version")) == versions


def test_a_change_is_kept_in_history_with_who_made_it(small_workspace, tmp_path, users):
    code, out, _ = _run(
        "import", "kpis", str(_csv(tmp_path, "key,unit\ncsat,share\n")), "--by", "admin"
    )
    assert (code, out) == (0, "1 KPI: 0 new, 1 updated, 0 unchanged\n")
    csat = KPI.objects.get(key="csat")
    assert csat.updated_by == users["admin"]
    assert [h.unit for h in csat.history.order_by("history_date")] == [
        "percent",
        "share",
    ]


def _refused_lines(path: Path) -> list[str]:
    with pytest.raises(ImportRefusedError) as raised:
        kpis_import_file(path=path, by=None)
    return raised.value.lines


def test_every_bad_cell_is_named_and_nothing_is_written(small_workspace, tmp_path):
    before = list(KPI.objects.values_list("key", "name", "direction", "version"))
    path = _csv(
        tmp_path,
        "key,name,direction,north_star,thresholds.green,team\n"
        "nps,NPS,upwards,no,45,support\n"
        "csat,CSAT,up,maybe,ninety,support\n"
        "Bad Key,Bad,up,no,1,support\n"
        "mrr,MRR,up,no,1,sales\n",
    )
    assert _refused_lines(path) == [
        "kpis.csv:3:D: north_star: 'maybe' is not true or false (or yes, no, 1, 0)",
        "kpis.csv:3:E: thresholds.green: 'ninety' is not a number: write digits "
        "with a point for decimals; a band as low, high",
    ]
    path = _csv(
        tmp_path,
        "key,name,direction,north_star,thresholds.green,team\n"
        "nps,NPS,upwards,no,45,support\n"
        "Bad Key,Bad,up,no,1,support\n",
    )
    assert _refused_lines(path) == [
        "kpis.csv:2:C: direction: must be one of 'up', 'down' or 'range', not "
        "'upwards'",
        "kpis.csv:3:A: key: 'Bad Key' is not a valid KPI key: use lower-case "
        "letters, digits and dashes",
    ]
    path = _csv(tmp_path, "key,name,team\nnps,NPS,support\nmrr,MRR,sales\n")
    assert _refused_lines(path) == [
        "kpis.csv:3:C: team: refers to team 'sales', which is not defined"
    ]
    after = list(KPI.objects.values_list("key", "name", "direction", "version"))
    assert after == before


def test_a_new_kpi_needs_a_name(small_workspace, tmp_path):
    assert _refused_lines(_csv(tmp_path, "key,unit\nnps,points\n")) == [
        "kpis.csv:2: name: missing required field 'name'"
    ]


def test_thresholds_are_checked_against_the_direction(small_workspace, tmp_path):
    path = _csv(tmp_path, "key,thresholds.green,thresholds.red\ncsat,80,90\n")
    lines = _refused_lines(path)
    assert len(lines) == 1
    assert lines[0].startswith("kpis.csv:2:B: thresholds")


def test_a_key_twice_or_reserved_is_refused(small_workspace, tmp_path):
    path = _csv(tmp_path, "key,name\nnps,NPS\nnps,NPS again\nnew,New\n,Nameless\n")
    assert _refused_lines(path) == [
        "kpis.csv:3:A: key: 'nps' is already on row 2: one row per KPI",
        "kpis.csv:4:A: key: 'new' names a page of the dictionary: choose another key",
        "kpis.csv:5:A: key: no key: every KPI needs its key",
    ]


def test_an_unknown_column_is_named_with_a_suggestion(small_workspace, tmp_path):
    path = _csv(tmp_path, "key,name,treshold.green\ncsat,CSAT,90\n")
    assert _refused_lines(path) == [
        "kpis.csv:1:C: treshold.green: unknown column (did you mean "
        "'thresholds.green'?)"
    ]


def test_a_file_that_is_not_csv_is_refused(small_workspace, tmp_path):
    assert _refused_lines(_csv(tmp_path, "key,name\n", "kpis.xlsx")) == [
        "kpis.xlsx: KPI definitions are read from a CSV file (.csv)"
    ]


def test_the_command_exits_2_with_file_row_column_lines(small_workspace, tmp_path):
    code, out, err = _run("import", "kpis", str(_csv(tmp_path, "key,unit\nnps,x\n")))
    assert (code, out) == (2, "")
    assert err == "drumbeat: kpis.csv:2: name: missing required field 'name'\n"
    assert not KPI.objects.filter(key="nps").exists()


def test_one_row_after_demo_users_counts_that_row_alone(sample_workspace, tmp_path):
    # demo_users gives Grace Liu's KPIs the account "owner", whose display name
    # is not "Grace Liu": the import re-applied them and dropped the account.
    call_command("demo_users", stdout=StringIO())
    owned = dict(
        KPI.objects.filter(owner__username="owner").values_list("key", "version")
    )
    assert len(owned) == 4
    code, out, _ = _run("import", "kpis", str(_csv(tmp_path, "key,unit\nnrr,ratio\n")))
    assert (code, out) == (0, "1 KPI: 0 new, 1 updated, 0 unchanged\n")
    still_owned = KPI.objects.filter(owner__username="owner").values_list(
        "key", "version"
    )
    assert dict(still_owned) == owned
