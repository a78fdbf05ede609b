"""The calibration page and selector: stated confidence against KRs hit at close."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from drumbeat.accounts.models import Membership, Team
from drumbeat.core.calibration import Calibration, TooFewResolved, Verdict
from drumbeat.okrs.calibration import (
    calibration_report,
    can_see_person_calibration,
    resolved_check_ins,
)
from drumbeat.okrs.models import CheckIn
from drumbeat.okrs.templatetags.okr_format import chance
from tests.conftest import client_for
from tests.okrs.calibration_rows import closed_cycle_with_check_ins
from tests.server.test_api import bearer

ROLES = ["admin", "editor", "owner", "viewer", "outsider", None]


@pytest.fixture
def closed(users):
    """The owner checked in at 0.8 on 10 KRs of support, 4 of them hit."""
    return closed_cycle_with_check_ins(count=10, hits=4, by=users["owner"])


def test_each_kr_is_hit_at_its_level_and_late_check_ins_do_not_count(closed, users):
    rows = resolved_check_ins()
    assert len(rows) == 10
    assert sum(row.hit for row in rows) == 4
    assert {row.confidence for row in rows} == {0.8}
    assert {(row.cycle, row.team, row.person) for row in rows} == {
        ("2026-Q3", "support", "owner")
    }


def test_the_report_says_over_confident(closed, users):
    report = calibration_report(users["admin"])
    found = report.overall.found
    assert isinstance(found, Calibration)
    assert found.verdict is Verdict.OVER
    assert found.sentence == (
        "Everyone states 0.80 on average and hits 40 %: over-confident"
    )
    assert found.brier == pytest.approx((4 * 0.04 + 6 * 0.64) / 10)
    assert [group.name for group in report.teams] == ["Support"]
    assert [group.key for group in report.people] == ["owner"]


def test_hidden_below_five_resolved_krs(users):
    closed_cycle_with_check_ins(count=3, hits=1, by=users["owner"])
    found = calibration_report(users["admin"]).overall.found
    assert found == TooFewResolved("Everyone", 3)


def test_a_reopened_cycle_s_krs_are_not_resolved(closed, users):
    closed.closes.update(reopened_at=closed.closes.get().closed_at)
    assert resolved_check_ins() == []


@pytest.mark.parametrize("role", ROLES)
def test_the_page_is_read_by_everyone_signed_in(closed, users, role):
    response = client_for(users.get(role)).get("/calibration/")
    if role is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert "hits 40 %: over-confident" in page
    assert "data-calibration-chart" in page
    assert "drumbeat/calibration.js" in page
    assert 'style="' not in page
    # A person's calibration is offered only to those who may see it.
    assert ('value="owner"' in page) is (role in ("admin", "owner", "editor"))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("owner", 200),
        ("editor", 200),  # leads support, whose KRs the owner checked in on
        ("viewer", 403),
        ("outsider", 403),
        (None, 302),
    ],
)
def test_a_person_s_calibration_is_seen_by_them_their_leads_and_admins(
    closed, users, role, status
):
    response = client_for(users.get(role)).get("/calibration/?person=owner")
    assert response.status_code == status


def test_an_editor_of_another_team_does_not_lead_the_person(closed, users):
    other = Team.objects.create(key="sales", name="Sales")
    Membership.objects.filter(user=users["editor"]).update(team=other)
    assert not can_see_person_calibration(users["editor"], "owner")
    assert can_see_person_calibration(users["owner"], "owner")


def test_the_page_filters_by_cycle_and_team(closed, users):
    client = client_for(users["viewer"])
    assert "hits 40 %" in client.get("/calibration/?cycle=2026-Q3").content.decode()
    page = client.get("/calibration/?cycle=1999-Q1").content.decode()
    assert "not enough closed KRs yet: 0 of 5" in page


def test_the_page_s_queries_do_not_grow_with_the_check_ins(
    users, django_assert_num_queries
):
    client = client_for(users["admin"])
    closed_cycle_with_check_ins(count=5, hits=2, by=users["owner"])
    with CaptureQueriesContext(connection) as small:
        client.get("/calibration/")
    closed_cycle_with_check_ins(count=15, hits=9, by=users["editor"], key="2026-Q2")
    with django_assert_num_queries(len(small)):
        client.get("/calibration/")


# --- The API ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_api_answers_everyone_signed_in(closed, users, role):
    if role is None:
        assert Client().get("/api/v1/calibration").status_code == 401
        return
    answer = bearer(users[role], "read").get("/api/v1/calibration")
    assert answer.status_code == 200
    body = answer.json()
    assert body["overall"]["shown"] is True
    assert body["overall"]["verdict"] == "over-confident"
    assert body["overall"]["resolved"] == 10
    assert [band["count"] for band in body["overall"]["bands"]] == [0, 0, 0, 0, 10]
    assert [team["name"] for team in body["teams"]] == ["Support"]
    people = [person["key"] for person in body["people"]]
    assert people == (["owner"] if role in ("admin", "owner", "editor") else [])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("owner", 200),
        ("editor", 200),
        ("viewer", 403),
        ("outsider", 403),
    ],
)
def test_the_api_refuses_a_person_s_calibration_to_others(closed, users, role, status):
    answer = bearer(users[role], "read").get("/api/v1/calibration?person=owner")
    assert answer.status_code == status
    if status == 403:
        assert "team leads" in answer.json()["error"]["message"]


def test_the_api_says_why_it_hides_a_calibration(users):
    closed_cycle_with_check_ins(count=2, hits=1, by=users["owner"])
    overall = (
        bearer(users["viewer"], "read").get("/api/v1/calibration").json()["overall"]
    )
    assert overall == {
        "key": "",
        "name": "Everyone",
        "shown": False,
        "resolved": 2,
        "sentence": "not enough closed KRs yet: 2 of 5",
        "brier": None,
        "mean_confidence": None,
        "share_hit": None,
        "verdict": None,
        "bands": [],
    }


# --- The close page and the board report -------------------------------------------


def test_the_close_page_of_a_closed_cycle_shows_its_calibration(closed, users):
    page = client_for(users["editor"]).get("/cycles/2026-Q3/close/").content.decode()
    section = page.split("data-cycle-calibration")[1].split("</section>")[0]
    assert "2026-Q3 states 0.80 on average and hits 40 %: over-confident" in section
    assert "<h3>Support</h3>" in section
    assert 'href="/calibration/?cycle=2026-Q3"' in section


def test_the_board_report_of_a_closed_cycle_shows_its_calibration(closed, users):
    page = client_for(users["viewer"]).get("/cycles/2026-Q3/report/").content.decode()
    assert "data-cycle-calibration" in page
    assert "hits 40 %: over-confident" in page


def test_a_running_cycle_s_board_report_has_no_calibration(small_workspace, users):
    page = client_for(users["viewer"]).get("/cycles/2026-Q3/report/").content.decode()
    assert "data-cycle-calibration" not in page


@pytest.mark.parametrize(
    ("p", "shown"),
    [(0.0, "0"), (0.001, "1"), (0.62, "62"), (0.998, "99"), (1.0, "100"), (None, "")],
)
def test_a_chance_is_never_shown_certain_unless_it_is(p, shown):
    assert chance(p) == shown


def test_a_person_known_only_by_name_is_seen_by_their_leads(closed, users):
    CheckIn.objects.update(by=None, by_name="Grace Liu")
    assert can_see_person_calibration(users["editor"], "Grace Liu")
    assert not can_see_person_calibration(users["viewer"], "Grace Liu")
    groups = calibration_report(users["editor"]).people
    assert [(group.key, group.name) for group in groups] == [("Grace Liu", "Grace Liu")]
