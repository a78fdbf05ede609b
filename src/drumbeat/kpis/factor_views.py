"""The page of the organisation's critical success factors: everyone signed in
reads it; admins add, rename and delete them. Thin: parse, call one service,
render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from drumbeat.common.editing import add_problems_to_form
from drumbeat.common.guards import require_admin
from drumbeat.kpis.forms import CriticalSuccessFactorForm
from drumbeat.kpis.models import CriticalSuccessFactor
from drumbeat.kpis.selectors import (
    can_manage_critical_success_factors,
    critical_success_factors_used,
)
from drumbeat.kpis.services.factors import (
    FACTORS_ADMINS_ONLY,
    critical_success_factor_create,
    critical_success_factor_delete,
    critical_success_factor_rename,
)
from drumbeat.workspace import WorkspaceError


def critical_success_factors(request: HttpRequest) -> HttpResponse:
    """The list, with the KPIs that name each; an admin's new factor posted."""
    if request.method != "POST":
        return _page(request, CriticalSuccessFactorForm())
    require_admin(request.user, FACTORS_ADMINS_ONLY)
    form = CriticalSuccessFactorForm(request.POST)
    if form.is_valid():
        try:
            factor = critical_success_factor_create(
                key=form.cleaned_data["key"],
                name=form.cleaned_data["name"],
                by=request.user,
            )
        except WorkspaceError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(request, f"Critical success factor '{factor.key}' added.")
            return redirect("critical-success-factors")
    return _page(request, form, status=400)


@require_POST
def critical_success_factor_change(
    request: HttpRequest, key: str, action: str
) -> HttpResponse:
    """An admin's rename (`name` posted) or delete of one factor; a refusal shown
    above the list, naming the field or the KPIs in the way."""
    require_admin(request.user, FACTORS_ADMINS_ONLY)
    factor = get_object_or_404(CriticalSuccessFactor, key=key)
    try:
        if action == "delete":
            critical_success_factor_delete(factor=factor, by=request.user)
            done = f"Critical success factor '{key}' deleted."
        else:
            name = request.POST.get("name", "")
            critical_success_factor_rename(factor=factor, name=name, by=request.user)
            done = f"Critical success factor '{key}' renamed."
    except WorkspaceError as error:
        refusal = "; ".join(f"{p.field}: {p.message}" for p in error.problems)
    except ValidationError as error:
        refusal = " ".join(error.messages)
    else:
        messages.success(request, done)
        return redirect("critical-success-factors")
    return _page(request, CriticalSuccessFactorForm(), refusal=refusal, status=400)


def _page(
    request: HttpRequest,
    form: CriticalSuccessFactorForm,
    *,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "factors": critical_success_factors_used(),
        "form": form,
        "can_manage": can_manage_critical_success_factors(request.user),
        "refusal": refusal,
    }
    return render(request, "kpis/critical_success_factors.html", context, status=status)
