"""The strategy map (docs/web.md#strategy-map): every KPI in its perspective's
lane with its health, the north star on top, the `drives` links from leading to
lagging KPIs, and the KPIs that a key result of the active cycle targets. Read in
constant queries, whatever the number of KPIs, links and key results."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from drumbeat.core.strategy_map import (
    NORTH_STAR_LANE,
    OTHER_LANE,
    PER_ROW,
    Lane,
    MapItem,
    map_label,
    strategy_map_layout,
)
from drumbeat.kpis.models import KPI
from drumbeat.kpis.templatetags.kpi_format import HEALTH_LABELS
from drumbeat.okrs.models import Cycle, KeyResult
from drumbeat.okrs.selectors import active_cycles

LANE_LABELS = {
    NORTH_STAR_LANE: "North star",
    "financial": "Financial",
    "customer": "Customer",
    "internal": "Internal",
    "learning": "Learning",
    OTHER_LANE: "No perspective",
}


@dataclass(frozen=True)
class MapNode:
    """A KPI on the map, where it stands, and the active KRs that target it."""

    kpi: KPI
    lane: str
    x: float
    y: float
    health: str
    key_results: list[KeyResult] = field(default_factory=list)

    @property
    def indicator(self) -> str:
        return self.kpi.indicator


@dataclass(frozen=True)
class MapLink:
    """`driver` drives `driven`: an arrow from the leading KPI to the lagging one."""

    driver: KPI
    driven: KPI


@dataclass(frozen=True)
class StrategyMap:
    lanes: list[Lane]
    nodes: list[MapNode]
    links: list[MapLink]
    cycles: list[Cycle]
    """The active cycles whose KRs the map marks."""

    def chart_data(self) -> dict[str, Any]:
        """What strategy_map.js draws, as its data-strategy-map attribute."""
        return {
            "lanes": [
                {"name": LANE_LABELS[lane.name], "y": lane.y, "rows": lane.rows}
                for lane in self.lanes
            ],
            "per_row": PER_ROW,
            "nodes": [
                {
                    "key": node.kpi.key,
                    "name": node.kpi.name,
                    "label": map_label(node.kpi.name, targeted=bool(node.key_results)),
                    "url": reverse("kpi-detail", args=[node.kpi.key]),
                    "x": node.x,
                    "y": node.y,
                    "health": node.health,
                    "health_label": HEALTH_LABELS.get(node.health, node.health),
                    "indicator": node.indicator,
                    "north_star": node.kpi.north_star,
                    "key_results": [
                        f"{kr.objective.key}/{kr.key}" for kr in node.key_results
                    ],
                }
                for node in self.nodes
            ],
            "links": [
                {"source": link.driver.key, "target": link.driven.key}
                for link in self.links
            ],
        }

    @property
    def lane_groups(self) -> list[tuple[str, str, list[MapNode]]]:
        """(lane, its label, its nodes) top to bottom, for the page's lists."""
        return [
            (
                lane.name,
                LANE_LABELS[lane.name],
                [node for node in self.nodes if node.lane == lane.name],
            )
            for lane in self.lanes
        ]


def strategy_map(today: dt.date | None = None) -> StrategyMap:
    """The map of the KPIs not archived (four queries, whatever their number)."""
    kpis = list(KPI.objects.filter(archived_at__isnull=True).select_related("status"))
    by_key = {kpi.key: kpi for kpi in kpis}
    cycles = active_cycles(today)
    targeting: dict[str, list[KeyResult]] = defaultdict(list)
    key_results = (
        KeyResult.objects.filter(
            objective__cycle__in=cycles,
            archived_at__isnull=True,
            objective__archived_at__isnull=True,
            kpi_key__in=list(by_key),
        )
        .select_related("objective")
        .order_by("objective__position", "objective__key", "position", "key")
    )
    for kr in key_results:
        targeting[kr.kpi_key].append(kr)
    lanes, places = strategy_map_layout(
        MapItem(kpi.key, kpi.perspective or None, kpi.north_star) for kpi in kpis
    )
    nodes = [
        MapNode(
            kpi=by_key[place.key],
            lane=place.lane,
            x=place.x,
            y=place.y,
            health=_health(by_key[place.key]),
            key_results=targeting[place.key],
        )
        for place in places
    ]
    links = [
        MapLink(driver=kpi, driven=by_key[driven])
        for kpi in kpis
        for driven in kpi.drives
        if driven in by_key and driven != kpi.key
    ]
    return StrategyMap(lanes=lanes, nodes=nodes, links=links, cycles=cycles)


def _health(kpi: KPI) -> str:
    try:
        return kpi.status.health or "unknown"
    except KPI.status.RelatedObjectDoesNotExist:
        return "unknown"
