"""The background worker: the scheduler queues each due pull once, the worker runs
them (a failure never stops it), statuses are refreshed once a day, and `drumbeat
pull` pulls in the foreground with an exit code that says whether all worked."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand
from django_tasks_db.models import DBTaskResult

from drumbeat.cli import main
from drumbeat.kpis.models import KPI, KPIStatus, Reading, SourceState
from drumbeat.kpis.signals import statuses_refreshed
from drumbeat.kpis.sources.services import source_pulls_enqueue
from drumbeat.kpis.sources.sql.query import engines_dispose
from drumbeat.scorecard.services import statuses_refresh_daily
from drumbeat.worker.management.commands import worker
from drumbeat.worker.models import Heartbeat

pytestmark = pytest.mark.django_db

BACKLOG = "select week_ending, open_tickets from backlog order by week_ending"
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _engines_closed() -> Iterator[None]:
    yield
    engines_dispose()


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A SQLite warehouse with two weekly rows, as the connection `warehouse`."""
    path = tmp_path / "warehouse.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "create table backlog (week_ending text, open_tickets integer);"
        "insert into backlog values ('2026-07-10', 120), ('2026-07-17', 111);"
    )
    db.close()
    monkeypatch.setenv("DRUMBEAT_SOURCE_WAREHOUSE_URL", f"sqlite:///{path}")
    return path


def _sql(key: str, query: str = BACKLOG, connection: str = "warehouse") -> KPI:
    KPI.objects.filter(key=key).update(
        source={"type": "sql", "connection": connection, "query": query}
    )
    return KPI.objects.get(key=key)


def _queued() -> list[dict[str, Any]]:
    return [task.args_kwargs["kwargs"] for task in DBTaskResult.objects.all()]


# --- The scheduler ---------------------------------------------------------------


def test_the_scheduler_queues_a_due_pull_once(small_workspace, warehouse):
    _sql("csat")
    assert source_pulls_enqueue(now=NOW) == ["csat"]
    assert source_pulls_enqueue(now=NOW + dt.timedelta(seconds=30)) == []
    [queued] = _queued()
    assert queued["kpi_key"] == "csat"
    state = SourceState.objects.get(kpi__key="csat")
    assert (state.queued_at, state.queued_token) == (NOW, queued["claim"])


def test_only_kpis_with_an_sql_source_are_queued(small_workspace, warehouse):
    assert source_pulls_enqueue(now=NOW) == []
    assert DBTaskResult.objects.count() == 0


def test_a_source_pulled_well_within_its_period_is_not_queued(
    small_workspace, warehouse
):
    from drumbeat.kpis.sources.services import query_version

    kpi = _sql("csat")  # weekly
    SourceState.objects.create(
        kpi=kpi,
        last_run_at=NOW - dt.timedelta(days=6),
        last_ok_at=NOW - dt.timedelta(days=6),
        query_version=query_version(BACKLOG),
    )
    assert source_pulls_enqueue(now=NOW) == []
    assert source_pulls_enqueue(now=NOW + dt.timedelta(days=1)) == ["csat"]


def test_a_changed_query_is_queued_at_once(small_workspace, warehouse):
    kpi = _sql("csat")
    SourceState.objects.create(
        kpi=kpi, last_run_at=NOW, last_ok_at=NOW, query_version="0ld0ld00"
    )
    assert source_pulls_enqueue(now=NOW) == ["csat"]


def test_a_pull_queued_too_long_ago_is_queued_again(small_workspace, warehouse):
    kpi = _sql("csat")
    SourceState.objects.create(
        kpi=kpi, queued_at=NOW - dt.timedelta(hours=2), queued_token="lost"
    )
    assert source_pulls_enqueue(now=NOW) == ["csat"]
    assert SourceState.objects.get(kpi=kpi).queued_token != "lost"


def test_with_immediate_tasks_a_due_pull_runs_at_once_and_is_released(
    small_workspace, warehouse, settings
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    _sql("csat")
    assert source_pulls_enqueue(now=NOW) == ["csat"]
    state = SourceState.objects.get(kpi__key="csat")
    assert (state.queued_at, state.queued_token, state.last_summary) == (
        None,
        "",
        "2 readings: 2 new, 0 corrected, 0 unchanged",
    )
    assert Reading.objects.filter(kpi__key="csat", source="pull").count() == 2


# --- The worker -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_queues_and_runs_due_pulls_and_a_failure_does_not_stop_it(
    small_workspace, warehouse
):
    _sql("csat")
    _sql("churn", connection="nowhere")
    call_command("worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    tasks = {t.args_kwargs["kwargs"]["kpi_key"]: t for t in DBTaskResult.objects.all()}
    assert {key: task.status for key, task in tasks.items()} == {
        "csat": TaskResultStatus.SUCCESSFUL,
        "churn": TaskResultStatus.SUCCESSFUL,
    }
    pulled = Reading.objects.get(kpi__key="csat", at="2026-07-17")
    run_id = str(tasks["csat"].id)
    assert pulled.source_detail.endswith(f", run {run_id}")
    csat = SourceState.objects.get(kpi__key="csat")
    assert (csat.last_run_id, csat.queued_at, csat.failing_since) == (
        run_id,
        None,
        None,
    )
    churn = SourceState.objects.get(kpi__key="churn")
    assert churn.last_error.startswith("no connection 'nowhere': set ")
    assert (churn.consecutive_failures, churn.queued_at) == (1, None)
    assert tasks["churn"].return_value == {
        "kpi": "churn",
        "ok": False,
        "message": churn.last_error,
    }


def test_statuses_are_refreshed_once_a_day(small_workspace):
    today = timezone.localdate()
    KPIStatus.objects.update(as_of=today - dt.timedelta(days=1))
    sent: list[dict[str, Any]] = []

    def listen(**kwargs: Any) -> None:
        sent.append(kwargs)

    statuses_refreshed.connect(listen)
    try:
        assert statuses_refresh_daily(today=today) is True
        assert statuses_refresh_daily(today=today) is False
    finally:
        statuses_refreshed.disconnect(listen)
    assert set(KPIStatus.objects.values_list("as_of", flat=True)) == {today}


def test_a_kpi_without_a_status_is_refreshed_too(small_workspace):
    KPIStatus.objects.filter(kpi__key="csat").delete()
    assert statuses_refresh_daily() is True
    assert KPIStatus.objects.filter(kpi__key="csat").exists()


# The tick closes obsolete connections, as a worker must: outside a test transaction.
@pytest.mark.django_db(transaction=True)
def test_a_scheduler_tick_queues_and_refreshes(small_workspace, warehouse):
    _sql("csat")
    KPIStatus.objects.update(as_of=timezone.localdate() - dt.timedelta(days=1))
    tick = worker.scheduler_tick()
    assert (tick.queued, tick.refreshed, tick.failed) == (["csat"], True, False)
    again = worker.scheduler_tick()
    assert (again.queued, again.refreshed, again.failed) == ([], False, False)


# The tick closes obsolete connections, as a worker must: outside a test transaction.
@pytest.mark.django_db(transaction=True)
def test_a_scheduler_tick_clears_ended_sessions_once_a_day(time_machine):
    ended, live = SessionStore(), SessionStore()
    for store in (ended, live):
        store["x"] = 1
        store.create()
    yesterday = timezone.now() - dt.timedelta(days=1)
    Session.objects.filter(session_key=ended.session_key).update(expire_date=yesterday)
    assert worker.scheduler_tick().sessions_cleared is True
    assert list(Session.objects.values_list("session_key", flat=True)) == [
        live.session_key
    ]
    assert worker.scheduler_tick().sessions_cleared is False
    # The next day, the live session has ended: it goes at the first tick.
    time_machine.move_to(timezone.now() + dt.timedelta(days=15), tick=False)
    assert worker.scheduler_tick().sessions_cleared is True
    assert not Session.objects.exists()


# The tick closes obsolete connections, as a worker must: outside a test transaction.
@pytest.mark.django_db(transaction=True)
def test_a_scheduler_tick_survives_an_error(monkeypatch, caplog):
    def broken(**_: Any) -> list[str]:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(worker, "source_pulls_enqueue", broken)
    tick = worker.scheduler_tick()
    assert tick.failed is True
    assert "the scheduler could not look for due work" in caplog.text


def test_the_scheduler_thread_ticks_every_interval_until_stopped(monkeypatch):
    ticks = threading.Semaphore(0)
    monkeypatch.setattr(worker, "scheduler_tick", lambda *given: ticks.release())
    scheduler = worker.Scheduler(interval=0.01)
    scheduler.start()
    assert ticks.acquire(timeout=5)
    assert ticks.acquire(timeout=5)  # a second tick: it loops
    scheduler.stopping.set()
    scheduler.join(timeout=5)
    assert scheduler.daemon is True
    assert not scheduler.is_alive()


# --- drumbeat pull ----------------------------------------------------------------


def _run(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["pull", *arguments])
    return result.exit_code, result.output


def test_pull_prints_what_each_pull_recorded(small_workspace, warehouse):
    _sql("csat")
    code, out = _run()
    assert (code, out) == (0, "csat: 2 readings: 2 new, 0 corrected, 0 unchanged\n")
    code, out = _run("--kpi", "csat")
    assert (code, out) == (0, "csat: 2 readings: 0 new, 0 corrected, 2 unchanged\n")


def test_pull_exits_1_and_says_why_when_a_pull_fails(small_workspace, warehouse):
    _sql("csat")
    _sql("churn", connection="nowhere")
    code, out = _run()
    assert code == 1
    assert out.splitlines() == [
        "csat: 2 readings: 2 new, 0 corrected, 0 unchanged",
        "churn: failed: no connection 'nowhere': set DRUMBEAT_SOURCE_NOWHERE_URL or "
        "add it to the secrets file (DRUMBEAT_SECRETS_FILE)",
    ]


def test_pull_in_json(small_workspace, warehouse):
    _sql("csat")
    code, out = _run("--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "pulls": [
            {
                "kpi": "csat",
                "ok": True,
                "message": "2 readings: 2 new, 0 corrected, 0 unchanged",
                "created": 2,
                "corrected": 0,
                "unchanged": 0,
            }
        ]
    }


def test_pull_with_nothing_to_pull_says_so(small_workspace):
    assert _run() == (0, "No KPI has an sql source: nothing to pull.\n")


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("nope", "drumbeat: no KPI 'nope' in the dictionary\n"),
        (
            "churn",
            "drumbeat: KPI 'churn' is not pulled: its source is manual (only sql "
            "sources are pulled)\n",
        ),
    ],
)
def test_pull_of_a_kpi_that_cannot_be_pulled_exits_2(small_workspace, key, message):
    assert _run("--kpi", key) == (2, message)


@pytest.mark.django_db(transaction=True)  # a tick closes stale connections
def test_a_tick_notes_the_worker_alive_and_reaps_what_dead_workers_left():
    tick = worker.scheduler_tick("w-1")
    assert tick.failed is False
    beat = Heartbeat.objects.get(worker_id="w-1")
    assert beat.seen_at >= timezone.now() - dt.timedelta(minutes=1)


def test_the_worker_goes_on_when_the_database_is_too_busy(db, monkeypatch):
    """It stopped for good on a locked database, and work queued after that
    waited until someone started it again."""
    runs: list[int] = []

    def queue_runner(self: object, *args: object, **options: object) -> None:
        runs.append(1)
        if len(runs) == 1:
            raise OperationalError("database is locked")

    monkeypatch.setattr(DBWorkerCommand, "handle", queue_runner)
    monkeypatch.setattr(worker, "BUSY_PAUSE_SECONDS", 0)
    call_command("worker", "--batch", "--no-startup-delay")
    assert len(runs) == 2
