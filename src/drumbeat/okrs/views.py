"""OKR pages: the cycle board and an objective's page with its check-in form."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from drumbeat.accounts.models import Team
from drumbeat.accounts.selectors import can_edit_team_okrs
from drumbeat.common.archiving import archive_button
from drumbeat.common.editing import save_from_form
from drumbeat.common.guards import is_admin, require_admin
from drumbeat.core.scoring import relative_target_text
from drumbeat.kpis.forms import number_or_band_text
from drumbeat.kpis.selectors import kpi_choices, kpi_decimals
from drumbeat.okrs.forms import (
    CheckInForm,
    CycleForm,
    KeyResultForm,
    ObjectiveForm,
    key_result_draft_initial,
    key_result_values,
)
from drumbeat.okrs.grades import frozen_grades
from drumbeat.okrs.models import CheckIn, Cycle, KeyResult, Objective
from drumbeat.okrs.selectors import (
    BOARD_GRADES,
    BOARD_KINDS,
    BOARD_SORTS,
    BoardFilters,
    alignment_tree,
    board_objectives,
    board_rows,
    board_sorted,
    closed_cycle_notice,
    cycle_findings,
    cycle_hit_forecasts,
    cycle_objectives,
    cycles_running,
    cycles_standing,
    ended_cycle_attribution,
    hit_chances,
    objective_findings,
    okr_teams_editable_by,
    parents_allowed,
    with_hit_forecasts,
    year_board,
)
from drumbeat.okrs.services import (
    KEY_RESULT_FIELDS,
    CycleClosedError,
    check_in_delete,
    cycle_save,
    ensure_cycle_open,
    key_result_check_in,
    key_result_save,
    objective_save,
    okr_archived_set,
)


def with_decimals(key_results: Iterable[KeyResult]) -> None:
    """Give each KR the decimals of its KPI's readings (`kr.decimals`), which
    its baseline, current value and target show (one query)."""
    listed = list(key_results)
    decimals = kpi_decimals(kr.kpi_key for kr in listed)
    for kr in listed:
        kr.decimals = decimals.get(kr.kpi_key)  # type: ignore[attr-defined]


def refuses_closed_cycles(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """A change to a closed cycle (CycleClosedError from the view or its service)
    answers 409 with why, instead of the form."""

    @functools.wraps(view)
    def refusing(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except CycleClosedError as error:
            context = {"notice": str(error)}
            return render(request, "okrs/cycle_closed.html", context, status=409)

    return refusing


def cycles_index(request: HttpRequest) -> HttpResponse:
    """The cycle running today (the quarter, not the year containing it), else
    the latest one."""
    cycle = (
        cycles_running().first()
        or Cycle.objects.filter(archived_at__isnull=True).order_by("-start").first()
    )
    if cycle is None:
        if is_admin(request.user):
            return redirect("cycle-create")
        raise Http404("No cycle yet: an admin creates one, or `drumbeat apply` a file.")
    return redirect("cycle-board", key=cycle.key)


def cycle_board(request: HttpRequest, key: str) -> HttpResponse:
    """Objectives by team with score bars and grades, and the alignment tree; a
    year's quarters and its objectives with their quarterly ones; the year a
    quarter is part of."""
    cycle = get_object_or_404(Cycle.objects.select_related("parent"), key=key)
    filters = BoardFilters.from_query(request.GET)
    show_archived = filters.archived
    forecasts = cycle_hit_forecasts([cycle])
    objectives = board_sorted(
        list(
            board_objectives(
                cycle_objectives(cycle, archived=show_archived), filters, request.user
            )
        ),
        filters.sort,
        hit_chances(forecasts),
    )
    findings = cycle_findings(cycle)
    with_decimals(kr for objective in objectives for kr in objective.key_results.all())
    with_hit_forecasts(
        (kr for objective in objectives for kr in objective.key_results.all()),
        forecasts,
        cycle.end,
    )
    cycles = list(Cycle.objects.filter(archived_at__isnull=True))
    standing = cycles_standing([*cycles, cycle])
    context = {
        "cycle": cycle,
        "cycles": [(other, standing[other.pk]) for other in cycles],
        "standing": standing[cycle.pk],
        "notice": closed_cycle_notice(cycle),
        "grades": frozen_grades(cycle),
        "show_archived": show_archived,
        "can_archive": is_admin(request.user),
        "writes_okrs": bool(okr_teams_editable_by(request.user)),
        "by_team": board_rows(objectives, filters, findings.by_objective),
        "findings": findings,
        "tree": alignment_tree(objectives),
        "filters": filters,
        "sorts": BOARD_SORTS,
        "grade_choices": BOARD_GRADES,
        "kind_choices": BOARD_KINDS,
        "teams": Team.objects.filter(archived_at__isnull=True).order_by("name"),
        "attribution": ended_cycle_attribution(cycle, timezone.localdate()),
        "year": year_board(cycle, objectives),
    }
    return render(request, "okrs/cycle_board.html", context)


def objective_detail(request: HttpRequest, key: str) -> HttpResponse:
    """An objective's KRs with their check-in timelines and the check-in form."""
    objective = get_object_or_404(
        Objective.objects.select_related("cycle", "team", "parent").prefetch_related(
            "key_results__checkins"
        ),
        key=key,
    )
    with_decimals(objective.key_results.all())
    with_hit_forecasts(
        objective.key_results.all(),
        cycle_hit_forecasts([objective.cycle]),
        objective.cycle.end,
    )
    notice = closed_cycle_notice(objective.cycle)
    can_check_in = can_edit_team_okrs(request.user, objective.team) and not notice
    context = {
        "objective": objective,
        "can_check_in": can_check_in,
        "standing": cycles_standing([objective.cycle])[objective.cycle.pk],
        "notice": notice,
        "grades": frozen_grades(objective.cycle),
        "today": timezone.localdate().isoformat(),
        "form": CheckInForm(),
        "findings": objective_findings(objective),
    }
    return render(request, "okrs/objective_detail.html", context)


@require_POST
@refuses_closed_cycles
def check_in(request: HttpRequest, objective_key: str, kr_key: str) -> HttpResponse:
    """Save a check-in (htmx: the KR's row comes back; no reload)."""
    key_result = get_object_or_404(
        KeyResult.objects.select_related("objective__team", "objective__cycle"),
        objective__key=objective_key,
        key=kr_key,
    )
    if not can_edit_team_okrs(request.user, key_result.objective.team):
        raise PermissionDenied(
            "Only the team's editors and admins check in on its KRs."
        )
    ensure_cycle_open(key_result.objective.cycle)
    form = CheckInForm(request.POST)
    status = 200
    user = request.user
    if form.is_valid() and isinstance(user, User):
        data = form.cleaned_data
        saved = save_from_form(
            form,
            lambda: key_result_check_in(
                key_result=key_result,
                by=user,
                confidence=data["confidence"],
                note=data["note"],
                blockers=data["blockers"],
            ),
        )
        if saved is not None:
            form = CheckInForm()
        else:
            status = 400
    else:
        status = 400
    with_decimals([key_result])
    cycle = key_result.objective.cycle
    with_hit_forecasts([key_result], cycle_hit_forecasts([cycle]), cycle.end)
    context = {
        "kr": key_result,
        "objective": key_result.objective,
        "form": form,
        "can_check_in": True,
        "today": timezone.localdate().isoformat(),
        "saved": status == 200,
    }
    return render(
        request, "okrs/objective_detail.html#key-result", context, status=status
    )


@refuses_closed_cycles
def key_result_create(request: HttpRequest, objective_key: str) -> HttpResponse:
    """Add a KR to an objective: the team's editors and admins."""
    objective = get_object_or_404(
        Objective.objects.select_related("cycle", "team"), key=objective_key
    )
    return _key_result_form(request, objective, None)


@refuses_closed_cycles
def key_result_edit(
    request: HttpRequest, objective_key: str, kr_key: str
) -> HttpResponse:
    """Change a KR: the team's editors and admins; a stale form is refused."""
    key_result = get_object_or_404(
        KeyResult.objects.select_related("objective__cycle", "objective__team"),
        objective__key=objective_key,
        key=kr_key,
    )
    return _key_result_form(request, key_result.objective, key_result)


def _key_result_form(
    request: HttpRequest, objective: Objective, key_result: KeyResult | None
) -> HttpResponse:
    if not can_edit_team_okrs(request.user, objective.team):
        raise PermissionDenied("Only the team's editors and admins change its OKRs.")
    ensure_cycle_open(objective.cycle)
    choices = kpi_choices()
    if request.method != "POST":
        initial: dict[str, object] = {"weight": 1.0}
        if key_result is not None:
            initial = {
                name: getattr(key_result, name) for name in KEY_RESULT_FIELDS
            } | {"kpi": key_result.kpi_key, "version": key_result.version}
            initial["target"] = (
                number_or_band_text(key_result.target)
                if key_result.relative_target is None
                else relative_target_text(key_result.relative_target)
            )
        # A draft from cycle planning (`?kpi=...&target=...`) fills the form in.
        initial |= key_result_draft_initial(request.GET)
        form = KeyResultForm(initial=initial, kpi_choices=choices)
        _show_stored_target(form, key_result)
        return _render_form(request, objective, key_result, form)
    form = KeyResultForm(request.POST, kpi_choices=choices)
    _show_stored_target(form, key_result)
    if form.is_valid() and isinstance(request.user, User):
        data = form.cleaned_data
        values = key_result_values(data)
        user = request.user
        saved = save_from_form(
            form,
            lambda: key_result_save(
                objective=objective,
                key_result=key_result,
                values=values,
                by=user,
                version=data["version"],
            ),
            {"kpi_key": "kpi"},
        )
        if saved is not None:
            return redirect("objective-detail", key=objective.key)
    return _render_form(request, objective, key_result, form, status=400)


def _show_stored_target(form: KeyResultForm, key_result: KeyResult | None) -> None:
    if key_result is not None and key_result.relative_target is not None:
        form.show_stored_target(key_result.target, key_result.relative_target)


def _render_form(
    request: HttpRequest,
    objective: Objective,
    key_result: KeyResult | None,
    form: KeyResultForm,
    status: int = 200,
) -> HttpResponse:
    title = f"Edit {key_result.key}" if key_result else "Add a key result"
    context = {"objective": objective, "form": form, "title": title}
    return render(request, "okrs/key_result_form.html", context, status=status)


@refuses_closed_cycles
def objective_create(request: HttpRequest, key: str) -> HttpResponse:
    """Add an objective to a cycle, for a team the person edits."""
    cycle = get_object_or_404(Cycle, key=key)
    return _objective_form(request, cycle, None)


@refuses_closed_cycles
def objective_edit(request: HttpRequest, key: str) -> HttpResponse:
    objective = get_object_or_404(
        Objective.objects.select_related("cycle", "team", "parent"), key=key
    )
    if not can_edit_team_okrs(request.user, objective.team):
        raise PermissionDenied("Only the team's editors and admins change its OKRs.")
    return _objective_form(request, objective.cycle, objective)


def _objective_form(
    request: HttpRequest, cycle: Cycle, objective: Objective | None
) -> HttpResponse:
    teams = okr_teams_editable_by(request.user)
    if not teams:
        raise PermissionDenied("Only team editors and admins write objectives.")
    ensure_cycle_open(cycle)
    parents = parents_allowed(cycle, objective.parent if objective else None)
    if objective is not None:
        parents = parents.exclude(pk=objective.pk)
    team_choices = [(t.key, t.name) for t in teams]
    parent_choices = [(o.key, o.title) for o in parents]
    if request.method != "POST":
        initial: dict[str, object] = {"commitment": "aspirational"}
        if objective is not None:
            initial = {
                "key": objective.key,
                "title": objective.title,
                "team": objective.team.key if objective.team else "",
                "owner_name": objective.owner_name,
                "commitment": objective.commitment,
                "parent": objective.parent.key if objective.parent else "",
                "version": objective.version,
            }
        form = ObjectiveForm(
            initial=initial, team_choices=team_choices, parent_choices=parent_choices
        )
        return _render_objective_form(request, cycle, objective, form)
    form = ObjectiveForm(
        request.POST, team_choices=team_choices, parent_choices=parent_choices
    )
    if form.is_valid() and isinstance(request.user, User):
        data = form.cleaned_data
        values = {
            "key": data["key"],
            "title": data["title"],
            "team": next(t for t in teams if t.key == data["team"]),
            "owner_name": data["owner_name"] or "",
            "commitment": data["commitment"],
            "parent": parents.filter(key=data["parent"]).first()
            if data["parent"]
            else None,
        }
        user = request.user
        saved = save_from_form(
            form,
            lambda: objective_save(
                cycle=cycle,
                objective=objective,
                values=values,
                by=user,
                version=data["version"],
            ),
        )
        if saved is not None:
            return redirect("objective-detail", key=saved.key)
    return _render_objective_form(request, cycle, objective, form, status=400)


def _render_objective_form(
    request: HttpRequest,
    cycle: Cycle,
    objective: Objective | None,
    form: ObjectiveForm,
    status: int = 200,
) -> HttpResponse:
    title = f"Edit {objective.key}" if objective else f"Add an objective to {cycle.key}"
    context = {"cycle": cycle, "form": form, "title": title}
    return render(request, "okrs/objective_form.html", context, status=status)


def cycle_create(request: HttpRequest) -> HttpResponse:
    """Set up a new OKR period: admins only."""
    return _cycle_form(request, None)


@refuses_closed_cycles
def cycle_edit(request: HttpRequest, key: str) -> HttpResponse:
    """Change a cycle's key or dates: admins only; a stale form is refused."""
    return _cycle_form(request, get_object_or_404(Cycle, key=key))


def _cycle_form(request: HttpRequest, cycle: Cycle | None) -> HttpResponse:
    admin = require_admin(request.user, "Only admins set up cycles.")
    if cycle is not None:
        ensure_cycle_open(cycle)
    title = f"Edit cycle {cycle.key}" if cycle else "New cycle"
    if request.method != "POST":
        initial = (
            {name: getattr(cycle, name) for name in ("key", "start", "end", "version")}
            | {"parent": cycle.parent.key if cycle.parent else None}
            if cycle
            else {}
        )
        form = CycleForm(initial=initial)
        return render(request, "okrs/cycle_form.html", {"form": form, "title": title})
    form = CycleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        saved = save_from_form(
            form,
            lambda: cycle_save(
                cycle=cycle, values=data, by=admin, version=data["version"]
            ),
        )
        if saved is not None:
            return redirect("cycle-board", key=saved.key)
    context = {"form": form, "title": title}
    return render(request, "okrs/cycle_form.html", context, status=400)


# --- Archive, restore and delete buttons ---------------------------------------------


def _archive_button(
    request: HttpRequest,
    row: Cycle | Objective | KeyResult | CheckIn,
    archived: bool,
    back: str,
) -> HttpResponse:
    what = "Check-in" if isinstance(row, CheckIn) else str(row)
    return archive_button(
        request,
        lambda user: okr_archived_set(row=row, archived=archived, by=user),
        back=back,
        done=f"{what} {'archived' if archived else 'restored'}.",
    )


@require_POST
def cycle_archived(request: HttpRequest, key: str, archived: bool) -> HttpResponse:
    """Archive or restore a cycle from its board: admins."""
    cycle = get_object_or_404(Cycle, key=key)
    return _archive_button(
        request, cycle, archived, reverse("cycle-board", args=[cycle.key])
    )


@require_POST
def objective_archived(request: HttpRequest, key: str, archived: bool) -> HttpResponse:
    """Archive or restore an objective from its page: the team's editors, admins."""
    objective = get_object_or_404(Objective.objects.select_related("cycle"), key=key)
    back = reverse("objective-detail", args=[objective.key])
    return _archive_button(request, objective, archived, back)


@require_POST
def key_result_archived(
    request: HttpRequest, objective_key: str, kr_key: str, archived: bool
) -> HttpResponse:
    """Archive or restore a KR from its objective's page: the team's editors,
    admins."""
    key_result = get_object_or_404(
        KeyResult.objects.select_related("objective__cycle", "objective__team"),
        objective__key=objective_key,
        key=kr_key,
    )
    back = reverse("objective-detail", args=[objective_key]) + f"#kr-{kr_key}"
    return _archive_button(request, key_result, archived, back)


def _check_in(pk: int) -> CheckIn:
    return get_object_or_404(
        CheckIn.objects.select_related(
            "key_result__objective__cycle", "key_result__objective__team"
        ),
        pk=pk,
    )


def _check_in_back(checkin: CheckIn) -> str:
    key_result = checkin.key_result
    return (
        reverse("objective-detail", args=[key_result.objective.key])
        + f"#kr-{key_result.key}"
    )


@require_POST
def check_in_archived(request: HttpRequest, pk: int, archived: bool) -> HttpResponse:
    """Archive or restore a check-in: its author, the team's editors, admins."""
    checkin = _check_in(pk)
    return _archive_button(request, checkin, archived, _check_in_back(checkin))


@require_POST
def check_in_deleted(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a check-in its author made today."""
    checkin = _check_in(pk)
    return archive_button(
        request,
        lambda user: check_in_delete(checkin=checkin, by=user),
        back=_check_in_back(checkin),
        done="Check-in deleted.",
        refusals=(CycleClosedError,),
    )
