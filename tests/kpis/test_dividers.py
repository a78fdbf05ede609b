"""Limit periods in the database: the process chart a page draws, a proposed
divider accepted, moved, removed or declined by the KPI's owner and admins only,
each a definition version with who, when and why; statuses follow."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from drumbeat.audit.models import Event
from drumbeat.kpis.models import KPI, DeclinedDivider, KPIStatus
from drumbeat.kpis.process import kpi_process_chart
from drumbeat.kpis.selectors import definition_history
from drumbeat.kpis.services.dividers import (
    kpi_divider_accept,
    kpi_divider_decline,
    kpi_divider_remove,
)
from drumbeat.scorecard.selectors import database_workspace
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import WorkspaceError, dump_workspace, load_workspace_text
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

FIRST = dt.date(2026, 2, 16)
SHIFT = FIRST + dt.timedelta(weeks=20)
AS_OF = dt.date(2026, 11, 25)


def flow_yaml(
    steady: int = 20, lower: int = 20, spc: str = "", first: dt.date = FIRST
) -> str:
    """A KPI whose process drops from a mean of 100 to 90 after `steady` weeks."""
    values = [99.0, 101.0] * (steady // 2) + [89.0, 91.0] * (lower // 2)
    readings = "".join(
        f"      - {{at: {first + dt.timedelta(weeks=index)}, value: {value}}}\n"
        for index, value in enumerate(values)
    )
    return (
        "version: 1\nkpis:\n  - key: flow\n    name: River flow\n    unit: m3/s\n"
        "    thresholds: {green: 50}\n    owner: owner\n"
        f"{spc}    readings:\n{readings}"
    )


@pytest.fixture
def flow(users) -> KPI:
    workspace_apply(load_workspace_text(flow_yaml()))
    kpi = KPI.objects.get(key="flow")
    kpi.owner = users["owner"]
    kpi.save()
    return kpi


ONLY_THE_OWNER_AND_ADMINS = pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("owner", True),
        ("editor", False),
        ("viewer", False),
        ("outsider", False),
        (None, False),
    ],
)


def refused(role: str | None) -> int:
    """403 to a person signed in, 401 to an anonymous visitor."""
    return 403 if role else 401


def api(user) -> Client:
    return client_for(user) if user is not None else Client()


def test_the_chart_proposes_a_divider_at_the_start_of_a_lasting_shift(flow):
    chart = kpi_process_chart(flow, AS_OF)
    assert chart["divider"]["at"] == SHIFT.isoformat()
    assert chart["divider"]["text"] == (
        f"the process changed on {SHIFT}: mean 100 → 90 m3/s (−10 m3/s, −10 %)"
    )
    assert chart["moving_ranges"][:2] == [None, 2.0]
    assert chart["periods"][0]["limits"]["upper_range_limit"] == pytest.approx(6.536)
    jump = next(s for s in chart["signals"] if s["rule"] == 4)
    assert jump["text"] == (
        f"a jump of 12 between {SHIFT - dt.timedelta(weeks=1)} and {SHIFT}, above "
        "the upper range limit of 6.54"
    )


def test_the_chart_costs_the_same_queries_for_a_longer_history(
    users, django_assert_num_queries
):
    workspace_apply(load_workspace_text(flow_yaml(20, 20)))
    with django_assert_num_queries(3):
        kpi_process_chart(KPI.objects.get(key="flow"), AS_OF)
    longer = flow_yaml(20, 60, first=AS_OF - dt.timedelta(weeks=81))
    workspace_apply(load_workspace_text(longer))
    with django_assert_num_queries(3):
        kpi_process_chart(KPI.objects.get(key="flow"), AS_OF)


def test_accepting_a_divider_is_a_definition_version_and_moves_the_status(flow, users):
    before = KPIStatus.objects.get(kpi=flow)
    assert before.health == "amber"
    kpi_divider_accept(
        kpi=flow, start=SHIFT, by=users["owner"], version=flow.version, why="new weir"
    )
    flow.refresh_from_db()
    assert flow.spc_periods == [{"from": SHIFT.isoformat()}]
    latest = flow.history.first()
    assert (latest.history_user, latest.history_change_reason) == (
        users["owner"],
        "new weir",
    )
    assert definition_history(flow)[0]["fields"] == ["spc_periods"]
    after = KPIStatus.objects.get(kpi=flow)
    assert (after.health, after.signals) == ("green", [])
    assert kpi_process_chart(flow, AS_OF)["divider"] is None


def test_a_divider_moved_to_another_day_is_kept_there(flow, users):
    moved = SHIFT + dt.timedelta(weeks=1)
    kpi_divider_accept(kpi=flow, start=moved, by=users["admin"], version=flow.version)
    flow.refresh_from_db()
    assert flow.spc_periods == [{"from": moved.isoformat()}]
    chart = kpi_process_chart(flow, AS_OF)
    assert [period["from"] for period in chart["periods"]] == [None, moved.isoformat()]


def test_a_second_divider_on_the_same_day_is_refused_with_the_field(flow, users):
    kpi_divider_accept(kpi=flow, start=SHIFT, by=users["admin"], version=flow.version)
    flow.refresh_from_db()
    with pytest.raises(WorkspaceError) as caught:
        kpi_divider_accept(
            kpi=flow, start=SHIFT, by=users["admin"], version=flow.version
        )
    assert caught.value.problems[0].field == "spc.periods"
    assert f"recomputed from {SHIFT} already" in caught.value.problems[0].message


def test_a_divider_inside_the_first_baseline_is_refused(users):
    baseline = "    spc: {baseline: {start: 2026-02-16, end: 2026-07-27}}\n"
    workspace_apply(load_workspace_text(flow_yaml(spc=baseline)))
    kpi = KPI.objects.get(key="flow")
    with pytest.raises(WorkspaceError) as caught:
        kpi_divider_accept(kpi=kpi, start=SHIFT, by=users["admin"], version=kpi.version)
    assert "the baseline must lie inside its limit period" in str(caught.value)


def test_removing_a_divider_brings_the_old_limits_back(flow, users):
    kpi_divider_accept(kpi=flow, start=SHIFT, by=users["admin"], version=flow.version)
    flow.refresh_from_db()
    kpi_divider_remove(kpi=flow, start=SHIFT, by=users["owner"], version=flow.version)
    flow.refresh_from_db()
    assert flow.spc_periods == []
    assert KPIStatus.objects.get(kpi=flow).health == "amber"


def test_a_declined_divider_is_not_proposed_again_and_is_logged(flow, users):
    kpi_divider_decline(kpi=flow, run_start=SHIFT, by=users["owner"], why="a drought")
    kpi_divider_decline(kpi=flow, run_start=SHIFT, by=users["admin"])
    assert kpi_process_chart(flow, AS_OF)["divider"] is None
    declined = DeclinedDivider.objects.get()
    assert (declined.declined_by, declined.why) == (users["owner"], "a drought")
    event = Event.objects.get(action="divider declined")
    assert event.summary == f"divider at {SHIFT} declined (a drought)"


def test_periods_apply_once_and_export_round_trip(users):
    spc = (
        "    spc:\n      periods:\n"
        f"        - {{from: {SHIFT}, baseline: {{start: {SHIFT}, end: 2026-11-09}}}}\n"
    )
    text = flow_yaml(spc=spc)
    workspace_apply(load_workspace_text(text))
    assert not workspace_apply(load_workspace_text(text)).changed  # idempotent
    exported = database_workspace().kpi_by_key["flow"]
    assert exported == load_workspace_text(text).kpi_by_key["flow"]
    assert f"{{from: {SHIFT}, baseline:" in dump_workspace(database_workspace())


@ONLY_THE_OWNER_AND_ADMINS
def test_only_the_owner_and_admins_accept_a_divider(flow, users, role, allowed):
    status = 200 if allowed else refused(role)
    body = {"at": SHIFT.isoformat(), "version": flow.version, "why": "weir"}
    response = api(users.get(role)).post(
        "/api/v1/kpis/flow/dividers", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == status
    flow.refresh_from_db()
    assert bool(flow.spc_periods) is (status == 200)
    if status == 200:
        assert response.json()["spc_periods"] == [{"from": SHIFT.isoformat()}]


@ONLY_THE_OWNER_AND_ADMINS
def test_only_the_owner_and_admins_decline_a_divider(flow, users, role, allowed):
    status = 204 if allowed else refused(role)
    body = {"run_start": SHIFT.isoformat()}
    response = api(users.get(role)).post(
        "/api/v1/kpis/flow/declined-dividers",
        json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == status
    assert DeclinedDivider.objects.exists() is (status == 204)


@ONLY_THE_OWNER_AND_ADMINS
def test_only_the_owner_and_admins_remove_a_divider(flow, users, role, allowed):
    status = 200 if allowed else refused(role)
    kpi_divider_accept(kpi=flow, start=SHIFT, by=users["admin"], version=flow.version)
    flow.refresh_from_db()
    response = api(users.get(role)).delete(
        f"/api/v1/kpis/flow/dividers/{SHIFT}?version={flow.version}"
    )
    assert response.status_code == status
    flow.refresh_from_db()
    assert bool(flow.spc_periods) is (status != 200)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("owner", 200),
        ("editor", 200),
        ("viewer", 200),
        ("outsider", 200),
        (None, 401),
    ],
)
def test_everyone_signed_in_reads_the_process_chart(flow, users, role, status):
    response = api(users.get(role)).get("/api/v1/kpis/flow/process?as_of=2026-11-25")
    assert response.status_code == status
    if status == 200:
        assert response.json()["divider"]["at"] == SHIFT.isoformat()


def test_a_bad_as_of_names_the_field(flow, users):
    response = api(users["viewer"]).get("/api/v1/kpis/flow/process?as_of=soon")
    assert response.status_code == 422
    assert "as_of" in response.content.decode()


def test_a_second_divider_on_the_same_day_is_a_422_naming_the_field(flow, users):
    kpi_divider_accept(kpi=flow, start=SHIFT, by=users["admin"], version=flow.version)
    flow.refresh_from_db()
    body = {"at": SHIFT.isoformat(), "version": flow.version}
    response = api(users["owner"]).post(
        "/api/v1/kpis/flow/dividers", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert "spc.periods" in response.content.decode()
    assert f"recomputed from {SHIFT} already" in response.content.decode()
