"""Reads about KPI data sources: which KPIs are pulled, and where each stands."""

from __future__ import annotations

from django.db.models import QuerySet

from drumbeat.kpis.models import KPI, SourceState
from drumbeat.kpis.sources import PULLED_KINDS


def pulled_kpis() -> QuerySet[KPI]:
    """The KPIs whose source is pulled (`sql`), with their source state (one
    query)."""
    return KPI.objects.filter(source__type__in=PULLED_KINDS).select_related(
        "source_state"
    )


def source_state(kpi: KPI) -> SourceState | None:
    """The KPI's source state, None before its first pull; no query when it was
    selected with the KPI."""
    try:
        return kpi.source_state
    except SourceState.DoesNotExist:
        return None
