"""A closed cycle is read-only for scores and structure, on the pages and in the
API, and shows the grades its close froze; every cycle shows its state."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.services.readings import reading_record
from drumbeat.okrs.models import CheckIn, Cycle, CycleClose, KeyResult, Objective
from drumbeat.okrs.services import objective_save
from tests.conftest import client_for, key_result_form
from tests.okrs.closes import cycle_closed
from tests.server.test_api import bearer, post

pytestmark = pytest.mark.django_db

CLOSED_AT = dt.datetime(2026, 10, 6, 10, 0, tzinfo=dt.UTC)
REFUSAL = "2026-Q3 was closed on 2026-10-06 by Maya Chen; an admin may reopen it."
ROLES = ["admin", "editor", "owner", "viewer", None]


@pytest.fixture
def closed(small_workspace, users):
    """The small workspace's 2026-Q3 (csat-up at 30 %), closed by the admin, Maya
    Chen, on 2026-10-06, after its readings were recorded."""
    admin = users["admin"]
    admin.first_name, admin.last_name = "Maya", "Chen"
    admin.save()
    Reading.objects.update(recorded_at=CLOSED_AT - dt.timedelta(days=1))
    return cycle_closed("2026-Q3", by=admin, at=CLOSED_AT)


def _client(users: dict[str, User], role: str | None) -> Client:
    return client_for(users[role] if role else None)


def _cycle(key: str, start: str, end: str) -> Cycle:
    return Cycle.objects.create(
        key=key, start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end)
    )


# --- States ---------------------------------------------------------------------


def test_the_board_shows_each_cycle_s_state_and_days_left(small_workspace, users):
    _cycle("2026-Q4", "2026-10-01", "2026-12-31")
    page = client_for(users["editor"]).get("/cycles/2026-Q4/").content.decode()
    assert '<strong data-state="active">active · 37 days left</strong>' in page
    assert "(closing · overdue for close (56 days))" in page
    assert "Plan this cycle" in page


def test_a_cycle_that_has_ended_is_no_longer_planned(small_workspace, users):
    page = client_for(users["admin"]).get("/cycles/2026-Q3/").content.decode()
    assert "closing · overdue for close (56 days)" in page
    assert "Plan this cycle" not in page
    assert "Add an objective" in page


def test_a_closed_cycle_s_board_says_why_and_offers_no_change(closed, users):
    page = client_for(users["admin"]).get("/cycles/2026-Q3/").content.decode()
    assert '<strong data-state="closed">closed</strong>' in page
    assert REFUSAL in page
    for offer in ("Plan this cycle", "Add an objective", "Edit cycle"):
        assert offer not in page


def test_the_objective_page_of_a_closed_cycle_has_no_check_in_or_edit(closed, users):
    page = client_for(users["editor"]).get("/objectives/happier/").content.decode()
    assert '<small data-state="closed">(closed)</small>' in page
    assert REFUSAL in page
    assert "Check in</button>" not in page
    assert "Edit the objective" not in page
    assert "Add a key result" not in page


# --- Refusals on the pages ------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 409), ("editor", 409), ("owner", 403), ("viewer", 403), (None, 302)],
)
def test_a_check_in_on_a_closed_cycle_is_refused(closed, users, role, status):
    response = _client(users, role).post(
        "/objectives/happier/key-results/csat-up/check-ins/", {"confidence": "0.5"}
    )
    assert response.status_code == status
    if status == 409:
        assert REFUSAL in response.content.decode()
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "form"),
    [
        ("/objectives/happier/key-results/new/", key_result_form(key="new")),
        ("/objectives/happier/key-results/csat-up/edit/", key_result_form()),
        ("/cycles/2026-Q3/objectives/new/", {"key": "x", "title": "X"}),
        ("/objectives/happier/edit/", {"key": "happier", "title": "Changed"}),
        ("/cycles/2026-Q3/edit/", {"key": "2026-Q3", "start": "2026-07-01"}),
    ],
)
def test_a_closed_cycle_s_forms_are_refused_with_why(closed, users, url, form):
    client = client_for(users["admin"])
    for response in (client.get(url), client.post(url, form)):
        assert response.status_code == 409
        assert REFUSAL in response.content.decode()
    assert Objective.objects.get(key="happier").title != "Changed"
    assert KeyResult.objects.count() == 2


# --- Refusals in the API ----------------------------------------------------------

CHECK_IN = "/api/v1/objectives/happier/key-results/csat-up/check-ins"


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 409), ("editor", 409), ("owner", 403), ("viewer", 403), (None, 401)],
)
def test_the_api_refuses_a_check_in_on_a_closed_cycle(closed, users, role, status):
    client = bearer(users[role], "admin") if role else client_for(None)
    response = post(client, CHECK_IN, {"confidence": 0.5})
    assert response.status_code == status
    if status == 409:
        assert response.json()["error"] == {
            "status": 409,
            "code": "cycle_closed",
            "message": REFUSAL,
            "problems": [],
        }
    assert CheckIn.objects.count() == 0


def test_the_api_refuses_new_objectives_and_kr_changes_in_a_closed_cycle(closed, users):
    client = bearer(users["editor"], "admin")
    objective = {"key": "x", "title": "X", "cycle": "2026-Q3", "team": "support"}
    kr = {"key": "csat-up", "kpi": "csat", "target": 99, "version": 1}
    for response in (
        post(client, "/api/v1/objectives", objective),
        client.put(
            "/api/v1/objectives/happier/key-results/csat-up",
            json.dumps(kr),
            content_type="application/json",
        ),
    ):
        assert response.status_code == 409
        assert response.json()["error"]["message"] == REFUSAL
    assert not Objective.objects.filter(key="x").exists()
    assert KeyResult.objects.get(key="csat-up").target == 95


# --- Alignment ------------------------------------------------------------------


def _objective_in(cycle: Cycle, key: str, users: dict[str, User]) -> Objective:
    return objective_save(
        cycle=cycle,
        objective=None,
        values={
            "key": key,
            "title": key,
            "team": None,
            "owner_name": "",
            "commitment": "aspirational",
            "parent": None,
        },
        by=users["admin"],
    )


def test_alignment_is_offered_within_the_cycle_or_one_containing_it(
    small_workspace, users
):
    q4 = _cycle("2026-Q4", "2026-10-01", "2026-12-31")
    year = _cycle("2026", "2026-01-01", "2026-12-31")
    _objective_in(q4, "q4-sibling", users)
    _objective_in(year, "yearly", users)
    page = client_for(users["admin"]).get("/cycles/2026-Q4/objectives/new/")
    choices = page.context["form"].fields["parent"].choices
    assert [key for key, _ in choices] == ["", "yearly", "q4-sibling"]


def _contributing_to_happier(users: dict[str, User], cycle: Cycle) -> Any:
    """An admin's API request for an objective in `cycle` under `happier`."""
    body = {
        "key": "x",
        "title": "X",
        "cycle": cycle.key,
        "team": "support",
        "parent": "happier",
    }
    return post(bearer(users["admin"], "admin"), "/api/v1/objectives", body)


def test_an_objective_cannot_contribute_to_one_in_a_cycle_not_containing_it(
    small_workspace, users
):
    q4 = _cycle("2026-Q4", "2026-10-01", "2026-12-31")
    response = _contributing_to_happier(users, q4)
    assert response.status_code == 422
    assert response.json()["error"]["problems"] == [
        {
            "field": "parent",
            "message": "'happier' is in 2026-Q3, which does not contain 2026-Q4: "
            "an objective contributes to one in its own cycle or in a cycle "
            "containing it",
        }
    ]


def test_nothing_contributes_to_an_objective_of_a_closed_cycle(closed, users):
    august = _cycle("2026-08", "2026-08-01", "2026-08-31")
    response = _contributing_to_happier(users, august)
    assert response.status_code == 409
    assert response.json()["error"]["message"] == REFUSAL
    page = client_for(users["admin"]).get("/cycles/2026-08/objectives/new/")
    assert [key for key, _ in page.context["form"].fields["parent"].choices] == [""]


# --- Frozen grades on the pages and in the API -------------------------------------

RESTATED = "final 30 % · restated 70 % (csat corrected on 2026-11-25 by Maya Chen)"


def _correct_csat(users: dict[str, User]) -> None:
    reading_record(
        kpi=KPI.objects.get(key="csat"), at="2026-07-03", value=92, by=users["admin"]
    )


def test_the_pages_show_the_final_grade_with_its_restatement(closed, users):
    _correct_csat(users)
    client = client_for(users["viewer"])
    # The objective and csat-up; on the board, the alignment tree too.
    for url, shown in (("/cycles/2026-Q3/", 3), ("/objectives/happier/", 2)):
        page = client.get(url).content.decode()
        assert page.count(RESTATED) == shown, url
        assert "fell short" in page
        assert "score 30%, red" in page  # the bar is the final grade's


def test_the_api_answers_carry_state_final_and_restated(closed, users):
    _correct_csat(users)
    client = bearer(users["viewer"])
    cycle = client.get("/api/v1/cycles/2026-Q3").json()
    assert (cycle["state"], cycle["days_left"]) == ("closed", None)
    objective = client.get("/api/v1/objectives/happier").json()
    assert objective["state"] == "closed"
    assert objective["final"] == {
        "score": 0.3,
        "grade": "red",
        "outcome": "fell_short",
        "frozen_at": "2026-10-06T10:00:00Z",
    }
    assert objective["restated"] == {
        "score": 0.7,
        "grade": "green",
        "because": "csat corrected on 2026-11-25 by Maya Chen",
    }
    churn = objective["key_results"][1]
    assert (churn["key"], churn["restated"]) == ("churn-down", None)
    assert churn["final"]["score"] is None


def test_an_open_cycle_s_answers_have_no_final_grade(small_workspace, users):
    _cycle("2026-Q4", "2026-10-01", "2026-12-31")
    client = bearer(users["viewer"])
    cycles = client.get("/api/v1/cycles").json()
    assert [(c["key"], c["state"], c["days_left"]) for c in cycles] == [
        ("2026-Q3", "closing", None),
        ("2026-Q4", "active", 37),
    ]
    objective = client.get("/api/v1/objectives/happier").json()
    assert (objective["final"], objective["restated"]) == (None, None)


def _grown(objectives: int) -> None:
    """2026-Q3 with `objectives` more objectives of two KRs each, closed again."""
    cycle = Cycle.objects.get(key="2026-Q3")
    for n in range(objectives):
        key = f"more-{objectives}-{n}"
        objective = Objective.objects.create(key=key, title="More", cycle=cycle)
        for kpi in ("csat", "churn"):
            KeyResult.objects.create(
                objective=objective, key=kpi, kpi_key=kpi, target=99, score=0.5
            )
    admin = CycleClose.objects.get(reopened_at=None).closed_by
    CycleClose.objects.filter(reopened_at=None).update(reopened_at=CLOSED_AT)
    cycle_closed("2026-Q3", by=admin, at=CLOSED_AT)


def test_a_closed_cycle_s_board_runs_constant_queries(closed, users):
    _correct_csat(users)
    client = client_for(users["viewer"])
    counts = []
    for more in (1, 10):
        _grown(more)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/cycles/2026-Q3/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
