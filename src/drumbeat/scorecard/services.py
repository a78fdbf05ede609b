"""The stored results of the rules, kept fresh: every KPI's status, every KR's and
objective's score, and the lint findings, recomputed by `drumbeat.core` on the
workspace rebuilt from the database, never re-implemented.

The dictionary's and the OKRs' services announce their changes (`kpis_changed`,
`okrs_changed`); `drumbeat.scorecard.receivers` calls these refreshes inside the
same transaction, so a page read right after a write sees its effects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from drumbeat.common.locks import serialized_write
from drumbeat.core.contract import signal_json
from drumbeat.core.lint import CYCLE_RULES, DICTIONARY_RULES, Finding, lint_workspace
from drumbeat.core.model import Workspace
from drumbeat.core.status import kpi_statuses, objective_status
from drumbeat.kpis.models import KPI, KPIStatus
from drumbeat.kpis.signals import (
    StatusChange,
    kpi_statuses_changed,
    statuses_refreshed,
)
from drumbeat.okrs.models import (
    Cycle,
    KeyResult,
    LintFinding,
    Objective,
    PlanSuggestion,
)
from drumbeat.scorecard.owners import owner_findings, owners_link
from drumbeat.scorecard.selectors import (
    ReadingsWindow,
    cycles_with_stored_suggestions,
    database_workspace,
    suggestion_rows,
)

SPARKLINE_POINTS = 26

STATUS_FIELDS = [
    "as_of",
    "latest_value",
    "latest_day",
    "health",
    "threshold_health",
    "stale",
    "lifecycle",
    "signals",
    "sparkline",
    "computed_at",
]
"""What a refresh writes of a KPI's stored status."""


@serialized_write
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
        # Owner names written before their person had an account: linked now.
        owners_link()
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
    # A refresh after a write reads only the readings the rules read: its cost
    # follows the change, not the history.
    workspace = database_workspace(
        chosen,
        objectives=on_chosen,
        window=None if kpi_keys is None else ReadingsWindow(on),
    )
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
    # One row a KPI, replaced in place (INSERT ... ON CONFLICT): deleting and
    # creating them let two refreshes of one KPI collide on its unique key.
    KPIStatus.objects.bulk_create(
        sorted(statuses, key=lambda status: status.kpi.pk),
        update_conflicts=True,
        unique_fields=["kpi"],
        update_fields=STATUS_FIELDS,
    )
    # Only objectives on the KPIs asked for: all their KPIs are in this workspace.
    _scores_refresh(workspace, on, kpi_keys=None if kpi_keys is None else asked)
    _suggestions_store(
        workspace,
        on,
        {key: row.pk for key, row in by_key.items()},
        whole=kpi_keys is None,
    )
    if kpi_keys is None:
        _findings_store(lint_workspace(workspace, on), workspace, on, scope=None)
    elif findings:
        _findings_after_readings(on, asked, workspace)
    _announce(statuses, before, on, full=kpi_keys is None)


def _suggestions_store(
    workspace: Workspace, on: dt.date, kpi_ids: dict[str, int], *, whole: bool
) -> None:
    """Replace the stored suggestions of the cycles running or to come: all of them
    (`whole`), or those of the KPIs in `kpi_ids`, which `workspace` holds with
    every objective that has a KR on them. Each KPI is judged on its own; only
    the order of the rows ranks them, so a part can be replaced alone."""
    cycles = list(cycles_with_stored_suggestions(on))
    stored = PlanSuggestion.objects.all()
    if not whole:
        stored = stored.filter(kpi_id__in=kpi_ids.values())
    stored.delete()
    _suggestions_write(workspace, cycles, on, kpi_ids)


def _suggestions_write(
    workspace: Workspace, cycles: list[Cycle], on: dt.date, kpi_ids: dict[str, int]
) -> None:
    PlanSuggestion.objects.bulk_create(
        row
        for cycle in cycles
        for row in suggestion_rows(workspace, cycle, on, kpi_ids)
    )


@serialized_write
def suggestions_refresh(
    *, cycle_keys: Iterable[str], as_of: dt.date | None = None
) -> None:
    """Recompute the stored suggestions of the given cycles (their dates changed,
    or they were archived or restored) from every KPI."""
    on = as_of or timezone.localdate()
    keys = list(cycle_keys)
    PlanSuggestion.objects.filter(cycle__key__in=keys).delete()
    cycles = list(cycles_with_stored_suggestions(on).filter(key__in=keys))
    if not cycles:
        return
    workspace = database_workspace()
    kpi_ids = dict(KPI.objects.values_list("key", "pk"))
    _suggestions_write(workspace, cycles, on, kpi_ids)


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


@serialized_write
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
        database_workspace(
            readings_of=read, objectives=touched, window=ReadingsWindow(on)
        )
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
    placed += owner_findings(on)
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
