"""The key-result kinds of issue 15 in the database, the KR form and the API: a
relative target ("+10%") stored resolved with its percent and shown both ways, a
cumulative KR scored from the sum of its KPI's readings, and the format's rules
refusing what does not fit, beside the field."""

from __future__ import annotations

import json

import pytest

from drumbeat.imports.services import readings_import_file
from drumbeat.kpis.models import KPI
from drumbeat.kpis.services.readings import reading_record
from drumbeat.okrs.forms import TARGET_INVALID
from drumbeat.okrs.models import KeyResult
from drumbeat.scorecard.sync import workspace_apply, workspace_export
from drumbeat.workspace import load_workspace_text
from tests.conftest import SMALL, client_for, key_result_form, words
from tests.server.test_api import bearer, post
from tests.workspace.test_load_kinds import KINDS

pytestmark = pytest.mark.django_db

EDIT = "/objectives/happier/key-results/csat-up/edit/"
API = "/api/v1/objectives/happier/key-results"


def test_a_relative_target_from_the_form_is_stored_resolved(small_workspace, users):
    response = client_for(users["editor"]).post(EDIT, key_result_form(target="+10%"))
    assert response.status_code == 302
    kr = KeyResult.objects.get(key="csat-up")
    # Baseline 85 (the reading before the 2026-07-01 start) + 10 % = 93.5.
    assert (kr.target, kr.relative_target) == (93.5, 10.0)
    # 85 → 88 of 93.5: 3 / 8.5.
    assert kr.score == pytest.approx(3 / 8.5)


def test_the_kr_form_reopens_a_relative_target_as_written(small_workspace, users):
    client = client_for(users["editor"])
    client.post(EDIT, key_result_form(target="-5%", baseline="90"))
    page = client.get(EDIT).content.decode()
    assert 'value="-5%"' in page
    assert KeyResult.objects.get(key="csat-up").target == 85.5


def _set_relative_target_then_correct_the_baseline(users) -> None:
    """csat-up set as +10 % of 85 (93.5), then the 85 corrected to 80."""
    client_for(users["editor"]).post(EDIT, key_result_form(target="+10%"))
    csat = KPI.objects.get(key="csat")
    reading_record(kpi=csat, at="2026-06-26", value=80, by=users["admin"])


def test_a_title_edit_keeps_a_relative_target_after_the_baseline_moves(
    small_workspace, users
):
    _set_relative_target_then_correct_the_baseline(users)
    version = str(KeyResult.objects.get(key="csat-up").version)
    response = client_for(users["editor"]).post(
        EDIT, key_result_form(target="+10%", title="CSAT up", version=version)
    )
    assert response.status_code == 302
    kr = KeyResult.objects.get(key="csat-up")
    assert (kr.title, kr.target, kr.relative_target) == ("CSAT up", 93.5, 10.0)


def test_an_edited_relative_target_resolves_against_the_moved_baseline(
    small_workspace, users
):
    _set_relative_target_then_correct_the_baseline(users)
    version = str(KeyResult.objects.get(key="csat-up").version)
    client_for(users["editor"]).post(
        EDIT, key_result_form(target="+20%", version=version)
    )
    kr = KeyResult.objects.get(key="csat-up")
    assert (kr.target, kr.relative_target) == (96.0, 20.0)


def test_the_kr_form_shows_a_stored_relative_target_and_its_level(
    small_workspace, users
):
    _set_relative_target_then_correct_the_baseline(users)
    page = words(client_for(users["editor"]).get(EDIT).content.decode())
    assert (
        "set as +10 % → 93.5; left as it is, the target stays 93.5; edited, it is "
        "resolved again against the baseline"
    ) in page


def test_an_api_round_trip_keeps_a_relative_target(small_workspace, users):
    _set_relative_target_then_correct_the_baseline(users)
    client = bearer(users["editor"], "admin")
    [kr] = [
        kr
        for kr in client.get("/api/v1/objectives/happier").json()["key_results"]
        if kr["key"] == "csat-up"
    ]
    fields = ("key", "title", "kpi", "kind", "baseline", "target", "relative_target")
    body = {name: kr[name] for name in fields} | {
        "deadline": kr["deadline"],
        "weight": kr["weight"],
        "version": kr["version"],
    }
    response = client.put(
        f"{API}/csat-up", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["target"], response.json()["relative_target"]) == (
        93.5,
        10.0,
    )


def test_an_api_relative_target_contradicting_a_set_baseline_is_a_422(
    small_workspace, users
):
    body = {
        "key": "csat-more",
        "kpi": "csat",
        "baseline": 85,
        "target": 90,
        "relative_target": 10,
    }
    response = post(bearer(users["editor"], "admin"), API, body)
    assert response.status_code == 422
    problem = response.json()["error"]["problems"][0]
    assert problem["field"].endswith("relative_target")
    assert "+10% of the baseline 85 is 93.5, not the target 90" in problem["message"]


def test_a_number_after_a_relative_target_forgets_the_percent(small_workspace, users):
    client = client_for(users["editor"])
    client.post(EDIT, key_result_form(target="+10%"))
    client.post(EDIT, key_result_form(target="96", version="2"))
    kr = KeyResult.objects.get(key="csat-up")
    assert (kr.target, kr.relative_target) == (96, None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target": "ten percent"}, TARGET_INVALID),
        ({"target": "5%"}, "or a change of the baseline such as +10%"),
        ({"target": "+10%", "baseline": "0"}, "cannot grow from a baseline of 0"),
        (
            {"target": "+10%", "kind": "cumulative"},
            "a relative target (+10%) is only for a change KR",
        ),
    ],
)
def test_a_bad_relative_target_is_refused_beside_the_field(
    small_workspace, users, changes, message
):
    response = client_for(users["editor"]).post(EDIT, key_result_form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert KeyResult.objects.get(key="csat-up").target == 95


def test_a_cumulative_kr_through_the_api(small_workspace, users):
    body = {"key": "surveys", "kpi": "csat", "kind": "cumulative", "target": 176}
    made = post(bearer(users["editor"], "admin"), API, body)
    assert made.status_code == 201, made.content
    # One reading in the cycle (88 on 2026-07-03), from 0 to 176: 0.5.
    assert made.json()["kind"] == "cumulative"
    assert made.json()["current"] == 88
    assert made.json()["score"] == pytest.approx(0.5)
    assert made.json()["relative_target"] is None


def test_a_relative_target_through_the_api(small_workspace, users):
    body = {"key": "csat-more", "kpi": "csat", "target": "+10%"}
    made = post(bearer(users["editor"], "admin"), API, body)
    assert made.status_code == 201, made.content
    assert (made.json()["target"], made.json()["relative_target"]) == (93.5, 10.0)


def test_a_viewer_cannot_add_a_cumulative_kr(small_workspace, users):
    body = {"key": "surveys", "kpi": "csat", "kind": "cumulative", "target": 176}
    assert post(bearer(users["viewer"], "admin"), API, body).status_code == 403


def test_a_band_target_on_an_up_kpi_is_a_422_naming_the_target(small_workspace, users):
    body = {"key": "band", "kpi": "csat", "target": [90, 95]}
    response = post(bearer(users["editor"], "admin"), API, body)
    assert response.status_code == 422
    problem = response.json()["error"]["problems"][0]
    assert problem["field"].endswith("target")


def test_the_new_kinds_apply_and_export_as_written(db):
    workspace_apply(load_workspace_text(KINDS))
    rows = {kr.key: kr for kr in KeyResult.objects.all()}
    assert (rows["happier"].target, rows["happier"].relative_target) == (16.5, 10.0)
    assert rows["logos"].kind == "cumulative"
    assert rows["pressure"].target == [90, 120]
    exported = workspace_export()
    assert "    target: 16.5\n    relative_target: +10%\n" in exported
    assert (
        load_workspace_text(exported).objectives
        == load_workspace_text(KINDS).objectives
    )


LINT = "/objectives/happier/key-results/lint/"


def test_the_live_check_shows_a_relative_target_both_ways(small_workspace, users):
    response = client_for(users["editor"]).post(
        f"{LINT}?replacing=csat-up", key_result_form(target="+10%")
    )
    assert response.status_code == 200
    assert "Target: +10 % → 93.5" in response.content.decode()
    assert KeyResult.objects.get(key="csat-up").target == 95


def test_the_live_check_reads_a_relative_target_the_wrong_way(small_workspace, users):
    response = client_for(users["editor"]).post(
        f"{LINT}?replacing=csat-up", key_result_form(target="-10%")
    )
    text = response.content.decode()
    assert "Target: -10 % → 76.5" in text
    assert 'data-rule="kr-target-wrong-direction"' in text


WITH_PRESSURE = SMALL.replace(
    "  - key: churn\n",
    "  - key: pressure\n"
    "    name: Systolic blood pressure\n"
    "    direction: range\n"
    "    thresholds: {green: [90, 120]}\n"
    "    readings:\n"
    "      - {at: 2026-06-26, value: 150}\n"
    "  - key: churn\n",
)


def test_the_live_check_flags_a_band_away_from_the_green_band(db, users):
    workspace_apply(load_workspace_text(WITH_PRESSURE))
    response = client_for(users["editor"]).post(
        f"{LINT}?replacing=csat-up", key_result_form(kpi="pressure", target="200, 300")
    )
    text = words(response.content.decode())
    assert 'data-rule="kr-target-wrong-direction"' in response.content.decode()
    assert "target [200, 300] is above the baseline 150, but lower is better" in text


def test_the_live_check_of_a_cumulative_kr_on_a_down_kpi(small_workspace, users):
    response = client_for(users["editor"]).post(
        f"{LINT}?replacing=churn-down",
        key_result_form(key="churn-down", kpi="churn", kind="cumulative", target="6"),
    )
    text = response.content.decode()
    assert 'data-rule="kr-target-wrong-direction"' in text
    assert "Target:" not in text


def test_the_live_check_refuses_what_cannot_resolve(small_workspace, users):
    response = client_for(users["editor"]).post(
        f"{LINT}?replacing=csat-up", key_result_form(target="+10%", baseline="0")
    )
    assert "cannot grow from a baseline of 0" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/objectives/happier/",
        "/cycles/2026-Q3/",
        "/cycles/2026-Q3/report/",
        "/kpis/csat/",
    ],
)
def test_pages_show_a_relative_target_both_ways(small_workspace, users, url):
    client_for(users["editor"]).post(EDIT, key_result_form(target="+10%"))
    page = client_for(users["viewer"]).get(url).content.decode()
    assert "<span data-relative-target>+10 % →</span> 93.5" in page
    assert "+10 % → 93.5" in words(page)


def test_a_csv_import_adds_to_a_cumulative_kr_at_once(small_workspace, users, tmp_path):
    body = {"key": "surveys", "kpi": "csat", "kind": "cumulative", "target": 360}
    assert post(bearer(users["editor"], "admin"), API, body).status_code == 201
    path = tmp_path / "readings.csv"
    path.write_text("kpi,at,value\ncsat,2026-07-10,91\ncsat,2026-07-17,91\n")
    readings_import_file(path=path, by=None)
    kr = KeyResult.objects.get(key="surveys")
    # 88 + 91 + 91 = 270 of 360, from 0.
    assert kr.current == 270
    assert kr.score == pytest.approx(0.75)
