"""The strategy map's fixed layout: lanes top to bottom, KPIs spread across."""

import pytest

from drumbeat.core.strategy_map import (
    LABEL_CHARS,
    LANE_LABEL_WIDTH,
    MAP_WIDTH,
    PER_ROW,
    ROW_HEIGHT,
    MapItem,
    map_label,
    strategy_map_layout,
)


def test_lanes_hold_their_kpis_top_to_bottom_and_empty_lanes_are_left_out() -> None:
    lanes, places = strategy_map_layout(
        [
            MapItem("training", "learning", north_star=False),
            MapItem("nps", "customer", north_star=True),
            MapItem("revenue", "financial", north_star=False),
            MapItem("margin", "financial", north_star=False),
            MapItem("visits", None, north_star=False),
            MapItem("odd", "unheard-of", north_star=False),
        ]
    )
    assert [(lane.name, lane.y, lane.rows) for lane in lanes] == [
        ("north_star", 0, 1),
        ("financial", ROW_HEIGHT, 1),
        ("learning", 2 * ROW_HEIGHT, 1),
        ("other", 3 * ROW_HEIGHT, 1),
    ]
    by_key = {place.key: place for place in places}
    assert by_key["nps"].lane == "north_star"
    assert by_key["odd"].lane == "other"
    assert by_key["revenue"].x < by_key["margin"].x
    assert all(LANE_LABEL_WIDTH < p.x < MAP_WIDTH for p in places)
    # One KPI in a lane sits in its middle.
    assert by_key["training"].x == (LANE_LABEL_WIDTH + MAP_WIDTH) / 2


def test_no_kpis_no_lanes() -> None:
    assert strategy_map_layout([]) == ([], [])


def test_a_full_lane_wraps_onto_rows_and_the_next_lane_comes_after_them() -> None:
    items = [MapItem(f"k{n}", "internal", north_star=False) for n in range(11)]
    items.append(MapItem("growth", "learning", north_star=False))
    lanes, places = strategy_map_layout(items)
    assert [(lane.name, lane.y, lane.rows) for lane in lanes] == [
        ("internal", 0, 2),
        ("learning", 2 * ROW_HEIGHT, 1),
    ]
    rows = [p.y for p in places if p.lane == "internal"]
    assert rows.count(0) == 6
    assert rows.count(ROW_HEIGHT) == 5
    assert PER_ROW < 11 <= 2 * PER_ROW
    assert all(LANE_LABEL_WIDTH < p.x < MAP_WIDTH for p in places)
    xs = {p.x for p in places if p.lane == "internal"}
    assert len(xs) == 11  # staggered: no KPI right above another


@pytest.mark.parametrize(
    ("name", "targeted", "label"),
    [
        ("Revenue", False, "Revenue"),
        ("Revenue", True, "Revenue ◎"),
        ("Net revenue retention", False, "Net revenue reten…"),
        ("Net revenue retention", True, "Net revenue ret… ◎"),
        ("Net revenue retention rate", True, "Net revenue ret… ◎"),
        ("Exactly sixteen!", True, "Exactly sixteen! ◎"),
        ("Seventeen letters", True, "Seventeen lette… ◎"),
    ],
)
def test_a_cut_label_keeps_its_marker(name, targeted, label):
    assert map_label(name, targeted=targeted) == label
    assert len(label) <= LABEL_CHARS
