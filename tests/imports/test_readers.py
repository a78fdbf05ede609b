"""Reading readings out of CSV and XLSX files: layouts, cells, and every bad input
named by its row and column. Pure: no database."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import openpyxl  # type: ignore[import-untyped]
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from drumbeat.imports.readers.cells import (
    ACCEPTED_DATES,
    CellValueError,
    Percent,
    parse_moment,
    parse_value,
)
from drumbeat.imports.readers.files import opened
from drumbeat.imports.readers.layouts import Format, detect_layout
from drumbeat.imports.readers.problems import FileRefusedError, Problems
from drumbeat.imports.readers.rows import KPIAccess, _Rows, read_readings

ACCESS = KPIAccess(known={"csat", "churn", "nps"})


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


def _read(
    path: Path, *, kpi: str | None = None, access: KPIAccess = ACCESS
) -> tuple[list[tuple[str, str, float, str]], list[str]]:
    """(kpi, at, value, note) of each reading, and each problem as the CLI says it."""
    with opened(path) as table:
        layout = detect_layout(table, fixed_kpi=kpi)
        problems = Problems()
        readings = [
            (r.kpi, r.at, r.value, r.note)
            for r in read_readings(table, layout, access, problems)
        ]
    return readings, [p.line(path.name) for p in problems.sorted()]


def _refused(path: Path, *, kpi: str | None = None) -> list[str]:
    with pytest.raises(FileRefusedError) as raised, opened(path) as table:
        detect_layout(table, fixed_kpi=kpi)
    return [p.line(path.name) for p in raised.value.problems]


# --- Layouts -----------------------------------------------------------------------


def test_a_long_file_gives_one_reading_per_row(tmp_path):
    path = _csv(
        tmp_path,
        "kpi,at,value,note\ncsat,2026-07-10,91.5,survey\nchurn,2026-07-31,1.8,\n",
    )
    assert _read(path) == (
        [
            ("csat", "2026-07-10", 91.5, "survey"),
            ("churn", "2026-07-31", 1.8, ""),
        ],
        [],
    )


def test_header_names_are_matched_whatever_their_case_and_aliases(tmp_path):
    path = _csv(tmp_path, " KPI ;Date;Value;Comments\nCSAT;2026-07-10;91;ok\n")
    with opened(path) as table:
        layout = detect_layout(table)
    assert (layout.format, layout.kpi, layout.at, layout.value, layout.note) == (
        Format.LONG,
        0,
        1,
        2,
        3,
    )
    assert _read(path)[0] == [("csat", "2026-07-10", 91.0, "ok")]


def test_a_wide_file_has_a_column_per_kpi_and_skips_empty_cells(tmp_path):
    path = _csv(
        tmp_path,
        "day,csat,churn\n2026-07-10,91,\n2026-07-31,,1.8\n2026-08-07,92,1.7\n",
    )
    readings, problems = _read(path)
    assert problems == []
    assert readings == [
        ("csat", "2026-07-10", 91.0, ""),
        ("churn", "2026-07-31", 1.8, ""),
        ("csat", "2026-08-07", 92.0, ""),
        ("churn", "2026-08-07", 1.7, ""),
    ]


def test_a_file_of_one_kpi_takes_the_kpi_given(tmp_path):
    path = _csv(tmp_path, "timestamp,value\n2026-07-10T09:00:00Z,91\n")
    assert _read(path, kpi="csat")[0] == [
        ("csat", "2026-07-10T09:00:00+00:00", 91.0, "")
    ]


def test_with_a_kpi_given_a_date_and_one_other_column_suffice(tmp_path):
    path = _csv(tmp_path, "Date,CSAT %\n2026-07-10,91\n")
    assert _read(path, kpi="csat")[0] == [("csat", "2026-07-10", 91.0, "")]


def test_a_file_without_a_kpi_column_needs_the_kpi(tmp_path):
    path = _csv(tmp_path, "at,value\n2026-07-10,91\n")
    assert _refused(path) == [
        "readings.csv:1: no kpi column: add a 'kpi' column with the KPI's key on "
        "every row, or name the one KPI of the file (--kpi KEY, or the KPI choice)"
    ]


def test_a_kpi_given_for_a_file_with_a_kpi_column_is_refused(tmp_path):
    path = _csv(tmp_path, "kpi,at,value\ncsat,2026-07-10,91\n")
    assert _refused(path, kpi="csat") == [
        "readings.csv:1:A: kpi: the file names its KPIs in this column, so a KPI "
        "cannot also be chosen ('csat'): leave the KPI out, or delete the column"
    ]


def test_a_missing_value_column_is_named(tmp_path):
    path = _csv(tmp_path, "kpi,at,figure\ncsat,2026-07-10,91\n")
    assert _refused(path) == [
        "readings.csv:1: no value column: name the column of numbers 'value'; the "
        "columns are: kpi, at, figure"
    ]


def test_a_missing_date_column_means_no_header(tmp_path):
    path = _csv(tmp_path, "kpi,value\ncsat,91\n")
    assert _refused(path) == [
        "readings.csv:1: no header: this row (kpi, value) names no date column; the "
        "first row must name the columns: kpi, at (or date), value [, note], or a "
        "date column and one column per KPI key"
    ]


def test_a_title_row_above_the_header_is_refused(tmp_path):
    path = _csv(
        tmp_path, "Support readings Q3,,\n,,\nkpi,at,value\ncsat,2026-07-10,91\n"
    )
    assert _refused(path) == [
        "readings.csv:1: 'Support readings Q3' is above the header (row 3): delete "
        "the rows above the header so that the column names are in the first row"
    ]


def test_a_header_repeated_mid_file_is_named_by_its_row(tmp_path):
    path = _csv(
        tmp_path,
        "kpi,at,value\ncsat,2026-07-10,91\nkpi,at,value\ncsat,2026-07-17,92\n",
    )
    readings, problems = _read(path)
    assert problems == [
        "readings.csv:3: repeats the header (row 1): delete this row",
    ]
    assert len(readings) == 2


def test_two_columns_of_the_same_name_are_refused(tmp_path):
    path = _csv(tmp_path, "kpi,at,value,Value\ncsat,2026-07-10,91,92\n")
    assert _refused(path) == [
        "readings.csv:1:D: Value: repeats the column name of C: give each column "
        "its own name"
    ]


# --- Bad rows ---------------------------------------------------------------------


def test_every_bad_cell_is_listed_with_its_row_and_column(tmp_path):
    path = _csv(
        tmp_path,
        "kpi,at,value\n"
        "csat,2026-07-10,91\n"
        "nsp,2026-07-10,40\n"
        "csat,10/07/2026,90\n"
        "csat,2026-07-12,ninety\n"
        ",2026-07-13,90\n"
        "csat,2026-07-14,\n"
        "csat,2026-07-15,inf\n",
    )
    readings, problems = _read(path)
    assert readings == [("csat", "2026-07-10", 91.0, "")]
    assert problems == [
        "readings.csv:3:A: kpi: no KPI 'nsp' in the dictionary (did you mean 'nps'?): "
        "use a key from the dictionary, or add the KPI first",
        f"readings.csv:4:B: at: '10/07/2026' is not a date: {ACCEPTED_DATES}",
        "readings.csv:5:C: value: 'ninety' is not a number: write digits with a "
        "point for decimals (1234.5); a comma may only group thousands (1,234.5)",
        "readings.csv:6:A: kpi: no KPI key: write the KPI's key, or delete the row",
        "readings.csv:7:C: value: no value: write the reading's number, or delete "
        "the row",
        "readings.csv:8:C: value: inf is not a finite number: write the reading's "
        "number",
    ]


def test_an_unknown_kpi_column_of_a_wide_file_is_named_on_the_header(tmp_path):
    path = _csv(tmp_path, "date,csat,revenue\n2026-07-10,91,1000\n")
    readings, problems = _read(path)
    assert problems == [
        "readings.csv:1:C: revenue: this column is not a KPI's: no KPI 'revenue' in "
        "the dictionary: use a key from the dictionary, or add the KPI first; or "
        "delete the column"
    ]
    assert readings == [("csat", "2026-07-10", 91.0, "")]


def test_a_kpi_the_person_may_not_record_is_named_once(tmp_path):
    path = _csv(
        tmp_path,
        "kpi,at,value\ncsat,2026-07-10,91\nchurn,2026-07-31,1.8\nchurn,2026-08-31,2\n",
    )
    access = KPIAccess(known={"csat", "churn"}, allowed={"csat"})
    readings, problems = _read(path, access=access)
    assert problems == [
        "readings.csv:3:A: kpi: you may not record readings of 'churn' (only its "
        "owner and admins may): remove its rows from the file"
    ]
    assert readings == [("csat", "2026-07-10", 91.0, "")]


def test_problems_beyond_the_cap_are_counted(tmp_path):
    rows = "".join(f"csat,2026-07-10,x{i}\n" for i in range(250))
    path = _csv(tmp_path, "kpi,at,value\n" + rows)
    with opened(path) as table:
        problems = Problems()
        list(read_readings(table, detect_layout(table), ACCESS, problems))
    assert (len(problems.items), problems.more) == (200, 50)


_KPI_CELLS = ["csat", "CSAT", " nps", "churn", "nope", "", "kpi"]
_AT_CELLS = ["2026-07-10", "2026-07-11", " 2026-07-10", "2026-02-30", "", "at", "x"]
_VALUE_CELLS = ["91.5", "-3", " 4 ", "1e999", "nan", "", "1,234", "12%", "x", "value"]
_NOTE_CELLS = ["", "late", " padded "]


@settings(max_examples=200, deadline=None)
@example(
    rows=[("csat", "2026-07-10", "1", "late"), ("csat", "2026-07-10", "2", " padded ")]
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(_KPI_CELLS),
            st.sampled_from(_AT_CELLS),
            st.sampled_from(_VALUE_CELLS),
            st.sampled_from(_NOTE_CELLS),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_rows_that_repeat_known_cells_read_as_every_row_does(rows):
    # The long format's shortcut for a KPI and a date already read well must give
    # the same readings and the same problems as reading each cell anew.
    text = "kpi,at,value,note\n" + "".join(
        ",".join(f'"{cell}"' for cell in row) + "\n" for row in rows
    )
    access = KPIAccess(known={"csat", "churn", "nps"}, allowed={"csat", "nps"})
    with tempfile.TemporaryDirectory() as directory:
        path = _csv(Path(directory), text)
        shortcut = _read(path, access=access)
        with mock.patch.object(_Rows, "_long_known", return_value=None):
            every_cell = _read(path, access=access)
    assert shortcut == every_cell


# --- Cells ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("1234.5", 1234.5),
        (" -3 ", -3.0),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("1,234.5", 1234.5),
        ("12,345,678", 12345678.0),
        ("12%", 12.0),
        ("99.95 %", 99.95),
        (42, 42.0),
        (0.5, 0.5),
        (Percent(0.912), 91.2),
    ],
)
def test_values_accepted(cell, value):
    assert parse_value(cell, 2, 5) == value


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1,5", "'1,5' is not a number"),
        ("1.234,5", "'1.234,5' is not a number"),
        ("$12", "'$12' is not a number"),
        ("1_000", "'1_000' is not a number"),
        ("nan", "nan is not a finite number"),
        ("-Infinity", "-Infinity is not a finite number"),
        ("1e400", "1e400 is not a finite number"),
        (float("nan"), "nan is not a finite number"),
        (True, "TRUE is not a number"),
        (dt.datetime(2026, 7, 10), "2026-07-10T00:00:00 is a date, not a number"),
        ("", "no value: write the reading's number, or delete the row"),
    ],
)
def test_values_refused(cell, message):
    with pytest.raises(CellValueError) as raised:
        parse_value(cell, 2, 5)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("cell", "moment"),
    [
        ("2026-07-10", "2026-07-10"),
        (" 2026-07-10 ", "2026-07-10"),
        ("2026-07-10T14:30:00Z", "2026-07-10T14:30:00+00:00"),
        ("2026-07-10 14:30", "2026-07-10T14:30:00+00:00"),
        ("2026-07-10T14:30:00+02:00", "2026-07-10T12:30:00+00:00"),
        ("2026-07-10 00:00:00", "2026-07-10"),
        ("2026-07-10T00:00:00Z", "2026-07-10T00:00:00+00:00"),
        (dt.datetime(2026, 7, 10), "2026-07-10"),
        (dt.datetime(2026, 7, 10, 14, 30), "2026-07-10T14:30:00+00:00"),
        (dt.date(2026, 7, 10), "2026-07-10"),
    ],
)
def test_moments_accepted(cell, moment):
    assert parse_moment(cell, 1, 5) == moment


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("10/07/2026", f"'10/07/2026' is not a date: {ACCEPTED_DATES}"),
        ("20260710", f"'20260710' is not a date: {ACCEPTED_DATES}"),
        ("2026-02-30", f"2026-02-30 is not a real date: {ACCEPTED_DATES}"),
        (
            46213,
            "46213 is a number, not a date: format the cell as a date, or write "
            "YYYY-MM-DD",
        ),
        (None, f"no date: {ACCEPTED_DATES}"),
        (
            dt.time(14, 30),
            f"14:30:00 is a time of day without a date: {ACCEPTED_DATES}",
        ),
    ],
)
def test_moments_refused(cell, message):
    with pytest.raises(CellValueError) as raised:
        parse_moment(cell, 1, 5)
    assert str(raised.value) == message


# --- XLSX -------------------------------------------------------------------------


def test_an_xlsx_file_reads_date_cells_numbers_and_percentages(tmp_path):
    path = _xlsx(
        tmp_path,
        [
            ["kpi", "at", "value"],
            ["csat", dt.date(2026, 7, 10), 91],
            ["csat", dt.datetime(2026, 7, 11, 14, 30), 0.925],
            ["churn", "2026-07-31", 1.8],
        ],
    )
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    sheet["C3"].number_format = "0.0%"
    workbook.save(path)
    assert _read(path) == (
        [
            ("csat", "2026-07-10", 91.0, ""),
            ("csat", "2026-07-11T14:30:00+00:00", 92.5, ""),
            ("churn", "2026-07-31", 1.8, ""),
        ],
        [],
    )


def test_a_formula_cell_is_refused_by_name(tmp_path):
    rows: list[list[Any]] = [["kpi", "at", "value"]]
    rows += [["csat", f"2026-07-{day:02}", 90] for day in range(10, 15)]
    rows.append(["csat", "2026-07-15", "=AVERAGE(C2:C6)"])
    path = _xlsx(tmp_path, rows)
    assert _read(path)[1] == [
        "readings.xlsx:7:C: value: C7 holds a formula; paste values only"
    ]


def test_an_error_cell_is_refused_by_name(tmp_path):
    path = _xlsx(tmp_path, [["kpi", "at", "value"], ["csat", "2026-07-10", "#DIV/0!"]])
    assert _read(path)[1] == [
        "readings.xlsx:2:C: value: C2 holds the error #DIV/0!: fix the cell or "
        "delete the row"
    ]


def test_merged_cells_are_refused_with_their_range(tmp_path):
    path = _xlsx(
        tmp_path,
        [
            ["kpi", "at", "value"],
            ["csat", "2026-07-10", 91],
            ["csat", "2026-07-17", 92],
            ["csat", "2026-07-24", 93],
        ],
    )
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    sheet.merge_cells("A3:A4")
    workbook.save(path)
    assert _read(path)[1][0] == (
        "readings.xlsx:3:A: A3:A4 are merged cells: unmerge them so that every cell "
        "holds its own value"
    )


def test_a_named_sheet_is_read(tmp_path):
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.append(["notes"])
    second = workbook.create_sheet("Readings")
    second.append(["kpi", "at", "value"])
    second.append(["csat", "2026-07-10", 91])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    with opened(path, sheet="Readings") as table:
        layout = detect_layout(table)
        readings = list(read_readings(table, layout, ACCESS, Problems()))
    assert [(r.kpi, r.value) for r in readings] == [("csat", 91.0)]
    with pytest.raises(FileRefusedError) as raised:
        opened(path, sheet="Nope")
    assert raised.value.problems[0].message == (
        "no sheet 'Nope' in this workbook; its sheets: Sheet, Readings"
    )


# --- Files that are not readings files -------------------------------------------


def _open_refused(path: Path) -> str:
    with pytest.raises(FileRefusedError) as raised:
        opened(path)
    return raised.value.problems[0].line(path.name)


def test_an_empty_file_is_refused(tmp_path):
    assert _open_refused(_csv(tmp_path, "")) == (
        "readings.csv: the file is empty: the first row must name the columns (kpi, "
        "at, value) and each row below it hold one reading"
    )
    assert _refused(_csv(tmp_path, "\n\n,,\n")) == [
        "readings.csv: the file is empty: the first row must name the columns (kpi, "
        "at, value) and each row below it hold one reading"
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "readings.json",
            "'readings.json' is not a CSV or XLSX file: save the sheet as CSV UTF-8 "
            "(.csv) or as an Excel Workbook (.xlsx)",
        ),
        (
            "readings.xls",
            "this is an old Excel workbook (.xls): save it as an Excel Workbook "
            "(.xlsx) or as CSV UTF-8 (.csv)",
        ),
    ],
)
def test_a_wrong_extension_is_refused(tmp_path, name, message):
    assert _open_refused(_csv(tmp_path, "kpi,at,value\n", name)) == (
        f"{name}: {message}"
    )


def test_csv_text_named_xlsx_is_refused(tmp_path):
    assert _open_refused(_csv(tmp_path, "kpi,at,value\n", "readings.xlsx")) == (
        "readings.xlsx: this is not an XLSX workbook (it may be CSV text or an old "
        ".xls renamed): save it as an Excel Workbook (.xlsx) or as CSV (.csv)"
    )


def test_a_workbook_named_csv_is_refused(tmp_path):
    book = _xlsx(tmp_path, [["kpi", "at", "value"]])
    path = tmp_path / "readings.csv"
    path.write_bytes(book.read_bytes())
    assert _open_refused(path) == (
        "readings.csv: this is an XLSX workbook, not CSV text: give it the .xlsx "
        "extension"
    )


def test_text_that_is_not_utf8_is_named_by_its_row(tmp_path):
    path = tmp_path / "readings.csv"
    path.write_bytes("kpi,at,value,note\ncsat,2026-07-10,91,café\n".encode("cp1252"))
    assert _refused(path) == [
        "readings.csv:2: is not UTF-8 text: save the file as CSV UTF-8 and import "
        "it again"
    ]


def test_a_byte_that_is_not_utf8_far_down_is_named_by_its_row(tmp_path):
    rows = "".join(f"csat,2026-07-10,{i}\n" for i in range(10_000))
    path = tmp_path / "readings.csv"
    path.write_bytes(f"kpi,at,value\n{rows}".encode() + b"csat,2026-07-11,9\xe9\n")
    assert _read(path)[1] == [
        "readings.csv:10002: is not UTF-8 text: save the file as CSV UTF-8 and "
        "import it again"
    ]


def test_a_chosen_layout_that_cannot_work_says_why(tmp_path):
    from drumbeat.imports.readers.layouts import layout_chosen

    path = _csv(tmp_path, "a,b,c\ncsat,2026-07-10,91\n")
    with pytest.raises(FileRefusedError) as raised, opened(path) as table:
        layout_chosen(
            table,
            format=Format.LONG,
            header_row=1,
            at=1,
            kpi=None,
            value=7,
            note=None,
            fixed_kpi=None,
        )
    assert [p.message for p in raised.value.problems] == [
        "the value column is not in the file",
        "choose either the column of KPI keys or the one KPI of the file",
    ]


def test_a_chosen_header_row_skips_the_rows_above_it(tmp_path):
    from drumbeat.imports.readers.layouts import layout_chosen

    path = _csv(tmp_path, "Support readings,,\nmetric,on,figure\ncsat,2026-07-10,91\n")
    with opened(path) as table:
        layout = layout_chosen(
            table,
            format=Format.LONG,
            header_row=2,
            at=1,
            kpi=0,
            value=2,
            note=None,
            fixed_kpi=None,
        )
        problems = Problems()
        readings = list(read_readings(table, layout, ACCESS, problems))
    assert [(r.kpi, r.at, r.value, r.row) for r in readings] == [
        ("csat", "2026-07-10", 91.0, 3)
    ]
    assert problems.items == []
