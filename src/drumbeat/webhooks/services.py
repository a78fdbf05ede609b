"""Writes of the webhooks app: configuring webhooks (admins), announcing events
to them, and delivering each announcement with retries.

Announcing never raises into the change that caused it: a broken webhook must
never stop a reading from being recorded.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone

from drumbeat.audit.models import Event as AuditEvent
from drumbeat.audit.services import change_record, event_record, values_of
from drumbeat.kpis.models import KPI
from drumbeat.kpis.signals import StatusChange
from drumbeat.okrs.models import CycleClose, FinalGrade
from drumbeat.webhooks import payloads
from drumbeat.webhooks.addresses import AddressPolicy, host_refusal
from drumbeat.webhooks.crypto import (
    SecretUnreadableError,
    secret_decrypt,
    secret_encrypt,
    secret_make,
    signature,
)
from drumbeat.webhooks.http import post
from drumbeat.webhooks.models import Announcement, Attempt, Delivery, Event, Webhook

logger = logging.getLogger(__name__)

URL_MAX_LENGTH = 2000
NAME_MAX_LENGTH = 200
DEFAULT_ATTEMPTS = 5
DEFAULT_BACKOFF_SECONDS = 30
DEFAULT_KEEP_DAYS = 90

URL_SCHEME_MESSAGE = "Use an http:// or https:// address."
EVENTS_MESSAGE = "Choose at least one event."


@dataclass(frozen=True, slots=True)
class WebhookSecret:
    """A webhook and its signing secret in clear: shown to the admin this once."""

    webhook: Webhook
    secret: str


# --- Configuring webhooks (admins) ------------------------------------------------


def _checked(name: str, url: str, events: Iterable[str]) -> tuple[str, str, list[str]]:
    """The name, URL and events, or a ValidationError naming each bad field."""
    problems: dict[str, str] = {}
    name = name.strip()
    url = url.strip()
    if not name:
        problems["name"] = "Give the webhook a name."
    elif len(name) > NAME_MAX_LENGTH:
        problems["name"] = f"At most {NAME_MAX_LENGTH} characters."
    parts = urlsplit(url) if len(url) <= URL_MAX_LENGTH else None
    if parts is None:
        problems["url"] = f"At most {URL_MAX_LENGTH} characters."
    elif (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in url)
    ):
        problems["url"] = URL_SCHEME_MESSAGE
    else:
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            problems["url"] = "The port must be a number from 0 to 65535."
        else:
            refusal = host_refusal(parts.hostname, _address_policy())
            if refusal is not None:
                problems["url"] = refusal
    chosen = list(dict.fromkeys(events))
    unknown = [e for e in chosen if e not in Event.values]
    if unknown:
        problems["events"] = f"Unknown event {unknown[0]!r}: choose from the list."
    elif not chosen:
        problems["events"] = EVENTS_MESSAGE
    if problems:
        raise ValidationError(problems)
    return name, url, [e for e in Event.values if e in chosen]


WEBHOOK_FIELDS = ("name", "url", "events", "active", "slack")


@transaction.atomic
def webhook_create(
    *,
    name: str,
    url: str,
    events: Iterable[str],
    active: bool,
    slack: bool,
    by: User,
) -> WebhookSecret:
    """Add a webhook with a new signing secret, returned once in clear and stored
    only encrypted."""
    name, url, chosen = _checked(name, url, events)
    secret = secret_make()
    webhook = Webhook.objects.create(
        name=name,
        url=url,
        events=chosen,
        active=active,
        slack=slack,
        secret_encrypted=secret_encrypt(secret),
        created_by=by,
    )
    logger.info("Webhook %s (%s) added by %s", webhook.pk, name, by.get_username())
    change_record(
        kind=AuditEvent.Kind.WEBHOOK,
        subject=name,
        by=by,
        before=None,
        after=values_of(webhook, WEBHOOK_FIELDS),
    )
    return WebhookSecret(webhook, secret)


@transaction.atomic
def webhook_update(
    *,
    webhook: Webhook,
    name: str,
    url: str,
    events: Iterable[str],
    active: bool,
    slack: bool,
    by: User,
) -> Webhook:
    """Change a webhook's name, address, events, active and Slack flags; its secret
    stays."""
    name, url, chosen = _checked(name, url, events)
    before = values_of(webhook, WEBHOOK_FIELDS)
    webhook.name, webhook.url, webhook.events = name, url, chosen
    webhook.active, webhook.slack = active, slack
    webhook.save()
    change_record(
        kind=AuditEvent.Kind.WEBHOOK,
        subject=name,
        by=by,
        before=before,
        after=values_of(webhook, WEBHOOK_FIELDS),
    )
    logger.info("Webhook %s (%s) changed by %s", webhook.pk, name, by.get_username())
    return webhook


@transaction.atomic
def webhook_secret_rotate(*, webhook: Webhook, by: User) -> WebhookSecret:
    """Replace a webhook's signing secret; the old one stops signing at once."""
    secret = secret_make()
    webhook.secret_encrypted = secret_encrypt(secret)
    webhook.save(update_fields=["secret_encrypted", "updated_at"])
    logger.info("Webhook %s secret rotated by %s", webhook.pk, by.get_username())
    event_record(
        kind=AuditEvent.Kind.WEBHOOK,
        action="secret rotated",
        subject=webhook.name,
        by=by,
    )
    return WebhookSecret(webhook, secret)


@transaction.atomic
def webhook_delete(*, webhook: Webhook, by: User) -> None:
    """Remove a webhook and its delivery log."""
    logger.info("Webhook %s (%s) deleted by %s", webhook.pk, webhook.name, by)
    event_record(
        kind=AuditEvent.Kind.WEBHOOK,
        action="deleted",
        subject=webhook.name,
        by=by,
        summary=webhook.url,
    )
    webhook.delete()


def webhook_test_send(*, webhook: Webhook, by: User) -> Delivery:
    """Send a `webhook.test` event to one webhook (active or not), through the
    same queue, signing and log as real events."""
    with transaction.atomic():
        announcement = _announcement(
            Announcement.Name.WEBHOOK_TEST,
            body={"webhook": {"name": webhook.name}},
            text=payloads.webhook_test_text(webhook.name),
        )
        announcement.save()
        delivery = Delivery.objects.create(webhook=webhook, announcement=announcement)
        transaction.on_commit(partial(_enqueue, delivery.pk))
    logger.info("Webhook %s test event sent by %s", webhook.pk, by.get_username())
    return delivery


# --- Announcing events --------------------------------------------------------------


def _announcement(
    event: str, *, body: payloads.JSON, text: str, key: str | None = None
) -> Announcement:
    """An unsaved announcement with its id, time and schema-1 payload."""
    event_id = uuid.uuid4()
    occurred_at = timezone.now()
    return Announcement(
        id=event_id,
        event=event,
        key=key,
        occurred_at=occurred_at,
        payload=payloads.envelope(event, event_id, occurred_at, **body),
        text=text,
    )


def _base_url() -> str:
    return str(getattr(settings, "DRUMBEAT_BASE_URL", "http://127.0.0.1:8000"))


def _subscribers() -> dict[str, list[Webhook]]:
    """Active webhooks by event subscribed (one query)."""
    by_event: dict[str, list[Webhook]] = {}
    for webhook in Webhook.objects.filter(active=True):
        for event in webhook.events:
            by_event.setdefault(event, []).append(webhook)
    return by_event


def change_events(change: StatusChange) -> list[Event]:
    """What a KPI's status change announces: turning red or amber, recovering to
    green from red or amber, going stale. A KPI new to the dictionary (no status
    before) announces nothing: it did not change, it appeared."""
    if change.health_before is None:
        return []
    events = []
    if change.health_after != change.health_before:
        if change.health_after == "red":
            events.append(Event.KPI_RED)
        elif change.health_after == "amber":
            events.append(Event.KPI_AMBER)
        elif change.health_after == "green" and change.health_before in (
            "red",
            "amber",
        ):
            events.append(Event.KPI_RECOVERED)
    if change.stale_after and change.stale_before is False:
        events.append(Event.KPI_STALE)
    return events


def _kpi_facts(kpi: KPI, change: StatusChange) -> payloads.KPIFacts:
    status = getattr(kpi, "status", None)
    return payloads.KPIFacts(
        key=kpi.key,
        name=kpi.name,
        unit=kpi.unit,
        cadence=kpi.cadence,
        owner=kpi.owner_name,
        team=kpi.team.key if kpi.team else kpi.team_name,
        health=change.health_after,
        previous_health=change.health_before,
        stale=change.stale_after,
        latest_value=status.latest_value if status else None,
        latest_day=status.latest_day if status else None,
        url=_base_url() + reverse("kpi-detail", args=[kpi.key]),
    )


def status_changes_announce(*, changes: Sequence[StatusChange]) -> list[Delivery]:
    """Announce KPI status changes to the active webhooks subscribed to them; a
    change nobody subscribed to costs one query and writes nothing."""
    wanted = [(change, change_events(change)) for change in changes]
    subscribers = _subscribers()
    wanted = [
        (change, [e for e in events if subscribers.get(e)]) for change, events in wanted
    ]
    wanted = [(change, events) for change, events in wanted if events]
    if not wanted:
        return []
    kpis = {
        kpi.key: kpi
        for kpi in KPI.objects.select_related("status", "team").filter(
            key__in=[change.kpi_key for change, _ in wanted]
        )
    }
    deliveries: list[Delivery] = []
    with transaction.atomic():
        for change, events in wanted:
            kpi = kpis.get(change.kpi_key)
            if kpi is None:  # deleted since
                continue
            facts = _kpi_facts(kpi, change)
            for event in events:
                if event is Event.KPI_STALE:
                    announcement = _announcement(
                        Announcement.Name.KPI_STALE,
                        body={"kpi": payloads.kpi_json(facts)},
                        text=payloads.stale_text(facts),
                    )
                else:
                    announcement = _announcement(
                        Announcement.Name.KPI_HEALTH_CHANGED,
                        body={"kpi": payloads.kpi_json(facts)},
                        text=payloads.health_changed_text(facts),
                    )
                announcement.save()
                deliveries += _deliveries(announcement, subscribers[event])
    return deliveries


def _deliveries(
    announcement: Announcement, webhooks: Sequence[Webhook]
) -> list[Delivery]:
    """One delivery per webhook, each queued once the transaction commits."""
    made = Delivery.objects.bulk_create(
        [Delivery(webhook=webhook, announcement=announcement) for webhook in webhooks]
    )
    for delivery in made:
        transaction.on_commit(partial(_enqueue, delivery.pk))
    return made


def cycle_closes_announce() -> list[Announcement]:
    """Announce, once each, the standing closes of cycles (confirmed on the close
    page, the API or the CLI) not announced yet, with their frozen final grades. A
    cycle reopened and closed again is announced again: its new close has new
    grades. Recorded even when no webhook subscribes, so that a webhook added
    later is not sent old closes."""
    announced = set(
        Announcement.objects.filter(event=Announcement.Name.CYCLE_CLOSED).values_list(
            "key", flat=True
        )
    )
    closes = [
        close
        for close in CycleClose.objects.filter(reopened_at__isnull=True)
        .select_related("cycle")
        .prefetch_related(
            Prefetch(
                "grades",
                queryset=FinalGrade.objects.filter(key_result_key="").select_related(
                    "objective__team"
                ),
            )
        )
        .order_by("closed_at", "pk")
        if _close_key(close) not in announced
    ]
    if not closes:
        return []
    subscribers = _subscribers().get(Event.CYCLE_CLOSED, [])
    made = []
    for close in closes:
        cycle = close.cycle
        facts = payloads.CycleFacts(
            key=cycle.key,
            start=cycle.start,
            end=cycle.end,
            url=_base_url() + reverse("cycle-board", args=[cycle.key]),
            objectives=tuple(
                payloads.ObjectiveClose(
                    key=grade.objective_key,
                    title=grade.title,
                    team=grade.objective.team.key
                    if grade.objective and grade.objective.team
                    else grade.team_name,
                    commitment=grade.commitment,
                    score=grade.score,
                    grade=grade.grade or None,
                    outcome=grade.outcome or None,
                )
                for grade in close.grades.all()
            ),
        )
        announcement = _announcement(
            Announcement.Name.CYCLE_CLOSED,
            body={"cycle": payloads.cycle_json(facts)},
            text=payloads.cycle_closed_text(facts),
            key=_close_key(close),
        )
        try:
            with transaction.atomic():
                announcement.save(force_insert=True)
                _deliveries(announcement, subscribers)
        except IntegrityError:  # another process announced it first
            continue
        made.append(announcement)
    return made


def team_digest_announce(*, digest: payloads.DigestFacts) -> Announcement | None:
    """Announce a team's weekly digest (`digest.weekly`) to the webhooks that
    subscribe to it, once per team and period (a second call returns None).
    Recorded even when none subscribes."""
    announcement = _announcement(
        Announcement.Name.DIGEST_WEEKLY,
        body={"digest": payloads.digest_json(digest)},
        text=payloads.digest_text(digest),
        key=f"{Event.DIGEST_WEEKLY.value}:{digest.team_key}:{digest.period}",
    )
    try:
        with transaction.atomic():
            announcement.save(force_insert=True)
            _deliveries(announcement, _subscribers().get(Event.DIGEST_WEEKLY, []))
    except IntegrityError:  # announced already
        return None
    return announcement


def _close_key(close: CycleClose) -> str:
    return f"{Announcement.Name.CYCLE_CLOSED.value}:{close.cycle.key}:{close.pk}"


# --- Delivering ---------------------------------------------------------------------


def _address_policy() -> AddressPolicy:
    """The private addresses that the settings allow webhooks to reach."""
    return AddressPolicy.parse(
        allow_private=bool(getattr(settings, "DRUMBEAT_WEBHOOK_ALLOW_PRIVATE", False)),
        allowed=getattr(settings, "DRUMBEAT_WEBHOOK_ALLOWED_HOSTS", []),
    )


def _max_attempts() -> int:
    return int(getattr(settings, "DRUMBEAT_WEBHOOK_ATTEMPTS", DEFAULT_ATTEMPTS))


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed try: the backoff, doubled each time
    (30 s, 1 min, 2 min, 4 min ... by default)."""
    base = int(
        getattr(settings, "DRUMBEAT_WEBHOOK_BACKOFF_SECONDS", DEFAULT_BACKOFF_SECONDS)
    )
    return dt.timedelta(seconds=base * 2 ** (attempts - 1))


def _enqueue(delivery_id: uuid.UUID, run_after: dt.datetime | None = None) -> None:
    """Queue a delivery attempt: after `run_after` on a queue that can wait, else
    at once. A queue that fails leaves the delivery pending, logged."""
    from drumbeat.webhooks.tasks import webhook_deliver

    try:
        task = webhook_deliver
        if run_after is not None and task.get_backend().supports_defer:
            task = task.using(run_after=run_after)
        task.enqueue(str(delivery_id))
    except Exception:
        logger.exception("Webhook delivery %s could not be queued", delivery_id)


def _body(webhook: Webhook, announcement: Announcement) -> bytes:
    data = {"text": announcement.text} if webhook.slack else announcement.payload
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def delivery_attempt(*, delivery_id: uuid.UUID) -> Delivery | None:
    """POST a pending delivery once and log the attempt; on failure queue the
    next try after `retry_delay`, until the webhook's attempts run out (at once
    when its address is refused: trying again would not change that). None when
    the delivery is gone (its webhook was deleted)."""
    delivery = (
        Delivery.objects.select_related("webhook", "announcement")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.state != Delivery.State.PENDING:
        return delivery
    webhook, announcement = delivery.webhook, delivery.announcement
    if not webhook.active and announcement.event != Announcement.Name.WEBHOOK_TEST:
        delivery.state = Delivery.State.CANCELLED
        delivery.next_attempt_at = None
        delivery.save(update_fields=["state", "next_attempt_at"])
        return delivery
    at = timezone.now()
    try:
        secret = secret_decrypt(webhook.secret_encrypted)
    except SecretUnreadableError as error:
        _attempt_log(delivery, at=at, status_code=None, response="", error=str(error))
        delivery.state = Delivery.State.FAILED
        delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
        return delivery
    body = _body(webhook, announcement)
    timestamp = str(int(time.time()))
    result = post(
        webhook.url,
        body,
        {
            "Content-Type": "application/json",
            "X-Drumbeat-Event": announcement.event,
            "X-Drumbeat-Delivery": str(delivery.pk),
            "X-Drumbeat-Timestamp": timestamp,
            "X-Drumbeat-Signature": signature(secret, timestamp, body),
        },
        policy=_address_policy(),
    )
    with transaction.atomic():
        _attempt_log(
            delivery,
            at=at,
            status_code=result.status_code,
            response=result.response,
            error=result.error,
            duration_ms=result.duration_ms,
        )
        if result.succeeded:
            delivery.state = Delivery.State.SUCCEEDED
        elif result.refused or delivery.attempts >= _max_attempts():
            delivery.state = Delivery.State.FAILED
            logger.warning(
                "Webhook %s gave up on delivery %s after %d attempts: %s",
                webhook.pk,
                delivery.pk,
                delivery.attempts,
                result.error,
            )
        else:
            delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
        delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
    if delivery.state == Delivery.State.PENDING:
        _enqueue(delivery.pk, run_after=delivery.next_attempt_at)
    return delivery


def _attempt_log(
    delivery: Delivery,
    *,
    at: dt.datetime,
    status_code: int | None,
    response: str,
    error: str,
    duration_ms: int = 0,
) -> None:
    """Record one attempt on the delivery (saved by the caller)."""
    delivery.attempts += 1
    delivery.next_attempt_at = None
    Attempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        at=at,
        status_code=status_code,
        response=response,
        error=error,
        duration_ms=duration_ms,
    )


# --- Pruning the log ----------------------------------------------------------------


def deliveries_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the deliveries that finished (succeeded, failed or were cancelled)
    more than `DRUMBEAT_WEBHOOK_KEEP_DAYS` days before `now`, with their attempts;
    a delivery still pending a retry stays however old. Then the events that no
    delivery refers to any more, unless they are kept to be announced only once
    (a cycle's close). Returns how many deliveries went."""
    keep_days = int(getattr(settings, "DRUMBEAT_WEBHOOK_KEEP_DAYS", DEFAULT_KEEP_DAYS))
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days)
    # A delivery finishes with its last attempt (or, cancelled, untried).
    recent_attempt = Attempt.objects.filter(delivery=OuterRef("pk"), at__gte=cutoff)
    with transaction.atomic():
        _, deleted = (
            Delivery.objects.exclude(state=Delivery.State.PENDING)
            .filter(created_at__lt=cutoff)
            .exclude(Exists(recent_attempt))
            .delete()
        )
        Announcement.objects.filter(
            key__isnull=True, occurred_at__lt=cutoff, deliveries__isnull=True
        ).delete()
    pruned = deleted.get(Delivery._meta.label, 0)
    if pruned:
        logger.info(
            "Webhooks: %d deliveries older than %d days pruned", pruned, keep_days
        )
    return pruned


def deliveries_abandoned(*, delivery_ids: list[str]) -> int:
    """Queue again the attempts of deliveries whose worker died mid-attempt (still
    pending: an attempt that was logged moved them on); how many."""
    pending = Delivery.objects.filter(
        pk__in=delivery_ids, state=Delivery.State.PENDING
    ).values_list("pk", flat=True)
    count = 0
    for delivery_id in pending:
        _enqueue(delivery_id)
        count += 1
    return count
