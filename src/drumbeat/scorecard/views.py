"""Pages that show KPIs and OKRs together: a KPI's page (its chart with the cycles
that targeted it, its findings and readings), planning a cycle (the diagnostic
flow), and the live lint of a KR being written. Thin: parse, select, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from drumbeat.accounts.selectors import can_edit_team_okrs
from drumbeat.common.editing import add_problems_to_form
from drumbeat.core.lint import Finding
from drumbeat.kpis.forms import ReadingForm
from drumbeat.kpis.models import KPI
from drumbeat.kpis.selectors import (
    can_edit_definition,
    can_record_readings,
    current_readings,
    definition_history,
    kpi_choices,
)
from drumbeat.kpis.services.readings import ReadingError, reading_record
from drumbeat.okrs.forms import KeyResultForm, key_result_values
from drumbeat.okrs.models import Cycle, Objective
from drumbeat.okrs.selectors import (
    key_result_data,
    objectives_editable_by,
    okr_teams_editable_by,
)
from drumbeat.scorecard.selectors import (
    key_result_draft_findings,
    kpi_chart,
    kpi_findings,
    plan_for_cycle,
)
from drumbeat.workspace import WorkspaceError


def kpi_detail(request: HttpRequest, key: str) -> HttpResponse:
    """A KPI's definition, process behaviour chart and readings with provenance."""
    kpi = get_object_or_404(
        KPI.objects.select_related("status", "team", "source_state"), key=key
    )
    return _kpi_page(request, kpi, ReadingForm(initial={"day": timezone.localdate()}))


def _kpi_page(
    request: HttpRequest, kpi: KPI, form: ReadingForm, status: int = 200
) -> HttpResponse:
    readings = current_readings([kpi]).select_related("recorded_by")
    context = {
        "kpi": kpi,
        "readings": readings.order_by("-day", "-at")[:200],
        "chart": kpi_chart(kpi, timezone.localdate()),
        "form": form,
        "can_record": can_record_readings(request.user, kpi),
        "can_edit": can_edit_definition(request.user, kpi),
        "history": definition_history(kpi),
        "lint_findings": kpi_findings(kpi),
    }
    return render(request, "kpis/kpi_detail.html", context, status=status)


@require_POST
def reading_create(request: HttpRequest, key: str) -> HttpResponse:
    """Record or correct a reading: the KPI's owner and admins only."""
    kpi = get_object_or_404(KPI.objects.select_related("status", "team"), key=key)
    if not can_record_readings(request.user, kpi):
        raise PermissionDenied("Only the KPI's owner or an admin records its readings.")
    form = ReadingForm(request.POST)
    if not form.is_valid():
        return _kpi_page(request, kpi, form, status=400)
    try:
        reading_record(
            kpi=kpi,
            at=form.cleaned_data["day"],
            value=form.cleaned_data["value"],
            note=form.cleaned_data["note"],
            by=request.user if isinstance(request.user, User) else None,
        )
    except ReadingError as error:
        form.add_error("value", str(error))
        return _kpi_page(request, kpi, form, status=400)
    messages.success(
        request, "Reading recorded; the KPI's status and KR scores are updated."
    )
    return redirect("kpi-detail", key=kpi.key)


@require_POST
def key_result_lint(request: HttpRequest, objective_key: str) -> HttpResponse:
    """The lint findings of a KR as it is being written (htmx, on each change): its
    own and its objective's, as if it were saved (`?replacing=` the KR being
    edited). Nothing is saved; a draft that does not load shows why."""
    objective = get_object_or_404(
        Objective.objects.select_related("cycle", "team"), key=objective_key
    )
    if not can_edit_team_okrs(request.user, objective.team):
        raise PermissionDenied("Only the team's editors and admins change its OKRs.")
    form = KeyResultForm(request.POST, kpi_choices=kpi_choices())
    findings: list[Finding] = []
    if form.is_valid():
        try:
            findings = key_result_draft_findings(
                objective,
                key_result_data(key_result_values(form.cleaned_data)),
                replacing=request.GET.get("replacing") or None,
                as_of=timezone.localdate(),
            )
        except WorkspaceError as error:
            add_problems_to_form(form, error, {"kpi_key": "kpi", "owner": "owner_name"})
    context = {"form": form, "findings": findings}
    return render(request, "okrs/key_result_form.html#lint", context)


def cycle_plan(request: HttpRequest, key: str) -> HttpResponse:
    """Planning a cycle: the KPIs worth elevating, each with a draft KR to start
    from (for those who write OKRs), and the lint findings of its objectives."""
    cycle = get_object_or_404(Cycle, key=key)
    plan = plan_for_cycle(cycle, timezone.localdate())
    teams = okr_teams_editable_by(request.user)
    objectives = [planned.objective for planned in plan.objectives]
    context = {
        "cycle": cycle,
        "plan": plan,
        "writes_okrs": bool(teams),
        "draft_into": objectives_editable_by(request.user, objectives, teams),
    }
    return render(request, "okrs/cycle_plan.html", context)
