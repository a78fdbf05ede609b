"""Webhooks, the events announced to them, and every delivery attempt."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Event(models.TextChoices):
    """What a webhook may subscribe to."""

    KPI_RED = "kpi.red", "a KPI turns red"
    KPI_AMBER = "kpi.amber", "a KPI turns amber"
    KPI_RECOVERED = "kpi.recovered", "a KPI recovers to green from red or amber"
    KPI_STALE = "kpi.stale", "a KPI goes stale"
    CYCLE_CLOSED = "cycle.closed", "a cycle is closed (its close confirmed)"
    DIGEST_WEEKLY = "digest.weekly", "a team's weekly digest, on its check-in day"


class Webhook(models.Model):
    """An address that events are posted to, signed with its own secret.

    The secret is kept only encrypted (Fernet, see `drumbeat.webhooks.crypto`): it
    must be readable to sign with, so it cannot be hashed like a password.
    """

    name = models.CharField(max_length=200)
    url = models.CharField(max_length=2000)
    events = models.JSONField(default=list, help_text="Event values subscribed to")
    active = models.BooleanField(default=True)
    slack = models.BooleanField(
        default=False, help_text='Post {"text": "..."} for a Slack incoming webhook'
    )
    secret_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Announcement(models.Model):
    """An event as it happened, once: its id and payload are the same for every
    webhook. `key` makes an event that must be announced only once (a cycle's
    close) idempotent."""

    class Name(models.TextChoices):
        KPI_HEALTH_CHANGED = "kpi.health_changed"
        KPI_STALE = "kpi.stale"
        CYCLE_CLOSED = "cycle.closed"
        DIGEST_WEEKLY = "digest.weekly"
        WEBHOOK_TEST = "webhook.test"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.CharField(max_length=30, choices=Name.choices)
    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(help_text="The JSON body (schema 1) every webhook gets")
    text = models.TextField(help_text="The same, as a sentence for Slack")

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.event} {self.id}"


class Delivery(models.Model):
    """One announcement to one webhook, tried until it succeeds or gives up. Its
    id (the `X-Drumbeat-Delivery` header) stays the same across retries, so that
    a receiver can drop a repeat."""

    class State(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries"
    )
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="deliveries"
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "announcement"], name="one_delivery_per_webhook"
            )
        ]
        indexes = [models.Index(fields=["webhook", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.announcement.event} to {self.webhook}: {self.state}"


class Attempt(models.Model):
    """One POST of a delivery: when, how it went, how long it took."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response = models.TextField(blank=True, help_text="The first characters returned")
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField()

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
