"""My week and the check-in meeting's agenda: thin views over `review.selectors`."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from drumbeat.accounts.selectors import can_edit_team_okrs
from drumbeat.okrs import views as okr_views
from drumbeat.okrs.forms import CheckInForm
from drumbeat.okrs.models import KeyResult
from drumbeat.review.week import (
    agenda_cycle,
    agenda_team,
    checkin_agenda_for,
    key_result_item,
    my_week,
)


def my_week_page(request: HttpRequest) -> HttpResponse:
    """What needs the signed-in person this week; the dashboard for a person who
    owns nothing and is assigned nothing."""
    user = request.user
    assert isinstance(user, User)  # the sign-in middleware let only people in
    week = my_week(user)
    if not week.owns_anything:
        return redirect("dashboard")
    context = {
        "week": week,
        "form": CheckInForm(),
        "today": timezone.localdate().isoformat(),
    }
    return render(request, "review/my_week.html", context)


def my_week_check_in(
    request: HttpRequest, objective_key: str, kr_key: str
) -> HttpResponse:
    """A check-in from My week (htmx): saved as on the objective's page (the same
    view, rules and refusals), answered with the KR's My week row."""
    answer = okr_views.check_in(request, objective_key, kr_key)
    if answer.status_code != 200:
        return answer
    key_result = KeyResult.objects.select_related("objective__cycle").get(
        objective__key=objective_key, key=kr_key
    )
    context = {
        "entry": key_result_item(key_result),
        "form": CheckInForm(),
        "today": timezone.localdate().isoformat(),
        "saved": True,
    }
    return render(request, "review/my_week.html#key-result", context)


def checkin_meeting(request: HttpRequest) -> HttpResponse:
    """The check-in meeting's agenda of a cycle (`?cycle=`, default the running
    one) and optionally a team (`?team=`), attention first."""
    try:
        cycle = agenda_cycle(request.GET.get("cycle"))
        team = agenda_team(request.GET.get("team"))
    except Http404 as missing:
        missing_context = {"message": str(missing)}
        return render(request, "review/not_found.html", missing_context, status=404)
    items = checkin_agenda_for(cycle, team.key if team else None)
    context = {
        "cycle": cycle,
        "team": team,
        "items": items,
        "can_check_in": {
            entry.row.pk: can_edit_team_okrs(request.user, entry.row.objective.team)
            for entry in items
        },
    }
    return render(request, "review/checkin_agenda.html", context)
