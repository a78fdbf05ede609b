"""The check-in meeting's agenda (`/review/okrs/`, `/api/v1/review/okrs`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.accounts.models import Team
from drumbeat.okrs.models import CheckIn, Cycle, KeyResult, Objective
from drumbeat.review.week import checkin_agenda_for
from tests.conftest import client_for

AUGUST_12 = dt.datetime(2026, 8, 12, 9, 30, tzinfo=dt.UTC)
ROLES = ["admin", "editor", "owner", "viewer", "outsider"]


def _check_in(kr_key: str, day: int, confidence: float, blockers: str = "") -> None:
    CheckIn.objects.create(
        key_result=KeyResult.objects.get(key=kr_key),
        at=dt.date(2026, 8, day),
        confidence=confidence,
        blockers=blockers,
    )


def _key_result(objective: Objective, key: str) -> KeyResult:
    return KeyResult.objects.create(
        objective=objective, key=key, kpi_key="csat", target=99
    )


@pytest.fixture
def agenda(small_workspace, users, time_machine):
    """2026-08-12 in 2026-Q3: churn-down worried (0.3, blocked), csat-up never
    checked in on, csat-hold checked in yesterday at 0.9 after 0.8; Sales' objective
    `bigger` has revenue-up, checked in yesterday."""
    time_machine.move_to(AUGUST_12)
    happier = Objective.objects.get(key="happier")
    _key_result(happier, "csat-hold")
    sales = Team.objects.create(key="sales", name="Sales")
    bigger = Objective.objects.create(
        key="bigger", title="Bigger deals", cycle=happier.cycle, team=sales
    )
    _key_result(bigger, "revenue-up")
    _check_in("churn-down", 10, 0.3, blockers="No data")
    _check_in("csat-hold", 4, 0.8)
    _check_in("csat-hold", 11, 0.9)
    _check_in("revenue-up", 11, 0.95)
    return users


def _order(items) -> list[str]:
    return [entry.row.key for entry in items]


def test_the_agenda_takes_the_worried_first_then_those_not_checked_in_for_a_week(
    agenda,
):
    items = checkin_agenda_for(Cycle.objects.get(key="2026-Q3"))
    assert _order(items)[:2] == ["churn-down", "csat-up"]
    assert set(_order(items)[2:]) == {"csat-hold", "revenue-up"}
    worried, due = items[0].item, items[1].item
    assert worried.low_confidence is True
    assert worried.last_checkin is not None
    assert worried.last_checkin.blockers == "No data"
    assert (due.checkin_due, due.last_checkin) == (True, None)


def test_the_agenda_of_one_team(agenda):
    items = checkin_agenda_for(Cycle.objects.get(key="2026-Q3"), team="sales")
    assert _order(items) == ["revenue-up"]


def test_the_agenda_page_uses_the_meeting_markup_in_the_agendas_order(agenda):
    page = client_for(agenda["viewer"]).get("/review/okrs/").content.decode()
    assert "<section data-meeting" in page
    assert "data-meeting-start" in page
    assert page.count("data-meeting-item") == 4
    assert page.index('data-agenda-kr="happier/churn-down"') < page.index(
        'data-agenda-kr="happier/csat-up"'
    )
    assert "/static/drumbeat/meeting.js" in page
    assert "Blocked: No data" in page
    assert "0.9 ↑" in page


def test_the_agenda_page_of_a_cycle_and_a_team(agenda):
    page = (
        client_for(agenda["viewer"])
        .get("/review/okrs/?cycle=2026-Q3&team=support")
        .content.decode()
    )
    assert page.count("data-meeting-item") == 3
    assert "Bigger deals" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [("cycle=1999-Q1", "No cycle &#x27;1999-Q1&#x27;."), ("team=x", "No team")],
)
def test_the_agenda_page_names_what_is_missing(agenda, query, message):
    response = client_for(agenda["viewer"]).get(f"/review/okrs/?{query}")
    assert response.status_code == 404
    assert message in response.content.decode()


@pytest.mark.parametrize("role", [*ROLES, None])
def test_every_signed_in_role_sees_the_agenda_page(agenda, role):
    response = client_for(agenda[role] if role else None).get("/review/okrs/")
    if role is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("role", [*ROLES, None])
def test_the_api_answers_the_agenda_in_the_same_order_to_every_signed_in_role(
    agenda, role
):
    response = client_for(agenda[role] if role else None).get(
        "/api/v1/review/okrs?cycle=2026-Q3"
    )
    if role is None:
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"
        return
    assert response.status_code == 200
    body = response.json()
    assert body["cycle"] == "2026-Q3"
    page = checkin_agenda_for(Cycle.objects.get(key="2026-Q3"))
    assert [i["key_result"] for i in body["items"]] == _order(page)
    worried = body["items"][0]
    assert worried["low_confidence"] is True
    assert worried["last_checkin"]["blockers"] == "No data"
    assert body["items"][1]["checkin_due"] is True


@pytest.mark.parametrize(
    ("query", "message"),
    [("cycle=1999-Q1", "No cycle '1999-Q1'."), ("team=nobody", "No team 'nobody'.")],
)
def test_the_api_names_what_is_missing(agenda, query, message):
    response = client_for(agenda["viewer"]).get(f"/api/v1/review/okrs?{query}")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == message


def test_the_agenda_queries_stay_constant_as_the_cycle_grows(agenda):
    cycle = Cycle.objects.get(key="2026-Q3")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            checkin_agenda_for(cycle)
        return len(captured.captured_queries)

    few = queries()
    bigger = Objective.objects.get(key="bigger")
    for n in range(5):
        _key_result(bigger, f"more-{n}")
        _check_in(f"more-{n}", 9, 0.5)
    assert queries() == few


def test_the_agenda_shows_each_kr_s_forecast_or_why_there_is_none(agenda):
    page = client_for(agenda["viewer"]).get("/review/okrs/").content.decode()
    assert page.count('<span class="forecast-none" data-forecast="">') == 4
    assert "fewer than 3 readings since the cycle began" in page
