"""The strategy map: its selector, its page for each role, its query count, and
the leading/lagging badges on tiles and KPI pages."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.kpis.models import KPI
from drumbeat.okrs.strategy_map import strategy_map
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import client_for, words

ROLES = ["admin", "editor", "owner", "viewer", "outsider", None]

# The tests' clock is pinned at 2026-11-25: the Q4 cycle is active.
MAP = """\
version: 1
kpis:
  - key: nps
    name: Net promoter score
    direction: up
    perspective: customer
    tier: key
    indicator: lagging
    north_star: true
    thresholds: {green: 40, red: 20}
    readings:
      - {at: 2026-11-01, value: 45}
  - key: revenue
    name: Revenue
    direction: up
    perspective: financial
    tier: key
    indicator: lagging
    thresholds: {green: 100, red: 80}
    readings:
      - {at: 2026-11-01, value: 70}
  - key: response-time
    name: First response time
    direction: down
    perspective: internal
    tier: secondary
    indicator: leading
    drives: [nps]
  - key: training
    name: Training hours
    direction: up
    perspective: learning
    tier: secondary
    indicator: leading
    drives: [response-time, revenue]
  - key: visits
    name: Site visits
    direction: up
    tier: secondary
cycles:
  - {key: 2026-Q4, start: 2026-10-01, end: 2026-12-31}
  - {key: 2026-Q2, start: 2026-04-01, end: 2026-06-30}
objectives:
  - key: happier
    title: Customers are happier
    cycle: 2026-Q4
    key_results:
      - {key: nps-up, kpi: nps, target: 50}
      - {key: revenue-up, kpi: revenue, target: 90}
  - key: earlier
    title: An earlier cycle
    cycle: 2026-Q2
    key_results:
      - {key: visits-up, kpi: visits, target: 50}
"""


@pytest.fixture
def mapped(db: None) -> None:
    workspace_apply(load_workspace_text(MAP))


def test_the_map_puts_the_north_star_on_top_and_the_perspectives_in_lanes(mapped):
    the_map = strategy_map()
    lanes = [
        (lane, [n.kpi.key for n in nodes]) for lane, _, nodes in the_map.lane_groups
    ]
    assert lanes == [
        ("north_star", ["nps"]),
        ("financial", ["revenue"]),
        ("internal", ["response-time"]),
        ("learning", ["training"]),
        ("other", ["visits"]),
    ]
    ys = [the_map.lanes[n].y for n in range(len(the_map.lanes))]
    assert ys == sorted(ys)
    links = {(link.driver.key, link.driven.key) for link in the_map.links}
    assert links == {
        ("response-time", "nps"),
        ("training", "response-time"),
        ("training", "revenue"),
    }
    health = {node.kpi.key: node.health for node in the_map.nodes}
    assert health["nps"] == "green"
    assert health["revenue"] == "red"


def test_only_the_active_cycle_s_key_results_mark_their_kpis(mapped):
    the_map = strategy_map()
    targeted = {
        node.kpi.key: [f"{kr.objective.key}/{kr.key}" for kr in node.key_results]
        for node in the_map.nodes
        if node.key_results
    }
    assert targeted == {"nps": ["happier/nps-up"], "revenue": ["happier/revenue-up"]}
    assert [c.key for c in the_map.cycles] == ["2026-Q4"]


def test_archived_kpis_and_their_links_are_off_the_map(mapped):
    KPI.objects.filter(key="response-time").update(archived_at="2026-11-01T00:00Z")
    the_map = strategy_map()
    assert "response-time" not in {n.kpi.key for n in the_map.nodes}
    assert {(lk.driver.key, lk.driven.key) for lk in the_map.links} == {
        ("training", "revenue")
    }


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_reads_the_map(mapped, users, role):
    response = client_for(users.get(role)).get("/strategy-map/")
    if role is None:
        assert response.status_code == 302
        assert "/sign-in/" in response["Location"]
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert "drumbeat/strategy_map.js" in page
    assert 'style="' not in page
    assert "<script>" not in page
    chart = re.search(r'data-strategy-map="([^"]*)"', page)
    assert chart is not None
    data = json.loads(html.unescape(chart.group(1)))
    assert {n["key"] for n in data["nodes"]} == {
        "nps",
        "revenue",
        "response-time",
        "training",
        "visits",
    }
    assert {"source": "training", "target": "revenue"} in data["links"]
    # The links and the targeted KPIs, also as lists (phones, screen readers).
    assert 'data-driver="training" data-driven="revenue"' in page
    assert "happier/nps-up" in page
    # Nothing to edit here: the links are edited on each KPI's page.
    assert "<form" not in page.split('id="content"')[-1]


def test_an_empty_dictionary_says_so(users):
    page = client_for(users["viewer"]).get("/strategy-map/").content.decode()
    assert "data-strategy-map-empty" in page
    assert "data-strategy-map=" not in page


def _organisation(size: int) -> str:
    """`size` KPIs per perspective, each driving the one above it, and a KR on
    each KPI of the active cycle."""
    kpis = []
    krs = []
    for n in range(size):
        for lane, perspective in enumerate(("financial", "customer", "internal")):
            key = f"{perspective}-{n}"
            above = ("financial", "customer")[lane - 1] if lane else None
            drives = f"[{above}-{n}]" if above else "[]"
            kpis.append(
                f"  - {{key: {key}, name: K {key}, direction: up, tier: secondary, "
                f"perspective: {perspective}, indicator: leading, drives: {drives}, "
                f"readings: [{{at: 2026-11-01, value: 5}}]}}"
            )
            krs.append(f"      - {{key: kr-{key}, kpi: {key}, target: 9}}")
    return (
        "version: 1\nkpis:\n"
        + "\n".join(kpis)
        + "\ncycles:\n  - {key: 2026-Q4, start: 2026-10-01, end: 2026-12-31}\n"
        + "objectives:\n  - key: o\n    title: Things improve\n    cycle: 2026-Q4\n"
        + "    key_results:\n"
        + "\n".join(krs)
        + "\n"
    )


def _page_queries(user) -> int:
    client = client_for(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/strategy-map/").status_code == 200
    return len(queries)


def test_the_page_s_queries_do_not_grow_with_the_map(users):
    workspace_apply(load_workspace_text(_organisation(2)))
    few = _page_queries(users["viewer"])
    workspace_apply(load_workspace_text(_organisation(8)))
    assert len(strategy_map().links) == 8 * 2
    assert _page_queries(users["viewer"]) == few


def test_tiles_and_the_kpi_page_say_leading_or_lagging(mapped, users):
    client = client_for(users["viewer"])
    dashboard = client.get("/").content.decode()
    assert dashboard.count('data-indicator="leading"') == 2
    assert dashboard.count('data-indicator="lagging"') == 2
    page = words(client.get("/kpis/training/").content.decode())
    assert "Drives First response time, Revenue · See it on the strategy map" in page
    page = client.get("/kpis/response-time/").content.decode()
    assert 'data-indicator="leading"' in page
    assert "Drives Net promoter score · Driven by Training hours · See it" in words(
        page
    )
    assert 'href="/strategy-map/"' in page


def test_the_dashboard_and_the_dictionary_link_to_the_map(users):
    client = client_for(users["viewer"])
    for url in ("/", "/kpis/"):
        page = client.get(url).content.decode()
        assert 'href="/strategy-map/" data-strategy-map-link' in page


def test_a_kpi_name_with_markup_stays_text_in_the_chart_data(mapped, users):
    name = 'Net "promoter" <b>score</b> & more'
    KPI.objects.filter(key="nps").update(name=name)
    page = client_for(users["viewer"]).get("/strategy-map/").content.decode()
    assert "<b>score</b>" not in page
    chart = re.search(r'data-strategy-map="([^"]*)"', page)
    assert chart is not None
    text = html.unescape(chart.group(1))
    assert {n["key"]: n["name"] for n in json.loads(text)["nodes"]}["nps"] == name


def test_a_targeted_kpi_s_cut_label_keeps_its_marker(mapped, users):
    KPI.objects.filter(key="nps").update(name="Net promoter score, all customers")
    page = client_for(users["viewer"]).get("/strategy-map/").content.decode()
    chart = re.search(r'data-strategy-map="([^"]*)"', page)
    assert chart is not None
    data = json.loads(html.unescape(chart.group(1)))
    labels = {n["key"]: n["label"] for n in data["nodes"]}
    assert (labels["nps"], labels["training"]) == (
        "Net promoter sc… ◎",
        "Training hours",
    )
