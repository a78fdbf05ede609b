"""A year's board lists its quarters (dates, state, objectives, score: the final
grades once closed) and its objectives with the quarterly ones aligned to them; a
quarter's board names its year and, beside each objective aligned to an annual
one, that objective. The pinned day is 2026-11-25: 2026-Q3 has ended, 2026-Q4 runs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.okrs.models import Cycle, Objective
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import client_for
from tests.okrs.closes import cycle_closed

pytestmark = pytest.mark.django_db

ROLES = ["admin", "editor", "owner", "viewer", "outsider"]


def _objective(
    key: str,
    cycle: str,
    kpi: str,
    baseline: float,
    target: float,
    parent: str | None = None,
) -> str:
    return (
        f"  - key: {key}\n    title: {key.replace('-', ' ').title()}\n"
        f"    cycle: {cycle}\n    parent: {parent or 'null'}\n"
        f"    key_results:\n      - {{key: {key}-kr, kpi: {kpi}, "
        f"baseline: {baseline}, target: {target}}}\n"
    )


YEAR = (
    "version: 1\nkpis:\n"
    "  - key: nps\n    name: NPS\n    readings:\n"
    "      - {at: 2026-06-30, value: 40}\n      - {at: 2026-09-30, value: 45}\n"
    "      - {at: 2026-11-20, value: 48}\n"
    "  - key: csat\n    name: CSAT\n    readings:\n"
    "      - {at: 2026-06-30, value: 80}\n      - {at: 2026-09-30, value: 90}\n"
    "      - {at: 2026-11-20, value: 85}\n"
    "cycles:\n"
    "  - {key: fy2026, start: 2026-01-01, end: 2026-12-31}\n"
    "  - {key: 2026-Q3, start: 2026-07-01, end: 2026-09-30, parent: fy2026}\n"
    "  - {key: 2026-Q4, start: 2026-10-01, end: 2026-12-31, parent: fy2026}\n"
    + "objectives:\n"
    + _objective("grow", "fy2026", "nps", 40, 60)
    + _objective("serve", "fy2026", "csat", 80, 95)
    # Q3 at its end: nps 45 of 40 → 50 is 0.5; csat 90 of 80 → 90 is 1.
    + _objective("q3-promoters", "2026-Q3", "nps", 40, 50, "grow")
    + _objective("q3-service", "2026-Q3", "csat", 80, 90, "serve")
    # Q4 now: nps 48 of 45 → 55 is 0.3; csat 85 of 90 → 95 is below 0: 0.
    + _objective("q4-promoters", "2026-Q4", "nps", 45, 55, "grow")
    + _objective("q4-service", "2026-Q4", "csat", 90, 95)
)
"""fy2026 containing 2026-Q3 and 2026-Q4, two objectives in each."""


@pytest.fixture
def year(users: dict[str, User]) -> None:
    workspace_apply(load_workspace_text(YEAR))
    cycle_closed("2026-Q3", by=users["admin"])
    # A live score that moved after the close: the year shows the final grade.
    Objective.objects.filter(key="q3-service").update(score=0.0)


def row(page: str, attribute: str, key: str) -> str:
    """A table row's cells."""
    found = re.search(rf'<tr {attribute}="{key}">(.*?)</tr>', page, re.S)
    assert found, f"{attribute}={key} not on the page"
    return found.group(1)


def annual(page: str, key: str) -> str:
    """An annual objective's item, with the quarterly objectives beneath it."""
    after = page.split(f'<li data-annual="{key}">')[1]
    return re.split(r"<li data-annual=|</section>", after)[0]


@pytest.mark.parametrize("role", ROLES)
def test_a_years_board_lists_its_quarters(year: None, users, role: str) -> None:
    page = client_for(users[role]).get("/cycles/fy2026/").content.decode()
    assert re.findall(r'data-quarter="([^"]+)"', page) == ["2026-Q3", "2026-Q4"]
    q3, q4 = row(page, "data-quarter", "2026-Q3"), row(page, "data-quarter", "2026-Q4")
    assert '<a href="/cycles/2026-Q3/">2026-Q3</a>' in q3
    assert "2026-07-01 to 2026-09-30" in q3
    assert 'data-state="closed">closed<' in q3
    assert '<td data-label="objectives" class="num" data-objectives>2</td>' in q3
    # Final grades (0.5 + 1) / 2, not the live 0.5 + 0 the score moved to.
    assert "<small>final</small>" in q3
    assert "75% · green" in q3
    assert '<a href="/cycles/2026-Q4/">2026-Q4</a>' in q4
    assert 'data-state="active">active · 37 days left<' in q4
    # Live: (0.3 + 0) / 2.
    assert "15% · red" in q4
    assert "final" not in q4
    assert "data-part-of" not in page


@pytest.mark.parametrize("role", ROLES)
def test_a_years_objectives_list_their_quarterly_ones(
    year: None, users, role: str
) -> None:
    page = client_for(users[role]).get("/cycles/fy2026/").content.decode()
    grow = annual(page, "grow")
    assert re.findall(r'data-aligned="([^"]+)"', grow) == [
        "q3-promoters",
        "q4-promoters",
    ]
    assert (
        '<a href="/cycles/2026-Q4/">2026-Q4</a>: <a href="/objectives/q4-promoters/">'
        in grow
    )
    serve = annual(page, "serve")
    assert re.findall(r'data-aligned="([^"]+)"', serve) == ["q3-service"]


@pytest.mark.parametrize("role", ROLES)
def test_a_quarter_shows_its_year(year: None, users, role: str) -> None:
    page = client_for(users[role]).get("/cycles/2026-Q4/").content.decode()
    assert 'Part of <a href="/cycles/fy2026/">fy2026</a>' in page
    assert "data-quarter=" not in page
    promoters = page.split('data-objective="q4-promoters"')[1].split("</header>")[0]
    assert 'for fy2026: <a href="/objectives/grow/">Grow</a>' in promoters
    service = page.split('data-objective="q4-service"')[1].split("</header>")[0]
    assert "data-annual-objective" not in service


def test_a_cycle_no_other_names_is_no_year(small_workspace, users) -> None:
    page = client_for(users["viewer"]).get("/cycles/2026-Q3/").content.decode()
    assert "data-quarter=" not in page
    assert "data-part-of" not in page


def test_the_years_board_costs_the_same_queries_for_more_quarters(
    users, django_assert_max_num_queries: Any
) -> None:
    client = client_for(users["viewer"])
    workspace_apply(load_workspace_text(YEAR))
    cycle_closed("2026-Q3", by=users["admin"])
    with CaptureQueriesContext(connection) as two:
        assert client.get("/cycles/fy2026/").status_code == 200
    year, grow = Cycle.objects.get(key="fy2026"), Objective.objects.get(key="grow")
    for month in range(1, 5):
        cycle = Cycle.objects.create(
            key=f"m{month}",
            start=dt.date(2026, month, 1),
            end=dt.date(2026, month, 28),
            parent=year,
        )
        Objective.objects.create(
            key=f"m{month}-o", title="Monthly", cycle=cycle, parent=grow
        )
    cycle_closed("m1", by=users["admin"])
    with django_assert_max_num_queries(len(two)):
        page = client.get("/cycles/fy2026/").content.decode()
    assert len(re.findall(r"data-quarter=", page)) == 6
    assert len(re.findall(r"data-aligned=", page)) == 7
