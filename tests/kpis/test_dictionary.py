"""The KPI dictionary and a KPI's definition history."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import SMALL, client_for

pytestmark = pytest.mark.django_db


def test_the_dictionary_lists_every_kpi_in_one_compact_row(small_workspace, users):
    page = client_for(users["viewer"]).get("/kpis/").content.decode()
    assert 'data-kpi="csat"' in page
    assert 'data-kpi="churn"' in page
    row = page[page.index('<tr data-kpi="csat">') :]
    row = row[: row.index("</tr>")]
    cells = [cell.split(">", 1)[1].split("<", 1)[0] for cell in row.split("<td")[3:9]]
    assert cells == ["Grace", "Support", "customer", "key", "weekly", "percent"]


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("q=satisf", "csat", "churn"),  # by definition and name
        ("q=CHURN", "churn", "csat"),  # by key, any case
        ("tier=key", "csat", "churn"),
        ("perspective=financial", "churn", "csat"),
    ],
)
def test_the_dictionary_searches_and_filters(
    small_workspace, users, query, shown, hidden
):
    page = client_for(users["viewer"]).get(f"/kpis/?{query}").content.decode()
    assert f'data-kpi="{shown}"' in page
    assert f'data-kpi="{hidden}"' not in page


def test_the_dictionary_search_updates_rows_only_with_htmx(small_workspace, users):
    response = client_for(users["viewer"]).get(
        "/kpis/?q=churn", headers={"HX-Request": "true"}
    )
    assert response.content.decode().lstrip().startswith('<div id="rows"')


def test_the_dictionary_runs_constant_queries(users):
    client = client_for(users["viewer"])
    counts = []
    for text in (
        SMALL,
        SMALL.replace("  - key: churn", "  - key: nps\n    name: NPS\n  - key: churn"),
    ):
        workspace_apply(load_workspace_text(text))
        with CaptureQueriesContext(connection) as queries:
            client.get("/kpis/")
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_kpi_page_shows_who_changed_the_definition_and_what(small_workspace, users):
    workspace_apply(
        load_workspace_text(
            SMALL.replace("{green: 90, red: 80}", "{green: 92, red: 80}")
        )
    )
    page = client_for(users["viewer"]).get("/kpis/csat/").content.decode()
    history = page[page.index("Definition history") : page.index(">Readings</h2>")]
    assert "thresholds" in history
    assert "created" in history
