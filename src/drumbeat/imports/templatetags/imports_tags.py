"""Template helpers of the import pages and the navigation's "Import" link."""

from __future__ import annotations

from django import template

from drumbeat.accounts.selectors import AnyUser
from drumbeat.imports.selectors import can_import_readings

register = template.Library()


@register.filter
def may_import_readings(user: AnyUser) -> bool:
    """Whether to show the "Import" link: KPI owners and admins."""
    return can_import_readings(user)


@register.filter
def thousands(number: int | None) -> str:
    """12345 → "12,345"."""
    return "" if number is None else f"{number:,}"


@register.filter
def file_size(size: int) -> str:
    """93 → "93 bytes"; 12_600 → "12.3 KB"; 1_572_864 → "1.5 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
