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
from typing import Any, NamedTuple, Protocol, cast

from django.contrib.auth.models import User
from django.utils import timezone

from drumbeat.audit.models import Event
from drumbeat.audit.services import event_record
from drumbeat.common.locks import serialized_write
from drumbeat.core.moments import (
    Moment,
    MomentError,
    moment_day,
    moment_text,
    out_of_range_problem,
    reading_moment,
)
from drumbeat.core.values import (
    MAX_MAGNITUDE,
    NOTE_MAX_LENGTH,
    has_control_characters,
    note_problem,
    numbers_in_range,
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
        if out_of_range := out_of_range_problem(at, today):
            problems.append(RowProblem(index, "at", out_of_range))
            continue
        value = reading.value
        if (
            type(value) is not float
            or value - value != 0.0  # not finite
            or not -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE
        ):
            try:
                value = finite_number(value)
            except ValueError as error:
                problems.append(RowProblem(index, "value", str(error)))
                continue
        note = reading.note or ""
        if note and (wrong := _note_problem(note)):
            problems.append(RowProblem(index, "note", wrong))
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
        if out_of_range_problem(at, today):
            return None
        canonical[given] = moment_text(at)
        days[given] = moment_day(at)
    values = list(map(_VALUE, readings))
    if set(map(type, values)) != {float} or not math.isfinite(sum(values)):
        return None  # a finite sum of floats: every one is finite
    if not numbers_in_range(values):
        return None
    notes = list(map(_NOTE, readings))
    written = list(filter(None, notes))
    if set(map(type, written)) - {str}:
        return None
    if written and (
        max(map(len, written)) > NOTE_MAX_LENGTH
        or has_control_characters("".join(written))
    ):
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


def _note_problem(note: object) -> str | None:
    if not isinstance(note, str):
        return f"must be text, not {note!r}"
    return note_problem(note)


_MOMENT_TYPES = frozenset({str, dt.date, dt.datetime})
"""Types of `at` the column-by-column check takes (hashable, parsed once each)."""


@serialized_write
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
                found = _readings_write(
                    rows, start, result, now, by, source, source_detail
                )
                problems.extend(found[:MAX_PROBLEMS])
                touched.update(row.kpi_id for row in rows)
            if progress is not None:
                progress(len(chunk))
    if problems:
        raise IngestError(problems, more)  # the transaction undoes the writes
    keys_by_id = {pk: key for key, pk in kpi_ids.items()}
    result.kpi_keys = {keys_by_id[pk] for pk in touched}
    if result.created or result.corrected:
        event_record(
            kind=Event.Kind.READINGS,
            action="recorded",
            subject=", ".join(sorted(result.kpi_keys)),
            by=by,
            summary=(
                f"{result.created:,} new, {result.corrected:,} corrected, "
                f"{result.unchanged:,} unchanged ({source}"
                f"{': ' + source_detail if source_detail else ''})"
            ),
        )
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
    start: int,
    result: IngestResult,
    now: dt.datetime,
    by: User | None,
    source: str,
    source_detail: str,
) -> list[RowProblem]:
    """Write a checked chunk (whose first reading is the batch's `start`), or
    return the problems that stop it: a KPI and moment given twice in the batch
    with two values. The same reading again is unchanged; a new value of a current
    reading supersedes it."""
    first: dict[tuple[int, str], tuple[int, ReadingRow]] = {}
    problems: list[RowProblem] = []
    for index, row in enumerate(rows, start):
        moment = (row.kpi_id, row.at)
        _, earlier = first.setdefault(moment, (index, row))
        if earlier is not row:
            if (earlier.value, earlier.note) != (row.value, row.note):
                problems.append(RowProblem(index, "at", TWICE_IN_A_BATCH))
            else:
                result.unchanged += 1
    current = _current_readings(rows)
    new: list[ReadingRow] = []
    superseded: list[int] = []
    for moment, (index, row) in first.items():
        existing = current.get(moment)
        if existing is None:
            new.append(row)
        elif (existing.value, existing.note) == (row.value, row.note):
            result.unchanged += 1
        elif existing.recorded_at == now:  # an earlier chunk of this batch
            problems.append(RowProblem(index, "at", TWICE_IN_A_BATCH))
        else:
            superseded.append(existing.pk)
            new.append(row)
    if problems:
        return problems
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
    return []


TWICE_IN_A_BATCH = (
    "this KPI has another value at this moment earlier in the batch: send one "
    "reading per KPI and moment"
)


class _Current(NamedTuple):
    pk: int
    value: float
    note: str
    recorded_at: dt.datetime


def _current_readings(
    rows: list[ReadingRow],
) -> dict[tuple[int, str], _Current]:
    """The current readings of the rows' KPIs between the rows' first and last
    days, which hold those at the rows' moments, by (kpi, at)."""
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
        .values_list("kpi_id", "at", "pk", "value", "note", "recorded_at")
    )
    return {
        (kpi_id, at): _Current(pk, value, note, recorded_at)
        for kpi_id, at, pk, value, note, recorded_at in found
    }
