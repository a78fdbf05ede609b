"""The webhook pages, for admins only: list, add (secret shown once), edit,
rotate, delete, send a test event, and the delivery log."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.webhooks import services
from drumbeat.webhooks.crypto import secret_decrypt
from drumbeat.webhooks.models import Delivery, Event, Webhook
from tests.conftest import assert_admins_only, client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]

ROLES = ["admin", "editor", "owner", "viewer", "outsider", None]
FORM = {
    "name": "Ops channel",
    "url": "https://hooks.example.com/drumbeat",
    "events": ["kpi.red", "cycle.closed"],
    "active": "on",
}
PAGES = [
    ("get", "/webhooks/", {}),
    ("get", "/webhooks/new/", {}),
    ("post", "/webhooks/new/", FORM),
    ("get", "/webhooks/{pk}/edit/", {}),
    ("post", "/webhooks/{pk}/edit/", {**FORM, "name": "Renamed"}),
    ("post", "/webhooks/{pk}/rotate/", {}),
    ("post", "/webhooks/{pk}/delete/", {}),
    ("post", "/webhooks/{pk}/test/", {}),
    ("get", "/webhooks/{pk}/deliveries/", {}),
]


@pytest.fixture
def webhook(users) -> Webhook:
    return services.webhook_create(
        name="Existing",
        url="http://127.0.0.1:9/hook",  # the discard port: nothing listens
        events=[Event.KPI_RED],
        active=False,
        slack=False,
        by=users["admin"],
    ).webhook


def _secret(page: str) -> str:
    found = re.search(r"<code data-webhook-secret>([^<]+)</code>", page)
    assert found is not None, "no secret on the page"
    return found.group(1)


@pytest.mark.parametrize(("method", "url", "data"), PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_only_admins_reach_the_webhook_pages(users, webhook, role, method, url, data):
    stored = webhook.secret_encrypted
    client = client_for(users[role] if role else None)
    response = getattr(client, method)(url.format(pk=webhook.pk), data)
    assert_admins_only(response, role)
    if role != "admin":
        assert list(Webhook.objects.values_list("name", "secret_encrypted")) == [
            ("Existing", stored)
        ]
        assert Delivery.objects.count() == 0


def test_adding_a_webhook_shows_its_secret_once_and_stores_it_encrypted(users):
    admin = client_for(users["admin"])
    response = admin.post("/webhooks/new/", FORM)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = _secret(response.content.decode())
    webhook = Webhook.objects.get()
    assert (webhook.name, webhook.url, webhook.events, webhook.active) == (
        "Ops channel",
        "https://hooks.example.com/drumbeat",
        ["kpi.red", "cycle.closed"],
        True,
    )
    assert webhook.slack is False
    assert webhook.created_by == users["admin"]
    assert secret not in webhook.secret_encrypted
    assert secret_decrypt(webhook.secret_encrypted) == secret
    for page in ("/webhooks/", f"/webhooks/{webhook.pk}/edit/"):
        assert secret not in admin.get(page).content.decode()


def test_the_list_shows_each_webhook_with_its_events(users, webhook):
    page = client_for(users["admin"]).get("/webhooks/").content.decode()
    row = re.search(rf'<tr data-webhook="{webhook.pk}">(.*?)</tr>', page, re.S)
    assert row is not None
    assert "Existing" in row.group(1)
    assert "http://127.0.0.1:9/hook" in row.group(1)
    assert "kpi.red" in row.group(1)
    assert "paused" in row.group(1)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"url": "ftp://example.com/x"}, "url", "Use an http:// or https:// address."),
        ({"url": "javascript:alert(1)"}, "url", "Use an http:// or https:// address."),
        ({"events": []}, "events", "Choose at least one event."),
        ({"events": ["kpi.purple"]}, "events", "Select a valid choice."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_a_bad_webhook_is_refused_with_the_field_named(users, changes, field, message):
    response = client_for(users["admin"]).post("/webhooks/new/", {**FORM, **changes})
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert message.split(" ")[0] in response.content.decode()
    assert Webhook.objects.count() == 0


def test_editing_a_webhook_keeps_its_secret(users, webhook):
    stored = webhook.secret_encrypted
    response = client_for(users["admin"]).post(
        f"/webhooks/{webhook.pk}/edit/",
        {
            "name": "Slack #kpis",
            "url": "https://hooks.slack.com/services/T/B/X",
            "events": ["kpi.amber", "kpi.recovered"],
            "slack": "on",
        },
    )
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.name, webhook.url, webhook.events) == (
        "Slack #kpis",
        "https://hooks.slack.com/services/T/B/X",
        ["kpi.amber", "kpi.recovered"],
    )
    assert (webhook.active, webhook.slack) == (False, True)
    assert webhook.secret_encrypted == stored


def test_editing_with_a_bad_address_changes_nothing(users, webhook):
    response = client_for(users["admin"]).post(
        f"/webhooks/{webhook.pk}/edit/", {**FORM, "url": "gopher://x"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["url"] == [
        "Use an http:// or https:// address."
    ]
    webhook.refresh_from_db()
    assert (webhook.name, webhook.url) == ("Existing", "http://127.0.0.1:9/hook")


def test_rotating_shows_a_new_secret_once(users, webhook):
    old = secret_decrypt(webhook.secret_encrypted)
    response = client_for(users["admin"]).post(f"/webhooks/{webhook.pk}/rotate/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    new = _secret(response.content.decode())
    assert new != old
    webhook.refresh_from_db()
    assert secret_decrypt(webhook.secret_encrypted) == new


def test_deleting_a_webhook_removes_it_and_its_log(users, webhook):
    response = client_for(users["admin"]).post(f"/webhooks/{webhook.pk}/delete/")
    assert response.status_code == 302
    assert Webhook.objects.count() == 0
    assert Delivery.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # deliveries are queued on commit
@pytest.mark.usefixtures("immediate_tasks")
def test_the_test_button_sends_an_event_and_shows_it_in_the_log(users, receiver):
    made = services.webhook_create(
        name="Ops",
        url=receiver.url,
        events=[Event.KPI_RED],
        active=True,
        slack=True,
        by=users["admin"],
    )
    admin = client_for(users["admin"])
    response = admin.post(f"/webhooks/{made.webhook.pk}/test/", follow=True)
    assert response.redirect_chain == [
        (f"/webhooks/{made.webhook.pk}/deliveries/", 302)
    ]
    page = response.content.decode()
    assert "The test event was delivered." in page
    assert [json.loads(r.body) for r in receiver.requests] == [
        {"text": "Test event from Drumbeat for the webhook “Ops”: it works."}
    ]
    delivery = Delivery.objects.get()
    assert f'data-delivery="{delivery.pk}" data-attempt="1"' in page
    assert 'data-state="succeeded"' in page


@pytest.mark.django_db(transaction=True)  # deliveries are queued on commit
@pytest.mark.usefixtures("immediate_tasks")
def test_a_failed_test_event_says_so(users, receiver, settings):
    settings.DRUMBEAT_WEBHOOK_ATTEMPTS = 2
    receiver.default = 500
    made = services.webhook_create(
        name="Ops",
        url=receiver.url,
        events=[Event.KPI_RED],
        active=True,
        slack=False,
        by=users["admin"],
    )
    response = client_for(users["admin"]).post(
        f"/webhooks/{made.webhook.pk}/test/", follow=True
    )
    page = response.content.decode()
    assert "The test event was not delivered: see its attempts below." in page
    assert page.count("HTTP 500") == 2
    assert 'data-state="failed"' in page


@pytest.mark.django_db(transaction=True)  # deliveries are queued on commit
def test_a_test_event_on_the_worker_queue_is_shown_as_queued(users, webhook):
    response = client_for(users["admin"]).post(
        f"/webhooks/{webhook.pk}/test/", follow=True
    )
    page = response.content.decode()
    assert "The test event is queued: the worker sends it in a moment." in page
    assert "queued, not tried yet" in page


def test_the_delivery_log_reads_in_constant_queries(users, webhook):
    admin = client_for(users["admin"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(f"/webhooks/{webhook.pk}/deliveries/").status_code == 200
        return len(captured)

    services.webhook_test_send(webhook=webhook, by=users["admin"])
    few = queries()
    for _ in range(5):
        delivery = services.webhook_test_send(webhook=webhook, by=users["admin"])
        services.delivery_attempt(delivery_id=delivery.pk)
    assert queries() == few
