"""Pulls of KPI readings from their data sources, the same for every kind: run the
kind's `fetch`, record the rows through `readings_ingest` (all or nothing), and
keep where the source stands (`SourceState`) for the scheduler and the pages.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import logging
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from drumbeat.kpis.models import KPI, Reading, SourceState
from drumbeat.kpis.schedule import STUCK_AFTER, next_pull_at, pull_due, pull_queued
from drumbeat.kpis.selectors import can_record_readings
from drumbeat.kpis.services.readings import (
    IngestError,
    IngestResult,
    ReadingIn,
    readings_ingest,
)
from drumbeat.kpis.sources import PullLimits, Row, SourceError, source_fetcher
from drumbeat.kpis.sources.selectors import pulled_kpis, source_state

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 1000
PROBLEMS_SHOWN = 3


@dataclass(frozen=True, slots=True)
class PullOutcome:
    """What one pull did: the readings it recorded, or why it failed."""

    kpi_key: str
    ok: bool
    message: str
    result: IngestResult | None = None


class PullRefusedError(ValueError):
    """A pull asked for that cannot run: no such KPI, or one that is not pulled."""


def query_version(query: str) -> str:
    """A short hash of a source query: which query a reading came from."""
    return hashlib.sha256(query.strip().encode()).hexdigest()[:8]


def pull_limits() -> PullLimits:
    """The timeout and row cap of pulls, from the settings."""
    return PullLimits(
        timeout=float(settings.DRUMBEAT_SOURCE_TIMEOUT),
        max_rows=settings.DRUMBEAT_SOURCE_MAX_ROWS,
    )


def source_next_pull_at(kpi: KPI, state: SourceState | None) -> dt.datetime | None:
    """When the KPI's source is next due (None: at once), by `drumbeat.kpis.schedule`,
    with cron schedules read in the server's time zone."""
    if state is None:
        return None
    source = kpi.source

    def local(moment: dt.datetime | None) -> dt.datetime | None:
        return timezone.localtime(moment) if moment else None

    return next_pull_at(
        cadence=kpi.cadence or None,
        schedule=source.get("schedule") or None,
        last_run_at=local(state.last_run_at),
        last_ok_at=local(state.last_ok_at),
        failures=state.consecutive_failures,
        query_changed=state.query_version != query_version(source.get("query", "")),
    )


def source_pull(
    *, kpi: KPI, run_id: str, claim: str = "", now: dt.datetime | None = None
) -> PullOutcome:
    """Pull the KPI's source now and record what it returns, all or nothing.

    A failure (no connection, a query that fails, changes data, runs too long or
    returns too many rows, a value that is not a number ...) is kept on the
    KPI's source state with its message, never raised: the worker carries on.
    `claim` is the token the scheduler queued the pull with, released at the end.
    """
    started = now or timezone.now()
    source: Mapping[str, Any] = kpi.source
    fetch = source_fetcher(str(source.get("type", "")))
    version = query_version(str(source.get("query", "")))
    state, _ = SourceState.objects.get_or_create(kpi=kpi)
    result: IngestResult | None = None
    try:
        if fetch is None:
            raise SourceError(
                f"its source is {source.get('type') or 'manual'}: nothing to pull"
            )
        rows = fetch(source, pull_limits())
        readings = _readings(kpi.key, rows, timezone.localdate(started))
        result = readings_ingest(
            readings=lambda: readings,
            by=None,
            source=Reading.Source.PULL,
            source_detail=_detail(source, version, run_id),
        )
    except SourceError as error:
        message = str(error)
    except IngestError as error:
        message = _problems(error)
    except Exception as error:  # a bug must not stop the worker
        # Not the error's text nor its traceback: either could carry a password.
        message = f"the pull failed unexpectedly ({type(error).__name__})"
        logger.error("pull of %s: %s", kpi.key, message)
    else:
        message = _summary(result, rows_given=len(readings))
    ok = result is not None
    _state_record(state, kpi, ok=ok, message=message, started=started, run_id=run_id)
    if claim:
        SourceState.objects.filter(pk=state.pk, queued_token=claim).update(
            queued_at=None, queued_token=""
        )
    return PullOutcome(kpi.key, ok, message, result)


def _state_record(
    state: SourceState,
    kpi: KPI,
    *,
    ok: bool,
    message: str,
    started: dt.datetime,
    run_id: str,
) -> None:
    state.last_run_at = started
    state.last_run_id = run_id
    state.query_version = query_version(str(kpi.source.get("query", "")))
    if ok:
        state.last_ok_at = started
        state.failing_since = None
        state.last_error = ""
        state.consecutive_failures = 0
        state.last_summary = message[:200]
    else:
        state.failing_since = state.failing_since or started
        state.last_error = message[:MAX_ERROR_LENGTH]
        state.consecutive_failures += 1
    state.next_due_at = source_next_pull_at(kpi, state)
    state.save(
        update_fields=[
            "last_run_at",
            "last_run_id",
            "query_version",
            "last_ok_at",
            "failing_since",
            "last_error",
            "consecutive_failures",
            "last_summary",
            "next_due_at",
        ]
    )


def _readings(kpi_key: str, rows: list[Row], day: dt.date) -> list[ReadingIn]:
    """The rows as readings: a single value is stamped with the pull's day; the
    moments the database returns (dates, timestamps, ISO text) are read by the
    reading service as every other way in's; exact decimals become numbers."""
    return [ReadingIn(kpi_key, day if at is None else at, _number(v)) for at, v in rows]


def _number(value: Any) -> Any:
    if isinstance(value, decimal.Decimal) and value.is_finite():
        number = float(value)
        return number if math.isfinite(number) else value
    return value


def _detail(source: Mapping[str, Any], version: str, run_id: str) -> str:
    """A pulled reading's provenance: the connection, the query and the run."""
    where = source.get("connection") or source.get("type") or "source"
    return f"{where}, query {version}, run {run_id}"


def _summary(result: IngestResult, *, rows_given: int) -> str:
    if not rows_given:
        return "the query returned no rows: nothing recorded"
    return (
        f"{result.total} reading{'s' if result.total != 1 else ''}: "
        f"{result.created} new, {result.corrected} corrected, "
        f"{result.unchanged} unchanged"
    )


def _problems(error: IngestError) -> str:
    count = len(error.problems) + error.more
    shown = "; ".join(
        f"row {problem.index + 1} {problem.field}: {problem.message}"
        for problem in error.problems[:PROBLEMS_SHOWN]
    )
    rest = count - min(count, PROBLEMS_SHOWN)
    return (
        f"{count} row{'s' if count != 1 else ''} cannot be recorded, so none was: "
        f"{shown}{f'; and {rest} more' if rest else ''}"
    )


def sources_pull(*, kpi_key: str | None = None) -> list[PullOutcome]:
    """Pull now, in the caller (`drumbeat pull`): every pulled KPI, or one.

    Raises PullRefusedError for a KPI that does not exist or is not pulled.
    """
    kpis = list(pulled_kpis())
    if kpi_key is not None:
        kpi = KPI.objects.filter(key=kpi_key).first()
        if kpi is None:
            raise PullRefusedError(f"no KPI '{kpi_key}' in the dictionary")
        _refuse_unless_pulled(kpi)
        kpis = [kpi]
    return [source_pull(kpi=kpi, run_id=uuid.uuid4().hex) for kpi in kpis]


def _refuse_unless_pulled(kpi: KPI) -> None:
    """Raise PullRefusedError for a KPI whose source is not pulled."""
    if source_fetcher(str(kpi.source.get("type", ""))) is None:
        kind = kpi.source.get("type") or "manual"
        raise PullRefusedError(
            f"KPI '{kpi.key}' is not pulled: its source is {kind} (only sql "
            "sources are pulled)"
        )


def stuck_after() -> dt.timedelta:
    """How long a queued pull counts as queued: an hour, or more than the time a
    few pulls may take."""
    return max(STUCK_AFTER, dt.timedelta(seconds=4 * settings.DRUMBEAT_SOURCE_TIMEOUT))


def source_pulls_enqueue(*, now: dt.datetime | None = None) -> list[str]:
    """Queue a pull of every pulled KPI that is due and not queued already; the
    keys of those queued. Safe to run from several workers at once: a pull is
    claimed on its state row before it is queued, in the same transaction."""
    moment = now or timezone.now()
    waited = stuck_after()
    queued: list[str] = []
    for kpi in pulled_kpis():
        state = source_state(kpi)
        if not pull_due(source_next_pull_at(kpi, state), moment):
            continue
        if state is not None and pull_queued(state.queued_at, moment, waited):
            continue
        if _pull_claim_and_enqueue(kpi, moment, waited):
            queued.append(kpi.key)
    return queued


def source_pull_request(*, kpi: KPI, by: User, now: dt.datetime | None = None) -> bool:
    """Queue a pull of the KPI now, whatever its schedule ("pull now" on its page):
    its owner and admins. False when a pull of it is queued or running already.

    Raises PullRefusedError for a KPI that is not pulled, PermissionDenied for
    someone else."""
    if not can_record_readings(by, kpi):
        raise PermissionDenied("Only the KPI's owner or an admin pulls its source.")
    _refuse_unless_pulled(kpi)
    queued = _pull_claim_and_enqueue(kpi, now or timezone.now(), stuck_after())
    if queued:
        logger.info("pull of %s asked for by %s", kpi.key, by.get_username())
    return queued


def _pull_claim_and_enqueue(
    kpi: KPI, moment: dt.datetime, waited: dt.timedelta
) -> bool:
    """Claim the KPI's pull on its state row and queue it, in one transaction;
    False when another claim holds (a pull queued less than `waited` ago)."""
    from drumbeat.kpis.tasks import source_pull_task

    with transaction.atomic():
        state, _ = SourceState.objects.get_or_create(kpi=kpi)
        token = uuid.uuid4().hex
        claimed = (
            SourceState.objects.filter(pk=state.pk)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=moment - waited))
            .update(queued_at=moment, queued_token=token)
        )
        if not claimed:
            return False
        source_pull_task.enqueue(kpi_key=kpi.key, claim=token)
    return True


PULL_ABANDONED = "the worker stopped during the pull; it runs again when due"


def source_pulls_abandoned(*, claims: list[str], now: dt.datetime) -> int:
    """Release the claims of pulls whose worker died mid-pull, keeping why on the
    sources' states, so that the scheduler (or "Pull now") queues them again at
    once instead of waiting an hour for the claim to lapse; how many."""
    states = list(SourceState.objects.filter(queued_token__in=claims))
    for state in states:
        state.queued_at = None
        state.queued_token = ""
        state.failing_since = state.failing_since or now
        state.last_error = PULL_ABANDONED
        state.next_due_at = None
        state.save(
            update_fields=[
                "queued_at",
                "queued_token",
                "failing_since",
                "last_error",
                "next_due_at",
            ]
        )
    return len(states)
