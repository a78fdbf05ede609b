"""The delivery log keeps DRUMBEAT_WEBHOOK_KEEP_DAYS days: older finished
deliveries leave it, with their attempts, at each daily refresh; a delivery still
waiting for a retry stays however old. Also: the webhook settings, read from the
environment, stop start-up when bad."""

from __future__ import annotations

import datetime as dt
import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from drumbeat.scorecard.services import statuses_refresh
from drumbeat.server import settings as settings_module
from drumbeat.webhooks import services
from drumbeat.webhooks.crypto import secret_encrypt, secret_make
from drumbeat.webhooks.models import Announcement, Attempt, Delivery, Event, Webhook

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 7, 6, 3, 0, tzinfo=dt.UTC)
State = Delivery.State
SETTINGS_FILE = str(settings_module.__file__)


@pytest.fixture
def webhook() -> Webhook:
    return Webhook.objects.create(
        name="ops",
        url="https://hooks.example.com/x",
        events=[Event.KPI_RED],
        secret_encrypted=secret_encrypt(secret_make()),
    )


def _delivery(
    webhook: Webhook,
    state: str,
    days_ago: float,
    attempts_days_ago: tuple[float, ...] = (),
    *,
    key: str | None = None,
    now: dt.datetime = NOW,
) -> Delivery:
    """A delivery made `days_ago` before `now`, its event and its attempts."""
    created = now - dt.timedelta(days=days_ago)
    announcement = Announcement.objects.create(
        event=Announcement.Name.WEBHOOK_TEST,
        key=key,
        occurred_at=created,
        payload={},
        text="test",
    )
    delivery = Delivery.objects.create(
        webhook=webhook,
        announcement=announcement,
        state=state,
        attempts=len(attempts_days_ago),
        created_at=created,
    )
    for number, ago in enumerate(attempts_days_ago, start=1):
        Attempt.objects.create(
            delivery=delivery,
            number=number,
            at=now - dt.timedelta(days=ago),
            status_code=200 if state == State.SUCCEEDED else 500,
            duration_ms=5,
        )
    return delivery


def _left() -> set[str]:
    return set(Delivery.objects.values_list("announcement__text", flat=True))


def test_finished_deliveries_older_than_the_keep_days_go_with_their_attempts(
    webhook,
):
    old = [
        _delivery(webhook, State.SUCCEEDED, 100, (100,)),
        _delivery(webhook, State.FAILED, 91, (91, 91, 91)),
        _delivery(webhook, State.CANCELLED, 95),
    ]
    kept = [
        _delivery(webhook, State.SUCCEEDED, 10, (10,)),
        _delivery(webhook, State.FAILED, 89, (89, 89)),
        _delivery(webhook, State.PENDING, 200, (200, 199)),
    ]
    assert services.deliveries_prune(now=NOW) == 3
    assert set(Delivery.objects.values_list("pk", flat=True)) == {d.pk for d in kept}
    assert not Attempt.objects.filter(delivery_id__in=[d.pk for d in old]).exists()
    assert Attempt.objects.count() == 1 + 2 + 2


def test_a_delivery_is_as_old_as_its_last_attempt(webhook):
    """Made 95 days ago, it gave up 80 days ago: it finished within the 90 days."""
    kept = _delivery(webhook, State.FAILED, 95, (95, 90.5, 80))
    assert services.deliveries_prune(now=NOW) == 0
    assert list(Delivery.objects.all()) == [kept]


def test_a_delivery_still_waiting_for_a_retry_stays_however_old(webhook):
    pending = _delivery(webhook, State.PENDING, 365, (365,))
    assert services.deliveries_prune(now=NOW) == 0
    assert list(Delivery.objects.all()) == [pending]
    assert pending.attempt_log.count() == 1


def test_the_keep_days_come_from_the_settings(webhook, settings):
    settings.DRUMBEAT_WEBHOOK_KEEP_DAYS = 7
    gone = _delivery(webhook, State.SUCCEEDED, 8, (8,))
    kept = _delivery(webhook, State.SUCCEEDED, 6, (6,))
    assert services.deliveries_prune(now=NOW) == 1
    assert list(Delivery.objects.all()) == [kept]
    assert not Announcement.objects.filter(pk=gone.announcement_id).exists()


def test_events_left_without_deliveries_go_but_a_cycle_close_stays(webhook):
    """A cycle's close is kept, so that it is never announced twice."""
    closed = _delivery(webhook, State.SUCCEEDED, 120, (120,), key="cycle.closed:Q1")
    _delivery(webhook, State.SUCCEEDED, 120, (120,))
    recent = _delivery(webhook, State.SUCCEEDED, 1, (1,))
    assert services.deliveries_prune(now=NOW) == 2
    assert set(Announcement.objects.values_list("pk", flat=True)) == {
        closed.announcement_id,
        recent.announcement_id,
    }


def test_nothing_to_prune_returns_zero(webhook):
    assert services.deliveries_prune(now=NOW) == 0


@pytest.mark.usefixtures("small_workspace")
def test_the_daily_refresh_prunes_the_log(webhook, django_capture_on_commit_callbacks):
    now = timezone.now()
    _delivery(webhook, State.SUCCEEDED, 100, (100,), now=now)
    recent = _delivery(webhook, State.SUCCEEDED, 1, (1,), now=now)

    with django_capture_on_commit_callbacks(execute=True):
        statuses_refresh(as_of=timezone.localdate(), kpi_keys=["csat"])
    assert Delivery.objects.count() == 2  # a refresh of some KPIs prunes nothing

    with django_capture_on_commit_callbacks(execute=True):
        statuses_refresh(as_of=timezone.localdate())
    assert list(Delivery.objects.all()) == [recent]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DRUMBEAT_WEBHOOK_KEEP_DAYS", "0", "DRUMBEAT_WEBHOOK_KEEP_DAYS must be 1 or"),
        ("DRUMBEAT_WEBHOOK_KEEP_DAYS", "a week", "must be a whole number"),
        ("DRUMBEAT_WEBHOOK_ALLOW_PRIVATE", "maybe", "must be true or false"),
        ("DRUMBEAT_WEBHOOK_ALLOWED_HOSTS", "a.example, 10.0.0.0/33", "not a network"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_it(
    monkeypatch, tmp_path, variable, value, message
):
    _environment(monkeypatch, tmp_path)
    monkeypatch.setenv(variable, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        runpy.run_path(SETTINGS_FILE)


def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Enough for the settings to load without touching the real data folder."""
    monkeypatch.setenv("DRUMBEAT_SECRET_KEY", "test")
    monkeypatch.setenv("DRUMBEAT_DATA_DIR", str(tmp_path))


def test_the_settings_default_to_90_days_and_public_addresses_only(
    monkeypatch, tmp_path
):
    _environment(monkeypatch, tmp_path)
    for variable in (
        "DRUMBEAT_WEBHOOK_KEEP_DAYS",
        "DRUMBEAT_WEBHOOK_ALLOW_PRIVATE",
        "DRUMBEAT_WEBHOOK_ALLOWED_HOSTS",
    ):
        monkeypatch.delenv(variable, raising=False)
    loaded = runpy.run_path(SETTINGS_FILE)
    assert loaded["DRUMBEAT_WEBHOOK_KEEP_DAYS"] == 90
    assert loaded["DRUMBEAT_WEBHOOK_ALLOW_PRIVATE"] is False
    assert loaded["DRUMBEAT_WEBHOOK_ALLOWED_HOSTS"] == []
