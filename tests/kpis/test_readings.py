"""Recording a reading on the KPI page: owners and admins may, others may not, and
the KR score moves at once."""

from __future__ import annotations

import pytest

from drumbeat.kpis.models import KPI, KPIStatus, Reading
from drumbeat.okrs.models import KeyResult, Objective
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

RECORD = "/kpis/csat/readings/"


@pytest.fixture
def owned(small_workspace, users):
    KPI.objects.filter(key="csat").update(owner=users["owner"])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 302),
        ("owner", 302),
        ("editor", 403),
        ("viewer", 403),
        ("outsider", 403),
    ],
)
def test_only_the_owner_and_admins_record_readings(owned, users, role, status):
    response = client_for(users[role]).post(
        RECORD, {"day": "2026-07-10", "value": "91"}
    )
    assert response.status_code == status
    recorded = Reading.objects.filter(kpi__key="csat", at="2026-07-10").exists()
    assert recorded is (status == 302)


def test_anonymous_cannot_record(owned):
    response = client_for(None).post(RECORD, {"day": "2026-07-10", "value": "91"})
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
    assert not Reading.objects.filter(at="2026-07-10").exists()


def test_the_form_is_shown_only_to_those_who_may_record(owned, users):
    assert (
        "Record or correct a reading"
        in client_for(users["owner"]).get("/kpis/csat/").content.decode()
    )
    assert (
        "Record or correct a reading"
        not in client_for(users["viewer"]).get("/kpis/csat/").content.decode()
    )


def test_a_reading_moves_the_kr_score_and_the_status_at_once(owned, users):
    """csat-up: baseline 85, target 95; a reading of 95 completes it."""
    assert KeyResult.objects.get(key="csat-up").score == pytest.approx(0.3)
    client_for(users["owner"]).post(RECORD, {"day": "2026-07-10", "value": "95"})
    assert KeyResult.objects.get(key="csat-up").score == 1.0
    status = KPIStatus.objects.get(kpi__key="csat")
    assert (status.latest_value, status.health) == (95, "green")


def test_a_correction_keeps_the_earlier_value(owned, users):
    client_for(users["owner"]).post(RECORD, {"day": "2026-07-03", "value": "89"})
    readings = Reading.objects.filter(kpi__key="csat", at="2026-07-03").order_by("pk")
    assert [(r.value, r.superseded_at is not None, r.source) for r in readings] == [
        (88, True, "apply"),
        (89, False, "manual"),
    ]
    assert readings[1].recorded_by == users["owner"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("lots", "Enter a number, such as 42 or 99.95."),
        ("nan", "Enter a number, such as 42 or 99.95."),
        ("inf", "Enter a number, such as 42 or 99.95."),
        ("", "This field is required."),
    ],
)
def test_a_bad_value_is_refused_beside_the_field_and_kept(owned, users, value, message):
    response = client_for(users["owner"]).post(
        RECORD, {"day": "2026-07-10", "value": value, "note": "typed"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'value="typed"' in page
    assert not Reading.objects.filter(at="2026-07-10").exists()


def test_an_impossible_day_is_refused(owned, users):
    response = client_for(users["owner"]).post(
        RECORD, {"day": "2026-02-30", "value": "90"}
    )
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


def test_the_kpi_page_carries_the_chart_data_from_the_core(owned, users):
    page = client_for(users["viewer"]).get("/kpis/csat/").content.decode()
    assert "data-xmr-chart=" in page
    assert "&quot;key&quot;: &quot;2026-Q3&quot;" in page  # the cycle band


def test_recording_on_a_kpi_that_drives_others_refreshes_it(sample_workspace, users):
    """csat drives nps and churn: a part of the dictionary must still load."""
    KPI.objects.filter(key="csat").update(owner=users["owner"])
    response = client_for(users["owner"]).post(
        "/kpis/csat/readings/", {"day": "2026-11-24", "value": "93"}
    )
    assert response.status_code == 302
    assert KPIStatus.objects.get(kpi__key="csat").latest_value == 93
    assert client_for(users["viewer"]).get("/kpis/csat/").status_code == 200


SHARED = """\
kpis:
  - key: a
    name: A
    readings: [{at: 2026-06-30, value: 0}, {at: 2026-07-02, value: 5}]
  - key: b
    name: B
    readings: [{at: 2026-06-30, value: 0}, {at: 2026-07-02, value: 5}]
  - key: c
    name: C
    readings: [{at: 2026-06-30, value: 0}, {at: 2026-07-02, value: 2}]
cycles:
  - {key: q3, start: 2026-07-01, end: 2026-09-30}
objectives:
  - key: one
    title: One
    cycle: q3
    key_results: [{key: a, kpi: a, target: 10}, {key: b, kpi: b, target: 10}]
  - key: two
    title: Two
    cycle: q3
    key_results: [{key: b, kpi: b, target: 10}, {key: c, kpi: c, target: 10}]
"""


def test_a_reading_leaves_other_objectives_scores_whole(users):
    """Recording on `a` recomputes objective `one` (a, b); objective `two` (b, c)
    keeps the score of both its KRs."""
    from drumbeat.scorecard.sync import workspace_apply
    from drumbeat.workspace import load_workspace_text

    workspace_apply(load_workspace_text(SHARED))
    KPI.objects.filter(key="a").update(owner=users["owner"])
    assert Objective.objects.get(key="two").score == pytest.approx(0.35)
    client_for(users["owner"]).post(
        "/kpis/a/readings/", {"day": "2026-07-03", "value": "10"}
    )
    assert Objective.objects.get(key="one").score == 0.75
    assert Objective.objects.get(key="two").score == pytest.approx(0.35)
