"""The audit log: every change to people, roles, tokens, webhooks, definitions,
sources, targets, cycles and readings, with who, when and what; for admins only,
filtered and exported, kept for a configurable time."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from drumbeat.accounts.models import Team
from drumbeat.accounts.services import (
    membership_set,
    token_create,
    token_revoke,
)
from drumbeat.audit.models import Event
from drumbeat.audit.services import event_record, events_prune
from drumbeat.kpis.models import KPI
from drumbeat.kpis.services.definitions import kpi_source_update, kpi_update
from drumbeat.okrs.models import KeyResult, Objective
from drumbeat.okrs.services import KEY_RESULT_FIELDS, key_result_save
from drumbeat.webhooks.services import webhook_create, webhook_delete
from tests.conftest import assert_admins_only, client_for

pytestmark = pytest.mark.django_db


def _events(kind: str) -> list[tuple[str, str, str, str]]:
    return [
        (event.actor_name, event.action, event.subject, event.summary)
        for event in Event.objects.filter(kind=kind).order_by("pk")
    ]


def test_a_definition_change_is_kept_with_the_fields_that_moved(small_workspace, users):
    kpi = KPI.objects.get(key="csat")
    values = {
        "name": kpi.name,
        "description": kpi.description,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "cadence": "monthly",
        "owner_name": "Ana",
    }
    kpi_update(
        kpi=kpi,
        values=values,
        thresholds={"green": 92, "red": 80},
        by=users["admin"],
        version=kpi.version,
    )
    [event] = Event.objects.filter(kind="definition")
    assert (event.actor_name, event.action, event.subject) == (
        "admin",
        "changed",
        "csat",
    )
    assert event.changes == {
        "cadence": ["weekly", "monthly"],
        "owner_name": ["Grace", "Ana"],
        "thresholds": [{"green": 90, "red": 80}, {"green": 92, "red": 80}],
    }
    assert event.summary == (
        "cadence weekly → monthly; owner_name Grace → Ana; thresholds "
        '{"green": 90, "red": 80} → {"green": 92, "red": 80}'
    )


def test_a_source_change_is_kept(small_workspace, users):
    kpi = KPI.objects.get(key="csat")
    kpi_source_update(
        kpi=kpi,
        source={"type": "sql", "connection": "warehouse", "query": "select 1"},
        by=users["admin"],
        version=kpi.version,
    )
    assert _events("source") == [
        (
            "admin",
            "changed",
            "csat",
            "type — → sql; connection — → warehouse; query — → select 1",
        )
    ]


def test_a_target_change_is_kept(small_workspace, users):
    kr = KeyResult.objects.get(key="csat-up")
    values = {name: getattr(kr, name) for name in KEY_RESULT_FIELDS} | {"target": 97}
    key_result_save(
        objective=kr.objective,
        key_result=kr,
        values=values,
        by=users["admin"],
        version=kr.version,
    )
    assert _events("target") == [
        ("admin", "changed", "happier/csat-up", "target 95 → 97")
    ]


def test_readings_are_kept_a_batch_an_event_with_the_way_they_came(
    small_workspace, users
):
    secret = token_create(
        user=users["admin"], name="ci", scopes=["admin"], expires_at=None
    ).secret
    Event.objects.all().delete()  # the fixture's own apply
    body = {
        "readings": [
            {"kpi": "csat", "at": "2026-07-10", "value": 91},
            {"kpi": "csat", "at": "2026-07-03", "value": 89},  # a correction
            {"kpi": "churn", "at": "2026-07-31", "value": 2.1},
        ]
    }
    answer = Client(headers={"Authorization": f"Bearer {secret}"}).post(
        "/api/v1/readings", json.dumps(body), content_type="application/json"
    )
    assert answer.status_code == 200
    assert _events("readings") == [
        (
            "admin",
            "recorded",
            "churn, csat",
            "2 new, 1 corrected, 0 unchanged (api: token ci)",
        )
    ]


def test_people_roles_tokens_and_webhooks_are_kept(small_workspace, users):
    admin = users["admin"]
    response = client_for(admin).post(
        "/people/new/",
        {"username": "grace", "first_name": "Grace", "last_name": "", "email": ""},
    )
    assert response.status_code == 200
    membership_set(
        team=Team.objects.get(key="support"),
        user=users["viewer"],
        role="editor",
        by=admin,
    )
    issued = token_create(
        user=users["owner"], name="etl", scopes=["read"], expires_at=None
    )
    token_revoke(token=issued.token, by=admin)
    made = webhook_create(
        name="Alerts",
        url="https://hooks.example.com/x",
        events=["kpi.red"],
        active=True,
        slack=False,
        by=admin,
    )
    webhook_delete(webhook=made.webhook, by=admin)
    assert _events("person") == [("admin", "added", "grace", "")]
    assert _events("role") == [
        ("admin", "set", "viewer in support", "role viewer → editor")
    ]
    assert _events("token") == [
        ("owner", "created", "owner: etl", "scopes read; no expiry"),
        ("admin", "revoked", "owner: etl", ""),
    ]
    assert [(a, action, subject) for a, action, subject, _ in _events("webhook")] == [
        ("admin", "created", "Alerts"),
        ("admin", "deleted", "Alerts"),
    ]


def test_only_admins_read_and_export_the_log(small_workspace, users):
    for role in (None, "admin", "editor", "owner", "viewer", "outsider"):
        client = Client() if role is None else client_for(users[role])
        assert_admins_only(client.get("/audit/"), role)
        assert_admins_only(client.get("/audit/export.csv"), role)


def _event(subject: str, kind: str, days_ago: int, by: Any) -> None:
    event = event_record(kind=kind, action="changed", subject=subject, by=by)
    Event.objects.filter(pk=event.pk).update(
        at=timezone.now() - dt.timedelta(days=days_ago)
    )


def test_the_log_is_filtered_by_kind_person_words_and_days(small_workspace, users):
    _event("csat", "definition", 10, users["admin"])
    _event("nps", "definition", 1, users["owner"])
    _event("happier/csat-up", "target", 1, users["admin"])
    client = client_for(users["admin"])

    def subjects(**query: str) -> list[str]:
        page = client.get("/audit/", query).content.decode()
        return [
            line.split("<td>")[-1].split("</td>")[0]
            for line in page.splitlines()
            if line.strip().startswith("<td>") and "/audit" not in line
        ]

    assert "csat" in client.get("/audit/").content.decode()
    only_targets = client.get("/audit/", {"kind": "target"}).content.decode()
    assert "happier/csat-up" in only_targets
    assert ">nps<" not in only_targets
    by_owner = client.get("/audit/", {"person": "owner"}).content.decode()
    assert ">nps<" in by_owner
    assert ">csat<" not in by_owner
    since = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    recent = client.get("/audit/", {"since": since}).content.decode()
    assert ">csat<" not in recent
    assert ">nps<" in recent
    export = client.get("/audit/export.csv", {"kind": "definition"})
    rows = b"".join(export.streaming_content).decode().splitlines()  # type: ignore[attr-defined]
    assert rows[0] == "at,who,kind,action,subject,summary,changes"
    assert [row.split(",")[4] for row in rows[1:]] == ["nps", "csat"]


def test_events_older_than_the_keeping_time_are_forgotten(db, settings, users):
    settings.DRUMBEAT_AUDIT_KEEP_DAYS = 30
    _event("old", "definition", 31, users["admin"])
    _event("recent", "definition", 29, users["admin"])
    assert events_prune() == 1
    assert list(Event.objects.values_list("subject", flat=True)) == ["recent"]


def test_an_objective_created_on_a_page_is_kept(small_workspace, users):
    response = client_for(users["editor"]).post(
        "/cycles/2026-Q3/objectives/new/",
        {
            "key": "faster",
            "title": "Answer customers faster",
            "team": "support",
            "owner_name": "Grace",
            "commitment": "committed",
            "parent": "",
            "version": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Objective.objects.filter(key="faster").exists()
    [(who, action, subject, summary)] = _events("objective")
    assert (who, action, subject) == ("editor", "created", "faster")
    assert "title — → Answer customers faster" in summary
