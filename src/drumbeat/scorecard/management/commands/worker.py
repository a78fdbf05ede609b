"""`drumbeat worker`: the background worker. It runs the tasks queued in the
database (django-tasks-db's `db_worker` loop, with all its options) and, beside
them, a scheduler that every DRUMBEAT_SCHEDULER_INTERVAL seconds queues the pulls
that are due and, once a day, recomputes every status and score and clears the
sessions that have ended.

`--batch` queues what is due now, runs every queued task, and stops: for a cron
job instead of a long-running worker.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from drumbeat.accounts.services import sessions_clear_daily
from drumbeat.kpis.sources.services import source_pulls_enqueue
from drumbeat.scorecard.services import statuses_refresh_daily

logger = logging.getLogger("drumbeat.worker")


@dataclass
class Tick:
    """What one look of the scheduler did."""

    queued: list[str] = field(default_factory=list)
    refreshed: bool = False
    sessions_cleared: bool = False
    failed: bool = False


def scheduler_tick() -> Tick:
    """Queue the pulls that are due, refresh every status if today's refresh has
    not run, and clear the ended sessions if today's clearing has not. Never
    raises: the scheduler must outlive a bad moment (a locked or unreachable
    database), and try again at its next tick."""
    tick = Tick()
    close_old_connections()
    try:
        tick.queued = source_pulls_enqueue()
        tick.refreshed = statuses_refresh_daily()
        tick.sessions_cleared = sessions_clear_daily()
    except Exception:
        tick.failed = True
        logger.exception("the scheduler could not look for due work")
    finally:
        close_old_connections()
    if tick.queued:
        logger.info("queued pulls: %s", ", ".join(tick.queued))
    if tick.refreshed:
        logger.info("refreshed every status and score for today")
    if tick.sessions_cleared:
        logger.info("cleared the sessions that have ended")
    return tick


class Scheduler(threading.Thread):
    """A daemon thread that runs `scheduler_tick` every `interval` seconds."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="drumbeat-scheduler", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            scheduler_tick()
            self.stopping.wait(self.interval)


class Command(DBWorkerCommand):
    help = (
        "Run queued background tasks, and queue the pulls of KPI sources when they "
        "are due (and, once a day, refresh statuses and clear ended sessions)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        if options["batch"]:
            scheduler_tick()
        elif not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            # With --reload only the child process, which runs the tasks, schedules.
            Scheduler(float(settings.DRUMBEAT_SCHEDULER_INTERVAL)).start()
        super().handle(*args, **options)
