"""Background work of the webhooks app, run by `drumbeat worker` (django-tasks)."""

from __future__ import annotations

import logging
import uuid

from django_tasks import task

from drumbeat.webhooks import services

logger = logging.getLogger(__name__)


@task()
def webhook_deliver(delivery_id: str) -> str:
    """One attempt of one webhook delivery; a failure queues the next attempt
    itself, so this task never fails. Returns the delivery's state."""
    try:
        delivery = services.delivery_attempt(delivery_id=uuid.UUID(delivery_id))
    except Exception:
        logger.exception("Webhook delivery %s: the attempt failed", delivery_id)
        return "error"
    return delivery.state if delivery is not None else "gone"
