"""Reads of the webhooks app, for the admins' pages."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from drumbeat.webhooks.crypto import SecretUnreadableError, secret_decrypt
from drumbeat.webhooks.models import Attempt, Delivery, Webhook

DELIVERIES_SHOWN = 100


def webhooks_list() -> QuerySet[Webhook]:
    """Every webhook with the state and time of its latest delivery (one query)."""
    latest = Delivery.objects.filter(webhook=OuterRef("pk")).order_by("-created_at")
    return Webhook.objects.annotate(
        last_state=Subquery(latest.values("state")[:1]),
        last_at=Subquery(latest.values("created_at")[:1]),
    ).order_by("name", "pk")


def webhook_deliveries(
    webhook: Webhook, limit: int = DELIVERIES_SHOWN
) -> list[Delivery]:
    """A webhook's latest deliveries, newest first, each with its event and its
    attempts (two queries)."""
    return list(
        Delivery.objects.filter(webhook=webhook)
        .select_related("announcement")
        .prefetch_related(
            Prefetch("attempt_log", queryset=Attempt.objects.order_by("number"))
        )
        .order_by("-created_at")[:limit]
    )


def webhooks_with_unreadable_secrets() -> list[str]:
    """The names of the webhooks whose signing secret the server's key cannot
    decrypt (a database restored on a server with another key): their deliveries
    would fail until the key is set back, or their secrets are rotated."""
    unreadable = []
    for webhook in Webhook.objects.order_by("name", "pk"):
        try:
            secret_decrypt(webhook.secret_encrypted)
        except SecretUnreadableError:
            unreadable.append(webhook.name)
    return unreadable
