"""Reading readings out of CSV and XLSX files, row by row, with bounded memory.

Pure: no Django, no database. A file is opened as a `Table` (rows of raw cells,
numbered as a spreadsheet shows them); `detect_layout` finds the header and how the
readings are laid out (long: `kpi, at, value[, note]`; wide: a date column and one
column per KPI key); `read_readings` streams the readings out of it, checking every
cell and collecting what is wrong as `FileProblem`s (row, column, what, what to do).

What a cell may hold (documented in the README):

- dates: `YYYY-MM-DD`, an ISO timestamp (`2026-07-10T14:30:00Z`,
  `2026-07-10 14:30`), or a spreadsheet date cell. A time of exactly midnight with
  no time zone is read as the date itself, so a file exported with
  `2026-07-10 00:00:00` records the same moment as `2026-07-10`.
- values: a number with a point for decimals (`1234.5`, `-3`, `1e6`); commas only
  as thousands separators in groups of three (`1,234.5`: the application's locale
  is en-GB; `1,5` is refused as ambiguous); a percentage (`12%`, or a spreadsheet
  cell formatted as a percentage) is the number shown, 12, as Drumbeat records
  percent KPIs from 0 to 100. Not finite (`nan`, `inf`), text, booleans, formulas
  and error cells are refused.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import math
import re
import zipfile
from collections.abc import (
    Callable,
    Collection,
    Generator,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import asdict, dataclass, field
from difflib import get_close_matches
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, Protocol

from openpyxl import load_workbook  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

MAX_PROBLEMS = 200
"""Problems listed for one file; the rest are counted."""

HEADER_SEARCH_ROWS = 20
"""How far down the header row is looked for (title rows above it are refused)."""

ACCEPTED_DATES = (
    "write YYYY-MM-DD (2026-07-10) or an ISO timestamp (2026-07-10T14:30:00Z); "
    "a spreadsheet date cell works too"
)

AT_NAMES = frozenset(
    {"at", "date", "day", "timestamp", "datetime", "date_time", "time", "when"}
    | {"period", "as_of", "reading_date", "measured_at", "recorded_on"}
)
KPI_NAMES = frozenset({"kpi", "key", "kpi_key", "metric", "measure", "indicator"})
VALUE_NAMES = frozenset({"value", "reading", "amount", "actual", "val", "number"})
NOTE_NAMES = frozenset({"note", "notes", "comment", "comments", "remark", "remarks"})

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


# --- Problems -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileProblem:
    """What is wrong in a file, where: the row as a spreadsheet numbers it (from
    1; None for the file as a whole), the column's letter and name, and a message
    that says what to do."""

    row: int | None
    column: str
    field: str
    message: str

    def line(self, file_name: str) -> str:
        """`FILE:ROW:COLUMN: field: message`, as the CLI prints it."""
        where = file_name
        if self.row is not None:
            where += f":{self.row}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.field + ': ' if self.field else ''}{self.message}"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class Problems:
    """The problems of one file: the first `cap` kept, the rest counted."""

    def __init__(self, cap: int = MAX_PROBLEMS) -> None:
        self.cap = cap
        self.items: list[FileProblem] = []
        self.more = 0

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, problem: FileProblem) -> None:
        if len(self.items) < self.cap:
            self.items.append(problem)
        else:
            self.more += 1

    def at(self, row: int | None, column: int | None, field: str, message: str) -> None:
        self.add(FileProblem(row, column_letter(column), field, message))

    def sorted(self) -> list[FileProblem]:
        """By row (file-wide problems first), then column."""
        return sorted(
            self.items,
            key=lambda p: (p.row or 0, len(p.column), p.column),
        )


class FileRefusedError(ValueError):
    """A file that cannot be read as readings at all (wrong kind, no header...)."""

    def __init__(self, problems: list[FileProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems[:3]))


def column_letter(index: int | None) -> str:
    """`0` → `A`; None → ``."""
    return "" if index is None else get_column_letter(index + 1)


# --- Cells ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Formula:
    """A spreadsheet cell holding a formula: refused, the value is not stored."""

    text: str


@dataclass(frozen=True, slots=True)
class ErrorCell:
    """A spreadsheet cell holding an error such as `#DIV/0!`."""

    code: str


@dataclass(frozen=True, slots=True)
class Percent:
    """A number in a spreadsheet cell formatted as a percentage (0.12 shown 12%)."""

    fraction: float


Cell = (
    str
    | int
    | float
    | bool
    | dt.datetime
    | dt.date
    | dt.time
    | dt.timedelta
    | Formula
    | ErrorCell
    | Percent
    | None
)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def cell_text(cell: Cell) -> str:
    """A cell as a person would recognise it in a message."""
    if isinstance(cell, Formula):
        return cell.text
    if isinstance(cell, ErrorCell):
        return cell.code
    if isinstance(cell, Percent):
        return f"{cell.fraction * 100:g}%"
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, dt.datetime | dt.date | dt.time):
        return cell.isoformat()
    return "" if cell is None else str(cell)


def normalise_name(cell: Cell) -> str:
    """A header as it is matched: `" Reading Date "` → `reading_date`."""
    text = cell_text(cell).strip().lstrip("\ufeff").lower()
    return re.sub(r"[\s\-]+", "_", text)


class CellValueError(ValueError):
    """Why a cell cannot be used, as the message a person reads."""


def cell_name(column: int, row: int) -> str:
    """`(1, 7)` → `B7`: a cell as a spreadsheet names it."""
    return f"{column_letter(column)}{row}"


def _special(cell: Cell, column: int, row: int) -> None:
    """Refuse formula and error cells, naming the cell."""
    if isinstance(cell, Formula):
        raise CellValueError(
            f"{cell_name(column, row)} holds a formula; paste values only"
        )
    if isinstance(cell, ErrorCell):
        raise CellValueError(
            f"{cell_name(column, row)} holds the error {cell.code}: fix the cell or "
            "delete the row"
        )


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}[T ]")


def parse_moment(cell: Cell, column: int, row: int) -> str:
    """A cell as the ISO text of a reading's moment: a date (`2026-07-10`) or a
    timestamp (`2026-07-10T14:30:00+00:00`, as written); `column` and `row` name
    the cell in messages."""
    if type(cell) is str:  # the common case, first
        return _moment_text(cell.strip())
    _special(cell, column, row)
    if _blank(cell):
        raise CellValueError(f"no date: {ACCEPTED_DATES}")
    if isinstance(cell, dt.datetime):
        if cell.tzinfo is None and cell.time() == dt.time():
            return cell.date().isoformat()
        return cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, dt.time | dt.timedelta):
        raise CellValueError(
            f"{cell_text(cell)} is a time of day without a date: {ACCEPTED_DATES}"
        )
    raise CellValueError(
        f"{cell_text(cell)} is a number, not a date: format the cell as a date, "
        "or write YYYY-MM-DD"
    )


@functools.lru_cache(maxsize=4096)
def _moment_text(text: str) -> str:
    """Checked moments, cached: in the long format the same dates recur."""
    if not text:
        raise CellValueError(f"no date: {ACCEPTED_DATES}")
    if len(text) == 10 and _ISO_DATE.fullmatch(text):
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise CellValueError(
                f"{text} is not a real date: {ACCEPTED_DATES}"
            ) from None
        return text
    if _ISO_START.match(text):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if moment.tzinfo is None and moment.time() == dt.time():
                return moment.date().isoformat()
            return text
    raise CellValueError(f"'{text}' is not a date: {ACCEPTED_DATES}")


_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_NOT_FINITE = frozenset(
    {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "-infinity"}
)
NUMBER_HELP = (
    "write digits with a point for decimals (1234.5); a comma may only group "
    "thousands (1,234.5)"
)


def parse_value(cell: Cell, column: int, row: int) -> float:
    """A cell as a reading's finite value (see the module's notes)."""
    kind = type(cell)
    if kind is str:  # the common case, first: a plain number as text
        text = cell.strip()  # type: ignore[union-attr]
        number = _number_text(text) if _PLAIN.fullmatch(text) is None else float(text)
    elif kind is float or kind is int:
        number = float(cell)  # type: ignore[arg-type]
    elif isinstance(cell, Percent):
        number = float(f"{cell.fraction * 100:.12g}")
    else:
        _special(cell, column, row)
        if _blank(cell):
            raise CellValueError(
                "no value: write the reading's number, or delete the row"
            )
        if isinstance(cell, bool):
            raise CellValueError(f"{cell_text(cell)} is not a number: {NUMBER_HELP}")
        raise CellValueError(f"{cell_text(cell)} is a date, not a number")
    if not math.isfinite(number):
        raise CellValueError(
            f"{cell_text(cell).strip()} is not a finite number: write the "
            "reading's number"
        )
    return number


def _number_text(text: str) -> float:
    if not text:
        raise CellValueError("no value: write the reading's number, or delete the row")
    body = text[:-1].rstrip() if text.endswith("%") else text
    if _PLAIN.fullmatch(body):
        return float(body)
    if _GROUPED.fullmatch(body):
        return float(body.replace(",", ""))
    if body.lower() in _NOT_FINITE:
        return math.nan
    raise CellValueError(f"'{text}' is not a number: {NUMBER_HELP}")


def _text(cell: Cell, column: int, row: int) -> str:
    if type(cell) is str:
        return cell.strip()
    _special(cell, column, row)
    return cell_text(cell).strip()


# --- Tables: CSV and XLSX ---------------------------------------------------------


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


def _refused(message: str) -> FileRefusedError:
    return FileRefusedError([FileProblem(None, "", "", message)])


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


# --- Layouts ----------------------------------------------------------------------


class Format(StrEnum):
    LONG = "long"
    """One reading per row: `kpi, at, value[, note]` (or `at, value` of one KPI)."""
    WIDE = "wide"
    """A date column and one column per KPI key; empty cells are skipped."""


@dataclass(frozen=True)
class Layout:
    """How a file's columns hold readings: which row names the columns, and which
    column (0-based) is the moment, the KPI, the value and the note; in the wide
    format, every other named column is a KPI's. Detected from the header, or
    chosen by the person."""

    format: Format
    header_row: int
    headers: tuple[str, ...]
    at: int
    kpi: int | None = None
    value: int | None = None
    note: int | None = None
    fixed_kpi: str | None = None
    kpi_columns: tuple[int, ...] = ()
    header_chosen: bool = False
    """The person chose the header row: rows above it are skipped, not refused."""
    ignored: tuple[int, ...] = field(default=())
    """Named columns that hold nothing to import."""

    @property
    def ignored_names(self) -> list[str]:
        """The named columns that are not read: `D · comment`."""
        return [f"{column_letter(c)} · {self.header(c)}" for c in self.ignored]

    def header(self, column: int | None) -> str:
        if column is None or column >= len(self.headers):
            return ""
        return self.headers[column]

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = str(self.format)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Layout:
        return cls(
            format=Format(data["format"]),
            header_row=int(data["header_row"]),
            headers=tuple(data["headers"]),
            at=int(data["at"]),
            kpi=data.get("kpi"),
            value=data.get("value"),
            note=data.get("note"),
            fixed_kpi=data.get("fixed_kpi"),
            kpi_columns=tuple(data.get("kpi_columns", ())),
            header_chosen=bool(data.get("header_chosen", False)),
            ignored=tuple(data.get("ignored", ())),
        )


def _first(names: Sequence[str], wanted: frozenset[str]) -> int | None:
    return next((i for i, name in enumerate(names) if name in wanted), None)


def header_rows(
    table: Table, limit: int = HEADER_SEARCH_ROWS
) -> list[tuple[int, Sequence[Cell]]]:
    """The first `limit` rows that are not blank."""
    found: list[tuple[int, Sequence[Cell]]] = []
    try:
        for number, cells in table.rows():
            if any(not _blank(cell) for cell in cells):
                found.append((number, list(cells)))
                if len(found) == limit:
                    break
    except FileRefusedError:
        if not found:
            raise
        # Below the header, the pass over the rows names the problem.
    return found


def detect_layout(table: Table, *, fixed_kpi: str | None = None) -> Layout:
    """The layout a file's header says, or FileRefusedError naming what is missing.

    The header is the first row with a date column (`at`, `date`, `day`,
    `timestamp`...); rows above it are refused as title rows (a person may choose
    the header row instead: `layout_chosen`). With a kpi column: long. Without
    one, `fixed_kpi` names the KPI (`at, value`, or a date and one other column).
    With neither a kpi nor a value column: wide.
    """
    rows = header_rows(table)
    if not rows:
        raise _refused(EMPTY_FILE)
    for number, cells in rows:
        names = [normalise_name(cell) for cell in cells]
        if _first(names, AT_NAMES) is not None:
            if number != rows[0][0]:
                title_row, title_cells = rows[0]
                title = next(cell_text(c) for c in title_cells if not _blank(c))
                raise FileRefusedError(
                    [
                        FileProblem(
                            title_row,
                            "",
                            "",
                            f"'{title}' is above the header (row {number}): delete "
                            "the rows above the header so that the column names are "
                            "in the first row",
                        )
                    ]
                )
            return _layout(table, number, cells, fixed_kpi, chosen_header=False)
    number, cells = rows[0]
    shown = ", ".join(cell_text(c) for c in cells if not _blank(c))
    raise FileRefusedError(
        [
            FileProblem(
                number,
                "",
                "",
                f"no header: this row ({shown}) names no date column; the first row "
                "must name the columns: kpi, at (or date), value [, note], or a date "
                "column and one column per KPI key",
            )
        ]
    )


def _layout(
    table: Table,
    number: int,
    cells: Sequence[Cell],
    fixed_kpi: str | None,
    *,
    chosen_header: bool,
) -> Layout:
    headers = tuple(cell_text(cell).strip().lstrip("\ufeff") for cell in cells)
    names = [normalise_name(cell) for cell in cells]
    problems = Problems()
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if name and name in seen:
            problems.at(
                number,
                index,
                headers[index],
                f"repeats the column name of {column_letter(seen[name])}: give "
                "each column its own name",
            )
        seen.setdefault(name, index)
    at = _first(names, AT_NAMES)
    if at is None:
        problems.at(
            number,
            None,
            "",
            "no date column: name the column of dates 'at' (or date, day, "
            f"timestamp); the columns are: {', '.join(h for h in headers if h)}",
        )
        raise FileRefusedError(problems.sorted())
    kpi = _first(names, KPI_NAMES)
    value = _first(names, VALUE_NAMES)
    note = _first(names, NOTE_NAMES)
    used = {at, kpi, value, note} - {None}
    others = tuple(i for i, name in enumerate(names) if name and i not in used)
    if fixed_kpi is not None and kpi is not None:
        problems.at(
            number,
            kpi,
            headers[kpi],
            f"the file names its KPIs in this column, so a KPI cannot also be "
            f"chosen ('{fixed_kpi}'): leave the KPI out, or delete the column",
        )
    if fixed_kpi is not None and value is None and len(others) == 1:
        value, others = others[0], ()
    layout: Layout
    if kpi is not None or value is not None:
        if value is None:
            problems.at(
                number,
                None,
                "",
                "no value column: name the column of numbers 'value'; the columns "
                f"are: {', '.join(h for h in headers if h)}",
            )
        if kpi is None and fixed_kpi is None:
            problems.at(
                number,
                None,
                "",
                "no kpi column: add a 'kpi' column with the KPI's key on every row, "
                "or name the one KPI of the file (--kpi KEY, or the KPI choice)",
            )
        layout = Layout(
            format=Format.LONG,
            header_row=number,
            headers=headers,
            at=at,
            kpi=kpi,
            value=value,
            note=note,
            fixed_kpi=fixed_kpi,
            header_chosen=chosen_header,
            ignored=others,
        )
    else:
        if fixed_kpi is not None:
            problems.at(
                number,
                None,
                "",
                "a KPI is chosen, so the file must have a date column and one "
                "'value' column; the columns are: "
                f"{', '.join(h for h in headers if h)}",
            )
        kpi_columns = tuple(i for i in others if i != note)
        if not kpi_columns:
            problems.at(
                number,
                None,
                "",
                "no value columns: add a 'kpi' and a 'value' column, or one column "
                "per KPI named by its key",
            )
        layout = Layout(
            format=Format.WIDE,
            header_row=number,
            headers=headers,
            at=at,
            kpi_columns=kpi_columns,
            header_chosen=chosen_header,
            ignored=(note,) if note is not None else (),
        )
    if problems:
        raise FileRefusedError(problems.sorted())
    return layout


def layout_chosen(
    table: Table,
    *,
    format: Format,
    header_row: int,
    at: int,
    kpi: int | None,
    value: int | None,
    note: int | None,
    fixed_kpi: str | None,
) -> Layout:
    """The layout a person chose (the column mapping), or FileRefusedError saying why it
    cannot work."""
    rows = header_rows(table)
    cells = next((c for n, c in rows if n == header_row), None)
    if cells is None:
        raise FileRefusedError(
            [
                FileProblem(
                    header_row, "", "", "this row is empty: it cannot be the header"
                )
            ]
        )
    headers = tuple(cell_text(cell).strip().lstrip("\ufeff") for cell in cells)
    problems = Problems()
    width = len(headers)
    for label, column in (("date", at), ("kpi", kpi), ("value", value), ("note", note)):
        if column is not None and not 0 <= column < width:
            problems.at(header_row, None, "", f"the {label} column is not in the file")
    chosen = [c for c in (at, kpi, value, note) if c is not None]
    if len(set(chosen)) != len(chosen):
        problems.at(header_row, None, "", "each column can only be used for one thing")
    if format is Format.LONG:
        if value is None:
            problems.at(header_row, None, "", "choose the value column")
        if (kpi is None) == (fixed_kpi is None):
            problems.at(
                header_row,
                None,
                "",
                "choose either the column of KPI keys or the one KPI of the file",
            )
    if problems:
        raise FileRefusedError(problems.sorted())
    named = [i for i, h in enumerate(headers) if h]
    if format is Format.WIDE:
        return Layout(
            format=Format.WIDE,
            header_row=header_row,
            headers=headers,
            at=at,
            kpi_columns=tuple(i for i in named if i not in (at, note)),
            header_chosen=True,
            ignored=(note,) if note is not None else (),
        )
    return Layout(
        format=Format.LONG,
        header_row=header_row,
        headers=headers,
        at=at,
        kpi=kpi,
        value=value,
        note=note,
        fixed_kpi=fixed_kpi,
        header_chosen=True,
        ignored=tuple(i for i in named if i not in chosen),
    )


# --- Readings ----------------------------------------------------------------------


class ParsedReading(NamedTuple):
    """A reading read from a row of a file, checked, with where it came from (a
    named tuple: a million are made, five times faster than a frozen dataclass)."""

    kpi: str
    at: str
    value: float
    note: str
    row: int
    column: int


@dataclass(frozen=True)
class KPIAccess:
    """The KPI keys a file may name: all in the dictionary, and of those, the ones
    the person importing may record (None: all)."""

    known: Collection[str]
    allowed: Collection[str] | None = None

    def lookup(self, text: str) -> str | None:
        """The dictionary key a cell means (keys are lower case; cells may not be)."""
        if text in self.known:
            return text
        lowered = text.strip().lower()
        return lowered if lowered in self.known else None

    def unknown_message(self, text: str) -> str:
        close = get_close_matches(text.lower(), list(self.known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return (
            f"no KPI '{text}' in the dictionary{hint}: use a key from the "
            "dictionary, or add the KPI first"
        )

    def may_record(self, key: str) -> bool:
        return self.allowed is None or key in self.allowed


def refused_kpi_message(key: str) -> str:
    return (
        f"you may not record readings of '{key}' (only its owner and admins may): "
        "remove its rows from the file"
    )


def read_readings(
    table: Table,
    layout: Layout,
    access: KPIAccess,
    problems: Problems,
    *,
    on_row: Callable[[int], None] | None = None,
    limit: int | None = None,
) -> Iterator[ParsedReading]:
    """The readings of a file, checked cell by cell: every problem goes to
    `problems` and its row yields nothing. One pass; call again for another.

    `on_row` is told each row number as it is read; `limit` stops after that many
    rows below the header (for a preview).
    """
    for problem in table.sheet_problems():
        problems.add(problem)
    columns = _checked_columns(layout, access, problems)
    rows = _Rows(layout, access, problems)
    source = table.rows()
    last = None if limit is None else layout.header_row + limit
    try:
        for number, cells in source:
            if number <= layout.header_row:
                rows.above_header(number, cells)
                continue
            if last is not None and number > last:
                break
            if on_row is not None:
                on_row(number)
            if not cells:
                continue
            if layout.format is Format.LONG:
                reading = rows.long(number, cells)
                if reading is not None:
                    yield reading
            else:
                yield from rows.wide(number, cells, columns)
    except FileRefusedError as error:
        for problem in error.problems:
            problems.add(problem)
    finally:
        source.close()


def _checked_columns(
    layout: Layout, access: KPIAccess, problems: Problems
) -> list[tuple[int, str]]:
    """The wide format's (column, KPI key) pairs; unknown or refused KPIs are
    problems of the header row. In the long format, checks the chosen KPI."""
    row = layout.header_row
    if layout.format is Format.LONG:
        if layout.fixed_kpi is not None:
            key = access.lookup(layout.fixed_kpi)
            if key is None:
                problems.at(None, None, "kpi", access.unknown_message(layout.fixed_kpi))
            elif not access.may_record(key):
                problems.at(None, None, "kpi", refused_kpi_message(key))
        return []
    columns = []
    for column in layout.kpi_columns:
        name = layout.header(column)
        key = access.lookup(name)
        if key is None:
            problems.at(
                row,
                column,
                name,
                f"this column is not a KPI's: {access.unknown_message(name)}; or "
                "delete the column",
            )
        elif not access.may_record(key):
            problems.at(row, column, name, refused_kpi_message(key))
        else:
            columns.append((column, key))
    return columns


MOMENTS_KEPT = 4096
"""How many moments' texts `_Rows` keeps read: a file's days recur, a million
distinct timestamps must not stay in memory."""


class _Rows:
    """Reads the rows below the header of one layout into readings."""

    def __init__(self, layout: Layout, access: KPIAccess, problems: Problems) -> None:
        self.layout = layout
        self.access = access
        self.problems = problems
        self.refused: set[str] = set()
        self.header_at = normalise_name(layout.header(layout.at))
        self.fixed = access.lookup(layout.fixed_kpi) if layout.fixed_kpi else None
        used = (layout.kpi, layout.at, layout.value, layout.note)
        self.used = [column for column in used if column is not None]
        # The texts already read well, for the rows that repeat them (most do).
        self.moments: dict[str, str] = {}
        self.keys: dict[str, str] = {}

    def above_header(self, number: int, cells: Sequence[Cell]) -> None:
        layout = self.layout
        if (
            number < layout.header_row
            and not layout.header_chosen
            and any(not _blank(c) for c in cells)
        ):
            self.problems.at(
                number, None, "", "is above the header: delete the rows above it"
            )

    def _at(self, number: int, cells: Sequence[Cell]) -> tuple[str | None, bool]:
        """The row's moment (None: the problem is told), and whether the row
        repeats the header."""
        column = self.layout.at
        cell = cells[column] if column < len(cells) else None
        try:
            moment = parse_moment(cell, column, number)
            if type(cell) is str:
                if len(self.moments) == MOMENTS_KEPT:  # bounded memory
                    self.moments.clear()
                self.moments[cell] = moment
            return moment, False
        except CellValueError as error:
            if isinstance(cell, str) and normalise_name(cell) == self.header_at:
                self.problems.at(
                    number,
                    None,
                    "",
                    f"repeats the header (row {self.layout.header_row}): delete "
                    "this row",
                )
                return None, True
            self.problems.at(number, column, self.layout.header(column), str(error))
            return None, False

    def long(self, number: int, cells: Sequence[Cell]) -> ParsedReading | None:
        known = self._long_known(number, cells)
        if known is not None:
            return known
        layout, problems = self.layout, self.problems
        width = len(cells)
        if _blank(cells[layout.at] if layout.at < width else None) and all(
            _blank(cells[column]) for column in self.used if column < width
        ):
            return None  # nothing in the columns read: a blank row
        at, repeated = self._at(number, cells)
        if repeated:
            return None
        key = self.fixed
        if layout.kpi is not None:
            key = self._kpi(number, cells[layout.kpi] if layout.kpi < width else None)
        good = at is not None and key is not None
        value_column = layout.value
        assert value_column is not None
        try:
            value = parse_value(
                cells[value_column] if value_column < width else None,
                value_column,
                number,
            )
        except CellValueError as error:
            problems.at(number, value_column, layout.header(value_column), str(error))
            good = False
        note = ""
        if layout.note is not None:
            column = layout.note
            try:
                note = _text(cells[column] if column < width else None, column, number)
            except CellValueError as error:
                problems.at(number, column, layout.header(column), str(error))
                good = False
        if not good or key is None or at is None:
            return None
        return ParsedReading(key, at, value, note, number, value_column)

    def _long_known(self, number: int, cells: Sequence[Cell]) -> ParsedReading | None:
        """The row's reading when its KPI and moment are texts already read well
        and its value a plain number, as `long` would read it; else None, and
        `long` reads it cell by cell."""
        layout = self.layout
        value_column = layout.value
        if value_column is None:
            return None
        try:
            at_cell = cells[layout.at]
            value_cell = cells[value_column]
            kpi_cell = self.fixed if layout.kpi is None else cells[layout.kpi]
            note_cell = "" if layout.note is None else cells[layout.note]
        except IndexError:
            return None
        if not (
            type(at_cell) is str and type(kpi_cell) is str and type(note_cell) is str
        ):
            return None
        at = self.moments.get(at_cell)
        key = kpi_cell if layout.kpi is None else self.keys.get(kpi_cell)
        if at is None or key is None:
            return None
        if type(value_cell) is str and _PLAIN.fullmatch(value_cell):
            value = float(value_cell)
        elif type(value_cell) is float:
            value = value_cell
        else:
            return None
        if value - value != 0.0:  # not finite: `long` says why
            return None
        return ParsedReading(key, at, value, note_cell.strip(), number, value_column)

    def _kpi(self, number: int, cell: Cell) -> str | None:
        column = self.layout.kpi
        assert column is not None
        name = self.layout.header(column)
        try:
            text = _text(cell, column, number)
        except CellValueError as error:
            self.problems.at(number, column, name, str(error))
            return None
        key = self.access.lookup(text)
        if key is None:
            self.problems.at(
                number,
                column,
                name,
                self.access.unknown_message(text)
                if text
                else "no KPI key: write the KPI's key, or delete the row",
            )
            return None
        if not self.access.may_record(key):
            if key not in self.refused:  # told once, on its first row
                self.refused.add(key)
                self.problems.at(number, column, name, refused_kpi_message(key))
            return None
        if type(cell) is str:
            self.keys[cell] = key
        return key

    def wide(
        self, number: int, cells: Sequence[Cell], columns: list[tuple[int, str]]
    ) -> Iterator[ParsedReading]:
        width = len(cells)
        filled = [(c, k) for c, k in columns if c < width and not _blank(cells[c])]
        if not filled:
            return
        at, repeated = self._at(number, cells)
        if repeated:
            return
        good = at is not None
        readings = []
        for column, key in filled:
            try:
                value = parse_value(cells[column], column, number)
            except CellValueError as error:
                self.problems.at(number, column, self.layout.header(column), str(error))
                good = False
                continue
            readings.append(ParsedReading(key, at or "", value, "", number, column))
        if good:
            yield from readings


@dataclass(frozen=True)
class PreviewRow:
    """A row of a file as it would be imported: the readings read from it and
    what is wrong with it."""

    row: int
    readings: list[ParsedReading]
    problems: list[FileProblem]


def preview_rows(
    table: Table, layout: Layout, access: KPIAccess, rows: int = 10
) -> tuple[list[PreviewRow], list[FileProblem]]:
    """The first `rows` rows below the header as read (blank ones left out), and
    the problems of the file as a whole or of its header."""
    problems = Problems()
    readings = list(read_readings(table, layout, access, problems, limit=rows))
    general = [p for p in problems.items if p.row is None or p.row <= layout.header_row]
    numbers = sorted(
        {r.row for r in readings}
        | {p.row for p in problems.items if p.row and p.row > layout.header_row}
    )
    shown = [
        PreviewRow(
            number,
            [r for r in readings if r.row == number],
            [p for p in problems.items if p.row == number],
        )
        for number in numbers
    ]
    return shown, general


# --- KPI definitions ---------------------------------------------------------------


class Kind(StrEnum):
    TEXT = "text"
    FLAG = "flag"
    NUMBER = "number"
    NUMBER_OR_BAND = "number or band"
    BAND = "band"
    KEYS = "keys"


KPI_COLUMNS: dict[str, Kind] = {
    "key": Kind.TEXT,
    "name": Kind.TEXT,
    "description": Kind.TEXT,
    "unit": Kind.TEXT,
    "direction": Kind.TEXT,
    "cadence": Kind.TEXT,
    "owner": Kind.TEXT,
    "team": Kind.TEXT,
    "perspective": Kind.TEXT,
    "tier": Kind.TEXT,
    "indicator": Kind.TEXT,
    "north_star": Kind.FLAG,
    "financial": Kind.FLAG,
    "thresholds.green": Kind.NUMBER_OR_BAND,
    "thresholds.red": Kind.NUMBER,
    "thresholds.amber": Kind.BAND,
    "benchmarks.industry": Kind.NUMBER,
    "benchmarks.best_in_class": Kind.NUMBER,
    "drives": Kind.KEYS,
    "source.type": Kind.TEXT,
    "source.connection": Kind.TEXT,
    "source.query": Kind.TEXT,
    "spc.baseline.start": Kind.TEXT,
    "spc.baseline.end": Kind.TEXT,
}
"""The columns of a KPI definitions file: the workspace format's KPI fields, a
nested one by its dotted path."""

_FLAGS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


@dataclass(frozen=True)
class KPIRow:
    """A row of a KPI definitions file: its number, and the value of each column
    the file has (None where the cell is empty: the field is cleared)."""

    row: int
    values: dict[str, Any]


@dataclass(frozen=True)
class KPISheet:
    """A KPI definitions file, read: its columns (name → 0-based index) and rows."""

    columns: dict[str, int]
    rows: list[KPIRow]

    def letter(self, column: str) -> str:
        return column_letter(self.columns.get(column))


def read_kpi_definitions(table: Table) -> KPISheet:
    """The KPI definitions of a CSV file: the header names workspace KPI fields
    (`key`, `name`, `thresholds.green`...), one KPI a row. Cells are typed by
    their column (flags, numbers, `[low, high]` bands, space- or comma-separated
    KPI keys); FileRefusedError lists every cell that is not."""
    rows = table.rows()
    problems = Problems()
    header: tuple[int, Sequence[Cell]] | None = None
    try:
        for number, cells in rows:
            if any(not _blank(c) for c in cells):
                header = (number, cells)
                break
        if header is None:
            raise _refused(
                "the file is empty: the first row must name the columns (key, name, "
                "and any other KPI fields)"
            )
        number, cells = header
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            name = cell_text(cell).strip().lstrip("\ufeff").lower()
            if not name:
                continue
            if name not in KPI_COLUMNS:
                close = get_close_matches(name, list(KPI_COLUMNS), n=1)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else f"the columns are: {', '.join(KPI_COLUMNS)}"
                )
                problems.at(number, index, name, f"unknown column ({hint})")
            elif name in columns:
                problems.at(
                    number,
                    index,
                    name,
                    f"repeats column {column_letter(columns[name])}",
                )
            else:
                columns[name] = index
        if "key" not in columns:
            problems.at(number, None, "", "no 'key' column: every KPI needs its key")
        if problems:
            raise FileRefusedError(problems.sorted())
        found = []
        for row, cells in rows:
            if not any(not _blank(c) for c in cells):
                continue
            values: dict[str, Any] = {}
            for name, index in columns.items():
                cell = cells[index] if index < len(cells) else None
                try:
                    values[name] = _kpi_cell(cell, KPI_COLUMNS[name])
                except CellValueError as error:
                    problems.at(row, index, name, str(error))
            found.append(KPIRow(row, values))
    finally:
        rows.close()
    if problems:
        raise FileRefusedError(problems.sorted())
    return KPISheet(columns, found)


def _kpi_cell(cell: Cell, kind: Kind) -> Any:
    if _blank(cell):
        return None
    text = cell_text(cell).strip()
    if kind is Kind.TEXT:
        return text
    if kind is Kind.FLAG:
        flag = _FLAGS.get(text.lower())
        if flag is None:
            raise CellValueError(f"'{text}' is not true or false (or yes, no, 1, 0)")
        return flag
    if kind is Kind.KEYS:
        return [key for key in re.split(r"[\s,]+", text.strip("[]")) if key]
    parts = [part.strip() for part in text.strip("[]").split(",")]
    band = len(parts) == 2
    if (kind is Kind.BAND and not band) or (kind is Kind.NUMBER and band):
        expected = "a band: low, high" if kind is Kind.BAND else "a number"
        raise CellValueError(f"'{text}' is not {expected}")
    if len(parts) > 2:
        raise CellValueError(f"'{text}' is not a number or a band (low, high)")
    numbers = []
    for part in parts:
        if not _PLAIN.fullmatch(part):
            raise CellValueError(
                f"'{text}' is not a number: write digits with a point for decimals"
                + ("; a band as low, high" if kind is not Kind.NUMBER else "")
            )
        numbers.append(float(part))
    if not all(math.isfinite(n) for n in numbers):
        raise CellValueError(f"'{text}' is not a finite number")
    return numbers if band else numbers[0]
