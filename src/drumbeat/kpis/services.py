"""Writes to the KPI dictionary and the statuses computed from it.

Every write goes through here; every rule is computed by `drumbeat.core` on a
workspace rebuilt from the database, never re-implemented.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from drumbeat.accounts.selectors import can_edit_definition, is_admin
from drumbeat.core.contract import signal_json
from drumbeat.core.lint import CYCLE_RULES, DICTIONARY_RULES, Finding, lint_workspace
from drumbeat.core.model import Direction, Tier, Workspace, moment_day
from drumbeat.core.status import kpi_statuses, objective_status
from drumbeat.kpis.bulk import ReadingRow, readings_insert, readings_supersede
from drumbeat.kpis.models import KPI, KPIStatus, Reading, SourceState
from drumbeat.kpis.selectors import database_workspace, kpi_data
from drumbeat.kpis.signals import (
    StatusChange,
    kpi_statuses_changed,
    statuses_refreshed,
)
from drumbeat.okrs.models import Cycle, KeyResult, LintFinding, Objective
from drumbeat.server.editing import lock_for_edit
from drumbeat.workspace import WorkspaceError, load_workspace_data
from drumbeat.workspace.schema import date_or_timestamp, finite_number
from drumbeat.workspace.yamlio import LocatedError, collector_paused

SPARKLINE_POINTS = 26


class ReadingError(ValueError):
    """A reading that cannot be recorded, with a message for the person."""


@transaction.atomic
def reading_record(
    *,
    kpi: KPI,
    day: dt.date,
    value: float,
    by: User | None,
    note: str = "",
    source: str = Reading.Source.MANUAL,
    source_detail: str = "",
) -> Reading:
    """Record a KPI's value on a day. A different value on a day that has one is a
    correction: the earlier reading stays, superseded. The same value again changes
    nothing. The KPI's status and the scores of KRs on it are refreshed at once."""
    if not math.isfinite(value):
        raise ReadingError("The value must be a finite number.")
    at = day.isoformat()
    current = Reading.objects.filter(kpi=kpi, at=at, superseded_at__isnull=True).first()
    if current is not None:
        if current.value == value and current.note == note:
            return current
        current.superseded_at = timezone.now()
        current.save(update_fields=["superseded_at"])
    reading = Reading.objects.create(
        kpi=kpi,
        at=at,
        day=day,
        value=value,
        note=note,
        source=source,
        source_detail=source_detail,
        recorded_by=by,
    )
    statuses_refresh(kpi_keys=[kpi.key])
    return reading


@transaction.atomic
def statuses_refresh(
    *,
    as_of: dt.date | None = None,
    kpi_keys: Iterable[str] | None = None,
    findings: bool = True,
) -> None:
    """Recompute the stored status of KPIs (all, or those given) and the scores of
    every KR and objective, as of `as_of` (today by default), with the lint findings
    they move (unless `findings` is False: the caller refreshes more of them)."""
    on = as_of or timezone.localdate()
    asked: set[str] = set()
    if kpi_keys is None:
        chosen = KPI.objects.all()
    else:
        # The KPIs asked for, and every KPI that shares an objective with them, so
        # that those objectives' scores are whole.
        asked = set(kpi_keys)
        sharing = KeyResult.objects.filter(
            objective__key_results__kpi_key__in=asked
        ).values_list("kpi_key", flat=True)
        chosen = KPI.objects.filter(key__in=asked | set(sharing))
    # Objectives matter to a KPI's status through their KRs on it (lifecycle).
    on_chosen = (
        None
        if kpi_keys is None
        else set(
            KeyResult.objects.filter(kpi_key__in=chosen.values("key")).values_list(
                "objective__key", flat=True
            )
        )
    )
    workspace = database_workspace(chosen, objectives=on_chosen)
    by_key = {kpi.key: kpi for kpi in chosen}
    statuses = []
    for status in kpi_statuses(workspace, on):
        assessment = status.assessment
        kpi = assessment.kpi
        readings = kpi.readings_until(on)
        recent = readings[-SPARKLINE_POINTS:]
        limits = assessment.limits
        statuses.append(
            KPIStatus(
                kpi=by_key[kpi.key],
                as_of=on,
                latest_value=assessment.latest.value if assessment.latest else None,
                latest_day=assessment.latest.day if assessment.latest else None,
                health=str(assessment.health),
                threshold_health=str(assessment.threshold_health),
                stale=assessment.stale,
                lifecycle=str(status.lifecycle),
                signals=[signal_json(s, readings) for s in assessment.signals],
                sparkline={
                    "values": [r.value for r in recent],
                    "dates": [r.day.isoformat() for r in recent],
                    "mean": limits.mean if limits else None,
                    "upper": limits.upper if limits else None,
                    "lower": limits.lower if limits else None,
                    "health": str(assessment.health),
                },
            )
        )
    before = {
        key: (health, stale)
        for key, health, stale in KPIStatus.objects.filter(
            kpi__in=list(by_key.values())
        ).values_list("kpi__key", "health", "stale")
    }
    KPIStatus.objects.filter(kpi__in=list(by_key.values())).delete()
    KPIStatus.objects.bulk_create(statuses)
    # Only objectives on the KPIs asked for: all their KPIs are in this workspace.
    _scores_refresh(workspace, on, kpi_keys=None if kpi_keys is None else asked)
    if kpi_keys is None:
        _findings_store(lint_workspace(workspace, on), workspace, on, scope=None)
    elif findings:
        _findings_after_readings(on, asked, workspace)
    _announce(statuses, before, on, full=kpi_keys is None)


def statuses_refresh_daily(*, today: dt.date | None = None) -> bool:
    """Refresh every status and score once a day (the worker asks every few
    seconds): when some KPI's status is older than `today` or missing. Statuses
    are stored as of the day of the last write, yet staleness, lifecycle and the
    running cycles move with the date. True when it refreshed."""
    on = today or timezone.localdate()
    outdated = (
        KPIStatus.objects.filter(as_of__lt=on).exists()
        or KPI.objects.filter(status__isnull=True).exists()
    )
    if outdated:
        statuses_refresh(as_of=on)
    return outdated


def _announce(
    statuses: list[KPIStatus],
    before: dict[str, tuple[str, bool]],
    on: dt.date,
    *,
    full: bool,
) -> None:
    """Send the status signals once the transaction commits."""
    changes = []
    for status in statuses:
        health_before, stale_before = before.get(status.kpi.key, (None, None))
        if (health_before, stale_before) != (status.health, status.stale):
            changes.append(
                StatusChange(
                    kpi_key=status.kpi.key,
                    as_of=on,
                    health_before=health_before,
                    health_after=status.health,
                    stale_before=stale_before,
                    stale_after=status.stale,
                )
            )

    def send() -> None:
        if changes:
            kpi_statuses_changed.send(sender=KPIStatus, changes=changes)
        statuses_refreshed.send(sender=KPIStatus, as_of=on, full=full)

    transaction.on_commit(send)


@transaction.atomic
def findings_refresh(
    *,
    as_of: dt.date | None = None,
    kpi_keys: Iterable[str] = (),
    cycle_keys: Iterable[str] = (),
) -> None:
    """Recompute the stored lint findings about the given KPIs, the given cycles and
    the cycles whose KRs read those KPIs, and the dictionary-wide ones.

    Lint runs on the whole dictionary's definitions with the readings of only the
    KPIs those cycles read, so that its cost follows the change, not the history.
    """
    on = as_of or timezone.localdate()
    kpis = set(kpi_keys)
    cycles = set(cycle_keys) | set(
        KeyResult.objects.filter(kpi_key__in=kpis).values_list(
            "objective__cycle__key", flat=True
        )
    )
    read = kpis | set(
        KeyResult.objects.filter(objective__cycle__key__in=cycles).values_list(
            "kpi_key", flat=True
        )
    )
    workspace = database_workspace(readings_of=read)
    scope = FindingScope(
        kpi_keys=frozenset(read), cycle_keys=frozenset(cycles), dictionary=True
    )
    _findings_store(lint_workspace(workspace, on), workspace, on, scope=scope)


def _findings_after_readings(
    on: dt.date, kpi_keys: set[str], refreshed: Workspace
) -> None:
    """Recompute the findings that readings move: the KPIs' own (stale...) and
    those on the objectives with a KR on them, with their KRs (already met, within
    the noise...). The dictionary-wide and cycle-wide rules read definitions and
    OKRs, not readings; they refresh when those change, and daily. `refreshed` is
    the workspace the statuses were just computed from."""
    touched = set(
        KeyResult.objects.filter(kpi_key__in=kpi_keys).values_list(
            "objective__key", flat=True
        )
    )
    read = kpi_keys | set(
        KeyResult.objects.filter(objective__key__in=touched).values_list(
            "kpi_key", flat=True
        )
    )
    # The KR rules read the whole dictionary (which KPIs drive a key one); the
    # KPI rules read only the KPI itself, which the statuses just refreshed read
    # (`refreshed`) already holds with its readings.
    workspace = (
        database_workspace(readings_of=read, objectives=touched)
        if touched
        else refreshed
    )
    scope = FindingScope(
        kpi_keys=frozenset(kpi_keys),
        objective_keys=frozenset(touched),
        kept_rules=_CYCLE_RULE_IDS | _DICTIONARY_RULE_IDS,
    )
    _findings_store(lint_workspace(workspace, on), workspace, on, scope=scope)


@dataclass(frozen=True)
class FindingScope:
    """Which stored findings a partial refresh replaces: those on these KPIs, in
    these cycles, on these objectives and their KRs, and (if `dictionary`) the
    dictionary-wide ones; never those of the `kept_rules`."""

    kpi_keys: frozenset[str] = frozenset()
    cycle_keys: frozenset[str] = frozenset()
    objective_keys: frozenset[str] = frozenset()
    dictionary: bool = False
    kept_rules: frozenset[str] = frozenset()

    def stored(self) -> Q:
        """The stored findings in scope, as a query filter."""
        wanted = (
            Q(kpi_key__in=self.kpi_keys)
            | Q(cycle__key__in=self.cycle_keys)
            | Q(objective_key__in=self.objective_keys)
        )
        if self.dictionary:
            wanted |= Q(rule__in=_DICTIONARY_RULE_IDS)
        return wanted & ~Q(rule__in=self.kept_rules)

    def holds(self, row: LintFinding, cycle: str | None) -> bool:
        """Whether a new finding (with its cycle's key) is in scope."""
        if row.rule in self.kept_rules:
            return False
        return (
            (self.dictionary and row.rule in _DICTIONARY_RULE_IDS)
            or row.kpi_key in self.kpi_keys
            or cycle in self.cycle_keys
            or row.objective_key in self.objective_keys
        )


_DICTIONARY_RULE_IDS = frozenset(rule.id for rule, _ in DICTIONARY_RULES)
_CYCLE_RULE_IDS = frozenset(rule.id for rule, _ in CYCLE_RULES)


def _findings_store(
    findings: list[Finding],
    workspace: Workspace,
    on: dt.date,
    scope: FindingScope | None,
) -> None:
    """Replace the stored findings in `scope` (all of them when None)."""
    cycle_ids = dict(Cycle.objects.values_list("key", "pk"))
    objective_cycles = {o.key: o.cycle for o in workspace.objectives}
    placed = [_finding_placed(finding, objective_cycles, on) for finding in findings]
    stored = LintFinding.objects.all()
    if scope is not None:
        stored = stored.filter(scope.stored())
        placed = [(row, cycle) for row, cycle in placed if scope.holds(row, cycle)]
    stored.delete()
    rows = []
    for row, cycle in placed:
        row.cycle_id = cycle_ids.get(cycle) if cycle else None
        rows.append(row)
    LintFinding.objects.bulk_create(rows)


def _finding_placed(
    finding: Finding, objective_cycles: dict[str, str], on: dt.date
) -> tuple[LintFinding, str | None]:
    """A finding placed beside what it concerns, with its cycle's key: a KPI
    (`kpi-*` rules), an objective or one of its KRs (`objective/kr`), or a cycle
    (`cycle` or `cycle/team`)."""
    row = LintFinding(
        rule=finding.rule,
        severity=str(finding.severity),
        subject=finding.subject,
        message=finding.message,
        as_of=on,
    )
    if finding.rule.startswith("kpi-"):
        row.kpi_key = "" if finding.subject == "kpis" else finding.subject
        return row, None
    head, _, tail = finding.subject.partition("/")
    cycle = objective_cycles.get(head)
    if cycle is None:
        return row, head
    row.objective_key = head
    row.key_result_key = tail
    return row, cycle


def _scores_refresh(
    workspace: Workspace, on: dt.date, kpi_keys: set[str] | None
) -> None:
    objectives = {o.key: o for o in Objective.objects.all()}
    key_results = {(kr.objective_id, kr.key): kr for kr in KeyResult.objects.all()}
    changed_objectives = []
    changed_key_results = []
    for objective in workspace.objectives:
        if kpi_keys is not None and not any(
            kr.kpi in kpi_keys for kr in objective.key_results
        ):
            continue
        status = objective_status(workspace, objective, on)
        row = objectives[objective.key]
        row.score = status.score
        changed_objectives.append(row)
        for scored in status.key_results:
            kr_row = key_results[(row.pk, scored.key)]
            kr_row.computed_baseline = scored.baseline
            kr_row.current = scored.current.value if scored.current else None
            kr_row.progress = scored.progress
            kr_row.score = scored.score
            changed_key_results.append(kr_row)
    Objective.objects.bulk_update(changed_objectives, ["score"])
    KeyResult.objects.bulk_update(
        changed_key_results, ["computed_baseline", "current", "progress", "score"]
    )


DEFINITION_FIELDS = (
    "name",
    "description",
    "unit",
    "direction",
    "cadence",
    "owner_name",
)


@transaction.atomic
def kpi_update(
    *,
    kpi: KPI,
    values: dict[str, Any],
    thresholds: dict[str, Any],
    by: User,
    version: int,
) -> KPI:
    """Change a KPI's definition and thresholds, checked by the workspace format's
    own rules; refused if it changed since `version` was read. Kept in history."""
    locked = lock_for_edit(KPI, kpi.pk, version)
    for name in DEFINITION_FIELDS:
        setattr(locked, name, values[name])
    locked.thresholds = {k: v for k, v in thresholds.items() if v is not None}
    # The same validation as a workspace file: thresholds against direction.
    load_workspace_data(
        {"kpis": [kpi_data(locked, [], known=set())]}, filename=f"KPI {locked.key}"
    )
    locked.updated_by = by
    locked.save()
    # A definition moves the dictionary-wide and cycle-wide findings too: all the
    # findings on the KPI and the cycles that read it, refreshed once.
    statuses_refresh(kpi_keys=[locked.key], findings=False)
    findings_refresh(kpi_keys=[locked.key])
    return locked


SQL_SOURCE_ADMINS_ONLY = (
    "Only an admin sets, changes or removes an SQL source: its query runs on a "
    "company database."
)
SOURCE_FIELDS = ("type", "connection", "query", "schedule")


@transaction.atomic
def kpi_source_update(
    *, kpi: KPI, source: dict[str, Any], by: User, version: int
) -> KPI:
    """Change where a KPI's readings come from (`type`, and for `sql` a
    `connection`, a `query` and an optional cron `schedule`), checked by the
    workspace format's own rules; refused if the KPI changed since `version` was
    read. An SQL source is set, changed or removed by admins only; the other kinds
    by the KPI's owner too. The query is part of the definition: kept in history.
    """
    if not can_edit_definition(by, kpi):
        raise PermissionDenied("Only the KPI's owner or an admin edits its source.")
    locked = lock_for_edit(KPI, kpi.pk, version)
    wanted = {
        name: source[name].strip() if isinstance(source[name], str) else source[name]
        for name in SOURCE_FIELDS
        if source.get(name) not in (None, "")
    }
    wanted.setdefault("type", "manual")
    if "sql" in (locked.source.get("type"), wanted["type"]) and not is_admin(by):
        raise PermissionDenied(SQL_SOURCE_ADMINS_ONLY)
    if wanted == locked.source:
        return locked
    locked.source = wanted
    # The same validation as a workspace file: an sql source's connection, query
    # and schedule; `connection` and `query` only for sql.
    load_workspace_data(
        {"kpis": [kpi_data(locked, [], known=set())]}, filename=f"KPI {locked.key}"
    )
    locked.updated_by = by
    setattr(locked, "_history_user", by)  # noqa: B010
    locked.save()
    if wanted["type"] != "sql":
        SourceState.objects.filter(kpi=locked).delete()
    # Lint compares source queries (`kpi-duplicate`); statuses do not move.
    findings_refresh(kpi_keys=[locked.key])
    return locked


RESERVED_KPI_KEYS = frozenset({"new", "lint"})
"""Keys that would be hidden by the dictionary's own pages (/kpis/new/)."""


@transaction.atomic
def kpi_create(*, values: dict[str, Any], by: User) -> KPI:
    """Add a KPI to the dictionary, at its end, checked by the workspace format's
    own rules (a new key, thresholds against direction); its status is computed at
    once, and its history starts with who created it.

    `values` are the KPI's field values: `key`, `name`, and any of `description`,
    `unit`, `direction`, `cadence`, `owner`, `owner_name`, `team`, `perspective`,
    `tier`, `indicator`, `north_star`, `financial`, `thresholds`, `benchmarks`,
    `source` (an `sql` source by admins only).
    """
    key = values["key"]
    if (values.get("source") or {}).get("type") == "sql" and not is_admin(by):
        raise PermissionDenied(SQL_SOURCE_ADMINS_ONLY)
    if key in RESERVED_KPI_KEYS:
        raise WorkspaceError(
            f"KPI {key}",
            [
                LocatedError(
                    None,
                    "key",
                    f"'{key}' names a page of the dictionary: choose another key",
                )
            ],
        )
    if KPI.objects.filter(key=key).exists():
        raise WorkspaceError(
            f"KPI {key}",
            [
                LocatedError(
                    None, "key", f"a KPI '{key}' already exists: choose another key"
                )
            ],
        )
    # The workspace format's defaults for what `values` leaves out.
    kpi = KPI(
        **{"direction": Direction.UP.value, "tier": Tier.SECONDARY.value, **values}
    )
    # The same validation as a workspace file: key, thresholds against direction.
    load_workspace_data(
        {"kpis": [kpi_data(kpi, [], known=set())]}, filename=f"KPI {key}"
    )
    last = KPI.objects.order_by("-position").values_list("position", flat=True).first()
    kpi.position = 0 if last is None else last + 1
    kpi.updated_by = by
    # simple_history records this user, in a request or not (a command, a task).
    setattr(kpi, "_history_user", by)  # noqa: B010
    kpi.save()
    statuses_refresh(kpi_keys=[key], findings=False)
    findings_refresh(kpi_keys=[key])
    return kpi


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
    readings: Sequence[ReadingGiven], kpi_ids: dict[str, int], *, start: int = 0
) -> tuple[list[ReadingRow], list[RowProblem]]:
    """Readings made ready to write, and the problems of those that are not: an
    unknown KPI, a moment that is not a date or ISO timestamp, a value that is not
    a finite number. Positions count from `start`."""
    good = _rows_when_all_good(readings, kpi_ids)
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
        given = reading.at
        try:
            at = date_or_timestamp(given)
        except ValueError as error:
            problems.append(RowProblem(index, "at", str(error)))
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
            text = given if isinstance(given, str) else at.isoformat()
            rows.append(ReadingRow(kpi_id, text, moment_day(at), value, note))
    return rows, problems


_KPI = operator.attrgetter("kpi")
_AT = operator.attrgetter("at")
_VALUE = operator.attrgetter("value")
_NOTE = operator.attrgetter("note")


def _rows_when_all_good(
    readings: Sequence[ReadingGiven], kpi_ids: dict[str, int]
) -> list[ReadingRow] | None:
    """The rows of a batch with no problem, checked column by column at C speed
    (a batch's moments and KPIs repeat); None as soon as any reading might have
    one, and `readings_check` then looks at each to say which and why."""
    found = list(map(kpi_ids.get, map(_KPI, readings)))
    if None in found:
        return None
    ids = cast(list[int], found)
    ats = list(map(_AT, readings))
    if set(map(type, ats)) != {str}:
        return None
    days: dict[str, dt.date] = {}
    for text in set(ats):
        try:
            at = date_or_timestamp(text)
        except ValueError:
            return None
        days[text] = moment_day(at)
    values = list(map(_VALUE, readings))
    if set(map(type, values)) != {float} or not math.isfinite(sum(values)):
        return None  # a finite sum of floats: every one is finite
    notes = list(map(_NOTE, readings))
    if "\x00" in "".join(filter(None, notes)):
        return None
    if None in notes:
        notes = [note or "" for note in notes]
    return list(map(ReadingRow, ids, ats, map(days.__getitem__, ats), values, notes))


@transaction.atomic
def readings_ingest(
    *,
    readings: Callable[[], Iterable[ReadingGiven]],
    by: User | None,
    source: str,
    source_detail: str = "",
    progress: Callable[[int], None] | None = None,
    refresh: bool = True,
) -> IngestResult:
    """Record a batch of readings all or nothing: a bad batch raises IngestError
    listing each problem, and nothing of it stays written.

    `readings` is read once, in chunks, so that a file of a million rows streams
    through with bounded memory: each chunk is written as soon as it is checked,
    inside one transaction, and a problem anywhere rolls all of it back (the rest
    is still checked, so that every problem is listed). The same reading again
    changes nothing; a different value at a KPI's moment is a correction that
    keeps the earlier value, superseded; within a batch the last one wins. The
    touched KPIs' statuses and the KR scores on them are refreshed once, at the end
    (unless `refresh` is False: the caller then has them refreshed).
    """
    kpi_ids = dict(KPI.objects.values_list("key", "pk"))
    problems: list[RowProblem] = []
    more = 0
    result = IngestResult()
    touched: set[int] = set()
    now = timezone.now()
    # A chunk's thousands of rows outlive the collector's young generation, and
    # each full pass it then makes over the whole heap cost 40% of a batch's time.
    with collector_paused():
        for start, chunk in _chunks(readings()):
            rows, found = readings_check(chunk, kpi_ids, start=start)
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
    if refresh and (result.created or result.corrected):
        statuses_refresh(kpi_keys=result.kpi_keys)
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
    found = Reading.objects.filter(
        superseded_at__isnull=True,
        kpi_id__in={row.kpi_id for row in rows},
        day__gte=min(days),
        day__lte=max(days),
    ).values_list("kpi_id", "at", "pk", "value", "note")
    return {(kpi_id, at): (pk, value, note) for kpi_id, at, pk, value, note in found}
