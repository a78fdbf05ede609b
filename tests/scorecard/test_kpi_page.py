"""A KPI's page: the key results that read it, its readings history with the
corrections and paging, its chart's data, and a cost that does not grow with the
history or the KRs."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.services.readings import reading_record
from drumbeat.okrs.models import Cycle, KeyResult, Objective
from drumbeat.scorecard.closing import cycle_close
from tests.conftest import client_for, words

pytestmark = pytest.mark.django_db


def q4_key_results(count: int, kpi_key: str = "csat") -> Objective:
    """An objective of the running cycle (2026-Q4) with `count` KRs on the KPI."""
    cycle, _ = Cycle.objects.get_or_create(
        key="2026-Q4",
        defaults={"start": dt.date(2026, 10, 1), "end": dt.date(2026, 12, 31)},
    )
    objective = Objective.objects.create(
        key=f"q4-{kpi_key}-{count}", title="Delight every caller", cycle=cycle
    )
    for position in range(count):
        KeyResult.objects.create(
            objective=objective,
            key=f"kr-{position}",
            kpi_key=kpi_key,
            kind="sustain" if position else "change",
            target=96,
            owner_name="Maya Chen",
            position=position,
        )
    return objective


def daily_readings(kpi: KPI, count: int, last: dt.date = dt.date(2026, 11, 20)) -> None:
    Reading.objects.bulk_create(
        Reading(
            kpi=kpi,
            at=(last - dt.timedelta(days=n)).isoformat(),
            day=last - dt.timedelta(days=n),
            value=80.0 + n % 7,
            source="import",
        )
        for n in range(count)
    )


def rows(page: str, marker: str) -> list[str]:
    return re.findall(rf'{marker}="([^"]+)"', page)


def chart_of(page: str) -> dict[str, Any]:
    found = re.search(r'data-xmr-chart="([^"]*)"', page)
    assert found is not None
    chart: dict[str, Any] = json.loads(unescape(found.group(1)))
    return chart


# --- Key results on this KPI -------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in_from_a_kpi_page(small_workspace):
    response = Client().get("/kpis/csat/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_everyone_signed_in_sees_the_key_results_on_a_kpi(small_workspace, users, role):
    page = client_for(users[role]).get("/kpis/csat/").content.decode()
    assert "Key results on this KPI" in page
    assert rows(page, "data-key-result") == ["happier/csat-up"]
    assert 'href="/objectives/happier/#kr-csat-up"' in page


def test_key_results_of_the_running_cycle_come_first_then_newest_cycle_first(
    small_workspace, users
):
    q4_key_results(2)
    page = client_for(users["viewer"]).get("/kpis/csat/").content.decode()
    assert rows(page, "data-key-result") == [
        "q4-csat-2/kr-0",
        "q4-csat-2/kr-1",
        "happier/csat-up",
    ]
    section = page[
        page.index('id="key-results"') : page.index(
            "</section>", page.index('id="key-results"')
        )
    ]
    assert "sustain" in section
    assert "change" in section
    assert "Maya Chen" in section
    assert "2026-Q4</a> <small>active" in section


def test_archived_key_results_are_left_out_of_the_kpi_page(small_workspace, users):
    objective = q4_key_results(2)
    KeyResult.objects.filter(objective=objective, key="kr-1").update(
        archived_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    page = client_for(users["viewer"]).get("/kpis/csat/").content.decode()
    assert rows(page, "data-key-result") == ["q4-csat-2/kr-0", "happier/csat-up"]


def test_a_closed_cycles_key_result_shows_its_final_grade(small_workspace, users):
    cycle_close(cycle=Cycle.objects.get(key="2026-Q3"), by=users["admin"])
    page = client_for(users["viewer"]).get("/kpis/csat/").content.decode()
    section = page[page.index('id="key-results"') :]
    assert "2026-Q3</a> <small>closed" in section
    assert "final " in section
    assert "data-frozen" in section


def test_a_kpi_no_key_result_reads_says_so(small_workspace, users):
    KeyResult.objects.all().delete()
    page = client_for(users["viewer"]).get("/kpis/csat/").content.decode()
    assert "No key result reads this KPI." in page


# --- Readings: corrections and paging ----------------------------------------------


def test_a_corrected_value_is_struck_through_with_who_corrected_it_and_when(
    small_workspace, users
):
    kpi = KPI.objects.get(key="csat")
    reading_record(kpi=kpi, at=dt.date(2026, 7, 3), value=91, by=users["admin"])
    page = client_for(users["viewer"]).get("/kpis/csat/").content.decode()
    row = page[page.index('data-reading="2026-07-03"') :].split("</tr>")[0]
    assert '<td class="num"><del>88</del> 91</td>' in row
    assert re.search(
        r"88 recorded [\d-]+ [\d:]+ UTC, corrected [\d-]+ [\d:]+ UTC by admin",
        words(row),
    )
    assert (
        "<del>" not in page[page.index('data-reading="2026-06-26"') :].split("</tr>")[0]
    )


def test_readings_come_fifty_a_page_newest_first_with_links_to_older_ones(
    small_workspace, users
):
    kpi = KPI.objects.get(key="churn")
    daily_readings(kpi, 119)  # and the one the workspace has: 120
    client = client_for(users["viewer"])
    first = client.get("/kpis/churn/").content.decode()
    shown = rows(first, "data-reading")
    assert len(shown) == 50
    assert shown[0] == "2026-11-20"
    assert shown == sorted(shown, reverse=True)
    assert "page 1 of 3" in first
    assert 'href="?page=2#readings"' in first
    last = client.get("/kpis/churn/?page=3").content.decode()
    assert len(rows(last, "data-reading")) == 20
    assert rows(last, "data-reading")[-1] == "2026-06-30"
    assert 'href="?page=2#readings"' in last
    assert "?page=4" not in last


@pytest.mark.parametrize(("asked", "shown"), [("abc", 1), ("0", 3), ("99", 3)])
def test_a_page_number_that_is_not_one_shows_a_page_not_an_error(
    small_workspace, users, asked, shown
):
    daily_readings(KPI.objects.get(key="churn"), 119)
    response = client_for(users["viewer"]).get(f"/kpis/churn/?page={asked}")
    assert response.status_code == 200
    assert f"page {shown} of 3" in response.content.decode()


def test_htmx_paging_swaps_the_readings_table_alone(small_workspace, users):
    daily_readings(KPI.objects.get(key="churn"), 119)
    response = client_for(users["viewer"]).get(
        "/kpis/churn/?page=2", headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="readings"')
    assert "<html" not in page
    assert "Key results on this KPI" not in page
    assert len(rows(page, "data-reading")) == 50


# --- Cost ------------------------------------------------------------------------


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_kpi_page_runs_the_same_queries_whatever_its_history(
    small_workspace, users
):
    client = client_for(users["viewer"])
    kpi = KPI.objects.get(key="churn")
    daily_readings(kpi, 10)
    short = queries_for(client, "/kpis/churn/")
    Reading.objects.filter(kpi=kpi, source="import").delete()
    daily_readings(kpi, 130)
    reading_record(kpi=kpi, at=dt.date(2026, 11, 20), value=3, by=users["admin"])
    assert queries_for(client, "/kpis/churn/") == short
    assert queries_for(client, "/kpis/churn/?page=5") == short


def test_the_kpi_page_runs_the_same_queries_with_one_or_five_key_results(
    small_workspace, users
):
    client = client_for(users["viewer"])
    q4_key_results(1, kpi_key="churn")
    one = queries_for(client, "/kpis/churn/")
    KeyResult.objects.filter(kpi_key="churn").delete()
    q4_key_results(5, kpi_key="churn")
    assert queries_for(client, "/kpis/churn/") == one


# --- The chart ------------------------------------------------------------------


def test_the_chart_draws_one_band_per_cycle_with_a_line_per_key_result(
    small_workspace, users
):
    q4_key_results(2)
    page = client_for(users["viewer"]).get("/kpis/csat/").content.decode()
    cycles = chart_of(page)["cycles"]
    assert [band["key"] for band in cycles] == ["2026-Q3", "2026-Q4"]
    assert len(cycles[1]["key_results"]) == 2
    assert {kr["target"] for kr in cycles[1]["key_results"]} == {96}


def test_the_chart_sends_the_last_year_and_more_on_demand_thinned(
    small_workspace, users
):
    kpi = KPI.objects.get(key="churn")
    Reading.objects.filter(kpi=kpi).delete()
    daily_readings(kpi, 1500)  # from 2022-10-13 to 2026-11-20
    client = client_for(users["viewer"])
    page = client.get("/kpis/churn/").content.decode()
    chart = chart_of(page)
    assert chart["dates"][0] == "2025-11-25"
    assert chart["dates"][-1] == "2026-11-20"
    assert len(chart["dates"]) == len(chart["values"]) == 361
    assert 'href="?since=2022-10-13"' in page
    every = chart_of(client.get("/kpis/churn/?since=2022-10-13").content.decode())
    # The latest 400 each; before them the lowest and highest of each week.
    assert "2022-10-13" <= every["dates"][0] <= "2022-10-16"
    assert every["dates"][-400] == "2025-10-17"
    assert len(every["dates"]) == 400 + 2 * 158  # 156 weeks and two parts
    assert every["dates"] == sorted(every["dates"])
    assert every["window_start"] is None


def test_a_since_that_is_not_a_day_says_so_and_shows_the_last_year(
    small_workspace, users
):
    response = client_for(users["viewer"]).get("/kpis/csat/?since=last-year")
    assert response.status_code == 200
    assert (
        "since: &#x27;last-year&#x27; is not a day (YYYY-MM-DD)"
        in response.content.decode()
    )


def test_the_chart_finds_the_signals_of_its_window_as_in_the_whole_history(
    small_workspace, users
):
    """A run below the mean that starts before the window ends inside it: rule 3
    marks the point it ends on, as the whole history's chart would."""
    kpi = KPI.objects.get(key="churn")
    Reading.objects.filter(kpi=kpi).delete()
    daily_readings(kpi, 900)
    since = dt.date(2026, 11, 20) - dt.timedelta(days=100)
    # Eight days below the mean, the first five before the window.
    Reading.objects.filter(
        kpi=kpi,
        day__gte=since - dt.timedelta(days=5),
        day__lt=since + dt.timedelta(days=3),
    ).update(value=50)
    client = client_for(users["viewer"])
    window = chart_of(client.get(f"/kpis/churn/?since={since}").content.decode())
    whole = chart_of(client.get("/kpis/churn/?since=2020-01-01").content.decode())

    def dated(chart: dict[str, Any]) -> set[tuple[str, int]]:
        return {(chart["dates"][s["index"]], s["rule"]) for s in chart["signals"]}

    assert (str(since + dt.timedelta(days=2)), 3) in dated(window)
    assert dated(window) == {
        (day, rule) for day, rule in dated(whole) if day >= str(since)
    }


def test_a_kpi_read_monthly_shows_its_latest_64_readings_not_a_years_dozen(
    small_workspace, users
):
    kpi = KPI.objects.get(key="churn")
    Reading.objects.filter(kpi=kpi).delete()
    months = [dt.date(2018 + n // 12, n % 12 + 1, 1) for n in range(100)]
    Reading.objects.bulk_create(
        Reading(
            kpi=kpi, at=day.isoformat(), day=day, value=2.0 + n % 3 / 10, source="api"
        )
        for n, day in enumerate(months)
    )
    page = client_for(users["viewer"]).get("/kpis/churn/").content.decode()
    chart = chart_of(page)
    assert chart["dates"] == [day.isoformat() for day in months[-64:]]
    assert chart["window_start"] == months[-64].isoformat()
