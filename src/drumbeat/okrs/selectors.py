"""Reads of cycles, objectives and key results, with stored scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from drumbeat.accounts.models import Team
from drumbeat.accounts.selectors import AnyUser, can_edit_team_okrs, is_admin
from drumbeat.core.lint import Finding, lint_workspace
from drumbeat.core.model import Workspace
from drumbeat.core.suggest import Suggestion, suggest
from drumbeat.kpis.selectors import database_workspace, workspace_data
from drumbeat.okrs.models import CheckIn, Cycle, KeyResult, LintFinding, Objective
from drumbeat.workspace import load_workspace_data


def objectives_filtered(
    objectives: QuerySet[Objective],
    *,
    cycle: str | None = None,
    team: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Objective]:
    """`objectives` narrowed to a cycle's, a team's, or those of the cycles that
    overlap `since` to `until` (both included); a filter left empty narrows
    nothing."""
    if cycle:
        objectives = objectives.filter(cycle__key=cycle)
    if team:
        objectives = objectives.filter(team__key=team)
    if since:
        objectives = objectives.filter(cycle__end__gte=since)
    if until:
        objectives = objectives.filter(cycle__start__lte=until)
    return objectives


def cycle_objectives(cycle: Cycle) -> QuerySet[Objective]:
    """A cycle's objectives with their team, KRs and check-ins (constant queries)."""
    return (
        Objective.objects.filter(cycle=cycle)
        .select_related("team", "parent")
        .prefetch_related(
            Prefetch(
                "key_results",
                queryset=KeyResult.objects.prefetch_related(
                    Prefetch("checkins", queryset=CheckIn.objects.order_by("at", "pk"))
                ),
            )
        )
    )


@dataclass
class AlignmentNode:
    """An objective in the alignment tree, with the team objectives under it."""

    objective: Objective
    children: list[AlignmentNode] = field(default_factory=list)


def alignment_tree(objectives: list[Objective]) -> list[AlignmentNode]:
    """Company objectives at the roots, each team objective under its parent."""
    nodes = {o.pk: AlignmentNode(o) for o in objectives}
    roots = []
    for objective in objectives:
        parent = nodes.get(objective.parent_id) if objective.parent_id else None
        if parent is None:
            roots.append(nodes[objective.pk])
        else:
            parent.children.append(nodes[objective.pk])
    return roots


@dataclass
class CycleFindings:
    """A cycle's stored lint findings, placed beside what they concern."""

    on_cycle: list[LintFinding] = field(default_factory=list)
    by_objective: dict[str, list[LintFinding]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """How many findings of each severity, errors first."""
        every = [*self.on_cycle, *(f for fs in self.by_objective.values() for f in fs)]
        return {
            severity: sum(1 for f in every if f.severity == severity)
            for severity in ("error", "warning", "info")
        }


def cycle_findings(cycle: Cycle) -> CycleFindings:
    """The lint findings on a cycle, its objectives and their KRs (one query)."""
    found = CycleFindings()
    for finding in LintFinding.objects.filter(cycle=cycle):
        if finding.objective_key:
            found.by_objective.setdefault(finding.objective_key, []).append(finding)
        else:
            found.on_cycle.append(finding)
    return found


# --- Cycle planning -------------------------------------------------------------


def okr_teams_editable_by(user: AnyUser) -> list[Team]:
    """The teams whose OKRs the person may write (`can_edit_team_okrs`), asking
    only about the teams the person belongs to (admins: every team), so that the
    queries grow with the person's memberships, not with the organisation."""
    if not user.is_authenticated:
        return []
    teams = (
        Team.objects.all()
        if is_admin(user)
        else Team.objects.filter(memberships__user_id=user.pk)
    )
    return [team for team in teams if can_edit_team_okrs(user, team)]


def objectives_editable_by(
    user: AnyUser, objectives: Iterable[Objective], teams: Iterable[Team]
) -> list[Objective]:
    """Those of `objectives` whose OKRs the person may write, given the teams
    `okr_teams_editable_by` found for them."""
    team_ids = {team.pk for team in teams}
    return [
        objective
        for objective in objectives
        if (
            objective.team_id in team_ids
            if objective.team_id is not None
            else can_edit_team_okrs(user, None)
        )
    ]


@dataclass(frozen=True)
class PlannedObjective:
    """A draft objective of a cycle with the lint findings on it and on its KRs."""

    objective: Objective
    findings: list[LintFinding]


@dataclass(frozen=True)
class CyclePlan:
    """What planning a cycle reads: the diagnostic flow's suggestions, and the
    stored lint findings of the cycle's objectives as they stand."""

    cycle: Cycle
    suggestions: list[Suggestion]
    findings: CycleFindings
    objectives: list[PlannedObjective]


def cycle_suggestions(
    workspace: Workspace, cycle: Cycle, as_of: dt.date
) -> list[Suggestion]:
    """The KPIs worth elevating in `cycle`, ranked by the core's diagnostic flow:
    judged as of the cycle start, or of `as_of` when planning ahead of it."""
    return suggest(workspace, workspace.cycle_by_key[cycle.key], as_of)


def plan_for_cycle(cycle: Cycle, as_of: dt.date) -> CyclePlan:
    """A cycle's suggestions (from one read of the database) and the stored lint
    findings on the cycle, its objectives and their KRs."""
    workspace = database_workspace()
    objectives = list(
        Objective.objects.filter(cycle=cycle)
        .select_related("team")
        .prefetch_related("key_results")
    )
    findings = cycle_findings(cycle)
    return CyclePlan(
        cycle=cycle,
        suggestions=cycle_suggestions(workspace, cycle, as_of),
        findings=findings,
        objectives=[
            PlannedObjective(objective, findings.by_objective.get(objective.key, []))
            for objective in objectives
        ],
    )


def key_result_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """A KR in the workspace file's shape, from a KR form's values (named as
    `KEY_RESULT_FIELDS`: `kpi_key`, `owner_name`, ...)."""
    optional = {
        "title": values.get("title"),
        "baseline": values.get("baseline"),
        "deadline": values.get("deadline"),
        "owner": values.get("owner_name"),
    }
    return {
        "key": values["key"],
        "kpi": values["kpi_key"],
        "kind": values["kind"],
        "target": values["target"],
        "weight": values["weight"],
        **{name: value for name, value in optional.items() if value not in (None, "")},
    }


def key_result_draft_findings(
    objective: Objective,
    draft: dict[str, Any],
    *,
    replacing: str | None,
    as_of: dt.date,
) -> list[Finding]:
    """The lint findings a draft KR would get, its own and its objective's, were it
    saved in its objective in the place of KR `replacing` (or added to it).

    Nothing is written. Raises WorkspaceError when the draft does not load.
    """
    data = workspace_data()
    for entry in data["objectives"]:
        if entry["key"] == objective.key:
            krs = entry["key_results"]
            keys = [kr["key"] for kr in krs]
            if replacing in keys:
                krs[keys.index(replacing)] = draft
            else:
                krs.append(draft)
    workspace = load_workspace_data(data, filename="draft")
    subjects = {objective.key, f"{objective.key}/{draft['key']}"}
    return [f for f in lint_workspace(workspace, as_of) if f.subject in subjects]


def objective_findings(objective: Objective) -> QuerySet[LintFinding]:
    """The lint findings on an objective and its KRs."""
    return LintFinding.objects.filter(objective_key=objective.key)
