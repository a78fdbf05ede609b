from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.audit.models import Event
from drumbeat.kpis.models import KPI
from drumbeat.review.models import Investigation, ReviewNote
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import client_for
from tests.review.agenda_fixtures import MEETING_ORDER, agenda_text, agenda_workspace

__all__ = ["agenda_workspace"]

ROLES = ["admin", "editor", "owner", "viewer", None]
PINNED = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)


def _client(users: dict[str, User], role: str | None):
    return client_for(users[role] if role else None)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_reads_the_agenda(agenda_workspace, users, role):
    response = _client(users, role).get("/review/kpis/")
    if role is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")
        return
    assert response.status_code == 200
    page = response.content.decode()
    positions = [page.index(f'data-kpi="{key}"') for key in MEETING_ORDER]
    assert positions == sorted(positions)
    assert "1 KPI green" in page
    assert "no reading for 24 days; weekly KPI" in page
    assert "data-meeting-start" in page
    assert "drumbeat/meeting.js" in page


def test_the_agenda_filters_by_query(agenda_workspace, users):
    page = client_for(users["viewer"]).get("/review/kpis/?team=sales").content.decode()
    assert 'data-kpi="red-key"' in page
    assert 'data-kpi="amber-key"' not in page


def test_the_agenda_shows_the_flag_and_the_last_review(agenda_workspace, users):
    kpi = agenda_workspace["red-key"]
    ReviewNote.objects.create(
        kpi=kpi,
        health="red",
        note="Waiting on the new vendor",
        by=users["admin"],
        at=PINNED,
    )
    page = client_for(users["viewer"]).get("/review/kpis/").content.decode()
    assert "red at two reviews running, nobody investigating" in page
    assert "Waiting on the new vendor" in page


# admins, the KPI's owner (red-key is team sales, owned by `owner`); the
# support editor edits the other KPIs but not red-key.
ACTS_ON_RED_KEY = {"admin": True, "editor": False, "owner": True, "viewer": False}


@pytest.mark.parametrize("role", ROLES)
def test_acknowledging_a_kpi_per_role(agenda_workspace, users, role):
    response = _client(users, role).post(
        "/review/kpis/red-key/notes/",
        {"note": "Vendor fix due", "action": "acknowledged"},
    )
    notes = ReviewNote.objects.filter(kpi__key="red-key")
    if role is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")
        assert not notes.exists()
    elif ACTS_ON_RED_KEY[role]:
        assert response.status_code == 302
        [note] = notes
        assert (note.note, note.health, note.by) == (
            "Vendor fix due",
            "red",
            users[role],
        )
        assert Event.objects.filter(kind="review", subject="red-key").exists()
    else:
        assert response.status_code == 403
        assert not notes.exists()


def test_a_team_editor_acknowledges_their_teams_kpi(agenda_workspace, users):
    response = client_for(users["editor"]).post(
        "/review/kpis/amber-key/notes/", {"note": "", "action": "noted"}
    )
    assert response.status_code == 302
    assert ReviewNote.objects.get(kpi__key="amber-key").action == "noted"


@pytest.mark.parametrize("role", ROLES)
def test_opening_an_investigation_per_role(agenda_workspace, users, role):
    response = _client(users, role).post(
        "/review/kpis/red-key/investigations/",
        {"assignee": users["editor"].pk, "due": "2026-12-04", "question": "Why?"},
    )
    found = Investigation.objects.filter(kpi__key="red-key")
    if role and ACTS_ON_RED_KEY[role]:
        assert response.status_code == 302
        [investigation] = found
        assert investigation.assignee == users["editor"]
        assert investigation.due == dt.date(2026, 12, 4)
        assert investigation.opened_by == users[role]
    else:
        assert response.status_code in (302, 403)
        assert not found.exists()


def test_an_investigation_due_in_the_past_is_refused_with_a_message(
    agenda_workspace, users
):
    response = client_for(users["admin"]).post(
        "/review/kpis/red-key/investigations/",
        {"assignee": users["editor"].pk, "due": "2026-11-01"},
        follow=True,
    )
    assert not Investigation.objects.exists()
    assert (
        "red-key: due: The due date 2026-11-01 is in the past: choose today or later."
        in response.content.decode()
    )


@pytest.mark.parametrize("role", [*ROLES, "assignee"])
def test_closing_an_investigation_per_role(agenda_workspace, users, role):
    assignee = User.objects.create(username="assignee")
    users = {**users, "assignee": assignee}
    investigation = Investigation.objects.create(
        kpi=agenda_workspace["red-key"],
        assignee=assignee,
        due=dt.date(2026, 12, 4),
        opened_at=PINNED,
    )
    response = _client(users, role).post(
        f"/review/investigations/{investigation.pk}/close/",
        {"finding": "A vendor outage"},
    )
    investigation.refresh_from_db()
    if role in ("admin", "owner", "assignee"):
        assert response.status_code == 302
        assert investigation.finding == "A vendor outage"
        assert investigation.closed_by == users[role]
    else:
        assert response.status_code in (302, 403)
        assert investigation.open


@pytest.mark.parametrize("role", ROLES)
def test_the_investigations_page_per_role(agenda_workspace, users, role):
    Investigation.objects.create(
        kpi=agenda_workspace["red-key"],
        assignee=users["editor"],
        due=dt.date(2026, 12, 4),
        opened_at=PINNED,
        question="Why the drop?",
    )
    response = _client(users, role).get("/review/investigations/?mine=1")
    if role is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert ("Why the drop?" in response.content.decode()) is (role == "editor")


def _queries(users: dict[str, User]) -> int:
    client = client_for(users["editor"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/review/kpis/").status_code == 200
    return len(queries)


def test_the_agenda_costs_the_same_queries_at_two_sizes(agenda_workspace, users):
    def noted_and_investigated() -> None:
        for kpi in KPI.objects.filter(review_notes__isnull=True):
            ReviewNote.objects.create(
                kpi=kpi, health="red", by=users["admin"], at=PINNED
            )
            Investigation.objects.create(
                kpi=kpi,
                assignee=users["editor"],
                due=dt.date(2026, 12, 4),
                opened_at=PINNED,
            )

    noted_and_investigated()
    small = _queries(users)
    workspace_apply(load_workspace_text(agenda_text(3)))
    noted_and_investigated()
    assert KPI.objects.count() == 21
    assert _queries(users) == small
    assert small > 10, small
