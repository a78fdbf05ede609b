"""Exports of readings, KPI statuses, scores and check-ins, as CSV, XLSX and JSON:
the rows of the small workspace, the filters, the Export page and who may use
it, and queries that do not grow with the rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook  # type: ignore[import-untyped]

from drumbeat.exports.selectors import ExportError, export_filter, export_table
from drumbeat.exports.writers import csv_chunks, json_chunks, xlsx_write
from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.services.readings import reading_record
from drumbeat.okrs.models import CheckIn, KeyResult
from tests.conftest import client_for
from tests.okrs.closes import cycle_closed

pytestmark = pytest.mark.django_db

ROLES = ["admin", "editor", "owner", "viewer", "outsider"]
READING_HEADER = [
    "kpi",
    "kpi_name",
    "unit",
    "at",
    "day",
    "value",
    "note",
    "source",
    "source_detail",
    "recorded_by",
    "recorded_at",
    "superseded_at",
]


def _content(response: Any) -> bytes:
    """A streamed response's body, read to its end."""
    assert response.streaming
    return b"".join(response.streaming_content)


def _rows(kind: str, **filters: Any) -> list[tuple[Any, ...]]:
    return list(export_table(export_filter(kind=kind, **filters)).rows)


def _csv(kind: str, **filters: Any) -> list[dict[str, str]]:
    text = "".join(csv_chunks(export_table(export_filter(kind=kind, **filters))))
    return list(csv.DictReader(io.StringIO(text)))


def _json(kind: str, **filters: Any) -> dict[str, Any]:
    chosen = export_filter(kind=kind, **filters)
    moment = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
    document: dict[str, Any] = json.loads(
        "".join(json_chunks(export_table(chosen), chosen, moment))
    )
    return document


def _xlsx(kind: str, **filters: Any) -> list[tuple[Any, ...]]:
    stream = io.BytesIO()
    xlsx_write(export_table(export_filter(kind=kind, **filters)), stream)
    stream.seek(0)
    sheet = load_workbook(stream)[kind]
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def checkins(small_workspace, users) -> list[CheckIn]:
    kr = KeyResult.objects.get(key="csat-up")
    return [
        CheckIn.objects.create(
            key_result=kr,
            at=dt.date(2026, 7, 14),
            by=users["editor"],
            confidence=0.6,
            note="Survey redesign shipped",
            blockers="",
        ),
        CheckIn.objects.create(
            key_result=KeyResult.objects.get(key="churn-down"),
            at=dt.date(2026, 7, 21),
            by_name="Grace",
            confidence=0.3,
            note='=HYPERLINK("http://evil.example")',
            blockers="No data from billing",
        ),
    ]


# --- Readings ---------------------------------------------------------------------


@pytest.mark.usefixtures("small_workspace")
def test_readings_csv_has_every_current_reading_with_its_provenance():
    rows = _csv("readings")
    assert list(rows[0]) == READING_HEADER
    assert [(r["kpi"], r["at"], r["value"]) for r in rows] == [
        ("csat", "2026-06-26", "85"),
        ("csat", "2026-07-03", "88"),
        ("churn", "2026-06-30", "2.5"),
    ]
    first = rows[0]
    assert first["kpi_name"] == "Customer satisfaction"
    assert first["unit"] == "percent"
    assert first["source"] == "apply"
    assert first["recorded_by"] == ""
    assert first["superseded_at"] == ""
    recorded = dt.datetime.fromisoformat(first["recorded_at"])
    assert recorded.utcoffset() == dt.timedelta(0)
    assert abs((timezone.now() - recorded).total_seconds()) < 600


@pytest.mark.usefixtures("small_workspace")
def test_superseded_readings_are_exported_only_on_request(users):
    corrected = reading_record(
        kpi=KPI.objects.get(key="csat"),
        at=dt.date(2026, 7, 3),
        value=89,
        note="recounted",
        by=users["owner"],
        source_detail="survey tool",
    )
    current = _csv("readings", kpi_keys=["csat"])
    assert [(r["at"], r["value"], r["note"]) for r in current] == [
        ("2026-06-26", "85", ""),
        ("2026-07-03", "89", "recounted"),
    ]
    assert current[1]["recorded_by"] == "owner"
    assert current[1]["source"] == "manual"
    assert current[1]["source_detail"] == "survey tool"
    every = _csv("readings", kpi_keys=["csat"], superseded=True)
    assert [(r["at"], r["value"]) for r in every] == [
        ("2026-06-26", "85"),
        ("2026-07-03", "88"),
        ("2026-07-03", "89"),
    ]
    superseded = Reading.objects.get(kpi__key="csat", value=88).superseded_at
    assert superseded is not None
    assert every[1]["superseded_at"] == superseded.isoformat()
    assert every[2]["superseded_at"] == ""
    assert corrected.superseded_at is None


@pytest.mark.usefixtures("small_workspace")
def test_readings_xlsx_holds_typed_cells_under_a_header():
    rows = _xlsx("readings")
    assert list(rows[0]) == READING_HEADER
    assert len(rows) == 4
    csat = dict(zip(READING_HEADER, rows[1], strict=True))
    assert csat["kpi"] == "csat"
    assert csat["value"] == 85
    assert csat["day"] == dt.datetime(2026, 6, 26)  # a date cell
    assert isinstance(csat["recorded_at"], dt.datetime)
    assert csat["recorded_at"].tzinfo is None  # UTC: Excel has no time zones
    assert csat["note"] is None
    assert dict(zip(READING_HEADER, rows[3], strict=True))["value"] == 2.5


@pytest.mark.usefixtures("small_workspace")
def test_readings_json_is_a_versioned_document_of_row_objects():
    document = _json("readings", kpi_keys=["churn"])
    assert document["schema"] == 1
    assert document["kind"] == "readings"
    assert document["exported_at"] == "2026-11-25T09:30:00+00:00"
    assert document["filter"] == {"kpi": ["churn"]}
    assert document["columns"] == READING_HEADER
    assert len(document["rows"]) == 1
    row = document["rows"][0]
    assert set(row) == set(READING_HEADER)
    assert row["value"] == 2.5
    assert row["day"] == "2026-06-30"
    assert row["superseded_at"] is None
    assert row["recorded_by"] is None


@pytest.mark.usefixtures("small_workspace")
def test_an_empty_export_is_still_well_formed():
    assert _csv("readings", since=dt.date(2027, 1, 1)) == []
    assert _json("readings", since=dt.date(2027, 1, 1))["rows"] == []
    assert _xlsx("readings", since=dt.date(2027, 1, 1)) == [tuple(READING_HEADER)]


# --- Statuses, scores, check-ins --------------------------------------------------


@pytest.mark.usefixtures("small_workspace")
def test_statuses_are_each_kpis_stored_health_stale_and_lifecycle():
    rows = _csv("statuses")
    assert list(rows[0]) == [
        "kpi",
        "kpi_name",
        "team",
        "perspective",
        "tier",
        "unit",
        "as_of",
        "health",
        "threshold_health",
        "stale",
        "lifecycle",
        "latest_day",
        "latest_value",
        "signals",
        "computed_at",
    ]
    today = timezone.localdate().isoformat()
    assert [
        (
            r["kpi"],
            r["team"],
            r["tier"],
            r["as_of"],
            r["health"],
            r["stale"],
            r["lifecycle"],
            r["latest_day"],
            r["latest_value"],
            r["signals"],
        )
        for r in rows
    ] == [
        (
            "csat",
            "support",
            "key",
            today,
            "amber",
            "true",
            "at_risk",
            "2026-07-03",
            "88",
            "[]",
        ),
        (
            "churn",
            "support",
            "secondary",
            today,
            "red",
            "true",
            "at_risk",
            "2026-06-30",
            "2.5",
            "[]",
        ),
    ]
    document = _json("statuses", kpi_keys=["csat"])
    assert document["rows"][0]["stale"] is True
    assert document["rows"][0]["signals"] == []
    assert document["rows"][0]["latest_value"] == 88


SCORES = [
    (
        "2026-Q3",
        "objective",
        "happier",
        "",
        "Customers are happier with support",
        "support",
        "",
        "",
        "",
        "",
        "",
        "0.3",
        "red",
    ),
    (
        "2026-Q3",
        "key_result",
        "happier",
        "csat-up",
        "csat",
        "change",
        "1",
        "85",
        "88",
        "95",
        "0.3",
        "0.3",
        "red",
    ),
    (
        "2026-Q3",
        "key_result",
        "happier",
        "churn-down",
        "churn",
        "change",
        "1",
        "2.5",
        "",
        "1.5",
        "",
        "",
        "",
    ),
]


def _score_row(row: dict[str, str]) -> tuple[str, ...]:
    if row["level"] == "objective":
        names = [
            "cycle",
            "level",
            "objective",
            "key_result",
            "title",
            "team",
            "kpi",
            "kind",
            "weight",
            "baseline",
            "current",
            "score",
            "grade",
        ]
    else:
        names = [
            "cycle",
            "level",
            "objective",
            "key_result",
            "kpi",
            "kind",
            "weight",
            "baseline",
            "current",
            "target",
            "progress",
            "score",
            "grade",
        ]
    return tuple(row[name] for name in names)


@pytest.mark.usefixtures("small_workspace")
def test_scores_list_each_objective_then_its_key_results():
    rows = _csv("scores")
    assert list(rows[0]) == [
        "cycle",
        "level",
        "objective",
        "key_result",
        "title",
        "team",
        "owner",
        "commitment",
        "kpi",
        "kind",
        "weight",
        "baseline",
        "current",
        "target",
        "progress",
        "score",
        "grade",
        "state",
        "outcome",
        "restated_score",
        "restated_grade",
        "restated_because",
    ]
    assert [_score_row(r) for r in rows] == SCORES
    assert {r["state"] for r in rows} == {"closing"}
    assert {r["owner"] for r in rows} == {"Grace"}
    assert {r["commitment"] for r in rows} == {"aspirational"}


@pytest.mark.usefixtures("small_workspace")
def test_scores_in_xlsx_and_json_are_numbers():
    sheet = _xlsx("scores")
    kr = dict(zip(sheet[0], sheet[2], strict=True))
    assert (kr["baseline"], kr["current"], kr["target"], kr["score"]) == (
        85,
        88,
        95,
        0.3,
    )
    assert kr["grade"] == "red"
    rows = _json("scores")["rows"]
    assert rows[0]["level"] == "objective"
    assert rows[0]["score"] == 0.3
    assert rows[2]["score"] is None
    assert rows[2]["grade"] is None
    assert rows[2]["target"] == 1.5


@pytest.mark.usefixtures("small_workspace")
def test_a_band_target_is_a_json_list_or_json_text():
    KeyResult.objects.filter(key="csat-up").update(kind="sustain", target=[90, 100])
    assert _json("scores")["rows"][1]["target"] == [90, 100]
    assert _csv("scores")[1]["target"] == "[90, 100]"
    assert _xlsx("scores")[2][13] == "[90, 100]"


def test_checkins_with_who_confidence_note_and_blockers(checkins):
    rows = _csv("checkins")
    assert list(rows[0]) == [
        "cycle",
        "objective",
        "key_result",
        "kpi",
        "team",
        "at",
        "by",
        "confidence",
        "note",
        "blockers",
        "recorded_at",
    ]
    assert [
        (
            r["cycle"],
            r["objective"],
            r["key_result"],
            r["kpi"],
            r["team"],
            r["at"],
            r["by"],
            r["confidence"],
            r["blockers"],
        )
        for r in rows
    ] == [
        (
            "2026-Q3",
            "happier",
            "csat-up",
            "csat",
            "support",
            "2026-07-14",
            "editor",
            "0.6",
            "",
        ),
        (
            "2026-Q3",
            "happier",
            "churn-down",
            "churn",
            "support",
            "2026-07-21",
            "Grace",
            "0.3",
            "No data from billing",
        ),
    ]
    assert rows[0]["note"] == "Survey redesign shipped"


def test_text_that_looks_like_a_formula_stays_text(checkins):
    assert _csv("checkins")[1]["note"] == '\'=HYPERLINK("http://evil.example")'
    stream = io.BytesIO()
    xlsx_write(export_table(export_filter(kind="checkins")), stream)
    stream.seek(0)
    cell = load_workbook(stream)["checkins"]["I3"]
    assert cell.value == '=HYPERLINK("http://evil.example")'
    assert cell.data_type == "s"
    assert _json("checkins")["rows"][1]["note"] == '=HYPERLINK("http://evil.example")'


# --- Filters ----------------------------------------------------------------------


@pytest.mark.usefixtures("small_workspace")
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [("csat", "2026-06-26"), ("csat", "2026-07-03"), ("churn", "2026-06-30")]),
        (
            {"team": "support"},
            [("csat", "2026-06-26"), ("csat", "2026-07-03"), ("churn", "2026-06-30")],
        ),
        ({"team": "company"}, []),
        ({"tier": "key"}, [("csat", "2026-06-26"), ("csat", "2026-07-03")]),
        ({"perspective": "financial"}, [("churn", "2026-06-30")]),
        (
            {"kpi_keys": ["churn", "csat"]},
            [("csat", "2026-06-26"), ("csat", "2026-07-03"), ("churn", "2026-06-30")],
        ),
        ({"cycle": "2026-Q3"}, [("csat", "2026-07-03")]),
        (
            {"since": dt.date(2026, 6, 30)},
            [("csat", "2026-07-03"), ("churn", "2026-06-30")],
        ),
        (
            {"until": dt.date(2026, 6, 30)},
            [("csat", "2026-06-26"), ("churn", "2026-06-30")],
        ),
        (
            {"since": dt.date(2026, 6, 27), "until": dt.date(2026, 6, 30)},
            [("churn", "2026-06-30")],
        ),
    ],
)
def test_readings_filters(filters, expected):
    assert [(r[0], r[3]) for r in _rows("readings", **filters)] == expected


@pytest.mark.usefixtures("small_workspace")
def test_status_filters_choose_kpis():
    assert [r[0] for r in _rows("statuses", tier="key")] == ["csat"]
    assert [r[0] for r in _rows("statuses", perspective="financial")] == ["churn"]
    assert [r[0] for r in _rows("statuses", cycle="2026-Q3")] == ["csat", "churn"]
    assert [r[0] for r in _rows("statuses", team="company")] == []


@pytest.mark.usefixtures("small_workspace")
def test_score_filters_choose_objectives_and_their_key_results():
    def keys(**filters: Any) -> list[tuple[str, str | None]]:
        return [(r[2], r[3]) for r in _rows("scores", **filters)]

    everything = [("happier", None), ("happier", "csat-up"), ("happier", "churn-down")]
    assert keys(cycle="2026-Q3") == everything
    assert keys(team="support") == everything
    assert keys(team="company") == []
    assert keys(kpi_keys=["churn"]) == [("happier", None), ("happier", "churn-down")]
    assert keys(tier="key") == [("happier", None), ("happier", "csat-up")]
    assert keys(since=dt.date(2026, 9, 30)) == everything  # overlaps the cycle
    assert keys(since=dt.date(2026, 10, 1)) == []
    assert keys(until=dt.date(2026, 6, 30)) == []


def test_checkin_filters(checkins):
    def krs(**filters: Any) -> list[str]:
        return [r[2] for r in _rows("checkins", **filters)]

    assert krs() == ["csat-up", "churn-down"]
    assert krs(kpi_keys=["csat"]) == ["csat-up"]
    assert krs(perspective="financial") == ["churn-down"]
    assert krs(since=dt.date(2026, 7, 15)) == ["churn-down"]
    assert krs(until=dt.date(2026, 7, 14)) == ["csat-up"]
    assert krs(team="company") == []
    assert krs(cycle="2026-Q3") == ["csat-up", "churn-down"]


@pytest.mark.usefixtures("small_workspace")
@pytest.mark.parametrize(
    ("filters", "field", "message"),
    [
        (
            {"kind": "kpis"},
            "kind",
            "Choose one of readings, scores, statuses, checkins, not 'kpis'.",
        ),
        ({"team": "sales"}, "team", "No team 'sales'."),
        ({"cycle": "2030-Q1"}, "cycle", "No cycle '2030-Q1'."),
        (
            {"kpi_keys": ["csat", "nps", "mrr"]},
            "kpi_keys",
            "No KPI 'nps', 'mrr' in the dictionary.",
        ),
        ({"tier": "gold"}, "tier", "No tier 'gold': choose key, secondary, transient."),
        (
            {"perspective": "people"},
            "perspective",
            "No perspective 'people': choose financial, customer, internal, learning.",
        ),
        (
            {"since": dt.date(2026, 7, 2), "until": dt.date(2026, 7, 1)},
            "until",
            "2026-07-01 is before 2026-07-02: swap the dates.",
        ),
        (
            {"kind": "statuses", "since": dt.date(2026, 7, 1)},
            "since",
            "KPI statuses are as of their last refresh: leave the dates empty.",
        ),
        (
            {"kind": "scores", "superseded": True},
            "superseded",
            "Only readings have superseded values.",
        ),
    ],
)
def test_a_bad_filter_is_refused_naming_the_field(filters, field, message):
    with pytest.raises(ExportError) as refused:
        export_filter(**{"kind": "readings", **filters})
    assert (refused.value.field, refused.value.message) == (field, message)


def _queries(kind: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        table = export_table(export_filter(kind=kind, team="support"))
        for _ in table.rows:
            pass
    return len(captured)


@pytest.mark.usefixtures("small_workspace")
@pytest.mark.parametrize("kind", ["readings", "statuses", "scores", "checkins"])
def test_an_export_reads_in_the_same_number_of_queries_at_any_size(kind, users):
    small = _queries(kind)
    csat = KPI.objects.get(key="csat")
    Reading.objects.bulk_create(
        Reading(
            kpi=csat,
            at=(dt.date(2025, 1, 1) + dt.timedelta(days=n)).isoformat(),
            day=dt.date(2025, 1, 1) + dt.timedelta(days=n),
            value=80 + n % 10,
            source="import",
            recorded_by=users["owner"],
        )
        for n in range(300)
    )
    kr = KeyResult.objects.get(key="csat-up")
    CheckIn.objects.bulk_create(
        CheckIn(
            key_result=kr, at=dt.date(2026, 7, 1), by=users["editor"], confidence=0.5
        )
        for _ in range(50)
    )
    KPI.objects.bulk_create(
        KPI(
            key=f"extra-{n}",
            name=f"Extra {n}",
            direction="up",
            tier="secondary",
            team=csat.team,
        )
        for n in range(20)
    )
    assert len(list(export_table(export_filter(kind=kind, team="support")).rows)) > 0
    assert _queries(kind) == small


# --- The Export page --------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/exports/", "/exports/download/?kind=readings&format=csv"]
)
def test_anonymous_visitors_are_sent_to_sign_in(url):
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


@pytest.mark.usefixtures("small_workspace")
@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_may_export(users, role):
    client = client_for(users[role])
    page = client.get("/exports/")
    assert page.status_code == 200
    assert 'action="/exports/download/"' in page.content.decode()
    response = client.get("/exports/download/", {"kind": "readings", "format": "csv"})
    assert response.status_code == 200
    text = _content(response).decode()
    assert text.splitlines()[0] == ",".join(READING_HEADER)
    assert len(text.splitlines()) == 4


@pytest.mark.usefixtures("small_workspace")
def test_a_csv_download_is_streamed_as_an_attachment(users):
    response = client_for(users["viewer"]).get(
        "/exports/download/",
        {"kind": "statuses", "format": "csv", "tier": "key"},
    )
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="drumbeat-statuses-{today}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(_content(response).decode())))
    assert [r["kpi"] for r in rows] == ["csat"]


@pytest.mark.usefixtures("small_workspace")
def test_an_xlsx_download_reads_back(users):
    response = client_for(users["viewer"]).get(
        "/exports/download/", {"kind": "scores", "format": "xlsx", "cycle": "2026-Q3"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "drumbeat-scores-" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(_content(response)))
    rows = list(workbook["scores"].iter_rows(values_only=True))
    assert [row[3] for row in rows[1:]] == [None, "csat-up", "churn-down"]


@pytest.mark.usefixtures("small_workspace")
def test_a_json_download_names_its_filter(users):
    response = client_for(users["editor"]).get(
        "/exports/download/",
        {
            "kind": "readings",
            "format": "json",
            "kpi": "csat, churn",
            "superseded": "on",
        },
    )
    assert response["Content-Type"] == "application/json"
    document = json.loads(_content(response))
    assert document["filter"] == {"kpi": ["csat", "churn"], "superseded": True}
    assert len(document["rows"]) == 3


@pytest.mark.usefixtures("small_workspace")
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"kpi": "csat nps"}, "kpi", "No KPI 'nps' in the dictionary."),
        ({"team": "sales"}, "team", "Select a valid choice."),
        ({"since": "2026-13-01"}, "since", "Enter a valid date."),
        (
            {"since": "2026-07-02", "until": "2026-07-01"},
            "until",
            "2026-07-01 is before 2026-07-02: swap the dates.",
        ),
        (
            {"kind": "statuses", "until": "2026-07-01"},
            "until",
            "KPI statuses are as of their last refresh: leave the dates empty.",
        ),
        ({"format": "pdf"}, "format", "Select a valid choice."),
    ],
)
def test_a_bad_export_request_shows_the_form_with_the_field_message(
    users, query, field, message
):
    response = client_for(users["viewer"]).get(
        "/exports/download/", {"kind": "readings", "format": "csv", **query}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(error.startswith(message) for error in errors)


@pytest.mark.usefixtures("small_workspace")
def test_the_export_page_is_filled_in_from_its_link(users):
    page = (
        client_for(users["viewer"])
        .get("/exports/", {"kind": "scores", "cycle": "2026-Q3"})
        .content.decode()
    )
    assert re.search(r'<input[^>]*value="scores"[^>]*checked', page)
    assert not re.search(r'<input[^>]*value="readings"[^>]*checked', page)
    assert '<option value="2026-Q3" selected>' in page


@pytest.mark.usefixtures("small_workspace")
def test_the_dashboard_links_to_an_export_of_the_kpis_it_shows(users):
    page = client_for(users["viewer"]).get("/", {"team": "support", "tier": "key"})
    link = re.search(r'<a href="([^"]+)" data-export-link>', page.content.decode())
    assert link is not None
    assert link.group(1).replace("&amp;", "&") == (
        "/exports/?kind=statuses&team=support&tier=key&perspective="
    )


@pytest.mark.usefixtures("small_workspace")
def test_the_cycle_board_links_to_an_export_of_its_scores(users):
    page = client_for(users["viewer"]).get("/cycles/2026-Q3/").content.decode()
    link = re.search(r'<a href="([^"]+)"[^>]*data-export-link>', page)
    assert link is not None
    assert link.group(1).replace("&amp;", "&") == "/exports/?kind=scores&cycle=2026-Q3"


def test_a_closed_cycle_s_scores_are_its_final_grades_with_restatements(
    small_workspace, users
):
    Reading.objects.update(recorded_at=dt.datetime(2026, 10, 5, tzinfo=dt.UTC))
    cycle_closed(
        "2026-Q3", by=users["admin"], at=dt.datetime(2026, 10, 6, tzinfo=dt.UTC)
    )
    reading_record(
        kpi=KPI.objects.get(key="csat"), at="2026-07-03", value=92, by=users["admin"]
    )
    objective, kr = _json("scores")["rows"][:2]
    because = "csat corrected on 2026-11-25 by admin"
    assert (objective["score"], objective["grade"], objective["outcome"]) == (
        0.3,
        "red",
        "fell_short",
    )
    assert (objective["state"], objective["restated_score"]) == ("closed", 0.7)
    assert (kr["score"], kr["restated_grade"], kr["restated_because"]) == (
        0.3,
        "green",
        because,
    )
