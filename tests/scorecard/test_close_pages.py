"""The close page, the reopen form and the retrospective page, per role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.accounts.models import Team
from drumbeat.kpis.models import KPI
from drumbeat.okrs.models import Cycle, CycleClose, KeyResult, Objective, Retrospective
from drumbeat.okrs.selectors import cycle_standing
from drumbeat.scorecard.closing import cycle_close, cycle_reopen
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_workspace")]

URL = "/cycles/2026-Q3/close/"
ROLES = ["admin", "editor", "owner", "viewer", "outsider", None]


def q3() -> Cycle:
    return Cycle.objects.get(key="2026-Q3")


@pytest.mark.parametrize("role", ROLES)
def test_the_close_page_is_for_admins_and_the_cycles_objective_owners(users, role):
    response = client_for(users.get(role)).get(URL)
    expected = {"admin": 200, "editor": 200, None: 302}.get(role, 403)
    assert response.status_code == expected
    if expected == 200:
        assert b"1. Final grades" in response.content
        assert b'data-item="history:happier/csat-up"' in response.content


@pytest.mark.parametrize("role", ROLES)
def test_closing_from_the_page_by_role(users, role):
    response = client_for(users.get(role)).post(
        URL,
        {
            "choice:history:happier/churn-down": "skipped",
            "happened:happier": "We hired two people.",
            "summary": "A slow quarter.",
        },
    )
    allowed = role in ("admin", "editor")
    assert response.status_code == (302 if allowed or role is None else 403)
    assert CycleClose.objects.exists() is allowed
    if allowed:
        close = CycleClose.objects.get()
        assert close.closed_by == users[role]
        assert close.choices.get(key_result_key="churn-down").choice == "skipped"
        assert Retrospective.objects.get(objective__key="happier").happened == (
            "We hired two people."
        )


def test_after_the_close_the_page_shows_the_frozen_close_and_the_reopen_form(users):
    cycle_close(cycle=q3(), by=users["admin"])
    admin_page = client_for(users["admin"]).get(URL).content.decode()
    assert "these final grades are frozen" in admin_page
    assert 'action="/cycles/2026-Q3/reopen/"' in admin_page
    editor_page = client_for(users["editor"]).get(URL).content.decode()
    assert "these final grades are frozen" in editor_page
    assert "reopen/" not in editor_page


def test_a_refusal_is_shown_on_the_page(users):
    Cycle.objects.filter(key="2026-Q3").update(end=dt.date(2026, 12, 31))
    response = client_for(users["admin"]).post(URL, {})
    assert response.status_code == 400
    assert "2026-Q3 is active until 2026-12-31" in response.content.decode()
    assert not CycleClose.objects.exists()


def test_a_bad_edited_value_is_named_on_the_page(users):
    KPI.objects.filter(key="csat").update(tier="transient")
    response = client_for(users["admin"]).post(URL, {"choice:transient:csat": "gone"})
    assert response.status_code == 400
    assert "choose one of kept, retired" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_reopen(users, role):
    cycle_close(cycle=q3(), by=users["admin"])
    response = client_for(users.get(role)).post(
        "/cycles/2026-Q3/reopen/", {"reason": "A late reading"}
    )
    assert response.status_code == {"admin": 302, None: 302}.get(role, 403)
    assert cycle_standing(q3()).state == ("closing" if role == "admin" else "closed")
    if role == "admin":
        page = client_for(users["admin"]).get(URL).content.decode()
        assert "Reopened on 2026-11-25 by admin: A late reading" in page


def test_a_reopen_without_a_reason_is_refused_on_the_page(users):
    cycle_close(cycle=q3(), by=users["admin"])
    response = client_for(users["admin"]).post("/cycles/2026-Q3/reopen/", {})
    assert response.status_code == 400
    assert "Say why the cycle is reopened." in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_the_retrospective_is_written_by_the_teams_editors(users, role):
    cycle_close(cycle=q3(), by=users["admin"])
    response = client_for(users.get(role)).post(
        "/cycles/2026-Q3/retrospective/",
        {"objective": "happier", "happened": "Later: the hires paid off."},
    )
    allowed = role in ("admin", "editor")
    assert response.status_code == (302 if allowed or role is None else 403)
    if allowed:
        page = client_for(users[role]).get("/cycles/2026-Q3/retrospective/")
        assert "Later: the hires paid off." in page.content.decode()
        assert f"by {role}" in page.content.decode()


def _objectives(first: int, count: int) -> None:
    support = Team.objects.get(key="support")
    for number in range(first, first + count):
        objective = Objective.objects.create(
            cycle=q3(), key=f"more-{number}", title=f"More {number}", team=support
        )
        KeyResult.objects.create(
            objective=objective, key="csat", kpi_key="csat", kind="change", target=95
        )


def test_the_close_page_costs_the_same_queries_at_two_sizes(users):
    client = client_for(users["admin"])
    _objectives(0, 1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    _objectives(1, 8)
    with CaptureQueriesContext(connection) as bigger:
        assert client.get(URL).status_code == 200
    assert len(bigger) == len(small)


def test_the_dashboard_shows_a_cycle_overdue_for_close_until_it_is_closed(users):
    client = client_for(users["admin"])
    page = client.get("/").content.decode()
    assert (
        "2026-Q3 ended on 2026-09-30 and is closing · overdue for close (56 days)"
    ) in page
    assert 'href="/cycles/2026-Q3/close/"' in page
    cycle_close(cycle=q3(), by=users["admin"])
    assert "overdue for close" not in client.get("/").content.decode()


@pytest.mark.parametrize("path", ["/", "/review/kpis/"])
def test_the_overdue_notice_links_to_the_close_only_for_who_may_close(users, path):
    """A viewer is told the cycle is overdue, without a link to a page that
    would refuse them."""
    page = client_for(users["viewer"]).get(path).content.decode()
    assert "2026-Q3 ended on 2026-09-30 and is closing" in page
    assert 'href="/cycles/2026-Q3/close/"' not in page
    admin_page = client_for(users["admin"]).get(path).content.decode()
    assert 'href="/cycles/2026-Q3/close/"' in admin_page


def test_the_overdue_notice_costs_the_same_queries_however_many_teams_in_the_cycle(
    users,
):
    """Whether a viewer may close is asked of their own teams, not of each team
    with an objective in the cycle."""
    client = client_for(users["viewer"])

    def teams_with_objectives(first: int, count: int) -> None:
        for number in range(first, first + count):
            team = Team.objects.create(key=f"team-{number}", name=f"Team {number}")
            Objective.objects.create(
                cycle=q3(), key=f"of-team-{number}", title="More", team=team
            )

    teams_with_objectives(0, 1)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/review/kpis/").status_code == 200
    teams_with_objectives(1, 6)
    with CaptureQueriesContext(connection) as bigger:
        assert client.get("/review/kpis/").status_code == 200
    assert len(bigger) == len(small)


def test_the_cycle_board_links_to_the_close_and_shows_a_reopening(users):
    cycle_close(cycle=q3(), by=users["admin"])
    cycle_reopen(cycle=q3(), by=users["admin"], reason="A late reading")
    board = client_for(users["editor"]).get("/cycles/2026-Q3/").content.decode()
    assert "Reopened on 2026-11-25 by admin: A late reading" in board
    assert 'href="/cycles/2026-Q3/close/"' in board
    viewer = client_for(users["viewer"]).get("/cycles/2026-Q3/").content.decode()
    assert 'href="/cycles/2026-Q3/close/"' not in viewer
