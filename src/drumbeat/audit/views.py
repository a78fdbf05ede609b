"""The audit log's page and its export, for admins. Thin: parse, select,
render."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from drumbeat.audit.models import Event
from drumbeat.audit.selectors import EventFilters, events_filtered
from drumbeat.common.guards import AdminRequest, admin_required

admin_only = admin_required("Only admins read the audit log.")

PAGE_SIZE = 100
COLUMNS = ("at", "who", "kind", "action", "subject", "summary", "changes")


@admin_only
def audit_log(request: AdminRequest) -> HttpResponse:
    """Every change, newest first, a hundred a page, filtered by kind, person,
    words and days."""
    filters = EventFilters.from_query(request.GET)
    page = Paginator(events_filtered(filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "kinds": Event.Kind.choices,
        "query": query.urlencode(),
    }
    return render(request, "audit/log.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@admin_only
def audit_export(request: AdminRequest) -> StreamingHttpResponse:
    """The filtered events as CSV, streamed (a log can be long)."""
    events = events_filtered(EventFilters.from_query(request.GET))
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(COLUMNS)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    event.at.isoformat(),
                    event.actor_name,
                    event.kind,
                    event.action,
                    event.subject,
                    event.summary,
                    event.changes or "",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    name = f"drumbeat-audit-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
