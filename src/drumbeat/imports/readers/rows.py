"""Turning the rows below a file's header into checked readings, one pass with
bounded memory (the texts already read are kept up to a limit), every bad cell a
located problem; and the preview of a file's first rows."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any, NamedTuple

from drumbeat.imports.readers.cells import (
    _PLAIN,
    Cell,
    CellValueError,
    _blank,
    _text,
    normalise_name,
    parse_moment,
    parse_value,
)
from drumbeat.imports.readers.files import Table
from drumbeat.imports.readers.layouts import Format, Layout
from drumbeat.imports.readers.problems import FileProblem, FileRefusedError, Problems


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

    def as_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "readings": [reading._asdict() for reading in self.readings],
            "problems": [problem.as_json() for problem in self.problems],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PreviewRow:
        return cls(
            int(data["row"]),
            [ParsedReading(**reading) for reading in data["readings"]],
            [FileProblem(**problem) for problem in data["problems"]],
        )


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
