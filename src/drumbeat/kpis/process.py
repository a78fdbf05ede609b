"""Selectors of a KPI's process behaviour: its X and mR chart data, with the limit
periods, the signals in words and the divider proposed when a shift has lasted
(computed by `drumbeat.core.spc`; a page or the API draws it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from drumbeat.core import model as core
from drumbeat.core.spc import ProposedDivider, process_chart, proposed_divider
from drumbeat.core.spc_words import process_chart_json
from drumbeat.kpis.models import KPI
from drumbeat.kpis.selectors import core_readings, current_readings, kpi_data
from drumbeat.workspace import load_workspace_data
from drumbeat.workspace.yamlio import collector_paused


def core_kpi(kpi: KPI) -> core.KPI:
    """The core's KPI of a row, with its current readings, in three queries."""
    [definition] = load_workspace_data(
        {"kpis": [kpi_data(kpi, [], known=set())]}, filename=f"KPI {kpi.key}"
    ).kpis
    with collector_paused():  # a long history: see `collector_paused`
        readings = core_readings(current_readings([kpi]))
    return replace(definition, readings=readings.get(kpi.pk, ()))


def declined_divider_days(kpi: KPI) -> set[dt.date]:
    """The first days of the runs whose divider someone declined."""
    return set(kpi.declined_dividers.values_list("run_start", flat=True))


def kpi_proposed_divider(kpi: KPI, as_of: dt.date) -> ProposedDivider | None:
    """The divider to propose for a KPI on `as_of`: none declined is proposed."""
    return proposed_divider(core_kpi(kpi), as_of, declined_divider_days(kpi))


def kpi_process_chart(kpi: KPI, as_of: dt.date) -> dict[str, Any]:
    """The X and mR charts of a KPI on `as_of` as plain values
    (`spc_words.process_chart_json`), in a constant number of queries."""
    chart = process_chart(core_kpi(kpi), as_of, declined_divider_days(kpi))
    return process_chart_json(chart, kpi.unit or None)


def accepted_dividers(kpi: KPI) -> list[dict[str, Any]]:
    """The KPI's dividers, oldest first, each with who accepted it, when and why:
    the definition version that added it (in one query). A divider written into
    the workspace file has whoever applied it, or nobody."""
    added: dict[str, dict[str, Any]] = {}
    before: set[str] = set()
    versions = kpi.history.order_by("history_date").values(
        "spc_periods", "history_date", "history_user__username", "history_change_reason"
    )
    for version in versions:
        days = {period["from"] for period in version["spc_periods"] or []}
        for day in days - before:
            added[day] = {
                "at": day,
                "when": version["history_date"],
                "by": version["history_user__username"] or "",
                "why": version["history_change_reason"] or "",
            }
        before = days
    return [
        added.get(
            period["from"], {"at": period["from"], "when": None, "by": "", "why": ""}
        )
        for period in sorted(kpi.spc_periods, key=lambda period: period["from"])
    ]
