"""Reads of the webhooks app, for the admins' pages."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

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
