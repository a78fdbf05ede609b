"""Background work of the scorecard, run by `drumbeat worker` (django-tasks, queued
in the project's database). Thin: each task calls one service."""

from __future__ import annotations

from django_tasks import task

from drumbeat.scorecard.services import statuses_refresh


@task()
def statuses_refresh_task(kpi_keys: list[str]) -> int:
    """Refresh the statuses (and the KR scores and findings on them) of KPIs whose
    readings came in a large batch, after the batch was answered."""
    statuses_refresh(kpi_keys=kpi_keys)
    return len(kpi_keys)
