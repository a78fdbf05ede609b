"""What the scorecard does when the dictionary or the OKRs change: recompute the
statuses, scores and lint findings the change moves, inside the writing
transaction (or, for a large batch, by the worker right after it)."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from drumbeat.kpis.signals import KPIChange
from drumbeat.okrs.models import Cycle
from drumbeat.scorecard.services import (
    findings_refresh,
    statuses_refresh,
    suggestions_refresh,
)
from drumbeat.scorecard.tasks import statuses_refresh_task


def on_kpis_changed(
    sender: Any,
    *,
    kpi_keys: Set[str],
    change: KPIChange,
    defer: bool = False,
    **kwargs: Any,
) -> None:
    """Readings move the KPIs' statuses and what reads them; a definition moves
    those and the dictionary-wide findings; a source only findings."""
    if change is KPIChange.READINGS:
        if defer:
            # Queued in the project's database, in the writing transaction: the
            # task exists exactly when the readings it refreshes for do.
            statuses_refresh_task.enqueue(sorted(kpi_keys))
        else:
            statuses_refresh(kpi_keys=kpi_keys)
    elif change is KPIChange.DEFINITION:
        # The broad findings refresh covers what the statuses' own would do.
        statuses_refresh(kpi_keys=kpi_keys, findings=False)
        findings_refresh(kpi_keys=kpi_keys)
    else:
        findings_refresh(kpi_keys=kpi_keys)


def on_okrs_changed(
    sender: Any,
    *,
    kpi_keys: Set[str] = frozenset(),
    cycle_keys: Set[str] = frozenset(),
    **kwargs: Any,
) -> None:
    """KRs read the KPIs they are on (their scores, the KPIs' lifecycle) and the
    cycles they are in (the findings there)."""
    if kpi_keys:
        statuses_refresh(kpi_keys=kpi_keys, findings=False)
    findings_refresh(kpi_keys=kpi_keys, cycle_keys=cycle_keys)
    if sender is Cycle:
        # A cycle's dates (or its being archived) move which KPIs it suggests.
        suggestions_refresh(cycle_keys=cycle_keys)
