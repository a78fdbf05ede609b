"""Hostile files cannot take a process down: a workbook is refused from its table of
contents when it would unpack to too much, and read within bounds otherwise; a CSV
file's lines and fields are bounded too. Pure: no database."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from drumbeat.imports.readers import workbooks
from drumbeat.imports.readers.files import opened, text_bytes
from drumbeat.imports.readers.problems import FileRefusedError
from drumbeat.imports.readers.workbooks import WorkbookLimits
from tests.imports.workbooks import HEADER, write_bomb, write_workbook

MB = 1024 * 1024


def _refusal(path: Path, limits: WorkbookLimits | None = None) -> list[str]:
    """How the file is refused, opened and read to the end as an import does."""
    with pytest.raises(FileRefusedError) as refused:
        _rows_with(path, limits or WorkbookLimits())
    return [problem.line(path.name) for problem in refused.value.problems]


def _rows(path: Path) -> list[tuple[int, list[object]]]:
    with opened(path) as table:
        return [(number, list(cells)) for number, cells in table.rows()]


# --- Before anything is unpacked -----------------------------------------------------


def test_a_zip_bomb_is_refused_from_its_table_of_contents(tmp_path):
    path = write_bomb(tmp_path / "bomb.xlsx", 256)
    packed = path.stat().st_size
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(part.file_size for part in archive.infolist())
    assert _refusal(path) == [
        f"bomb.xlsx: the workbook unpacks to 256.0 MB (ratio {unpacked // packed}:1): "
        "over the 200.0 MB limit; split it into smaller workbooks, or save it as CSV "
        "UTF-8 (.csv)"
    ]


def test_a_part_packed_tighter_than_the_ratio_is_refused(tmp_path):
    """Within the total, but a part of 2 MB of one letter: no sheet packs so."""
    path = write_bomb(tmp_path / "bomb.xlsx", 2, level=9)
    with zipfile.ZipFile(path) as archive:
        part = archive.getinfo("xl/sharedStrings.xml")
    ratio = part.file_size // part.compress_size
    assert ratio > 100
    assert _refusal(path) == [
        f"bomb.xlsx: the workbook's part xl/sharedStrings.xml unpacks to 2.0 MB from "
        f"{part.compress_size / 1024:.1f} KB (ratio {ratio:,}:1): over the 100:1 "
        "limit, which no spreadsheet reaches; save it again as an Excel Workbook "
        "(.xlsx)"
    ]


def test_the_limits_are_the_ones_given(tmp_path):
    path = write_bomb(tmp_path / "book.xlsx", 2)
    [line] = _refusal(path, WorkbookLimits(unpacked_bytes=1 * MB, ratio=10_000))
    assert line.startswith("book.xlsx: the workbook unpacks to 2.0 MB (ratio ")
    assert line.endswith(
        "over the 1.0 MB limit; split it into smaller workbooks, or save it as CSV "
        "UTF-8 (.csv)"
    )
    with pytest.raises(FileRefusedError, match="is longer than 32,767 characters"):
        _rows_with(path, WorkbookLimits(unpacked_bytes=3 * MB, ratio=10_000))


def _rows_with(path: Path, limits: WorkbookLimits) -> int:
    with opened(path, limits=limits) as table:
        return sum(1 for _row in table.rows())


def test_a_table_of_contents_of_too_many_parts_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(workbooks, "MAX_CONTENTS_BYTES", 1024)
    parts = {f"xl/media/image{n}.png": "" for n in range(40)}
    path = write_workbook(tmp_path / "parts.xlsx", parts=parts)
    [line] = _refusal(path)
    assert line.startswith("parts.xlsx: the workbook's table of contents is ")
    assert line.endswith(
        "over the 1.0 KB limit (it holds far more parts than a workbook has): save "
        "it again as an Excel Workbook (.xlsx)"
    )


def _declare_size(path: Path, name: str, size: int) -> None:
    """Write `size` as the part's unpacked size, in its local header and in the
    table of contents."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    for signature, size_at, name_at in (
        (b"PK\x03\x04", 22, 30),
        (b"PK\x01\x02", 24, 46),
    ):
        at = data.find(signature)
        while data[at + name_at : at + name_at + len(encoded)] != encoded:
            at = data.find(signature, at + 4)
        data[at + size_at : at + size_at + 4] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def test_a_part_that_lies_about_its_size_is_read_no_further(tmp_path):
    """The table of contents says 1 KB; the part unpacks to 12 MB. zipfile stops
    at the size declared, and the checksum fails."""
    path = write_workbook(tmp_path / "liar.xlsx", HEADER + "<row/>" * 2_000_000)
    _declare_size(path, "xl/worksheets/sheet1.xml", 1024)
    assert text_bytes(path) < 64 * 1024
    assert _refusal(path) == [
        "liar.xlsx:1: the sheet cannot be read from here: the workbook is damaged; "
        "save it again as an Excel Workbook (.xlsx)"
    ]


def test_the_import_of_a_zip_bomb_stays_within_500_mb(tmp_path):
    """The brief's bomb, imported by the command in a process that may not grow
    past 500 MB: it is refused unread. (Before, the same process ran out of memory
    reading the text, and called the file damaged; unbounded, it passed 7 GB.)"""
    path = write_bomb(tmp_path / "bomb.xlsx", 256)
    limit = 500 * MB

    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    result = subprocess.run(
        [sys.executable, "-m", "drumbeat", "import", "readings", str(path)],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=bounded,
        env={**os.environ, "DRUMBEAT_DATA_DIR": str(tmp_path / "var")},
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        "drumbeat: bomb.xlsx: the workbook unpacks to 256.0 MB (ratio "
    )
    assert "over the 200.0 MB limit" in result.stderr


# --- While it is read ----------------------------------------------------------------


def test_a_part_read_whole_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(workbooks, "MAX_WHOLE_PART_BYTES", 100)
    path = write_workbook(tmp_path / "book.xlsx")
    with zipfile.ZipFile(path) as archive:
        size = archive.getinfo("[Content_Types].xml").file_size
    assert _refusal(path) == [
        f"book.xlsx: the workbook's part [Content_Types].xml is {size} bytes, over "
        "the 100 bytes limit of a part read whole: save it again as an Excel "
        "Workbook (.xlsx)"
    ]


def test_shared_strings_are_read_as_openpyxl_reads_them(tmp_path):
    """Plain text and runs of rich text, without phonetic guides; spaces kept."""
    cells = "".join(f'<c r="{c}2" t="s"><v>{n}</v></c>' for n, c in enumerate("ABC"))
    strings = [
        "csat",
        "</t><r><t>2026-</t></r><r><rPr><b/></rPr><t>07-10</t></r><t>",
        ' 91 </t><rPh sb="0" eb="1"><t>ignored</t></rPh><t>',
    ]
    path = write_workbook(
        tmp_path / "book.xlsx", HEADER + f'<row r="2">{cells}</row>', strings=strings
    )
    assert _rows(path)[1] == (2, ["csat", "2026-07-10", " 91 "])


def test_too_many_shared_strings_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(workbooks, "MAX_SHARED_STRINGS", 2)
    path = write_workbook(tmp_path / "book.xlsx", strings=["a", "b", "c"])
    assert _refusal(path) == [
        "book.xlsx: the workbook holds more than 2 different texts: split it into "
        "smaller workbooks, or save it as CSV UTF-8 (.csv)"
    ]


def test_a_shared_string_longer_than_a_cell_holds_is_refused(tmp_path):
    path = write_workbook(tmp_path / "book.xlsx", strings=["a", "b" * 32_768])
    assert _refusal(path) == [
        "book.xlsx: text number 2 of the workbook is longer than 32,767 characters "
        "(the most a spreadsheet cell holds): shorten it"
    ]


def test_a_cell_longer_than_a_cell_holds_is_refused_where_it_is(tmp_path):
    rows = HEADER + f'<row r="2"><c r="C2" t="inlineStr"><is><t>{"9" * 32_768}</t>'
    path = write_workbook(tmp_path / "book.xlsx", rows + "</is></c></row>")
    assert _refusal(path) == [
        "book.xlsx:2:C: this cell of the workbook is longer than 32,767 characters "
        "(the most a spreadsheet cell holds): shorten it"
    ]


def test_a_row_beyond_the_last_a_spreadsheet_has_is_refused(tmp_path):
    path = write_workbook(tmp_path / "book.xlsx", HEADER + '<row r="1048577"/>')
    assert _refusal(path) == [
        "book.xlsx: the sheet names row 1048577, beyond row 1,048,576 (the last a "
        "spreadsheet has): the workbook is damaged; save it again as an Excel "
        "Workbook (.xlsx)"
    ]


def test_a_row_of_too_many_cells_is_refused_before_it_is_read_whole(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(workbooks, "MAX_COLUMNS", 3)
    row = '<row r="2">' + '<c t="inlineStr"><is><t>x</t></is></c>' * 4 + "</row>"
    path = write_workbook(tmp_path / "book.xlsx", HEADER + row)
    assert _refusal(path) == [
        "book.xlsx:2: this row holds more than 3 cells (the most a spreadsheet row "
        "holds): the workbook is damaged; save it again as an Excel Workbook (.xlsx)"
    ]


def test_xml_nested_too_deep_is_refused(tmp_path):
    row = '<row r="2"><c r="A2">' + "<x>" * 40 + "</x>" * 40 + "</c></row>"
    path = write_workbook(tmp_path / "book.xlsx", HEADER + row)
    assert _refusal(path) == [
        "book.xlsx:2: the workbook's XML nests more than 32 levels deep: the workbook "
        "is damaged; save it again as an Excel Workbook (.xlsx)"
    ]


def test_a_tag_or_text_longer_than_any_cell_needs_is_refused_unread(tmp_path):
    """A start tag is held whole with its attributes (a dictionary of them)."""
    attributes = " ".join(f'a{n}=""' for n in range(200_000))
    path = write_workbook(tmp_path / "book.xlsx", HEADER + f"<row {attributes}/>")
    assert _refusal(path, WorkbookLimits(ratio=10_000)) == [
        "book.xlsx: the workbook's XML runs on for more than 1.0 MB without a tag's "
        "end (no cell holds that much): the workbook is damaged; save it again as "
        "an Excel Workbook (.xlsx)"
    ]


def test_rows_out_of_order_are_refused(tmp_path):
    path = write_workbook(tmp_path / "book.xlsx", '<row r="3"/>' + HEADER)
    assert _refusal(path) == [
        "book.xlsx:1: the sheet's rows are out of order (row 1 after row 3): the "
        "workbook is damaged; save it again as an Excel Workbook (.xlsx)"
    ]


def test_missing_rows_read_as_blank_rows(tmp_path):
    row = '<row r="4"><c r="B4" t="inlineStr"><is><t>x</t></is></c></row>'
    path = write_workbook(tmp_path / "book.xlsx", HEADER + row)
    assert _rows(path)[1:] == [(2, []), (3, []), (4, [None, "x"])]


def test_a_sheet_without_its_size_is_streamed_keeping_no_row(tmp_path):
    """openpyxl scans such a sheet whole when it opens it, and keeps an element for
    every row it has read (20,000 rows: 3.2 MB at the peak; 33 million rows of
    `<row/>` fit in 200 MB); read here, the peak stays at 0.6 MB."""
    rows = "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 20_001)
    )
    path = write_workbook(tmp_path / "book.xlsx", rows)
    tracemalloc.start()
    try:
        with opened(path) as table:
            assert table.rows_estimate() is None
            count = sum(1 for _row in table.rows())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 1.5 * MB, peak


# --- CSV -----------------------------------------------------------------------------


def test_a_csv_line_longer_than_the_bound_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("kpi,at,value\n" + "x," * (MB // 2) + "\n")
    assert _refusal(path) == [
        "long.csv:2: this row is longer than 1,048,576 characters: a file of "
        "readings has short rows; check that it is the right file"
    ]


def test_a_csv_field_longer_than_the_csv_limit_is_refused(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text('kpi,at,value\ncsat,2026-07-10,"' + "9" * 131_073 + '"\n')
    assert _refusal(path) == [
        "long.csv:2: cannot be read as CSV: field larger than field limit (131072)"
    ]
