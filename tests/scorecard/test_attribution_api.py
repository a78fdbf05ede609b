"""Attribution in the API: a KPI's ended cycles and an ended cycle's KPIs, per
role; a running cycle refused with a clear message."""

from __future__ import annotations

import pytest

from drumbeat.accounts.services import token_create
from tests.conftest import client_for
from tests.scorecard.test_attribution_pages import attributed  # noqa: F401

pytestmark = pytest.mark.django_db

ROLES = ["admin", "editor", "owner", "viewer", "outsider", None]


@pytest.mark.parametrize("role", ROLES)
def test_a_kpis_attribution_by_role(attributed, users, role):  # noqa: F811
    response = client_for(users.get(role)).get("/api/v1/kpis/csat/attribution")
    assert response.status_code == (401 if role is None else 200)
    if role is not None:
        body = response.json()
        assert body["kpi"] == "csat"
        (q2,) = body["cycles"]
        assert q2["cycle"] == "2026-Q2"
        assert q2["outcome"] == "moved"
        assert q2["key_results"][0]["target"] == 14
        assert q2["change"] == 1  # from 10 on 2026-03-30 to 11 on 2026-06-29


@pytest.mark.parametrize("role", ROLES)
def test_a_cycles_attribution_by_role(attributed, users, role):  # noqa: F811
    response = client_for(users.get(role)).get("/api/v1/cycles/2026-Q2/attribution")
    assert response.status_code == (401 if role is None else 200)
    if role is not None:
        body = response.json()
        assert [row["kpi"] for row in body["moved"]] == ["csat"]
        assert [row["kpi"] for row in body["moved_without_okr"]] == ["churn"]
        assert body["still"] == body["unjudged"] == []


def test_a_running_cycle_is_refused_with_why(attributed, users):  # noqa: F811
    response = client_for(users["viewer"]).get(
        "/api/v1/cycles/2026-Q2/attribution?as_of=2026-05-01"
    )
    assert response.status_code == 409
    assert "runs until 2026-06-30" in response.json()["error"]["message"]


def test_unknown_keys_and_bad_dates_are_refused(attributed, users):  # noqa: F811
    client = client_for(users["viewer"])
    assert client.get("/api/v1/kpis/nope/attribution").status_code == 404
    assert client.get("/api/v1/cycles/nope/attribution").status_code == 404
    bad = client.get("/api/v1/kpis/csat/attribution?as_of=soon")
    assert bad.status_code == 422
    assert "as_of" in bad.content.decode()


def test_a_token_needs_the_read_scope(attributed, users):  # noqa: F811
    issued = token_create(
        user=users["viewer"], name="t", scopes=["read"], expires_at=None
    )
    response = client_for(None).get(
        "/api/v1/kpis/csat/attribution",
        HTTP_AUTHORIZATION=f"Bearer {issued.secret}",
    )
    assert response.status_code == 200
