"""Background work of the KPI dictionary, run by `drumbeat worker` (django-tasks,
queued in the project's database). Thin: each task calls one service."""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import TaskContext, task

from drumbeat.kpis.models import KPI
from drumbeat.kpis.sources.services import source_pull

logger = logging.getLogger(__name__)


@task(takes_context=True)
def source_pull_task(
    context: TaskContext, kpi_key: str, claim: str = ""
) -> dict[str, Any]:
    """Pull one KPI's source and record what it returns; the task's id is the
    pull's run id, kept with the readings it records. Never raises for a pull that
    fails: the failure is kept on the KPI's source state."""
    kpi = KPI.objects.filter(key=kpi_key).first()
    if kpi is None:  # deleted since it was queued: its state went with it
        return {"kpi": kpi_key, "ok": False, "message": "no such KPI any more"}
    outcome = source_pull(kpi=kpi, run_id=str(context.task_result.id), claim=claim)
    if not outcome.ok:
        logger.warning("pull of %s failed: %s", kpi_key, outcome.message)
    return {"kpi": kpi_key, "ok": outcome.ok, "message": outcome.message}
