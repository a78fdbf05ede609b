"""Kelly's decision tree (seed 001, Figure 3): which type of KPIs an organisation
has, from its own dictionary and OKRs, and what to do about it.

- Type 1, informal: "no agreement on what the important, key, KPIs are"; many
  KPIs are incomplete, duplicated or unowned, or too many are `key`.
- Type 2, formal and targeted: "KPIs aren't significantly different from OKRs";
  key KPIs carry their own targets and action plans (a written
  `corrective_action`) while OKRs target them too.
- Type 3, monitor KPIs: well-defined KPIs "not targeted directly", a balanced
  dashboard, and OKRs on a few of them to drive change.

The tree is walked in that order: informal first (nothing else matters until the
KPIs are agreed and defined), then targeted, else monitor. A questionnaire
answers what the data cannot know; an answer of `None` is "don't know" and leaves
the data to decide.

Two KRs on one KPI with the same kind and target (a team's KR repeating its
parent objective's) are one target, not two.

The cycles judged are sprints (quarters), not the years that contain them
(`drumbeat.core.cycles.is_annual_cycle`): a year and its first quarter start the
same day, and the quarter is the one worked in. A year's KR is in force in each
quarter it contains, for the KPIs the quarter's own KRs leave alone; where the
quarter targets the same KPI, it follows the year's direction, so the two are
one target, not two, and a year's KR counts in no quarter's "standing" run.

Edge cases: an empty dictionary is type 1 (there is nothing agreed to monitor);
with no started cycle, nothing is targeted, so no KPI is targeted twice; shares
are 0 when there is nothing to divide by; where only annual cycles have started
(a workspace that sets OKRs by the year), the years are judged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from drumbeat.core.cycles import cycle_contains, is_annual_cycle
from drumbeat.core.lint import (
    MAX_KEY_KPIS,
    LintContext,
    kpi_duplicates,
    kpi_incomplete,
)
from drumbeat.core.model import (
    Cycle,
    KeyResultKind,
    Perspective,
    Target,
    Tier,
    Workspace,
)


class KPIType(IntEnum):
    """The three types of Kelly's decision tree."""

    INFORMAL = 1
    TARGETED = 2
    MONITOR = 3

    @property
    def label(self) -> str:
        return _TYPE_LABELS[self]


_TYPE_LABELS = {
    KPIType.INFORMAL: "Type 1: informal KPIs",
    KPIType.TARGETED: "Type 2: formal and targeted KPIs",
    KPIType.MONITOR: "Type 3: KPIs that monitor, OKRs that change",
}

INFORMAL_SHARE = 0.25
"""From this share of KPIs incomplete, duplicated or unowned, the KPIs are informal."""
FEW_TARGETED_SHARE = 0.5
"""OKRs on "a few" key KPIs: more than none, at most this share of them."""
STANDING_CYCLES = 3
"""A key KPI targeted in each of this many latest sprint cycles carries a standing
target."""


@dataclass(frozen=True, slots=True)
class Question:
    """What the data cannot know, asked of a person: yes, no or don't know."""

    key: str
    text: str
    kpi_type: KPIType
    """The branch a "yes" points to."""


QUESTIONS: tuple[Question, ...] = (
    Question(
        "key_kpis_agreed",
        "Do the leaders agree on which KPIs are the key ones, and on what each "
        "measures?",
        KPIType.MONITOR,
    ),
    Question(
        "kpis_have_targets",
        "Do key KPIs carry their own targets and action plans, set outside the OKRs?",
        KPIType.TARGETED,
    ),
    Question(
        "dashboard_reviewed",
        "Do the leaders review a balanced dashboard of the KPIs at a steady rhythm?",
        KPIType.MONITOR,
    ),
)
QUESTION_KEYS = frozenset(q.key for q in QUESTIONS)

Answers = Mapping[str, bool | None]
"""Question key to yes (True), no (False) or don't know (None or absent)."""

RECOMMENDATIONS: dict[KPIType, tuple[str, ...]] = {
    KPIType.INFORMAL: (
        "If you have many informal KPIs (type 1) then go ahead and implement OKRs "
        "as I describe. Your KPIs are too informal and lack agreement to be useful "
        "for organisation change.",
        "You might, in addition, reduce the number of KPIs in circulation and "
        "formalise those that remain. Next you could create a dashboard to report "
        "on the broader health of the organization.",
    ),
    KPIType.TARGETED: (
        "If you have formal and targeted KPIs (type 2), especially if you are "
        "following Parmenter's prescription, then don't bother with OKRs. Adding "
        "OKRs would add complexity, cost and potential conflict.",
        "One option could even be to reposition KPIs as a BSC style dashboard and "
        "drive change with OKRs.",
    ),
    KPIType.MONITOR: (
        "Using OKRs for change and action in the context of a BSC style KPI "
        "dashboard (type 3) is entirely logical.",
        "Some of the measurements used for key results might well be the same as "
        "the KPIs on the dashboard but not all.",
    ),
}
"""What seed 001 recommends for each type, in its own words."""


@dataclass(frozen=True, slots=True)
class Informal:
    """Type 1's evidence: the KPIs that are not agreed and defined."""

    kpi_count: int
    incomplete: tuple[str, ...]
    duplicated: tuple[str, ...]
    unowned: tuple[str, ...]
    key_count: int

    @property
    def informal(self) -> tuple[str, ...]:
        """Every KPI incomplete, duplicated or unowned, once, in dictionary order."""
        return tuple(dict.fromkeys(self.incomplete + self.duplicated + self.unowned))

    @property
    def share(self) -> float:
        return len(self.informal) / self.kpi_count if self.kpi_count else 0.0

    @property
    def too_many_key(self) -> bool:
        return self.key_count > MAX_KEY_KPIS

    @property
    def holds(self) -> bool:
        return not self.kpi_count or self.share >= INFORMAL_SHARE or self.too_many_key


@dataclass(frozen=True, slots=True)
class Targeted:
    """Type 2's evidence: key KPIs targeted as KPIs, and by OKRs as well."""

    cycle: str | None
    """The cycle judged: the latest sprint cycle (not a year) started by the as-of
    day."""
    targeted_twice: tuple[str, ...]
    """Key KPIs with two targets in the cycle: KRs with different targets, or
    their own target and a KR."""
    standing: tuple[str, ...]
    """Key KPIs targeted by the KRs of each of the latest `STANDING_CYCLES` sprint
    cycles."""
    action_plans: tuple[str, ...] = ()
    """Key KPIs that carry their own action plan (a `corrective_action` written
    down) and that a KR of the cycle targets too."""

    @property
    def holds(self) -> bool:
        return bool(self.targeted_twice or self.standing or self.action_plans)

    @property
    def evidence(self) -> tuple[str, ...]:
        """Every key KPI the branch names, once, in the order found."""
        return tuple(
            dict.fromkeys(self.targeted_twice + self.standing + self.action_plans)
        )


@dataclass(frozen=True, slots=True)
class Monitor:
    """Type 3's evidence: well-defined KPIs, a balanced dashboard, OKRs on a few."""

    well_defined: int
    kpi_count: int
    perspectives_missing: tuple[Perspective, ...]
    """Perspectives no key KPI covers (every KPI when none is key)."""
    key_targeted: tuple[str, ...]
    """Key KPIs that a KR in force in the judged cycle targets (its own, or a
    containing year's)."""
    key_count: int

    @property
    def share_well_defined(self) -> float:
        return self.well_defined / self.kpi_count if self.kpi_count else 0.0

    @property
    def okrs_on_a_few(self) -> bool:
        targeted = len(self.key_targeted)
        return 0 < targeted <= FEW_TARGETED_SHARE * self.key_count

    @property
    def holds(self) -> bool:
        return not self.perspectives_missing and self.okrs_on_a_few


@dataclass(frozen=True, slots=True)
class NextStep:
    """One concrete thing to do in Drumbeat, with the KPIs it names."""

    text: str
    kpis: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Assessment:
    """Which type the organisation is closest to, why, and what to do next."""

    as_of: dt.date
    kpi_type: KPIType
    informal: Informal
    targeted: Targeted
    monitor: Monitor
    answers: Mapping[str, bool | None]
    reasons: tuple[str, ...]
    """Why the tree ended at `kpi_type`, one branch a line."""
    next_steps: tuple[NextStep, ...]

    @property
    def recommendation(self) -> tuple[str, ...]:
        return RECOMMENDATIONS[self.kpi_type]


def assess(
    workspace: Workspace, as_of: dt.date, answers: Answers | None = None
) -> Assessment:
    """Walk Figure 3's tree over `workspace` as of `as_of`, with the answers given.

    Unknown question keys are ignored (the callers check them); a "no" to
    `key_kpis_agreed` makes the KPIs informal whatever the data says, a "yes" to
    `kpis_have_targets` counts every key KPI with a green threshold that an OKR
    also targets as targeted twice.
    """
    given = {k: v for k, v in (answers or {}).items() if k in QUESTION_KEYS}
    cycle = judged_cycle(workspace, as_of)
    informal = _informal(workspace, as_of)
    targeted = _targeted(workspace, as_of, cycle, given.get("kpis_have_targets"))
    monitor = _monitor(workspace, informal, cycle)
    kpi_type, reasons = _walk(informal, targeted, monitor, given)
    return Assessment(
        as_of=as_of,
        kpi_type=kpi_type,
        informal=informal,
        targeted=targeted,
        monitor=monitor,
        answers={q.key: given.get(q.key) for q in QUESTIONS},
        reasons=reasons,
        next_steps=_next_steps(informal, targeted, monitor, given),
    )


def judged_cycle(workspace: Workspace, as_of: dt.date) -> Cycle | None:
    """The latest sprint cycle started by `as_of` (the active one, or the last
    closed): a quarter, never the year that starts the same day."""
    started = started_sprints(workspace, as_of)
    return started[-1] if started else None


def started_sprints(workspace: Workspace, as_of: dt.date) -> list[Cycle]:
    """The sprint cycles started by `as_of`, oldest first; where none is a sprint
    (OKRs set by the year), the years."""
    started = sorted(
        (c for c in workspace.cycles if c.start <= as_of),
        key=lambda c: (c.start, c.end),
    )
    sprints = [c for c in started if not is_annual_cycle(c, workspace.cycles)]
    return sprints or started


def _informal(workspace: Workspace, as_of: dt.date) -> Informal:
    ctx = LintContext(workspace, as_of)
    return Informal(
        kpi_count=len(workspace.kpis),
        incomplete=tuple(k.key for k in workspace.kpis if kpi_incomplete(ctx, k)),
        duplicated=tuple(dict.fromkeys(key for key, _ in kpi_duplicates(ctx))),
        unowned=tuple(k.key for k in workspace.kpis if not k.owner and not k.team),
        key_count=sum(k.tier is Tier.KEY for k in workspace.kpis),
    )


KPITargets = dict[str, set[tuple[KeyResultKind, Target]]]
"""Each KPI's distinct targets: KRs that share a kind and target (a team's KR
repeating its parent's) are one target, not two."""


def _targets_set_in(workspace: Workspace, cycle_keys: Iterable[str]) -> KPITargets:
    """The targets the KRs of the cycles `cycle_keys` set, KPI by KPI."""
    targets: defaultdict[str, set[tuple[KeyResultKind, Target]]] = defaultdict(set)
    for cycle_key in cycle_keys:
        for objective in workspace.objectives_in(cycle_key):
            for kr in objective.key_results:
                targets[kr.kpi].add((kr.kind, kr.target))
    return dict(targets)


def _targets_in_force(workspace: Workspace, cycle: Cycle) -> KPITargets:
    """The targets in force in `cycle`: its own KRs', and for a KPI they leave
    alone, those of the years containing it (a quarter's KR on the same KPI
    follows the year's direction: one target, not two)."""
    span = (cycle.start, cycle.end)
    containing = (
        c.key
        for c in workspace.cycles
        if c.key != cycle.key and cycle_contains((c.start, c.end), span)
    )
    return _targets_set_in(workspace, containing) | _targets_set_in(
        workspace, (cycle.key,)
    )


def _targeted(
    workspace: Workspace,
    as_of: dt.date,
    cycle: Cycle | None,
    own_targets: bool | None,
) -> Targeted:
    if cycle is None:
        return Targeted(cycle=None, targeted_twice=(), standing=())
    targets = _targets_in_force(workspace, cycle)
    twice = []
    action_plans = []
    for kpi in workspace.kpis:
        if kpi.tier is not Tier.KEY or not targets.get(kpi.key):
            continue
        own_target = own_targets is True and kpi.thresholds.green is not None
        if len(targets[kpi.key]) > 1 or own_target:
            twice.append(kpi.key)
        if (kpi.corrective_action or "").strip():
            action_plans.append(kpi.key)
    latest = started_sprints(workspace, as_of)[-STANDING_CYCLES:]
    standing: tuple[str, ...] = ()
    if len(latest) == STANDING_CYCLES:
        each = [set(_targets_set_in(workspace, (c.key,))) for c in latest]
        common = set.intersection(*each)
        standing = tuple(
            k.key for k in workspace.kpis if k.key in common and k.tier is Tier.KEY
        )
    return Targeted(
        cycle=cycle.key,
        targeted_twice=tuple(twice),
        standing=standing,
        action_plans=tuple(action_plans),
    )


def _monitor(workspace: Workspace, informal: Informal, cycle: Cycle | None) -> Monitor:
    key_kpis = [k for k in workspace.kpis if k.tier is Tier.KEY]
    dashboard = key_kpis or list(workspace.kpis)
    covered = {k.perspective for k in dashboard}
    targeted = _targets_in_force(workspace, cycle) if cycle else {}
    return Monitor(
        well_defined=informal.kpi_count - len(informal.informal),
        kpi_count=informal.kpi_count,
        perspectives_missing=tuple(p for p in Perspective if p not in covered),
        key_targeted=tuple(k.key for k in key_kpis if targeted.get(k.key)),
        key_count=len(key_kpis),
    )


def _percent(share: float) -> str:
    return f"{round(share * 100)} %"


def _walk(
    informal: Informal, targeted: Targeted, monitor: Monitor, answers: Answers
) -> tuple[KPIType, tuple[str, ...]]:
    if not informal.kpi_count:
        return KPIType.INFORMAL, ("The dictionary has no KPI: nothing is agreed yet.",)
    if answers.get("key_kpis_agreed") is False:
        return KPIType.INFORMAL, (
            "The leaders do not agree on which KPIs are key (questionnaire).",
        )
    if informal.holds:
        reason = (
            f"{_percent(informal.share)} of the KPIs are incomplete, duplicated "
            f"or unowned (informal from {_percent(INFORMAL_SHARE)})"
        )
        if informal.too_many_key:
            key = _counted(informal.key_count, "KPI")
            reason += f"; {key} {_one_or_many(informal.key_count, 'is', 'are')} key "
            reason += f"(keep {MAX_KEY_KPIS})"
        return KPIType.INFORMAL, (reason + ".",)
    formal = (
        f"The KPIs are formal: {_percent(informal.share)} incomplete, duplicated "
        f"or unowned, {informal.key_count} key."
    )
    if targeted.holds or answers.get("kpis_have_targets") is True:
        count = len(targeted.evidence)
        detail = (
            f"{_counted(count, 'key KPI')} "
            + _one_or_many(
                count,
                "is targeted twice, cycle after cycle, or carries its own action "
                "plan while OKRs target it",
                "are targeted twice, cycle after cycle, or carry their own action "
                "plans while OKRs target them",
            )
            if count
            else "key KPIs carry their own targets and action plans (questionnaire)"
        )
        return KPIType.TARGETED, (formal, f"They are targeted directly: {detail}.")
    return KPIType.MONITOR, (
        formal,
        "They are not targeted directly: no key KPI has two targets, a standing "
        "one, or its own action plan under an OKR.",
    )


def _names(keys: tuple[str, ...]) -> str:
    return ", ".join(keys)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _one_or_many(count: int, one: str, many: str) -> str:
    """`one` for a count of 1, `many` for any other (0 included)."""
    return one if count == 1 else many


def _counted(count: int, noun: str) -> str:
    """`1 KPI`, `0 KPIs`, `3 KPIs`."""
    return f"{count} {noun}{_one_or_many(count, '', 's')}"


def _these(keys: tuple[str, ...], noun: str, verb: tuple[str, str] = ("", "")) -> str:
    """`this KPI` or `these 3 KPIs`, with the verb agreeing (`is` or `are`)."""
    singular, plural = verb
    if len(keys) == 1:
        return f"this {noun}" + (f" {singular}" if singular else "")
    return f"these {len(keys)} {noun}s" + (f" {plural}" if plural else "")


def _action_plans_step(targeted: Targeted) -> NextStep:
    """Key KPIs with their own action plans that OKRs target as well: two plans
    for one change, which the seed says may conflict."""
    keys = targeted.action_plans
    plans, verb, okrs = (
        ("its own action plan", "is", "an OKR")
        if len(keys) == 1
        else ("their own action plans", "are", "OKRs")
    )
    return NextStep(
        _capital(_these(keys, "key KPI", ("carries", "carry")))
        + f" {plans} and {verb} targeted by {okrs} in "
        f"{targeted.cycle} too: keep one plan for the change, the OKR's, and let "
        "the KPI monitor",
        keys,
    )


def _next_steps(
    informal: Informal, targeted: Targeted, monitor: Monitor, answers: Answers
) -> tuple[NextStep, ...]:
    steps: list[NextStep] = []
    if informal.incomplete:
        steps.append(
            NextStep(
                f"Formalise {_these(informal.incomplete, 'KPI')}: give each a "
                "description, an owner, a cadence and thresholds",
                informal.incomplete,
            )
        )
    if informal.duplicated:
        steps.append(
            NextStep(
                f"Merge or tell apart {_these(informal.duplicated, 'duplicated KPI')}",
                informal.duplicated,
            )
        )
    if informal.unowned:
        steps.append(
            NextStep(
                f"Give {_these(informal.unowned, 'KPI')} an owner or a team",
                informal.unowned,
            )
        )
    if informal.too_many_key:
        steps.append(
            NextStep(
                f"Move {informal.key_count - MAX_KEY_KPIS} of the "
                f"{_counted(informal.key_count, 'key KPI')} to secondary: keep "
                f"{MAX_KEY_KPIS} or fewer"
            )
        )
    if targeted.targeted_twice:
        steps.append(
            NextStep(
                _capital(_these(targeted.targeted_twice, "key KPI", ("is", "are")))
                + " targeted twice in "
                f"{targeted.cycle}: keep one target, the OKR's, and let the KPI "
                "monitor",
                targeted.targeted_twice,
            )
        )
    if targeted.standing:
        steps.append(
            NextStep(
                _capital(_these(targeted.standing, "key KPI", ("is", "are")))
                + " targeted in each of the "
                f"last {STANDING_CYCLES} cycles: target what drives "
                + _one_or_many(len(targeted.standing), "it", "them")
                + " instead",
                targeted.standing,
            )
        )
    if targeted.action_plans:
        steps.append(_action_plans_step(targeted))
    if monitor.perspectives_missing:
        steps.append(
            NextStep(
                "Balance the dashboard: no key KPI covers "
                + _names(tuple(str(p) for p in monitor.perspectives_missing))
            )
        )
    if monitor.key_count and not monitor.key_targeted and targeted.cycle:
        steps.append(
            NextStep(
                f"No OKR of {targeted.cycle} targets a key KPI: aim a few key results "
                "at the KPIs that need to change"
            )
        )
    elif monitor.key_targeted and not monitor.okrs_on_a_few:
        steps.append(
            NextStep(
                f"OKRs target {len(monitor.key_targeted)} of the "
                f"{_counted(monitor.key_count, 'key KPI')}: focus them on a few and "
                "let the rest monitor",
                monitor.key_targeted,
            )
        )
    if answers.get("dashboard_reviewed") is False:
        steps.append(
            NextStep(
                "Review the balanced dashboard at a steady rhythm: run the KPI "
                "review each week, the exceptions only"
            )
        )
    unanswered = [q.key for q in QUESTIONS if answers.get(q.key) is None]
    if unanswered:
        steps.append(
            NextStep(
                f"Answer the {_counted(len(unanswered), 'open question')} of the "
                "questionnaire: the data cannot know "
                + _one_or_many(len(unanswered), "it", "them")
            )
        )
    return tuple(steps)
