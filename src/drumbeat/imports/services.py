"""Imports: readings from CSV and XLSX files, KPI definitions from CSV.

Readings are written only through `readings_ingest`, as on every other way in.
A file is read once, streamed in chunks that are checked and written inside one
transaction, so that memory stays bounded whatever its size; a problem anywhere
(named by row and column) rolls all of it back: a file with any problem is refused
whole, listing each problem (up to a cap), and nothing is written.

KPI definitions go through `workspace_apply`, the same machinery as a workspace
file: the database's workspace with the file's KPIs laid over it, validated by the
workspace schema, all or nothing.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from drumbeat.common.locks import serialized_write
from drumbeat.core.display import format_count, format_size
from drumbeat.imports.models import ImportRun
from drumbeat.imports.readers.cells import cell_text
from drumbeat.imports.readers.files import (
    EMPTY_FILE,
    SUFFIXES,
    Table,
    TextRows,
    opened,
    text_bytes,
)
from drumbeat.imports.readers.kpi_definitions import KPISheet, read_kpi_definitions
from drumbeat.imports.readers.layouts import (
    HEADER_SEARCH_ROWS,
    Format,
    Layout,
    detect_layout,
    header_rows,
    layout_chosen,
)
from drumbeat.imports.readers.problems import (
    FileProblem,
    FileRefusedError,
    Problems,
    column_letter,
)
from drumbeat.imports.readers.rows import (
    KPIAccess,
    ParsedReading,
    PreviewRow,
    preview_rows,
    read_readings,
)
from drumbeat.imports.readers.workbooks import WorkbookLimits
from drumbeat.imports.selectors import (
    imports_dir,
    kpi_access,
    progress_file,
    run_file,
)
from drumbeat.kpis.models import Reading
from drumbeat.kpis.services.definitions import RESERVED_KPI_KEYS
from drumbeat.kpis.services.readings import (
    IngestError,
    IngestResult,
    RowProblem,
    readings_ingest,
)
from drumbeat.scorecard.selectors import workspace_data
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import WorkspaceError, load_workspace_data

logger = logging.getLogger(__name__)

DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
UPLOAD_LIFETIME_SECONDS = 24 * 60 * 60
PROGRESS_EVERY_ROWS = 5_000
PROGRESS_EVERY_SECONDS = 0.5


class ImportRefusedError(ValueError):
    """A file refused whole, nothing written: every problem found, up to a cap,
    with the number of the others."""

    def __init__(
        self, file_name: str, problems: Iterable[FileProblem], more: int = 0
    ) -> None:
        self.file_name = file_name
        self.problems = sorted(
            problems, key=lambda p: (p.row or 0, len(p.column), p.column)
        )
        self.more = more
        super().__init__(self.lines[0] if self.lines else file_name)

    @property
    def lines(self) -> list[str]:
        """`FILE:ROW:COLUMN: field: message`, one a problem."""
        lines = [problem.line(self.file_name) for problem in self.problems]
        if self.more:
            lines.append(f"{self.file_name}: ... and {self.more} more problems")
        return lines


@dataclass(frozen=True)
class ImportProgress:
    """How far an import has got: `phase` is `write` (each row is checked and
    written as it is read), `refresh` (statuses and scores) or `done`; `rows` are
    the file's rows read so far, of about `total` (None when unknown)."""

    phase: str
    rows: int
    total: int | None


ProgressCallback = Callable[[ImportProgress], None]


class _Tracker:
    """Tells `progress` how far each pass has got, at most every few thousand rows
    or half second."""

    def __init__(
        self, progress: ProgressCallback | None, header_row: int, total: int | None
    ) -> None:
        self.progress = progress
        self.header_row = header_row
        self.total = total
        self.rows = 0
        self.told_at = 0.0

    def on_row(self, phase: str) -> Callable[[int], None] | None:
        if self.progress is None:
            return None
        progress = self.progress

        def seen(number: int) -> None:
            self.rows = number - self.header_row
            if self.rows % PROGRESS_EVERY_ROWS == 0:
                now = time.monotonic()
                progress(ImportProgress(phase, self.rows, self.total))
                self.told_at = now
            elif time.monotonic() - self.told_at > PROGRESS_EVERY_SECONDS:
                progress(ImportProgress(phase, self.rows, self.total))
                self.told_at = time.monotonic()

        return seen

    def tell(self, phase: str) -> None:
        if self.progress is not None:
            self.progress(ImportProgress(phase, self.rows, self.total))


def readings_import_file(
    *,
    path: Path,
    by: User | None,
    kpi: str | None = None,
    sheet: str | None = None,
    layout: Layout | None = None,
    access: KPIAccess | None = None,
    file_name: str | None = None,
    progress: ProgressCallback | None = None,
) -> IngestResult:
    """Import the readings of a CSV or XLSX file, all or nothing.

    The layout is detected from the header unless given; `kpi` names the one KPI
    of a file of `at, value` columns; `sheet` picks a workbook's sheet (the first
    by default). `access` limits the KPIs the file may name (default: any KPI in
    the dictionary). Readings are recorded with source `import`, the file's name
    (`file_name`, default the path's) as their detail, and `by` as who recorded
    them. Raises ImportRefusedError listing every problem; writes nothing then.
    """
    name = file_name or path.name
    try:
        with opened(path, name=name, sheet=sheet, limits=workbook_limits()) as table:
            chosen = layout or detect_layout(table, fixed_kpi=kpi)
            return _readings_import(
                table,
                chosen,
                by=by,
                access=access or kpi_access(None),
                name=name,
                progress=progress,
            )
    except FileRefusedError as error:
        raise ImportRefusedError(name, error.problems) from None


@serialized_write
def _readings_import(
    table: Table,
    layout: Layout,
    *,
    by: User | None,
    access: KPIAccess,
    name: str,
    progress: ProgressCallback | None,
) -> IngestResult:
    problems = Problems()
    tracker = _Tracker(
        progress,
        layout.header_row,
        _data_rows(table.rows_estimate(), layout) if progress else None,
    )
    yielded = 0

    def readings() -> Iterator[ParsedReading]:
        # readings_ingest reads the file once, writing as it goes inside one
        # transaction; a problem found here refuses the file at the end of the
        # pass, before any status is refreshed, and the transaction undoes it all.
        nonlocal yielded
        for reading in read_readings(
            table, layout, access, problems, on_row=tracker.on_row("write")
        ):
            yielded += 1
            yield reading
        _refuse_if_bad(name, layout, problems, yielded=yielded)
        tracker.tell("refresh")

    try:
        result = readings_ingest(
            readings=readings,
            by=by,
            source=Reading.Source.IMPORT,
            source_detail=name[:300],
        )
    except IngestError as error:
        located = _locate(table, layout, access, error.problems)
        raise ImportRefusedError(
            name, [*problems.items, *located], problems.more + error.more
        ) from None
    if progress is not None:
        progress(ImportProgress("done", tracker.rows, tracker.rows))
    return result


def _data_rows(estimate: int | None, layout: Layout) -> int | None:
    return None if estimate is None else max(estimate - layout.header_row, 0)


def _refuse_if_bad(name: str, layout: Layout, problems: Problems, yielded: int) -> None:
    if not problems and not yielded:
        below = "in the KPI columns" if layout.format is Format.WIDE else "below it"
        problems.at(
            layout.header_row,
            None,
            "",
            f"no readings: the file has a header but no readings {below}",
        )
    if problems:
        raise ImportRefusedError(name, problems.sorted(), problems.more)


def _locate(
    table: Table, layout: Layout, access: KPIAccess, found: list[RowProblem]
) -> list[FileProblem]:
    """The rows and columns of problems the ingest found by reading position (a
    KPI removed meanwhile, say): one more pass over the file."""
    wanted = {problem.index: problem for problem in found}
    located = []
    readings = read_readings(table, layout, access, Problems())
    for index, reading in enumerate(readings):
        problem = wanted.get(index)
        if problem is None:
            continue
        column = {"kpi": layout.kpi, "at": layout.at}.get(problem.field, reading.column)
        located.append(
            FileProblem(
                reading.row,
                column_letter(column),
                layout.header(column) or problem.field,
                problem.message,
            )
        )
    return located


# --- Uploads through the web pages -------------------------------------------------


class UploadError(ValueError):
    """An upload refused before it is stored, with a message for the person."""


def max_upload_bytes() -> int:
    return int(getattr(settings, "DRUMBEAT_IMPORT_MAX_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]+")


def _clean_name(name: str) -> str:
    """The uploaded name as it is shown and kept: no path, no control characters."""
    base = _UNSAFE.sub(" ", os.path.basename(name.replace("\\", "/"))).strip()
    return base[:255] or "upload"


def workbook_limits() -> WorkbookLimits:
    """What an XLSX workbook may unpack to (DRUMBEAT_IMPORT_MAX_UNPACKED_BYTES,
    DRUMBEAT_IMPORT_MAX_RATIO), read at call time."""
    defaults = WorkbookLimits()
    return WorkbookLimits(
        unpacked_bytes=int(
            getattr(
                settings, "DRUMBEAT_IMPORT_MAX_UNPACKED_BYTES", defaults.unpacked_bytes
            )
        ),
        ratio=int(getattr(settings, "DRUMBEAT_IMPORT_MAX_RATIO", defaults.ratio)),
    )


PREVIEW_INLINE_BYTES = 1024 * 1024
"""A file whose text is at most this (a CSV file of this size, or a workbook that
unpacks to it) is read for its preview in the request that uploads it, or changes
how its columns are read; a larger one, by the worker."""
PREVIEW_ROWS = 10


def import_upload(
    *,
    upload: UploadedFile,
    by: User,
    kpi: str | None = None,
    sheet: str | None = None,
) -> ImportRun:
    """Keep an uploaded readings file (under a random name in DATA_DIR/imports)
    for its preview and import. A small file is read for its preview at once; a
    larger one waits for the worker (`reading`); a workbook over the bounds of
    `workbook_limits` is refused from its table of contents, unread. Files left
    unimported for a day are deleted first."""
    import_uploads_expire()
    name = _clean_name(upload.name or "")
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadError(
            f"'{name}' is not a CSV or XLSX file: save the sheet as CSV UTF-8 (.csv) "
            "or as an Excel Workbook (.xlsx)"
        )
    size = upload.size or 0
    limit = max_upload_bytes()
    if size > limit:
        raise UploadError(
            f"'{name}' is {format_size(size)}; the limit is {format_size(limit)}: "
            "split the file, or import it with `drumbeat import readings` on the "
            "server"
        )
    if size == 0:
        raise UploadError(f"'{name}' is empty: choose the file with your readings")
    directory = imports_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_urlsafe(24)}{suffix}"
    with (directory / stored).open("xb") as file:
        for chunk in upload.chunks():
            file.write(chunk)
    run = ImportRun(
        created_by=by,
        file_name=name,
        stored_name=stored,
        size=size,
        sheet=sheet or "",
        kpi=kpi or "",
    )
    try:
        text = text_bytes(run_file(run), limits=workbook_limits())
    except FileRefusedError as error:
        _run_refuse(run, error.problems)
        return run
    _preview_read_or_queue(run, text)
    return run


def _preview_read_or_queue(run: ImportRun, text: int) -> None:
    """Read a run's preview now if its file is small, else leave it to the worker."""
    from drumbeat.imports.tasks import import_preview_task

    if text <= PREVIEW_INLINE_BYTES:
        _preview_read(run)
        return
    run.status = ImportRun.Status.READING
    run.save()
    import_preview_task.enqueue(run.pk)


def import_run_preview_read(*, run_id: int) -> None:
    """Read a waiting run's file for its preview: what the worker runs for a
    large file (`import_preview_task`). A run no longer waiting is left alone."""
    run = (
        ImportRun.objects.select_related("created_by")
        .filter(pk=run_id, status=ImportRun.Status.READING)
        .first()
    )
    if run is None:
        return  # read already, or expired
    try:
        _preview_read(run)
    except Exception:
        logger.exception("Preview %s of %s stopped", run.pk, run.file_name)
        run.status = ImportRun.Status.FAILED
        run.problems = [_unexpected_problem("the file could not be read")]
        _run_finish(run)
        raise


def _preview_read(run: ImportRun) -> None:
    """Read a run's file once for all its visits: its first rows as text (to
    choose the columns from), its layout (the one chosen, else the one its header
    shows, else why none is found), and its first rows as they would be imported,
    checked with the uploader's rights. A file that cannot be read at all is
    refused and deleted. Saves the run, waiting to be imported."""
    chosen = Layout.from_json(run.layout) if run.layout else None
    try:
        with opened(
            run_file(run),
            name=run.file_name,
            sheet=run.sheet or None,
            limits=workbook_limits(),
        ) as table:
            first = header_rows(table, HEADER_SEARCH_ROWS)
            if not first:
                raise FileRefusedError([FileProblem(None, "", "", EMPTY_FILE)])
            estimate = table.rows_estimate()
            layout: Layout | None = None
            rows: list[PreviewRow] = []
            try:
                layout = chosen or detect_layout(table, fixed_kpi=run.kpi or None)
            except FileRefusedError as error:
                problems = error.problems
            else:
                access = kpi_access(run.created_by)
                rows, problems = preview_rows(table, layout, access, PREVIEW_ROWS)
    except FileRefusedError as error:
        _run_refuse(run, error.problems)
        return
    run.preview = {
        "first_rows": [[n, [cell_text(c) for c in cells]] for n, cells in first],
        "estimate": estimate,
        "rows": [row.as_json() for row in rows],
        "problems": [problem.as_json() for problem in problems],
    }
    run.layout = layout.as_json() if layout else {}
    run.rows_total = _data_rows(estimate, layout) if layout else None
    run.status = ImportRun.Status.UPLOADED
    run.save()


def _run_refuse(run: ImportRun, problems: Iterable[FileProblem]) -> None:
    """A file that cannot be read at all: refused, with why, and deleted."""
    run.status = ImportRun.Status.REFUSED
    run.layout = {}
    run.problems = [problem.as_json() for problem in problems]
    _run_finish(run)


def import_run_layout_choose(
    *,
    run: ImportRun,
    format: Format,
    header_row: int,
    at: int,
    kpi: int | None,
    value: int | None,
    note: int | None,
    fixed_kpi: str | None,
) -> ImportRun:
    """Read a waiting run's file with the layout the person chose (the column
    mapping), checked against its first rows as kept; its preview follows, at
    once for a small file, else by the worker. Raises FileRefusedError saying why
    that layout cannot work."""
    if run.status != ImportRun.Status.UPLOADED:
        raise UploadError("This file has already been imported.")
    first = [(n, cells) for n, cells in run.preview.get("first_rows", [])]
    layout = layout_chosen(
        TextRows(run.file_name, first),
        format=format,
        header_row=header_row,
        at=at,
        kpi=kpi,
        value=value,
        note=note,
        fixed_kpi=fixed_kpi,
    )
    run.layout = layout.as_json()
    try:
        text = text_bytes(run_file(run), limits=workbook_limits())
    except FileRefusedError as error:  # the limits changed since the upload
        _run_refuse(run, error.problems)
        return run
    _preview_read_or_queue(run, text)
    return run


def import_run_start(*, run: ImportRun) -> bool:
    """Queue a waiting run's import (once: False if it was already started)."""
    from drumbeat.imports.tasks import readings_import_task

    if not run.layout:
        raise UploadError("Choose how the columns are read before importing.")
    started = ImportRun.objects.filter(
        pk=run.pk, status=ImportRun.Status.UPLOADED
    ).update(status=ImportRun.Status.QUEUED)
    if not started:
        return False
    result = readings_import_task.enqueue(run.pk)
    ImportRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
    return True


def import_run_execute(*, run_id: int) -> None:
    """Import a queued run's file as the person who uploaded it, with only the
    KPIs they may record at this moment; record the result or the problems, and
    delete the file. What the background task runs."""
    claimed = ImportRun.objects.filter(
        pk=run_id, status=ImportRun.Status.QUEUED
    ).update(status=ImportRun.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return  # already run, or expired
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    progress_path = progress_file(run)

    def progress(step: ImportProgress) -> None:
        _progress_write(progress_path, step)

    try:
        result = readings_import_file(
            path=run_file(run),
            by=run.created_by,
            sheet=run.sheet or None,
            layout=Layout.from_json(run.layout),
            access=kpi_access(run.created_by),
            file_name=run.file_name,
            progress=progress,
        )
    except ImportRefusedError as error:
        run.status = ImportRun.Status.REFUSED
        run.problems = [problem.as_json() for problem in error.problems]
        run.more_problems = error.more
    except Exception:
        logger.exception("Import %s of %s stopped", run.pk, run.file_name)
        run.status = ImportRun.Status.FAILED
        run.problems = [
            _unexpected_problem("the import stopped on an unexpected error")
        ]
        _run_finish(run)
        raise
    else:
        run.status = ImportRun.Status.DONE
        run.created = result.created
        run.corrected = result.corrected
        run.unchanged = result.unchanged
        run.kpi_keys = sorted(result.kpi_keys)
    _run_finish(run)


def _unexpected_problem(what: str) -> dict[str, Any]:
    return FileProblem(
        None,
        "",
        "",
        f"{what}, so nothing was written; try again, and tell an admin if it "
        "happens again",
    ).as_json()


WORKER_STOPPED = "the worker stopped while reading the file"


def import_runs_abandoned(*, run_ids: list[int]) -> int:
    """Fail the runs whose worker died while reading or importing their file
    (nothing of it was written: the import is one transaction), with why, and
    delete their files; how many. They no longer show "running 62 %" for ever."""
    runs = ImportRun.objects.filter(
        pk__in=run_ids,
        status__in=[
            ImportRun.Status.READING,
            ImportRun.Status.QUEUED,
            ImportRun.Status.RUNNING,
        ],
    )
    count = 0
    for run in runs:
        run.status = ImportRun.Status.FAILED
        run.problems = [_unexpected_problem(WORKER_STOPPED)]
        _run_finish(run)
        count += 1
    return count


def _run_finish(run: ImportRun) -> None:
    run.finished_at = timezone.now()
    run.save()
    for path in (run_file(run), progress_file(run)):
        path.unlink(missing_ok=True)


def _progress_write(path: Path, step: ImportProgress) -> None:
    """Write progress where the page polling it can read it at once (the import's
    transaction hides database writes until it ends); atomic by rename."""
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(
        json.dumps({"phase": step.phase, "rows": step.rows, "total": step.total})
    )
    partial.replace(path)


def import_uploads_expire(*, now: float | None = None) -> int:
    """Delete files not imported within a day of their upload (and stray files
    in DATA_DIR/imports as old); their runs become `expired`. The count deleted."""
    moment = time.time() if now is None else now
    cutoff = moment - UPLOAD_LIFETIME_SECONDS
    directory = imports_dir()
    if not directory.is_dir():
        return 0
    deleted = 0
    for path in directory.iterdir():
        try:
            old = path.stat().st_mtime < cutoff
        except FileNotFoundError:
            continue
        if not old:
            continue
        if not path.name.endswith((".progress", ".tmp")):
            ImportRun.objects.filter(
                stored_name=path.name,
                status__in=[
                    ImportRun.Status.READING,
                    ImportRun.Status.UPLOADED,
                    ImportRun.Status.QUEUED,
                ],
            ).update(status=ImportRun.Status.EXPIRED, finished_at=timezone.now())
            deleted += 1
        path.unlink(missing_ok=True)
    return deleted


# --- KPI definitions ----------------------------------------------------------------


@dataclass(frozen=True)
class KPIImportResult:
    """What an import of KPI definitions changed."""

    rows: int
    created: int
    updated: int

    @property
    def unchanged(self) -> int:
        return self.rows - self.created - self.updated

    def summary(self) -> str:
        return (
            f"{format_count(self.rows)} KPI{'s' if self.rows != 1 else ''}: "
            f"{format_count(self.created)} new, {format_count(self.updated)} updated, "
            f"{format_count(self.unchanged)} unchanged"
        )


def kpis_import_file(
    *, path: Path, by: User | None, file_name: str | None = None
) -> KPIImportResult:
    """Create or update KPI definitions from a CSV file, all or nothing.

    Columns are the workspace format's KPI fields (see readers' KPI_COLUMNS); a row
    whose key exists updates that KPI's fields for the columns the file has (an
    empty cell clears the field), other fields stay; a new key creates a KPI. The
    result is validated as a whole workspace, as `drumbeat apply` does, and applied
    the same way (changes kept in history, `by` as who made them). Raises
    ImportRefusedError with `FILE:ROW:COLUMN` problems; writes nothing then.
    """
    name = file_name or path.name
    if Path(name).suffix.lower() != ".csv":
        raise ImportRefusedError(
            name,
            [
                FileProblem(
                    None, "", "", "KPI definitions are read from a CSV file (.csv)"
                )
            ],
        )
    try:
        with opened(path, name=name) as table:
            sheet = read_kpi_definitions(table)
    except FileRefusedError as error:
        raise ImportRefusedError(name, error.problems) from None
    data = workspace_data(readings_of=[])
    rows_by_key = _kpis_overlay(data, sheet, name)
    try:
        workspace = load_workspace_data(data, filename=name)
    except WorkspaceError as error:
        raise ImportRefusedError(
            name,
            [
                _kpi_problem(p.field, p.message, sheet, rows_by_key, data)
                for p in error.problems
            ],
        ) from None
    result = workspace_apply(workspace, by=by, source_detail=name)
    return KPIImportResult(
        rows=len(sheet.rows),
        created=result.created["KPI"],
        updated=result.updated["KPI"],
    )


def _kpis_overlay(data: dict[str, Any], sheet: KPISheet, name: str) -> dict[str, int]:
    """Lay the file's KPIs over the database's (in `data`); the row of each key."""
    problems = Problems()
    existing = {kpi["key"]: kpi for kpi in data["kpis"]}
    rows_by_key: dict[str, int] = {}
    key_column = sheet.columns["key"]
    for row in sheet.rows:
        key = row.values.get("key")
        if not key:
            problems.at(row.row, key_column, "key", "no key: every KPI needs its key")
            continue
        if key in rows_by_key:
            problems.at(
                row.row,
                key_column,
                "key",
                f"'{key}' is already on row {rows_by_key[key]}: one row per KPI",
            )
            continue
        if key in RESERVED_KPI_KEYS:
            problems.at(
                row.row,
                key_column,
                "key",
                f"'{key}' names a page of the dictionary: choose another key",
            )
            continue
        rows_by_key[key] = row.row
        entry = existing.get(key)
        if entry is None:
            entry = {"key": key}
            data["kpis"].append(entry)
        for column, value in row.values.items():
            if column != "key":
                _set_path(entry, column.split("."), value)
    if problems:
        raise ImportRefusedError(name, problems.sorted(), problems.more)
    return rows_by_key


def _set_path(entry: dict[str, Any], path: list[str], value: Any) -> None:
    """Set (or, for None, remove) a nested field; drop mappings left empty."""
    head, *rest = path
    if not rest:
        if value is None:
            entry.pop(head, None)
        else:
            entry[head] = value
        return
    inner = entry.get(head)
    if not isinstance(inner, dict):
        if value is None:
            return
        inner = {}
    else:
        inner = dict(inner)
    _set_path(inner, rest, value)
    if inner:
        entry[head] = inner
    else:
        entry.pop(head, None)


_KPI_PATH = re.compile(r"kpis\[(?P<label>[^\]]+)\](?:\.(?P<rest>.+))?")


def _kpi_problem(
    field: str | None,
    message: str,
    sheet: KPISheet,
    rows_by_key: dict[str, int],
    data: dict[str, Any],
) -> FileProblem:
    """A workspace validation problem, placed at the row and column of the file
    it concerns (or the file as a whole, say a KR the change would break)."""
    match = _KPI_PATH.fullmatch(field or "")
    if match is None:
        return FileProblem(None, "", field or "", message)
    label = match.group("label")
    if label.isdigit() and int(label) < len(data["kpis"]):
        label = str(data["kpis"][int(label)].get("key", label))
    row = rows_by_key.get(label)
    if row is None:
        return FileProblem(None, "", field or "", message)
    rest = re.sub(r"\[[^\]]*\]", "", match.group("rest") or "key")
    column = _kpi_column(rest, sheet)
    return FileProblem(row, sheet.letter(column) if column else "", rest, message)


def _kpi_column(field: str, sheet: KPISheet) -> str | None:
    """The file's column of a field: itself, the first column inside it, or the
    nearest enclosing one."""
    if field in sheet.columns:
        return field
    inside = [c for c in sheet.columns if c.startswith(field + ".")]
    if inside:
        return inside[0]
    parts = field.split(".")
    while len(parts) > 1:
        parts.pop()
        if ".".join(parts) in sheet.columns:
            return ".".join(parts)
    return None
