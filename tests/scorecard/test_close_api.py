"""The close in the API: GET the plan or the standing close, POST a close with
choices (defaults when omitted), POST a reopening; per role."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.accounts.services import token_create
from drumbeat.okrs.models import CloseChoice, Cycle, CycleClose
from drumbeat.scorecard.closing import cycle_close
from tests.conftest import client_for
from tests.scorecard.test_close_pages import ROLES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_workspace")]

URL = "/api/v1/cycles/2026-Q3/close"


@pytest.mark.parametrize("role", ROLES)
def test_the_plan_by_role(users, role):
    response = client_for(users.get(role)).get(URL)
    expected = {"admin": 200, "editor": 200, None: 401}.get(role, 403)
    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert body["state"] == "closing"
        assert body["close"] is None
        assert body["grades"][0]["objective"] == "happier"
        assert body["grades"][0]["outcome"] == "fell_short"
        assert body["items"][0] == {
            "name": "history:happier/csat-up",
            "kind": "history",
            "kpi": "csat",
            "key_result": "happier/csat-up",
            "options": ["recorded", "skipped"],
            "default": "recorded",
            "value": 88,
            "choice": None,
        }


@pytest.mark.parametrize("role", ROLES)
def test_closing_by_role(users, role):
    response = client_for(users.get(role)).post(
        URL,
        {
            "choices": [{"item": "history:happier/churn-down", "choice": "skipped"}],
            "retrospectives": [{"objective": "happier", "happened": "Hired."}],
        },
        content_type="application/json",
    )
    expected = {"admin": 201, "editor": 201, None: 401}.get(role, 403)
    assert response.status_code == expected
    assert CycleClose.objects.exists() is (expected == 201)
    if expected == 201:
        body = response.json()
        assert body["state"] == "closed"
        assert body["close"]["closed_by"] == role
        assert [(i["name"], i["choice"]) for i in body["items"]] == [
            ("history:happier/csat-up", "recorded"),
            ("history:happier/churn-down", "skipped"),
        ]


def test_a_cycle_not_closing_is_a_409(users):
    Cycle.objects.filter(key="2026-Q3").update(end=dt.date(2026, 12, 31))
    response = client_for(users["admin"]).post(URL, {}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        "2026-Q3 is active until 2026-12-31: a cycle is closed after its end."
    )


def test_a_bad_choice_is_a_422_naming_the_item(users):
    response = client_for(users["admin"]).post(
        URL,
        {"choices": [{"item": "history:happier/csat-up", "choice": "kept"}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["problems"] == [
        {
            "field": "history:happier/csat-up",
            "message": "choose one of recorded, skipped",
        }
    ]
    assert not CloseChoice.objects.exists()


def test_a_read_token_does_not_close(users):
    token = token_create(
        user=users["admin"], name="ci", scopes=["read"], expires_at=None
    )
    response = client_for(None).post(
        URL,
        {},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token.secret}"},
    )
    assert response.status_code == 403
    assert "lacks the 'admin' scope" in response.json()["error"]["message"]


@pytest.mark.parametrize("role", ROLES)
def test_reopening_by_role(users, role):
    cycle_close(cycle=Cycle.objects.get(key="2026-Q3"), by=users["admin"])
    response = client_for(users.get(role)).post(
        "/api/v1/cycles/2026-Q3/reopen",
        {"reason": "A late reading"},
        content_type="application/json",
    )
    expected = {"admin": 200, None: 401}.get(role, 403)
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["state"] == "closing"
        assert CycleClose.objects.get().reopen_reason == "A late reading"


def test_reopening_an_open_cycle_is_a_409(users):
    response = client_for(users["admin"]).post(
        "/api/v1/cycles/2026-Q3/reopen",
        {"reason": "Why not"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "is not closed" in response.json()["error"]["message"]
