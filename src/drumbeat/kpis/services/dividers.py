"""Writes to a KPI's limit periods: a divider accepted (at the day proposed or
moved to another), removed, or a proposed one declined. Accepting or removing one
is a new definition version with who, when and why; statuses follow."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from drumbeat.audit.models import Event
from drumbeat.audit.services import event_record
from drumbeat.common.editing import lock_for_edit
from drumbeat.common.locks import serialized_write
from drumbeat.kpis.models import KPI, DeclinedDivider
from drumbeat.kpis.selectors import can_edit_definition, kpi_data
from drumbeat.kpis.services.definitions import _saved_with_reason
from drumbeat.workspace import WorkspaceError, load_workspace_data
from drumbeat.workspace.yamlio import LocatedError

DIVIDER_REFUSAL = "Only the KPI's owner or an admin divides its limits."


def _refuse_unless_allowed(by: User, kpi: KPI) -> None:
    if not can_edit_definition(by, kpi):
        raise PermissionDenied(DIVIDER_REFUSAL)


def _problem(kpi: KPI, message: str) -> WorkspaceError:
    return WorkspaceError(
        f"KPI {kpi.key}", [LocatedError(None, "spc.periods", message)]
    )


@serialized_write
def kpi_divider_accept(
    *, kpi: KPI, start: dt.date, by: User, version: int, why: str = ""
) -> KPI:
    """Recompute a KPI's limits from `start` on (its first 20 readings from then):
    a proposed divider accepted, or moved to another day. Checked by the workspace
    format's rules; refused if the KPI changed since `version` was read."""
    _refuse_unless_allowed(by, kpi)
    locked = lock_for_edit(KPI, kpi.pk, version)
    day = start.isoformat()
    if any(period["from"] == day for period in locked.spc_periods):
        raise _problem(locked, f"the limits are recomputed from {day} already")
    periods = sorted([*locked.spc_periods, {"from": day}], key=lambda p: p["from"])
    return _periods_saved(
        locked, periods, by=by, why=why, summary=f"limits recomputed from {day}"
    )


@serialized_write
def kpi_divider_remove(
    *, kpi: KPI, start: dt.date, by: User, version: int, why: str = ""
) -> KPI:
    """Take a divider away: the readings from `start` are judged against the
    limits of the period before it again."""
    _refuse_unless_allowed(by, kpi)
    locked = lock_for_edit(KPI, kpi.pk, version)
    day = start.isoformat()
    kept = [period for period in locked.spc_periods if period["from"] != day]
    if kept == locked.spc_periods:
        raise _problem(locked, f"there is no divider at {day}")
    return _periods_saved(
        locked, kept, by=by, why=why, summary=f"divider at {day} removed"
    )


def _periods_saved(
    locked: KPI, periods: list[dict[str, Any]], *, by: User, why: str, summary: str
) -> KPI:
    """The new dividers, checked by the workspace format's own rules (in order,
    baselines inside their periods), saved as a definition version with why."""
    before = locked.spc_periods
    locked.spc_periods = periods
    load_workspace_data(
        {"kpis": [kpi_data(locked, [], known=set())]}, filename=f"KPI {locked.key}"
    )
    return _saved_with_reason(
        locked,
        by=by,
        reason=why or summary,
        action="changed",
        summary=summary,
        changes={"spc_periods": [before, periods]},
    )


def kpi_divider_decline(
    *, kpi: KPI, run_start: dt.date, by: User, why: str = ""
) -> DeclinedDivider:
    """Say no to the divider proposed at `run_start`: that run is not proposed
    again (a later shift is). Declining twice keeps the first answer."""
    _refuse_unless_allowed(by, kpi)
    declined, created = DeclinedDivider.objects.get_or_create(
        kpi=kpi, run_start=run_start, defaults={"declined_by": by, "why": why}
    )
    if created:
        event_record(
            kind=Event.Kind.DEFINITION,
            action="divider declined",
            subject=kpi.key,
            by=by,
            summary=f"divider at {run_start.isoformat()} declined"
            + (f" ({why})" if why else ""),
        )
    return declined
