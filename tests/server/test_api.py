"""The REST API: tokens and sessions, scopes and roles, the readings batch, the
error shape, and the read-only computed views."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from drumbeat.accounts.models import ApiToken
from drumbeat.accounts.services import token_create, token_revoke
from drumbeat.core.moments import MOMENT_HELP
from drumbeat.kpis.models import KPI, Reading
from drumbeat.okrs.models import CheckIn, KeyResult
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def bearer(user, *scopes: str, expires_at: dt.datetime | None = None) -> Client:
    issued = token_create(
        user=user, name="ci", scopes=scopes or ("read",), expires_at=expires_at
    )
    return Client(headers={"Authorization": f"Bearer {issued.secret}"})


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def owned(small_workspace, users):
    """csat is owned by `owner`."""
    KPI.objects.filter(key="csat").update(owner=users["owner"])


def test_the_schema_is_served_to_a_token(small_workspace, users):
    schema = bearer(users["viewer"]).get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Drumbeat API"
    assert "/api/v1/readings" in schema["paths"]


def test_the_schema_is_served_to_a_session(small_workspace, users):
    response = client_for(users["viewer"]).get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Drumbeat API"


def test_the_schema_is_refused_to_anonymous_visitors_with_a_json_401():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 401
    assert response.json()["error"] == {
        "status": 401,
        "code": "unauthenticated",
        "message": "Sign in, or send a live token as 'Authorization: Bearer <token>'.",
        "problems": [],
    }


def test_the_schema_is_refused_to_a_token_that_is_not_live(small_workspace):
    client = Client(headers={"Authorization": "Bearer dbt_not-a-token"})
    assert client.get("/api/v1/openapi.json").status_code == 401


def test_the_docs_page_sends_anonymous_visitors_to_sign_in():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/api/v1/docs"


def test_the_docs_page_is_served_from_the_sites_own_files(small_workspace, users):
    """Swagger UI as django-ninja ships it, so the page works offline and under
    the Content-Security-Policy (`script-src 'self'`)."""
    response = client_for(users["viewer"]).get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<script src="/static/ninja/swagger-ui-bundle.js"></script>' in page
    assert '<script src="/static/ninja/swagger-ui-init.js"></script>' in page
    assert "cdn" not in page.lower()
    assert Client().get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_anonymous_requests_get_a_json_401_not_a_sign_in_page(small_workspace):
    response = Client().get("/api/v1/kpis")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_token_reads_the_dictionary_with_statuses(small_workspace, users):
    response = bearer(users["viewer"]).get("/api/v1/kpis")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    csat = body["items"][0]
    assert (csat["key"], csat["unit"], csat["team"]) == ("csat", "percent", "support")
    assert csat["status"]["latest_value"] == 88.0


def test_kpis_filter_by_tier_and_team(small_workspace, users):
    client = bearer(users["viewer"])
    keys = [k["key"] for k in client.get("/api/v1/kpis?tier=key").json()["items"]]
    assert keys == ["csat"]
    assert client.get("/api/v1/kpis?team=nobody").json()["count"] == 0


def test_a_revoked_or_expired_token_is_refused(small_workspace, users):
    issued = token_create(
        user=users["viewer"], name="old", scopes=["read"], expires_at=None
    )
    token_revoke(token=issued.token, by=users["viewer"])
    client = Client(headers={"Authorization": f"Bearer {issued.secret}"})
    assert client.get("/api/v1/kpis").status_code == 401
    soon = token_create(
        user=users["viewer"],
        name="soon",
        scopes=["read"],
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
    )
    client = Client(headers={"Authorization": f"Bearer {soon.secret}"})
    assert client.get("/api/v1/kpis").status_code == 200
    ApiToken.objects.filter(pk=soon.token.pk).update(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    )
    assert client.get("/api/v1/kpis").status_code == 401


def test_a_token_of_a_deactivated_person_is_refused(small_workspace, users):
    client = bearer(users["viewer"])
    users["viewer"].is_active = False
    users["viewer"].save()
    assert client.get("/api/v1/kpis").status_code == 401


def test_an_owner_pushes_a_batch_and_the_kr_score_moves_at_once(owned, users):
    client = bearer(users["owner"], "readings:write")
    response = post(
        client,
        "/api/v1/readings",
        {"readings": [{"kpi": "csat", "at": "2026-07-10", "value": 91}]},
    )
    assert response.status_code == 200
    assert response.json() == {
        "created": 1,
        "corrected": 0,
        "unchanged": 0,
        "kpis": ["csat"],
        "statuses": "refreshed",
    }
    reading = Reading.objects.get(kpi__key="csat", at="2026-07-10")
    assert (reading.source, reading.source_detail, reading.recorded_by) == (
        "api",
        "token ci",
        users["owner"],
    )
    assert KeyResult.objects.get(key="csat-up").progress == pytest.approx(0.6)


def test_posting_the_same_batch_again_changes_nothing(owned, users):
    client = bearer(users["owner"], "readings:write")
    batch = {"readings": [{"kpi": "csat", "at": "2026-07-10", "value": 91}]}
    post(client, "/api/v1/readings", batch)
    again = post(client, "/api/v1/readings", batch).json()
    assert (again["created"], again["unchanged"]) == (0, 1)


def test_a_bad_batch_lists_problems_by_index_and_field_and_writes_nothing(owned, users):
    count = Reading.objects.count()
    response = post(
        bearer(users["admin"], "readings:write"),
        "/api/v1/readings",
        {
            "readings": [
                {"kpi": "csat", "at": "2026-07-10", "value": 91},
                {"kpi": "nps", "at": "2026-07-10", "value": 40},
                {"kpi": "csat", "at": "July 11th", "value": 90},
            ]
        },
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["problems"] == [
        {
            "index": 1,
            "field": "kpi",
            "message": "no KPI 'nps' in the dictionary: check the key, or add the "
            "KPI first",
        },
        {
            "index": 2,
            "field": "at",
            "message": f"'July 11th' is not a date: {MOMENT_HELP}",
        },
    ]
    assert Reading.objects.count() == count


def test_a_value_that_is_not_a_number_is_a_422_with_its_index(owned, users):
    response = post(
        bearer(users["admin"], "readings:write"),
        "/api/v1/readings",
        {"readings": [{"kpi": "csat", "at": "2026-07-10", "value": "lots"}]},
    )
    assert response.status_code == 422
    [problem] = response.json()["error"]["problems"]
    assert problem["index"] == 0
    assert problem["field"].endswith("readings.0.value")


def test_a_batch_over_10000_readings_is_refused_whole(owned, users):
    batch = [{"kpi": "csat", "at": "2026-07-10", "value": 1}] * 10_001
    response = post(
        bearer(users["admin"], "readings:write"),
        "/api/v1/readings",
        {"readings": batch},
    )
    assert response.status_code == 422
    assert "10000" in response.json()["error"]["problems"][0]["message"]


def test_a_token_without_the_scope_is_refused(owned, users):
    response = post(
        bearer(users["owner"], "read"),
        "/api/v1/readings",
        {"readings": [{"kpi": "csat", "at": "2026-07-10", "value": 91}]},
    )
    assert response.status_code == 403
    assert "lacks the 'readings:write' scope" in response.json()["error"]["message"]


def test_a_scope_never_widens_the_role(owned, users):
    """An admin-scoped token of a viewer still cannot record readings."""
    response = post(
        bearer(users["viewer"], "admin"),
        "/api/v1/readings",
        {"readings": [{"kpi": "csat", "at": "2026-07-10", "value": 91}]},
    )
    assert response.status_code == 403
    assert "not yours: csat" in response.json()["error"]["message"]
    assert not Reading.objects.filter(at="2026-07-10").exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("owner", 200), ("editor", 403), ("viewer", 403)],
)
def test_who_may_push_readings(owned, users, role, status):
    response = post(
        bearer(users[role], "readings:write"),
        "/api/v1/readings",
        {"readings": [{"kpi": "csat", "at": "2026-07-10", "value": 91}]},
    )
    assert response.status_code == status


def test_a_browser_session_needs_the_csrf_token(owned, users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["owner"])
    body = {"readings": [{"kpi": "csat", "at": "2026-07-10", "value": 91}]}
    assert post(client, "/api/v1/readings", body).status_code in (401, 403)
    assert client.get("/api/v1/kpis").status_code == 200


def test_an_unknown_kpi_is_a_404_in_the_error_shape(small_workspace, users):
    response = bearer(users["viewer"]).get("/api/v1/kpis/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_stale_kpi_change_is_a_409(owned, users):
    client = bearer(users["owner"], "admin")
    kpi = KPI.objects.get(key="csat")
    url = "/api/v1/kpis/csat"
    first = client.patch(
        url,
        json.dumps({"version": kpi.version, "unit": "%"}),
        content_type="application/json",
    )
    assert first.status_code == 200
    assert first.json()["unit"] == "%"
    second = client.patch(
        url,
        json.dumps({"version": kpi.version, "unit": "pct"}),
        content_type="application/json",
    )
    assert second.status_code == 409
    assert "since you opened it" in second.json()["error"]["message"]


def test_thresholds_on_the_wrong_side_are_a_422(owned, users):
    kpi = KPI.objects.get(key="csat")
    response = bearer(users["admin"], "admin").patch(
        "/api/v1/kpis/csat",
        json.dumps({"version": kpi.version, "thresholds": {"green": 70, "red": 90}}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["problems"]


def test_only_admins_add_kpis(small_workspace, users):
    body = {"key": "nps", "name": "Net promoter score", "tier": "key"}
    refused = post(bearer(users["owner"], "admin"), "/api/v1/kpis", body)
    assert refused.status_code == 403
    made = post(bearer(users["admin"], "admin"), "/api/v1/kpis", body)
    assert made.status_code == 201
    assert made.json()["key"] == "nps"
    duplicate = post(bearer(users["admin"], "admin"), "/api/v1/kpis", body)
    assert duplicate.status_code == 422


def test_objectives_come_with_their_kr_scores_and_grades(small_workspace, users):
    body = bearer(users["viewer"]).get("/api/v1/objectives?cycle=2026-Q3").json()
    [objective] = body["items"]
    assert objective["key"] == "happier"
    csat_up = objective["key_results"][0]
    assert (csat_up["computed_baseline"], csat_up["current"], csat_up["target"]) == (
        85.0,
        88.0,
        95.0,
    )
    assert csat_up["grade"] == "red"


def test_an_editor_checks_in_through_the_api_and_a_viewer_cannot(
    small_workspace, users
):
    url = "/api/v1/objectives/happier/key-results/csat-up/check-ins"
    body = {"confidence": 0.6, "note": "new macros live"}
    assert post(bearer(users["viewer"], "admin"), url, body).status_code == 403
    made = post(bearer(users["editor"], "admin"), url, body)
    assert made.status_code == 201
    assert CheckIn.objects.get().note == "new macros live"
    listed = bearer(users["viewer"]).get(url).json()
    assert [(c["confidence"], c["by"]) for c in listed] == [(0.6, "editor")]


def test_a_confidence_above_one_is_a_422(small_workspace, users):
    url = "/api/v1/objectives/happier/key-results/csat-up/check-ins"
    response = post(bearer(users["editor"], "admin"), url, {"confidence": 1.5})
    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["field"].endswith("confidence")


def test_lint_findings_and_suggestions_are_served(sample_workspace, users):
    client = bearer(users["viewer"])
    findings = client.get("/api/v1/findings?severity=error").json()
    assert findings["count"] >= 1
    assert {f["severity"] for f in findings["items"]} == {"error"}
    suggestions = client.get("/api/v1/cycles/2026-Q4/suggestions").json()
    assert suggestions[0]["kpi"]
    assert suggestions[0]["title"]


def test_list_endpoints_run_constant_queries(sample_workspace, users):
    client = bearer(users["viewer"])
    client.get("/api/v1/cycles")  # records the token's first use
    for url in ("/api/v1/kpis?limit={}", "/api/v1/objectives?limit={}"):
        counts = []
        for limit in (2, 20):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url.format(limit)).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], url


def test_session_users_read_the_api_as_the_pages_do(small_workspace, users):
    response = client_for(users["viewer"]).get("/api/v1/kpis/csat")
    assert response.status_code == 200
    assert response.json()["name"] == "Customer satisfaction"


IMMEDIATE_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
}


def test_a_backfill_is_answered_once_written_and_the_worker_refreshes(
    owned, users, settings
):
    """A batch over 1,000 readings leaves its statuses to the worker (run at once
    here), so that a backfill is not held up by them."""
    settings.TASKS = IMMEDIATE_TASKS
    start = dt.date(2024, 1, 1)
    batch = [
        {"kpi": "csat", "at": (start + dt.timedelta(days=n)).isoformat(), "value": 90}
        for n in range(1_001)
    ]
    response = post(
        bearer(users["owner"], "readings:write"),
        "/api/v1/readings",
        {"readings": batch},
    )
    assert response.status_code == 200
    body = response.json()
    # Two of the days had readings (26 June and 3 July): corrected, not created.
    assert (body["created"], body["corrected"], body["statuses"]) == (999, 2, "queued")
    status = KPI.objects.get(key="csat").status
    assert (status.latest_value, status.latest_day) == (90.0, dt.date(2026, 9, 27))


def test_a_nul_character_is_a_422_not_a_server_error(owned, users):
    client = bearer(users["owner"], "admin")
    assert client.get("/api/v1/kpis?q=a%00b").status_code in (200, 422)
    response = post(
        client,
        "/api/v1/readings",
        {"readings": [{"kpi": "csat", "at": "2026-07-10", "value": 1, "note": "a\0"}]},
    )
    assert response.status_code == 422
    assert response.json()["error"]["problems"] == [
        {
            "index": 0,
            "field": "note",
            "message": "holds a control character (U+0000): remove it",
        }
    ]
    assert not Reading.objects.filter(at="2026-07-10").exists()
