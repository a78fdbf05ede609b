"""The cycle board's filters (team, owner, mine) and sorting (score, confidence,
forecast), as GET parameters kept in its links."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.accounts.models import Team
from drumbeat.kpis.services.readings import ReadingIn, readings_ingest
from drumbeat.okrs.models import CheckIn, Cycle, KeyResult, Objective
from drumbeat.okrs.selectors import cycle_hit_forecasts, hit_chances
from tests.conftest import client_for

BOARD = "/cycles/2026-Q3/"


@pytest.fixture
def board(small_workspace, users):
    """Support's `happier` (score 0.6, churn-down last at 0.6) before Sales'
    `bigger` (position 5, score 0.2, revenue-up owned by `owner`, last at 0.2)."""
    happier = Objective.objects.get(key="happier")
    sales = Team.objects.create(key="sales", name="Sales")
    bigger = Objective.objects.create(
        key="bigger",
        title="Bigger deals",
        cycle=happier.cycle,
        team=sales,
        position=5,
        score=0.2,
    )
    Objective.objects.filter(key="happier").update(score=0.6)
    revenue = KeyResult.objects.create(
        objective=bigger,
        key="revenue-up",
        kpi_key="csat",
        target=99,
        owner=users["owner"],
    )
    CheckIn.objects.create(key_result=revenue, at=dt.date(2026, 8, 1), confidence=0.2)
    CheckIn.objects.create(
        key_result=KeyResult.objects.get(key="churn-down"),
        at=dt.date(2026, 8, 1),
        confidence=0.6,
    )
    return users


def _objectives(page: str) -> list[str]:
    keys = [key for key in ("happier", "bigger") if f'data-objective="{key}"' in page]
    return sorted(keys, key=lambda key: page.index(f'data-objective="{key}"'))


def _board(users, query: str = "", role: str = "viewer") -> str:
    response = client_for(users[role]).get(f"{BOARD}?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_board_is_as_planned_without_filters(board):
    assert _objectives(_board(board)) == ["happier", "bigger"]


def test_the_board_of_one_team(board):
    assert _objectives(_board(board, "team=sales")) == ["bigger"]


def test_the_board_of_one_owner(board):
    assert _objectives(_board(board, "owner=owner")) == ["bigger"]
    assert _objectives(_board(board, "owner=nobody")) == []


def test_mine_is_what_the_signed_in_person_owns(board):
    assert _objectives(_board(board, "mine=1", role="owner")) == ["bigger"]
    assert _objectives(_board(board, "mine=1", role="viewer")) == []


@pytest.mark.parametrize("sort", ["score", "confidence"])
def test_the_board_sorts_lowest_first(board, sort):
    assert _objectives(_board(board, f"sort={sort}")) == ["bigger", "happier"]


def test_the_board_sorts_by_the_lowest_chance_of_a_hit(board, time_machine):
    """Mid-September, csat has risen by a point a week: `bigger`'s revenue-up
    (csat to 99) is less likely to be hit than `happier`'s csat-up (to 95)."""
    time_machine.move_to("2026-09-16 09:00Z")
    readings_ingest(
        readings=lambda: [
            ReadingIn(
                "csat",
                (dt.date(2026, 7, 8) + dt.timedelta(weeks=week)).isoformat(),
                88.5 + week * 0.7,
            )
            for week in range(10)
        ],
        by=None,
        source="manual",
    )
    page = _board(board, "sort=forecast")
    assert _objectives(page) == ["bigger", "happier"]
    chances = hit_chances(cycle_hit_forecasts(Cycle.objects.filter(key="2026-Q3")))
    revenue, csat_up = (
        chances[KeyResult.objects.get(key=key).pk] for key in ("revenue-up", "csat-up")
    )
    assert revenue is not None
    assert csat_up is not None
    assert revenue < csat_up
    assert "likely to hit" in page
    # churn has one reading in the cycle: no forecast, and why, muted.
    assert '<span class="forecast-none" data-forecast="">fewer than 3 readings' in page


def test_an_unknown_sort_leaves_the_board_as_planned(board):
    assert _objectives(_board(board, "sort=colour")) == ["happier", "bigger"]


def test_the_boards_links_keep_the_filters(board):
    Cycle.objects.create(
        key="2026-Q4", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
    )
    page = _board(board, "team=sales&sort=score")
    assert 'href="/cycles/2026-Q4/?team=sales&amp;sort=score"' in page
    assert 'href="/cycles/2026-Q3/?team=sales&amp;sort=score&amp;archived=1"' in page
    assert '<option value="sales" selected>' in page
    assert '<option value="score" selected>' in page
    assert "<script" not in page.split("data-board-filters")[1].split("</form>")[0]


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_every_signed_in_role_filters_the_board(board, role):
    assert _objectives(_board(board, "team=sales", role=role)) == ["bigger"]


def test_anonymous_visitors_are_sent_to_sign_in(board):
    response = client_for(None).get(f"{BOARD}?team=sales")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
