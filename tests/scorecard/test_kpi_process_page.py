"""The KPI page's process behaviour: each limit period's own lines, the moving
ranges of real consecutive readings, the signals and changes of process in words,
and the proposed divider accepted, moved or declined (accepted ones removed) by
the KPI's owner and admins only, from the page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from drumbeat.core.spc import process_chart
from drumbeat.kpis.models import KPI, DeclinedDivider
from drumbeat.kpis.services.dividers import kpi_divider_accept
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace, load_workspace_text
from tests.conftest import EXAMPLE, client_for
from tests.kpis import test_dividers
from tests.kpis.test_dividers import AS_OF, FIRST, SHIFT, flow_yaml
from tests.scorecard.test_kpi_page import chart_of, queries_for

pytestmark = pytest.mark.django_db

ROLES = ["admin", "owner", "editor", "viewer", "outsider"]
MAY_DIVIDE = {"admin", "owner"}
flow = test_dividers.flow  # the KPI whose process drops from 100 to 90

PROPOSAL = f"Drumbeat proposes a new limit period from {SHIFT}: mean 100 → 90 m3/s."


def page_of(user: Any, key: str = "flow") -> str:
    return client_for(user).get(f"/kpis/{key}/").content.decode()


def words(page: str) -> str:
    """The page's text without its tags (a term explained is a span)."""
    return re.sub(r"<[^>]+>", "", page)


def post(client: Client, **fields: Any) -> Any:
    return client.post("/kpis/flow/dividers/", fields)


def accepted(flow: KPI, start: dt.date = SHIFT) -> KPI:
    assert flow.owner is not None
    kpi_divider_accept(
        kpi=flow, start=start, by=flow.owner, version=flow.version, why="new weir"
    )
    flow.refresh_from_db()
    return flow


# --- What the page shows ---------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_the_proposal_and_only_the_owner_and_admins_its_buttons(
    flow, users, role
):
    page = page_of(users[role])
    assert PROPOSAL in words(page)
    assert ('value="accept"' in page) is (role in MAY_DIVIDE)
    assert ('value="decline"' in page) is (role in MAY_DIVIDE)


def test_the_signals_at_the_latest_reading_are_said_in_words(flow, users):
    page = page_of(users["viewer"])
    assert "Signals at the latest reading:" in page
    assert "readings in a row, from " in page
    assert "are below the mean (100)" in page
    assert "favourable signal (rule 3)" in words(page)


@pytest.mark.parametrize("role", ROLES)
def test_accepted_dividers_are_listed_with_who_why_and_a_remove_button(
    flow, users, role
):
    accepted(flow)
    page = page_of(users[role])
    row = page[page.index(f'data-divider="{SHIFT}"') :].split("</tr>")[0]
    assert "<td>owner</td>" in row
    assert "<td>new weir</td>" in row
    assert ('value="remove"' in row) is (role in MAY_DIVIDE)
    assert PROPOSAL not in words(page)
    assert (
        f"The process changed on {SHIFT}: mean 100 → 90 m3/s (−10 m3/s, −10 %)." in page
    )


def test_each_period_draws_its_own_lines_and_ranges_stay_inside_it(flow, users):
    chart = chart_of(page_of(users["viewer"], "flow"))
    assert [p["from"] for p in chart["periods"]] == [None]
    accepted(flow)
    chart = chart_of(page_of(users["viewer"]))
    first, second = chart["periods"]
    assert (first["from"], first["start"], first["end"]) == (
        None,
        FIRST.isoformat(),
        SHIFT.isoformat(),
    )
    assert (first["mean"], second["mean"]) == (100, 90)
    assert second["upper_range_limit"] == pytest.approx(6.536)
    assert second["end"] == chart["dates"][-1]
    shift = chart["dates"].index(SHIFT.isoformat())
    # No range across the divider: the jump of 12 belongs to no period.
    assert chart["moving_ranges"][shift - 1 : shift + 2] == [2.0, None, 2.0]
    assert chart["moving_ranges"][0] is None
    assert chart["active"] == []
    assert not [s for s in chart["signals"] if s["index"] >= shift]


def test_a_period_too_young_for_limits_has_its_divider_and_no_lines(flow, users):
    young = dt.date(2026, 11, 2)  # three readings from then on: six are needed
    accepted(flow, young)
    page = page_of(users["viewer"])
    last = chart_of(page)["periods"][-1]
    assert (last["from"], last.get("mean")) == (young.isoformat(), None)
    assert "Too few readings yet to tell signal from noise" in page


def test_moving_ranges_are_of_consecutive_readings_in_a_windowed_chart(
    users,
):
    """Two years of weekly readings, the chart the last year: the first range
    drawn is to the reading before the window, not to a baseline reading."""
    start = AS_OF - dt.timedelta(weeks=104)
    workspace_apply(load_workspace_text(flow_yaml(52, 52, first=start)))
    chart = chart_of(page_of(users["viewer"]))
    assert chart["window_start"] is not None
    assert chart["moving_ranges"][0] == 2.0
    assert [p["from"] for p in chart["periods"]] == [None]


def test_the_page_costs_the_same_queries_with_periods_at_two_history_lengths(users):
    client = client_for(users["admin"])
    spc = f"    spc:\n      periods:\n        - {{from: {SHIFT}}}\n"
    workspace_apply(load_workspace_text(flow_yaml(20, 20, spc=spc)))
    short = queries_for(client, "/kpis/flow/")
    longer = flow_yaml(100, 20, spc=spc, first=SHIFT - dt.timedelta(weeks=100))
    workspace_apply(load_workspace_text(longer))
    assert queries_for(client, "/kpis/flow/") == short


# --- Answering the proposal --------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, None])
def test_only_the_owner_and_admins_accept_from_the_page(flow, users, role):
    client = client_for(users[role]) if role else Client()
    response = post(
        client, action="accept", proposed=SHIFT, version=flow.version, why="weir"
    )
    flow.refresh_from_db()
    if role in MAY_DIVIDE:
        assert response.status_code == 302
        assert flow.spc_periods == [{"from": SHIFT.isoformat()}]
        assert flow.history.first().history_change_reason == "weir"
    else:
        assert response.status_code == (403 if role else 302)
        assert flow.spc_periods == []


def test_move_accepts_at_the_day_given(flow, users):
    moved = SHIFT + dt.timedelta(weeks=1)
    client = client_for(users["owner"])
    response = post(
        client, action="move", proposed=SHIFT, at=moved, version=flow.version
    )
    assert response.status_code == 302
    flow.refresh_from_db()
    assert flow.spc_periods == [{"from": moved.isoformat()}]
    assert (
        f"Limits recomputed from {moved}." in client.get("/kpis/flow/").content.decode()
    )


@pytest.mark.parametrize("role", [*ROLES, None])
def test_only_the_owner_and_admins_decline_and_remove(flow, users, role):
    client = client_for(users[role]) if role else Client()
    declined = post(
        client, action="decline", proposed=SHIFT, version=flow.version, why="drought"
    )
    assert DeclinedDivider.objects.exists() is (role in MAY_DIVIDE)
    accepted(flow)
    removed = post(client, action="remove", at=SHIFT, version=flow.version)
    flow.refresh_from_db()
    expected = 302 if role in MAY_DIVIDE or role is None else 403
    assert (declined.status_code, removed.status_code) == (expected, expected)
    assert (flow.spc_periods == []) is (role in MAY_DIVIDE)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"action": "move", "at": ""}, "at: Enter a day (YYYY-MM-DD)."),
        ({"action": "move", "at": "soon"}, "at: Enter a valid date."),
        ({"action": "explode"}, "action: Select a valid choice."),
        (
            {"action": "remove", "at": "2026-01-05"},
            "spc.periods: there is no divider at 2026-01-05",
        ),
    ],
)
def test_bad_input_says_which_field_and_changes_nothing(flow, users, fields, message):
    response = post(client_for(users["owner"]), version=flow.version, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    flow.refresh_from_db()
    assert flow.spc_periods == []


def test_a_stale_version_says_who_changed_the_kpi(flow, users):
    stale = flow.version
    accepted(flow, SHIFT + dt.timedelta(weeks=2))
    response = post(
        client_for(users["admin"]), action="accept", proposed=SHIFT, version=stale
    )
    assert response.status_code == 400
    assert "since you opened it" in response.content.decode()


def test_the_sample_proposes_a_divider_on_a_kpi_that_shifted_for_good():
    """Daily active users rose for good in October 2024: its page (the tour's KPI
    stop) shows the proposal, as the flow's above does."""
    dau = load_workspace(EXAMPLE).kpi_by_key["dau"]
    chart = process_chart(dau, dt.date(2026, 11, 25))
    assert chart.divider is not None
    assert chart.divider.start == dt.date(2024, 10, 18)
    assert len(chart.periods) == 1
