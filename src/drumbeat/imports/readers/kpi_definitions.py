"""Reading a KPI definitions file: one KPI a row, the header naming workspace KPI
fields, each cell typed by its column."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from enum import StrEnum
from typing import Any

from drumbeat.imports.readers.cells import (
    _PLAIN,
    Cell,
    CellValueError,
    _blank,
    cell_text,
)
from drumbeat.imports.readers.files import Table
from drumbeat.imports.readers.problems import (
    FileRefusedError,
    Problems,
    _refused,
    column_letter,
)


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
