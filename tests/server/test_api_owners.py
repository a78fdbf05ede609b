"""Owners through the API: given by username or e-mail, answered with the
owner's account as additive fields; an unknown person is a 422 naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from drumbeat.kpis.models import KPI
from drumbeat.okrs.models import KeyResult, Objective
from tests.server.test_api import bearer, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def maya(db) -> User:
    return User.objects.create(
        username="maya", first_name="Maya", last_name="Chen", email="Maya@example.com"
    )


def _patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("given", ["maya", "maya@EXAMPLE.com", "Maya Chen"])
def test_a_kpi_owner_is_given_by_username_or_email(small_workspace, users, maya, given):
    body = {"key": "nps", "name": "Net promoter score", "owner": given}
    made = post(bearer(users["admin"], "admin"), "/api/v1/kpis", body)
    assert made.status_code == 201
    answer = made.json()
    assert (answer["owner"], answer["owner_username"]) == ("Maya Chen", "maya")
    assert answer["owner_display_name"] == "Maya Chen"
    assert KPI.objects.get(key="nps").owner == maya


def test_an_unknown_kpi_owner_is_a_422_naming_the_field(small_workspace, users):
    body = {"key": "nps", "name": "Net promoter score", "owner": "nobody@example.com"}
    refused = post(bearer(users["admin"], "admin"), "/api/v1/kpis", body)
    assert refused.status_code == 422
    assert "owner" in json.dumps(refused.json()["error"])
    assert "no active person has the username or e-mail address" in refused.text
    assert not KPI.objects.filter(key="nps").exists()


def test_an_ambiguous_owner_is_a_422(small_workspace, users):
    User.objects.create(username="s1", email="sam@example.com")
    User.objects.create(username="s2", email="SAM@example.com")
    body = {"key": "nps", "name": "Net promoter score", "owner": "sam@example.com"}
    assert (
        post(bearer(users["admin"], "admin"), "/api/v1/kpis", body).status_code == 422
    )


def test_a_kpi_patch_hands_it_to_its_new_owner_who_may_then_change_it(
    small_workspace, users, maya
):
    kpi = KPI.objects.get(key="csat")
    changed = _patch(
        bearer(users["admin"], "admin"),
        "/api/v1/kpis/csat",
        {"version": kpi.version, "owner": "maya"},
    )
    assert changed.status_code == 200
    assert changed.json()["owner_username"] == "maya"
    kpi.refresh_from_db()
    by_maya = _patch(
        bearer(maya, "admin"),
        "/api/v1/kpis/csat",
        {"version": kpi.version, "unit": "%"},
    )
    assert by_maya.status_code == 200


def test_a_kpi_patch_with_an_unknown_owner_changes_nothing(small_workspace, users):
    kpi = KPI.objects.get(key="csat")
    refused = _patch(
        bearer(users["admin"], "admin"),
        "/api/v1/kpis/csat",
        {"version": kpi.version, "owner": "ghost", "unit": "%"},
    )
    assert refused.status_code == 422
    kpi.refresh_from_db()
    assert (kpi.owner_name, kpi.unit) == ("Grace", "percent")


def test_an_objective_and_a_kr_take_their_owner_by_email(small_workspace, users, maya):
    client = bearer(users["admin"], "admin")
    made = post(
        client,
        "/api/v1/objectives",
        {
            "key": "faster",
            "title": "Support answers faster",
            "cycle": "2026-Q3",
            "team": "support",
            "owner": "maya@example.com",
        },
    )
    assert made.status_code == 201
    assert made.json()["owner_username"] == "maya"
    assert Objective.objects.get(key="faster").owner == maya
    kr = post(
        client,
        "/api/v1/objectives/faster/key-results",
        {"key": "csat-up", "kpi": "csat", "target": 95, "owner": "maya"},
    )
    assert kr.status_code == 201
    assert (kr.json()["owner"], kr.json()["owner_username"]) == ("Maya Chen", "maya")
    assert KeyResult.objects.get(objective__key="faster").owner == maya


def test_an_unknown_kr_owner_is_a_422(small_workspace, users):
    refused = post(
        bearer(users["admin"], "admin"),
        "/api/v1/objectives/happier/key-results",
        {"key": "new", "kpi": "csat", "target": 95, "owner": "ghost"},
    )
    assert refused.status_code == 422
    assert "'ghost'" in refused.text


def test_listed_kpis_carry_owner_accounts_in_a_constant_number_of_queries(
    small_workspace, users, maya, django_assert_max_num_queries
):
    KPI.objects.update(owner=maya)
    client = bearer(users["viewer"])
    with django_assert_max_num_queries(12):
        items = client.get("/api/v1/kpis").json()["items"]
    assert {item["owner_username"] for item in items} == {"maya"}
