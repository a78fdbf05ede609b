"""The workspace file's schema (format version 1), as pydantic models.

These models check each value on its own: types, enumerations, dates, finite
numbers, unknown fields. Rules that relate values to each other (references,
duplicates, thresholds against direction) are checked by `drumbeat.workspace.load`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
)

from drumbeat.core.model import (
    Cadence,
    Commitment,
    Direction,
    Indicator,
    KeyResultKind,
    Perspective,
    SourceType,
    Tier,
)
from drumbeat.core.moments import Moment, reading_moment
from drumbeat.core.scoring import parse_relative_target
from drumbeat.core.values import note_problem, number_problem, text_problem

FORMAT_VERSION = 1

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def finite_number(value: Any) -> float:
    """A number Drumbeat records (`drumbeat.core.values.number_problem`)."""
    problem = number_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return float(value)


def _text(value: str) -> str:
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _note(value: str) -> str:
    problem = note_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _band(value: Any) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(f"must be a band [low, high], not {value!r}")
    low, high = (finite_number(v) for v in value)
    if low > high:
        raise ValueError(f"band [{value[0]}, {value[1]}] has low above high")
    return low, high


def _number_or_band(value: Any) -> float | tuple[float, float]:
    if isinstance(value, list):
        return _band(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a number, or [low, high], not {value!r}")
    return finite_number(value)


@dataclass(frozen=True, slots=True)
class RelativeTarget:
    """A KR target written as a percent change of its baseline (`"+10%"`),
    resolved by `drumbeat.workspace.load` once the baseline is known."""

    percent: float
    written: str = field(default="", compare=False)
    """The text as written (`"+5 %"`), quoted back in messages."""


def _key_result_target(value: Any) -> float | tuple[float, float] | RelativeTarget:
    if isinstance(value, str):
        percent = parse_relative_target(value)
        if percent is None:
            raise ValueError(
                f"must be a number, [low, high], or a percent change of the "
                f'baseline such as "+10%" or "-25%", not {value!r}'
            )
        return RelativeTarget(finite_number(percent), value.strip())
    return _number_or_band(value)


def _percent_change(value: Any) -> float:
    percent = parse_relative_target(value) if isinstance(value, str) else None
    if percent is None:
        raise ValueError(
            f'must be a percent change such as "+10%" or "-25%", not {value!r}'
        )
    return finite_number(percent)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(f"must be a date as YYYY-MM-DD, not {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{value} is not a real date ({error})") from None


Number = Annotated[float, BeforeValidator(finite_number)]
BandValue = Annotated[tuple[float, float], BeforeValidator(_band)]
NumberOrBand = Annotated[float | tuple[float, float], BeforeValidator(_number_or_band)]
PercentChange = Annotated[float, PlainValidator(_percent_change)]
KeyResultTarget = Annotated[
    float | tuple[float, float] | RelativeTarget, PlainValidator(_key_result_target)
]
Date = Annotated[dt.date, BeforeValidator(_date)]
DateOrTimestamp = Annotated[Moment, BeforeValidator(reading_moment)]
Text = Annotated[
    str, Field(strict=True), StringConstraints(min_length=1), AfterValidator(_text)
]
Note = Annotated[
    str, Field(strict=True), StringConstraints(min_length=1), AfterValidator(_note)
]
Key = Annotated[
    str,
    Field(strict=True),
    StringConstraints(min_length=1, pattern=r"^[^/\s]+$"),
]
KPIKey = Annotated[str, Field(strict=True), StringConstraints(pattern=r"^[a-z0-9-]+$")]
Flag = Annotated[bool, Field(strict=True)]


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TeamSchema(Schema):
    key: Key
    name: Text
    parent: Key | None = None


class CriticalSuccessFactorSchema(Schema):
    key: Key
    name: Text


class ThresholdsSchema(Schema):
    green: NumberOrBand | None = None
    red: Number | None = None
    amber: BandValue | None = None


class BenchmarksSchema(Schema):
    industry: Number | None = None
    best_in_class: Number | None = None


class SourceSchema(Schema):
    type: SourceType = SourceType.MANUAL
    connection: Text | None = None
    query: Text | None = None
    schedule: Text | None = None


class PeriodSchema(Schema):
    start: Date
    end: Date


class LimitPeriodSchema(Schema):
    start: Date = Field(alias="from")
    baseline: PeriodSchema | None = None


class SpcSchema(Schema):
    baseline: PeriodSchema | None = None
    periods: list[LimitPeriodSchema] = []


class ReadingSchema(Schema):
    at: DateOrTimestamp
    value: Number
    note: Note | None = None


class KPISchema(Schema):
    key: KPIKey
    name: Text
    description: Text | None = None
    unit: Text | None = None
    direction: Direction = Direction.UP
    cadence: Cadence | None = None
    review_cadence: Cadence | None = None
    owner: Text | None = None
    team: Key | None = None
    perspective: Perspective | None = None
    tier: Tier = Tier.SECONDARY
    indicator: Indicator | None = None
    north_star: Flag = False
    financial: Flag = False
    thresholds: ThresholdsSchema | None = None
    benchmarks: BenchmarksSchema | None = None
    drives: list[KPIKey] = []
    ceo_attention: Flag = False
    corrective_action: Text | None = None
    critical_success_factors: list[Key] = []
    dark_side: Text | None = None
    guardrail: KPIKey | None = None
    source: SourceSchema | None = None
    spc: SpcSchema | None = None
    readings: list[ReadingSchema] = []


class CycleSchema(Schema):
    key: Key
    start: Date
    end: Date
    parent: Key | None = None


class CheckInSchema(Schema):
    at: Date
    by: Text | None = None
    confidence: Annotated[Number, Field(ge=0, le=1)] | None = None
    note: Note | None = None
    blockers: Text | None = None


class KeyResultSchema(Schema):
    key: Key
    title: Text | None = None
    kpi: KPIKey
    kind: KeyResultKind = KeyResultKind.CHANGE
    baseline: Number | None = None
    target: KeyResultTarget
    relative_target: PercentChange | None = None
    deadline: Date | None = None
    owner: Text | None = None
    weight: Annotated[Number, Field(gt=0)] = 1.0
    checkins: list[CheckInSchema] = []


class ObjectiveSchema(Schema):
    key: Key
    title: Text
    cycle: Key
    team: Key | None = None
    owner: Text | None = None
    commitment: Commitment = Commitment.ASPIRATIONAL
    parent: Key | None = None
    key_results: list[KeyResultSchema] = []


class WorkspaceSchema(Schema):
    version: Annotated[int, Field(strict=True)] = FORMAT_VERSION
    organisation: Text | None = None
    teams: list[TeamSchema] = []
    critical_success_factors: list[CriticalSuccessFactorSchema] = []
    kpis: list[KPISchema] = []
    cycles: list[CycleSchema] = []
    objectives: list[ObjectiveSchema] = []
