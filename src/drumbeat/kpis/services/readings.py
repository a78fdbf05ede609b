"""Writes of KPI readings: every way in (the KPI page's form, the API, CSV and XLSX
imports, `drumbeat apply`, SQL pulls) records readings through `readings_ingest`,
so that each gets the same checks and the same correction rule.

The correction rule: one current reading per KPI and moment. The same value (and
note) again changes nothing; a different one supersedes the current reading, which
stays in history, so a score can be shown as it stood at the time.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, cast

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from drumbeat.core.moments import (
    Moment,
    MomentError,
    future_problem,
    moment_day,
    moment_text,
    reading_moment,
)
from drumbeat.kpis.bulk import ReadingRow, readings_insert, readings_supersede
from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.signals import KPIChange, kpis_changed
from drumbeat.workspace.schema import finite_number
from drumbeat.workspace.yamlio import collector_paused


class Refresh(StrEnum):
    """When the statuses, scores and findings that new readings move are
    recomputed."""

    NOW = "now"
    """Before the write returns, in its transaction."""
    LATER = "later"
    """By the worker, right after the write commits (a large batch: its answer
    need not wait)."""
    CALLER = "caller"
    """By the caller, which recomputes more at once (`drumbeat apply`)."""


class ReadingError(ValueError):
    """A reading that cannot be recorded, with a message for the person."""


def reading_record(
    *,
    kpi: KPI,
    at: Moment | str,
    value: float,
    by: User | None,
    note: str = "",
    source: str = Reading.Source.MANUAL,
    source_detail: str = "",
) -> Reading:
    """Record one reading of a KPI (the KPI page's form) through `readings_ingest`:
    a different value at a moment that has one is a correction, the same value
    changes nothing. Its status and the KR scores on it are refreshed at once.
    Raises ReadingError with what is wrong with it."""
    try:
        readings_ingest(
            readings=lambda: [ReadingIn(kpi.key, at, value, note)],
            by=by,
            source=source,
            source_detail=source_detail,
        )
    except IngestError as error:
        raise ReadingError(error.problems[0].message) from None
    return Reading.objects.current().get(kpi=kpi, at=moment_text(reading_moment(at)))


class ReadingGiven(Protocol):
    """What a reading must offer to be checked: a `ReadingIn`, a row read from a
    file, an API body's item."""

    @property
    def kpi(self) -> str: ...
    @property
    def at(self) -> Any: ...
    @property
    def value(self) -> Any: ...
    @property
    def note(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ReadingIn:
    """A reading as a script, a file or a pull gives it, not yet checked."""

    kpi: str
    at: Any
    value: Any
    note: str = ""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong with one reading of a batch: its position, field and why."""

    index: int
    field: str
    message: str


class IngestError(ValueError):
    """A batch refused whole, with every problem found (up to a cap)."""

    def __init__(self, problems: list[RowProblem], more: int = 0) -> None:
        self.problems = problems
        self.more = more
        shown = "; ".join(f"#{p.index} {p.field}: {p.message}" for p in problems[:3])
        super().__init__(f"{len(problems) + more} problem(s): {shown}")


@dataclass
class IngestResult:
    """What a batch changed."""

    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    kpi_keys: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return self.created + self.corrected + self.unchanged


MAX_PROBLEMS = 1000
INGEST_CHUNK = 10_000


def readings_check(
    readings: Sequence[ReadingGiven],
    kpi_ids: dict[str, int],
    *,
    today: dt.date,
    start: int = 0,
) -> tuple[list[ReadingRow], list[RowProblem]]:
    """Readings made ready to write, and the problems of those that are not: an
    unknown KPI, a moment that is not a date or ISO timestamp or is after tomorrow
    (`today` being the server's), a value that is not a finite number. Moments are
    written in their canonical text (`drumbeat.core.moments`), so that the same
    moment is the same reading whichever way it came. Positions count from
    `start`."""
    good = _rows_when_all_good(readings, kpi_ids, today)
    if good is not None:
        return good, []
    rows: list[ReadingRow] = []
    problems: list[RowProblem] = []
    for index, reading in enumerate(readings, start):
        kpi_id = kpi_ids.get(reading.kpi)
        if kpi_id is None:
            problems.append(
                RowProblem(
                    index,
                    "kpi",
                    f"no KPI '{reading.kpi}' in the dictionary: check the key, or "
                    "add the KPI first",
                )
            )
        try:
            at = reading_moment(reading.at)
        except MomentError as error:
            problems.append(RowProblem(index, "at", str(error)))
            continue
        if too_late := future_problem(at, today):
            problems.append(RowProblem(index, "at", too_late))
            continue
        value = reading.value
        if type(value) is not float or value - value != 0.0:  # not a finite float
            try:
                value = finite_number(value)
            except ValueError as error:
                problems.append(RowProblem(index, "value", str(error)))
                continue
        note = reading.note or ""
        if note and "\x00" in note:
            problems.append(
                RowProblem(index, "note", "holds a NUL character: remove it")
            )
            continue
        if kpi_id is not None:
            rows.append(
                ReadingRow(kpi_id, moment_text(at), moment_day(at), value, note)
            )
    return rows, problems


_KPI = operator.attrgetter("kpi")
_AT = operator.attrgetter("at")
_VALUE = operator.attrgetter("value")
_NOTE = operator.attrgetter("note")


def _rows_when_all_good(
    readings: Sequence[ReadingGiven], kpi_ids: dict[str, int], today: dt.date
) -> list[ReadingRow] | None:
    """The rows of a batch with no problem, checked column by column at C speed
    (a batch's moments and KPIs repeat); None as soon as any reading might have
    one, and `readings_check` then looks at each to say which and why."""
    found = list(map(kpi_ids.get, map(_KPI, readings)))
    if None in found:
        return None
    ids = cast(list[int], found)
    ats = list(map(_AT, readings))
    if set(map(type, ats)) - _MOMENT_TYPES:
        return None
    canonical: dict[Any, str] = {}
    days: dict[Any, dt.date] = {}
    for given in set(ats):
        try:
            at = reading_moment(given)
        except MomentError:
            return None
        if future_problem(at, today):
            return None
        canonical[given] = moment_text(at)
        days[given] = moment_day(at)
    values = list(map(_VALUE, readings))
    if set(map(type, values)) != {float} or not math.isfinite(sum(values)):
        return None  # a finite sum of floats: every one is finite
    notes = list(map(_NOTE, readings))
    if "\x00" in "".join(filter(None, notes)):
        return None
    if None in notes:
        notes = [note or "" for note in notes]
    return list(
        map(
            ReadingRow,
            ids,
            map(canonical.__getitem__, ats),
            map(days.__getitem__, ats),
            values,
            notes,
        )
    )


_MOMENT_TYPES = frozenset({str, dt.date, dt.datetime})
"""Types of `at` the column-by-column check takes (hashable, parsed once each)."""


@transaction.atomic
def readings_ingest(
    *,
    readings: Callable[[], Iterable[ReadingGiven]],
    by: User | None,
    source: str,
    source_detail: str = "",
    progress: Callable[[int], None] | None = None,
    refresh: Refresh = Refresh.NOW,
) -> IngestResult:
    """Record a batch of readings all or nothing: a bad batch raises IngestError
    listing each problem, and nothing of it stays written.

    `readings` is read once, in chunks, so that a file of a million rows streams
    through with bounded memory: each chunk is written as soon as it is checked,
    inside one transaction, and a problem anywhere rolls all of it back (the rest
    is still checked, so that every problem is listed). The same reading again
    changes nothing; a different value at a KPI's moment is a correction that
    keeps the earlier value, superseded; within a batch the last one wins. The
    touched KPIs' statuses and the KR scores on them are refreshed once, at the end,
    as `refresh` says.
    """
    kpi_ids = dict(KPI.objects.values_list("key", "pk"))
    problems: list[RowProblem] = []
    more = 0
    result = IngestResult()
    touched: set[int] = set()
    now = timezone.now()
    today = timezone.localdate(now)
    # A chunk's thousands of rows outlive the collector's young generation, and
    # each full pass it then makes over the whole heap cost 40% of a batch's time.
    with collector_paused():
        for start, chunk in _chunks(readings()):
            rows, found = readings_check(chunk, kpi_ids, today=today, start=start)
            if found:
                room = MAX_PROBLEMS - len(problems)
                problems.extend(found[:room])
                more += max(0, len(found) - room)
            if not problems:
                _readings_write(rows, result, now, by, source, source_detail)
                touched.update(row.kpi_id for row in rows)
            if progress is not None:
                progress(len(chunk))
    if problems:
        raise IngestError(problems, more)  # the transaction undoes the writes
    keys_by_id = {pk: key for key, pk in kpi_ids.items()}
    result.kpi_keys = {keys_by_id[pk] for pk in touched}
    if refresh is not Refresh.CALLER and (result.created or result.corrected):
        kpis_changed.send(
            sender=KPI,
            kpi_keys=frozenset(result.kpi_keys),
            change=KPIChange.READINGS,
            defer=refresh is Refresh.LATER,
        )
    return result


def _chunks(
    readings: Iterable[ReadingGiven],
) -> Iterator[tuple[int, list[ReadingGiven]]]:
    chunk: list[ReadingGiven] = []
    start = 0
    for reading in readings:
        chunk.append(reading)
        if len(chunk) == INGEST_CHUNK:
            yield start, chunk
            start += len(chunk)
            chunk = []
    if chunk:
        yield start, chunk


def _readings_write(
    rows: list[ReadingRow],
    result: IngestResult,
    now: dt.datetime,
    by: User | None,
    source: str,
    source_detail: str,
) -> None:
    latest = {(row.kpi_id, row.at): row for row in rows}  # the last one wins
    current = _current_readings(rows)
    new: list[ReadingRow] = []
    superseded: list[int] = []
    for moment, row in latest.items():
        existing = current.get(moment)
        if existing is None:
            new.append(row)
        elif (existing[1], existing[2]) == (row.value, row.note):
            result.unchanged += 1
        else:
            superseded.append(existing[0])
            new.append(row)
    result.unchanged += len(rows) - len(latest)
    result.corrected += len(superseded)
    result.created += len(new) - len(superseded)
    readings_supersede(superseded, now)
    readings_insert(
        new,
        source=source,
        source_detail=source_detail,
        recorded_by_id=by.pk if by else None,
        recorded_at=now,
    )


def _current_readings(
    rows: list[ReadingRow],
) -> dict[tuple[int, str], tuple[int, float, str]]:
    """The current readings of the rows' KPIs between the rows' first and last
    days, which hold those at the rows' moments: (kpi, at) → (pk, value, note)."""
    if not rows:
        return {}
    days = {row.day for row in rows}
    found = (
        Reading.objects.current()
        .filter(
            kpi_id__in={row.kpi_id for row in rows},
            day__gte=min(days),
            day__lte=max(days),
        )
        .values_list("kpi_id", "at", "pk", "value", "note")
    )
    return {(kpi_id, at): (pk, value, note) for kpi_id, at, pk, value, note in found}
