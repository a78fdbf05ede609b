"""My week: what needs the signed-in person this week, and checking in from it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.accounts.models import Membership, Team
from drumbeat.kpis.models import KPI, Reading
from drumbeat.okrs.models import CheckIn, KeyResult
from drumbeat.review.models import Investigation
from drumbeat.review.selectors import investigations_assigned_to
from drumbeat.review.week import my_week
from tests.conftest import PASSWORD, client_for

AUGUST_12 = dt.datetime(2026, 8, 12, 9, 30, tzinfo=dt.UTC)  # in 2026-Q3, a Wednesday
TODAY = AUGUST_12.date()
CHECK_IN = "/me/key-results/happier/csat-up/check-ins/"


@pytest.fixture
def week(small_workspace, users, time_machine):
    """The small workspace on 2026-08-12: `owner` owns csat-up (never checked in on)
    and the csat KPI, and edits Support's OKRs; `editor` checked in on churn-down
    two days ago."""
    time_machine.move_to(AUGUST_12)
    owner = users["owner"]
    support = Team.objects.get(key="support")
    Membership.objects.create(user=owner, team=support, role="editor")
    KeyResult.objects.filter(key="csat-up").update(owner=owner)
    KPI.objects.filter(key="csat").update(owner=owner)
    CheckIn.objects.create(
        key_result=KeyResult.objects.get(key="churn-down"),
        at=dt.date(2026, 8, 10),
        by=users["editor"],
        confidence=0.6,
    )
    return users


def _investigation(kpi_key: str, assignee, due: dt.date) -> Investigation:
    return Investigation.objects.create(
        kpi=KPI.objects.get(key=kpi_key),
        question="Why?",
        assignee=assignee,
        due=due,
        opened_at=AUGUST_12,
    )


def test_my_week_lists_the_krs_a_person_owns_with_check_in_due(week):
    mine = my_week(week["owner"], TODAY)
    assert [entry.row.key for entry in mine.key_results] == ["csat-up"]
    item = mine.key_results[0].item
    assert item.checkin_due is True
    assert item.days_left == 49
    assert mine.checkins_due == 1


def test_my_week_lists_the_krs_a_person_checked_in_on_in_the_cycle(week):
    mine = my_week(week["editor"], TODAY)
    assert [entry.row.key for entry in mine.key_results] == ["churn-down"]
    assert mine.key_results[0].item.checkin_due is False


def test_my_week_lists_owned_kpis_whose_manual_reading_is_due(week):
    mine = my_week(week["owner"], TODAY)
    assert [entry.kpi.key for entry in mine.kpis] == ["csat"]
    assert "reading due" in mine.kpis[0].reasons


def test_my_week_lists_the_objectives_of_the_persons_teams(week):
    assert [o.key for o in my_week(week["viewer"], TODAY).objectives] == ["happier"]
    assert my_week(week["outsider"], TODAY).objectives == []


def test_my_week_lists_open_investigations_assigned_to_the_person_due_first(week):
    later = _investigation("csat", week["owner"], dt.date(2026, 8, 20))
    sooner = _investigation("churn", week["owner"], dt.date(2026, 8, 14))
    closed = _investigation("churn", week["owner"], dt.date(2026, 8, 13))
    closed.closed_at = AUGUST_12
    closed.save()
    _investigation("churn", week["editor"], dt.date(2026, 8, 13))
    assert list(investigations_assigned_to(week["owner"])) == [sooner, later]
    assert my_week(week["owner"], TODAY).investigations == [sooner, later]


def test_my_week_page_shows_the_kr_due_with_its_inline_check_in_form(week):
    page = client_for(week["owner"]).get("/me/").content.decode()
    assert 'data-my-kr="happier/csat-up" data-checkin-due' in page
    assert "check-in due" in page
    assert f'hx-post="{CHECK_IN}"' in page
    assert "reading due" in page
    assert 'href="/kpis/csat/#record-reading"' in page


def test_a_check_in_from_my_week_answers_the_row_no_longer_due(week):
    response = client_for(week["owner"]).post(
        CHECK_IN, {"confidence": "0.7", "note": "On the way"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    row = response.content.decode()
    assert row.lstrip().startswith("<article")
    assert 'data-my-kr="happier/csat-up"' in row
    assert "check-in due" not in row
    assert "Check-in saved." in row
    checkin = CheckIn.objects.get(key_result__key="csat-up")
    assert (checkin.by, checkin.confidence) == (week["owner"], 0.7)


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("outsider", 403)])
def test_only_the_teams_editors_check_in_from_my_week(week, role, status):
    response = client_for(week[role]).post(CHECK_IN, {"confidence": "0.7"})
    assert response.status_code == status
    assert not CheckIn.objects.filter(key_result__key="csat-up").exists()


def test_a_kr_owner_who_may_not_check_in_sees_no_form(week):
    Membership.objects.filter(user=week["owner"]).delete()
    page = client_for(week["owner"]).get("/me/").content.decode()
    assert 'data-my-kr="happier/csat-up"' in page
    assert f'hx-post="{CHECK_IN}"' not in page
    assert "Your team's editors check in on this KR." in page


def test_anonymous_visitors_are_sent_to_sign_in(week):
    response = client_for(None).get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=/me/")


def test_a_person_who_owns_nothing_gets_the_dashboard(week):
    response = client_for(week["outsider"]).get("/me/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signing_in_lands_on_my_week(week):
    response = client_for(None).post(
        "/sign-in/", {"username": "owner", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1] == ("/me/", 302)
    assert b"<h1>My week</h1>" in response.content


def test_my_week_queries_stay_constant_as_the_person_owns_more(week):
    owner = week["owner"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            my_week(owner, TODAY)
        return len(captured.captured_queries)

    few = queries()
    KeyResult.objects.update(owner=owner)
    KPI.objects.update(owner=owner)
    _investigation("churn", owner, dt.date(2026, 8, 20))
    _investigation("csat", owner, dt.date(2026, 8, 21))
    assert queries() == few


def test_a_bad_check_in_from_my_week_is_refused_with_its_reason(week):
    response = client_for(week["owner"]).post(CHECK_IN, {"confidence": "2"})
    assert response.status_code == 400
    assert "less than or equal to 1" in response.content.decode()
    assert not CheckIn.objects.filter(key_result__key="csat-up").exists()


def test_my_week_shows_the_chance_of_a_hit(week):
    for day in (8, 15, 22, 29):
        Reading.objects.create(
            kpi=KPI.objects.get(key="csat"),
            at=f"2026-07-{day:02d}",
            day=dt.date(2026, 7, day),
            value=88 + day / 10,
            source=Reading.Source.MANUAL,
        )
    page = client_for(week["owner"]).get("/me/").content.decode()
    assert "% likely to hit</a>" in page
    assert 'href="/help/#forecast"' in page
