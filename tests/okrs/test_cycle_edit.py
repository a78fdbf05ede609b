"""Admins set up cycles; nobody else may."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.okrs.models import Cycle, KeyResult, LintFinding
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NEW = {"key": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 302), ("editor", 403), ("owner", 403), ("viewer", 403)],
)
def test_only_admins_create_cycles(small_workspace, users, role, status):
    client = client_for(users[role])
    assert client.get("/cycles/new/").status_code == (200 if status == 302 else 403)
    assert client.post("/cycles/new/", NEW).status_code == status
    assert Cycle.objects.filter(key="2026-Q4").exists() is (status == 302)


def test_an_anonymous_visitor_is_sent_to_sign_in(small_workspace):
    response = client_for(None).get("/cycles/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_a_created_cycle_opens_its_board_and_keeps_who_made_it(small_workspace, users):
    response = client_for(users["admin"]).post("/cycles/new/", NEW)
    assert response["Location"] == "/cycles/2026-Q4/"
    cycle = Cycle.objects.get(key="2026-Q4")
    assert (cycle.start, cycle.end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert cycle.history.get().history_user == users["admin"]


def test_a_cycle_that_ends_before_it_starts_is_refused_and_keeps_the_input(
    small_workspace, users
):
    backwards = {"key": "2026-Q4", "start": "2026-12-31", "end": "2026-10-01"}
    response = client_for(users["admin"]).post("/cycles/new/", backwards)
    assert response.status_code == 400
    page = response.content.decode()
    assert "the cycle ends (2026-10-01) before it starts (2026-12-31)" in page
    assert 'value="2026-12-31"' in page
    assert not Cycle.objects.filter(key="2026-Q4").exists()


def test_a_duplicate_cycle_key_is_refused_beside_the_key(small_workspace, users):
    taken = {"key": "2026-Q3", "start": "2026-10-01", "end": "2026-12-31"}
    response = client_for(users["admin"]).post("/cycles/new/", taken)
    assert response.status_code == 400
    assert "a cycle &#x27;2026-Q3&#x27; already exists" in response.content.decode()
    assert Cycle.objects.get(key="2026-Q3").start == dt.date(2026, 7, 1)


def test_moving_a_cycle_rescored_its_krs_and_relints_them(small_workspace, users):
    """The KRs' baseline defaults to the latest reading by the cycle start, and a
    deadline outside the cycle is a lint error: both follow the new dates."""
    cycle = Cycle.objects.get(key="2026-Q3")
    client = client_for(users["admin"])
    moved = {"key": "2026-Q3", "start": "2026-07-04", "end": "2026-09-30"}
    response = client.post("/cycles/2026-Q3/edit/", moved | {"version": cycle.version})
    assert response.status_code == 302
    # csat: the latest reading by 4 July is 88 (3 July), no longer 85 (26 June).
    assert KeyResult.objects.get(key="csat-up").computed_baseline == 88.0
    KeyResult.objects.filter(key="csat-up").update(deadline=dt.date(2026, 10, 15))
    cycle.refresh_from_db()
    client.post("/cycles/2026-Q3/edit/", moved | {"version": cycle.version})
    assert LintFinding.objects.filter(
        rule="kr-deadline-outside-cycle", subject="happier/csat-up"
    ).exists()


def test_a_stale_cycle_form_is_refused(small_workspace, users):
    cycle = Cycle.objects.get(key="2026-Q3")
    client = client_for(users["admin"])
    form = {"key": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"}
    assert (
        client.post(
            "/cycles/2026-Q3/edit/", form | {"version": cycle.version}
        ).status_code
        == 302
    )
    again = client.post("/cycles/2026-Q3/edit/", form | {"version": cycle.version})
    assert again.status_code == 400
    assert "since you opened it" in again.content.decode()
