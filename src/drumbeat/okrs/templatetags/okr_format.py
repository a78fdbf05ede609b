"""Template filters for scores, grades and targets, using the core's rules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html

from drumbeat.core import display, rhythm
from drumbeat.core.model import Band
from drumbeat.core.suggest import Suggestion
from drumbeat.okrs.forms import key_result_draft_query
from drumbeat.okrs.grades import FrozenGrade, FrozenGrades

register = template.Library()


@register.filter
def grade(score: float | None) -> str:
    return display.grade_text(score) or ""


@register.filter
def chance(p: float | None) -> str:
    """A probability as a whole percent, without the sign; never 0 or 100 unless
    it is certain (0.998 is "99", not "100")."""
    if p is None:
        return ""
    if 0.0 < p < 1.0:
        return str(min(99, max(1, round(p * 100))))
    return str(round(p * 100))


@register.filter
def percent_floor(value: float | None) -> str:
    """Whole percent, rounded down (`display.percent_floor`), without the sign."""
    return "" if value is None else str(display.percent_floor(value))


@register.filter
def score_value(value: float | None) -> str:
    """A score for a `<meter value>` (0 to 1, at most four decimals): a bar's
    fill, clamped so that an overshoot fills it and a setback empties it."""
    return "" if value is None else f"{min(max(value, 0.0), 1.0):.4g}"


@register.filter
def percent_change(value: float | None) -> str:
    """A relative target's percent (`10.0` → `+10 %`), shown before the level it
    resolved to: `+10 % → 16.5`; empty for a target set as a level."""
    return "" if value is None else display.format_percent_change(value)


@register.filter
def target(value: Any, decimals: int | None = None) -> str:
    """A number or a band (stored as `[low, high]`), as `number` shows numbers
    (with the `decimals` of its KPI's readings when given)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return display.format_band(value[0], value[1], grouped=True, decimals=decimals)
    if isinstance(value, Band | int | float):
        return display.format_target(value, grouped=True, decimals=decimals)
    return str(value)


@register.filter
def key_result_target(kr: Any, decimals: int | None = None) -> str:
    """A KR's target, both ways when it was set as a percent change
    (`+10 % → 16.5`, the percent marked `data-relative-target`); else as `target`
    shows it, with its KPI's `decimals`."""
    relative = getattr(kr, "relative_target", None)
    if relative is None:
        return target(kr.target, decimals)
    return format_html(
        "<span data-relative-target>{} →</span> {}",
        percent_change(relative),
        target(kr.target),
    )


@register.filter
def confidence_trend(checkins: Iterable[Any]) -> str:
    """ " ↑" or " ↓" from the last two check-ins' confidence; "" when flat."""
    trend = rhythm.confidence_trend(checkins)
    return {"up": " ↑", "down": " ↓"}.get(trend or "", "")


@register.filter
def latest(items: Iterable[Any]) -> Any:
    """The last of prefetched items (a queryset's `last` would query again)."""
    listed = list(items)
    return listed[-1] if listed else None


@register.filter
def draft_query(suggestion: Suggestion) -> str:
    """The query string that opens the KR form with a suggestion's draft KR."""
    return key_result_draft_query(suggestion)


@register.filter
def frozen_objective(grades: Any, objective: Any) -> FrozenGrade | None:
    """An objective's frozen grade in its closed cycle's `grades`, or None (no
    `grades` in the page: an open cycle's)."""
    if not isinstance(grades, FrozenGrades):
        return None
    return grades.objective(objective.key)


@register.filter
def frozen_key_result(grades: Any, kr: Any) -> FrozenGrade | None:
    """A KR's frozen grade in its closed cycle's `grades`, or None."""
    if not isinstance(grades, FrozenGrades):
        return None
    return grades.key_result(kr.objective.key, kr.key)


@register.filter
def outcome_words(outcome: str | None) -> str:
    """An objective's outcome as words: `fell_short` → `fell short`."""
    return (outcome or "").replace("_", " ")
