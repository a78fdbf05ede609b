"""The KPI edit form covers every field of the workspace format's KPI: team,
tier, perspective, indicator, benchmarks, drives and the process baseline, each
save a definition version with who; a cycle of drives is refused by name."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.accounts.models import Team
from drumbeat.kpis.models import KPI
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

EDIT = "/kpis/churn/edit/"


def _form(**changes: str | list[str]) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {
        "name": "Logo churn",
        "description": "Customers lost in the month.",
        "unit": "percent",
        "direction": "down",
        "cadence": "monthly",
        "owner_name": "",
        "team": "support",
        "perspective": "financial",
        "tier": "secondary",
        "indicator": "",
        "green": "1.5",
        "red": "2",
        "amber": "",
        "industry": "",
        "best_in_class": "",
        "drives": [],
        "spc_baseline_start": "",
        "spc_baseline_end": "",
        "version": "1",
    }
    form.update(changes)
    return form


def test_the_edit_form_offers_every_field_of_the_format(small_workspace, users):
    page = client_for(users["admin"]).get(EDIT).content.decode()
    for name in (
        "team",
        "perspective",
        "tier",
        "indicator",
        "north_star",
        "financial",
        "industry",
        "best_in_class",
        "drives",
        "spc_baseline_start",
        "spc_baseline_end",
    ):
        assert f'name="{name}"' in page
    assert '<option value="csat">Customer satisfaction (csat)</option>' in page
    assert '<option value="churn">' not in page  # not itself


def test_the_edit_form_saves_each_field(small_workspace, users):
    Team.objects.create(key="finance", name="Finance")
    response = client_for(users["admin"]).post(
        EDIT,
        _form(
            team="finance",
            perspective="customer",
            tier="key",
            indicator="leading",
            north_star="on",
            financial="on",
            industry="2.5",
            best_in_class="0.8",
            drives=["csat"],
            spc_baseline_start="2026-01-01",
            spc_baseline_end="2026-06-30",
        ),
    )
    assert response.status_code == 302
    churn = KPI.objects.select_related("team").get(key="churn")
    assert churn.team is not None
    assert churn.team.key == "finance"
    assert (churn.perspective, churn.tier, churn.indicator) == (
        "customer",
        "key",
        "leading",
    )
    assert (churn.north_star, churn.financial) == (True, True)
    assert churn.benchmarks == {"industry": 2.5, "best_in_class": 0.8}
    assert churn.drives == ["csat"]
    assert (churn.spc_baseline_start, churn.spc_baseline_end) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
    )
    latest = churn.history.order_by("-history_date").first()
    assert latest is not None
    assert latest.history_user == users["admin"]


def test_the_edit_form_opens_with_what_is_stored(small_workspace, users):
    KPI.objects.filter(key="churn").update(
        drives=["csat"], benchmarks={"industry": 2.5}, indicator="leading"
    )
    page = client_for(users["admin"]).get(EDIT).content.decode()
    assert '<option value="csat" selected>' in page
    assert 'name="industry" value="2.5"' in page
    assert '<option value="leading" selected>' in page


def test_a_cycle_of_drives_is_refused_naming_it(small_workspace, users):
    KPI.objects.filter(key="csat").update(drives=["churn"])
    response = client_for(users["admin"]).post(EDIT, _form(drives=["csat"]))
    assert response.status_code == 400
    assert "drives back to itself: churn → csat → churn" in response.content.decode()
    assert KPI.objects.get(key="churn").drives == []


def test_a_drive_to_an_unknown_kpi_is_refused(small_workspace, users):
    response = client_for(users["admin"]).post(EDIT, _form(drives=["nope"]))
    assert response.status_code == 400
    assert "Select a valid choice. nope is not one of the available choices." in (
        response.content.decode()
    )


def test_half_a_baseline_is_refused_naming_the_missing_day(small_workspace, users):
    response = client_for(users["admin"]).post(
        EDIT, _form(spc_baseline_start="2026-01-01")
    )
    assert response.status_code == 400
    assert "Give the baseline&#x27;s last day too." in response.content.decode()


def test_a_new_kpi_may_drive_another(small_workspace, users):
    response = client_for(users["admin"]).post(
        "/kpis/new/",
        {**_form(drives=["csat"]), "key": "first-response", "name": "First response"},
    )
    assert response.status_code == 302
    assert KPI.objects.get(key="first-response").drives == ["csat"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 302), ("owner", 302), ("editor", 403), ("viewer", 403)],
)
def test_only_the_owner_and_admins_change_the_new_fields(
    small_workspace, users, role, status
):
    KPI.objects.filter(key="churn").update(owner=users["owner"])
    response = client_for(users[role]).post(EDIT, _form(tier="key"))
    assert response.status_code == status
    assert KPI.objects.get(key="churn").tier == (
        "key" if status == 302 else "secondary"
    )


def test_the_live_check_names_a_drives_cycle_once(small_workspace, users):
    KPI.objects.filter(key="csat").update(drives=["churn"])
    response = client_for(users["admin"]).post(
        "/kpis/lint/?kpi=churn", _form(drives=["csat"])
    )
    page = response.content.decode()
    assert page.count("drives back to itself") == 1
    assert "drives back to itself: csat → churn → csat" in page
