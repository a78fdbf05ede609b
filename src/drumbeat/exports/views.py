"""The Export page and its downloads: everyone signed in may export. Thin:
parse, select, stream."""

from __future__ import annotations

import tempfile

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone

from drumbeat.exports.forms import ExportForm
from drumbeat.exports.selectors import ExportError, export_filter, export_table
from drumbeat.exports.writers import (
    CONTENT_TYPES,
    csv_chunks,
    file_name,
    json_chunks,
    xlsx_write,
)

FIELD_OF = {"kpi_keys": "kpi"}


def exports(request: HttpRequest) -> HttpResponse:
    """The export form, filled in from the query string (links from the
    dashboard and the cycle board carry their filters)."""
    form = ExportForm(initial=request.GET.dict())
    return render(request, "exports/exports.html", {"form": form})


def export_download(request: HttpRequest) -> HttpResponseBase:
    """The export as a download, streamed; a bad filter shows the form again
    with the field's message."""
    form = ExportForm(request.GET)
    if form.is_valid():
        data = form.cleaned_data
        try:
            export = export_filter(
                kind=data["kind"],
                team=data["team"],
                tier=data["tier"],
                perspective=data["perspective"],
                kpi_keys=form.kpi_keys(),
                cycle=data["cycle"],
                since=data["since"],
                until=data["until"],
                superseded=data["superseded"],
            )
        except ExportError as error:
            form.add_error(FIELD_OF.get(error.field, error.field), error.message)
        else:
            now = timezone.now()
            output_format = data["format"]
            table = export_table(export)
            name = file_name(export.kind, output_format, timezone.localdate(now))
            response: HttpResponseBase
            if output_format == "xlsx":
                # The workbook is built on disk, then streamed from there.
                spooled = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
                xlsx_write(table, spooled)
                spooled.seek(0)
                response = FileResponse(
                    spooled,
                    as_attachment=True,
                    filename=name,
                    content_type=CONTENT_TYPES["xlsx"],
                )
            else:
                chunks = (
                    csv_chunks(table)
                    if output_format == "csv"
                    else json_chunks(table, export, now)
                )
                response = StreamingHttpResponse(
                    chunks, content_type=CONTENT_TYPES[output_format]
                )
                response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return render(request, "exports/exports.html", {"form": form}, status=400)
