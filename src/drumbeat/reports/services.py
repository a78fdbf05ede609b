"""Writes of the board report: the admins' commentary on its sections."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from drumbeat.audit.models import Event
from drumbeat.audit.services import change_record, values_of
from drumbeat.common.editing import lock_for_edit
from drumbeat.common.guards import require_admin
from drumbeat.okrs.models import Cycle
from drumbeat.reports.models import ReportCommentary, Section

COMMENTARY_LIMIT = 5000
"""The longest commentary a section takes, in characters: a few paragraphs."""


@transaction.atomic
def report_commentary_save(
    *, cycle: Cycle, section: str, text: str, by: User, version: int | None
) -> ReportCommentary:
    """Write the commentary on one section of a cycle's report: admins only; a
    save over someone else's newer one is refused (`version`, 0 for a new one)."""
    require_admin(by, "Only admins write the board report's commentary.")
    if section not in Section.values:
        raise ValidationError(
            f"No section {section!r} in the board report: "
            f"one of {', '.join(Section.values)}."
        )
    text = text.strip()
    if len(text) > COMMENTARY_LIMIT:
        raise ValidationError(
            {"text": f"At most {COMMENTARY_LIMIT} characters ({len(text)} given)."}
        )
    existing = ReportCommentary.objects.filter(cycle=cycle, section=section).first()
    if existing is None:
        row = ReportCommentary(cycle=cycle, section=section, text=text, version=1)
        before = None
    else:
        row = lock_for_edit(ReportCommentary, existing.pk, version)
        before = values_of(row, ["text"])
        row.text = text
    row.updated_by = by
    row._history_user = by  # type: ignore[attr-defined]
    row.save()
    change_record(
        kind=Event.Kind.CYCLE,
        subject=f"{cycle.key} report: {Section(section).label}",
        by=by,
        before=before,
        after=values_of(row, ["text"]),
    )
    return row
