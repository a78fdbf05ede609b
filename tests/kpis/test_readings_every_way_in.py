"""The same reading is the same reading whichever way it comes in: the REST API, a
CSV or XLSX import, `drumbeat apply` of a workspace file, an SQL pull and the KPI
page's form all read a reading's moment with one rule and write it with one
service, so that a KPI has one current reading per moment, and every earlier value
of it stays in history as a correction."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.contrib.auth.models import User
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drumbeat.imports.services import ImportRefusedError, readings_import_file
from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.sources.services import source_pull
from drumbeat.kpis.sources.sql.query import engines_dispose
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import WorkspaceError, load_workspace_text
from tests.conftest import SMALL, client_for

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 7, 10)
INSTANT = dt.datetime(2026, 7, 10, 12, 30, tzinfo=dt.UTC)
LATE_EVENING = dt.datetime(2026, 7, 11, 1, 30, tzinfo=dt.UTC)
"""23:30 on 10 July at UTC−2: a reading of 11 July (its UTC day)."""

SPELLINGS: dict[str, list[Any]] = {
    "2026-07-10": [
        "2026-07-10",
        " 2026-07-10 ",
        "2026-07-10T00:00:00",
        "2026-07-10 00:00:00",
        dt.datetime(2026, 7, 10),  # a spreadsheet's date cell
    ],
    "2026-07-10T12:30:00+00:00": [
        "2026-07-10T12:30:00Z",
        "2026-07-10T12:30:00+00:00",
        "2026-07-10T14:30:00+02:00",
        "2026-07-10T07:30-05:00",
        "2026-07-10 12:30",  # no time zone: UTC
        dt.datetime(2026, 7, 10, 12, 30),
    ],
    "2026-07-11T01:30:00+00:00": [
        "2026-07-10T23:30:00-02:00",
        "2026-07-11T01:30:00Z",
    ],
}
"""Each moment's canonical text, and ways of writing it that people and systems
use."""

WAYS = ("api", "csv", "xlsx", "apply", "pull", "form")
PULLED = {"type": "sql", "connection": "local", "query": "select at, value from pulled"}


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[str, str, Any, float]:
    """One reading sent one way: the way, the moment's canonical text, how the
    moment is written, and the value."""
    canonical = draw(st.sampled_from(sorted(SPELLINGS)))
    spelling = draw(st.sampled_from(SPELLINGS[canonical]))
    way = draw(st.sampled_from(WAYS))
    if not isinstance(spelling, str) and way != "xlsx":
        spelling = spelling.isoformat(sep=" ")  # only a spreadsheet has cells
    if way == "form" and canonical != "2026-07-10":
        way = "api"  # the page's form records a day
    value = draw(st.sampled_from([1.0, 2.0, 3.5]))
    return way, canonical, spelling, value


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A SQLite database as the connection `local`, which csat is pulled from."""
    path = tmp_path / "warehouse.sqlite3"
    db = sqlite3.connect(path)
    db.execute("create table pulled (at text, value real)")
    db.commit()
    db.close()
    monkeypatch.setenv("DRUMBEAT_SOURCE_LOCAL_URL", f"sqlite:///{path}")
    yield path
    engines_dispose()


def _sender(
    tmp_path: Path, warehouse: Path, admin: User
) -> Callable[[str, Any, float], str | None]:
    """Sends one reading of csat one way: None when it was taken, else why not."""
    client = client_for(admin)

    def send(way: str, at: Any, value: float) -> str | None:
        if way == "api":
            body = {"readings": [{"kpi": "csat", "at": at, "value": value}]}
            answer = client.post(
                "/api/v1/readings", json.dumps(body), content_type="application/json"
            )
            if answer.status_code == 200:
                return None
            return " ".join(p["message"] for p in answer.json()["error"]["problems"])
        if way == "form":
            answer = client.post(
                "/kpis/csat/readings/", {"day": at.strip()[:10], "value": value}
            )
            return (
                None
                if answer.status_code == 302
                else html.unescape(answer.content.decode())
            )
        try:
            if way == "csv":
                path = tmp_path / "readings.csv"
                path.write_text(f"kpi,at,value\ncsat,{at},{value}\n", encoding="utf-8")
                readings_import_file(path=path, by=admin)
            elif way == "xlsx":
                path = tmp_path / "readings.xlsx"
                workbook = openpyxl.Workbook()
                sheet = workbook.active
                sheet.append(["kpi", "at", "value"])
                sheet.append(["csat", at, value])
                workbook.save(path)
                readings_import_file(path=path, by=admin)
            elif way == "apply":
                existing = "      - {at: 2026-07-03, value: 88}\n"
                added = f"      - {{at: '{at}', value: {value}}}\n"
                text = SMALL.replace(existing, existing + added, 1)
                # --overwrite: a file replaces a reading recorded another way
                # only when asked (tests/scorecard/test_apply_truth.py).
                workspace_apply(load_workspace_text(text), by=admin, overwrite=True)
            else:
                db = sqlite3.connect(warehouse)
                db.execute("delete from pulled")
                db.execute("insert into pulled values (?, ?)", (at, value))
                db.commit()
                db.close()
                # Set again each time: applying the file makes csat manual.
                KPI.objects.filter(key="csat").update(source=PULLED)
                outcome = source_pull(kpi=KPI.objects.get(key="csat"), run_id="run")
                return None if outcome.ok else outcome.message
        except (ImportRefusedError, WorkspaceError) as error:
            return str(error)
        return None

    return send


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sent=st.lists(deliveries(), min_size=1, max_size=6))
def test_one_current_reading_per_moment_whichever_way_and_order_it_came(
    small_workspace, users, tmp_path, warehouse, sent
):
    send = _sender(tmp_path, warehouse, users["admin"])
    with transaction.atomic():
        for way, _, at, value in sent:
            assert send(way, at, value) is None, (way, at)
        for canonical in {moment for _, moment, _, _ in sent}:
            values = [value for _, moment, _, value in sent if moment == canonical]
            readings = Reading.objects.filter(kpi__key="csat", at=canonical)
            current = readings.filter(superseded_at__isnull=True)
            assert [r.value for r in current] == [values[-1]], (canonical, sent)
            # Each change of value superseded the reading before it, kept.
            changes = [v for v, w in itertools.pairwise(values) if v != w]
            superseded = readings.filter(superseded_at__isnull=False).order_by("pk")
            assert [r.value for r in superseded] == changes, (canonical, sent)
        at_day = Reading.objects.filter(
            kpi__key="csat", superseded_at__isnull=True, day=DAY
        ).values_list("at", flat=True)
        assert len(at_day) == len(set(at_day))
        transaction.set_rollback(True)


def test_a_reading_in_the_api_and_the_same_day_in_a_csv_file_is_one_reading(
    small_workspace, users, tmp_path, warehouse
):
    """The report that started it: `2026-07-10T00:00:00` through the API, then
    `2026-07-10` from a CSV file, made two current readings of one day."""
    send = _sender(tmp_path, warehouse, users["admin"])
    assert send("api", "2026-07-10T00:00:00", 91.0) is None
    assert send("csv", "2026-07-10", 91.0) is None
    assert send("csv", "2026-07-10", 93.0) is None
    readings = Reading.objects.filter(kpi__key="csat", day=DAY).order_by("pk")
    assert [(r.at, r.value, r.superseded_at is None) for r in readings] == [
        ("2026-07-10", 91.0, False),
        ("2026-07-10", 93.0, True),
    ]
    assert [r.source for r in readings] == ["api", "import"]


def test_a_timestamp_is_kept_in_utc_and_counts_on_its_utc_day(
    small_workspace, users, tmp_path, warehouse
):
    send = _sender(tmp_path, warehouse, users["admin"])
    assert send("api", "2026-07-10T23:30:00-02:00", 90.0) is None
    reading = Reading.objects.get(kpi__key="csat", superseded_at__isnull=True, value=90)
    assert (reading.at, reading.day) == (
        "2026-07-11T01:30:00+00:00",
        LATE_EVENING.date(),
    )
    assert INSTANT.isoformat() == "2026-07-10T12:30:00+00:00"


FUTURE = "2026-12-01"
"""After tomorrow: the tests' clock stands on 2026-11-25."""
TOO_LATE = (
    "2026-12-01 is in the future: a reading may be dated 2026-11-26 at the latest "
    "(today is 2026-11-25); check the date"
)


@pytest.mark.parametrize("way", WAYS)
def test_a_reading_after_tomorrow_is_refused_whichever_way_it_comes(
    small_workspace, users, tmp_path, warehouse, way
):
    send = _sender(tmp_path, warehouse, users["admin"])
    before = Reading.objects.count()
    refusal = send(way, FUTURE, 90.0)
    assert refusal is not None
    assert TOO_LATE in refusal
    assert Reading.objects.count() == before
