"""OKR pages: the cycle board and an objective's page with its check-in form."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from drumbeat.accounts.selectors import can_edit_team_okrs
from drumbeat.okrs.forms import CheckInForm
from drumbeat.okrs.models import Cycle, KeyResult, Objective
from drumbeat.okrs.selectors import alignment_tree, cycle_objectives
from drumbeat.okrs.services import key_result_check_in


def cycles_index(request: HttpRequest) -> HttpResponse:
    """The cycle running today, else the latest one."""
    today = timezone.localdate()
    cycle = (
        Cycle.objects.filter(start__lte=today, end__gte=today).first()
        or Cycle.objects.order_by("-start").first()
    )
    if cycle is None:
        raise Http404("No cycle yet: an admin creates one, or `drumbeat apply` a file.")
    return redirect("cycle-board", key=cycle.key)


def cycle_board(request: HttpRequest, key: str) -> HttpResponse:
    """Objectives by team with score bars and grades, and the alignment tree."""
    cycle = get_object_or_404(Cycle, key=key)
    objectives = list(cycle_objectives(cycle))
    by_team: dict[str, list[Objective]] = {}
    for objective in objectives:
        team = (
            objective.team.name if objective.team else objective.team_name or "No team"
        )
        by_team.setdefault(team, []).append(objective)
    context = {
        "cycle": cycle,
        "cycles": Cycle.objects.all(),
        "by_team": by_team,
        "tree": alignment_tree(objectives),
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
    can_check_in = can_edit_team_okrs(request.user, objective.team)
    context = {
        "objective": objective,
        "can_check_in": can_check_in,
        "form": CheckInForm(),
    }
    return render(request, "okrs/objective_detail.html", context)


@require_POST
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
    form = CheckInForm(request.POST)
    status = 200
    if form.is_valid() and isinstance(request.user, User):
        key_result_check_in(
            key_result=key_result,
            by=request.user,
            confidence=form.cleaned_data["confidence"],
            note=form.cleaned_data["note"],
            blockers=form.cleaned_data["blockers"],
        )
        form = CheckInForm()
    else:
        status = 400
    context = {
        "kr": key_result,
        "objective": key_result.objective,
        "form": form,
        "can_check_in": True,
        "saved": status == 200,
    }
    return render(
        request, "okrs/objective_detail.html#key-result", context, status=status
    )
