"""How the board report words its values (the rules in `drumbeat.core.display`)."""

from __future__ import annotations

from django import template

from drumbeat.core import display
from drumbeat.core.attribution import KPICycleAttribution, Movement, verdict_words

register = template.Library()


@register.filter
def movement(value: Movement, unit: str = "") -> str:
    return display.movement_text(value, unit)


@register.filter
def cycle_verdict(value: KPICycleAttribution, unit: str = "") -> str:
    """The KPI's movement over the cycle with attribution's verdict on it."""
    return display.movement_text(value.movement, unit, verdict_words(value))


@register.filter
def outcome_label(value: str) -> str:
    return display.outcome_text(value)
