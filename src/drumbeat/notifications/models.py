"""Every reminder and digest, recorded before it is sent, with its outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """One message to one person (or one team's channel) for one period: recorded
    before sending, so that it goes at most once whatever runs it (two workers, a
    restart mid-run); then claimed, sent and its outcome kept."""

    class Kind(models.TextChoices):
        CHECK_IN_REMINDER = "check_in_reminder", "check-in reminder"
        READING_REMINDER = "reading_reminder", "reading reminder"
        DIGEST = "digest", "weekly digest"
        TEAM_DIGEST = "team_digest", "team digest"

    class Channel(models.TextChoices):
        EMAIL = "email", "e-mail"
        WEBHOOK = "webhook", "webhooks"

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"
        SKIPPED = "skipped", "nothing to send"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period = models.CharField(
        max_length=20, help_text="The ISO week it is for, such as 2026-W48"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period", "channel"],
                condition=Q(user__isnull=False),
                name="one_notification_per_person_kind_period_channel",
            ),
            models.UniqueConstraint(
                fields=["team", "kind", "period", "channel"],
                condition=Q(team__isnull=False),
                name="one_notification_per_team_kind_period_channel",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        kind = self.get_kind_display()
        return f"{kind} {self.period} to {self.recipient}: {self.status}"
