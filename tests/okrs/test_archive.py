"""Archiving objectives, KRs, cycles, teams and check-ins: off the boards, lint
and lists, their history kept, reachable by their URL; by whoever may edit them.
A check-in is deleted by its author on its day; the same check-in twice is
refused."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from drumbeat.accounts.models import Team
from drumbeat.okrs.models import (
    CheckIn,
    Cycle,
    CycleClose,
    FinalGrade,
    KeyResult,
    LintFinding,
    Objective,
)
from drumbeat.okrs.services import (
    check_in_archive,
    cycle_archive,
    key_result_archive,
    key_result_check_in,
    objective_archive,
)
from drumbeat.scorecard.selectors import database_workspace
from drumbeat.scorecard.services import statuses_refresh
from tests.conftest import client_for
from tests.okrs.closes import cycle_closed
from tests.server.test_api import bearer

pytestmark = pytest.mark.django_db

OBJECTIVE = "/objectives/happier/"
CHECK_INS = "/api/v1/objectives/happier/key-results/csat-up/check-ins"


def _objective_archived(users) -> None:
    objective_archive(
        objective=Objective.objects.get(key="happier"), by=users["editor"]
    )


def test_an_archived_objective_leaves_the_cycle_board(small_workspace, users):
    _objective_archived(users)
    client = client_for(users["viewer"])
    board = client.get("/cycles/2026-Q3/").content.decode()
    assert 'data-objective="happier"' not in board
    assert "No objectives in this cycle yet." in board
    shown = client.get("/cycles/2026-Q3/?archived=1").content.decode()
    assert 'data-objective="happier"' in shown
    assert "archived</span>" in shown


def test_an_archived_objective_is_reachable_with_who_archived_it(
    small_workspace, users
):
    _objective_archived(users)
    page = client_for(users["editor"]).get(OBJECTIVE).content.decode()
    assert "Archived on 2026-11-25 by editor." in page
    assert ">Restore</button>" in page
    viewer_page = client_for(users["viewer"]).get(OBJECTIVE).content.decode()
    assert "Archived on 2026-11-25 by editor." in viewer_page
    assert ">Restore</button>" not in viewer_page


def test_an_archived_kr_leaves_lint_and_its_objective_score(small_workspace, users):
    statuses_refresh()
    assert LintFinding.objects.filter(key_result_key="churn-down").exists()
    key_result_archive(
        key_result=KeyResult.objects.get(key="churn-down"), by=users["admin"]
    )
    assert not LintFinding.objects.filter(key_result_key="churn-down").exists()
    objective = database_workspace().objectives[0]
    assert [kr.key for kr in objective.key_results] == ["csat-up"]


def test_archiving_a_cycle_archives_nothing_else_and_keeps_its_snapshot(
    small_workspace, users
):
    cycle = Cycle.objects.get(key="2026-Q3")
    close = CycleClose.objects.create(
        cycle=cycle, closed_at=timezone.now(), graded_as_of=dt.date(2026, 10, 1)
    )
    FinalGrade.objects.create(
        close=close, objective_key="happier", title="Happier", score=0.4
    )
    cycle_archive(cycle=cycle, by=users["admin"])
    assert Objective.objects.get(key="happier").archived is False
    assert list(FinalGrade.objects.values_list("objective_key", "score")) == [
        ("happier", 0.4)
    ]
    assert database_workspace().cycles == ()
    assert database_workspace().objectives == ()


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 302), ("editor", 302), ("viewer", 403), ("outsider", 403)],
)
def test_the_teams_editors_and_admins_archive_an_objective_from_its_page(
    small_workspace, users, role, status
):
    response = client_for(users[role]).post(OBJECTIVE + "archive/")
    assert response.status_code == status
    assert Objective.objects.get(key="happier").archived is (status == 302)


def test_anonymous_visitors_are_sent_to_sign_in_to_archive(small_workspace):
    for url in (OBJECTIVE + "archive/", "/cycles/2026-Q3/archive/"):
        response = Client().post(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")
    assert Objective.objects.get(key="happier").archived is False


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 302), ("editor", 403), ("viewer", 403)]
)
def test_only_admins_archive_a_cycle_from_its_board(
    small_workspace, users, role, status
):
    response = client_for(users[role]).post("/cycles/2026-Q3/archive/")
    assert response.status_code == status
    assert Cycle.objects.get(key="2026-Q3").archived is (status == 302)


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 302), ("editor", 403), ("viewer", 403)]
)
def test_only_admins_archive_a_team(small_workspace, users, role, status):
    response = client_for(users[role]).post("/teams/support/archive/")
    assert response.status_code == status
    assert Team.objects.get(key="support").archived is (status == 302)


def test_an_archived_team_leaves_the_teams_list_and_keeps_its_page(
    small_workspace, users
):
    client = client_for(users["admin"])
    client.post("/teams/support/archive/")
    assert 'data-team="support"' not in client.get("/teams/").content.decode()
    shown = client.get("/teams/?archived=1").content.decode()
    assert 'data-team="support"' in shown
    page = client.get("/teams/support/edit/").content.decode()
    assert "Archived on 2026-11-25 by admin." in page
    client.post("/teams/support/restore/")
    assert Team.objects.get(key="support").archived is False


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("admin", "/api/v1/cycles/2026-Q3/archive", 200),
        ("editor", "/api/v1/cycles/2026-Q3/archive", 403),
        ("viewer", "/api/v1/cycles/2026-Q3/archive", 403),
        ("admin", "/api/v1/objectives/happier/archive", 200),
        ("editor", "/api/v1/objectives/happier/archive", 200),
        ("viewer", "/api/v1/objectives/happier/archive", 403),
        ("editor", "/api/v1/objectives/happier/key-results/csat-up/archive", 200),
        ("viewer", "/api/v1/objectives/happier/key-results/csat-up/archive", 403),
    ],
)
def test_the_api_archives_for_whoever_may_edit(
    small_workspace, users, role, url, status
):
    response = bearer(users[role], "admin").post(url)
    assert response.status_code == status
    if status == 200:
        assert response.json()["archived_at"].startswith("2026-11-25")
    else:
        assert "archive or restore" in response.json()["error"]["message"]


def test_the_api_lists_archived_things_only_when_asked(small_workspace, users):
    cycle_archive(cycle=Cycle.objects.get(key="2026-Q3"), by=users["admin"])
    client = bearer(users["viewer"])
    assert client.get("/api/v1/cycles").json() == []
    assert [c["key"] for c in client.get("/api/v1/cycles?archived=true").json()] == [
        "2026-Q3"
    ]
    assert client.get("/api/v1/objectives").json()["items"] == []
    every = client.get("/api/v1/objectives?archived=true").json()["items"]
    assert [o["key"] for o in every] == ["happier"]


def test_the_api_restores_an_objective(small_workspace, users):
    _objective_archived(users)
    response = bearer(users["editor"], "admin").post(
        "/api/v1/objectives/happier/restore"
    )
    assert response.status_code == 200
    assert response.json()["archived_at"] is None


# --- Check-ins ---------------------------------------------------------------------


def _check_in(users, note: str = "On track") -> CheckIn:
    return key_result_check_in(
        key_result=KeyResult.objects.get(key="csat-up"),
        by=users["editor"],
        confidence=0.7,
        note=note,
    )


def test_the_same_check_in_twice_on_a_day_is_refused(small_workspace, users):
    _check_in(users)
    response = client_for(users["editor"]).post(
        "/objectives/happier/key-results/csat-up/check-ins/",
        {"confidence": "0.7", "note": "On track", "blockers": ""},
    )
    assert response.status_code == 400
    assert "You already checked in on this KR today with these words." in (
        response.content.decode()
    )
    assert CheckIn.objects.count() == 1


def test_the_api_refuses_the_same_check_in_twice_with_a_422(small_workspace, users):
    _check_in(users)
    response = bearer(users["editor"], "admin").post(
        CHECK_INS,
        json.dumps({"confidence": 0.7, "note": "On track"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["problems"] == [
        {
            "field": "note",
            "message": "You already checked in on this KR today with these words.",
        }
    ]


def test_a_check_in_with_other_words_the_same_day_is_kept(small_workspace, users):
    _check_in(users)
    _check_in(users, note="Still on track, a new survey")
    assert CheckIn.objects.count() == 2


def test_the_author_deletes_a_check_in_on_its_day(small_workspace, users):
    checkin = _check_in(users)
    response = client_for(users["editor"]).post(f"/check-ins/{checkin.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/objectives/happier/#kr-csat-up"
    assert CheckIn.objects.count() == 0


def test_a_check_in_is_not_deleted_after_its_day(small_workspace, users):
    checkin = _check_in(users)
    CheckIn.objects.filter(pk=checkin.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    client = client_for(users["editor"])
    response = client.post(f"/check-ins/{checkin.pk}/delete/", follow=True)
    assert (
        "A check-in can be deleted only on the day it was made (2026-11-23); "
        "archive it instead." in response.content.decode()
    )
    api = bearer(users["editor"], "admin").delete(f"{CHECK_INS}/{checkin.pk}")
    assert api.status_code == 422
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize("role", ["admin", "viewer", "outsider"])
def test_only_the_author_deletes_a_check_in(small_workspace, users, role):
    checkin = _check_in(users)
    assert (
        client_for(users[role]).post(f"/check-ins/{checkin.pk}/delete/").status_code
        == 403
    )
    response = bearer(users[role], "admin").delete(f"{CHECK_INS}/{checkin.pk}")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Only the check-in's author deletes it."
    )
    assert CheckIn.objects.count() == 1


def test_the_api_deletes_the_authors_check_in_of_today(small_workspace, users):
    checkin = _check_in(users)
    response = bearer(users["editor"], "admin").delete(f"{CHECK_INS}/{checkin.pk}")
    assert response.status_code == 204
    assert CheckIn.objects.count() == 0


def test_the_api_refuses_to_delete_a_check_in_of_a_closed_cycle(small_workspace, users):
    """As every change to a closed cycle: 409 `cycle_closed`, saying why."""
    checkin = _check_in(users)
    cycle_closed("2026-Q3", by=users["admin"])
    response = bearer(users["editor"], "admin").delete(f"{CHECK_INS}/{checkin.pk}")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "cycle_closed"
    assert response.json()["error"]["message"] == (
        "2026-Q3 was closed on 2026-11-25 by admin; an admin may reopen it."
    )
    assert CheckIn.objects.count() == 1


def test_an_archived_check_in_is_listed_only_when_asked(small_workspace, users):
    checkin = _check_in(users)
    check_in_archive(checkin=checkin, by=users["editor"])
    client = bearer(users["viewer"])
    assert client.get(CHECK_INS).json() == []
    listed = client.get(CHECK_INS + "?archived=true").json()
    assert [c["id"] for c in listed] == [checkin.pk]
    page = client_for(users["editor"]).get(OBJECTIVE).content.decode()
    assert f'data-check-in="{checkin.pk}"' in page
    assert "Archived on 2026-11-25 by editor." in page


@pytest.mark.parametrize(
    ("role", "status"), [("editor", 302), ("viewer", 403), ("outsider", 403)]
)
def test_a_check_in_is_archived_by_its_author_or_the_teams_editors(
    small_workspace, users, role, status
):
    checkin = _check_in(users)
    response = client_for(users[role]).post(f"/check-ins/{checkin.pk}/archive/")
    assert response.status_code == status
    assert CheckIn.objects.get().archived is (status == 302)
