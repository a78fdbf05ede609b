"""One cell of a file as a reading's moment, value or note, or the
`CellValueError` that says why it cannot be.

What a cell may hold (documented in docs/imports-exports.md):

- dates: `YYYY-MM-DD`, an ISO timestamp (`2026-07-10T14:30:00Z`,
  `2026-07-10 14:30`), or a spreadsheet date cell, read by the rule of every way
  in (`drumbeat.core.moments`): a time of exactly midnight with no time zone is the
  date itself, so a file exported with `2026-07-10 00:00:00` records the same
  moment as `2026-07-10`; a timestamp is kept in UTC.
- values: a number with a point for decimals (`1234.5`, `-3`, `1e6`); commas only
  as thousands separators in groups of three (`1,234.5`: the application's locale
  is en-GB; `1,5` is refused as ambiguous); a percentage (`12%`, or a spreadsheet
  cell formatted as a percentage) is the number shown, 12, as Drumbeat records
  percent KPIs from 0 to 100. Not finite (`nan`, `inf`), text, booleans, formulas
  and error cells are refused.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass

from drumbeat.core.moments import MOMENT_HELP, MomentError, moment_text, reading_moment
from drumbeat.imports.readers.problems import column_letter

SPREADSHEET_DATES = "; a spreadsheet date cell works too"
ACCEPTED_DATES = MOMENT_HELP + SPREADSHEET_DATES


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


def parse_moment(cell: Cell, column: int, row: int) -> str:
    """A cell as the canonical text of a reading's moment, by the one rule every
    way in follows (`drumbeat.core.moments`): `2026-07-10`, or a timestamp in UTC
    (`2026-07-10T12:30:00+00:00`); a spreadsheet's date cell is its day. `column`
    and `row` name the cell in messages."""
    if type(cell) is str:  # the common case, first
        return _moment_text(cell)
    _special(cell, column, row)
    if _blank(cell):
        raise CellValueError(f"no date: {ACCEPTED_DATES}")
    if isinstance(cell, dt.date | dt.time):
        return _moment_text(cell)
    if isinstance(cell, dt.timedelta):
        raise CellValueError(
            f"{cell_text(cell)} is a time of day without a date: {ACCEPTED_DATES}"
        )
    raise CellValueError(
        f"{cell_text(cell)} is a number, not a date: format the cell as a date, "
        "or write YYYY-MM-DD"
    )


@functools.lru_cache(maxsize=4096)
def _moment_text(given: str | dt.date | dt.time) -> str:
    """Checked moments, cached: in the long format the same dates recur."""
    try:
        return moment_text(reading_moment(given))
    except MomentError as error:
        raise CellValueError(f"{error}{SPREADSHEET_DATES}") from None


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
