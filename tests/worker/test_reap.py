"""A worker that dies mid-task leaves nothing stuck: its task is failed within
the lease and what it stood for is put right; the health report says when a
worker was last seen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from drumbeat.imports.models import ImportRun
from drumbeat.imports.selectors import run_file
from drumbeat.imports.services import WORKER_STOPPED, import_run_start
from drumbeat.kpis.models import KPI, SourceState
from drumbeat.kpis.sources.services import PULL_ABANDONED, source_pull_request
from drumbeat.scorecard.tasks import statuses_refresh_task
from drumbeat.worker.models import Heartbeat
from drumbeat.worker.services import (
    WORKER_LOST,
    heartbeat_record,
    lease,
    tasks_abandoned_reap,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _running(task_result_id: str, worker: str, started: dt.datetime) -> None:
    row = DBTaskResult.objects.get(pk=task_result_id)
    row.claim(worker)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=started)


@pytest.fixture
def pulled(small_workspace) -> KPI:
    KPI.objects.filter(key="csat").update(
        source={"type": "sql", "connection": "warehouse", "query": "select 1"}
    )
    return KPI.objects.get(key="csat")


def test_a_pull_left_by_a_dead_worker_is_failed_and_its_claim_released(pulled, users):
    """Before, "Pull now" answered "already queued or running" for an hour."""
    assert source_pull_request(kpi=pulled, by=users["admin"])
    state = SourceState.objects.get(kpi=pulled)
    task = DBTaskResult.objects.get(task_path="drumbeat.kpis.tasks.source_pull_task")
    now = timezone.now()
    heartbeat_record(worker_id="w-dead", started_at=now - dt.timedelta(hours=1))
    Heartbeat.objects.update(seen_at=now - lease() - dt.timedelta(seconds=1))
    _running(str(task.pk), "w-dead", now - dt.timedelta(minutes=10))
    assert not source_pull_request(kpi=pulled, by=users["admin"])  # still claimed

    assert tasks_abandoned_reap(now=now) == [str(task.pk)]

    task.refresh_from_db()
    assert (task.status, task.exception_class_path) == (
        TaskResultStatus.FAILED,
        WORKER_LOST,
    )
    assert "The worker w-dead stopped while running this task" in task.traceback
    state.refresh_from_db()
    assert (state.queued_at, state.last_error) == (None, PULL_ABANDONED)
    assert source_pull_request(kpi=pulled, by=users["admin"])  # queued again


def test_a_task_on_a_worker_seen_lately_is_left_running(pulled, users):
    source_pull_request(kpi=pulled, by=users["admin"])
    task = DBTaskResult.objects.get()
    now = timezone.now()
    heartbeat_record(worker_id="w-alive", started_at=now)
    _running(str(task.pk), "w-alive", now - dt.timedelta(hours=2))
    assert tasks_abandoned_reap(now=now) == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_task_just_started_on_a_worker_never_seen_is_left_running(pulled, users):
    """A worker that runs tasks without a scheduler beside it (a plain queue
    runner) is given the lease before its tasks count as lost."""
    source_pull_request(kpi=pulled, by=users["admin"])
    task = DBTaskResult.objects.get()
    now = timezone.now()
    _running(str(task.pk), "w-plain", now - dt.timedelta(seconds=30))
    assert tasks_abandoned_reap(now=now) == []
    _running(str(task.pk), "w-plain", now - lease() - dt.timedelta(seconds=1))
    assert tasks_abandoned_reap(now=now) == [str(task.pk)]


def test_a_refresh_left_by_a_dead_worker_is_queued_again(small_workspace):
    first = statuses_refresh_task.enqueue(["csat"])
    now = timezone.now()
    _running(str(first.id), "w-dead", now - dt.timedelta(hours=1))
    tasks_abandoned_reap(now=now)
    again = DBTaskResult.objects.filter(status=TaskResultStatus.READY).get()
    assert again.task_path == "drumbeat.scorecard.tasks.statuses_refresh_task"
    assert again.args_kwargs["args"] == [["csat"]]


def test_the_health_report_says_the_database_answers_and_when_a_worker_was_seen(
    db,
):
    client = Client()  # anonymous: load balancers do not sign in
    answer = client.get("/health/")
    assert answer.status_code == 200
    assert answer.json() == {
        "database": "ok",
        "workers": {"status": "none", "last_seen": None, "seconds_ago": None},
    }
    assert "no-cache" in answer["Cache-Control"]
    heartbeat_record(worker_id="w1", started_at=timezone.now())
    assert client.get("/health/").json()["workers"]["status"] == "ok"
    Heartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=10))
    assert client.get("/health/").json()["workers"]["status"] == "stale"


def test_an_import_left_by_a_dead_worker_fails_and_its_file_goes(
    small_workspace, users, settings, tmp_path
):
    """It showed "running 62 %" for ever and kept its upload."""
    settings.DATA_DIR = tmp_path
    client = client_for(users["admin"])
    upload = SimpleUploadedFile("readings.csv", b"kpi,at,value\ncsat,2026-07-10,91\n")
    answer = client.post("/imports/readings/", {"file": upload})
    run = ImportRun.objects.get()
    assert answer.status_code == 302
    import_run_start(run=run)
    task = DBTaskResult.objects.get(
        task_path="drumbeat.imports.tasks.readings_import_task"
    )
    now = timezone.now()
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    _running(str(task.pk), "w-dead", now - dt.timedelta(hours=1))
    assert run_file(run).exists()

    assert tasks_abandoned_reap(now=now) == [str(task.pk)]

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert WORKER_STOPPED in run.problems[0]["message"]
    assert not run_file(run).exists()
