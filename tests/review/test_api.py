from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import User

from drumbeat.review.models import Investigation, ReviewNote
from tests.conftest import client_for
from tests.review.agenda_fixtures import MEETING_ORDER, agenda_workspace

__all__ = ["agenda_workspace"]

ROLES = ["admin", "editor", "owner", "viewer", None]
PINNED = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
ACTS_ON_RED_KEY = {"admin": True, "editor": False, "owner": True, "viewer": False}


def _client(users: dict[str, User], role: str | None):
    return client_for(users[role] if role else None)


def _post(client, path: str, body: dict[str, str]):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
def test_the_agenda_in_the_api_has_the_pages_order(agenda_workspace, users, role):
    response = _client(users, role).get("/api/v1/review/kpis")
    if role is None:
        assert response.status_code == 401
        return
    assert response.status_code == 200
    data = response.json()
    assert [item["kpi"] for item in data["items"]] == MEETING_ORDER
    assert [item["bucket"] for item in data["items"]] == [
        "red",
        "red",
        "signal",
        "amber",
        "amber",
        "stale",
    ]
    assert data["green"] == 1
    assert data["items"][0]["key_results"] == ["happy/red-up"]
    assert data["items"][-1]["reasons"] == ["no reading for 24 days; weekly KPI"]


def test_the_agenda_in_the_api_filters_as_the_page_does(agenda_workspace, users):
    client = client_for(users["viewer"])
    for query in ("team=sales", "perspective=financial", "owner=owner"):
        api = client.get(f"/api/v1/review/kpis?{query}").json()
        page = client.get(f"/review/kpis/?{query}").content.decode()
        keys = [item["kpi"] for item in api["items"]]
        assert keys
        assert all(f'data-kpi="{key}"' in page for key in keys)
        assert page.count("data-meeting-item") == len(keys)


@pytest.mark.parametrize("role", ROLES)
def test_a_review_note_in_the_api_per_role(agenda_workspace, users, role):
    response = _post(
        _client(users, role), "/api/v1/kpis/red-key/review-notes", {"note": "Seen"}
    )
    if role is None:
        assert response.status_code == 401
    elif ACTS_ON_RED_KEY[role]:
        assert response.status_code == 201
        assert response.json()["health"] == "red"
        assert response.json()["by"] == role
    else:
        assert response.status_code == 403
        assert (
            "Only admins, the KPI's owner and editors"
            in response.json()["error"]["message"]
        )
    assert ReviewNote.objects.count() == (1 if role and ACTS_ON_RED_KEY[role] else 0)


def test_a_review_note_of_an_unknown_kpi_is_404(agenda_workspace, users):
    response = _post(client_for(users["admin"]), "/api/v1/kpis/nope/review-notes", {})
    assert response.status_code == 404


def test_a_review_note_with_an_unknown_action_is_422(agenda_workspace, users):
    response = _post(
        client_for(users["admin"]),
        "/api/v1/kpis/red-key/review-notes",
        {"action": "shrugged"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["field"] == "action"


@pytest.mark.parametrize("role", ROLES)
def test_opening_an_investigation_in_the_api_per_role(agenda_workspace, users, role):
    response = _post(
        _client(users, role),
        "/api/v1/kpis/red-key/investigations",
        {"assignee": "editor", "due": "2026-12-04", "question": "Why?"},
    )
    if role is None:
        assert response.status_code == 401
    elif ACTS_ON_RED_KEY[role]:
        assert response.status_code == 201
        assert response.json()["assignee"] == "editor"
        assert response.json()["due"] == "2026-12-04"
    else:
        assert response.status_code == 403


def test_an_investigation_for_nobody_known_is_422(agenda_workspace, users):
    response = _post(
        client_for(users["admin"]),
        "/api/v1/kpis/red-key/investigations",
        {"assignee": "ghost@example.com", "due": "2026-12-04"},
    )
    assert response.status_code == 422
    assert "'ghost@example.com'" in response.json()["error"]["problems"][0]["message"]


@pytest.mark.parametrize("role", ROLES)
def test_closing_an_investigation_in_the_api_per_role(agenda_workspace, users, role):
    investigation = Investigation.objects.create(
        kpi=agenda_workspace["red-key"],
        assignee=users["viewer"],
        due=dt.date(2026, 12, 4),
        opened_at=PINNED,
    )
    response = _post(
        _client(users, role),
        f"/api/v1/investigations/{investigation.pk}/close",
        {"finding": "A vendor outage"},
    )
    investigation.refresh_from_db()
    if role is None:
        assert response.status_code == 401
    elif role in ("admin", "owner", "viewer"):  # the viewer is the assignee
        assert response.status_code == 200
        assert response.json()["finding"] == "A vendor outage"
        assert not investigation.open
    else:
        assert response.status_code == 403
        assert investigation.open


def test_closing_a_closed_investigation_is_422(agenda_workspace, users):
    investigation = Investigation.objects.create(
        kpi=agenda_workspace["red-key"],
        assignee=users["viewer"],
        due=dt.date(2026, 12, 4),
        opened_at=PINNED,
        closed_at=PINNED,
        closed_by=users["admin"],
        finding="done",
    )
    response = _post(
        client_for(users["admin"]),
        f"/api/v1/investigations/{investigation.pk}/close",
        {"finding": "again"},
    )
    assert response.status_code == 422
    assert (
        "was closed on 2026-11-25 by admin"
        in response.json()["error"]["problems"][0]["message"]
    )


def test_closing_an_unknown_investigation_is_404(agenda_workspace, users):
    response = _post(
        client_for(users["admin"]), "/api/v1/investigations/999/close", {"finding": "x"}
    )
    assert response.status_code == 404


def test_my_investigations_in_the_api(agenda_workspace, users):
    mine = Investigation.objects.create(
        kpi=agenda_workspace["red-key"],
        assignee=users["editor"],
        due=dt.date(2026, 12, 4),
        opened_at=PINNED,
    )
    Investigation.objects.create(
        kpi=agenda_workspace["red-key"],
        assignee=users["owner"],
        due=dt.date(2026, 12, 1),
        opened_at=PINNED,
    )
    response = client_for(users["editor"]).get("/api/v1/investigations?assignee=me")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [mine.pk]
    assert client_for(None).get("/api/v1/investigations").status_code == 401
