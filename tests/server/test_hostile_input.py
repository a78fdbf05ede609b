"""Odd numbers, keys and characters, on every way in: each is refused with a 422
(or a row-level problem) that names the field, and nothing that is accepted can
break a page or an export afterwards."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drumbeat.accounts.models import ApiToken
from drumbeat.accounts.services import token_create
from drumbeat.core.values import MAX_MAGNITUDE
from drumbeat.kpis.models import KPI, Reading
from drumbeat.okrs.models import CheckIn, KeyResult
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def bearer(user: Any, *scopes: str) -> Client:
    issued = token_create(
        user=user, name="ci", scopes=scopes or ("admin",), expires_at=None
    )
    return Client(headers={"Authorization": f"Bearer {issued.secret}"})


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def problems(response: Any) -> list[tuple[str, str]]:
    return [
        (problem["field"].rsplit(".", 1)[-1], problem["message"])
        for problem in response.json()["error"]["problems"]
    ]


# --- Numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        pytest.param([1e308], "1e+308 is too large", id="huge"),
        pytest.param([1e308, -1e308], "1e+308 is too large", id="huge-both-ways"),
        pytest.param([2e15], "2e+15 is too large", id="beyond-range"),
    ],
)
def test_a_number_beyond_the_range_is_refused(small_workspace, users, values, message):
    """A reading of 1e308 on a KPI with a KR made its score infinite, and every
    page with it answered 500 afterwards."""
    readings = [
        {"kpi": "csat", "at": f"2026-07-1{n}", "value": value}
        for n, value in enumerate(values)
    ]
    response = post(bearer(users["admin"]), "/api/v1/readings", {"readings": readings})
    assert response.status_code == 422
    assert message in problems(response)[0][1]
    assert not Reading.objects.filter(day__gte=dt.date(2026, 7, 10)).exists()


@pytest.mark.parametrize("value", ["5", True, None, [1]])
def test_text_and_booleans_are_not_numbers(small_workspace, users, value):
    body = {"readings": [{"kpi": "csat", "at": "2026-07-10", "value": value}]}
    response = post(bearer(users["admin"]), "/api/v1/readings", body)
    assert response.status_code == 422
    assert problems(response)[0][0] == "value"
    assert not Reading.objects.filter(day=dt.date(2026, 7, 10)).exists()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        pytest.param(1e300, "is too large", id="target"),
        pytest.param([1, 1e300], "is too large", id="band"),
    ],
)
def test_a_target_beyond_the_range_is_refused(small_workspace, users, target, message):
    body = {"key": "big", "kpi": "csat", "target": target}
    response = post(
        bearer(users["admin"]), "/api/v1/objectives/happier/key-results", body
    )
    assert response.status_code == 422
    assert message in problems(response)[0][1]
    assert not KeyResult.objects.filter(key="big").exists()


def test_dates_before_1900_are_refused(small_workspace, users):
    body = {"readings": [{"kpi": "csat", "at": "0001-01-01", "value": 1}]}
    response = post(bearer(users["admin"]), "/api/v1/readings", body)
    assert response.status_code == 422
    assert problems(response) == [
        ("at", "0001-01-01 is before 1900-01-01: check the date")
    ]


PAGES = (
    "/",
    "/kpis/",
    "/kpis/csat/",
    "/cycles/2026-Q3/",
    "/cycles/2026-Q3/plan/",
    "/cycles/2026-Q3/report/",
    "/objectives/happier/",
    "/api/v1/kpis/csat/status",
    "/api/v1/objectives/happier",
)
EXPORTS = tuple(
    f"/exports/download/?kind={kind}&format={output_format}"
    for kind in ("readings", "statuses", "scores", "checkins")
    for output_format in ("csv", "xlsx", "json")
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    value=st.one_of(
        st.sampled_from([MAX_MAGNITUDE, -MAX_MAGNITUDE, 5e-324, 0.0, -0.0]),
        st.floats(min_value=-MAX_MAGNITUDE, max_value=MAX_MAGNITUDE),
    ),
    target=st.floats(min_value=-MAX_MAGNITUDE, max_value=MAX_MAGNITUDE),
)
def test_any_accepted_value_leaves_every_page_and_export_working(
    small_workspace, users, value, target
):
    client = client_for(users["admin"])
    with transaction.atomic():
        KeyResult.objects.filter(key="csat-up").update(target=target)
        body = {"readings": [{"kpi": "csat", "at": "2026-07-10", "value": value}]}
        assert post(client, "/api/v1/readings", body).status_code == 200
        for url in PAGES + EXPORTS:
            response = client.get(url)
            assert response.status_code == 200, (url, value, target)
        transaction.set_rollback(True)


# --- Keys and text ----------------------------------------------------------------


@pytest.mark.parametrize("kpi", ["a b", "é", "a\x07b", "CSAT"])
def test_a_kr_names_its_kpi_by_a_key_of_the_format(small_workspace, users, kpi):
    """`a b` even made a KR, on a KPI that does not exist."""
    body = {"key": "odd", "kpi": kpi, "target": 5}
    response = post(
        bearer(users["admin"]), "/api/v1/objectives/happier/key-results", body
    )
    assert response.status_code == 422
    assert problems(response)[0][0] == "kpi"
    assert not KeyResult.objects.filter(key="odd").exists()


@pytest.mark.parametrize("character", ["\x07", "\x0b", "\x1b", "\x00"])
def test_control_characters_are_refused_on_the_way_in(
    small_workspace, users, character
):
    client = bearer(users["admin"])
    note = {"kpi": "csat", "at": "2026-07-10", "value": 1, "note": f"a{character}b"}
    response = post(client, "/api/v1/readings", {"readings": [note]})
    assert response.status_code == 422
    assert problems(response)[0][0] == "note"
    assert "control character" in problems(response)[0][1]
    kpi = {"key": "odd", "name": f"Odd{character}"}
    response = post(client, "/api/v1/kpis", kpi)
    assert response.status_code == 422
    assert not KPI.objects.filter(key="odd").exists()
    check_in = {"confidence": 0.5, "note": f"a{character}b"}
    response = post(
        client, "/api/v1/objectives/happier/key-results/csat-up/check-ins", check_in
    )
    assert response.status_code == 422
    assert problems(response)[0][0] == "note"
    assert not CheckIn.objects.exists()


def test_tab_and_line_breaks_are_kept(small_workspace, users):
    note = "line one\n\tline two\r\n"
    body = {"readings": [{"kpi": "csat", "at": "2026-07-10", "value": 1, "note": note}]}
    assert post(bearer(users["admin"]), "/api/v1/readings", body).status_code == 200
    assert Reading.objects.get(day=dt.date(2026, 7, 10)).note == note


def test_a_note_over_500_characters_is_refused(small_workspace, users):
    body = {
        "readings": [{"kpi": "csat", "at": "2026-07-10", "value": 1, "note": "x" * 501}]
    }
    response = post(bearer(users["admin"]), "/api/v1/readings", body)
    assert response.status_code == 422
    assert problems(response) == [
        ("note", "is 501 characters long: keep a note within 500 characters")
    ]


@pytest.mark.parametrize("kind", ["readings", "checkins", "statuses"])
def test_exports_write_text_stored_before_control_characters_were_refused(
    small_workspace, users, kind
):
    """Stored before the way in refused them, such text made XLSX exports fail."""
    KPI.objects.filter(key="csat").update(name="Customer\x07 satisfaction")
    Reading.objects.filter(kpi__key="csat").update(note="late\x1b")
    CheckIn.objects.create(
        key_result=KeyResult.objects.get(key="csat-up"),
        at=dt.date(2026, 7, 6),
        by_name="Grace\x0b",
        confidence=0.5,
        note="blocked\x07",
    )
    client = client_for(users["admin"])
    response = client.get("/exports/download/", {"kind": kind, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    cells = [str(c) for row in workbook.active.iter_rows(values_only=True) for c in row]
    assert any("\ufffd" in cell for cell in cells)


# --- The rest of the findings -----------------------------------------------------


@pytest.mark.parametrize("field", ["owner", "description", "unit", "cadence"])
def test_null_clears_a_kpi_field_that_may_be_empty(small_workspace, users, field):
    body = {"version": 1, field: None}
    response = bearer(users["admin"]).patch(
        "/api/v1/kpis/csat", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200
    name = {"owner": "owner_name"}.get(field, field)
    assert getattr(KPI.objects.get(key="csat"), name) == ""


def test_null_for_a_kpi_name_is_refused(small_workspace, users):
    response = bearer(users["admin"]).patch(
        "/api/v1/kpis/csat",
        json.dumps({"version": 1, "name": None}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert problems(response) == [("name", "may not be null")]


def test_two_values_of_one_moment_in_a_batch_are_a_problem_by_index(
    small_workspace, users
):
    readings = [
        {"kpi": "csat", "at": "2026-07-10", "value": 1},
        {"kpi": "csat", "at": "2026-07-10T00:00:00", "value": 2},
    ]
    response = post(bearer(users["admin"]), "/api/v1/readings", {"readings": readings})
    assert response.status_code == 422
    [problem] = response.json()["error"]["problems"]
    assert (problem["index"], problem["field"]) == (1, "at")


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_a_write_with_a_token_no_longer_live_is_unauthenticated(
    small_workspace, users, state
):
    """It answered 403 "CSRF check Failed", as if a browser had sent it."""
    issued = token_create(
        user=users["admin"], name="ci", scopes=["admin"], expires_at=None
    )
    changes = (
        {"expires_at": timezone.now() - dt.timedelta(minutes=1)}
        if state == "expired"
        else {"revoked_at": timezone.now()}
    )
    ApiToken.objects.filter(pk=issued.token.pk).update(**changes)
    client = Client(headers={"Authorization": f"Bearer {issued.secret}"})
    body = {"readings": [{"kpi": "csat", "at": "2026-07-10", "value": 1}]}
    response = post(client, "/api/v1/readings", body)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
