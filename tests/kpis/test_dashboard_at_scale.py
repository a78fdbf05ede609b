"""The dashboard above `DASHBOARD_OPEN_LIMIT` KPIs: the exceptions open, the
perspectives collapsed with their counts, each loaded (and paged) when opened."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.kpis.models import KPI, KPIStatus
from drumbeat.kpis.selectors import DASHBOARD_OPEN_LIMIT, TILES_PER_PAGE
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

ROLES = ["admin", "editor", "owner", "viewer", "outsider"]


def _kpis(count: int, *, perspective: str = "customer", start: int = 0) -> None:
    """`count` KPIs with a stored status, in bulk: every third red, every fifth
    stale, the rest green."""
    kpis = KPI.objects.bulk_create(
        KPI(
            key=f"bulk-{n}",
            name=f"Bulk {n}",
            direction="up",
            tier="secondary",
            perspective=perspective,
            position=n,
        )
        for n in range(start, start + count)
    )
    KPIStatus.objects.bulk_create(
        KPIStatus(
            kpi=kpi,
            as_of=dt.date(2026, 11, 25),
            latest_value=float(n),
            latest_day=dt.date(2026, 11, 24),
            health="red" if n % 3 == 0 else "green",
            threshold_health="green",
            stale=n % 5 == 0,
            lifecycle="watch",
            sparkline={"values": [1.0, 2.0], "dates": ["2026-11-23", "2026-11-24"]},
        )
        for n, kpi in enumerate(kpis, start=start)
    )


def _page(user, url: str, **headers: str) -> str:
    response = client_for(user).get(url, headers=headers)
    assert response.status_code == 200, response.content
    return response.content.decode()


def test_up_to_the_limit_every_tile_is_shown_open(users):
    _kpis(DASHBOARD_OPEN_LIMIT)
    page = _page(users["viewer"], "/")
    assert page.count('<article class="tile') == DASHBOARD_OPEN_LIMIT
    assert "data-collapsed" not in page


def test_above_the_limit_perspectives_collapse_with_their_counts(users):
    _kpis(70, perspective="customer")
    _kpis(5, perspective="financial", start=70)
    page = _page(users["viewer"], "/")
    assert "data-collapsed" in page
    customer = page[page.index('<details class="perspective customer"') :]
    customer = customer[: customer.index("</summary>")]
    # 70 KPIs: n % 3 == 0 red (24 of them), the rest green; n % 5 == 0 stale (14).
    assert "70 KPIs:" in customer
    assert '<span class="count red">24 Red</span>' in customer
    assert '<span class="count green">46 Green</span>' in customer
    assert '<span class="count stale">14 stale</span>' in customer
    # Collapsed perspectives carry a link to their tiles, not the tiles.
    assert 'hx-trigger="toggle once"' in customer
    assert 'href="/dashboard/customer/"' in page[page.index(customer) :]


def test_above_the_limit_the_exceptions_are_open_first(users):
    _kpis(75)
    page = _page(users["viewer"], "/")
    exceptions = page[page.index('data-section="exceptions"') :]
    exceptions = exceptions[: exceptions.index("</section>")]
    # Red or stale: n % 3 == 0 or n % 5 == 0 of 0..74 → 35 of them.
    assert "(35 red, amber or stale)" in exceptions
    assert exceptions.count('<article class="tile') == TILES_PER_PAGE
    assert 'data-kpi="bulk-0"' in exceptions
    assert 'data-kpi="bulk-1"' not in exceptions  # green and fresh
    assert 'hx-get="/dashboard/exceptions/?page=2"' in exceptions
    assert page.count('<article class="tile') == TILES_PER_PAGE  # no other tile


def test_a_collapsed_perspective_loads_its_tiles_a_page_at_a_time(users):
    _kpis(TILES_PER_PAGE + 5)
    first = _page(users["viewer"], "/dashboard/customer/", **{"HX-Request": "true"})
    assert "<html" not in first
    assert first.count('<article class="tile') == TILES_PER_PAGE
    assert 'hx-get="/dashboard/customer/?page=2"' in first
    second = _page(
        users["viewer"], "/dashboard/customer/?page=2", **{"HX-Request": "true"}
    )
    assert second.count('<article class="tile') == 5
    assert "Show more" not in second


def test_the_section_keeps_the_dashboard_filters(users):
    _kpis(140)  # 65 of them red or stale: more than the limit
    page = _page(users["viewer"], "/?exceptions=1")
    assert 'href="/dashboard/customer/?exceptions=1"' in page
    last = _page(users["viewer"], "/dashboard/customer/?exceptions=1&page=3")
    assert last.count('<article class="tile') == 65 - 2 * TILES_PER_PAGE


def test_without_javascript_a_section_is_a_page_of_its_own(users):
    _kpis(70)
    page = _page(users["viewer"], "/dashboard/customer/")
    assert "<html" in page
    assert "Back to the Balanced Dashboard" in page
    assert 'href="/dashboard/customer/?page=2"' in page


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_opens_a_section(users, role):
    _kpis(3)
    page = _page(users[role], "/dashboard/customer/", **{"HX-Request": "true"})
    assert 'data-kpi="bulk-1"' in page


def test_anonymous_visitors_are_sent_to_sign_in_from_a_section(db):
    response = client_for(None).get("/dashboard/customer/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_an_unknown_section_is_not_found_and_a_bad_page_says_which_field(users):
    client = client_for(users["viewer"])
    assert client.get("/dashboard/nope/").status_code == 404
    response = client.get("/dashboard/customer/?page=two")
    assert response.status_code == 400
    assert "page:" in response.content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/", "/dashboard/customer/", "/dashboard/exceptions/"])
def test_collapsed_pages_run_the_same_queries_whatever_the_number_of_kpis(users, url):
    client = client_for(users["viewer"])
    _kpis(DASHBOARD_OPEN_LIMIT + 1)
    few = _queries(client, url)
    _kpis(2 * TILES_PER_PAGE, start=DASHBOARD_OPEN_LIMIT + 1)
    many = _queries(client, url)
    assert few == many
