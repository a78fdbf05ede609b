"""The board report of a cycle (/cycles/<key>/report/ and its PDF): what each
section shows, who may read it and write its commentary, and a closed cycle's
report reading its snapshot whatever is corrected later."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from drumbeat.core.attribution import OUTCOME_WORDS, CycleOutcome
from drumbeat.core.model import Reading
from drumbeat.kpis.models import KPI
from drumbeat.kpis.services.readings import reading_record
from drumbeat.okrs.models import Cycle, CycleClose, Objective, Retrospective
from drumbeat.reports.models import ReportCommentary
from drumbeat.reports.pdf import NotServedError, static_file
from drumbeat.reports.selectors import board_report
from drumbeat.scorecard.attribution import cycle_kpis_attribution
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import SMALL, client_for
from tests.reports.closes import close_for_test

REPORT = "/cycles/2026-Q3/report/"
PDF = "/cycles/2026-Q3/report.pdf"

WORKSPACE = """\
version: 1
organisation: Test Co
teams:
  - {key: support, name: Support}
kpis:
  - key: csat
    name: Customer satisfaction
    unit: percent
    cadence: weekly
    owner: Grace
    team: support
    perspective: customer
    tier: key
    north_star: true
    thresholds: {green: 90, red: 80}
    readings:
      - {at: 2025-09-26, value: 85}
      - {at: 2026-05-08, value: 86}
      - {at: 2026-05-15, value: 85}
      - {at: 2026-05-22, value: 86}
      - {at: 2026-05-29, value: 85}
      - {at: 2026-06-05, value: 86}
      - {at: 2026-06-12, value: 85}
      - {at: 2026-06-19, value: 86}
      - {at: 2026-07-03, value: 86}
      - {at: 2026-09-25, value: 92}
  - key: churn
    name: Logo churn
    direction: down
    unit: percent
    cadence: monthly
    owner: Ada
    perspective: financial
    tier: key
    thresholds: {green: 1.5, red: 2}
    readings:
      - {at: 2026-06-30, value: 2.5}
      - {at: 2026-09-30, value: 2.4}
  - key: tickets
    name: Tickets a week
    cadence: weekly
    perspective: internal
    tier: secondary
    readings:
      - {at: 2026-07-03, value: 100}
""" + SMALL[SMALL.index("cycles:\n") :]  # the small workspace's cycle and objective


@pytest.fixture
def reported(db):
    workspace_apply(load_workspace_text(WORKSPACE))
    return Cycle.objects.get(key="2026-Q3")


def test_the_north_star_and_key_kpis_with_value_health_and_movements(reported):
    report = board_report(reported)
    assert [row.key for row in report.north_star] == ["csat"]
    assert [
        (name, [row.key for row in rows]) for name, rows in report.perspectives
    ] == [("financial", ["churn"])]
    csat = report.north_star[0]
    assert (csat.value, csat.health) == (92, "green")
    assert report.as_of == dt.date(2026, 9, 30)
    assert (csat.over_cycle.movement.first, csat.over_cycle.movement.last) == (
        Reading(dt.date(2026, 6, 19), 86),
        Reading(dt.date(2026, 9, 25), 92),
    )
    assert (csat.year.first, csat.year.last) == (
        Reading(dt.date(2025, 9, 26), 85),
        Reading(dt.date(2026, 9, 25), 92),
    )
    assert csat.chart is not None
    assert csat.chart.cycle_x is not None


def test_a_kpi_moved_beyond_its_noise_is_shown_with_the_okrs_behind_it(reported):
    report = board_report(reported)
    moved = {m.kpi.key: m for m in report.moved}
    assert list(moved) == ["csat"]
    assert moved["csat"].kpi.over_cycle.outcome is CycleOutcome.MOVED
    assert [(kr.key, kr.baseline, kr.achieved) for kr in moved["csat"].key_results] == [
        ("csat-up", 86, 92)
    ]


def test_red_kpis_are_the_exceptions_with_their_owner_and_krs(reported):
    report = board_report(reported)
    assert [(e.kpi.key, e.kpi.owner) for e in report.exceptions] == [("churn", "Ada")]
    assert [kr.key for kr in report.exceptions[0].key_results] == ["churn-down"]


def test_an_open_cycle_shows_current_scores_and_outcomes(reported):
    objective = board_report(reported).objectives[0]
    assert (objective.key, objective.grade, objective.outcome) == (
        "happier",
        "red",
        "fell_short",
    )
    assert [kr.score for kr in objective.key_results] == pytest.approx([6 / 9, 0.1])


def test_the_page_shows_each_section_and_its_numbers(reported, users):
    Retrospective.objects.create(
        cycle=reported,
        objective=Objective.objects.get(key="happier"),
        happened="Response times halved.\nMore later.",
    )
    page = client_for(users["viewer"]).get(REPORT).content.decode()
    for heading in ("Key KPIs", "Objectives and outcomes", "Exceptions"):
        assert heading in page
    assert (
        "86 → 92 (+6 percent, 2.3× noise, moved beyond its noise, as targeted)" in page
    )
    assert "2.5 → 2.4 (−0.1 percent, too few readings to judge)" in page
    assert "85 → 92 (+7 percent)" in page
    assert "66% yellow" in page
    assert "38% red" in page
    assert "fell short" in page
    assert "Retrospective:</em> Response times halved." in page
    assert "More later." not in page
    assert "happier/csat-up: 86 → 92" in page
    assert "happier/churn-down: target 1.5, 10% red" in page
    assert '<polyline fill="none" stroke="#2f5d8a" stroke-width="1.2" points="' in page
    assert 'href="/cycles/2026-Q3/"' in page
    assert 'href="/cycles/2026-Q3/report.pdf"' in page


def test_the_cycle_board_links_to_its_report(reported, users):
    page = client_for(users["viewer"]).get("/cycles/2026-Q3/").content.decode()
    assert f'href="{REPORT}"' in page


# --- Moved beyond its noise: attribution's rule ------------------------------------

# Thirteen weeks alternating 50 and 51 before 2026-Q3 (mean 50.5, noise 2.66), then
# eight weeks just above the mean: a run of eight on one side, a small change.
START = dt.date(2026, 4, 3)
CREEPING = (
    """\
version: 1
organisation: Test Co
kpis:
  - key: nps
    name: Net promoter score
    unit: pts
    cadence: weekly
    tier: key
    thresholds: {green: 55, red: 45}
    readings:
"""
    + "".join(
        f"      - {{at: {START + dt.timedelta(weeks=week)}, value: {value}}}\n"
        for week, value in enumerate(
            [50, 51] * 6 + [50] + [51.2, 51.3, 51.2, 51.4, 51.3, 51.2, 51.3, 51.4]
        )
    )
    + """\
cycles:
  - {key: 2026-Q3, start: 2026-07-01, end: 2026-09-30}
objectives:
  - key: promoters
    title: More promoters
    cycle: 2026-Q3
    key_results:
      - {key: nps-up, kpi: nps, target: 55}
"""
)


def test_the_report_and_attribution_agree_a_small_steady_rise_moved(db, users):
    """The change alone (50 → 51.4, half the noise) is within the noise, which the
    report's own rule said; eight readings on the targeted side are a signal,
    which attribution says. The report now says what attribution says."""
    workspace_apply(load_workspace_text(CREEPING))
    cycle = Cycle.objects.get(key="2026-Q3")
    close_for_test(cycle, users["admin"])
    groups = cycle_kpis_attribution(cycle, dt.date(2026, 11, 25))
    assert groups is not None
    (verdict,) = groups.moved
    assert verdict.outcome is CycleOutcome.MOVED
    assert verdict.movement.beyond_noise is False  # the report's old rule

    report = board_report(cycle)
    ((_, (row,)),) = report.perspectives
    assert row.over_cycle.outcome is verdict.outcome
    assert [moved.kpi.key for moved in report.moved] == ["nps"]
    page = client_for(users["viewer"]).get(REPORT).content.decode()
    cell = "50 → 51.4 (+1.4 pts, 0.5× noise, moved beyond its noise, as targeted)"
    assert OUTCOME_WORDS[verdict.outcome] in cell
    assert page.count(cell) == 2  # the key KPIs' row and the moved KPIs' row
    assert "within noise" not in page


# --- Who may read it and write its commentary -----------------------------------


@pytest.mark.parametrize("role", [None, "admin", "editor", "owner", "viewer"])
def test_every_signed_in_role_reads_the_report_anonymous_signs_in(
    reported, users, role
):
    response = client_for(users[role] if role else None).get(REPORT)
    if role is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=")
    else:
        assert response.status_code == 200
        page = response.content.decode()
        assert ("Save commentary" in page) is (role == "admin")


@pytest.mark.parametrize("role", [None, "admin", "editor", "owner", "viewer"])
def test_only_admins_write_commentary(reported, users, role):
    response = client_for(users[role] if role else None).post(
        f"{REPORT}commentary/kpis/", {"text": "A good quarter.", "version": "0"}
    )
    if role is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=")
    elif role == "admin":
        assert response.status_code == 302
        assert response["Location"] == f"{REPORT}#kpis"
    else:
        assert response.status_code == 403
    written = ReportCommentary.objects.filter(cycle=reported, section="kpis")
    assert [c.text for c in written] == (["A good quarter."] if role == "admin" else [])


def test_commentary_is_kept_with_who_and_when_and_shown(reported, users):
    admin = client_for(users["admin"])
    admin.post(
        f"{REPORT}commentary/exceptions/", {"text": "Churn: fix", "version": "0"}
    )
    admin.post(
        f"{REPORT}commentary/exceptions/", {"text": "Churn: fixed", "version": "1"}
    )
    commentary = ReportCommentary.objects.get(cycle=reported, section="exceptions")
    assert (commentary.text, commentary.version) == ("Churn: fixed", 2)
    assert [h.text for h in commentary.history.order_by("history_id")] == [
        "Churn: fix",
        "Churn: fixed",
    ]
    assert commentary.history.first().history_user == users["admin"]
    page = client_for(users["viewer"]).get(REPORT).content.decode()
    assert "Churn: fixed" in page


def test_a_stale_commentary_form_is_refused_with_who_changed_it(reported, users):
    admin = client_for(users["admin"])
    admin.post(f"{REPORT}commentary/kpis/", {"text": "First", "version": "0"})
    response = admin.post(
        f"{REPORT}commentary/kpis/", {"text": "Second", "version": "0"}
    )
    assert response.status_code == 400
    assert "Changed by admin at" in response.content.decode()
    assert ReportCommentary.objects.get(section="kpis").text == "First"


def test_commentary_on_a_section_that_does_not_exist_is_not_found(reported, users):
    response = client_for(users["admin"]).post(
        f"{REPORT}commentary/gossip/", {"text": "x", "version": "0"}
    )
    assert response.status_code == 404


def test_too_long_a_commentary_is_refused_with_the_limit(reported, users):
    response = client_for(users["admin"]).post(
        f"{REPORT}commentary/kpis/", {"text": "x" * 5001, "version": "0"}
    )
    assert response.status_code == 400
    assert "at most 5000 characters" in response.content.decode()
    assert not ReportCommentary.objects.exists()


# --- The PDF ----------------------------------------------------------------------


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("role", [None, "viewer", "admin"])
def test_the_pdf_is_laid_out_on_the_server_for_anyone_signed_in(reported, users, role):
    response = client_for(users[role] if role else None).get(PDF)
    if role is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="drumbeat-report-2026-Q3.pdf"' in response["Content-Disposition"]
    pages, text = pdf_text(response.content)
    assert pages == 3  # one section a page: the print stylesheet is applied
    for heading in ("Key KPIs", "Objectives and outcomes", "Exceptions"):
        assert heading in text
    assert "Drumbeat board report · 2026-Q3" in text
    assert "Save commentary" not in text


def test_the_pdf_on_us_letter(reported, users):
    response = client_for(users["viewer"]).get(f"{PDF}?paper=letter")
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
        612,
        792,
    )


def test_the_pdf_fetches_static_files_from_disk_and_nothing_else():
    body, kind = static_file("https://drumbeat.invalid/static/drumbeat/report.css")
    assert kind == "text/css"
    assert b"@media print" in body
    for address in (
        "https://example.com/static/drumbeat/report.css",
        "https://drumbeat.invalid/static/../settings.py",
        "file:///etc/passwd",
    ):
        with pytest.raises(NotServedError, match="Not fetched for the report's PDF"):
            static_file(address)


# --- A closed cycle's report reads its snapshot -----------------------------------


def test_a_closed_cycle_shows_its_final_grades(reported, users):
    close_for_test(reported, users["admin"])
    report = board_report(reported)
    assert report.final
    objective = report.objectives[0]
    assert (objective.grade, objective.outcome) == ("red", "fell_short")
    page = client_for(users["viewer"]).get(REPORT).content.decode()
    assert "final 38% red" in page


def test_a_correction_after_the_close_does_not_change_the_report(
    reported, users, time_machine
):
    close_for_test(reported, users["admin"])
    before = pdf_text(client_for(users["viewer"]).get(PDF).content)
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC))
    reading_record(
        kpi=KPI.objects.get(key="csat"), at="2026-09-25", value=95, by=users["admin"]
    )
    report = board_report(reported)
    assert report.north_star[0].value == 92
    assert report.objectives[0].key_results[0].achieved == 92
    assert pdf_text(client_for(users["viewer"]).get(PDF).content) == before


def test_an_open_cycle_report_follows_a_correction(reported, users):
    reading_record(
        kpi=KPI.objects.get(key="csat"), at="2026-09-25", value=95, by=users["admin"]
    )
    assert board_report(reported).north_star[0].value == 95


# --- Cost -------------------------------------------------------------------------


def more_kpis_and_objectives(count: int) -> str:
    kpis = "".join(
        f"""  - key: extra-{n}
    name: Extra {n}
    perspective: internal
    tier: key
    thresholds: {{green: 10, red: 5}}
    readings:
      - {{at: 2026-07-0{1 + n % 8}, value: {n}}}
"""
        for n in range(count)
    )
    objectives = "".join(
        f"""  - key: more-{n}
    title: More {n}
    cycle: 2026-Q3
    key_results:
      - {{key: kr, kpi: extra-{n}, target: 20}}
"""
        for n in range(count)
    )
    text = WORKSPACE.replace("cycles:\n", kpis + "cycles:\n")
    return text + objectives


@pytest.mark.parametrize("closed", [False, True])
def test_the_report_page_costs_the_same_queries_at_two_sizes(db, users, closed):
    counts = []
    for size in (1, 8):
        CycleClose.objects.all().delete()  # a closed cycle's objectives are frozen
        workspace_apply(load_workspace_text(more_kpis_and_objectives(size)))
        cycle = Cycle.objects.get(key="2026-Q3")
        if closed:
            close_for_test(cycle, users["admin"])
        client = client_for(users["admin"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(REPORT).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_kr_s_numbers_take_the_decimals_of_its_kpi_s_readings(reported):
    """csat is read in whole numbers, churn with one decimal (2.5)."""
    objective = board_report(reported).objectives[0]
    assert {kr.key: kr.decimals for kr in objective.key_results} == {
        "csat-up": 0,
        "churn-down": 1,
    }
