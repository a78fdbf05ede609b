"""Writers of an export table as CSV, JSON (both streamed in chunks) or XLSX
(openpyxl's write-only mode, which keeps rows on disk, not in memory).

Numbers are plain (`88`, not `88.0`); dates and times are ISO 8601 (times in
UTC); a band target or a list of signals is JSON text in CSV and XLSX cells. Text
that a spreadsheet would run as a formula is written as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import (  # type: ignore[import-untyped]
    ILLEGAL_CHARACTERS_RE,
)
from openpyxl.styles import Font  # type: ignore[import-untyped]

from drumbeat.core.contract import plain_number
from drumbeat.exports.selectors import SCHEMA, ExportFilter, ExportTable

ROWS_PER_CHUNK = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class CountedRows:
    """An export's rows, counted as a writer reads them."""

    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for row in self.rows:
            self.count += 1
            yield row


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if timezone.is_aware(moment) else moment


def json_value(value: Any) -> Any:
    """A cell as a JSON value: numbers plain, moments ISO text."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float | int):
        return plain_number(value)
    if isinstance(value, dt.datetime):
        return _utc(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.loads(json.dumps(value, default=str))
    return value


def text_value(value: Any) -> str:
    """A cell as CSV text: empty for nothing, true/false, JSON for lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(json_value(value), ensure_ascii=False)
    if isinstance(value, str):
        # A leading apostrophe stops a spreadsheet from running it as a formula.
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return str(json_value(value))


def csv_chunks(table: ExportTable) -> Iterator[str]:
    """The CSV text: a header line, then the rows, a few hundred per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    rows = iter(table.rows)
    while True:
        for row in itertools.islice(rows, ROWS_PER_CHUNK):
            writer.writerow([text_value(value) for value in row])
        chunk = buffer.getvalue()
        if not chunk:
            return
        yield chunk
        buffer.seek(0)
        buffer.truncate()


def json_chunks(
    table: ExportTable, export: ExportFilter, exported_at: dt.datetime
) -> Iterator[str]:
    """The JSON document, streamed: `{"schema": 1, "kind", "exported_at",
    "filter", "columns", "rows": [{column: value, ...}, ...]}`."""
    head = {
        "schema": SCHEMA,
        "kind": table.kind,
        "exported_at": _utc(exported_at).isoformat(),
        "filter": export.as_json(),
        "columns": list(table.columns),
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
    rows = iter(table.rows)
    first = True
    while True:
        batch = list(itertools.islice(rows, ROWS_PER_CHUNK))
        if not batch:
            break
        parts = []
        for row in batch:
            item = {
                name: json_value(value)
                for name, value in zip(table.columns, row, strict=True)
            }
            parts.append(
                ("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False)
            )
            first = False
        yield "".join(parts)
    yield "\n]}\n"


def _xlsx_value(sheet: Any, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # Excel has no time zones: times are written in UTC.
        return _utc(value).replace(tzinfo=None)
    if isinstance(value, list | dict):
        value = json.dumps(json_value(value), ensure_ascii=False)
    if isinstance(value, str):
        # A workbook cannot hold control characters (XML refuses them); text
        # kept from before they were refused on the way in shows U+FFFD instead.
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula
        return cell
    return value


def xlsx_write(table: ExportTable, target: str | Path | IO[bytes]) -> int:
    """Write the table as an XLSX workbook of one sheet named after its kind, the
    header in bold; returns the number of rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.kind)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in table.rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
        count += 1
    workbook.save(target)
    return count


def file_name(kind: str, output_format: str, on: dt.date) -> str:
    return f"drumbeat-{kind}-{on.isoformat()}.{output_format}"
