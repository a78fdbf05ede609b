"""A busy database answers 503 with `Retry-After`, never 500, and concurrent
writes to one KPI or moment both succeed, the later a correction."""

from __future__ import annotations

import json
import threading
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client

from drumbeat.accounts.models import ApiToken
from drumbeat.accounts.services import token_create
from drumbeat.common.busy import BUSY_MESSAGE, database_busy
from drumbeat.common.locks import WRITES_LOCK
from drumbeat.kpis.models import KPIStatus, Reading
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="concurrent writers and lock waits are PostgreSQL's (make unit-postgres)",
)


def bearer(user: Any) -> Client:
    issued = token_create(user=user, name="ci", scopes=["admin"], expires_at=None)
    return Client(headers={"Authorization": f"Bearer {issued.secret}"})


def batch(value: float, at: str = "2026-07-10") -> str:
    return json.dumps({"readings": [{"kpi": "csat", "at": at, "value": value}]})


def _locked(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError("database is locked")


def test_a_write_on_a_locked_database_is_a_503_with_retry_after(
    small_workspace, users, monkeypatch
):
    monkeypatch.setattr("drumbeat.kpis.api.readings_ingest", _locked)
    response = bearer(users["admin"]).post(
        "/api/v1/readings", batch(90), content_type="application/json"
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"] == {
        "status": 503,
        "code": "busy",
        "message": BUSY_MESSAGE,
        "problems": [],
    }


def test_a_page_on_a_locked_database_is_a_503_page(small_workspace, users, monkeypatch):
    monkeypatch.setattr("drumbeat.scorecard.views.reading_record", _locked)
    response = client_for(users["admin"]).post(
        "/kpis/csat/readings/", {"day": "2026-07-10", "value": "90"}
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "nothing was written" in response.content.decode()


def test_a_read_with_a_token_does_not_wait_to_note_its_last_use(
    small_workspace, users, monkeypatch
):
    """Noting a token's last use is skipped while another write holds the lock:
    it answered 500 before."""
    client = bearer(users["admin"])
    real_update = type(ApiToken.objects.filter(pk=0)).update

    def update(queryset: Any, **fields: Any) -> Any:
        if "last_used_at" in fields:
            raise OperationalError("database is locked")
        return real_update(queryset, **fields)

    monkeypatch.setattr(type(ApiToken.objects.filter(pk=0)), "update", update)
    response = client.get("/api/v1/kpis")
    assert response.status_code == 200
    assert ApiToken.objects.get().last_used_at is None


@pytest.mark.parametrize(
    ("error", "busy"),
    [
        (OperationalError("database is locked"), True),
        (OperationalError("database table is locked"), True),
        (OperationalError("no such table: kpis_kpi"), False),
        (ValueError("database is locked"), False),
    ],
)
def test_which_errors_are_a_busy_database(error, busy):
    assert database_busy(error) is busy


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_write_that_waits_too_long_for_a_lock_is_a_503(small_workspace, users):
    """Another write holds the lock of writes that recompute: this one gives up
    after the lock wait and is told to try again; then it goes through."""
    client = bearer(users["admin"])
    other = psycopg.connect(_postgres_dsn(), autocommit=True)
    other.execute("SELECT pg_advisory_lock(%s)", [WRITES_LOCK])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        response = client.post(
            "/api/v1/readings", batch(90), content_type="application/json"
        )
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert not Reading.objects.filter(value=90).exists()
    finally:
        other.execute("SELECT pg_advisory_unlock(%s)", [WRITES_LOCK])
        other.close()
    response = client.post(
        "/api/v1/readings", batch(90), content_type="application/json"
    )
    assert response.status_code == 200


def _postgres_dsn() -> str:
    database = connection.settings_dict
    return (
        f"host={database['HOST'] or '127.0.0.1'} port={database['PORT'] or 5432} "
        f"user={database['USER']} dbname={database['NAME']}"
    )


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_to_one_moment_all_succeed_one_after_another(
    small_workspace, users
):
    """Eight clients at once, each with its own connection, write the same KPI and
    moment with their own value, four rounds: every answer is a 200, one reading
    stays current and every other value is kept as a correction; the KPI has one
    status. Before, two refreshes of one KPI collided on its status row, and two
    corrections on the one current reading a moment may have."""
    secret = token_create(
        user=users["admin"], name="ci", scopes=["admin"], expires_at=None
    ).secret
    answers: list[int] = []
    for round_number in range(4):
        start = threading.Barrier(8, timeout=30)

        def write(value: float, start: threading.Barrier = start) -> None:
            client = Client(headers={"Authorization": f"Bearer {secret}"})
            start.wait()
            try:
                response = client.post(
                    "/api/v1/readings",
                    batch(value, at="2026-07-10"),
                    content_type="application/json",
                )
                answers.append(response.status_code)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=write, args=(round_number * 10 + n,))
            for n in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert answers == [200] * 32
    readings = Reading.objects.filter(kpi__key="csat", at="2026-07-10")
    assert readings.filter(superseded_at__isnull=True).count() == 1
    assert readings.count() == 32
    assert KPIStatus.objects.filter(kpi__key="csat").count() == 1
