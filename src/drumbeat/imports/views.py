"""Import pages: upload a readings file, preview it, map its columns, import it in
the background and follow its progress. Thin: parse, call a service or a selector,
render; no page reads the file (its preview is read once, by the worker for a large
file). Only those who may record the readings of some KPI (its owners, admins) may
import, and only readings of KPIs they may record."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from drumbeat.common.htmx import HtmxHttpRequest
from drumbeat.imports.forms import LayoutForm, ReadingsUploadForm
from drumbeat.imports.models import ImportRun
from drumbeat.imports.readers.layouts import Format
from drumbeat.imports.readers.problems import FileRefusedError
from drumbeat.imports.selectors import (
    can_import_readings,
    import_run_first_rows,
    import_run_preview,
    import_run_progress,
    import_runs_visible_to,
    kpis_recordable_by,
)
from drumbeat.imports.services import (
    UploadError,
    import_run_layout_choose,
    import_run_start,
    import_upload,
    max_upload_bytes,
)

NOT_AN_IMPORTER = "Only a KPI's owner or an admin imports readings: you own no KPI."


def _importer(request: HttpRequest) -> User:
    if not can_import_readings(request.user) or not isinstance(request.user, User):
        raise PermissionDenied(NOT_AN_IMPORTER)
    return request.user


def _kpi_keys(user: User) -> list[str]:
    return list(kpis_recordable_by(user).order_by("key").values_list("key", flat=True))


def readings_imports(request: HttpRequest) -> HttpResponse:
    """Upload a readings file; the person's recent imports."""
    user = _importer(request)
    keys = _kpi_keys(user)
    if request.method == "POST":
        form = ReadingsUploadForm(request.POST, request.FILES, kpi_keys=keys)
        if form.is_valid():
            try:
                run = import_upload(
                    upload=form.cleaned_data["file"],
                    by=user,
                    kpi=form.cleaned_data["kpi"] or None,
                    sheet=form.cleaned_data["sheet"].strip() or None,
                )
            except UploadError as error:
                form.add_error("file", str(error))
            else:
                return redirect("imports-readings-run", pk=run.pk)
        status = 400
    else:
        form = ReadingsUploadForm(kpi_keys=keys)
        status = 200
    context = {
        "form": form,
        "runs": import_runs_visible_to(user)[:20],
        "max_megabytes": max_upload_bytes() // (1024 * 1024),
    }
    return render(request, "imports/readings.html", context, status=status)


def _run(request: HttpRequest, pk: int) -> tuple[User, ImportRun]:
    user = _importer(request)
    return user, get_object_or_404(import_runs_visible_to(user), pk=pk)


def _run_context(
    run: ImportRun, user: User, form: LayoutForm | None = None
) -> dict[str, Any]:
    context: dict[str, Any] = {"run": run}
    if run.status == ImportRun.Status.UPLOADED:
        preview = import_run_preview(run)
        context["preview"] = preview
        context["form"] = form or _layout_form(run, user)
        context["can_start"] = preview.layout is not None and not any(
            p.row is None or p.row <= preview.layout.header_row
            for p in preview.problems
        )
    else:
        context["progress"] = import_run_progress(run)
    return context


def _layout_form(
    run: ImportRun, user: User, data: Any = None, header_row: int | None = None
) -> LayoutForm:
    rows = import_run_first_rows(run)
    chosen = header_row or run.layout.get("header_row") or (rows[0][0] if rows else 1)
    headers = next((cells for number, cells in rows if number == chosen), [])
    width = max((len(cells) for _, cells in rows), default=1)
    return LayoutForm(
        data,
        initial=LayoutForm.initial_from(run.layout or {"header_row": chosen, "at": 0}),
        headers=headers,
        width=width,
        kpi_keys=_kpi_keys(user),
    )


def readings_import_run(request: HttpRequest, pk: int) -> HttpResponse:
    """An import: its preview and column mapping while it waits, its progress
    while it runs, then what it changed or why the file was refused."""
    user, run = _run(request, pk)
    return render(request, "imports/run.html", _run_context(run, user))


@require_POST
def readings_import_layout(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Change how the columns are read; the preview follows (htmx: in place)."""
    user, run = _run(request, pk)
    if run.status != ImportRun.Status.UPLOADED:
        return _to_run_page(request, run)
    try:
        header_row = int(request.POST.get("header_row", ""))
    except ValueError:
        header_row = None
    form = _layout_form(run, user, request.POST, header_row)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            run = import_run_layout_choose(
                run=run,
                format=Format(data["format"]),
                header_row=data["header_row"],
                at=data["at"],
                kpi=data["kpi"],
                value=data["value"],
                note=data["note"],
                fixed_kpi=data["fixed_kpi"] or None,
            )
        except FileRefusedError as error:
            for problem in error.problems:
                form.add_error(None, problem.message)
            status = 400
        except UploadError as error:
            form.add_error(None, str(error))
            status = 400
        else:
            if run.status != ImportRun.Status.UPLOADED:
                return _to_run_page(request, run)  # the worker reads the preview
            form = _layout_form(run, user)
    else:
        status = 400
    context = _run_context(run, user, form)
    template = "imports/run.html#preview" if request.htmx else "imports/run.html"
    return render(request, template, context, status=status)


def _to_run_page(request: HtmxHttpRequest, run: ImportRun) -> HttpResponse:
    """Back to the run's page (the whole page, also from an htmx request)."""
    url = reverse("imports-readings-run", kwargs={"pk": run.pk})
    if request.htmx:
        return HttpResponse(headers={"HX-Redirect": url})
    return redirect(url)


@require_POST
def readings_import_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Import the file (in the background); the page then follows its progress."""
    user, run = _run(request, pk)
    try:
        import_run_start(run=run)
    except UploadError as error:
        context = {**_run_context(run, user), "start_error": str(error)}
        return render(request, "imports/run.html", context, status=400)
    return redirect("imports-readings-run", pk=run.pk)


def readings_import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """How far the reading of a file's preview or its import has got (polled every
    second while the worker has it); once the preview is read, the run's page."""
    _, run = _run(request, pk)
    response = render(
        request,
        "imports/run.html#status",
        {"run": run, "progress": import_run_progress(run)},
    )
    if run.status == ImportRun.Status.UPLOADED:
        response["HX-Redirect"] = reverse("imports-readings-run", kwargs={"pk": pk})
    return response
