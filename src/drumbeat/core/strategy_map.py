"""The strategy map's layout: the north star on top, then the four perspectives as
lanes from financial down to learning (what the organisation learns drives its
processes, which drive its customers, who drive its finances), so that `drives`
links between lanes point upwards, from leading to lagging. KPIs without a
perspective make a last lane. Fixed places, computed here rather than by a force
layout in the browser: the same map every time, and a test can read it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from drumbeat.core.model import Perspective

NORTH_STAR_LANE = "north_star"
OTHER_LANE = "other"
LANES = (NORTH_STAR_LANE, *(p.value for p in Perspective), OTHER_LANE)
"""Top to bottom."""

MAP_WIDTH = 1000.0
"""The map's width in layout units; the chart scales them to its box."""
ROW_HEIGHT = 100.0
"""Between two rows of KPIs, in layout units; lanes are a row apart too."""
PER_ROW = 8
"""KPIs on one row of a lane: a fuller lane wraps onto more rows, staggered, so
that the names stay readable."""
LANE_LABEL_WIDTH = 130.0
"""Room on the left of each lane for its name."""
LABEL_CHARS = 18
"""The most characters of a KPI's name under its dot, marker included: about the
110 pixels the chart gives a label."""
TARGETED_MARK = "◎"
"""After the name of a KPI that a key result of the active cycle targets."""


@dataclass(frozen=True, slots=True)
class MapItem:
    """A KPI to place: its key, perspective (None without one) and north star."""

    key: str
    perspective: str | None
    north_star: bool


@dataclass(frozen=True, slots=True)
class Place:
    key: str
    lane: str
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Lane:
    name: str
    y: float
    """Of its first row."""
    rows: int


def map_lane(item: MapItem) -> str:
    if item.north_star:
        return NORTH_STAR_LANE
    if item.perspective in LANES:
        return item.perspective
    return OTHER_LANE


def strategy_map_layout(items: Iterable[MapItem]) -> tuple[list[Lane], list[Place]]:
    """The lanes that hold a KPI, top to bottom, and each KPI's place: spread
    evenly across its lane in the order given, `PER_ROW` to a row, the rows of a
    lane and the lanes `ROW_HEIGHT` apart."""
    by_lane: dict[str, list[MapItem]] = {lane: [] for lane in LANES}
    for item in items:
        by_lane[map_lane(item)].append(item)
    lanes: list[Lane] = []
    places: list[Place] = []
    row = 0
    for name in LANES:
        members = by_lane[name]
        if not members:
            continue
        rows = -(-len(members) // PER_ROW)
        lanes.append(Lane(name, row * ROW_HEIGHT, rows))
        across = -(-len(members) // rows)  # as even as the rows can be
        step = (MAP_WIDTH - LANE_LABEL_WIDTH) / across
        for n, item in enumerate(members):
            line, at = divmod(n, across)
            # A wrapped row is shifted by half a step: no name right under another.
            shift = 0.25 if line % 2 else -0.25 if rows > 1 else 0.0
            x = LANE_LABEL_WIDTH + step * (at + 0.5 + shift)
            places.append(Place(item.key, name, x, (row + line) * ROW_HEIGHT))
        row += rows
    return lanes, places


def map_label(name: str, *, targeted: bool, limit: int = LABEL_CHARS) -> str:
    """The text under a KPI's dot: its name, cut with "…" to fit `limit`
    characters, and ` ◎` when a key result targets it. The name is cut, never
    the marker (a chart cutting the whole label would drop the marker first)."""
    mark = f" {TARGETED_MARK}" if targeted else ""
    room = max(limit - len(mark), 1)
    if len(name) > room:
        name = name[: room - 1].rstrip() + "…"
    return name + mark
