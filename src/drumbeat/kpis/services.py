"""Writes to the KPI dictionary and the statuses computed from it.

Every write goes through here; every rule is computed by `drumbeat.core` on a
workspace rebuilt from the database, never re-implemented.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from drumbeat.core.contract import signal_json
from drumbeat.core.model import Workspace
from drumbeat.core.status import kpi_statuses, objective_status
from drumbeat.kpis.models import KPI, KPIStatus, Reading
from drumbeat.kpis.selectors import database_workspace, kpi_data
from drumbeat.okrs.models import KeyResult, Objective
from drumbeat.server.editing import lock_for_edit
from drumbeat.workspace import load_workspace_data

SPARKLINE_POINTS = 26


class ReadingError(ValueError):
    """A reading that cannot be recorded, with a message for the person."""


@transaction.atomic
def reading_record(
    *,
    kpi: KPI,
    day: dt.date,
    value: float,
    by: User | None,
    note: str = "",
    source: str = Reading.Source.MANUAL,
    source_detail: str = "",
) -> Reading:
    """Record a KPI's value on a day. A different value on a day that has one is a
    correction: the earlier reading stays, superseded. The same value again changes
    nothing. The KPI's status and the scores of KRs on it are refreshed at once."""
    if not math.isfinite(value):
        raise ReadingError("The value must be a finite number.")
    at = day.isoformat()
    current = Reading.objects.filter(kpi=kpi, at=at, superseded_at__isnull=True).first()
    if current is not None:
        if current.value == value and current.note == note:
            return current
        current.superseded_at = timezone.now()
        current.save(update_fields=["superseded_at"])
    reading = Reading.objects.create(
        kpi=kpi,
        at=at,
        day=day,
        value=value,
        note=note,
        source=source,
        source_detail=source_detail,
        recorded_by=by,
    )
    statuses_refresh(kpi_keys=[kpi.key])
    return reading


@transaction.atomic
def statuses_refresh(
    *, as_of: dt.date | None = None, kpi_keys: Iterable[str] | None = None
) -> None:
    """Recompute the stored status of KPIs (all, or those given) and the scores of
    every KR and objective, as of `as_of` (today by default)."""
    on = as_of or timezone.localdate()
    asked: set[str] = set()
    if kpi_keys is None:
        chosen = KPI.objects.all()
    else:
        # The KPIs asked for, and every KPI that shares an objective with them, so
        # that those objectives' scores are whole.
        asked = set(kpi_keys)
        sharing = KeyResult.objects.filter(
            objective__key_results__kpi_key__in=asked
        ).values_list("kpi_key", flat=True)
        chosen = KPI.objects.filter(key__in=asked | set(sharing))
    workspace = database_workspace(chosen)
    by_key = {kpi.key: kpi for kpi in chosen}
    statuses = []
    for status in kpi_statuses(workspace, on):
        assessment = status.assessment
        kpi = assessment.kpi
        readings = kpi.readings_until(on)
        recent = readings[-SPARKLINE_POINTS:]
        limits = assessment.limits
        statuses.append(
            KPIStatus(
                kpi=by_key[kpi.key],
                as_of=on,
                latest_value=assessment.latest.value if assessment.latest else None,
                latest_day=assessment.latest.day if assessment.latest else None,
                health=str(assessment.health),
                threshold_health=str(assessment.threshold_health),
                stale=assessment.stale,
                lifecycle=str(status.lifecycle),
                signals=[signal_json(s, readings) for s in assessment.signals],
                sparkline={
                    "values": [r.value for r in recent],
                    "dates": [r.day.isoformat() for r in recent],
                    "mean": limits.mean if limits else None,
                    "upper": limits.upper if limits else None,
                    "lower": limits.lower if limits else None,
                    "health": str(assessment.health),
                },
            )
        )
    KPIStatus.objects.filter(kpi__in=list(by_key.values())).delete()
    KPIStatus.objects.bulk_create(statuses)
    # Only objectives on the KPIs asked for: all their KPIs are in this workspace.
    _scores_refresh(workspace, on, kpi_keys=None if kpi_keys is None else asked)


def _scores_refresh(
    workspace: Workspace, on: dt.date, kpi_keys: set[str] | None
) -> None:
    objectives = {o.key: o for o in Objective.objects.all()}
    key_results = {(kr.objective_id, kr.key): kr for kr in KeyResult.objects.all()}
    changed_objectives = []
    changed_key_results = []
    for objective in workspace.objectives:
        if kpi_keys is not None and not any(
            kr.kpi in kpi_keys for kr in objective.key_results
        ):
            continue
        status = objective_status(workspace, objective, on)
        row = objectives[objective.key]
        row.score = status.score
        changed_objectives.append(row)
        for scored in status.key_results:
            kr_row = key_results[(row.pk, scored.key)]
            kr_row.computed_baseline = scored.baseline
            kr_row.current = scored.current.value if scored.current else None
            kr_row.progress = scored.progress
            kr_row.score = scored.score
            changed_key_results.append(kr_row)
    Objective.objects.bulk_update(changed_objectives, ["score"])
    KeyResult.objects.bulk_update(
        changed_key_results, ["computed_baseline", "current", "progress", "score"]
    )


DEFINITION_FIELDS = (
    "name",
    "description",
    "unit",
    "direction",
    "cadence",
    "owner_name",
)


@transaction.atomic
def kpi_update(
    *,
    kpi: KPI,
    values: dict[str, Any],
    thresholds: dict[str, Any],
    by: User,
    version: int,
) -> KPI:
    """Change a KPI's definition and thresholds, checked by the workspace format's
    own rules; refused if it changed since `version` was read. Kept in history."""
    locked = lock_for_edit(KPI, kpi.pk, version)
    for name in DEFINITION_FIELDS:
        setattr(locked, name, values[name])
    locked.thresholds = {k: v for k, v in thresholds.items() if v is not None}
    # The same validation as a workspace file: thresholds against direction.
    load_workspace_data(
        {"kpis": [kpi_data(locked, [], known=set())]}, filename=f"KPI {locked.key}"
    )
    locked.updated_by = by
    locked.save()
    statuses_refresh(kpi_keys=[locked.key])
    return locked
