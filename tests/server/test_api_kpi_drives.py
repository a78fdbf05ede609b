"""`drives` and `north_star` through the KPI API: the same rules as the form
(known keys, no cycle), per role; an unknown field is a 422 naming it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from drumbeat.kpis.models import KPI
from tests.server.test_api import bearer, owned, post

pytestmark = pytest.mark.django_db

__all__ = ["owned"]  # the fixture, used by name


def patch(user: Any, key: str, body: dict[str, Any]) -> Any:
    version = KPI.objects.get(key=key).version
    return bearer(user, "admin").patch(
        f"/api/v1/kpis/{key}",
        json.dumps({"version": version, **body}),
        content_type="application/json",
    )


def test_an_admin_creates_a_kpi_that_drives_another(small_workspace, users):
    body = {"key": "nps", "name": "NPS", "drives": ["csat"], "north_star": True}
    made = post(bearer(users["admin"], "admin"), "/api/v1/kpis", body)
    assert made.status_code == 201
    assert (made.json()["drives"], made.json()["north_star"]) == (["csat"], True)
    assert KPI.objects.get(key="nps").drives == ["csat"]


def test_a_new_kpi_driving_an_unknown_key_is_refused(small_workspace, users):
    body = {"key": "nps", "name": "NPS", "drives": ["nope"]}
    refused = post(bearer(users["admin"], "admin"), "/api/v1/kpis", body)
    assert refused.status_code == 422
    assert "nope" in json.dumps(refused.json()["error"]["problems"])
    assert not KPI.objects.filter(key="nps").exists()


def test_an_admin_sets_drives_and_north_star(small_workspace, users):
    response = patch(users["admin"], "churn", {"drives": ["csat"], "north_star": True})
    assert response.status_code == 200
    churn = KPI.objects.get(key="churn")
    assert (churn.drives, churn.north_star, churn.version) == (["csat"], True, 2)
    history = churn.history.order_by("history_date").values_list("drives", flat=True)
    assert list(history) == [[], ["csat"]]


def test_null_drives_clears_them(small_workspace, users):
    patch(users["admin"], "churn", {"drives": ["csat"]})
    assert patch(users["admin"], "churn", {"drives": None}).status_code == 200
    assert KPI.objects.get(key="churn").drives == []


def test_a_drives_cycle_is_refused_with_the_forms_message(small_workspace, users):
    assert patch(users["admin"], "churn", {"drives": ["csat"]}).status_code == 200
    refused = patch(users["admin"], "csat", {"drives": ["churn"]})
    assert refused.status_code == 422
    assert refused.json()["error"]["problems"] == [
        {
            "field": "drives",
            "message": "drives back to itself: csat → churn → csat",
        }
    ]
    assert KPI.objects.get(key="csat").drives == []


def test_a_kpi_cannot_drive_itself(small_workspace, users):
    refused = patch(users["admin"], "csat", {"drives": ["csat"]})
    assert refused.status_code == 422
    assert refused.json()["error"]["problems"][0]["message"] == (
        "drives back to itself: csat → csat"
    )


def test_driving_an_unknown_key_is_refused(small_workspace, users):
    refused = patch(users["admin"], "csat", {"drives": ["nope"]})
    assert refused.status_code == 422
    assert "nope" in json.dumps(refused.json()["error"]["problems"])
    assert KPI.objects.get(key="csat").version == 1


def test_the_owner_sets_their_kpis_drives_as_the_form_lets_them(owned, users):
    response = patch(users["owner"], "csat", {"drives": ["churn"], "north_star": False})
    assert response.status_code == 200
    csat = KPI.objects.get(key="csat")
    assert (csat.drives, csat.north_star) == (["churn"], False)


@pytest.mark.parametrize("role", ["editor", "viewer", "outsider", "owner"])
def test_others_may_not_set_drives(small_workspace, users, role):
    refused = patch(users[role], "churn", {"drives": ["csat"]})
    assert refused.status_code == 403
    assert KPI.objects.get(key="churn").drives == []


def test_an_unknown_field_is_a_422_naming_it(small_workspace, users):
    refused = patch(users["admin"], "churn", {"drivez": ["csat"]})
    assert refused.status_code == 422
    [problem] = refused.json()["error"]["problems"]
    assert problem["field"].endswith("drivez")
    assert problem["message"] == "Extra inputs are not permitted"
    assert KPI.objects.get(key="churn").version == 1


def test_an_unknown_field_in_a_new_kpi_is_a_422(small_workspace, users):
    body = {"key": "nps", "name": "NPS", "colour": "red"}
    refused = post(bearer(users["admin"], "admin"), "/api/v1/kpis", body)
    assert refused.status_code == 422
    assert refused.json()["error"]["problems"][0]["field"].endswith("colour")
    assert not KPI.objects.filter(key="nps").exists()
