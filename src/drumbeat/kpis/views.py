"""KPI pages: the Balanced Dashboard and a KPI's own page. Thin: parse, select,
render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from drumbeat.accounts.models import Team
from drumbeat.core.model import Tier
from drumbeat.kpis.models import KPI
from drumbeat.kpis.selectors import (
    PERSPECTIVES,
    DashboardFilters,
    current_readings,
    dashboard_kpis,
)


def dashboard(request: HttpRequest) -> HttpResponse:
    """The north-star KPI on top, then the four perspectives, each KPI a tile."""
    filters = DashboardFilters(
        team=request.GET.get("team") or None,
        tier=request.GET.get("tier") or None,
        perspective=request.GET.get("perspective") or None,
        exceptions_only=request.GET.get("exceptions") == "1",
    )
    kpis = list(dashboard_kpis(filters))
    north_star = next((k for k in kpis if k.north_star), None)
    sections = [
        (
            perspective,
            [k for k in kpis if k.perspective == perspective and k is not north_star],
        )
        for perspective in PERSPECTIVES
    ]
    unassigned = [k for k in kpis if not k.perspective and k is not north_star]
    if unassigned:
        sections.append(("other", unassigned))
    context = {
        "north_star": north_star,
        "sections": [(name, tiles) for name, tiles in sections if tiles],
        "filters": filters,
        "teams": Team.objects.all(),
        "tiers": [t.value for t in Tier],
        "perspectives": PERSPECTIVES,
        "count": len(kpis),
    }
    partial = request.headers.get("HX-Request") == "true"
    template = "kpis/dashboard.html#tiles" if partial else "kpis/dashboard.html"
    return render(request, template, context)


def kpi_detail(request: HttpRequest, key: str) -> HttpResponse:
    kpi = get_object_or_404(KPI.objects.select_related("status", "team"), key=key)
    readings = current_readings([kpi]).order_by("-day", "-at")[:200]
    return render(request, "kpis/kpi_detail.html", {"kpi": kpi, "readings": readings})
