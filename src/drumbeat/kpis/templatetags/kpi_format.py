"""Template filters that show core values the way the CLI does."""

from __future__ import annotations

import json
from typing import Any

from django import template

from drumbeat.core.numbers import format_number

register = template.Library()

HEALTH_LABELS = {"green": "Green", "amber": "Amber", "red": "Red", "unknown": "Unknown"}
LIFECYCLE_LABELS = {
    "okr_target": "OKR target",
    "completed": "Completed",
    "at_risk": "At risk",
    "watch": "Watch",
}


@register.filter
def number(value: float | None) -> str:
    return "" if value is None else format_number(value)


@register.filter
def health_label(value: str) -> str:
    return HEALTH_LABELS.get(value, value)


@register.filter
def lifecycle_label(value: str) -> str:
    return LIFECYCLE_LABELS.get(value, value)


@register.filter
def json_attr(value: Any) -> str:
    """JSON for a data attribute (the template escapes it for HTML)."""
    return json.dumps(value)
