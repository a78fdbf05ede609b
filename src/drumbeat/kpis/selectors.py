"""Reads of the KPI dictionary and who may change it: KPIs and their readings back
in the workspace file's shape and as the core's readings (the scorecard rebuilds
the whole workspace from them), the dashboard and dictionary lists, a definition's
history, and the lint of a KPI being written."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import operator
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone

from drumbeat.accounts.models import Team
from drumbeat.accounts.selectors import AnyUser
from drumbeat.common.guards import is_admin
from drumbeat.core.lint import Finding, lint_workspace, north_stars_warning
from drumbeat.core.model import Health, Lifecycle, Tier
from drumbeat.core.model import Reading as CoreReading
from drumbeat.core.moments import reading_moment
from drumbeat.core.parmenter import ParmenterChecklist, parmenter_checklist
from drumbeat.kpis.models import (
    KPI,
    CriticalSuccessFactor,
    KPIStatus,
    Reading,
    ReadingQuerySet,
)
from drumbeat.workspace import load_workspace_data


def can_record_readings(user: AnyUser, kpi: KPI) -> bool:
    """A KPI's owner records and corrects its readings; so do admins."""
    return is_admin(user) or (user.is_authenticated and kpi.owner_id == user.pk)


def can_edit_definition(user: AnyUser, kpi: KPI) -> bool:
    """A KPI's owner edits its definition, thresholds and source; so do admins."""
    return can_record_readings(user, kpi)


def readings_filtered(
    readings: ReadingQuerySet,
    *,
    superseded: bool = False,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> ReadingQuerySet:
    """`readings` without those a correction superseded (all of them with
    `superseded`), dated by day from `since` to `until`, both included; a filter
    left empty narrows nothing. `kpis_filtered` chooses their KPIs."""
    if not superseded:
        readings = readings.current()
    if since:
        readings = readings.filter(day__gte=since)
    if until:
        readings = readings.filter(day__lte=until)
    return readings


def current_readings(kpis: Iterable[KPI] | None = None) -> QuerySet[Reading]:
    """Readings not superseded by a correction."""
    readings = readings_filtered(Reading.objects.all())
    if kpis is not None:
        readings = readings.filter(kpi__in=list(kpis))
    return readings


def kpi_data(
    kpi: KPI, readings: list[dict[str, Any]], known: set[str] | None = None
) -> dict[str, Any]:
    """One KPI as the workspace format writes it, with `readings` already in the
    file's shape (see `readings_data`); `drives` links to KPIs outside `known`
    (when given) are left out, so that a part of the dictionary loads, and so is a
    `guardrail` outside `known`."""
    data: dict[str, Any] = {
        "key": kpi.key,
        "name": kpi.name,
        "direction": kpi.direction,
        "tier": kpi.tier,
        "north_star": kpi.north_star,
        "financial": kpi.financial,
        "drives": [k for k in kpi.drives if known is None or k in known],
    }
    optional = {
        "description": kpi.description,
        "unit": kpi.unit,
        "cadence": kpi.cadence,
        "review_cadence": kpi.review_cadence,
        "owner": kpi.owner_name,
        "team": kpi.team.key if kpi.team else kpi.team_name,
        "perspective": kpi.perspective,
        "indicator": kpi.indicator,
        "thresholds": kpi.thresholds,
        "benchmarks": kpi.benchmarks,
        "ceo_attention": kpi.ceo_attention,
        "corrective_action": kpi.corrective_action,
        "critical_success_factors": kpi.critical_success_factors,
        "dark_side": kpi.dark_side,
        "guardrail": kpi.guardrail if known is None or kpi.guardrail in known else "",
        "source": kpi.source,
    }
    data.update({name: value for name, value in optional.items() if value})
    spc: dict[str, Any] = {}
    if kpi.spc_baseline_start and kpi.spc_baseline_end:
        spc["baseline"] = {"start": kpi.spc_baseline_start, "end": kpi.spc_baseline_end}
    if kpi.spc_periods:
        spc["periods"] = kpi.spc_periods
    if spc:
        data["spc"] = spc
    data["readings"] = readings
    return data


def readings_data(readings: QuerySet[Reading]) -> dict[int, list[dict[str, Any]]]:
    """Readings in the file's shape by KPI id, in order. Read as plain values: a
    model instance per reading would cost ten times more."""
    by_kpi: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = readings.order_by("day", "at").values_list("kpi_id", "at", "value", "note")
    for kpi_id, at, value, note in rows:
        # A date as a date object: the schema then need not parse the text again.
        moment = dt.date.fromisoformat(at) if len(at) == 10 else at
        by_kpi[kpi_id].append(
            {"at": moment, "value": value, "note": note}
            if note
            else {"at": moment, "value": value}
        )
    return by_kpi


PERSPECTIVES = ("financial", "customer", "internal", "learning")


@dataclass(frozen=True)
class DashboardFilters:
    team: str | None = None
    tier: str | None = None
    perspective: str | None = None
    exceptions_only: bool = False
    archived: bool = False

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> DashboardFilters:
        """From a page's query string: `?team=...&tier=...&exceptions=1`."""
        return cls(
            team=query.get("team") or None,
            tier=query.get("tier") or None,
            perspective=query.get("perspective") or None,
            exceptions_only=query.get("exceptions") == "1",
            archived=query.get("archived") == "1",
        )

    def query(self) -> dict[str, str]:
        """The filters set, as a page's query string would carry them."""
        fields = {
            "team": self.team or "",
            "tier": self.tier or "",
            "perspective": self.perspective or "",
            "exceptions": "1" if self.exceptions_only else "",
            "archived": "1" if self.archived else "",
        }
        return {name: value for name, value in fields.items() if value}


ModelRow = TypeVar("ModelRow", bound=Model)


def kpis_filtered(
    rows: QuerySet[ModelRow],
    *,
    via: str = "",
    team: str | None = None,
    tier: str | None = None,
    perspective: str | None = None,
    keys: Collection[str] = (),
    health: str | None = None,
    stale: bool | None = None,
    exceptions_only: bool = False,
) -> QuerySet[ModelRow]:
    """`rows` narrowed to the KPIs of a team, a tier, a perspective, keys, a
    health or a staleness; `exceptions_only`: those red, amber or stale. `rows`
    are KPIs, or with `via` ("kpi__") rows that point at a KPI. A filter left
    empty narrows nothing."""
    if team:
        rows = rows.filter(**{f"{via}team__key": team})
    if tier:
        rows = rows.filter(**{f"{via}tier": tier})
    if perspective:
        rows = rows.filter(**{f"{via}perspective": perspective})
    if keys:
        rows = rows.filter(**{f"{via}key__in": keys})
    if health:
        rows = rows.filter(**{f"{via}status__health": health})
    if stale is not None:
        rows = rows.filter(**{f"{via}status__stale": stale})
    if exceptions_only:
        rows = rows.filter(
            Q(**{f"{via}status__health__in": ["red", "amber"]})
            | Q(**{f"{via}status__stale": True})
        )
    return rows


def north_star_many_warning() -> str | None:
    """The warning pages show while more than one KPI (not archived) is marked
    north star, or None (one query)."""
    keys = KPI.objects.filter(north_star=True, archived_at__isnull=True)
    return north_stars_warning(
        list(keys.order_by("position").values_list("key", flat=True))
    )


def dashboard_kpis(filters: DashboardFilters) -> QuerySet[KPI]:
    """The KPIs of the Balanced Dashboard with their stored status and the state
    of their source's pulls (one query).

    Everyone signed in may read every KPI: transparency is how OKRs work.
    Archived KPIs are left out unless `filters.archived` ("Show archived").
    """
    kpis = KPI.objects.select_related("status", "team", "source_state")
    if not filters.archived:
        kpis = kpis.filter(archived_at__isnull=True)
    return kpis_filtered(
        kpis,
        team=filters.team,
        tier=filters.tier,
        perspective=filters.perspective,
        exceptions_only=filters.exceptions_only,
    )


DASHBOARD_OPEN_LIMIT = 60
"""Up to this many KPIs the dashboard shows every tile; above it, the exceptions
open and the perspectives collapsed with their counts, each loaded on opening."""

TILES_PER_PAGE = 24
"""Tiles a collapsed dashboard sends at once, per section (then "Show more"): six
rows of four on a laptop."""

EXCEPTIONS = "exceptions"
"""The dashboard section of red, amber and stale KPIs."""

OTHER = "other"
"""The dashboard section of KPIs without a perspective."""

DASHBOARD_SECTIONS = (EXCEPTIONS, *PERSPECTIVES, OTHER)

HEALTH_ORDER = ("red", "amber", "green", "unknown")


@dataclass(frozen=True)
class SectionCount:
    """How many KPIs of a dashboard section there are, by health and stale."""

    name: str
    by_health: dict[str, int]
    stale: int
    exceptions: int

    @property
    def total(self) -> int:
        return sum(self.by_health.values())

    @property
    def health_counts(self) -> list[tuple[str, int]]:
        """(health, count) in the order red, amber, green, unknown; zeros left out."""
        return [(h, self.by_health[h]) for h in HEALTH_ORDER if self.by_health.get(h)]


def dashboard_counts(filters: DashboardFilters) -> list[SectionCount]:
    """The perspectives' KPI counts by health (the north star left out), each
    perspective once and "other" last, those with no KPI left out (one query)."""
    rows = (
        dashboard_kpis(filters)
        .filter(north_star=False)
        .order_by()
        .values_list("perspective", "status__health", "status__stale")
        .annotate(count=Count("pk"))
    )
    by_health: dict[str, dict[str, int]] = {}
    stale: dict[str, int] = {}
    exceptions: dict[str, int] = {}
    for perspective, health, is_stale, count in rows:
        name = perspective if perspective in PERSPECTIVES else OTHER
        healths = by_health.setdefault(name, {})
        health = health or "unknown"
        healths[health] = healths.get(health, 0) + count
        if is_stale:
            stale[name] = stale.get(name, 0) + count
        if is_stale or health in ("red", "amber"):
            exceptions[name] = exceptions.get(name, 0) + count
    return [
        SectionCount(name, by_health[name], stale.get(name, 0), exceptions.get(name, 0))
        for name in (*PERSPECTIVES, OTHER)
        if name in by_health
    ]


@dataclass(frozen=True)
class TilePage:
    """One page of a dashboard section's tiles, and the next page's number."""

    section: str
    kpis: list[KPI]
    page: int
    next_page: int | None


def dashboard_section_page(
    filters: DashboardFilters, section: str, page: int = 1
) -> TilePage:
    """A page of the tiles of one dashboard section: a perspective, "other" (no
    perspective) or "exceptions" (red, amber or stale), the north star left out
    (one query, whatever the section's size)."""
    # A tile names no team: the rows without the join.
    kpis = (
        dashboard_kpis(filters)
        .filter(north_star=False)
        .select_related(None)
        .select_related("status", "source_state")
    )
    if section == EXCEPTIONS:
        kpis = kpis_filtered(kpis, exceptions_only=True)
    elif section == OTHER:
        kpis = kpis.exclude(perspective__in=PERSPECTIVES)
    else:
        kpis = kpis.filter(perspective=section)
    page = max(page, 1)
    first = (page - 1) * TILES_PER_PAGE
    rows = list(kpis[first : first + TILES_PER_PAGE + 1])
    more = len(rows) > TILES_PER_PAGE
    return TilePage(section, rows[:TILES_PER_PAGE], page, page + 1 if more else None)


class _Moments(dict[str, dt.date | dt.datetime]):
    """A reading's moment by its text, parsed once: days recur across KPIs."""

    def __missing__(self, text: str) -> dt.date | dt.datetime:
        moment = self[text] = reading_moment(text)
        return moment


def core_readings(readings: QuerySet[Reading]) -> dict[int, tuple[CoreReading, ...]]:
    """Readings as the core's, by KPI id, in order (plain values, one query)."""
    rows = readings.order_by("kpi_id", "day", "at").values_list(
        "kpi_id", "at", "value", "note"
    )
    moments = _Moments()
    return {
        kpi_id: tuple(
            CoreReading(moments[at], value, note or None) for _, at, value, note in kpi
        )
        for kpi_id, kpi in itertools.groupby(rows, key=_first)
    }


_first = operator.itemgetter(0)


def dictionary_kpis(
    *, search: str = "", filters: DashboardFilters | None = None
) -> QuerySet[KPI]:
    """The KPI dictionary searched (one query): each word of `search` in the
    key, name, definition, team or owner (a name as written, or the account's
    username, first or last name or e-mail), so that `Grace Hopper` finds her
    KPIs."""
    kpis = dashboard_kpis(filters or DashboardFilters())
    for word in search.split():
        kpis = kpis.filter(
            Q(key__icontains=word)
            | Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(team__key__icontains=word)
            | Q(team__name__icontains=word)
            | Q(team_name__icontains=word)
            | Q(owner_name__icontains=word)
            | Q(owner__username__icontains=word)
            | Q(owner__first_name__icontains=word)
            | Q(owner__last_name__icontains=word)
            | Q(owner__email__icontains=word)
        )
    return kpis


DICTIONARY_PAGE_SIZE = 50


@dataclass(frozen=True)
class DictionaryFilters:
    """The dictionary's search and filters, as GET parameters (`q`, `team`,
    `tier`, `perspective`, `lifecycle`, `health`, `archived`); an unknown value
    narrows nothing."""

    search: str = ""
    team: str | None = None
    tier: str | None = None
    perspective: str | None = None
    lifecycle: str | None = None
    health: str | None = None
    archived: bool = False

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> DictionaryFilters:
        def known(name: str, values: Iterable[str]) -> str | None:
            value = query.get(name, "")
            return value if value in values else None

        return cls(
            search=query.get("q", "").strip(),
            team=query.get("team") or None,
            tier=known("tier", (tier.value for tier in Tier)),
            perspective=known("perspective", PERSPECTIVES),
            lifecycle=known("lifecycle", (stage.value for stage in Lifecycle)),
            health=known("health", (health.value for health in Health)),
            archived=query.get("archived") == "1",
        )

    def query(self, **changes: Any) -> str:
        """The parameters as a query string (empty ones left out), with
        `changes`: the pages' links keep the filters."""
        values = {
            "q": self.search,
            "team": self.team,
            "tier": self.tier,
            "perspective": self.perspective,
            "lifecycle": self.lifecycle,
            "health": self.health,
            "archived": "1" if self.archived else "",
        } | changes
        return urlencode({name: value for name, value in values.items() if value})


def dictionary_page(filters: DictionaryFilters, page: str | int | None) -> Page[KPI]:
    """One page of the dictionary (DICTIONARY_PAGE_SIZE KPIs, the last page for
    a number past it, the first for one that is not a number), with their
    status, team and owner: two queries (the count and the rows) however many
    KPIs there are."""
    kpis = dictionary_kpis(
        search=filters.search,
        filters=DashboardFilters(
            team=filters.team,
            tier=filters.tier,
            perspective=filters.perspective,
            archived=filters.archived,
        ),
    ).select_related("owner")
    kpis = kpis_filtered(kpis, health=filters.health)
    if filters.lifecycle:
        kpis = kpis.filter(status__lifecycle=filters.lifecycle)
    return Paginator(kpis, DICTIONARY_PAGE_SIZE).get_page(page)


def definition_history(kpi: KPI, limit: int = 50) -> list[dict[str, Any]]:
    """The KPI's definition changes, newest first: when, who, and which fields."""
    records = list(
        kpi.history.select_related("history_user").order_by("-history_date")[
            : limit + 1
        ]
    )
    changes = []
    # A KPI written straight into the table (a benchmark's) has no history yet.
    for newer, older in zip(records, [*records[1:], None][: len(records)], strict=True):
        if older is None:
            changed = ["created"]
        else:
            changed = [change.field for change in newer.diff_against(older).changes]
        changes.append(
            {
                "at": newer.history_date,
                "by": newer.history_user,
                "fields": [
                    name for name in changed if name not in ("version", "updated_by")
                ],
            }
        )
    return changes[:limit]


def teams_data() -> list[dict[str, Any]]:
    """Every team in the workspace file's shape."""
    return [
        {"key": t.key, "name": t.name, **({"parent": t.parent.key} if t.parent else {})}
        for t in Team.objects.select_related("parent")
    ]


def critical_success_factors_data() -> list[dict[str, Any]]:
    """Every critical success factor in the workspace file's shape."""
    return [
        {"key": key, "name": name}
        for key, name in CriticalSuccessFactor.objects.values_list("key", "name")
    ]


def can_manage_critical_success_factors(user: AnyUser) -> bool:
    """Admins add, rename and delete the organisation's critical success factors,
    as they add KPIs to the dictionary and manage teams."""
    return is_admin(user)


def kpis_naming_factors() -> dict[str, list[tuple[str, str]]]:
    """The KPIs (archived ones too) that name each critical success factor, as
    (key, name) in the dictionary's order, by the factor's key, in one query."""
    naming: dict[str, list[tuple[str, str]]] = defaultdict(list)
    rows = KPI.objects.order_by("position", "key").values_list(
        "key", "name", "critical_success_factors"
    )
    for kpi_key, kpi_name, factors in rows:
        for factor in factors:
            naming[factor].append((kpi_key, kpi_name))
    return dict(naming)


@dataclass(frozen=True)
class FactorUse:
    """A critical success factor with the KPIs that name it: (key, name)."""

    factor: CriticalSuccessFactor
    kpis: list[tuple[str, str]]


def critical_success_factors_used() -> list[FactorUse]:
    """Every critical success factor, in order, with the KPIs that name it, in
    two queries whatever their number."""
    naming = kpis_naming_factors()
    return [
        FactorUse(factor, naming.get(factor.key, []))
        for factor in CriticalSuccessFactor.objects.all()
    ]


def kpi_parmenter(kpi: KPI) -> ParmenterChecklist | None:
    """Parmenter's seven characteristics of a key-tier KPI (None for another tier),
    judged with its team, the critical success factors and its guardrail, in three
    queries whatever the size of the dictionary."""
    if kpi.tier != Tier.KEY:
        return None
    guardrails = (
        KPI.objects.filter(key=kpi.guardrail, archived_at__isnull=True)
        .exclude(pk=kpi.pk)
        .values("key", "name")
        if kpi.guardrail
        else []
    )
    guardrail = [{"key": g["key"], "name": g["name"]} for g in guardrails]
    team = [{"key": kpi.team.key, "name": kpi.team.name}] if kpi.team else []
    data = {
        "teams": team,
        "critical_success_factors": critical_success_factors_data(),
        "kpis": [
            kpi_data(kpi, [], known={g["key"] for g in guardrail}),
            *guardrail,
        ],
    }
    workspace = load_workspace_data(data, filename=f"KPI {kpi.key}")
    return parmenter_checklist(workspace.kpis[0], workspace)


@dataclass(frozen=True)
class ParmenterNotes:
    """What a KPI's page says under the checklist: what staff do when it slips,
    its dark side and the guardrail KPI that watches it (with its status), and the
    critical success factors it moves, by name."""

    corrective_action: str
    dark_side: str
    guardrail_key: str
    guardrail: KPI | None
    """The guardrail KPI, when it is in the dictionary and not archived."""
    factors: list[str]

    def __bool__(self) -> bool:
        return bool(
            self.corrective_action
            or self.dark_side
            or self.guardrail_key
            or self.factors
        )


def kpi_parmenter_notes(kpi: KPI) -> ParmenterNotes:
    """The corrective action, dark side, guardrail and critical success factors
    written for `kpi` (any tier), in two queries at most: the guardrail with its
    status, the factors' names (a factor no longer defined reads as its key)."""
    guardrail = (
        KPI.objects.filter(key=kpi.guardrail, archived_at__isnull=True)
        .exclude(pk=kpi.pk)
        .select_related("status")
        .first()
        if kpi.guardrail
        else None
    )
    named = kpi.critical_success_factors or []
    names = dict(
        CriticalSuccessFactor.objects.filter(key__in=named).values_list("key", "name")
        if named
        else []
    )
    return ParmenterNotes(
        corrective_action=kpi.corrective_action,
        dark_side=kpi.dark_side,
        guardrail_key=kpi.guardrail,
        guardrail=guardrail,
        factors=[names.get(key, key) for key in named],
    )


def kpi_draft_findings(
    *,
    kpi: KPI | None = None,
    draft: Mapping[str, Any] | None = None,
    as_of: dt.date | None = None,
) -> list[Finding]:
    """The KPI lint findings on one KPI: as stored (`kpi`), as being edited (`kpi`
    and the `draft` field values typed), or new (`draft` alone), judged with the
    whole dictionary by `drumbeat.core.lint`'s KPI and dictionary rules.

    Kept: the findings on that KPI, and on the dictionary as a whole (`kpis`).
    Raises WorkspaceError when the draft breaks the workspace format's rules.
    """
    checked = copy.copy(kpi) if kpi is not None else KPI()
    for name, value in (draft or {}).items():
        setattr(checked, name, value)
    # Only the checked KPI's readings matter (to `kpi-stale`); a new KPI has none.
    readings = readings_data(current_readings([kpi]))[kpi.pk] if kpi is not None else []
    others = KPI.objects.select_related("team")
    if kpi is not None:
        others = others.exclude(pk=kpi.pk)
    data = {
        "version": 1,
        "teams": teams_data(),
        "critical_success_factors": critical_success_factors_data(),
        # Last, so that a KPI it repeats is the earlier one and it is the duplicate.
        "kpis": [
            *(kpi_data(other, []) for other in others),
            kpi_data(checked, readings),
        ],
    }
    workspace = load_workspace_data(data, filename=f"KPI {checked.key}")
    findings = lint_workspace(workspace, as_of or timezone.localdate())
    return [
        finding
        for finding in findings
        if finding.subject in (checked.key, "kpis")
        # A KPI not yet created cannot have had a reading: not stale, just new.
        and not (kpi is None and finding.rule == "kpi-stale")
    ]


def kpi_decimals(keys: Iterable[str]) -> dict[str, int]:
    """The decimals each KPI's readings are written with (`KPIStatus.decimals`),
    by key, for those of `keys` that have a status (one query)."""
    statuses = KPIStatus.objects.filter(kpi__key__in=set(keys)).select_related("kpi")
    return {
        status.kpi.key: status.decimals
        for status in statuses.only("kpi__key", "latest_value", "sparkline")
    }


@dataclass(frozen=True)
class DrivesLinks:
    """A KPI's place on the strategy map: (key, name) of the KPIs it drives and
    of those that drive it, archived ones left out."""

    drives: list[tuple[str, str]]
    driven_by: list[tuple[str, str]]


def kpi_drives_links(kpi: KPI) -> DrivesLinks:
    """What the KPI drives and what drives it, in one query (the links are kept
    on the driving KPI, so every KPI's are read, as plain values)."""
    rows = KPI.objects.filter(archived_at__isnull=True).values_list(
        "key", "name", "drives"
    )
    names: dict[str, str] = {}
    driven_by: list[tuple[str, str]] = []
    for key, name, drives in rows:
        names[key] = name
        if kpi.key in drives and key != kpi.key:
            driven_by.append((key, name))
    return DrivesLinks(
        drives=[(key, names[key]) for key in kpi.drives if key in names],
        driven_by=driven_by,
    )


def kpi_choices() -> list[tuple[str, str]]:
    """Every KPI as a form choice: its key, and its name with the key."""
    return [(k.key, f"{k.name} ({k.key})") for k in KPI.objects.only("key", "name")]


def critical_success_factor_choices() -> list[tuple[str, str]]:
    """Every critical success factor as a form choice: its key and its name."""
    return list(CriticalSuccessFactor.objects.values_list("key", "name"))


READINGS_PER_PAGE = 50


@dataclass(frozen=True)
class Correction:
    """A value a correction superseded: who recorded it and when, and who
    corrected it and when."""

    reading: Reading
    corrected_by: User | None
    corrected_at: dt.datetime | None


@dataclass(frozen=True)
class ReadingHistory:
    """A KPI's current reading at a moment, with the values it corrected, oldest
    first."""

    reading: Reading
    corrections: list[Correction]


def readings_page(
    kpi: KPI, page: str | int | None, per_page: int = READINGS_PER_PAGE
) -> tuple[Page[Reading], list[ReadingHistory]]:
    """One page of a KPI's current readings, newest first, each with the values
    corrections superseded at its moment (who recorded each, who corrected it and
    when). A page number that is not one gives the first page; one past the end,
    the last. Three queries, whatever the page and the history."""
    current = (
        current_readings([kpi])
        .select_related("recorded_by")
        .order_by("-day", "-at", "-pk")
    )
    shown = Paginator(current, per_page).get_page(page)
    rows = list(shown.object_list)
    earlier: dict[str, list[Reading]] = defaultdict(list)
    if rows:
        superseded = (
            Reading.objects.filter(
                kpi=kpi, superseded_at__isnull=False, at__in=[r.at for r in rows]
            )
            .select_related("recorded_by")
            .order_by("recorded_at", "pk")
        )
        for reading in superseded:
            earlier[reading.at].append(reading)
    history = []
    for row in rows:
        versions = [*earlier[row.at], row]
        history.append(
            ReadingHistory(
                reading=row,
                corrections=[
                    Correction(old, new.recorded_by, old.superseded_at)
                    for old, new in itertools.pairwise(versions)
                ],
            )
        )
    return shown, history
