"""Pages that show KPIs and OKRs together: a KPI's page (its chart with the cycles
that targeted it, its findings and readings), planning a cycle (the diagnostic
flow), and the live lint of a KR being written. Thin: parse, select, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from drumbeat.accounts.selectors import can_edit_team_okrs
from drumbeat.common.editing import StaleEditError, add_problems_to_form
from drumbeat.common.guards import require_admin
from drumbeat.common.htmx import HtmxHttpRequest
from drumbeat.core.lint import Finding
from drumbeat.kpis.forms import DividerAction, DividerForm, ReadingForm
from drumbeat.kpis.models import KPI
from drumbeat.kpis.process import accepted_dividers
from drumbeat.kpis.selectors import (
    can_edit_definition,
    can_record_readings,
    definition_history,
    kpi_choices,
    kpi_drives_links,
    kpi_parmenter,
    kpi_parmenter_notes,
    readings_page,
)
from drumbeat.kpis.services.dividers import (
    DIVIDER_REFUSAL,
    kpi_divider_accept,
    kpi_divider_decline,
    kpi_divider_remove,
)
from drumbeat.kpis.services.readings import ReadingError, reading_record
from drumbeat.okrs.calibration import cycle_calibration
from drumbeat.okrs.forms import KeyResultForm, key_result_values
from drumbeat.okrs.models import Cycle, Objective, Retrospective
from drumbeat.okrs.selectors import (
    cycle_standing,
    cycle_standing_close,
    key_result_data,
    key_results_on_kpi,
    last_reopened,
    objectives_editable_by,
    okr_teams_editable_by,
)
from drumbeat.scorecard import closing
from drumbeat.scorecard.attribution import (
    attribution_chart,
    attribution_rows,
    kpi_cycles_attribution,
)
from drumbeat.scorecard.selectors import (
    SUGGESTIONS_SHOWN,
    key_result_draft_findings,
    kpi_chart,
    kpi_findings,
    plan_for_cycle,
)
from drumbeat.workspace import WorkspaceError


def kpi_detail(request: HtmxHttpRequest, key: str) -> HttpResponse:
    """A KPI's definition, process behaviour chart, the KRs that read it and its
    readings with provenance and corrections, a page at a time (`?page=`; htmx
    swaps the readings table alone)."""
    kpi = get_object_or_404(
        KPI.objects.select_related("status", "team", "source_state"), key=key
    )
    if request.htmx and "page" in request.GET:
        page, readings = readings_page(kpi, request.GET["page"])
        context = {"kpi": kpi, "page": page, "readings": readings}
        return render(request, "kpis/kpi_detail.html#readings", context)
    return _kpi_page(request, kpi, ReadingForm(initial={"day": timezone.localdate()}))


def _kpi_page(
    request: HttpRequest,
    kpi: KPI,
    form: ReadingForm,
    status: int = 200,
    divider_problem: str = "",
) -> HttpResponse:
    page, readings = readings_page(kpi, request.GET.get("page"))
    today = timezone.localdate()
    since, since_problem = _chart_since(request.GET.get("since", ""))
    context = {
        "kpi": kpi,
        "page": page,
        "readings": readings,
        "key_results": key_results_on_kpi(kpi.key, today),
        "chart": kpi_chart(kpi, today, since),
        "since_problem": since_problem,
        "form": form,
        "can_record": can_record_readings(request.user, kpi),
        "can_edit": can_edit_definition(request.user, kpi),
        "history": definition_history(kpi),
        "lint_findings": kpi_findings(kpi),
        "parmenter": kpi_parmenter(kpi),
        "parmenter_notes": kpi_parmenter_notes(kpi),
        "divider_problem": divider_problem,
        "accepted_dividers": accepted_dividers(kpi),
        "links": kpi_drives_links(kpi),
        **_attribution_context(kpi, today),
    }
    return render(request, "kpis/kpi_detail.html", context, status=status)


def _attribution_context(kpi: KPI, today: dt.date) -> dict[str, object]:
    """The KPI page's attribution table and chart (`kpis/_attribution.html`)."""
    judged = kpi_cycles_attribution(kpi, today)
    return {
        "attribution": attribution_rows(
            judged, kpi.status.decimals if hasattr(kpi, "status") else None, kpi.unit
        ),
        "attribution_chart": attribution_chart(judged),
    }


def _chart_since(given: str) -> tuple[dt.date | None, str]:
    """The first day the chart shows (`?since=YYYY-MM-DD`), or None for its
    default window, with what is wrong with the day given."""
    if not given:
        return None, ""
    try:
        return dt.date.fromisoformat(given), ""
    except ValueError:
        return (
            None,
            f"since: '{given}' is not a day (YYYY-MM-DD); the last year is shown",
        )


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


DIVIDER_DONE = {
    DividerAction.ACCEPT: "Limits recomputed from {day}.",
    DividerAction.MOVE: "Limits recomputed from {day}.",
    DividerAction.DECLINE: "The divider at {day} is declined: not proposed again.",
    DividerAction.REMOVE: "The divider at {day} is removed.",
}


@require_POST
def kpi_divider(request: HttpRequest, key: str) -> HttpResponse:
    """Accept, move or decline the divider proposed on a KPI's page, or remove an
    accepted one: the KPI's owner and admins only."""
    kpi = get_object_or_404(KPI.objects.select_related("status", "team"), key=key)
    user = request.user
    if not isinstance(user, User) or not can_edit_definition(user, kpi):
        raise PermissionDenied(DIVIDER_REFUSAL)
    form = DividerForm(request.POST)
    reading_form = ReadingForm(initial={"day": timezone.localdate()})
    if not form.is_valid():
        problem = "; ".join(
            f"{field}: {' '.join(str(error) for error in errors)}"
            for field, errors in form.errors.items()
        )
        return _kpi_page(request, kpi, reading_form, 400, problem)
    action, day = form.cleaned_data["action"], form.start
    why, version = form.cleaned_data["why"], form.cleaned_data["version"]
    try:
        if action == DividerAction.DECLINE:
            kpi_divider_decline(kpi=kpi, run_start=day, by=user, why=why)
        elif action == DividerAction.REMOVE:
            kpi_divider_remove(kpi=kpi, start=day, by=user, version=version, why=why)
        else:
            kpi_divider_accept(kpi=kpi, start=day, by=user, version=version, why=why)
    except (WorkspaceError, StaleEditError) as error:
        problem = (
            "; ".join(
                f"{p.field}: {p.message}" if p.field else p.message
                for p in error.problems
            )
            if isinstance(error, WorkspaceError)
            else str(error)
        )
        return _kpi_page(request, kpi, reading_form, 400, problem)
    messages.success(request, DIVIDER_DONE[action].format(day=day.isoformat()))
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
    relative_target = None
    if form.is_valid():
        try:
            check = key_result_draft_findings(
                objective,
                key_result_data(key_result_values(form.cleaned_data)),
                replacing=request.GET.get("replacing") or None,
                as_of=timezone.localdate(),
            )
            findings, relative_target = check.findings, check.relative_target
        except WorkspaceError as error:
            add_problems_to_form(form, error, {"kpi_key": "kpi", "owner": "owner_name"})
    context = {"form": form, "findings": findings, "relative_target": relative_target}
    return render(request, "okrs/key_result_form.html#lint", context)


def cycle_plan(request: HttpRequest, key: str) -> HttpResponse:
    """Planning a cycle: the KPIs worth elevating, each with a draft KR to start
    from (for those who write OKRs), and the lint findings of its objectives."""
    cycle = get_object_or_404(Cycle, key=key)
    shown = None if request.GET.get("all") == "1" else SUGGESTIONS_SHOWN
    plan = plan_for_cycle(cycle, timezone.localdate(), shown=shown)
    teams = okr_teams_editable_by(request.user)
    objectives = [planned.objective for planned in plan.objectives]
    context = {
        "cycle": cycle,
        "plan": plan,
        "writes_okrs": bool(teams),
        "draft_into": objectives_editable_by(request.user, objectives, teams),
    }
    return render(request, "okrs/cycle_plan.html", context)


# --- Closing a cycle ----------------------------------------------------------------


def cycle_close_page(request: HttpRequest, key: str) -> HttpResponse:
    """The close page: final grades to review, the retrospective, the corrective
    flow's choices with their defaults, and confirm; once closed, the standing
    close and (for admins) the reopen form. Admins and the cycle's objective
    owners."""
    cycle = get_object_or_404(Cycle, key=key)
    if not closing.can_close_cycle(request.user, cycle):
        raise PermissionDenied(closing.CLOSE_REFUSAL)
    problems: list[tuple[str, str]] = []
    if request.method == "POST":
        user = request.user if isinstance(request.user, User) else None
        plan = closing.cycle_close_plan(cycle)
        try:
            closing.cycle_close(
                cycle=cycle,
                by=user,
                choices=_posted_choices(request, plan),
                retrospectives={
                    o.key: closing.RetrospectiveIn(
                        request.POST.get(f"happened:{o.key}", ""),
                        request.POST.get(f"learned:{o.key}", ""),
                    )
                    for o in plan.objectives
                },
                summary=request.POST.get("summary", ""),
            )
        except closing.CloseRefusedError as error:
            problems = [("", str(error))]
        except ValidationError as error:
            problems = [
                (name, message)
                for name, messages in error.message_dict.items()
                for message in messages
            ]
        else:
            messages.success(request, f"{cycle.key} is closed: its grades are frozen.")
            return redirect("cycle-close", key=cycle.key)
    return _close_page(request, cycle, problems)


def _posted_choices(
    request: HttpRequest, plan: closing.ClosePlan
) -> dict[str, closing.ChoiceIn]:
    choices = {}
    for item in plan.items:
        chosen = request.POST.get(f"choice:{item.name}")
        if chosen is None:
            continue
        typed = request.POST.get(f"value:{item.name}", "").strip()
        try:
            value = float(typed) if typed else None
        except ValueError:
            raise ValidationError({item.name: f"'{typed}' is not a number"}) from None
        choices[item.name] = closing.ChoiceIn(chosen, value)
    return choices


def _close_page(
    request: HttpRequest, cycle: Cycle, problems: list[tuple[str, str]]
) -> HttpResponse:
    standing = closing.standing_close(cycle)
    plan = None if standing else closing.cycle_close_plan(cycle)
    context = {
        "cycle": cycle,
        "standing": cycle_standing(cycle),
        "standing_close": standing,
        "plan": plan,
        "retrospectives": [(o, plan.retrospectives.get(o.pk)) for o in plan.objectives]
        if plan
        else [],
        "summary": plan.retrospectives.get(None) if plan else None,
        "reopened": last_reopened(cycle),
        "problems": problems,
        "calibration": cycle_calibration(cycle.key) if standing else None,
    }
    return render(
        request, "okrs/cycle_close.html", context, status=400 if problems else 200
    )


@require_POST
def cycle_reopen(request: HttpRequest, key: str) -> HttpResponse:
    """Reopen a closed cycle, with a reason: admins only."""
    cycle = get_object_or_404(Cycle, key=key)
    user = require_admin(request.user, closing.REOPEN_ADMINS_ONLY)
    try:
        closing.cycle_reopen(
            cycle=cycle, by=user, reason=request.POST.get("reason", "")
        )
    except (closing.CloseRefusedError, ValidationError) as error:
        message = (
            "; ".join(error.messages)
            if isinstance(error, ValidationError)
            else str(error)
        )
        return _close_page(request, cycle, [("", message)])
    messages.success(request, f"{cycle.key} is reopened.")
    return redirect("cycle-close", key=cycle.key)


def cycle_retrospective(request: HttpRequest, key: str) -> HttpResponse:
    """A cycle's retrospective, each objective's editable by its team's editors
    (the summary by admins) until the end of the following cycle, with who wrote
    each version and when."""
    cycle = get_object_or_404(Cycle, key=key)
    objectives = list(cycle.objectives.select_related("team"))
    problems = ""
    if request.method == "POST":
        wanted = request.POST.get("objective", "")
        objective = next((o for o in objectives if o.key == wanted), None)
        if wanted and objective is None:
            raise Http404(f"No objective '{wanted}' in {cycle.key}.")
        if not closing.can_edit_retrospective(request.user, cycle, objective):
            raise PermissionDenied(
                "Only the team's editors (admins for the summary) write the "
                "retrospective, until the end of the following cycle."
            )
        closing.retrospective_save(
            cycle=cycle,
            objective=objective,
            by=request.user if isinstance(request.user, User) else None,
            written=closing.RetrospectiveIn(
                request.POST.get("happened", ""), request.POST.get("learned", "")
            ),
        )
        messages.success(request, "Retrospective saved.")
        return redirect("cycle-retrospective", key=cycle.key)
    close = cycle_standing_close(cycle)
    rows = {r.objective_id: r for r in cycle.retrospectives.all()}
    versions: dict[int | None, list[Any]] = {}
    for version in (
        Retrospective.history.filter(cycle_id=cycle.pk)
        .select_related("history_user")
        .order_by("-history_date")
    ):
        versions.setdefault(version.objective_id, []).append(version)
    entries = [
        {
            "key": o.key if o else "",
            "title": o.title if o else "The cycle's summary",
            "row": rows.get(o.pk if o else None),
            "editable": closing.can_edit_retrospective(request.user, cycle, o),
            "history": versions.get(o.pk if o else None, []),
        }
        for o in [*objectives, None]
    ]
    context = {
        "cycle": cycle,
        "entries": entries,
        "problems": problems,
        "editable_until": closing.retrospective_editable_until(cycle, close)
        if close
        else None,
    }
    return render(request, "okrs/cycle_retrospective.html", context)
