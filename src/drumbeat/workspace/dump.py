"""Write a workspace back to YAML in the format's own field order.

Loading what this writes gives back an equal workspace (load → dump → load is the
identity). Fields left at their defaults are omitted, so a dumped file reads like a
hand-written one; readings and check-ins are one line each.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

import yaml

from drumbeat.core.model import (
    KPI,
    Band,
    Benchmarks,
    Direction,
    KeyResult,
    KeyResultKind,
    Objective,
    Period,
    Source,
    Thresholds,
    Tier,
    Workspace,
)
from drumbeat.core.model import Commitment as _Commitment
from drumbeat.core.scoring import relative_target_text
from drumbeat.workspace.yamlio import core_schema_resolvers


class _Flow(dict[str, Any]):
    """A mapping written on one line: `{at: 2026-06-30, value: 38}`."""


class _FlowList(list[Any]):
    """A list written on one line: `[99.9, 100]`."""


class _Dumper(yaml.SafeDumper):
    # Quote exactly what the loader would read as something other than text.
    yaml_implicit_resolvers = core_schema_resolvers(with_timestamps=True)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_number(dumper: yaml.SafeDumper, value: float) -> yaml.ScalarNode:
    if value.is_integer() and abs(value) < 1e15:
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


def _represent_datetime(dumper: yaml.SafeDumper, value: dt.datetime) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_Dumper.add_representer(float, _represent_number)
_Dumper.add_representer(dt.datetime, _represent_datetime)
_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
)
_Dumper.add_representer(
    _FlowList,
    lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True),
)
_Dumper.add_multi_representer(StrEnum, lambda d, v: d.represent_str(str(v.value)))


def _compact(
    fields: dict[str, Any], defaults: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Drop fields that are None, empty, or at their default."""
    defaults = defaults or {}
    return {
        name: value
        for name, value in fields.items()
        if value is not None
        and value != ()
        and value != []
        and not (name in defaults and value == defaults[name])
    }


def _target(value: float | Band) -> Any:
    return _FlowList([value.low, value.high]) if isinstance(value, Band) else value


def _thresholds(thresholds: Thresholds) -> _Flow | None:
    if thresholds.is_empty:
        return None
    return _Flow(
        _compact(
            {
                "green": _target(thresholds.green)
                if thresholds.green is not None
                else None,
                "red": thresholds.red,
                "amber": _target(thresholds.amber) if thresholds.amber else None,
            }
        )
    )


def _benchmarks(benchmarks: Benchmarks) -> _Flow | None:
    fields = _compact(
        {"industry": benchmarks.industry, "best_in_class": benchmarks.best_in_class}
    )
    return _Flow(fields) if fields else None


def _source(source: Source) -> _Flow | None:
    if source == Source():
        return None
    return _Flow(
        _compact(
            {
                "type": source.type,
                "connection": source.connection,
                "query": source.query,
                "schedule": source.schedule,
            }
        )
    )


def _period(period: Period | None) -> _Flow | None:
    return _Flow(start=period.start, end=period.end) if period else None


def _spc(kpi: KPI) -> _Flow | dict[str, Any] | None:
    """`{baseline: {...}}` on one line; with dividers, one line for each."""
    if not kpi.spc_periods:
        return _Flow(baseline=_period(kpi.spc_baseline)) if kpi.spc_baseline else None
    periods = [
        _Flow(_compact({"from": period.start, "baseline": _period(period.baseline)}))
        for period in kpi.spc_periods
    ]
    return _compact({"baseline": _period(kpi.spc_baseline), "periods": periods})


def _kpi(kpi: KPI) -> dict[str, Any]:
    spc = _spc(kpi)
    return _compact(
        {
            "key": kpi.key,
            "name": kpi.name,
            "description": kpi.description,
            "unit": kpi.unit,
            "direction": kpi.direction,
            "cadence": kpi.cadence,
            "review_cadence": kpi.review_cadence,
            "owner": kpi.owner,
            "team": kpi.team,
            "perspective": kpi.perspective,
            "tier": kpi.tier,
            "indicator": kpi.indicator,
            "north_star": kpi.north_star,
            "financial": kpi.financial,
            "thresholds": _thresholds(kpi.thresholds),
            "benchmarks": _benchmarks(kpi.benchmarks),
            "drives": _FlowList(kpi.drives),
            "ceo_attention": kpi.ceo_attention,
            "corrective_action": kpi.corrective_action,
            "critical_success_factors": _FlowList(kpi.critical_success_factors),
            "dark_side": kpi.dark_side,
            "guardrail": kpi.guardrail,
            "source": _source(kpi.source),
            "spc": spc,
            "readings": [
                _Flow(_compact({"at": r.at, "value": r.value, "note": r.note}))
                for r in kpi.readings
            ],
        },
        defaults={
            "direction": Direction.UP,
            "tier": Tier.SECONDARY,
            "north_star": False,
            "financial": False,
            "ceo_attention": False,
        },
    )


def _key_result(kr: KeyResult) -> dict[str, Any]:
    return _compact(
        {
            "key": kr.key,
            "title": kr.title,
            "kpi": kr.kpi,
            "kind": kr.kind,
            "baseline": kr.baseline,
            "target": _target(kr.target),
            "relative_target": (
                None
                if kr.relative_target is None
                else relative_target_text(kr.relative_target)
            ),
            "deadline": kr.deadline,
            "owner": kr.owner,
            "weight": kr.weight,
            "checkins": [
                _Flow(
                    _compact(
                        {
                            "at": c.at,
                            "by": c.by,
                            "confidence": c.confidence,
                            "note": c.note,
                            "blockers": c.blockers,
                        }
                    )
                )
                for c in kr.checkins
            ],
        },
        defaults={"kind": KeyResultKind.CHANGE, "weight": 1.0},
    )


def _objective(objective: Objective) -> dict[str, Any]:
    return _compact(
        {
            "key": objective.key,
            "title": objective.title,
            "cycle": objective.cycle,
            "team": objective.team,
            "owner": objective.owner,
            "commitment": objective.commitment,
            "parent": objective.parent,
            "key_results": [_key_result(kr) for kr in objective.key_results],
        },
        defaults={"commitment": _Commitment.ASPIRATIONAL},
    )


def workspace_to_data(workspace: Workspace) -> dict[str, Any]:
    """The workspace as plain YAML-ready values, in the format's field order."""
    return _compact(
        {
            "version": workspace.version,
            "organisation": workspace.organisation,
            "teams": [
                _Flow(_compact({"key": t.key, "name": t.name, "parent": t.parent}))
                for t in workspace.teams
            ],
            "critical_success_factors": [
                _Flow(key=f.key, name=f.name)
                for f in workspace.critical_success_factors
            ],
            "kpis": [_kpi(kpi) for kpi in workspace.kpis],
            "cycles": [
                _Flow(
                    _compact(
                        {
                            "key": c.key,
                            "start": c.start,
                            "end": c.end,
                            "parent": c.parent,
                        }
                    )
                )
                for c in workspace.cycles
            ],
            "objectives": [_objective(o) for o in workspace.objectives],
        }
    )


def dump_workspace(workspace: Workspace) -> str:
    """The workspace as YAML text in the workspace format (docs/workspace-format.md)."""
    return yaml.dump(
        workspace_to_data(workspace),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=88,
        default_flow_style=False,
    )
