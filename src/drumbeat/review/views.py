"""The KPI review's pages: the agenda (everyone signed in reads it; admins, a
KPI's owner and its team's editors act on it) and the investigations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from drumbeat.accounts.models import Team
from drumbeat.core.model import Perspective
from drumbeat.kpis.models import KPI
from drumbeat.okrs.selectors import cycles_closable_by
from drumbeat.review.forms import (
    InvestigationCloseForm,
    InvestigationOpenForm,
    ReviewNoteForm,
)
from drumbeat.review.models import Investigation
from drumbeat.review.selectors import (
    AgendaFilters,
    can_close,
    editor_team_ids,
    investigations_list,
    kpi_agenda,
    people_to_assign,
)
from drumbeat.review.services import (
    investigation_close,
    investigation_open,
    review_note_record,
)


def _person(request: HttpRequest) -> User:
    """The signed-in person (every page but sign-in asks for one)."""
    return cast(User, request.user)


def agenda_filters(query: Any) -> AgendaFilters:
    """The agenda's filters from a query string (team, perspective, owner)."""
    return AgendaFilters(
        team=query.get("team", ""),
        perspective=query.get("perspective", ""),
        owner=query.get("owner", ""),
    )


def kpi_review(request: HttpRequest) -> HttpResponse:
    """The KPI review agenda, exceptions in meeting order."""
    filters = agenda_filters(request.GET)
    agenda = kpi_agenda(request.user, filters)
    context = {
        "agenda": agenda,
        "closable": cycles_closable_by(
            request.user, [cycle for cycle, _ in agenda.overdue_cycles]
        ),
        "filters": filters,
        "teams": Team.objects.filter(archived_at__isnull=True).order_by("name"),
        "perspectives": [str(p) for p in Perspective],
        "owners": User.objects.filter(owned_kpis__isnull=False)
        .distinct()
        .order_by("username"),
        "people": people_to_assign(),
    }
    return render(request, "review/kpi_review.html", context)


def _acted(
    request: HttpRequest,
    form: forms.Form,
    act: Callable[[dict[str, Any]], object],
    *,
    where: str,
    back: str,
    done: str,
) -> HttpResponse:
    """Run `act` on the form's cleaned data; say what happened, or what is wrong
    and where, and go back. PermissionDenied is a 403."""
    problems: dict[str, list[str]] = {}
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            problems = error.message_dict
    else:
        problems = {
            field: [str(e) for e in errors] for field, errors in form.errors.items()
        }
    for field, said in problems.items():
        messages.error(request, f"{where}: {field}: {' '.join(said)}")
    if not problems:
        messages.success(request, done)
    return redirect(back)


def _agenda_back(request: HttpRequest, kpi: KPI) -> str:
    query = request.POST.get("filters", "")
    return reverse("kpi-review") + (f"?{query}" if query else "") + f"#kpi-{kpi.key}"


@require_POST
def review_note_create(request: HttpRequest, key: str) -> HttpResponse:
    """Acknowledge (or note) a KPI at its review, with what was said."""
    kpi = get_object_or_404(KPI, key=key)
    return _acted(
        request,
        ReviewNoteForm(request.POST),
        lambda data: review_note_record(
            kpi=kpi, by=_person(request), note=data["note"], action=data["action"]
        ),
        where=kpi.name,
        back=_agenda_back(request, kpi),
        done=f"{kpi.name}: {request.POST.get('action', 'acknowledged')}.",
    )


@require_POST
def investigation_create(request: HttpRequest, key: str) -> HttpResponse:
    """Open an investigation of a KPI, assigned to a person by a date."""
    kpi = get_object_or_404(KPI, key=key)
    return _acted(
        request,
        InvestigationOpenForm(request.POST),
        lambda data: investigation_open(
            kpi=kpi,
            by=_person(request),
            assignee=data["assignee"],
            due=data["due"],
            question=data["question"],
        ),
        where=kpi.name,
        back=_agenda_back(request, kpi),
        done=f"{kpi.name}: investigation opened.",
    )


@require_POST
def investigation_closed(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an investigation with its finding."""
    investigation = get_object_or_404(
        Investigation.objects.select_related("kpi"), pk=pk
    )
    return _acted(
        request,
        InvestigationCloseForm(request.POST),
        lambda data: investigation_close(
            investigation=investigation, by=_person(request), finding=data["finding"]
        ),
        where=f"Investigation of {investigation.kpi.name}",
        back=reverse("investigations") + f"#investigation-{investigation.pk}",
        done=f"Investigation of {investigation.kpi.name} closed.",
    )


def investigations(request: HttpRequest) -> HttpResponse:
    """Open and closed investigations; `?mine=1` those assigned to me, `?state=`
    open or closed."""
    mine = request.GET.get("mine") == "1"
    state = request.GET.get("state", "")
    rows = investigations_list(assigned_to=request.user if mine else None, state=state)
    editor_teams = editor_team_ids(request.user)
    context = {
        "investigations": [
            (row, can_close(request.user, row, editor_teams)) for row in rows
        ],
        "mine": mine,
        "state": state,
        "close_form": InvestigationCloseForm(),
    }
    return render(request, "review/investigations.html", context)
