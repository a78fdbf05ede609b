"""Template helpers of the import pages and the navigation's "Import" link."""

from __future__ import annotations

from django import template

from drumbeat.accounts.selectors import AnyUser
from drumbeat.core.display import (
    format_count,
    format_readings_counts,
    format_size,
)
from drumbeat.imports.models import ImportRun
from drumbeat.imports.selectors import can_import_readings

register = template.Library()


@register.filter
def may_import_readings(user: AnyUser) -> bool:
    """Whether to show the "Import" link: KPI owners and admins."""
    return can_import_readings(user)


@register.filter
def thousands(number: int | None) -> str:
    """12345 → "12,345"."""
    return "" if number is None else format_count(number)


@register.filter
def readings_counts(run: ImportRun) -> str:
    """ "1,200 readings: 1,000 new, 150 corrected, 50 unchanged", as the CLI says."""
    return format_readings_counts(
        total=run.total,
        created=run.created,
        corrected=run.corrected,
        unchanged=run.unchanged,
    )


@register.filter
def file_size(size: int) -> str:
    """93 → "93 bytes"; 12_600 → "12.3 KB"; 1_572_864 → "1.5 MB"."""
    return format_size(size)
