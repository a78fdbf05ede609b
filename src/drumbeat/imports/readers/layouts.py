"""How a file lays out its readings: finding the header row and whether the file
is long (`kpi, at, value[, note]`), wide (a date column and one column per KPI key)
or of one KPI (`at, value`), or checking the layout a person chose."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from drumbeat.imports.readers.cells import Cell, _blank, cell_text, normalise_name
from drumbeat.imports.readers.files import EMPTY_FILE, Table
from drumbeat.imports.readers.problems import (
    FileProblem,
    FileRefusedError,
    Problems,
    _refused,
    column_letter,
)

HEADER_SEARCH_ROWS = 20
"""How far down the header row is looked for (title rows above it are refused)."""


AT_NAMES = frozenset(
    {"at", "date", "day", "timestamp", "datetime", "date_time", "time", "when"}
    | {"period", "as_of", "reading_date", "measured_at", "recorded_on"}
)
KPI_NAMES = frozenset({"kpi", "key", "kpi_key", "metric", "measure", "indicator"})
VALUE_NAMES = frozenset({"value", "reading", "amount", "actual", "val", "number"})
NOTE_NAMES = frozenset({"note", "notes", "comment", "comments", "remark", "remarks"})


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
