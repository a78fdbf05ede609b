"""Template filters that show core values the way the CLI does."""

from __future__ import annotations

import json
from typing import Any

from django import template

from drumbeat.core.display import format_measure, unfavourable_signals_text

register = template.Library()

HEALTH_LABELS = {"green": "Green", "amber": "Amber", "red": "Red", "unknown": "Unknown"}
LIFECYCLE_LABELS = {
    "okr_target": "OKR target",
    "completed": "Completed",
    "at_risk": "At risk",
    "watch": "Watch",
}


@register.filter
def number(value: float | None, decimals: int | None = None) -> str:
    """A number as every page shows it (`display.format_measure`): thousands
    grouped, with the `decimals` of its KPI's readings when given:
    `{{ kr.current|number:kr.decimals }}` → `15,270.0`."""
    return "" if value is None else format_measure(value, decimals=decimals)


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


@register.filter
def unfavourable_signals(signals: list[dict[str, Any]]) -> str:
    """ "below the process mean (rules 1, 2, 3)"; empty when none is unfavourable."""
    return unfavourable_signals_text(signals)
