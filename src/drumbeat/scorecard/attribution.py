"""Attribution across quarters as the pages and the API read it: the core's
`kpi_attribution` and `cycle_attribution` on the workspace the database holds, in
a number of queries that does not grow with the cycles, the KPIs or the readings.
Association, never proof (see docs/attribution.md)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from drumbeat.core.attribution import (
    OUTCOME_WORDS,
    CycleAttribution,
    CycleOutcome,
    KPICycleAttribution,
    cycle_attribution,
    held_words,
    kpi_attribution,
)
from drumbeat.core.display import format_measure
from drumbeat.kpis.models import KPI
from drumbeat.okrs.models import Cycle, KeyResult, Objective
from drumbeat.scorecard.selectors import core_cycle, database_workspace


def kpi_cycles_attribution(kpi: KPI, as_of: dt.date) -> list[KPICycleAttribution]:
    """Every cycle ended before `as_of` that targeted `kpi`, oldest first, each
    judged against the KPI's process before it."""
    targeting = KeyResult.objects.filter(kpi_key=kpi.key).values_list(
        "objective__key", flat=True
    )
    workspace = database_workspace(
        KPI.objects.filter(pk=kpi.pk), objectives=set(targeting), archived_kpis=True
    )
    return kpi_attribution(workspace, kpi.key, as_of)


def cycle_kpis_attribution(cycle: Cycle, as_of: dt.date) -> CycleAttribution | None:
    """The KPIs of an ended cycle in their groups (None while it has not ended)."""
    if cycle.end >= as_of:
        return None
    objectives = Objective.objects.filter(
        cycle=cycle, archived_at__isnull=True
    ).values_list("key", flat=True)
    workspace = database_workspace(objectives=set(objectives))
    return cycle_attribution(workspace, core_cycle(workspace, cycle), as_of)


@dataclass(frozen=True)
class AttributionRow:
    """One cycle of a KPI's attribution table, in the page's words."""

    judged: KPICycleAttribution
    outcome_words: str
    held_words: str
    change: str
    """`+8 deploys`, `–` without two readings."""
    in_noise: str
    """`+2.6×`, `–` without limits."""

    @property
    def moved(self) -> bool:
        return self.judged.outcome is CycleOutcome.MOVED


def attribution_rows(
    rows: list[KPICycleAttribution], decimals: int | None, unit: str
) -> list[AttributionRow]:
    """The table's rows, numbers with the KPI's `decimals` and `unit`."""
    return [
        AttributionRow(
            row,
            OUTCOME_WORDS[row.outcome],
            held_words(row.held),
            change=_signed(row.movement.change, decimals, unit),
            in_noise=_signed(row.movement.in_noise, 1, "") + "×"
            if row.movement.in_noise is not None
            else "–",
        )
        for row in rows
    ]


def _signed(value: float | None, decimals: int | None, unit: str) -> str:
    if value is None:
        return "–"
    text = format_measure(value, decimals=decimals, unit=unit)
    return text if value <= 0 else f"+{text}"


def attribution_chart(rows: list[KPICycleAttribution]) -> str:
    """The chart's data (`data-attribution-chart`): per cycle, its movement in
    multiples of the noise and its outcome."""
    return json.dumps(
        {
            "cycles": [row.cycle.key for row in rows],
            "in_noise": [
                None
                if row.movement.in_noise is None
                else round(row.movement.in_noise, 2)
                for row in rows
            ],
            "outcomes": [row.outcome.value for row in rows],
        }
    )
