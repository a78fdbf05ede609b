"""Closing a cycle (PRODUCT.md, operating rhythm): what the close page shows (the
final grades computed by `drumbeat.core.close`, the corrective flow's items with
their defaults) and the close itself, in one transaction: the snapshot of grades,
the retrospective and every applied choice, kept with who and when. Also the
reopening of a close, and the retrospective edited after it.

The rules live in the core: this module only reads the database into the core's
workspace, and writes what the core computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from drumbeat.accounts.selectors import AnyUser, can_edit_team_okrs
from drumbeat.audit.models import Event
from drumbeat.audit.services import event_record
from drumbeat.common.guards import is_admin
from drumbeat.common.locks import serialized_write
from drumbeat.core.close import close_cycle
from drumbeat.core.contract import plain_target
from drumbeat.core.cycles import CycleStanding
from drumbeat.core.display import grade_text
from drumbeat.core.model import CycleState, Direction, Tier
from drumbeat.core.scoring import objective_outcome
from drumbeat.kpis.models import KPI
from drumbeat.kpis.services.definitions import (
    DEFINITION_FIELDS,
    kpi_archive,
    kpi_tier_set,
    kpi_update,
)
from drumbeat.okrs.models import (
    CloseChoice,
    Cycle,
    CycleClose,
    FinalGrade,
    KeyResult,
    Objective,
    Retrospective,
)
from drumbeat.okrs.selectors import (
    cycle_standing,
    cycle_standing_close,
    cycles_closable_by,
)
from drumbeat.okrs.signals import cycle_closed
from drumbeat.scorecard.selectors import core_cycle, database_workspace
from drumbeat.workspace import WorkspaceError

Choice = CloseChoice.Choice
Kind = CloseChoice.Kind

REOPEN_ADMINS_ONLY = "Only an admin reopens a closed cycle."
CLOSE_REFUSAL = (
    "Only admins and the editors of a team with an objective in the cycle close it."
)
RETROSPECTIVE_DAYS_WITHOUT_NEXT = 92
"""How long a retrospective stays editable after the close when no cycle follows."""


class CloseRefusedError(Exception):
    """A close or a reopening the cycle's state does not allow (a 409 in the API);
    the message says why and what to do."""


# --- What the close page shows ------------------------------------------------


@dataclass(frozen=True)
class GradeRow:
    """An objective's (no `key_result_key`) or a KR's final grade, as computed at
    the close or as frozen by it: the fields of `FinalGrade`."""

    objective_key: str
    key_result_key: str
    title: str
    team_name: str
    commitment: str
    kpi_key: str
    kind: str
    baseline: float | None
    target: Any
    current: float | None
    progress: float | None
    score: float | None
    grade: str
    outcome: str
    objective: Objective | None = None
    key_result: KeyResult | None = None

    @property
    def is_objective(self) -> bool:
        return not self.key_result_key

    @property
    def outcome_text(self) -> str:
        return self.outcome.replace("_", " ")


@dataclass(frozen=True)
class CloseItem:
    """One item of the corrective flow: a choice among `options`, `default` unless
    someone chooses otherwise; `value` is the new baseline (history) or the proposed
    maintenance threshold (threshold)."""

    kind: str
    kpi_key: str
    options: tuple[str, ...]
    default: str
    value: float | None = None
    key_result_key: str = ""
    objective_key: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The item's name in forms, the API and the CLI: `history:objective/kr`,
        `threshold:kpi`, `transient:kpi`."""
        return item_name(
            self.kind, self.kpi_key, self.objective_key, self.key_result_key
        )


def item_name(kind: str, kpi_key: str, objective_key: str, key_result_key: str) -> str:
    """An item's name: a KR's history by its KR, the other items by their KPI."""
    if kind == Kind.HISTORY:
        return f"history:{objective_key}/{key_result_key}"
    return f"{kind}:{kpi_key}"


@dataclass(frozen=True)
class ChoiceIn:
    """A choice made for an item; `value` for an `edited` threshold."""

    choice: str
    value: float | None = None


@dataclass(frozen=True)
class RetrospectiveIn:
    happened: str = ""
    learned: str = ""


@dataclass
class ClosePlan:
    """A cycle's close as the close page shows it: the final grades to review, the
    corrective flow's items with their defaults, the objectives to write a
    retrospective for, and why it cannot be closed now (`refusal`), if so."""

    cycle: Cycle
    standing: CycleStanding
    grades: list[GradeRow]
    items: list[CloseItem]
    objectives: list[Objective]
    retrospectives: dict[int | None, Retrospective]
    refusal: str | None

    def items_of(self, kind: str) -> list[CloseItem]:
        return [item for item in self.items if item.kind == kind]


def close_refusal(cycle: Cycle, standing: CycleStanding) -> str | None:
    """Why `cycle` cannot be closed in its state, or None when it is `closing`."""
    if standing.state is CycleState.CLOSING:
        return None
    if standing.state is CycleState.CLOSED:
        return (
            f"{cycle.key} is already closed; an admin may reopen it to close it again."
        )
    return (
        f"{cycle.key} is {standing.state} until {cycle.end.isoformat()}: a cycle is "
        "closed after its end."
    )


def cycle_close_plan(cycle: Cycle, *, today: dt.date | None = None) -> ClosePlan:
    """What closing `cycle` would freeze and apply: every objective's and KR's final
    grade as of the cycle end (`drumbeat.core.close`) and the corrective flow's
    items with their defaults. A constant number of queries."""
    objectives = list(
        Objective.objects.filter(cycle=cycle)
        .select_related("team")
        .prefetch_related("key_results")
    )
    measured = {kr.kpi_key for o in objectives for kr in o.key_results.all()}
    workspace = database_workspace(
        readings_of=measured, objectives={o.key for o in objectives}
    )
    report = close_cycle(workspace, core_cycle(workspace, cycle))
    after_end = cycle.end + dt.timedelta(days=1)
    by_key = {o.key: o for o in objectives}
    grades: list[GradeRow] = []
    for status in report.objectives:
        row = by_key[status.objective.key]
        krs = {kr.key: kr for kr in row.key_results.all()}
        team = row.team.name if row.team else row.team_name
        grades.append(
            GradeRow(
                objective_key=row.key,
                key_result_key="",
                title=row.title,
                team_name=team,
                commitment=str(status.objective.commitment),
                kpi_key="",
                kind="",
                baseline=None,
                target=None,
                current=None,
                progress=None,
                score=status.score,
                grade=grade_text(status.score) or "",
                outcome=str(status.outcome or ""),
                objective=row,
            )
        )
        for scored in status.key_results:
            kr = krs[scored.key]
            grades.append(
                GradeRow(
                    objective_key=row.key,
                    key_result_key=scored.key,
                    title=kr.title or kr.key,
                    team_name=team,
                    commitment=str(status.objective.commitment),
                    kpi_key=scored.kpi,
                    kind=str(scored.kind),
                    baseline=scored.baseline,
                    target=plain_target(scored.target),
                    current=scored.current.value if scored.current else None,
                    progress=scored.progress,
                    score=scored.score,
                    grade=grade_text(scored.score) or "",
                    # A KR is hit when it reaches its objective's level.
                    outcome=str(
                        objective_outcome(
                            status.objective, scored.score, status.cycle, after_end
                        )
                        or ""
                    ),
                    objective=row,
                    key_result=kr,
                )
            )
    directions = dict(
        KPI.objects.filter(key__in=measured).values_list("key", "direction")
    )
    standing = cycle_standing(cycle, today)
    return ClosePlan(
        cycle=cycle,
        standing=standing,
        grades=grades,
        items=_items(report, directions),
        objectives=objectives,
        retrospectives={r.objective_id: r for r in cycle.retrospectives.all()},
        refusal=close_refusal(cycle, standing),
    )


def _items(report: Any, directions: Mapping[str, str]) -> list[CloseItem]:
    items = [
        CloseItem(
            kind=Kind.HISTORY,
            kpi_key=kr.kpi,
            options=(Choice.RECORDED, Choice.SKIPPED),
            default=Choice.RECORDED,
            value=kr.new_baseline,
            key_result_key=kr.score.key,
            objective_key=kr.objective,
            detail={
                "baseline": kr.score.baseline,
                "target": plain_target(kr.target),
                "achieved": kr.achieved,
            },
        )
        for kr in report.key_results
    ]
    proposed: dict[str, Any] = {}
    for kr in report.key_results:
        if kr.reached and kr.kpi not in proposed:
            proposed[kr.kpi] = kr
    for kpi_key, kr in proposed.items():
        # A range KPI's threshold is a band: one level reached does not make one.
        banded = directions.get(kpi_key) == Direction.RANGE
        items.append(
            CloseItem(
                kind=Kind.THRESHOLD,
                kpi_key=kpi_key,
                options=(Choice.DECLINED,)
                if banded
                else (Choice.ACCEPTED, Choice.EDITED, Choice.DECLINED),
                default=Choice.DECLINED if banded else Choice.ACCEPTED,
                value=kr.proposed_threshold,
                key_result_key=kr.score.key,
                objective_key=kr.objective,
            )
        )
    items += [
        CloseItem(
            kind=Kind.TRANSIENT,
            kpi_key=kpi_key,
            options=(Choice.KEPT, Choice.RETIRED),
            default=Choice.KEPT,
        )
        for kpi_key in report.transient_kpis
    ]
    return items


# --- Who may close, reopen and write the retrospective ------------------------


def can_close_cycle(user: AnyUser, cycle: Cycle) -> bool:
    """Admins, and the editors of a team that owns one of the cycle's objectives."""
    return cycle.pk in cycles_closable_by(user, [cycle])


def retrospective_editable_until(cycle: Cycle, close: CycleClose) -> dt.date:
    """The last day a closed cycle's retrospective may be edited: the end of the
    following cycle (the next by start date), else 92 days after the close."""
    following = (
        Cycle.objects.filter(start__gt=cycle.start)
        .order_by("start", "end", "key")  # the next quarter, not its year
        .first()
    )
    if following is not None:
        return following.end
    closed_on = timezone.localtime(close.closed_at).date()
    return closed_on + dt.timedelta(days=RETROSPECTIVE_DAYS_WITHOUT_NEXT)


# --- The close, the reopening, the retrospective ------------------------------


@serialized_write
def cycle_close(
    *,
    cycle: Cycle,
    by: User | None,
    choices: Mapping[str, ChoiceIn] | None = None,
    retrospectives: Mapping[str, RetrospectiveIn] | None = None,
    summary: str = "",
) -> CycleClose:
    """Close `cycle` (only a `closing` one): freeze its final grades, keep the
    retrospective (by objective key; `summary` the cycle's), and apply each item of
    the corrective flow as chosen (by item name; the default when not given).
    All or nothing. Raises CloseRefusedError for the cycle's state and ValidationError
    naming the item or objective for a choice that cannot be kept."""
    plan = cycle_close_plan(cycle)
    if plan.refusal:
        raise CloseRefusedError(plan.refusal)
    chosen = _chosen(plan, choices or {})
    retrospectives = retrospectives or {}
    by_key = {o.key: o for o in plan.objectives}
    unknown = sorted(set(retrospectives) - set(by_key))
    if unknown:
        raise ValidationError(
            {"retrospectives": f"not an objective of {cycle.key}: {', '.join(unknown)}"}
        )
    close = CycleClose.objects.create(
        cycle=cycle, closed_at=timezone.now(), closed_by=by, graded_as_of=cycle.end
    )
    FinalGrade.objects.bulk_create(
        [
            FinalGrade(
                close=close,
                position=position,
                **{
                    name: getattr(row, name)
                    for name in (
                        "objective",
                        "key_result",
                        "objective_key",
                        "key_result_key",
                        "title",
                        "team_name",
                        "commitment",
                        "kpi_key",
                        "kind",
                        "baseline",
                        "target",
                        "current",
                        "progress",
                        "score",
                        "grade",
                        "outcome",
                    )
                },
            )
            for position, row in enumerate(plan.grades)
        ]
    )
    reason = f"{cycle.key} close"
    for item, given in chosen:
        _apply(item, given, by=by, reason=reason)
    CloseChoice.objects.bulk_create(
        [
            CloseChoice(
                close=close,
                kind=item.kind,
                kpi_key=item.kpi_key,
                key_result_key=item.key_result_key,
                objective_key=item.objective_key,
                choice=given.choice,
                value=given.value,
                detail=item.detail,
            )
            for item, given in chosen
        ]
    )
    for objective_key, written in retrospectives.items():
        retrospective_save(
            cycle=cycle, objective=by_key[objective_key], by=by, written=written
        )
    if summary:
        retrospective_save(
            cycle=cycle, objective=None, by=by, written=RetrospectiveIn(summary)
        )
    counts = ", ".join(
        f"{sum(1 for item, _ in chosen if item.kind == kind)} {kind}"
        for kind in Kind.values
    )
    event_record(
        kind=Event.Kind.CYCLE,
        action="closed",
        subject=cycle.key,
        by=by,
        summary=f"{len(plan.objectives)} objectives graded; choices: {counts}",
        changes={item.name: given.choice for item, given in chosen},
    )
    close_pk = close.pk
    transaction.on_commit(
        lambda: cycle_closed.send(sender=CycleClose, close_pk=close_pk)
    )
    return close


def _chosen(
    plan: ClosePlan, choices: Mapping[str, ChoiceIn]
) -> list[tuple[CloseItem, ChoiceIn]]:
    """Each item with the choice made for it (its default when none was)."""
    items = {item.name: item for item in plan.items}
    problems: dict[str, str] = {}
    for name in choices:
        if name not in items:
            problems[name] = f"not an item of {plan.cycle.key}'s close"
    chosen = []
    for name, item in items.items():
        given = choices.get(name) or ChoiceIn(item.default, item.value)
        if given.choice not in item.options:
            problems[name] = f"choose one of {', '.join(item.options)}"
        elif given.choice == Choice.EDITED and given.value is None:
            problems[name] = "an edited threshold needs a value"
        elif given.choice == Choice.ACCEPTED:
            given = ChoiceIn(Choice.ACCEPTED, item.value)
        elif given.choice not in (Choice.EDITED, Choice.RECORDED):
            given = ChoiceIn(given.choice, None)
        chosen.append((item, given))
    if problems:
        raise ValidationError(problems)
    return chosen


def _apply(item: CloseItem, given: ChoiceIn, *, by: User | None, reason: str) -> None:
    """Apply one choice to its KPI through the dictionary's services (a history
    entry needs nothing more than its CloseChoice: the KPI page reads it)."""
    if item.kind == Kind.HISTORY or given.choice == Choice.DECLINED:
        return
    kpi = KPI.objects.filter(key=item.kpi_key).first()
    if kpi is None:
        return
    if item.kind == Kind.THRESHOLD:
        try:
            kpi_update(
                kpi=kpi,
                values={name: getattr(kpi, name) for name in DEFINITION_FIELDS},
                thresholds={**kpi.thresholds, "green": given.value},
                by=by,
                version=kpi.version,
                reason=f"{reason}: maintenance threshold",
            )
        except WorkspaceError as error:
            message = "; ".join(p.message for p in error.problems)
            raise ValidationError({item.name: message}) from None
    elif given.choice == Choice.KEPT:
        kpi_tier_set(kpi=kpi, tier=Tier.SECONDARY, by=by, reason=f"{reason}: kept")
    elif given.choice == Choice.RETIRED:
        try:
            kpi_archive(kpi=kpi, by=by, reason=f"{reason}: retired")
        except PermissionDenied as refusal:
            raise ValidationError({item.name: str(refusal)}) from None


@serialized_write
def cycle_reopen(*, cycle: Cycle, by: User, reason: str) -> CycleClose:
    """Reopen a closed cycle (admins only, with a reason): its scores and structure
    are open again; the close and its snapshot are kept, marked reopened, and
    closing again takes a new snapshot."""
    if not is_admin(by):
        raise PermissionDenied(REOPEN_ADMINS_ONLY)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the cycle is reopened."})
    close = cycle_standing_close(cycle)
    if close is None:
        raise CloseRefusedError(
            f"{cycle.key} is not closed: there is nothing to reopen."
        )
    close.reopened_at = timezone.now()
    close.reopened_by = by
    close.reopen_reason = reason
    close.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    event_record(
        kind=Event.Kind.CYCLE,
        action="reopened",
        subject=cycle.key,
        by=by,
        summary=reason,
    )
    return close


def can_edit_retrospective(
    user: AnyUser, cycle: Cycle, objective: Objective | None
) -> bool:
    """The team's editors (and admins) write an objective's retrospective, admins
    the cycle's summary; after the close, until `retrospective_editable_until`."""
    allowed = (
        is_admin(user)
        if objective is None
        else can_edit_team_okrs(user, objective.team)
    )
    if not allowed:
        return False
    close = cycle_standing_close(cycle)
    return close is None or timezone.localdate() <= retrospective_editable_until(
        cycle, close
    )


def retrospective_save(
    *,
    cycle: Cycle,
    objective: Objective | None,
    by: User | None,
    written: RetrospectiveIn,
) -> Retrospective:
    """Keep what happened and what was learned for an objective (None: the cycle's
    summary); every version kept with who and when."""
    row = Retrospective.objects.filter(cycle=cycle, objective=objective).first() or (
        Retrospective(cycle=cycle, objective=objective)
    )
    if (row.happened, row.learned) == (written.happened, written.learned) and row.pk:
        return row
    row.happened = written.happened
    row.learned = written.learned
    row.updated_by = by
    if by is not None:
        setattr(row, "_history_user", by)  # noqa: B010
    row.save()
    event_record(
        kind=Event.Kind.CYCLE,
        action="retrospective",
        subject=f"{cycle.key}/{objective.key}" if objective else cycle.key,
        by=by,
        summary="retrospective written",
    )
    return row


@dataclass(frozen=True)
class StandingClose:
    """A close as the pages show it: the snapshot of grades and the choices."""

    close: CycleClose
    grades: list[FinalGrade]
    choices: list[CloseChoice]


def standing_close(cycle: Cycle) -> StandingClose | None:
    """The cycle's standing close with its frozen grades and choices (3 queries)."""
    close = cycle_standing_close(cycle)
    if close is None:
        return None
    return StandingClose(close, list(close.grades.all()), list(close.choices.all()))


def cycle_close_json(cycle: Cycle) -> dict[str, Any]:
    """A cycle's close as the API and `drumbeat close --format json` give it: the
    plan (grades, items with options and defaults, or why it cannot be closed)
    while it is not closed, the standing close (frozen grades, choices applied)
    once it is."""
    standing = standing_close(cycle)
    if standing is None:
        plan = cycle_close_plan(cycle)
        return {
            "cycle": cycle.key,
            "state": str(plan.standing.state),
            "refusal": plan.refusal,
            "close": None,
            "grades": [_grade(row) for row in plan.grades],
            "items": [
                {
                    "name": item.name,
                    "kind": item.kind,
                    "kpi": item.kpi_key,
                    "key_result": _kr(item.objective_key, item.key_result_key),
                    "options": list(item.options),
                    "default": item.default,
                    "value": item.value,
                    "choice": None,
                }
                for item in plan.items
            ],
        }
    close = standing.close
    return {
        "cycle": cycle.key,
        "state": "closed",
        "refusal": None,
        "close": {
            "closed_at": close.closed_at,
            "closed_by": close.closed_by.get_username() if close.closed_by else None,
            "graded_as_of": close.graded_as_of,
        },
        "grades": [_grade(row) for row in standing.grades],
        "items": [
            {
                "name": item_name(c.kind, c.kpi_key, c.objective_key, c.key_result_key),
                "kind": c.kind,
                "kpi": c.kpi_key,
                "key_result": _kr(c.objective_key, c.key_result_key),
                "options": [],
                "default": None,
                "value": c.value,
                "choice": c.choice,
            }
            for c in standing.choices
        ],
    }


def _kr(objective_key: str, key_result_key: str) -> str | None:
    return f"{objective_key}/{key_result_key}" if key_result_key else None


def _grade(row: Any) -> dict[str, Any]:
    return {
        "objective": row.objective_key,
        "key_result": row.key_result_key or None,
        "title": row.title,
        "team": row.team_name,
        "commitment": row.commitment,
        "kpi": row.kpi_key or None,
        "kind": row.kind or None,
        "baseline": row.baseline,
        "target": row.target,
        "achieved": row.current,
        "progress": row.progress,
        "score": row.score,
        "grade": row.grade or None,
        "outcome": row.outcome or None,
    }
