"""The Balanced Dashboard: who sees it, what a tile says, and its constant cost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.kpis.models import KPI
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import SMALL, client_for

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(small_workspace):
    response = client_for(None).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/"


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_everyone_signed_in_reads_the_dashboard(small_workspace, users, role):
    response = client_for(users[role]).get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Balanced Dashboard" in page
    assert 'data-kpi="csat"' in page


def test_a_tile_shows_value_unit_and_health_in_words(small_workspace, users):
    page = client_for(users["viewer"]).get("/").content.decode()
    # churn 2.5 % on a `down` KPI whose red starts at 2: red, said in words.
    churn = page[page.index('data-kpi="churn"') :]
    churn = churn[: churn.index("</article>")]
    assert '2.5 <span class="unit">percent</span>' in churn
    assert '<span class="health red">Red</span>' in churn
    assert "At risk" in churn  # Q3 has closed: red makes it at risk


def test_the_north_star_is_on_top(small_workspace, users):
    page = client_for(users["viewer"]).get("/").content.decode()
    assert (
        page.index("North star")
        < page.index('data-kpi="csat"')
        < page.index("Financial")
    )


def test_exceptions_only_hides_healthy_kpis(small_workspace, users):
    KPI.objects.filter(key="csat").update(north_star=False)
    page = client_for(users["viewer"]).get("/?exceptions=1").content.decode()
    assert 'data-kpi="churn"' in page
    assert 'data-kpi="csat"' in page  # amber at 88 is an exception too
    financial = client_for(users["viewer"]).get("/?exceptions=1&perspective=financial")
    assert 'data-kpi="csat"' not in financial.content.decode()


def test_htmx_filters_return_only_the_tiles(small_workspace, users):
    response = client_for(users["viewer"]).get(
        "/?tier=key", headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="tiles">')
    assert "<html" not in page
    assert 'data-kpi="churn"' not in page


def _more_kpis(count: int) -> str:
    extra = "".join(
        f"  - key: extra-{n}\n    name: Extra {n}\n    perspective: internal\n"
        f"    thresholds: {{green: 10, red: 5}}\n    readings:\n"
        + "".join(
            f"      - {{at: 2026-0{m}-01, value: {m + n}}}\n" for m in range(1, 7)
        )
        for n in range(count)
    )
    return SMALL.replace("cycles:\n", extra + "cycles:\n")


def _queries_for_dashboard(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_dashboard_runs_the_same_queries_whatever_the_number_of_kpis(users):
    client = client_for(users["viewer"])
    workspace_apply(load_workspace_text(_more_kpis(2)))
    few = _queries_for_dashboard(client)
    workspace_apply(load_workspace_text(_more_kpis(40)))
    many = _queries_for_dashboard(client)
    assert KPI.objects.count() == 42
    assert few == many


def test_an_unknown_kpi_gives_a_styled_404(small_workspace, users):
    response = client_for(users["viewer"]).get("/kpis/nope/")
    assert response.status_code == 404


def test_the_kpi_page_lists_readings_with_provenance(small_workspace, users):
    page = client_for(users["viewer"]).get("/kpis/csat/").content.decode()
    assert "Customer satisfaction" in page
    assert "2026-07-03" in page
    assert "apply" in page
