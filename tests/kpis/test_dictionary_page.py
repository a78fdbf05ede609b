"""The dictionary's search by owner and team, its lifecycle and health filters,
and its pages of 50 KPIs in a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.accounts.models import Team
from drumbeat.kpis.models import KPI, KPIStatus
from drumbeat.kpis.selectors import DICTIONARY_PAGE_SIZE, DictionaryFilters
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _page(users, query: str = "", role: str = "viewer") -> str:
    response = client_for(users[role]).get(f"/kpis/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def _shown(page: str) -> set[str]:
    return {key for key in ("csat", "churn") if f'data-kpi="{key}"' in page}


def _more_kpis(count: int) -> None:
    """`count` more KPIs, each with a status, as the dictionary lists them."""
    team = Team.objects.get(key="support")
    kpis = KPI.objects.bulk_create(
        KPI(
            key=f"extra-{number:04}",
            name=f"Extra {number}",
            direction="up",
            tier="secondary",
            team=team,
            position=100 + number,
        )
        for number in range(count)
    )
    KPIStatus.objects.bulk_create(
        KPIStatus(
            kpi=kpi,
            as_of=dt.date(2026, 11, 25),
            health="green",
            threshold_health="green",
            lifecycle="watch",
        )
        for kpi in kpis
    )


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("q=Grace", {"csat"}),  # the owner as the file names her
        ("q=grace", {"csat"}),
        ("q=support", {"csat", "churn"}),  # the team's key or name
        ("q=Logo+churn", {"churn"}),  # every word of the name
        ("q=Grace+churn", set()),
        ("q=nobody", set()),
    ],
)
def test_the_dictionary_search(small_workspace, users, query, shown):
    assert _shown(_page(users, query)) == shown


def test_the_search_finds_an_owner_by_the_account_s_full_name(small_workspace, users):
    users["owner"].first_name, users["owner"].last_name = "Ada", "Lovelace"
    users["owner"].save()
    KPI.objects.filter(key="churn").update(owner=users["owner"], owner_name="")
    assert _shown(_page(users, "q=Ada+Lovelace")) == {"churn"}
    assert _shown(_page(users, "q=owner")) == {"churn"}  # the username


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("health=green", {"csat"}),
        ("health=red", {"churn"}),
        ("lifecycle=watch", {"csat"}),
        ("lifecycle=at_risk", set()),
        ("health=purple", {"csat", "churn"}),  # unknown: no filter
    ],
)
def test_the_lifecycle_and_health_filters(small_workspace, users, query, shown):
    KPIStatus.objects.filter(kpi__key="csat").update(health="green", lifecycle="watch")
    KPIStatus.objects.filter(kpi__key="churn").update(
        health="red", lifecycle="okr_target"
    )
    assert _shown(_page(users, query)) == shown


def test_the_dictionary_shows_fifty_kpis_a_page(small_workspace, users):
    _more_kpis(60)
    first = _page(users)
    assert first.count("<tr data-kpi=") == DICTIONARY_PAGE_SIZE
    assert "KPIs 1–50 of 62" in first
    assert 'href="?page=2" rel="next"' in first
    second = _page(users, "page=2")
    assert second.count("<tr data-kpi=") == 12
    assert "page 2 of 2" in second
    assert 'href="?page=1" rel="prev"' in second


def test_a_page_link_keeps_the_filters(small_workspace, users):
    _more_kpis(60)
    page = _page(users, "q=extra&tier=secondary")
    assert 'href="?q=extra&amp;tier=secondary&amp;page=2"' in page


@pytest.mark.parametrize("page", ["0", "99", "two"])
def test_a_page_out_of_range_shows_the_nearest(small_workspace, users, page):
    assert "<tr data-kpi=" in _page(users, f"page={page}")


def test_a_page_costs_the_same_queries_however_many_kpis(small_workspace, users):
    client = client_for(users["viewer"])
    counts = []
    for more in (0, 120):
        _more_kpis(more)
        client.get("/kpis/")  # the session is read once
        with CaptureQueriesContext(connection) as queries:
            client.get("/kpis/?q=e&page=2")
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_filters_read_back_as_the_query_they_came_from():
    filters = DictionaryFilters.from_query(
        {"q": " Grace ", "tier": "key", "health": "red", "lifecycle": "bogus"}
    )
    assert filters.query() == "q=Grace&tier=key&health=red"


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_everyone_signed_in_reads_the_dictionary(small_workspace, users, role):
    page = _page(users, role=role)
    assert ("New KPI" in page) is (role == "admin")


def test_the_dictionary_asks_anonymous_people_to_sign_in(small_workspace):
    assert client_for(None).get("/kpis/").status_code == 302
