"""Template filters for scores, grades and targets, using the core's rules."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from django import template

from drumbeat.core.model import Band
from drumbeat.core.numbers import format_number, format_target
from drumbeat.core.suggest import Suggestion
from drumbeat.okrs.forms import key_result_draft_query
from drumbeat.okrs.selectors import grade_of

register = template.Library()


@register.filter
def grade(score: float | None) -> str:
    return grade_of(score) or ""


@register.filter
def percent_floor(value: float | None) -> str:
    """Whole percent, rounded down so that 0.6996 (yellow) never reads 70."""
    return "" if value is None else str(math.floor(value * 100))


@register.filter
def target(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return f"[{format_number(value[0])}, {format_number(value[1])}]"
    if isinstance(value, Band):
        return format_target(value)
    return format_number(value) if isinstance(value, int | float) else str(value)


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
