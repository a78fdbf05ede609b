"""Parmenter's seven characteristics of a key performance indicator (seed 001).

Each key-tier KPI is checked against the seven; three are computed from its
definition (non-financial, measured daily or weekly, tied to a team) and four read
the definition fields written for them (`ceo_attention`, `corrective_action`,
`critical_success_factors`, `dark_side` with its `guardrail`).
"""

from __future__ import annotations

from dataclasses import dataclass

from drumbeat.core.model import KPI, Cadence, Workspace

PARMENTER_CHARACTERISTICS = 7
PARMENTER_ENOUGH = 5
"""A key KPI meeting fewer characteristics than this is reported by lint."""

FREQUENT_CADENCES = frozenset({Cadence.DAILY, Cadence.WEEKLY})


@dataclass(frozen=True, slots=True)
class Characteristic:
    """One of the seven: met or not, and in words why (what is missing if not)."""

    number: int
    name: str
    met: bool
    detail: str


@dataclass(frozen=True, slots=True)
class ParmenterChecklist:
    """A KPI's seven characteristics, in Parmenter's order."""

    items: tuple[Characteristic, ...]

    @property
    def score(self) -> int:
        """How many of the seven are met."""
        return sum(item.met for item in self.items)

    @property
    def missing(self) -> tuple[str, ...]:
        """The names of the characteristics not met, in order."""
        return tuple(item.name for item in self.items if not item.met)

    @property
    def enough(self) -> bool:
        return self.score >= PARMENTER_ENOUGH


def parmenter_checklist(kpi: KPI, workspace: Workspace) -> ParmenterChecklist:
    """The seven characteristics in Parmenter's order, each met or missing.

    A team or a critical success factor counts only when the workspace defines it,
    or defines none (a part of a dictionary); a guardrail only when it is another
    KPI of the workspace.
    """
    return ParmenterChecklist(
        (
            _non_financial(kpi),
            _measured_frequently(kpi),
            _ceo_attention(kpi),
            _clear_with_corrective_action(kpi),
            _tied_to_team(kpi, workspace),
            _critical_success_factors(kpi, workspace),
            _limited_dark_side(kpi, workspace),
        )
    )


def _non_financial(kpi: KPI) -> Characteristic:
    name = "non-financial"
    if kpi.financial:
        return Characteristic(1, name, False, "it is a financial measure")
    return Characteristic(1, name, True, "not expressed in money")


def _measured_frequently(kpi: KPI) -> Characteristic:
    name = "measured frequently"
    if kpi.cadence in FREQUENT_CADENCES:
        return Characteristic(2, name, True, f"read {kpi.cadence}")
    if kpi.cadence is None:
        return Characteristic(2, name, False, "no cadence: read it daily or weekly")
    return Characteristic(
        2, name, False, f"read {kpi.cadence}: read it daily or weekly"
    )


def _ceo_attention(kpi: KPI) -> Characteristic:
    name = "CEO's attention"
    if kpi.ceo_attention:
        return Characteristic(3, name, True, "the CEO follows it")
    return Characteristic(3, name, False, "not marked as followed by the CEO")


def _clear_with_corrective_action(kpi: KPI) -> Characteristic:
    name = "clear with corrective action"
    missing = [
        what
        for what, absent in (
            ("a description", not kpi.description),
            ("the corrective action", not kpi.corrective_action),
        )
        if absent
    ]
    if missing:
        return Characteristic(4, name, False, f"write {' and '.join(missing)}")
    return Characteristic(4, name, True, "staff know what to do when it slips")


def _tied_to_team(kpi: KPI, workspace: Workspace) -> Characteristic:
    name = "tied to a team"
    if kpi.team is None:
        return Characteristic(5, name, False, "no team is responsible for it")
    teams = {team.key: team.name for team in workspace.teams}
    if teams and kpi.team not in teams:
        return Characteristic(5, name, False, f"team '{kpi.team}' is not defined")
    return Characteristic(5, name, True, f"owned by {teams.get(kpi.team, kpi.team)}")


def _critical_success_factors(kpi: KPI, workspace: Workspace) -> Characteristic:
    name = "impact on critical success factors"
    factors = {f.key: f.name for f in workspace.critical_success_factors}
    named = [
        factors.get(key, key)
        for key in kpi.critical_success_factors
        if key in factors or not factors
    ]
    if not named:
        return Characteristic(
            6, name, False, "name the critical success factors it moves"
        )
    return Characteristic(6, name, True, f"moves {', '.join(named)}")


def _limited_dark_side(kpi: KPI, workspace: Workspace) -> Characteristic:
    name = "limited dark side"
    guardrail = workspace.kpi_by_key.get(kpi.guardrail or "")
    if guardrail is kpi:
        guardrail = None
    missing = [
        what
        for what, absent in (
            ("the unintended consequence", not kpi.dark_side),
            ("a guardrail KPI", guardrail is None),
        )
        if absent
    ]
    if guardrail is None or missing:
        return Characteristic(7, name, False, f"write {' and '.join(missing)}")
    return Characteristic(7, name, True, f"watched by '{guardrail.name}'")
