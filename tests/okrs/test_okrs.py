"""The cycle board and the weekly check-in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.services.readings import reading_record
from drumbeat.okrs.models import CheckIn, Cycle, KeyResult, Objective
from tests.conftest import client_for, words

pytestmark = pytest.mark.django_db

CHECK_IN = "/objectives/happier/key-results/csat-up/check-ins/"


def test_the_cycle_board_shows_scores_grades_and_baseline_current_target(
    small_workspace, users
):
    page = client_for(users["viewer"]).get("/cycles/2026-Q3/").content.decode()
    assert "Customers are happier with support" in page
    # csat-up: baseline 85 → current 88 → target 95 is 30%, red.
    row = page[page.index('data-kr="csat-up"') :]
    row = row[: row.index("</tr>")]
    assert "85 → 88 → 95" in row
    assert "30% · red" in row


def test_a_score_of_exactly_70_percent_in_floating_point_is_green_on_the_board(
    small_workspace, users
):
    """Baseline 18, target 30, current 26.4: 0.6999999999999998 in floating
    point, which is 0.7: green, and shown as 70%, not 69%."""
    KeyResult.objects.filter(key="csat-up").update(baseline=18, target=30)
    reading_record(
        kpi=KPI.objects.get(key="csat"),
        at=dt.date(2026, 7, 10),
        value=26.4,
        by=users["admin"],
    )
    page = client_for(users["viewer"]).get("/cycles/2026-Q3/").content.decode()
    row = page[page.index('data-kr="csat-up"') :]
    row = row[: row.index("</tr>")]
    assert "18.0 → 26.4 → 30.0" in row  # the decimals of its readings
    assert "70% · green" in row


def test_the_okrs_link_opens_the_latest_cycle(small_workspace, users):
    response = client_for(users["viewer"]).get("/cycles/")
    assert response.status_code == 302
    assert response["Location"] == "/cycles/2026-Q3/"


def test_the_okrs_link_opens_the_running_quarter_not_its_year(
    sample_workspace, users, time_machine
):
    # On 15 January 2027 both fy2027 and its 2027-Q1 are running.
    time_machine.move_to(dt.datetime(2027, 1, 15, 9, tzinfo=dt.UTC))
    response = client_for(users["viewer"]).get("/cycles/")
    assert response["Location"] == "/cycles/2027-Q1/"


def test_the_alignment_tree_puts_team_objectives_under_company_ones(
    sample_workspace, users
):
    page = client_for(users["viewer"]).get("/cycles/2026-Q4/").content.decode()
    tree = page[page.index('class="alignment"') :]
    company = tree.index("Grow with the customers we already have")
    assert company < tree.index("<ul>", company)


def test_the_cycle_board_runs_constant_queries(sample_workspace, users):
    """The running 2026-Q4 (its KRs' hit forecasts shown) before and after three
    more objectives with a KR each."""
    client = client_for(users["viewer"])
    counts = []
    for more in (0, 3):
        cycle = Cycle.objects.get(key="2026-Q4")
        for index in range(more):
            objective = Objective.objects.create(
                key=f"more-{index}", title="More", cycle=cycle
            )
            KeyResult.objects.create(
                objective=objective, key="more", kpi_key="nps", target=60
            )
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/cycles/2026-Q4/").content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert "likely to hit" in page


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("editor", 200),
        ("owner", 403),
        ("viewer", 403),
        ("outsider", 403),
    ],
)
def test_only_team_editors_and_admins_check_in(small_workspace, users, role, status):
    response = client_for(users[role]).post(
        CHECK_IN,
        {"confidence": "0.6", "note": "Survey shipped"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == status
    assert CheckIn.objects.filter(note="Survey shipped").exists() is (status == 200)


def test_a_check_in_comes_back_as_the_kr_block_without_a_reload(small_workspace, users):
    response = client_for(users["editor"]).post(
        CHECK_IN,
        {"confidence": "0.6", "note": "Survey shipped", "blockers": "Budget"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<article id="kr-csat-up"')
    assert "confidence 0.6 — Survey shipped" in words(page)
    assert "Blocked: Budget" in page
    assert "Check-in saved." in page
    check_in = CheckIn.objects.get(note="Survey shipped")
    assert (check_in.by, check_in.confidence) == (users["editor"], 0.6)


@pytest.mark.parametrize("confidence", ["1.5", "-0.1", "sure"])
def test_a_confidence_outside_0_to_1_is_refused_beside_the_field(
    small_workspace, users, confidence
):
    response = client_for(users["editor"]).post(
        CHECK_IN,
        {"confidence": confidence, "note": "kept"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error"' in page
    assert 'value="kept"' in page
    assert not CheckIn.objects.filter(note="kept").exists()


def test_the_check_in_form_is_shown_to_editors_only(small_workspace, users):
    page = client_for(users["editor"]).get("/objectives/happier/").content.decode()
    assert "Check in</button>" in page
    page = client_for(users["viewer"]).get("/objectives/happier/").content.decode()
    assert "Check in</button>" not in page


def test_an_unknown_cycle_or_objective_is_a_404(small_workspace, users):
    client = client_for(users["viewer"])
    assert client.get("/cycles/2031-Q1/").status_code == 404
    assert client.get("/objectives/nope/").status_code == 404


def test_the_objective_page_shows_each_kr_s_chance_of_a_hit(
    small_workspace, users, time_machine
):
    time_machine.move_to("2026-08-12 09:00Z")
    csat = KPI.objects.get(key="csat")
    for day in (8, 15, 22, 29):
        Reading.objects.create(
            kpi=csat,
            at=f"2026-07-{day:02d}",
            day=dt.date(2026, 7, day),
            value=88 + day / 10,
            source=Reading.Source.MANUAL,
        )
    page = client_for(users["viewer"]).get("/objectives/happier/").content.decode()
    csat_up = page.split('id="kr-csat-up"')[1].split("</article>")[0]
    assert "expected " in csat_up
    assert " by 2026-09-30 · " in csat_up
    assert "% likely to hit</a>" in csat_up
    churn_down = page.split('id="kr-churn-down"')[1].split("</article>")[0]
    assert "fewer than 3 readings since the cycle began" in churn_down
