"""Opening a CSV or XLSX file as a `Table` and streaming its rows of raw cells,
numbered as a spreadsheet shows them; files of other kinds are refused with what to
do instead."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
from collections.abc import Generator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from openpyxl import load_workbook  # type: ignore[import-untyped]

from drumbeat.imports.readers.cells import Cell, ErrorCell, Formula, Percent
from drumbeat.imports.readers.problems import FileProblem, FileRefusedError, _refused

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
            records = csv.reader(file, delimiter=self.delimiter)
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

    def _undecodable_line(self) -> int:
        """The first line that is not UTF-8 (text is decoded a block at a time,
        so the reader cannot say which row held the byte)."""
        with self.path.open("rb") as file:
            for number, line in enumerate(file, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    return number
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


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


class XlsxTable:
    """A sheet of an XLSX workbook, streamed (openpyxl's read-only mode) with
    formulas kept as formulas, so that they can be refused by name."""

    def __init__(self, path: Path, name: str, sheet: str | None = None) -> None:
        self.path = path
        self.name = name
        with path.open("rb") as file:
            magic = file.read(4)
        if magic != b"PK\x03\x04":
            raise _refused(
                "this is not an XLSX workbook (it may be CSV text or an old .xls "
                "renamed): save it as an Excel Workbook (.xlsx) or as CSV (.csv)"
            )
        try:
            self.workbook = load_workbook(path, read_only=True, data_only=False)
        except Exception:  # openpyxl raises many kinds on a damaged workbook
            raise _refused(
                "this workbook cannot be opened (it is damaged, encrypted or not an "
                "XLSX file): save it again as an Excel Workbook (.xlsx)"
            ) from None
        names = self.workbook.sheetnames
        if sheet is not None and sheet not in names:
            self.workbook.close()
            raise _refused(
                f"no sheet '{sheet}' in this workbook; its sheets: {', '.join(names)}"
            )
        worksheets = self.workbook.worksheets
        if sheet is None and not worksheets:
            self.workbook.close()
            raise _refused("this workbook has no sheets")
        self.sheet = self.workbook[sheet] if sheet is not None else worksheets[0]
        self._estimate: int | None = getattr(self.sheet, "max_row", None)
        # Some writers record a wrong size; read what is there instead.
        self.sheet.reset_dimensions()

    def rows(self) -> Generator[tuple[int, Sequence[Cell]], None, None]:
        cells = self.sheet.iter_rows(min_row=1, min_col=1)
        for number, row in enumerate(cells, start=1):
            yield number, [_xlsx_cell(cell) for cell in row]

    def rows_estimate(self) -> int | None:
        return self._estimate

    def sheet_problems(self) -> list[FileProblem]:
        """Merged cells, found in the sheet's XML (read-only mode does not keep
        them): every merged range is refused, with its cells."""
        path = getattr(self.sheet, "_worksheet_path", None)
        if path is None:
            return []
        problems = []
        tail = b""
        with zipfile.ZipFile(self.path) as archive, archive.open(path) as source:
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


def _merged_problem(ref: str) -> FileProblem:
    first = re.match(r"([A-Z]+)([0-9]+)", ref)
    assert first is not None
    return FileProblem(
        int(first.group(2)),
        first.group(1),
        "",
        f"{ref} are merged cells: unmerge them so that every cell holds its own value",
    )


def _xlsx_cell(cell: Any) -> Cell:
    value = cell.value
    if value is None:
        return None
    kind = getattr(cell, "data_type", None)
    if kind == "f":
        return Formula(value if isinstance(value, str) else f"={value.text}")
    if kind == "e":
        return ErrorCell(str(value))
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and "%" in (cell.number_format or "")
    ):
        return Percent(float(value))
    if isinstance(value, str | int | float | dt.datetime | dt.date | dt.time):
        return value
    if isinstance(value, dt.timedelta):
        return value
    return str(value)


def open_table(
    path: Path, *, name: str | None = None, sheet: str | None = None
) -> Table:
    """The file at `path` as a table; `name` is how messages call it (the uploaded
    name, say). Raises FileRefusedError for a file that is not CSV or XLSX."""
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
        return XlsxTable(path, shown, sheet)
    if sheet is not None:
        raise _refused("a CSV file has no sheets: leave out the sheet name")
    return CsvTable(path, shown)


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
    path: Path, *, name: str | None = None, sheet: str | None = None
) -> TableOpened:
    return TableOpened(open_table(path, name=name, sheet=sheet))


EMPTY_FILE = (
    "the file is empty: the first row must name the columns (kpi, at, value) and "
    "each row below it hold one reading"
)
