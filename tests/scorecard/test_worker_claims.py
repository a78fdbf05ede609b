"""Two workers on one queue never run the same task (docs/deploy.md, "Several web
processes and workers on one PostgreSQL"): each claims a task in the database
before it runs it, django-tasks-db's `SELECT ... FOR UPDATE SKIP LOCKED`.

On PostgreSQL only (`make unit-postgres`). The test database on SQLite is one
in-memory database shared by the test's threads, where a writer locks the others
out at once ("database table is locked") instead of making them wait, so two
workers in one process cannot claim side by side there; and SQLite keeps Drumbeat
on one machine anyway."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection
from django_tasks import TaskResultStatus, task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

TASKS = 40
WAIT_SECONDS = 30
"""How long a worker's first task waits for the other worker's (bounded)."""

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two workers claim side by side on PostgreSQL only (see the docstring)",
    ),
]

runs: list[int] = []
first_runs: set[str] = set()
both_working = threading.Barrier(2, timeout=WAIT_SECONDS)
noted = threading.Lock()


@task()
def note_run(number: int) -> int:
    """Note that task `number` ran. The first task of each worker waits until the
    other worker is inside a task too, so the two are known to work at once."""
    with noted:
        runs.append(number)
        first = threading.current_thread().name not in first_runs
        first_runs.add(threading.current_thread().name)
    if first:
        both_working.wait()
    return number


def work(worker_id: str) -> None:
    """One `drumbeat worker --batch`: run what is queued, then stop."""
    try:
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        ).run()
    finally:
        connection.close()


def test_two_workers_run_each_queued_task_exactly_once():
    runs.clear()
    first_runs.clear()
    both_working.reset()
    for number in range(TASKS):
        note_run.enqueue(number=number)
    ids = [f"worker-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    workers = [
        threading.Thread(target=work, args=(worker_id,), name=worker_id)
        for worker_id in ids
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=WAIT_SECONDS * 2)
    assert not any(worker.is_alive() for worker in workers)

    assert sorted(runs) == list(range(TASKS))  # every task, none twice
    results = DBTaskResult.objects.all()
    assert {result.status for result in results} == {TaskResultStatus.SUCCESSFUL}
    claimed_by = {result.worker_ids[0] for result in results}
    assert claimed_by == set(ids)  # both workers took part
    assert all(len(result.worker_ids) == 1 for result in results)
