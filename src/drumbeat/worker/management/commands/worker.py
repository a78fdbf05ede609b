"""`drumbeat worker`: the background worker. It runs the tasks queued in the
database (django-tasks-db's `db_worker` loop, with all its options) and, beside
them, a scheduler that every DRUMBEAT_SCHEDULER_INTERVAL seconds notes the worker
is alive, reaps the tasks of workers that died, queues the pulls that are due,
and, once a day, recomputes every status and score, clears the sessions that have
ended and forgets audit events past their keeping time.

A busy database never stops it: it waits and goes on. Run it under a supervisor
(systemd, a container's restart policy) all the same: docs/deploy.md.

`--batch` queues what is due now, runs every queued task, and stops: for a cron
job instead of a long-running worker.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import OperationalError, close_old_connections
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from drumbeat.accounts.services import sessions_clear_daily
from drumbeat.audit.services import events_prune
from drumbeat.common.busy import database_busy
from drumbeat.kpis.sources.services import source_pulls_enqueue
from drumbeat.notifications.services import notifications_run
from drumbeat.scorecard.services import statuses_refresh_daily
from drumbeat.worker.services import heartbeat_record, tasks_abandoned_reap

logger = logging.getLogger("drumbeat.worker")

BUSY_PAUSE_SECONDS = 2.0
"""How long the queue runner pauses after the database was too busy to answer."""


@dataclass
class Tick:
    """What one look of the scheduler did."""

    queued: list[str] = field(default_factory=list)
    reaped: list[str] = field(default_factory=list)
    refreshed: bool = False
    sessions_cleared: bool = False
    events_forgotten: int = 0
    notifications_sent: int = 0
    failed: bool = False


def scheduler_tick(worker_id: str = "", started_at: dt.datetime | None = None) -> Tick:
    """Note the worker `worker_id` is alive, reap the tasks of workers that died,
    queue the pulls that are due, refresh every status if today's refresh has
    not run, clear the ended sessions if today's clearing has not, and forget old
    audit events. Never raises: the scheduler must outlive a bad moment (a locked
    or unreachable database), and try again at its next tick."""
    tick = Tick()
    close_old_connections()
    try:
        if worker_id:
            heartbeat_record(worker_id=worker_id, started_at=started_at or _STARTED)
        tick.reaped = tasks_abandoned_reap()
        tick.queued = source_pulls_enqueue()
        tick.refreshed = statuses_refresh_daily()
        tick.sessions_cleared = sessions_clear_daily()
        tick.events_forgotten = events_prune()
    except Exception:
        tick.failed = True
        logger.exception("the scheduler could not look for due work")
    finally:
        close_old_connections()
    _notifications_step(tick)
    if tick.reaped:
        logger.warning("reaped tasks left by a worker that stopped: %s", tick.reaped)
    if tick.queued:
        logger.info("queued pulls: %s", ", ".join(tick.queued))
    if tick.refreshed:
        logger.info("refreshed every status and score for today")
    if tick.sessions_cleared:
        logger.info("cleared the sessions that have ended")
    return tick


def _notifications_step(tick: Tick) -> None:
    """Record and send the reminders and digests due now: on its own, after the
    other work, so that a failing mail server never holds that work up."""
    try:
        run = notifications_run()
    except Exception:
        tick.failed = True
        logger.exception("the reminders and digests could not be sent")
    else:
        tick.notifications_sent = run.sent
        if run.sent or run.failed or run.retrying:
            logger.info(
                "e-mails: %d sent, %d to retry, %d failed",
                run.sent,
                run.retrying,
                run.failed,
            )
    finally:
        close_old_connections()


_STARTED = timezone.now()
"""When this process started (a worker's heartbeat says so)."""


class Scheduler(threading.Thread):
    """A daemon thread that runs `scheduler_tick` every `interval` seconds."""

    def __init__(self, interval: float, worker_id: str = "") -> None:
        super().__init__(name="drumbeat-scheduler", daemon=True)
        self.interval = interval
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            scheduler_tick(self.worker_id)
            self.stopping.wait(self.interval)


class Command(DBWorkerCommand):
    help = (
        "Run queued background tasks, and queue the pulls of KPI sources when they "
        "are due (and, once a day, refresh statuses and clear ended sessions)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        worker_id = str(options.get("worker_id") or "")
        if options["batch"]:
            scheduler_tick(worker_id)
        elif not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            # With --reload only the child process, which runs the tasks, schedules.
            interval = float(settings.DRUMBEAT_SCHEDULER_INTERVAL)
            Scheduler(interval, worker_id).start()
        while True:
            try:
                super().handle(*args, **options)
            except OperationalError as error:
                if not database_busy(error):
                    raise
                # A lock held past the wait: the queue runner stopped; start again.
                logger.warning("the database is busy; the worker goes on: %s", error)
                close_old_connections()
                time.sleep(BUSY_PAUSE_SECONDS)
                continue
            return
