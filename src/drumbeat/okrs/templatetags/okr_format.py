"""Template filters for scores, grades and targets, using the core's rules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from drumbeat.core import display
from drumbeat.core.model import Band
from drumbeat.core.suggest import Suggestion
from drumbeat.okrs.forms import key_result_draft_query

register = template.Library()


@register.filter
def grade(score: float | None) -> str:
    return display.grade_text(score) or ""


@register.filter
def percent_floor(value: float | None) -> str:
    """Whole percent, rounded down (`display.percent_floor`), without the sign."""
    return "" if value is None else str(display.percent_floor(value))


@register.filter
def target(value: Any) -> str:
    """A number or a band (stored as `[low, high]`), grouped as `number` is."""
    if value is None:
        return ""
    if isinstance(value, list):
        return display.format_band(value[0], value[1], grouped=True)
    if isinstance(value, Band | int | float):
        return display.format_target(value, grouped=True)
    return str(value)


@register.filter
def confidence_trend(checkins: Iterable[Any]) -> str:
    """ " ↑" or " ↓" from the last two check-ins' confidence; "" when flat."""
    values = [c.confidence for c in checkins if c.confidence is not None]
    if len(values) < 2 or values[-1] == values[-2]:
        return ""
    return " ↑" if values[-1] > values[-2] else " ↓"


@register.filter
def latest(items: Iterable[Any]) -> Any:
    """The last of prefetched items (a queryset's `last` would query again)."""
    listed = list(items)
    return listed[-1] if listed else None


@register.filter
def draft_query(suggestion: Suggestion) -> str:
    """The query string that opens the KR form with a suggestion's draft KR."""
    return key_result_draft_query(suggestion)
