"""What the audit log keeps: one event a change."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Event(models.Model):
    """One change, as the audit log shows it: when, who (kept by name too, should
    the account go), which kind of thing and which one, what was done, and the
    fields that moved (`changes`: field → [before, after])."""

    class Kind(models.TextChoices):
        PERSON = "person"
        TEAM = "team"
        ROLE = "role"
        TOKEN = "token"
        WEBHOOK = "webhook"
        DEFINITION = "definition"
        SOURCE = "source"
        TARGET = "target"
        OBJECTIVE = "objective"
        CYCLE = "cycle"
        READINGS = "readings"
        WORKSPACE = "workspace"
        REVIEW = "review"

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    action = models.CharField(max_length=40)
    subject = models.CharField(max_length=200, db_index=True)
    summary = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.subject}"
        )
