"""The worker's heartbeat, and the work a dead worker left.

A worker killed mid-task (out of memory, a deploy, a power cut) leaves its task
"running" for ever: an import shown at 62 % with its upload kept, a pull that
"Pull now" calls queued or running for an hour. Each worker notes it is alive
every few seconds (`heartbeat_record`); a task running on a worker not seen for
`lease` is marked failed, and what it stood for is put right by the app it
belongs to (`tasks_abandoned_reap`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from drumbeat.imports.services import import_runs_abandoned
from drumbeat.kpis.sources.services import source_pulls_abandoned
from drumbeat.scorecard.tasks import statuses_refresh_task
from drumbeat.webhooks.services import deliveries_abandoned
from drumbeat.worker.models import Heartbeat

logger = logging.getLogger(__name__)

Task = DBTaskResult[Any, Any]
"""A queued task's row, whatever its function's arguments and result."""

WORKER_LOST = "drumbeat.worker.WorkerLost"
"""The exception path a reaped task is failed with."""


def lease() -> dt.timedelta:
    """How long a worker may go unseen before its running tasks are reaped: three
    beats, and at least two minutes."""
    beat = float(settings.DRUMBEAT_SCHEDULER_INTERVAL)
    return max(dt.timedelta(minutes=2), dt.timedelta(seconds=3 * beat))


def heartbeat_record(*, worker_id: str, started_at: dt.datetime) -> None:
    """Note that the worker `worker_id` (this process) is alive now."""
    Heartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:200],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def _abandoned_pulls(tasks: list[Task], now: dt.datetime) -> None:
    claims = [str(task.args_kwargs["kwargs"].get("claim", "")) for task in tasks]
    source_pulls_abandoned(claims=[claim for claim in claims if claim], now=now)


def _abandoned_imports(tasks: list[Task], now: dt.datetime) -> None:
    import_runs_abandoned(run_ids=[int(task.args_kwargs["args"][0]) for task in tasks])


def _abandoned_refreshes(tasks: list[Task], now: dt.datetime) -> None:
    for task in tasks:  # cheap and idempotent: run again
        statuses_refresh_task.enqueue(*task.args_kwargs["args"])


def _abandoned_deliveries(tasks: list[Task], now: dt.datetime) -> None:
    ids = [
        str(task.args_kwargs["args"][0]) for task in tasks if task.args_kwargs["args"]
    ]
    deliveries_abandoned(delivery_ids=ids)


Mender = Callable[[list[Task], dt.datetime], None]

MENDERS: Mapping[str, Mender] = {
    "drumbeat.imports.tasks.readings_import_task": _abandoned_imports,
    "drumbeat.imports.tasks.import_preview_task": _abandoned_imports,
    "drumbeat.kpis.tasks.source_pull_task": _abandoned_pulls,
    "drumbeat.scorecard.tasks.statuses_refresh_task": _abandoned_refreshes,
    "drumbeat.webhooks.tasks.webhook_deliver": _abandoned_deliveries,
}
"""What puts right the work of each kind of task whose worker died."""


def tasks_abandoned_reap(*, now: dt.datetime | None = None) -> list[str]:
    """Fail the tasks still running on workers not seen for `lease()` (or never
    seen, once they have run that long), and put right what they stood for; the
    ids of the tasks reaped."""
    moment = now or timezone.now()
    since = moment - lease()
    alive = set(
        Heartbeat.objects.filter(seen_at__gte=since).values_list("worker_id", flat=True)
    )
    lost: dict[str, list[Task]] = {}
    for task in DBTaskResult.objects.running():
        worker = task.worker_ids[-1] if task.worker_ids else None
        if worker in alive or (task.started_at and task.started_at >= since):
            continue
        failed = DBTaskResult.objects.filter(
            pk=task.pk, status=TaskResultStatus.RUNNING
        ).update(
            status=TaskResultStatus.FAILED,
            finished_at=moment,
            exception_class_path=WORKER_LOST,
            traceback=_lost_reason(worker, moment),
        )
        if failed:
            lost.setdefault(task.task_path, []).append(task)
    for path, tasks in lost.items():
        mend = MENDERS.get(path)
        if mend is not None:
            mend(tasks, moment)
        logger.warning(
            "reaped %d task(s) of %s: their worker stopped", len(tasks), path
        )
    return [str(task.pk) for tasks in lost.values() for task in tasks]


def _lost_reason(worker: str | None, now: dt.datetime) -> str:
    beat = Heartbeat.objects.filter(worker_id=worker or "").first()
    seen = f"last seen {beat.seen_at.isoformat()}" if beat else "never seen"
    return f"The worker {worker or '?'} stopped while running this task ({seen})."


def workers_status(now: dt.datetime | None = None) -> dict[str, Any]:
    """What the health report says of the workers: the last heartbeat, and
    whether one was seen within the lease."""
    moment = now or timezone.now()
    last = Heartbeat.objects.order_by("-seen_at").first()
    if last is None:
        return {"status": "none", "last_seen": None, "seconds_ago": None}
    ago = (moment - last.seen_at).total_seconds()
    return {
        "status": "ok" if ago <= lease().total_seconds() else "stale",
        "last_seen": last.seen_at.isoformat(),
        "seconds_ago": round(ago),
    }
