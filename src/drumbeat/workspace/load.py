"""Load a workspace file into the core model, or say exactly what is wrong and where.

Loading is all or nothing: a file with any error gives no workspace. Every error
names the file, the line and the field (`kpis[nps].thresholds.treshold`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from croniter import croniter
from pydantic import BaseModel, ValidationError

from drumbeat.core.display import format_number
from drumbeat.core.drives import drives_cycle_text, drives_cycles
from drumbeat.core.model import (
    KPI,
    Band,
    Benchmarks,
    CheckIn,
    CriticalSuccessFactor,
    Cycle,
    Direction,
    KeyResult,
    KeyResultKind,
    LimitPeriod,
    Objective,
    Period,
    Reading,
    Source,
    SourceType,
    Target,
    Team,
    Thresholds,
    Workspace,
    reading_order,
)
from drumbeat.core.moments import moment_day, out_of_range_problem
from drumbeat.core.scoring import (
    key_result_baseline,
    relative_target_problem,
    relative_target_text,
    resolve_relative_target,
)
from drumbeat.workspace.schema import (
    FORMAT_VERSION,
    CycleSchema,
    KeyResultSchema,
    KPISchema,
    ObjectiveSchema,
    RelativeTarget,
    SpcSchema,
    TeamSchema,
    WorkspaceSchema,
)
from drumbeat.workspace.yamlio import (
    LocatedError,
    Mapping,
    collector_paused,
    parse_yaml,
)

Loc = tuple[str | int, ...]

_CONNECTION_NAME = re.compile(r"[A-Za-z0-9_-]+")


def cron_is_valid(expression: str) -> bool:
    """A cron schedule of five fields (minute hour day month weekday) that croniter
    understands."""
    return len(expression.split()) == 5 and croniter.is_valid(expression)


class WorkspaceError(Exception):
    """A workspace file that cannot be used, with every problem found in it."""

    def __init__(self, filename: str, problems: Sequence[LocatedError]) -> None:
        self.filename = filename
        self.problems = sorted(problems, key=lambda p: p.line or 0)
        super().__init__(self.summary)

    def describe(self, problem: LocatedError) -> str:
        where = f"{self.filename}:{problem.line}" if problem.line else self.filename
        field = f" {problem.field}:" if problem.field else ""
        return f"{where}:{field} {problem.message}"

    @property
    def lines(self) -> list[str]:
        return [self.describe(problem) for problem in self.problems]

    @property
    def summary(self) -> str:
        """The first problem on one line, with a count of the others."""
        first = self.lines[0]
        others = len(self.problems) - 1
        if others:
            first += f" (and {others} more problem{'s' if others > 1 else ''})"
        return first


def load_workspace(path: Path, *, today: dt.date | None = None) -> Workspace:
    """Read and validate a workspace file; with `today`, readings dated after
    tomorrow are refused too (a file about to be applied: see
    `drumbeat.core.moments.out_of_range_problem`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise WorkspaceError(str(path), [LocatedError(None, None, reason)]) from None
    return load_workspace_text(text, filename=str(path), today=today)


def load_workspace_text(
    text: str, *, filename: str = "<workspace>", today: dt.date | None = None
) -> Workspace:
    """Validate workspace YAML text; `filename` is used in error messages."""
    with collector_paused():
        return _load(text, filename, today)


def load_workspace_data(data: Any, *, filename: str = "<data>") -> Workspace:
    """Validate workspace data already in the file's shape (from the database, an
    API body): the same rules and messages as a file, without line numbers."""
    with collector_paused():
        return _validate(data, filename)


def _load(text: str, filename: str, today: dt.date | None) -> Workspace:
    try:
        raw = parse_yaml(text)
    except LocatedError as problem:
        raise WorkspaceError(filename, [problem]) from None
    return _validate(raw, filename, today)


def _validate(raw: Any, filename: str, today: dt.date | None = None) -> Workspace:
    if not isinstance(raw, dict):
        shape = "empty" if raw is None else f"a {type(raw).__name__}"
        raise WorkspaceError(
            filename,
            [
                LocatedError(
                    1,
                    None,
                    f"the file is {shape}; expected a mapping with "
                    "`version: 1` and `kpis`, `cycles`, `objectives`",
                )
            ],
        )
    try:
        schema = WorkspaceSchema.model_validate(raw)
    except ValidationError as error:
        raise WorkspaceError(filename, list(_schema_problems(raw, error))) from None
    problems = list(_reference_problems(raw, schema, today))
    if problems:
        raise WorkspaceError(filename, problems)
    return _to_core(schema)


# --- Locating problems ----------------------------------------------------------


def _line(raw: Any, loc: Loc) -> int | None:
    """The line of the field at `loc`: its key's line, else its mapping's."""
    line = raw.line if isinstance(raw, Mapping) else None
    node = raw
    for part in loc:
        if isinstance(node, Mapping):
            if part not in node:
                break
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            if isinstance(node, Mapping):
                line = node.line
        else:
            break
    return line


def problems_in_file(error: WorkspaceError, file: Path) -> WorkspaceError:
    """`error`'s problems as `file` holds them: named by the file, each at the
    line of its field (`objectives[happier].key_results[csat-up]`) when the
    problem was found past loading, without one (applying it, say)."""
    raw = parse_yaml(file.read_text(encoding="utf-8"))
    return WorkspaceError(
        str(file),
        [
            LocatedError(
                problem.line or _field_line(raw, problem.field or ""),
                problem.field,
                problem.message,
            )
            for problem in error.problems
        ],
    )


def _field_line(raw: Any, field: str) -> int | None:
    """The line of a field named as `_path` names it, list items by key or date."""
    line = raw.line if isinstance(raw, Mapping) else None
    node = raw
    for label, name in re.findall(r"\[([^\]]*)\]|([^.\[\]]+)", field):
        if name and isinstance(node, Mapping) and name in node:
            line, node = node.key_lines.get(name, line), node[name]
        elif label and isinstance(node, list):
            node = next(
                (
                    item
                    for item in node
                    if isinstance(item, Mapping)
                    and label in (str(item.get("key")), str(item.get("at")))
                ),
                None,
            )
            if node is None:
                break
            line = node.line
        else:
            break
    return line


def _path(raw: Any, loc: Loc) -> str:
    """`kpis[nps].thresholds.green`: list items named by key (or date) if any."""
    text = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            label = part
            if isinstance(item, dict):
                for name in ("key", "at"):
                    if isinstance(item.get(name), str | int):
                        label = item[name]
                        break
            text += f"[{label}]"
            node = item
        else:
            text += f".{part}" if text else part
            node = node.get(part) if isinstance(node, dict) else None
    return text


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The schema model that holds the field at `loc` (for "did you mean")."""
    model: type[BaseModel] = WorkspaceSchema
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        inner = _inner_model(field.annotation)
        if inner is None:
            return None
        model = inner
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        inner = _inner_model(argument)
        if inner is not None:
            return inner
    return None


def _schema_problems(raw: Any, error: ValidationError) -> Iterator[LocatedError]:
    seen: set[Loc] = set()
    for detail in error.errors():
        loc = tuple(part for part in detail["loc"] if not _is_union_tag(part))
        if loc in seen:
            continue  # one message per field: the first alternative's says enough
        seen.add(loc)
        yield LocatedError(_line(raw, loc), _path(raw, loc), _message(raw, loc, detail))


def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and ("[" in part or part in {"function-before"})


def _message(raw: Any, loc: Loc, detail: Any) -> str:
    kind: str = detail["type"]
    value = detail.get("input")
    if kind == "extra_forbidden":
        model = _model_at(loc)
        hint = ""
        names = (
            [field.alias or name for name, field in model.model_fields.items()]
            if model is not None
            else []
        )
        close = get_close_matches(str(loc[-1]), names, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        allowed = ", ".join(names)
        return f"unknown field '{loc[-1]}'{hint}" + (
            f"; expected one of: {allowed}" if allowed and not hint else ""
        )
    if kind == "missing":
        return f"missing required field '{loc[-1]}'"
    if value is None and kind in ("list_type", "model_type"):
        return "is empty: give a value, or leave the field out"
    if kind in ("string_type", "model_type", "list_type", "int_type", "bool_type"):
        expected = {
            "string_type": "text",
            "model_type": "a mapping",
            "list_type": "a list",
            "int_type": "a whole number",
            "bool_type": "true or false",
        }[kind]
        return f"expected {expected}, not {value!r}"
    if kind == "string_pattern_mismatch":
        if loc[:1] == ("kpis",) and (
            loc[-1] in ("key", "guardrail") or "drives" in loc
        ):
            return (
                f"{value!r} is not a valid KPI key: use lower-case letters, digits "
                "and dashes"
            )
        return f"{value!r} cannot contain '/' or spaces"
    if kind == "enum":
        expected = detail.get("ctx", {}).get("expected", "")
        return f"must be one of {expected}, not {value!r}"
    if kind == "string_too_short":
        return "must not be empty"
    message: str = detail["msg"]
    return message.removeprefix("Value error, ")


# --- Relations between values ---------------------------------------------------


def _reference_problems(
    raw: Any, schema: WorkspaceSchema, today: dt.date | None
) -> Iterator[LocatedError]:
    def problem(loc: Loc, message: str) -> LocatedError:
        return LocatedError(_line(raw, loc), _path(raw, loc), message)

    if schema.version != FORMAT_VERSION:
        yield problem(
            ("version",),
            f"format version {schema.version} is not supported; this Drumbeat reads "
            f"version {FORMAT_VERSION}",
        )
    for section in (
        "teams",
        "critical_success_factors",
        "kpis",
        "cycles",
        "objectives",
    ):
        keys = [item.key for item in getattr(schema, section)]
        for index in _duplicates(keys):
            yield problem((section, index, "key"), f"duplicate key '{keys[index]}'")

    team_keys = {team.key for team in schema.teams}
    kpi_keys = {kpi.key for kpi in schema.kpis}
    drives = {kpi.key: kpi.drives for kpi in schema.kpis}
    cycles = drives_cycles(drives, drives)
    factor_keys = {factor.key for factor in schema.critical_success_factors}
    cycle_keys = {cycle.key for cycle in schema.cycles}
    objective_keys = {objective.key for objective in schema.objectives}

    def missing(loc: Loc, kind: str, key: str, known: Iterable[str]) -> LocatedError:
        close = get_close_matches(key, list(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return problem(loc, f"refers to {kind} '{key}', which is not defined{hint}")

    for index, team in enumerate(schema.teams):
        if team.parent is not None and team.parent not in team_keys:
            yield missing(("teams", index, "parent"), "team", team.parent, team_keys)

    for index, cycle in enumerate(schema.cycles):
        if cycle.end < cycle.start:
            yield problem(
                ("cycles", index, "end"),
                f"the cycle ends ({cycle.end}) before it starts ({cycle.start})",
            )
        if cycle.parent is not None and cycle.parent not in cycle_keys:
            yield missing(
                ("cycles", index, "parent"), "cycle", cycle.parent, cycle_keys
            )
        for message in _containing_cycle_problems(schema.cycles, cycle):
            yield problem(("cycles", index, "parent"), message)

    for index, kpi in enumerate(schema.kpis):
        at = ("kpis", index)
        if team_keys and kpi.team is not None and kpi.team not in team_keys:
            yield missing((*at, "team"), "team", kpi.team, team_keys)
        for position, driven in enumerate(kpi.drives):
            if driven not in kpi_keys:
                yield missing((*at, "drives", position), "KPI", driven, kpi_keys)
        if round_trip := cycles.get(kpi.key):
            yield problem((*at, "drives"), drives_cycle_text(round_trip))
        for position, factor in enumerate(kpi.critical_success_factors):
            if factor_keys and factor not in factor_keys:
                yield missing(
                    (*at, "critical_success_factors", position),
                    "critical success factor",
                    factor,
                    factor_keys,
                )
        if kpi.guardrail is not None:
            if kpi.guardrail not in kpi_keys:
                yield missing((*at, "guardrail"), "KPI", kpi.guardrail, kpi_keys)
            elif kpi.guardrail == kpi.key:
                yield problem(
                    (*at, "guardrail"),
                    "a KPI cannot be its own guardrail: name the KPI that shows "
                    "its unintended consequence",
                )
        yield from (problem((*at, *loc), m) for loc, m in _kpi_problems(kpi))
        if today is not None:
            for position, reading in enumerate(kpi.readings):
                if out_of_range := out_of_range_problem(reading.at, today):
                    yield problem((*at, "readings", position, "at"), out_of_range)

    kpis_by_key = {kpi.key: kpi for kpi in schema.kpis}
    cycle_starts = {cycle.key: cycle.start for cycle in schema.cycles}
    for index, objective in enumerate(schema.objectives):
        at = ("objectives", index)
        if objective.cycle not in cycle_keys:
            yield missing((*at, "cycle"), "cycle", objective.cycle, cycle_keys)
        if team_keys and objective.team is not None and objective.team not in team_keys:
            yield missing((*at, "team"), "team", objective.team, team_keys)
        if objective.parent is not None and objective.parent not in objective_keys:
            yield missing(
                (*at, "parent"), "objective", objective.parent, objective_keys
            )
        kr_keys = [kr.key for kr in objective.key_results]
        for position in _duplicates(kr_keys):
            yield problem(
                (*at, "key_results", position, "key"),
                f"duplicate key result key '{kr_keys[position]}' in this objective",
            )
        cycle_start = cycle_starts.get(objective.cycle)
        for position, kr in enumerate(objective.key_results):
            measured = kpis_by_key.get(kr.kpi)
            if measured is not None:
                for loc, message in _target_problems(kr, measured, cycle_start):
                    yield problem((*at, "key_results", position, *loc), message)
    yield from _parent_cycles(raw, "objectives", schema.objectives)
    yield from _parent_cycles(raw, "teams", schema.teams)


def _containing_cycle_problems(
    cycles: Sequence[CycleSchema], cycle: CycleSchema
) -> Iterator[str]:
    """A cycle's `parent` must be another cycle, one level up, that holds its dates."""
    parent = next((c for c in cycles if c.key == cycle.parent), None)
    if parent is None:
        return
    if parent.key == cycle.key:
        yield "a cycle cannot contain itself"
    elif parent.parent is not None:
        yield (
            f"cycle '{parent.key}' is itself inside '{parent.parent}': a cycle "
            "contains others one level deep (a year and its quarters)"
        )
    elif cycle.start < parent.start or cycle.end > parent.end:
        yield (
            f"the cycle ({cycle.start} to {cycle.end}) does not fit inside "
            f"'{parent.key}' ({parent.start} to {parent.end})"
        )


def _duplicates(keys: Sequence[Any]) -> Iterator[int]:
    seen: set[Any] = set()
    for index, key in enumerate(keys):
        if key in seen:
            yield index
        seen.add(key)


def _kpi_problems(kpi: KPISchema) -> Iterator[tuple[Loc, str]]:
    thresholds = kpi.thresholds
    if thresholds is not None:
        if kpi.direction is Direction.RANGE:
            if thresholds.green is not None and not isinstance(thresholds.green, tuple):
                yield (
                    ("thresholds", "green"),
                    ("a range KPI's green threshold is a band [low, high]"),
                )
            if thresholds.red is not None:
                yield (
                    ("thresholds", "red"),
                    ("a range KPI has no red level: it is red outside its amber band"),
                )
            green, amber = thresholds.green, thresholds.amber
            if (
                isinstance(green, tuple)
                and amber is not None
                and not (amber[0] <= green[0] and green[1] <= amber[1])
            ):
                yield (
                    ("thresholds", "amber"),
                    ("the amber band must contain the green band"),
                )
        else:
            if isinstance(thresholds.green, tuple):
                yield (
                    ("thresholds", "green"),
                    (
                        f"an {kpi.direction} KPI's green threshold is one number; "
                        "bands are for `direction: range`"
                    ),
                )
            elif thresholds.green is not None and thresholds.red is not None:
                wrong = (
                    thresholds.green <= thresholds.red
                    if kpi.direction is Direction.UP
                    else thresholds.green >= thresholds.red
                )
                if wrong:
                    side = "above" if kpi.direction is Direction.UP else "below"
                    yield (
                        ("thresholds", "green"),
                        (
                            f"for an {kpi.direction} KPI the green threshold must be "
                            f"{side} the red one"
                        ),
                    )
            if thresholds.amber is not None:
                yield (
                    ("thresholds", "amber"),
                    (
                        "an amber band is for `direction: range`; an up or down KPI is "
                        "amber between green and red"
                    ),
                )
    if kpi.spc is not None:
        yield from _spc_problems(kpi.spc)
    source = kpi.source
    if source is not None:
        if source.type is SourceType.SQL and not (source.connection and source.query):
            yield ("source",), "an sql source needs a `connection` and a `query`"
        if source.type is not SourceType.SQL and (source.connection or source.query):
            yield ("source", "type"), "`connection` and `query` are for `type: sql`"
        if source.type is not SourceType.SQL and source.schedule:
            yield ("source", "schedule"), "a pull `schedule` is for `type: sql`"
        if source.connection and not _CONNECTION_NAME.fullmatch(source.connection):
            yield (
                ("source", "connection"),
                (
                    f"'{source.connection}' is not a connection name: use letters, "
                    "digits, - and _ (it names DRUMBEAT_SOURCE_<NAME>_URL)"
                ),
            )
        if source.schedule and not cron_is_valid(source.schedule):
            yield (
                ("source", "schedule"),
                (
                    f"'{source.schedule}' is not a cron schedule: give five fields, "
                    "minute hour day month weekday, such as '0 6 * * 1' (06:00 every "
                    "Monday)"
                ),
            )
    # Compared as moments: 01:00 and 01:00Z are the same reading.
    ats = [reading.at for reading in kpi.readings]
    moments = [reading_order(Reading(at, 0.0)) for at in ats]
    for position in _duplicates(moments):
        yield (
            ("readings", position, "at"),
            (f"a second reading at {ats[position]}: one reading per date or time"),
        )


def _spc_problems(spc: SpcSchema) -> Iterator[tuple[Loc, str]]:
    """Baselines that end before they start or reach outside their limit period,
    and dividers out of date order."""
    starts = [period.start for period in spc.periods]
    ends: list[dt.date | None] = [
        *(start - dt.timedelta(days=1) for start in starts),
        None,
    ]
    baselines = [
        (("spc", "baseline"), spc.baseline, None, ends[0]),
        *(
            (("spc", "periods", index, "baseline"), period.baseline, start, end)
            for index, (period, start, end) in enumerate(
                zip(spc.periods, starts, ends[1:], strict=True)
            )
        ),
    ]
    for index, (earlier, later) in enumerate(itertools.pairwise(starts), start=1):
        if later <= earlier:
            yield (
                ("spc", "periods", index, "from"),
                f"dividers go in date order: {later} is not after {earlier}",
            )
    for loc, baseline, start, end in baselines:
        if baseline is None:
            continue
        if baseline.end < baseline.start:
            yield (*loc, "end"), "the baseline ends before it starts"
        elif (start is not None and baseline.start < start) or (
            end is not None and baseline.end > end
        ):
            period = (
                f"from {start}" if start is not None else "from the first reading"
            ) + (f" to {end}" if end is not None else " on")
            yield loc, f"the baseline must lie inside its limit period ({period})"


def _schema_baseline(
    kr: KeyResultSchema, kpi: KPISchema, cycle_start: dt.date
) -> float | None:
    """The KR's baseline as scoring will read it (`key_result_baseline`)."""
    if kr.baseline is not None:
        return kr.baseline
    if kr.kind is KeyResultKind.CUMULATIVE:
        return 0.0
    before = [r for r in kpi.readings if moment_day(r.at) <= cycle_start]
    return max(before, key=lambda r: moment_day(r.at)).value if before else None


def _target_problems(
    kr: KeyResultSchema, kpi: KPISchema, cycle_start: dt.date | None
) -> Iterator[tuple[Loc, str]]:
    if kr.relative_target is not None:
        problem: str | None
        if isinstance(kr.target, RelativeTarget):
            problem = "the target is already a percent change; drop relative_target"
        elif isinstance(kr.target, tuple) or kr.kind is not KeyResultKind.CHANGE:
            problem = "a percent change is only for a change KR's one-number target"
        elif kr.baseline is not None:
            problem = _relative_target_contradiction(
                kr.target, kr.baseline, kr.relative_target
            )
        else:
            problem = None
        if problem:
            yield ("relative_target",), problem
            return
    if isinstance(kr.target, RelativeTarget):
        if cycle_start is not None:
            baseline = _schema_baseline(kr, kpi, cycle_start)
            if written := relative_target_problem(baseline, kr.kind, kr.target.written):
                yield ("target",), written
        return
    band_target = isinstance(kr.target, tuple)
    if kr.kind is KeyResultKind.CUMULATIVE and kpi.direction is Direction.RANGE:
        yield (
            ("kind",),
            (
                f"'{kpi.key}' is a range KPI: its readings do not add up; "
                "a cumulative KR needs an up or down KPI"
            ),
        )
    elif kr.kind is KeyResultKind.SUSTAIN and kpi.direction is Direction.RANGE:
        if not band_target:
            yield (
                ("target",),
                (f"'{kpi.key}' is a range KPI: a sustain target is a band [low, high]"),
            )
    elif band_target and kpi.direction is not Direction.RANGE:
        yield (
            ("target",),
            (
                "a band target [low, high] is only for a sustain or change KR on a "
                "range KPI; give one number"
            ),
        )
    elif band_target and kr.kind is KeyResultKind.CUMULATIVE:
        yield ("target",), "a cumulative target is one number, not a band"


def _relative_target_contradiction(
    target: float, baseline: float, percent: float
) -> str | None:
    """Why a resolved target contradicts the percent beside it, or None. Only
    with a baseline written on the KR: one read from the readings may have been
    corrected since the target was resolved, which leaves the target where it was."""
    level = resolve_relative_target(baseline, percent)
    if math.isclose(level, target, rel_tol=1e-9, abs_tol=1e-9):
        return None
    written = relative_target_text(percent)
    return (
        f"{written} of the baseline {format_number(baseline)} is "
        f"{format_number(level)}, not the target {format_number(target)}: write "
        f'target: "{written}" to resolve it again, or drop relative_target'
    )


def _parent_cycles(
    raw: Any, section: str, items: Sequence[ObjectiveSchema | TeamSchema]
) -> Iterator[LocatedError]:
    """Objectives or teams whose parent chain leads back to themselves."""
    parents = {item.key: item.parent for item in items}
    for index, item in enumerate(items):
        seen: set[str] = set()
        parent = item.parent
        while parent in parents and parent not in seen:
            if parent == item.key:
                loc: Loc = (section, index, "parent")
                message = (
                    "cannot be its own parent"
                    if item.parent == item.key
                    else f"'{item.key}' is its own ancestor through its parents"
                )
                yield LocatedError(_line(raw, loc), _path(raw, loc), message)
                break
            seen.add(parent)
            parent = parents[parent]


# --- To the core model ----------------------------------------------------------


def _target(value: float | tuple[float, float]) -> float | Band:
    return Band(*value) if isinstance(value, tuple) else value


def _kpi(kpi: KPISchema) -> KPI:
    thresholds = kpi.thresholds
    benchmarks = kpi.benchmarks
    source = kpi.source
    baseline = kpi.spc.baseline if kpi.spc else None
    periods = kpi.spc.periods if kpi.spc else []
    return KPI(
        key=kpi.key,
        name=kpi.name,
        description=kpi.description,
        unit=kpi.unit,
        direction=kpi.direction,
        cadence=kpi.cadence,
        review_cadence=kpi.review_cadence,
        owner=kpi.owner,
        team=kpi.team,
        perspective=kpi.perspective,
        tier=kpi.tier,
        indicator=kpi.indicator,
        north_star=kpi.north_star,
        financial=kpi.financial,
        thresholds=Thresholds(
            green=_target(thresholds.green) if thresholds.green is not None else None,
            red=thresholds.red,
            amber=Band(*thresholds.amber) if thresholds.amber else None,
        )
        if thresholds
        else Thresholds(),
        benchmarks=Benchmarks(benchmarks.industry, benchmarks.best_in_class)
        if benchmarks
        else Benchmarks(),
        drives=tuple(kpi.drives),
        ceo_attention=kpi.ceo_attention,
        corrective_action=kpi.corrective_action,
        critical_success_factors=tuple(kpi.critical_success_factors),
        dark_side=kpi.dark_side,
        guardrail=kpi.guardrail,
        source=Source(source.type, source.connection, source.query, source.schedule)
        if source
        else Source(),
        spc_baseline=Period(baseline.start, baseline.end) if baseline else None,
        spc_periods=tuple(
            LimitPeriod(
                period.start,
                Period(period.baseline.start, period.baseline.end)
                if period.baseline
                else None,
            )
            for period in periods
        ),
        readings=tuple(Reading(r.at, r.value, r.note) for r in kpi.readings),
    )


def _resolved(
    key_result: KeyResult,
    written: KeyResultSchema,
    kpi: KPI | None,
    cycle: Cycle | None,
) -> KeyResult:
    """The KR with a target written as a percent change (`target: "+10%"`)
    resolved against its baseline; one already resolved (a number beside
    `relative_target:`) is kept as it is."""
    percent = key_result.relative_target
    if (
        percent is None
        or cycle is None
        or not isinstance(written.target, RelativeTarget)
    ):
        return key_result
    baseline = key_result_baseline(key_result, kpi, cycle)
    if baseline is None:  # refused by _target_problems; kept unresolved
        return key_result
    return replace(key_result, target=resolve_relative_target(baseline, percent))


def _key_result_target(target: float | tuple[float, float] | RelativeTarget) -> Target:
    """The target as the core holds it: a relative one stays at 0.0 until
    `_resolved` resolves it."""
    return 0.0 if isinstance(target, RelativeTarget) else _target(target)


def _objective(objective: ObjectiveSchema) -> Objective:
    return Objective(
        key=objective.key,
        title=objective.title,
        cycle=objective.cycle,
        team=objective.team,
        owner=objective.owner,
        commitment=objective.commitment,
        parent=objective.parent,
        key_results=tuple(
            KeyResult(
                key=kr.key,
                kpi=kr.kpi,
                target=_key_result_target(kr.target),
                relative_target=(
                    kr.target.percent
                    if isinstance(kr.target, RelativeTarget)
                    else kr.relative_target
                ),
                title=kr.title,
                kind=kr.kind,
                baseline=kr.baseline,
                deadline=kr.deadline,
                owner=kr.owner,
                weight=kr.weight,
                checkins=tuple(
                    CheckIn(c.at, c.by, c.confidence, c.note, c.blockers)
                    for c in kr.checkins
                ),
            )
            for kr in objective.key_results
        ),
    )


def _to_core(schema: WorkspaceSchema) -> Workspace:
    kpis = tuple(_kpi(kpi) for kpi in schema.kpis)
    cycles = tuple(Cycle(c.key, c.start, c.end, c.parent) for c in schema.cycles)
    kpi_by_key = {kpi.key: kpi for kpi in kpis}
    cycle_by_key = {cycle.key: cycle for cycle in cycles}
    objectives = tuple(_objective(o) for o in schema.objectives)
    return Workspace(
        version=schema.version,
        organisation=schema.organisation,
        teams=tuple(Team(t.key, t.name, t.parent) for t in schema.teams),
        critical_success_factors=tuple(
            CriticalSuccessFactor(f.key, f.name)
            for f in schema.critical_success_factors
        ),
        kpis=kpis,
        cycles=cycles,
        objectives=tuple(
            replace(
                objective,
                key_results=tuple(
                    _resolved(
                        kr,
                        written,
                        kpi_by_key.get(kr.kpi),
                        cycle_by_key.get(objective.cycle),
                    )
                    for kr, written in zip(
                        objective.key_results, schema_objective.key_results, strict=True
                    )
                ),
            )
            for objective, schema_objective in zip(
                objectives, schema.objectives, strict=True
            )
        ),
    )
