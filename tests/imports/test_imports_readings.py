"""Importing readings from CSV and XLSX files, from the command line and through
`readings_import_file`: all or nothing, idempotent, corrections kept, every
problem named by row and column, and memory bounded however long the file."""

from __future__ import annotations

import datetime as dt
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner

from drumbeat.cli import main
from drumbeat.imports.services import (
    ImportProgress,
    ImportRefusedError,
    readings_import_file,
)
from drumbeat.kpis.models import Reading
from drumbeat.kpis.services.readings import IngestResult, ReadingIn
from drumbeat.okrs.models import KeyResult

pytestmark = pytest.mark.django_db


def _csv(tmp_path: Path, text: str, name: str = "readings.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _xlsx(tmp_path: Path, rows: list[list[Any]], name: str = "readings.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def _current(kpi: str) -> list[tuple[str, float]]:
    rows = Reading.objects.filter(kpi__key=kpi, superseded_at__isnull=True)
    return [(r.at, r.value) for r in rows.order_by("day", "at")]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


LONG = "kpi,at,value,note\ncsat,2026-07-10,91,survey\nchurn,2026-07-31,1.8,\n"


def test_a_long_csv_records_its_readings_with_provenance(small_workspace, tmp_path):
    result = readings_import_file(path=_csv(tmp_path, LONG), by=None)
    assert (result.created, result.corrected, result.unchanged) == (2, 0, 0)
    assert result.kpi_keys == {"csat", "churn"}
    reading = Reading.objects.get(kpi__key="csat", at="2026-07-10")
    assert (reading.value, reading.note, reading.source, reading.source_detail) == (
        91.0,
        "survey",
        "import",
        "readings.csv",
    )
    # csat-up: baseline 85, target 95; 91 is 60% of the way, at once.
    assert KeyResult.objects.get(key="csat-up").progress == pytest.approx(0.6)


def test_a_wide_xlsx_records_one_reading_per_filled_cell(small_workspace, tmp_path):
    path = _xlsx(
        tmp_path,
        [
            ["Date", "csat", "churn"],
            [dt.date(2026, 7, 10), 91, None],
            [dt.date(2026, 7, 31), 92.5, 1.8],
        ],
    )
    result = readings_import_file(path=path, by=None)
    assert (result.created, result.corrected, result.unchanged) == (3, 0, 0)
    assert _current("csat")[-2:] == [("2026-07-10", 91.0), ("2026-07-31", 92.5)]
    assert _current("churn")[-1] == ("2026-07-31", 1.8)


def test_a_long_xlsx_with_a_note_column(small_workspace, tmp_path):
    path = _xlsx(
        tmp_path,
        [["KPI", "Day", "Value", "Note"], ["csat", dt.date(2026, 7, 10), 91, "q"]],
    )
    readings_import_file(path=path, by=None)
    assert Reading.objects.get(kpi__key="csat", at="2026-07-10").note == "q"


def test_the_same_file_again_changes_nothing(small_workspace, tmp_path):
    path = _csv(tmp_path, LONG)
    readings_import_file(path=path, by=None)
    count = Reading.objects.count()
    again = readings_import_file(path=path, by=None)
    assert (again.created, again.corrected, again.unchanged) == (0, 0, 2)
    assert Reading.objects.count() == count


def test_a_changed_value_on_reimport_is_a_correction_that_keeps_the_old_one(
    small_workspace, tmp_path
):
    readings_import_file(path=_csv(tmp_path, LONG), by=None)
    changed = _csv(tmp_path, LONG.replace(",91,", ",93,"), "readings-fixed.csv")
    result = readings_import_file(path=changed, by=None)
    assert (result.created, result.corrected, result.unchanged) == (0, 1, 1)
    assert _current("csat")[-1] == ("2026-07-10", 93.0)
    old = Reading.objects.get(kpi__key="csat", at="2026-07-10", value=91)
    assert old.superseded_at is not None
    new = Reading.objects.get(kpi__key="csat", at="2026-07-10", value=93)
    assert new.source_detail == "readings-fixed.csv"


def test_a_bad_file_lists_every_problem_and_writes_nothing(small_workspace, tmp_path):
    count = Reading.objects.count()
    path = _csv(
        tmp_path,
        "kpi,at,value\n"
        "csat,2026-07-10,91\n"  # good, but not written: the file is refused
        "nps,2026-07-10,40\n"
        "csat,2026-07-11,12;5\n"
        "kpi,at,value\n",
    )
    with pytest.raises(ImportRefusedError) as raised:
        readings_import_file(path=path, by=None)
    assert raised.value.lines == [
        "readings.csv:3:A: kpi: no KPI 'nps' in the dictionary: use a key from the "
        "dictionary, or add the KPI first",
        "readings.csv:4:C: value: '12;5' is not a number: write digits with a point "
        "for decimals (1234.5); a comma may only group thousands (1,234.5)",
        "readings.csv:5: repeats the header (row 1): delete this row",
    ]
    assert Reading.objects.count() == count


def test_a_header_without_rows_is_refused(small_workspace, tmp_path):
    with pytest.raises(ImportRefusedError) as raised:
        readings_import_file(path=_csv(tmp_path, "kpi,at,value\n"), by=None)
    assert raised.value.lines == [
        "readings.csv:1: no readings: the file has a header but no readings below it"
    ]


def test_a_kpi_removed_meanwhile_is_located_by_row_and_column(
    small_workspace, tmp_path, monkeypatch
):
    """The ingest's own check (a KPI deleted between the file's check and the
    ingest's) is named by row and column too."""
    from drumbeat.imports import services
    from drumbeat.imports.readers.rows import KPIAccess

    count = Reading.objects.count()
    access = KPIAccess(known={"csat", "churn", "gone"})
    path = _csv(tmp_path, "kpi,at,value\ncsat,2026-07-10,91\ngone,2026-07-10,4\n")
    monkeypatch.setattr(services, "kpi_access", lambda user: access)
    with pytest.raises(ImportRefusedError) as raised:
        readings_import_file(path=path, by=None)
    assert raised.value.lines == [
        "readings.csv:3:A: kpi: no KPI 'gone' in the dictionary: check the key, or "
        "add the KPI first"
    ]
    assert Reading.objects.count() == count


def test_progress_goes_through_each_pass_to_done(small_workspace, tmp_path):
    rows = "".join(
        f"csat,{dt.date(1990, 1, 1) + dt.timedelta(days=i)},{90 + i % 5}\n"
        for i in range(12_000)
    )
    path = _csv(tmp_path, "kpi,at,value\n" + rows)
    steps: list[ImportProgress] = []
    readings_import_file(path=path, by=None, progress=steps.append)
    phases = list(dict.fromkeys(step.phase for step in steps))
    assert phases == ["write", "refresh", "done"]
    assert steps[-1] == ImportProgress("done", 12_000, 12_000)
    written = [s.rows for s in steps if s.phase == "write"]
    assert written == sorted(written)
    assert 10_000 <= written[-1] <= 12_000  # told every 5,000 rows or half second
    assert next(s.rows for s in steps if s.phase == "refresh") == 12_000
    assert {s.total for s in steps if s.phase != "done"} == {12_000}


def test_a_200000_row_csv_streams_with_bounded_memory(
    small_workspace, tmp_path, monkeypatch
):
    """Each pass over a file streams it: the ingest gets an iterator, never a
    list, and reading 200,000 rows peaks at a small part of what their readings
    take held at once. (readings_ingest takes them a chunk at a time; it is
    stubbed here, and only the first of the two identical passes is traced, to
    keep the test fast.)"""
    counted: list[int] = []
    peaks: list[int] = []

    def ingest(*, readings: Any, **_: Any) -> IngestResult:
        for _pass in range(2):  # check, then write: as readings_ingest does
            stream = readings()
            assert not isinstance(stream, list | tuple)
            counted.append(sum(1 for _reading in stream))
            if tracemalloc.is_tracing():
                peaks.append(tracemalloc.get_traced_memory()[1])
                tracemalloc.stop()
        return IngestResult(created=counted[-1])

    monkeypatch.setattr("drumbeat.imports.services.readings_ingest", ingest)
    start = dt.date(1400, 1, 1)
    path = tmp_path / "big.csv"
    with path.open("w") as file:
        file.write("kpi,at,value\n")
        file.writelines(
            f"csat,{start + dt.timedelta(days=i)},{i % 97}.5\n" for i in range(200_000)
        )
    one = ReadingIn("csat", "2026-07-10", 91.5)
    # A list of 200,000 readings and their values, not counting their text.
    all_at_once = 200_000 * (sys.getsizeof(one) + sys.getsizeof(one.value) + 8)
    tracemalloc.start()
    try:
        readings_import_file(path=path, by=None)
    finally:
        tracemalloc.stop()
    assert counted == [200_000, 200_000]
    assert peaks[0] < all_at_once / 10, (peaks[0], all_at_once)


# --- The command line --------------------------------------------------------------


def test_the_command_prints_a_summary(small_workspace, tmp_path, users):
    path = _csv(tmp_path, LONG)
    code, out, err = _run("import", "readings", str(path), "--by", "owner")
    assert (code, out, err) == (
        0,
        "2 readings: 2 new, 0 corrected, 0 unchanged\n",
        "",
    )
    reading = Reading.objects.get(kpi__key="churn", at="2026-07-31")
    assert reading.recorded_by == users["owner"]
    assert reading.source_detail == "readings.csv"


def test_the_command_takes_the_kpi_of_an_at_value_file(small_workspace, tmp_path):
    path = _csv(tmp_path, "date,value\n2026-07-10,91\n2026-07-17,92\n")
    code, out, _ = _run("import", "readings", str(path), "--kpi", "csat")
    assert (code, out) == (0, "2 readings: 2 new, 0 corrected, 0 unchanged\n")
    assert _current("csat")[-2:] == [("2026-07-10", 91.0), ("2026-07-17", 92.0)]


def test_the_command_reads_a_named_sheet(small_workspace, tmp_path):
    workbook = openpyxl.Workbook()
    cover = workbook.active
    assert cover is not None
    cover.append(["Support figures"])
    sheet = workbook.create_sheet("Weekly")
    sheet.append(["at", "csat"])
    sheet.append([dt.date(2026, 7, 10), 91])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    code, out, _ = _run("import", "readings", str(path), "--sheet", "Weekly")
    assert (code, out) == (0, "1 readings: 1 new, 0 corrected, 0 unchanged\n")


def test_a_bad_file_exits_2_with_file_row_column_lines(small_workspace, tmp_path):
    count = Reading.objects.count()
    path = _csv(tmp_path, "kpi,at,value\ncsat,31/07/2026,91\nchurn,2026-07-31,x\n")
    code, out, err = _run("import", "readings", str(path))
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        "drumbeat: readings.csv:2:B: at: '31/07/2026' is not a date: write "
        "YYYY-MM-DD (2026-07-10) or an ISO timestamp (2026-07-10T14:30:00Z); a "
        "spreadsheet date cell works too",
        "drumbeat: readings.csv:3:C: value: 'x' is not a number: write digits with "
        "a point for decimals (1234.5); a comma may only group thousands (1,234.5)",
    ]
    assert Reading.objects.count() == count


def test_the_command_refuses_an_unknown_person(small_workspace, tmp_path):
    code, _, err = _run("import", "readings", str(_csv(tmp_path, LONG)), "--by", "zed")
    assert (code, err) == (2, "drumbeat: --by: no user 'zed' in Drumbeat\n")


def test_the_command_refuses_a_missing_file(small_workspace, tmp_path):
    code, _, err = _run("import", "readings", str(tmp_path / "nope.csv"))
    assert code == 2
    assert err == f"drumbeat: nope.csv: no such file: {tmp_path / 'nope.csv'}\n"
