"""The KPI dictionary, readings and KPI statuses in the REST API. Thin: parse,
check scope and role, call one service or selector, answer."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from drumbeat.accounts.auth import scoped
from drumbeat.accounts.schemas import OwnedOut
from drumbeat.accounts.selectors import OWNER_HELP, owner_values
from drumbeat.common.api import ERRORS, InputSchema, Pages
from drumbeat.common.guards import require_admin
from drumbeat.kpis.models import KPI, CriticalSuccessFactor, KPIStatus, Reading
from drumbeat.kpis.process import kpi_process_chart
from drumbeat.kpis.selectors import (
    DashboardFilters,
    FactorUse,
    can_edit_definition,
    can_record_readings,
    critical_success_factors_used,
    dictionary_kpis,
    kpis_filtered,
    readings_filtered,
)
from drumbeat.kpis.services.definitions import (
    DEFINITION_FIELDS,
    kpi_archive,
    kpi_create,
    kpi_restore,
    kpi_update,
)
from drumbeat.kpis.services.dividers import (
    kpi_divider_accept,
    kpi_divider_decline,
    kpi_divider_remove,
)
from drumbeat.kpis.services.factors import (
    critical_success_factor_create,
    critical_success_factor_delete,
    critical_success_factor_rename,
)
from drumbeat.kpis.services.readings import Refresh, readings_ingest
from drumbeat.workspace.yamlio import collector_paused

router = Router(tags=["KPIs and readings"])

MAX_BATCH = 10_000


class StatusOut(Schema):
    """A KPI's computed state, as of the last refresh."""

    as_of: dt.date
    latest_value: float | None
    latest_day: dt.date | None
    health: str = Field(description="green, amber, red or unknown")
    threshold_health: str
    stale: bool
    lifecycle: str = Field(description="okr_target, completed, at_risk or watch")
    signals: list[dict[str, Any]]


class KPIOut(OwnedOut):
    """A dictionary entry with its status."""

    key: str
    name: str
    description: str
    unit: str
    direction: str
    cadence: str
    review_cadence: str = Field(
        description="how often it comes up at the KPI review; empty: every review"
    )
    owner: str = Field(alias="owner_name")
    team: str | None
    perspective: str
    tier: str
    indicator: str
    north_star: bool
    financial: bool
    thresholds: dict[str, Any]
    benchmarks: dict[str, Any]
    drives: list[str]
    ceo_attention: bool = Field(description="the CEO follows it (Parmenter)")
    corrective_action: str = Field(description="what staff do when it slips")
    critical_success_factors: list[str] = Field(
        description="keys of the critical success factors it moves"
    )
    dark_side: str = Field(description="the unintended consequence of chasing it")
    guardrail: str = Field(description="the key of the KPI that shows the dark side")
    source: dict[str, Any]
    spc_periods: list[dict[str, Any]] = Field(
        description='limit periods: [{"from": DATE, "baseline": {"start", "end"}}]'
    )
    version: int
    updated_at: dt.datetime
    archived_at: dt.datetime | None = Field(description="null: not archived")
    status: StatusOut | None

    @staticmethod
    def resolve_team(kpi: KPI) -> str | None:
        return kpi.team.key if kpi.team else (kpi.team_name or None)

    @staticmethod
    def resolve_status(kpi: KPI) -> KPIStatus | None:
        try:
            return kpi.status
        except KPIStatus.DoesNotExist:
            return None


class KPIFilters(FilterSchema):
    team: str | None = None
    tier: Literal["key", "secondary", "transient"] | None = None
    perspective: Literal["financial", "customer", "internal", "learning"] | None = None
    health: Literal["green", "amber", "red", "unknown"] | None = None
    stale: bool | None = None
    q: str | None = Field(
        None, description="each word in the key, name, definition, team or owner"
    )
    archived: bool = Field(False, description="archived KPIs too")


@router.get(
    "/kpis", response={200: list[KPIOut], **ERRORS}, summary="List the KPI dictionary"
)
@paginate(Pages)
def kpis_list(request: HttpRequest, filters: Query[KPIFilters]) -> QuerySet[KPI]:
    scoped(request, "read")
    kpis = dictionary_kpis(
        search=filters.q or "",
        filters=DashboardFilters(
            team=filters.team,
            tier=filters.tier,
            perspective=filters.perspective,
            archived=filters.archived,
        ),
    )
    return kpis_filtered(
        kpis, health=filters.health, stale=filters.stale
    ).select_related("owner")


@router.get(
    "/kpis/{key}", response={200: KPIOut, **ERRORS}, summary="One KPI with its status"
)
def kpi_get(request: HttpRequest, key: str) -> KPI:
    scoped(request, "read")
    return get_object_or_404(KPI.objects.select_related("status", "team"), key=key)


@router.post(
    "/kpis/{key}/archive",
    response={200: KPIOut, **ERRORS},
    summary="Archive a KPI: off the dashboard, dictionary and lint (its owner, admins)",
)
def kpi_archive_post(request: HttpRequest, key: str) -> KPI:
    kpi = get_object_or_404(KPI, key=key)
    kpi_archive(kpi=kpi, by=scoped(request, "admin"))
    return KPI.objects.select_related("status", "team").get(pk=kpi.pk)


@router.post(
    "/kpis/{key}/restore",
    response={200: KPIOut, **ERRORS},
    summary="Restore an archived KPI (its owner, admins)",
)
def kpi_restore_post(request: HttpRequest, key: str) -> KPI:
    kpi = get_object_or_404(KPI, key=key)
    kpi_restore(kpi=kpi, by=scoped(request, "admin"))
    return KPI.objects.select_related("status", "team").get(pk=kpi.pk)


@router.get(
    "/kpis/{key}/status",
    response={200: StatusOut, **ERRORS},
    summary="A KPI's computed status",
)
def kpi_status(request: HttpRequest, key: str) -> KPIStatus:
    scoped(request, "read")
    return get_object_or_404(KPIStatus, kpi__key=key)


@router.get(
    "/kpis/{key}/process",
    response={200: dict[str, Any], **ERRORS},
    summary="A KPI's X and mR charts: limit periods, signals in words, a divider",
)
def kpi_process(
    request: HttpRequest, key: str, as_of: dt.date | None = None
) -> dict[str, Any]:
    """The readings and moving ranges, each limit period with its lines, every
    signal with its words, and the divider proposed when a shift has lasted
    (null when none), as of `as_of` (default: today)."""
    scoped(request, "read")
    kpi = get_object_or_404(KPI, key=key)
    return kpi_process_chart(kpi, as_of or timezone.localdate())


class DividerIn(InputSchema):
    """A divider: limits recomputed from `at`; `version` is the KPI's one read."""

    at: dt.date
    version: int
    why: str = Field("", max_length=500)


class DividerDecline(InputSchema):
    run_start: dt.date = Field(description="the day the proposed divider was at")
    why: str = Field("", max_length=500)


@router.post(
    "/kpis/{key}/dividers",
    response={200: KPIOut, **ERRORS},
    summary="Recompute a KPI's limits from a day: accept or move a divider "
    "(its owner, admins)",
)
def kpi_divider_post(request: HttpRequest, key: str, payload: DividerIn) -> KPI:
    kpi = get_object_or_404(KPI, key=key)
    kpi_divider_accept(
        kpi=kpi,
        start=payload.at,
        by=scoped(request, "admin"),
        version=payload.version,
        why=payload.why,
    )
    return KPI.objects.select_related("status", "team").get(pk=kpi.pk)


@router.delete(
    "/kpis/{key}/dividers/{day}",
    response={200: KPIOut, **ERRORS},
    summary="Remove a divider from a KPI's limits (its owner, admins)",
)
def kpi_divider_delete(
    request: HttpRequest, key: str, day: dt.date, version: int
) -> KPI:
    kpi = get_object_or_404(KPI, key=key)
    kpi_divider_remove(kpi=kpi, start=day, by=scoped(request, "admin"), version=version)
    return KPI.objects.select_related("status", "team").get(pk=kpi.pk)


@router.post(
    "/kpis/{key}/declined-dividers",
    response={204: None, **ERRORS},
    summary="Decline a proposed divider: not proposed again (its owner, admins)",
)
def kpi_divider_decline_post(
    request: HttpRequest, key: str, payload: DividerDecline
) -> Status[None]:
    kpi = get_object_or_404(KPI, key=key)
    kpi_divider_decline(
        kpi=kpi,
        run_start=payload.run_start,
        by=scoped(request, "admin"),
        why=payload.why,
    )
    return Status(204, None)


class Thresholds(InputSchema):
    green: float | list[float] | None = None
    amber: float | list[float] | None = None
    red: float | list[float] | None = None


CadenceIn = Literal["", "daily", "weekly", "monthly", "quarterly", "yearly"]


class KPICreate(InputSchema):
    key: str = Field(pattern=r"^[a-z0-9-]+$", max_length=100)
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    unit: str = ""
    direction: Literal["up", "down", "range"] = "up"
    cadence: CadenceIn = ""
    review_cadence: CadenceIn = ""
    owner: str = Field("", description=OWNER_HELP)
    perspective: Literal["", "financial", "customer", "internal", "learning"] = ""
    tier: Literal["key", "secondary", "transient"] = "secondary"
    indicator: Literal["", "leading", "lagging"] = ""
    north_star: bool = False
    financial: bool = False
    drives: list[str] = Field(
        default_factory=list, description="keys of the KPIs it moves"
    )
    ceo_attention: bool = False
    corrective_action: str = ""
    critical_success_factors: list[str] = Field(
        default_factory=list, description="keys of the critical success factors"
    )
    dark_side: str = ""
    guardrail: str = Field("", description="the key of another KPI")
    thresholds: Thresholds = Thresholds()


@router.post(
    "/kpis",
    response={201: KPIOut, **ERRORS},
    summary="Add a KPI to the dictionary (admins)",
)
def kpi_post(request: HttpRequest, payload: KPICreate) -> Status[KPI]:
    user = require_admin(
        scoped(request, "admin"), "Only admins add KPIs to the dictionary."
    )
    values = payload.dict(exclude={"thresholds", "owner"})
    values.update(owner_values(payload.owner, field="owner"))
    values["thresholds"] = payload.thresholds.dict(exclude_none=True)
    created = kpi_create(values=values, by=user)
    return Status(201, KPI.objects.select_related("status", "team").get(pk=created.pk))


class KPIChange(InputSchema):
    """The fields to change; `version` is the one read, so that a change over
    someone else's newer one is refused (409)."""

    version: int
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    unit: str | None = None
    direction: Literal["up", "down", "range"] | None = None
    cadence: CadenceIn | None = None
    review_cadence: CadenceIn | None = None
    owner: str | None = Field(None, description=OWNER_HELP)
    thresholds: Thresholds | None = None
    north_star: bool | None = Field(None, description="the one KPI above the rest")
    drives: list[str] | None = Field(
        None, description="keys of the KPIs it moves (all; none drives back to it)"
    )
    ceo_attention: bool | None = Field(None, description="the CEO follows it")
    corrective_action: str | None = Field(
        None, description="what staff do when it slips"
    )
    critical_success_factors: list[str] | None = Field(
        None, description="keys of the critical success factors it moves (all)"
    )
    dark_side: str | None = Field(
        None, description="the unintended consequence of chasing it"
    )
    guardrail: str | None = Field(
        None, description="the key of another KPI, which shows the dark side"
    )


CLEARED: dict[str, Any] = {
    "ceo_attention": False,
    "north_star": False,
    "drives": [],
    "critical_success_factors": [],
}
"""What null sets the fields that are not text to."""


@router.patch(
    "/kpis/{key}",
    response={200: KPIOut, **ERRORS},
    summary="Change a KPI's definition or thresholds (its owner, admins)",
)
def kpi_patch(request: HttpRequest, key: str, payload: KPIChange) -> KPI:
    user = scoped(request, "admin")
    kpi = get_object_or_404(KPI, key=key)
    if not can_edit_definition(user, kpi):
        raise PermissionDenied("Only the KPI's owner or an admin changes it.")
    values = {name: getattr(kpi, name) for name in DEFINITION_FIELDS}
    changes = payload.dict(exclude_unset=True, exclude={"version", "thresholds"})
    required = [name for name in ("name", "direction") if changes.get(name, 1) is None]
    if required:
        raise DjangoValidationError(dict.fromkeys(required, "may not be null"))
    # null clears a field that may be empty, as an empty string does.
    changes = {
        name: CLEARED.get(name, "") if value is None else value
        for name, value in changes.items()
    }
    if "owner" in changes:
        changes.update(owner_values(changes.pop("owner"), field="owner"))
    values.update(changes)
    thresholds = (
        payload.thresholds.dict(exclude_none=True)
        if payload.thresholds is not None
        else dict(kpi.thresholds)
    )
    kpi_update(
        kpi=kpi,
        values=values,
        thresholds=thresholds,
        by=user,
        version=payload.version,
    )
    return KPI.objects.select_related("status", "team").get(pk=kpi.pk)


class ReadingOut(Schema):
    kpi: str
    at: str = Field(description="the date or timestamp, as given")
    day: dt.date
    value: float
    note: str
    source: str = Field(description="manual, apply, import, api or pull")
    source_detail: str
    recorded_by: str | None
    recorded_at: dt.datetime
    superseded_at: dt.datetime | None

    @staticmethod
    def resolve_kpi(reading: Reading) -> str:
        return reading.kpi.key

    @staticmethod
    def resolve_recorded_by(reading: Reading) -> str | None:
        return reading.recorded_by.get_username() if reading.recorded_by else None


class ReadingFilters(FilterSchema):
    kpi: str | None = None
    since: dt.date | None = Field(None, description="from this day, inclusive")
    until: dt.date | None = Field(None, description="to this day, inclusive")
    superseded: bool = Field(
        False, description="include readings replaced by a correction"
    )


@router.get(
    "/readings", response={200: list[ReadingOut], **ERRORS}, summary="List readings"
)
@paginate(Pages)
def readings_list(
    request: HttpRequest, filters: Query[ReadingFilters]
) -> QuerySet[Reading]:
    scoped(request, "read")
    readings = readings_filtered(
        Reading.objects.select_related("kpi", "recorded_by").order_by(
            "kpi__position", "kpi__key", "day", "at", "pk"
        ),
        superseded=filters.superseded,
        since=filters.since,
        until=filters.until,
    )
    return kpis_filtered(
        readings, via="kpi__", keys=[filters.kpi] if filters.kpi else ()
    )


# Plain pydantic models: a batch holds up to 10,000 of them, and ninja's Schema
# adds a Python-level validator per item.
class ReadingPost(BaseModel):
    kpi: str = Field(description="the KPI's key")
    at: str = Field(description="YYYY-MM-DD, or an ISO timestamp")
    value: float = Field(
        strict=True,
        description='a number within ±1e15 (text such as "5" and true are refused)',
    )
    note: str = Field("", description="at most 500 characters, no control characters")


class ReadingBatch(BaseModel):
    readings: list[ReadingPost] = Field(min_length=1, max_length=MAX_BATCH)


class BatchResult(Schema):
    created: int
    corrected: int
    unchanged: int
    kpis: list[str]
    statuses: Literal["refreshed", "queued"] = Field(
        description=(
            "refreshed: the KPIs' statuses and KR scores were updated before the "
            "answer; queued: a batch this large has them updated by the worker "
            "right after"
        )
    )


REFRESH_INLINE_MAX = 1_000
"""The largest batch whose statuses are refreshed before the answer; a larger one
(a backfill) is answered as soon as it is written, and the worker refreshes."""


def _inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON schema with its `$defs` written in place, for an OpenAPI
    request body."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined


@router.post(
    "/readings",
    response={200: BatchResult, **ERRORS},
    summary="Record a batch of up to 10,000 readings, all or nothing",
    description=(
        "The batch is checked whole before anything is written; problems are "
        "listed by index and field. The same reading again changes nothing; a "
        "different value at the same (kpi, at) is a correction, and the earlier "
        "value is kept in history. The KPIs' statuses and the KR scores on them "
        "are updated before the answer, for a batch of up to 1,000 readings; a "
        "larger one has them updated by the worker right after."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline_schema(ReadingBatch)}},
        }
    },
)
def readings_post(request: HttpRequest) -> dict[str, Any]:
    # The body is read here, not declared: pydantic validates 10,000 readings ten
    # times faster straight from JSON than through ninja's parameter model.
    try:
        with collector_paused():  # 10,000 models: see `collector_paused`
            payload = ReadingBatch.model_validate_json(request.body or b"{}")
    except PydanticValidationError as error:
        raise NinjaValidationError(
            [
                {**item, "loc": ("body", "payload", *item["loc"])}
                for item in error.errors(include_url=False)
            ]
        ) from None
    user = scoped(request, "readings:write")
    keys = {reading.kpi for reading in payload.readings}
    kpis = KPI.objects.filter(key__in=keys)
    refused = sorted(k.key for k in kpis if not can_record_readings(user, k))
    if refused:
        raise PermissionDenied(
            "Only a KPI's owner or an admin records its readings; not yours: "
            + ", ".join(refused)
        )
    token = getattr(request, "api_token", None)
    batch = payload.readings
    inline = len(batch) <= REFRESH_INLINE_MAX
    result = readings_ingest(
        readings=lambda: batch,
        by=user,
        source=Reading.Source.API,
        source_detail=f"token {token.name}" if token else "session",
        refresh=Refresh.NOW if inline else Refresh.LATER,
    )
    changed = bool(result.created or result.corrected)
    return {
        "created": result.created,
        "corrected": result.corrected,
        "unchanged": result.unchanged,
        "kpis": sorted(result.kpi_keys),
        "statuses": "refreshed" if inline or not changed else "queued",
    }


class FactorOut(Schema):
    """A critical success factor with the KPIs that name it."""

    key: str
    name: str
    kpis: list[str] = Field(description="the keys of the KPIs that name it")


class FactorCreate(InputSchema):
    key: str = Field(max_length=100, description="what KPIs name it by")
    name: str = Field(max_length=200)


class FactorChange(InputSchema):
    name: str = Field(max_length=200)


def _factor_out(key: str) -> dict[str, Any]:
    """One factor as the API answers it."""
    use = next(u for u in critical_success_factors_used() if u.factor.key == key)
    return _factor_use_out(use)


def _factor_use_out(use: FactorUse) -> dict[str, Any]:
    return {
        "key": use.factor.key,
        "name": use.factor.name,
        "kpis": [kpi_key for kpi_key, _ in use.kpis],
    }


@router.get(
    "/critical-success-factors",
    response={200: list[FactorOut], **ERRORS},
    summary="List the critical success factors, with the KPIs that name each",
)
def factors_list(request: HttpRequest) -> list[dict[str, Any]]:
    scoped(request, "read")
    return [_factor_use_out(use) for use in critical_success_factors_used()]


@router.post(
    "/critical-success-factors",
    response={201: FactorOut, **ERRORS},
    summary="Add a critical success factor (admins)",
)
def factor_post(request: HttpRequest, payload: FactorCreate) -> Status[dict[str, Any]]:
    factor = critical_success_factor_create(
        key=payload.key, name=payload.name, by=scoped(request, "admin")
    )
    return Status(201, _factor_out(factor.key))


@router.patch(
    "/critical-success-factors/{key}",
    response={200: FactorOut, **ERRORS},
    summary="Rename a critical success factor; its key stays (admins)",
)
def factor_patch(request: HttpRequest, key: str, payload: FactorChange) -> Any:
    factor = get_object_or_404(CriticalSuccessFactor, key=key)
    critical_success_factor_rename(
        factor=factor, name=payload.name, by=scoped(request, "admin")
    )
    return _factor_out(key)


@router.delete(
    "/critical-success-factors/{key}",
    response={204: None, **ERRORS},
    summary="Delete a critical success factor no KPI names (admins)",
)
def factor_delete(request: HttpRequest, key: str) -> Status[None]:
    factor = get_object_or_404(CriticalSuccessFactor, key=key)
    critical_success_factor_delete(factor=factor, by=scoped(request, "admin"))
    return Status(204, None)
