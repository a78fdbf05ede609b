"""Background work of imports: a web upload is read for its preview and imported
by a worker, so that a large file neither times the request out nor holds a web
process."""

from __future__ import annotations

from django_tasks import task

from drumbeat.imports import services


@task()
def import_preview_task(run_id: int) -> None:
    """Read a large uploaded file for its preview (queued by `import_upload` and
    `import_run_layout_choose`)."""
    services.import_run_preview_read(run_id=run_id)


@task()
def readings_import_task(run_id: int) -> None:
    """Import the readings file of an import run (queued by `import_run_start`)."""
    services.import_run_execute(run_id=run_id)
