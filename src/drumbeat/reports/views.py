"""The board report of a cycle: the page (with the admins' commentary forms), its
PDF, and the commentary's save."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from drumbeat.common.editing import save_from_form
from drumbeat.common.guards import AdminRequest, admin_required, is_admin
from drumbeat.okrs.models import Cycle
from drumbeat.reports.forms import CommentaryForm
from drumbeat.reports.models import Section
from drumbeat.reports.pdf import report_pdf
from drumbeat.reports.selectors import BoardReport, board_report
from drumbeat.reports.services import report_commentary_save

REPORT_STYLESHEET = "drumbeat/report.css"


def board_report_page(request: HttpRequest, key: str) -> HttpResponse:
    """The report of a cycle: anyone signed in reads it; admins write commentary."""
    report = board_report(get_object_or_404(Cycle, key=key))
    return _render_page(request, report)


def _render_page(
    request: HttpRequest,
    report: BoardReport,
    refused: tuple[str, CommentaryForm] | None = None,
) -> HttpResponse:
    forms: dict[str, CommentaryForm] = {}
    if is_admin(request.user):
        for section in Section.values:
            written = report.commentary.get(section)
            forms[section] = CommentaryForm(
                initial={
                    "text": written.text if written else "",
                    "version": written.version if written else 0,
                }
            )
        if refused:
            forms[refused[0]] = refused[1]
    context = {"report": report, "sections": _sections(report, forms)}
    status = 400 if refused else 200
    return render(request, "reports/board_report.html", context, status=status)


def _sections(
    report: BoardReport, forms: dict[str, CommentaryForm]
) -> dict[str, dict[str, object]]:
    """Each section's title, commentary and (for admins) its form, by section."""
    return {
        section.value: {
            "title": section.label,
            "commentary": report.commentary.get(section.value),
            "form": forms.get(section.value),
        }
        for section in Section
    }


def board_report_pdf(request: HttpRequest, key: str) -> HttpResponse:
    """The report as a PDF, laid out on the server (anyone signed in): on A4, or
    on US Letter with `?paper=letter`."""
    cycle = get_object_or_404(Cycle, key=key)
    report = board_report(cycle)
    html = render_to_string(
        "reports/board_report_document.html",
        {
            "report": report,
            "sections": _sections(report, {}),
            "stylesheet": settings.STATIC_URL + REPORT_STYLESHEET,
            "paper": "letter" if request.GET.get("paper") == "letter" else "a4",
        },
    )
    response = HttpResponse(report_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=True, filename=f"drumbeat-report-{cycle.key}.pdf"
        )
        or "attachment"
    )
    return response


@require_POST
@admin_required("Only admins write the board report's commentary.")
def commentary_save(request: AdminRequest, key: str, section: str) -> HttpResponse:
    """Save an admin's commentary on one section; back to the report."""
    cycle = get_object_or_404(Cycle, key=key)
    if section not in Section.values:
        raise Http404(f"No section {section!r} in the board report.")
    form = CommentaryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        saved = save_from_form(
            form,
            lambda: report_commentary_save(
                cycle=cycle,
                section=section,
                text=data["text"],
                by=request.user,
                version=data["version"],
            ),
        )
        if saved is not None:
            return redirect(reverse("board-report", args=[cycle.key]) + f"#{section}")
    return _render_page(request, board_report(cycle), (section, form))
