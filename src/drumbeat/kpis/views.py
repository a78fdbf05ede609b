"""KPI pages: the Balanced Dashboard and a KPI's own page. Thin: parse, select,
render."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from drumbeat.accounts.models import Team
from drumbeat.common.archiving import archive_button
from drumbeat.common.editing import add_problems_to_form, save_from_form
from drumbeat.common.guards import AdminRequest, admin_required, is_admin, require_admin
from drumbeat.common.htmx import HtmxHttpRequest
from drumbeat.core.model import Tier
from drumbeat.kpis.forms import (
    WORKSPACE_FIELD_ALIASES,
    KPICreateForm,
    KPIDefinitionForm,
    KPIFieldsForm,
    KPISourceForm,
)
from drumbeat.kpis.models import KPI
from drumbeat.kpis.selectors import (
    DASHBOARD_OPEN_LIMIT,
    DASHBOARD_SECTIONS,
    EXCEPTIONS,
    OTHER,
    PERSPECTIVES,
    DashboardFilters,
    DictionaryFilters,
    can_edit_definition,
    dashboard_counts,
    dashboard_kpis,
    dashboard_section_page,
    dictionary_page,
    kpi_draft_findings,
    north_star_many_warning,
)
from drumbeat.kpis.services import definitions
from drumbeat.kpis.services.definitions import (
    SOURCE_FIELDS,
    kpi_archive,
    kpi_restore,
    kpi_source_update,
    kpi_update,
)
from drumbeat.kpis.sources.services import PullRefusedError, source_pull_request
from drumbeat.kpis.templatetags.kpi_format import HEALTH_LABELS, LIFECYCLE_LABELS
from drumbeat.workspace import WorkspaceError


def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """The north-star KPI on top, then the four perspectives, each KPI a tile; above
    `DASHBOARD_OPEN_LIMIT` KPIs, the exceptions open and the perspectives collapsed
    with their counts, each perspective's tiles loaded when it is opened."""
    # Archived KPIs are off the dashboard: the dictionary shows them on demand.
    filters = replace(DashboardFilters.from_query(request.GET), archived=False)
    counts = dashboard_counts(filters)
    shown = sum(section.total for section in counts)
    context: dict[str, object] = {
        "filters": filters,
        "query": urlencode(filters.query()),
        # Plain values: a large organisation's teams, only to name in the filter.
        "teams": Team.objects.filter(archived_at__isnull=True).values("key", "name"),
        "tiers": [t.value for t in Tier],
        "perspectives": PERSPECTIVES,
        # Admins mark the north star: the ones to act on the warning.
        "north_star_many": north_star_many_warning()
        if is_admin(request.user) and not request.htmx
        else None,
    }
    if shown > DASHBOARD_OPEN_LIMIT:
        context |= {
            "collapsed": True,
            "north_star": dashboard_kpis(filters).filter(north_star=True).first(),
            "counts": counts,
            "count": shown,
            "exceptions": dashboard_section_page(filters, EXCEPTIONS),
            "exceptions_count": sum(section.exceptions for section in counts),
        }
    else:
        kpis = list(dashboard_kpis(filters))
        north_star = next((k for k in kpis if k.north_star), None)
        sections = [
            (
                perspective,
                [
                    k
                    for k in kpis
                    if k.perspective == perspective and k is not north_star
                ],
            )
            for perspective in PERSPECTIVES
        ]
        unassigned = [
            k for k in kpis if k.perspective not in PERSPECTIVES and k is not north_star
        ]
        if unassigned:
            sections.append((OTHER, unassigned))
        context |= {
            "north_star": north_star,
            "sections": [(name, tiles) for name, tiles in sections if tiles],
            "count": len(kpis),
        }
    template = "kpis/dashboard.html#tiles" if request.htmx else "kpis/dashboard.html"
    return render(request, template, context)


def dashboard_section(request: HtmxHttpRequest, section: str) -> HttpResponse:
    """A page of one dashboard section's tiles (a perspective, "other" or
    "exceptions"), with the dashboard's filters: what a collapsed perspective loads
    when opened, and its page of its own without JavaScript."""
    if section not in DASHBOARD_SECTIONS:
        raise Http404(f"No dashboard section {section!r}.")
    page_text = request.GET.get("page", "1")
    if not page_text.isdigit() or int(page_text) < 1:
        return HttpResponseBadRequest(
            "page: give a whole number from 1, such as ?page=2.",
            content_type="text/plain; charset=utf-8",
        )
    filters = replace(DashboardFilters.from_query(request.GET), archived=False)
    context = {
        "page": dashboard_section_page(filters, section, int(page_text)),
        "query": urlencode(filters.query()),
        "section": section,
    }
    template = (
        "kpis/dashboard.html#section-page"
        if request.htmx
        else "kpis/dashboard_section.html"
    )
    return render(request, template, context)


def kpi_dictionary(request: HtmxHttpRequest) -> HttpResponse:
    """The KPI dictionary: a page of KPIs, searched and filtered."""
    filters = DictionaryFilters.from_query(request.GET)
    context = {
        "page": dictionary_page(filters, request.GET.get("page")),
        "filters": filters,
        "can_create": is_admin(request.user),
        "teams": Team.objects.filter(archived_at__isnull=True),
        "tiers": [t.value for t in Tier],
        "perspectives": PERSPECTIVES,
        "lifecycles": LIFECYCLE_LABELS,
        "healths": HEALTH_LABELS,
        "north_star_many": None if request.htmx else north_star_many_warning(),
    }
    template = "kpis/dictionary.html#rows" if request.htmx else "kpis/dictionary.html"
    return render(request, template, context)


@require_POST
def source_pull_now(request: HttpRequest, key: str) -> HttpResponse:
    """Queue a pull of a KPI's SQL source now: its owner and admins."""
    kpi = get_object_or_404(KPI, key=key)
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in to pull a KPI's source.")
    try:
        queued = source_pull_request(kpi=kpi, by=request.user)
    except PullRefusedError as error:
        messages.error(request, str(error))
    else:
        if queued:
            messages.success(
                request,
                "Pull queued: the worker runs it within seconds; reload this page "
                "to see its readings.",
            )
        else:
            messages.info(request, "A pull of this KPI is already queued or running.")
    return redirect("kpi-detail", key=kpi.key)


def kpi_edit(request: HttpRequest, key: str) -> HttpResponse:
    """Edit a KPI's definition and thresholds: its owner and admins only. A save
    over someone else's newer change is refused, never a silent overwrite."""
    kpi = get_object_or_404(KPI.objects.select_related("status", "team"), key=key)
    if not can_edit_definition(request.user, kpi):
        raise PermissionDenied("Only the KPI's owner or an admin edits its definition.")
    admin = is_admin(request.user)
    if request.method != "POST":
        return _kpi_edit_page(request, kpi, KPIDefinitionForm.of(kpi, admin=admin))
    form = KPIDefinitionForm.of(kpi, request.POST, admin=admin)
    if form.is_valid() and isinstance(request.user, User):
        user = request.user
        values = form.kpi_values()
        saved = save_from_form(
            form,
            lambda: kpi_update(
                kpi=kpi,
                values=values,
                thresholds=values["thresholds"],
                by=user,
                version=form.cleaned_data["version"],
            ),
            WORKSPACE_FIELD_ALIASES,
        )
        if saved is not None:
            messages.success(
                request, "Definition saved; the change is kept in its history."
            )
            return redirect("kpi-detail", key=kpi.key)
    return _kpi_edit_page(request, kpi, form, status=400)


def _source_form(request: HttpRequest, kpi: KPI) -> KPISourceForm | None:
    """The source form as it opens: for admins; for the owner unless the source
    is SQL (which the owner sees read-only)."""
    admin = is_admin(request.user)
    if kpi.source.get("type") == "sql" and not admin:
        return None
    initial = {name: kpi.source.get(name, "") for name in SOURCE_FIELDS}
    return KPISourceForm(
        initial={
            **initial,
            "type": initial["type"] or "manual",
            "version": kpi.version,
        },
        allow_sql=admin,
    )


def _kpi_edit_page(
    request: HttpRequest,
    kpi: KPI,
    form: KPIDefinitionForm,
    source_form: KPISourceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "kpi": kpi,
        "form": form,
        "source_form": (
            source_form if source_form is not None else _source_form(request, kpi)
        ),
    }
    return render(request, "kpis/kpi_edit.html", context, status=status)


@require_POST
def kpi_source_edit(request: HttpRequest, key: str) -> HttpResponse:
    """Change where a KPI's readings come from: admins; the owner too, unless it
    is or becomes an SQL source (its query runs on a company database)."""
    kpi = get_object_or_404(KPI.objects.select_related("status", "team"), key=key)
    if not can_edit_definition(request.user, kpi):
        raise PermissionDenied("Only the KPI's owner or an admin edits its source.")
    form = KPISourceForm(request.POST, allow_sql=is_admin(request.user))
    if form.is_valid() and isinstance(request.user, User):
        user = request.user
        saved = save_from_form(
            form,
            lambda: kpi_source_update(
                kpi=kpi,
                source=form.source(),
                by=user,
                version=form.cleaned_data["version"],
            ),
        )
        if saved is not None:
            messages.success(
                request, "Source saved; the change is kept in the KPI's history."
            )
            return redirect("kpi-detail", key=kpi.key)
    definition = KPIDefinitionForm.of(kpi, admin=is_admin(request.user))
    return _kpi_edit_page(request, kpi, definition, form, status=400)


ADMINS_ONLY = "Only an admin manages the KPI dictionary."


@admin_required(ADMINS_ONLY)
def kpi_create(request: AdminRequest) -> HttpResponse:
    """Add a KPI to the dictionary: admins only."""
    if request.method != "POST":
        return render(request, "kpis/kpi_create.html", {"form": KPICreateForm()})
    form = KPICreateForm(request.POST)
    if form.is_valid():
        try:
            kpi = definitions.kpi_create(values=form.kpi_values(), by=request.user)
        except WorkspaceError as error:
            add_problems_to_form(form, error, WORKSPACE_FIELD_ALIASES)
        else:
            messages.success(request, f"KPI '{kpi.key}' added to the dictionary.")
            return redirect("kpi-detail", key=kpi.key)
    return render(request, "kpis/kpi_create.html", {"form": form}, status=400)


@require_POST
def kpi_lint(request: HttpRequest) -> HttpResponse:
    """The lint findings on the KPI being written in a create form, or in the edit
    form of the KPI `?kpi=KEY`: a partial the form shows as it changes. Admins and
    (for an edit) the KPI's owner only. Saves nothing."""
    key = request.GET.get("kpi")
    kpi = (
        get_object_or_404(KPI.objects.select_related("team"), key=key) if key else None
    )
    form: KPIFieldsForm
    if kpi is not None:
        if not can_edit_definition(request.user, kpi):
            raise PermissionDenied(
                "Only the KPI's owner or an admin edits its definition."
            )
        form = KPIDefinitionForm.of(kpi, request.POST, admin=is_admin(request.user))
    else:
        require_admin(request.user, ADMINS_ONLY)
        form = KPICreateForm(request.POST)
    findings = None
    if form.is_valid():
        try:
            findings = kpi_draft_findings(kpi=kpi, draft=form.kpi_values())
        except WorkspaceError as error:
            add_problems_to_form(form, error, WORKSPACE_FIELD_ALIASES)
    context = {"lint_form": form, "lint_findings": findings}
    return render(request, "kpis/_lint.html", context)


@require_POST
def kpi_archived(request: HttpRequest, key: str, archived: bool) -> HttpResponse:
    """Archive or restore a KPI from its page: its owner and admins."""
    kpi = get_object_or_404(KPI, key=key)
    return archive_button(
        request,
        lambda user: (
            kpi_archive(kpi=kpi, by=user) if archived else kpi_restore(kpi=kpi, by=user)
        ),
        back=reverse("kpi-detail", args=[kpi.key]),
        done=f"{kpi.name} archived: off the dashboard, the dictionary and lint."
        if archived
        else f"{kpi.name} restored.",
    )
