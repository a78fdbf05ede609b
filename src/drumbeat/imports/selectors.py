"""Reads for imports: who may import readings of which KPIs, their import runs,
how far a run has got, and the preview of an uploaded file (as kept: a page never
reads the file)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet

from drumbeat.accounts.selectors import AnyUser
from drumbeat.common.guards import is_admin
from drumbeat.imports.models import ImportRun
from drumbeat.imports.readers.layouts import Layout
from drumbeat.imports.readers.problems import FileProblem
from drumbeat.imports.readers.rows import KPIAccess, PreviewRow
from drumbeat.kpis.models import KPI


def can_import_readings(user: AnyUser) -> bool:
    """Whoever may record the readings of at least one KPI: admins, KPI owners."""
    if is_admin(user):
        return True
    return bool(user.is_authenticated and KPI.objects.filter(owner_id=user.pk).exists())


def kpis_recordable_by(user: AnyUser) -> QuerySet[KPI]:
    """The KPIs whose readings `user` may record (see can_record_readings)."""
    if is_admin(user):
        return KPI.objects.all()
    if not user.is_authenticated:
        return KPI.objects.none()
    return KPI.objects.filter(owner_id=user.pk)


def kpi_access(user: User | None) -> KPIAccess:
    """The dictionary's keys, and those `user` may record (all: None, for the
    command line, which runs with the database's own rights)."""
    known = set(KPI.objects.values_list("key", flat=True))
    if user is not None and not user.is_active:
        return KPIAccess(known=known, allowed=set())
    if user is None or is_admin(user):
        return KPIAccess(known=known)
    return KPIAccess(
        known=known,
        allowed=set(kpis_recordable_by(user).values_list("key", flat=True)),
    )


def import_runs_visible_to(user: AnyUser) -> QuerySet[ImportRun]:
    """A person sees their own imports; admins see everyone's."""
    runs = ImportRun.objects.select_related("created_by")
    if is_admin(user):
        return runs
    if not user.is_authenticated:
        return runs.none()
    return runs.filter(created_by_id=user.pk)


def imports_dir() -> Path:
    """Where uploaded files wait to be imported (read at call time)."""
    return Path(settings.DATA_DIR) / "imports"


def run_file(run: ImportRun) -> Path:
    return imports_dir() / run.stored_name


def progress_file(run: ImportRun) -> Path:
    return imports_dir() / f"{run.stored_name}.progress"


PHASE_SPANS = {
    "queued": (0, 0),
    "write": (0, 90),
    "refresh": (90, 99),
    "done": (100, 100),
}
PHASE_LABELS = {
    "queued": "Waiting for a worker",
    "write": "Checking and writing readings",
    "refresh": "Refreshing statuses and scores",
    "done": "Done",
}


@dataclass(frozen=True)
class RunProgress:
    """How far an import has got: its phase, rows read in that phase, of about how
    many, and a percentage over the whole import."""

    phase: str
    rows: int
    total: int | None

    @property
    def percent(self) -> int:
        low, high = PHASE_SPANS.get(self.phase, (0, 0))
        if not self.total or high == low:
            return low
        share = min(self.rows, self.total) / self.total
        return int(low + (high - low) * share)

    @property
    def label(self) -> str:
        return PHASE_LABELS.get(self.phase, self.phase)


def import_run_progress(run: ImportRun) -> RunProgress:
    """The progress of a run: from the file its worker writes while it runs."""
    if run.status == ImportRun.Status.DONE:
        return RunProgress("done", run.rows_total or 0, run.rows_total)
    if run.status != ImportRun.Status.RUNNING:
        return RunProgress("queued", 0, run.rows_total)
    try:
        data = json.loads(progress_file(run).read_text())
    except (OSError, ValueError):
        return RunProgress("write", 0, run.rows_total)
    return RunProgress(str(data["phase"]), int(data["rows"]), data.get("total"))


@dataclass(frozen=True)
class Preview:
    """The first rows of an uploaded file as they would be imported, the layout
    they were read with (None: it could not be found) and what is wrong."""

    layout: Layout | None
    rows: list[PreviewRow]
    problems: list[FileProblem]


def import_run_preview(run: ImportRun) -> Preview:
    """A waiting run's preview, as read once when it was uploaded or its columns
    were chosen (the file is not read again)."""
    stored = run.preview
    return Preview(
        Layout.from_json(run.layout) if run.layout else None,
        [PreviewRow.from_json(row) for row in stored.get("rows", [])],
        [FileProblem(**problem) for problem in stored.get("problems", [])],
    )


def import_run_first_rows(run: ImportRun, rows: int = 8) -> list[tuple[int, list[str]]]:
    """The first rows of a run's file that are not blank, as text: where the
    person picks the header row and the columns from (kept from its reading)."""
    kept = run.preview.get("first_rows", [])
    return [(int(number), list(cells)) for number, cells in kept[:rows]]
