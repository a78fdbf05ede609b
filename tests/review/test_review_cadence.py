"""Review cadence on the KPI review agenda (pinned clock: Wednesday 2026-11-25), and
a year containing its quarters kept in the database."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from drumbeat.core.rhythm import kpi_review
from drumbeat.kpis.models import KPI
from drumbeat.okrs.models import Cycle
from drumbeat.review.selectors import kpi_agenda
from drumbeat.scorecard.selectors import database_workspace
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import client_for, words
from tests.review.agenda_fixtures import agenda_text, agenda_workspace
from tests.server.test_api import bearer
from tests.workspace.test_containing_cycles import FILE as YEAR_AND_QUARTER

__all__ = ["agenda_workspace"]


def test_a_green_kpi_comes_up_in_the_first_week_of_its_review_period(
    agenda_workspace: dict[str, KPI], users: dict[str, User]
) -> None:
    KPI.objects.filter(key="fine").update(review_cadence="monthly")
    assert kpi_agenda(users["viewer"]).periodic == []  # 25 November: day 25
    december = kpi_agenda(users["viewer"], today=dt.date(2026, 12, 2))
    assert [kpi.key for kpi in december.periodic] == ["fine"]
    assert december.green == 1


def test_an_at_risk_kpi_is_proposed_a_more_frequent_review(
    agenda_workspace: dict[str, KPI], users: dict[str, User]
) -> None:
    KPI.objects.filter(key="red-key").update(review_cadence="monthly")  # read weekly
    items = {item.kpi.key: item for item in kpi_agenda(users["viewer"]).items}
    assert items["red-key"].reasons == (
        "red on its thresholds: latest reading 75",
        "increase monitoring frequency: review it weekly, not monthly",
    )
    # Stale only is not at risk: no proposal.
    KPI.objects.filter(key="stale").update(review_cadence="monthly")
    items = {item.kpi.key: item for item in kpi_agenda(users["viewer"]).items}
    assert items["stale"].reasons == ("no reading for 24 days; weekly KPI",)


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_the_agenda_page_names_the_kpis_up_for_their_periodic_review(
    agenda_workspace: dict[str, KPI], users: dict[str, User], role: str
) -> None:
    KPI.objects.filter(key="fine").update(review_cadence="weekly")
    client = Client()
    client.force_login(users[role])
    page = client.get(reverse("kpi-review")).content.decode()
    assert "Up for their periodic review" in page
    assert 'href="/kpis/fine/"' in page


def test_anonymous_is_sent_to_sign_in(agenda_workspace: dict[str, KPI]) -> None:
    response = Client().get(reverse("kpi-review"))
    assert response.status_code == 302


def test_a_year_and_its_quarters_round_trip_through_the_database(db: None) -> None:
    workspace_apply(load_workspace_text(YEAR_AND_QUARTER))
    quarter = Cycle.objects.get(key="2027-q1")
    assert quarter.parent is not None
    assert quarter.parent.key == "fy2027"
    assert KPI.objects.get(key="dau").review_cadence == "quarterly"
    workspace = database_workspace()
    core_quarter = workspace.cycle_by_key["2027-q1"]
    assert workspace.containing_cycle(core_quarter) == workspace.cycle_by_key["fy2027"]
    assert workspace.kpi_by_key["dau"].review_cadence == "quarterly"


def test_an_archived_year_leaves_its_quarters_standing_alone(db: None) -> None:
    workspace_apply(load_workspace_text(YEAR_AND_QUARTER))
    Cycle.objects.filter(key="fy2027").update(archived_at=dt.datetime.now(dt.UTC))
    workspace = database_workspace()
    assert workspace.cycle_by_key["2027-q1"].parent is None


def test_the_api_reads_and_changes_a_review_cadence(
    agenda_workspace: dict[str, KPI], users: dict[str, User]
) -> None:
    client = bearer(users["admin"], "admin")
    kpi = KPI.objects.get(key="fine")
    changed = client.patch(
        "/api/v1/kpis/fine",
        json.dumps({"version": kpi.version, "review_cadence": "monthly"}),
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert changed.json()["review_cadence"] == "monthly"
    refused = client.patch(
        "/api/v1/kpis/fine",
        json.dumps({"version": kpi.version + 1, "review_cadence": "often"}),
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert "review_cadence" in refused.content.decode()


def test_periodic_reviews_cost_no_query_more_with_more_kpis(
    agenda_workspace: dict[str, KPI], users: dict[str, User]
) -> None:
    KPI.objects.update(review_cadence="weekly")
    small = _agenda_queries(users)
    workspace_apply(load_workspace_text(agenda_text(3)))
    KPI.objects.update(review_cadence="weekly")
    assert KPI.objects.count() == 21
    page, queries = _agenda_page(users)
    assert queries == small
    assert page.count('href="/kpis/fine') == 3  # fine, fine-2, fine-3: green, due


def _agenda_page(users: dict[str, User]) -> tuple[str, int]:
    client = Client()
    client.force_login(users["editor"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("kpi-review"))
    return response.content.decode(), len(queries)


def _agenda_queries(users: dict[str, User]) -> int:
    return _agenda_page(users)[1]


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_the_agenda_page_lists_the_kpis_whose_review_is_not_due(
    agenda_workspace: dict[str, KPI], users: dict[str, User], role: str
) -> None:
    KPI.objects.filter(key="fine").update(review_cadence="quarterly")
    page = words(client_for(users[role]).get(reverse("kpi-review")).content.decode())
    assert (
        "On track, review not due (review cadence): fine (quarterly, next due "
        "2027-01-01)" in page
    )
    assert "1 KPI green" in page  # still counted among the green ones


def test_the_agenda_page_lists_nothing_not_due_without_a_review_cadence(
    agenda_workspace: dict[str, KPI], users: dict[str, User]
) -> None:
    page = client_for(users["viewer"]).get(reverse("kpi-review")).content.decode()
    assert "review not due" not in page


def test_a_kpi_due_for_its_periodic_review_is_not_listed_as_not_due(
    agenda_workspace: dict[str, KPI], users: dict[str, User]
) -> None:
    KPI.objects.filter(key="fine").update(review_cadence="monthly")
    december = kpi_agenda(users["viewer"], today=dt.date(2026, 12, 2))
    assert december.not_due == []
    november = kpi_agenda(users["viewer"])
    assert [(row.kpi.key, row.next_review) for row in november.not_due] == [
        ("fine", dt.date(2026, 12, 1))
    ]


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_the_api_agenda_has_the_not_due_list(
    agenda_workspace: dict[str, KPI], users: dict[str, User], role: str
) -> None:
    KPI.objects.filter(key="fine").update(review_cadence="quarterly")
    data = client_for(users[role]).get("/api/v1/review/kpis").json()
    assert data["not_due"] == [
        {
            "kpi": "fine",
            "name": "fine",
            "review_cadence": "quarterly",
            "next_due": "2027-01-01",
        }
    ]
    assert data["green"] == 1


def test_the_api_agenda_is_refused_without_a_token(
    agenda_workspace: dict[str, KPI],
) -> None:
    assert client_for(None).get("/api/v1/review/kpis").status_code == 401


def test_the_page_and_the_api_list_what_the_cli_lists_as_not_due(
    agenda_workspace: dict[str, KPI], users: dict[str, User]
) -> None:
    KPI.objects.filter(key__in=["fine", "stale", "red-key"]).update(
        review_cadence="quarterly"
    )
    review = kpi_review(database_workspace(), dt.date(2026, 11, 25))
    cli = [status.assessment.kpi.key for status in review.not_due]
    assert cli == ["fine"]  # stale and red-key are exceptions: always reviewed
    api = client_for(users["viewer"]).get("/api/v1/review/kpis").json()
    assert [row["kpi"] for row in api["not_due"]] == cli
