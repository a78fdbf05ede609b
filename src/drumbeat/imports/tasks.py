"""Background work of imports: a web upload is imported by a worker, so that a
large file neither times the request out nor holds a web process."""

from __future__ import annotations

from django_tasks import task

from drumbeat.imports import services


@task()
def readings_import_task(run_id: int) -> None:
    """Import the readings file of an import run (queued by `import_run_start`)."""
    services.import_run_execute(run_id=run_id)
