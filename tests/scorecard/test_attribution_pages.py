"""Attribution across quarters on the pages: the KPI page's table and chart, a
closed cycle's groups on its board, for each role, at a cost that does not grow
with the readings or the cycles."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

DECEMBER = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
BEFORE = [10, 11] * 6 + [10]  # weekly from 2026-01-05: mean 10.46, mR̄ 1
FILLER = [10, 11] * 7


def _readings(values: Sequence[float], start: dt.date = dt.date(2026, 1, 5)) -> str:
    return "\n".join(
        f"      - {{at: {start + dt.timedelta(weeks=n)}, value: {value}}}"
        for n, value in enumerate(values)
    )


def workspace_text(weeks_after_q2: int = 0, q3_krs: int = 0) -> str:
    """csat moves up in Q2 as its KR aimed; churn moves down with no KR on it;
    `weeks_after_q2` more readings of csat and `q3_krs` KRs on both in Q3 (to vary
    the history and the cycles)."""
    q3 = "".join(
        f"      - {{key: kr-{n}, kpi: {'csat' if n % 2 else 'churn'}, target: 20}}\n"
        for n in range(q3_krs)
    )
    q3_objective = (
        f"  - key: q3\n    title: More\n    cycle: 2026-Q3\n    team: support\n"
        f"    key_results:\n{q3}"
        if q3_krs
        else ""
    )
    csat = [*BEFORE, 14, 14, 14, *FILLER[:10], *([14] * weeks_after_q2)]
    churn = [*BEFORE, 5, *FILLER[:12]]
    return f"""\
version: 1
teams:
  - {{key: support, name: Support}}
kpis:
  - key: csat
    name: Customer satisfaction
    unit: percent
    direction: up
    team: support
    thresholds: {{green: 13, red: 9}}
    readings:
{_readings(csat)}
  - key: churn
    name: Logo churn
    direction: up
    team: support
    thresholds: {{green: 13, red: 9}}
    readings:
{_readings(churn)}
cycles:
  - {{key: 2026-Q2, start: 2026-04-01, end: 2026-06-30}}
  - {{key: 2026-Q3, start: 2026-07-01, end: 2026-09-30}}
objectives:
  - key: happier
    title: Customers are happier
    cycle: 2026-Q2
    team: support
    key_results:
      - {{key: csat-up, kpi: csat, baseline: 10, target: 14}}
{q3_objective}"""


@pytest.fixture
def attributed(db, users, time_machine):
    time_machine.move_to(DECEMBER, tick=False)
    workspace_apply(load_workspace_text(workspace_text()))


ROLES = ["admin", "editor", "owner", "viewer", "outsider"]


@pytest.mark.parametrize("role", ROLES)
def test_the_kpi_page_shows_each_closed_cycle_that_targeted_it(attributed, users, role):
    page = client_for(users[role]).get("/kpis/csat/").content.decode()
    assert re.findall(r'data-attribution="([^"]+)"', page) == ["2026-Q2"]
    assert 'data-outcome="moved"' in page
    assert "moved beyond its noise, as targeted" in page
    assert "never proof" in page
    found = re.search(r'data-attribution-chart="([^"]*)"', page)
    assert found is not None
    chart = json.loads(unescape(found.group(1)))
    assert chart["cycles"] == ["2026-Q2"]
    assert chart["outcomes"] == ["moved"]
    assert "drumbeat/attribution.js" in page
    assert " style=" not in page.split('id="attribution"')[1].split("</section>")[0]


def test_a_kpi_no_closed_cycle_targeted_says_so(attributed, users):
    page = client_for(users["viewer"]).get("/kpis/churn/").content.decode()
    assert "No closed cycle has targeted this KPI yet." in page
    assert "attribution.js" not in page


@pytest.mark.parametrize("url", ["/kpis/csat/", "/cycles/2026-Q2/"])
def test_anonymous_visitors_see_no_attribution(attributed, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("role", ROLES)
def test_a_closed_cycles_board_lists_its_kpis_in_groups(attributed, users, role):
    page = client_for(users[role]).get("/cycles/2026-Q2/").content.decode()
    section = page.split('id="cycle-attribution"')[1].split("</section>")[0]
    moved = section.split("data-group=")
    groups = {part.split('"')[1]: part for part in moved[1:]}
    assert "/kpis/csat/" in groups["moved"]
    assert "/kpis/churn/" in groups["moved_without_okr"]
    assert "never proof" in section


def test_a_running_cycles_board_has_no_attribution(attributed, users, time_machine):
    time_machine.move_to(dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC), tick=False)
    page = client_for(users["viewer"]).get("/cycles/2026-Q2/").content.decode()
    assert 'id="cycle-attribution"' not in page


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_cost_the_same_queries_whatever_the_history(attributed, users):
    client = client_for(users["viewer"])
    kpi_page, board = (
        _queries(client, "/kpis/csat/"),
        _queries(client, "/cycles/2026-Q2/"),
    )
    workspace_apply(load_workspace_text(workspace_text(weeks_after_q2=20, q3_krs=6)))
    assert _queries(client, "/kpis/csat/") == kpi_page
    assert _queries(client, "/cycles/2026-Q2/") == board
    q3 = client.get("/api/v1/kpis/csat/attribution").json()["cycles"]
    assert [row["cycle"] for row in q3] == ["2026-Q2", "2026-Q3"]
