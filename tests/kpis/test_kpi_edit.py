"""Editing a KPI's definition: owners and admins, validated, never a silent
overwrite of someone else's change."""

from __future__ import annotations

import pytest

from drumbeat.kpis.models import KPI
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

EDIT = "/kpis/csat/edit/"


def _form(**changes: str) -> dict[str, str]:
    form = {
        "name": "Customer satisfaction",
        "description": "Share of satisfied survey answers.",
        "unit": "percent",
        "direction": "up",
        "cadence": "weekly",
        "owner_name": "Grace",
        "team": "support",
        "perspective": "customer",
        "tier": "key",
        "north_star": "on",
        "green": "90",
        "red": "80",
        "amber": "",
        "version": "1",
    }
    form.update(changes)
    return form


@pytest.fixture
def owned(small_workspace, users):
    KPI.objects.filter(key="csat").update(owner=users["owner"])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 302),
        ("owner", 302),
        ("editor", 403),
        ("viewer", 403),
        ("outsider", 403),
    ],
)
def test_only_the_owner_and_admins_edit_a_definition(owned, users, role, status):
    response = client_for(users[role]).post(EDIT, _form(green="92"))
    assert response.status_code == status
    assert KPI.objects.get(key="csat").thresholds["green"] == (
        92 if status == 302 else 90
    )


def test_an_edit_is_kept_in_history_with_who(owned, users):
    client_for(users["owner"]).post(EDIT, _form(green="92"))
    csat = KPI.objects.get(key="csat")
    latest = csat.history.order_by("-history_date").first()
    assert latest is not None
    assert latest.history_user == users["owner"]
    assert (csat.version, csat.updated_by) == (2, users["owner"])


def test_a_stale_form_is_refused_with_who_changed_it_and_when(owned, users):
    client_for(users["admin"]).post(EDIT, _form(green="92"))  # version 1 → 2
    response = client_for(users["owner"]).post(EDIT, _form(green="95"))  # still 1
    assert response.status_code == 400
    page = response.content.decode()
    assert "Changed by admin at " in page
    assert "since you opened it" in page
    assert KPI.objects.get(key="csat").thresholds["green"] == 92
    assert 'value="95"' in page  # what was typed is kept


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"green": "70"},
            "for an up KPI the green threshold must be above the red one",
        ),
        ({"green": "lots"}, "Enter a number, or low, high for a band."),
        (
            {"direction": "range"},
            "a range KPI&#x27;s green threshold is a band [low, high]",
        ),
        ({"name": ""}, "This field is required."),
    ],
)
def test_a_bad_definition_is_refused_beside_the_field(owned, users, changes, message):
    response = client_for(users["owner"]).post(EDIT, _form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert KPI.objects.get(key="csat").version == 1


def test_the_edit_form_opens_with_the_current_definition(owned, users):
    page = client_for(users["owner"]).get(EDIT).content.decode()
    assert 'value="90"' in page
    assert 'name="version" value="1"' in page
