"""Listeners to the KPI status signals (connected in `WebhooksConfig.ready`).

They run once the change is committed; whatever goes wrong here is logged and
swallowed, so that a broken webhook never breaks the reading or refresh behind it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from drumbeat.kpis.signals import StatusChange
from drumbeat.webhooks import services

logger = logging.getLogger(__name__)


def on_kpi_statuses_changed(
    sender: Any, *, changes: list[StatusChange], **kwargs: Any
) -> None:
    """KPIs turned red or amber, recovered, or went stale: tell the webhooks."""
    try:
        services.status_changes_announce(changes=changes)
    except Exception:
        logger.exception("Webhooks: announcing %d KPI changes failed", len(changes))


def on_statuses_refreshed(
    sender: Any, *, as_of: dt.date, full: bool, **kwargs: Any
) -> None:
    """After a full refresh (the worker's daily one): announce any close not
    announced yet (one whose announcement failed), and prune the old deliveries
    from the log."""
    if not full:
        return
    _closes_announce()
    try:
        services.deliveries_prune()
    except Exception:
        logger.exception("Webhooks: pruning old deliveries failed")


def on_cycle_closed(sender: Any, *, close_pk: int, **kwargs: Any) -> None:
    """A cycle's close was committed: announce it to the webhooks."""
    _closes_announce()


def _closes_announce() -> None:
    try:
        services.cycle_closes_announce()
    except Exception:
        logger.exception("Webhooks: announcing cycle closes failed")
