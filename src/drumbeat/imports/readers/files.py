"""Opening a CSV or XLSX file as a `Table` and streaming its rows of raw cells,
numbered as a spreadsheet shows them; files of other kinds are refused with what to
do instead."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, TextIO

from drumbeat.imports.readers.cells import Cell, ErrorCell, Formula, Percent
from drumbeat.imports.readers.problems import FileProblem, FileRefusedError, _refused
from drumbeat.imports.readers.workbooks import (
    BoundedWorkbook,
    WorkbookLimits,
    check_archive,
)

SUFFIXES = (".csv", ".tsv", ".xlsx")
_REFUSED_SUFFIXES = {
    ".xls": "an old Excel workbook (.xls): save it as an Excel Workbook (.xlsx) or "
    "as CSV UTF-8 (.csv)",
    ".xlsm": "a macro-enabled workbook (.xlsm): save it as an Excel Workbook "
    "(.xlsx) or as CSV UTF-8 (.csv)",
    ".xlsb": "a binary Excel workbook (.xlsb): save it as an Excel Workbook "
    "(.xlsx) or as CSV UTF-8 (.csv)",
    ".ods": "an OpenDocument spreadsheet (.ods): save it as an Excel Workbook "
    "(.xlsx) or as CSV (.csv)",
}


class Table(Protocol):
    """A sheet of cells, read from the top each time `rows` is called."""

    name: str

    def rows(self) -> Generator[tuple[int, Sequence[Cell]], None, None]:
        """(row number from 1, cells from column A) for every row, blank ones too;
        raises FileRefusedError when the file cannot be read further."""
        ...

    def rows_estimate(self) -> int | None:
        """About how many rows the sheet has (for progress), if known."""
        ...

    def sheet_problems(self) -> list[FileProblem]:
        """What is wrong with the sheet as a whole (merged cells)."""
        ...

    def close(self) -> None: ...


class CsvTable:
    """A CSV file in UTF-8 (a byte-order mark is fine), comma-, semicolon- or
    tab-separated (the separator is the one most used in the first line)."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        with path.open("rb") as file:
            head = file.read(64 * 1024)
        if head.startswith(b"PK\x03\x04"):
            raise _refused(
                "this is an XLSX workbook, not CSV text: give it the .xlsx extension"
            )
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise _refused(
                "this is an old Excel workbook (.xls), not CSV text: save it as CSV "
                "UTF-8 (.csv) or as an Excel Workbook (.xlsx)"
            )
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise _refused("this is UTF-16 text: save it as CSV UTF-8 (.csv)")
        if b"\x00" in head:
            raise _refused(
                "this is not text (it holds NUL bytes): save the sheet as CSV UTF-8"
            )
        first = head.lstrip(b"\xef\xbb\xbf\r\n").split(b"\n", 1)[0]
        counts = {sep: first.count(sep.encode()) for sep in (",", ";", "\t")}
        self.delimiter = max(counts, key=lambda sep: (counts[sep], sep == ","))

    def rows(self) -> Generator[tuple[int, Sequence[Cell]], None, None]:
        number = 0
        with self.path.open(encoding="utf-8-sig", newline="") as file:
            records = csv.reader(_bounded_lines(file), delimiter=self.delimiter)
            try:
                for number, record in enumerate(records, start=1):
                    yield number, record
            except UnicodeDecodeError:
                raise FileRefusedError(
                    [
                        FileProblem(
                            self._undecodable_line(),
                            "",
                            "",
                            "is not UTF-8 text: save the file as CSV UTF-8 and "
                            "import it again",
                        )
                    ]
                ) from None
            except csv.Error as error:
                raise FileRefusedError(
                    [FileProblem(number + 1, "", "", f"cannot be read as CSV: {error}")]
                ) from None
            except _LineTooLongError:
                raise FileRefusedError(
                    [
                        FileProblem(
                            number + 1,
                            "",
                            "",
                            f"this row is longer than {MAX_LINE_CHARACTERS:,} "
                            "characters: a file of readings has short rows; check "
                            "that it is the right file",
                        )
                    ]
                ) from None

    def _undecodable_line(self) -> int:
        """The first line that is not UTF-8 (text is decoded a block at a time,
        so the reader cannot say which row held the byte)."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        line = 1
        with self.path.open("rb") as file:
            while chunk := file.read(1 << 20):
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    return line + chunk[: max(error.start - pending, 0)].count(b"\n")
                line += chunk.count(b"\n")
        return 1

    def rows_estimate(self) -> int | None:
        lines = 0
        with self.path.open("rb") as file:
            while chunk := file.read(1 << 20):
                lines += chunk.count(b"\n")
        return lines

    def sheet_problems(self) -> list[FileProblem]:
        return []

    def close(self) -> None:
        pass


MAX_LINE_CHARACTERS = 1024 * 1024
"""The longest line of a CSV file: a file is read line by line, and a line is held
whole before it is split into cells."""


class _LineTooLongError(Exception):
    pass


def _bounded_lines(file: TextIO) -> Iterator[str]:
    """The file's lines, refusing one longer than MAX_LINE_CHARACTERS before it is
    read whole (a field may also be at most 131,072 characters: the csv module's
    own limit, `csv.field_size_limit`)."""
    readline = file.readline
    while line := readline(MAX_LINE_CHARACTERS + 1):
        if len(line) > MAX_LINE_CHARACTERS:
            raise _LineTooLongError
        yield line


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


class XlsxTable:
    """A sheet of an XLSX workbook, opened within bounds (`workbooks`) and streamed
    row by row, with formulas kept as formulas, so that they can be refused by
    name."""

    def __init__(
        self,
        path: Path,
        name: str,
        sheet: str | None = None,
        limits: WorkbookLimits | None = None,
    ) -> None:
        self.path = path
        self.name = name
        _check_workbook(path, limits)
        try:
            self.workbook = BoundedWorkbook(path)
        except FileRefusedError:
            raise
        except Exception:  # openpyxl raises many kinds on a damaged workbook
            raise _refused(
                "this workbook cannot be opened (it is damaged, encrypted or not an "
                "XLSX file): save it again as an Excel Workbook (.xlsx)"
            ) from None
        names = [part.name for part in self.workbook.sheets]
        if sheet is not None and sheet not in names:
            self.workbook.close()
            raise _refused(
                f"no sheet '{sheet}' in this workbook; its sheets: {', '.join(names)}"
            )
        if not names:
            self.workbook.close()
            raise _refused("this workbook has no sheets")
        self.sheet = self.workbook.sheets[names.index(sheet) if sheet else 0]
        self._estimate = self.workbook.rows_estimate(self.sheet)

    def rows(self) -> Generator[tuple[int, Sequence[Cell]], None, None]:
        yield from self.workbook.rows(self.sheet, _xlsx_cell)

    def rows_estimate(self) -> int | None:
        return self._estimate

    def sheet_problems(self) -> list[FileProblem]:
        """Merged cells, found in the sheet's XML (openpyxl's cells do not say):
        every merged range is refused, with its cells."""
        problems = []
        tail = b""
        with (
            zipfile.ZipFile(self.path) as archive,
            archive.open(self.sheet.path) as source,
        ):
            while chunk := source.read(1 << 20):
                text = tail + chunk
                for match in _MERGE.finditer(text):
                    problems.append(_merged_problem(match.group(1).decode()))
                # Keep the end, in case a tag is split across two chunks.
                cut = text.rfind(b"<")
                tail = text[cut:] if cut >= 0 and len(text) - cut < 512 else b""
        return sorted(set(problems), key=lambda p: (p.row or 0, p.column))

    def close(self) -> None:
        self.workbook.close()


def _check_workbook(path: Path, limits: WorkbookLimits | None) -> int:
    """Refuse a file that is not a ZIP archive, or one that unpacks to more than
    `limits` allow (see `workbooks.check_archive`); the bytes it unpacks to."""
    with path.open("rb") as file:
        magic = file.read(4)
    if magic != b"PK\x03\x04":
        raise _refused(
            "this is not an XLSX workbook (it may be CSV text or an old .xls "
            "renamed): save it as an Excel Workbook (.xlsx) or as CSV (.csv)"
        )
    return check_archive(path, limits or WorkbookLimits())


def _merged_problem(ref: str) -> FileProblem:
    first = re.match(r"([A-Z]+)([0-9]+)", ref)
    assert first is not None
    return FileProblem(
        int(first.group(2)),
        first.group(1),
        "",
        f"{ref} are merged cells: unmerge them so that every cell holds its own value",
    )


def _xlsx_cell(cell: dict[str, Any], number_format: str) -> Cell:
    """A cell as openpyxl parses it (`value`, `data_type`) as a readings cell."""
    value = cell["value"]
    if value is None:
        return None
    kind = cell["data_type"]
    if kind == "f":
        return Formula(str(value))
    if kind == "e":
        return ErrorCell(str(value))
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and "%" in number_format
    ):
        return Percent(float(value))
    if isinstance(value, str | int | float | dt.datetime | dt.date | dt.time):
        return value
    if isinstance(value, dt.timedelta):
        return value
    return str(value)


def open_table(
    path: Path,
    *,
    name: str | None = None,
    sheet: str | None = None,
    limits: WorkbookLimits | None = None,
) -> Table:
    """The file at `path` as a table; `name` is how messages call it (the uploaded
    name, say); `limits` bound what a workbook may unpack to (the defaults
    without). Raises FileRefusedError for a file that is not CSV or XLSX, or
    one over the bounds."""
    shown = name or path.name
    suffix = Path(shown).suffix.lower()
    if suffix in _REFUSED_SUFFIXES:
        raise _refused(f"this is {_REFUSED_SUFFIXES[suffix]}")
    if suffix not in SUFFIXES:
        raise _refused(
            f"'{shown}' is not a CSV or XLSX file: save the sheet as CSV UTF-8 "
            "(.csv) or as an Excel Workbook (.xlsx)"
        )
    if not path.exists():
        raise _refused(f"no such file: {path}")
    if path.stat().st_size == 0:
        raise _refused(EMPTY_FILE)
    if suffix == ".xlsx":
        return XlsxTable(path, shown, sheet, limits)
    if sheet is not None:
        raise _refused("a CSV file has no sheets: leave out the sheet name")
    return CsvTable(path, shown)


def text_bytes(path: Path, *, limits: WorkbookLimits | None = None) -> int:
    """How much text reading the file means: a CSV file's size, or what a
    workbook unpacks to, from its table of contents alone (so that a workbook over
    `limits` is refused here, unread: FileRefusedError)."""
    if path.suffix.lower() == ".xlsx":
        return _check_workbook(path, limits)
    return path.stat().st_size


class TextRows:
    """A table of rows already read, kept as text (an upload's first rows): what
    a person picks the header row and the columns from, without the file."""

    def __init__(self, name: str, rows: Sequence[tuple[int, Sequence[str]]]) -> None:
        self.name = name
        self._rows = rows

    def rows(self) -> Generator[tuple[int, Sequence[Cell]], None, None]:
        yield from self._rows

    def rows_estimate(self) -> int | None:
        return None

    def sheet_problems(self) -> list[FileProblem]:
        return []

    def close(self) -> None:
        pass


class TableOpened:
    """`with opened(path) as table:` closes the workbook afterwards."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def __enter__(self) -> Table:
        return self.table

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.table.close()


def opened(
    path: Path,
    *,
    name: str | None = None,
    sheet: str | None = None,
    limits: WorkbookLimits | None = None,
) -> TableOpened:
    return TableOpened(open_table(path, name=name, sheet=sheet, limits=limits))


EMPTY_FILE = (
    "the file is empty: the first row must name the columns (kpi, at, value) and "
    "each row below it hold one reading"
)
