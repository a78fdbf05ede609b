"""Archiving a KPI: off the dashboard, the dictionary and lint, its history kept
and its page still reachable, by its owner and admins only."""

from __future__ import annotations

import pytest
from django.test import Client

from drumbeat.audit.models import Event
from drumbeat.kpis.models import KPI
from drumbeat.kpis.services import kpi_archive, kpi_restore
from drumbeat.okrs.models import LintFinding
from drumbeat.scorecard.selectors import database_workspace
from drumbeat.scorecard.services import statuses_refresh
from tests.conftest import client_for
from tests.server.test_api import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(small_workspace, users):
    """csat is owned by `owner`."""
    KPI.objects.filter(key="csat").update(owner=users["owner"])


def _archived(users) -> None:
    kpi_archive(kpi=KPI.objects.get(key="csat"), by=users["admin"], reason="retired")


def test_an_archived_kpi_leaves_the_dashboard_and_the_dictionary(owned, users):
    _archived(users)
    client = client_for(users["viewer"])
    assert 'data-kpi="csat"' not in client.get("/").content.decode()
    assert 'data-kpi="csat"' not in client.get("/kpis/").content.decode()
    shown = client.get("/kpis/?archived=1").content.decode()
    assert 'data-kpi="csat"' in shown
    assert "archived</span>" in shown


def test_an_archived_kpi_leaves_lint_and_the_core_workspace(owned, users):
    statuses_refresh()
    assert LintFinding.objects.filter(kpi_key="csat").exists()
    _archived(users)
    assert "csat" not in database_workspace().kpi_by_key
    assert not LintFinding.objects.filter(kpi_key="csat").exists()


def test_an_archived_kpi_is_reachable_by_its_url_with_who_archived_it(owned, users):
    _archived(users)
    page = client_for(users["owner"]).get("/kpis/csat/").content.decode()
    assert "Archived on 2026-11-25 by admin." in page
    assert ">Restore</button>" in page


def test_archiving_and_restoring_are_kept_in_the_log(owned, users):
    _archived(users)
    kpi_restore(kpi=KPI.objects.get(key="csat"), by=users["owner"])
    events = Event.objects.filter(subject="csat").order_by("at", "pk")
    assert [(e.action, e.actor_name, e.summary) for e in events] == [
        ("archived", "admin", "retired"),
        ("restored", "owner", ""),
    ]
    assert KPI.objects.get(key="csat").archived is False


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 302), ("owner", 302), ("editor", 403), ("viewer", 403)],
)
def test_only_the_owner_and_admins_archive_from_the_page(owned, users, role, status):
    response = client_for(users[role]).post("/kpis/csat/archive/")
    assert response.status_code == status
    assert KPI.objects.get(key="csat").archived is (status == 302)


def test_anonymous_visitors_cannot_archive(owned):
    response = Client().post("/kpis/csat/archive/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
    assert KPI.objects.get(key="csat").archived is False


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("owner", 200), ("editor", 403), ("viewer", 403)],
)
def test_only_the_owner_and_admins_archive_through_the_api(owned, users, role, status):
    response = bearer(users[role], "admin").post("/api/v1/kpis/csat/archive")
    assert response.status_code == status
    if status == 200:
        assert response.json()["archived_at"].startswith("2026-11-25")
    else:
        assert response.json()["error"]["message"] == (
            "Only the KPI's owner or an admin archives or restores it."
        )


def test_the_api_restores_and_lists_archived_kpis_only_when_asked(owned, users):
    _archived(users)
    client = bearer(users["owner"], "admin")
    listed = client.get("/api/v1/kpis").json()["items"]
    assert [k["key"] for k in listed] == ["churn"]
    every = client.get("/api/v1/kpis?archived=true").json()["items"]
    assert sorted(k["key"] for k in every) == ["churn", "csat"]
    response = client.post("/api/v1/kpis/csat/restore")
    assert response.status_code == 200
    assert response.json()["archived_at"] is None


def test_archiving_an_unknown_kpi_is_a_404(owned, users):
    response = bearer(users["admin"], "admin").post("/api/v1/kpis/nope/archive")
    assert response.status_code == 404
