"""Template tags that say what things mean, from the one glossary
(`drumbeat.core.glossary`) and the core's health explanation.

    {% load explain %}
    <span class="badge lifecycle {{ status.lifecycle }}" {% explain status.lifecycle %}>
    <span class="scorebar grade" {% explain "grade" kr_grade %}>
    {% health_why kpi as why %}{{ why.short }}
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from drumbeat.core.explain import (
    HealthExplanation,
    health_explanation,
    thresholds_from_plain,
)
from drumbeat.core.glossary import TERMS, term_key

register = template.Library()


@register.simple_tag
def explain(*parts: Any) -> SafeString:
    """`tabindex="0" data-tooltip="..."`: the attributes that give an element its
    glossary text as a tooltip a keyboard reaches too. The parts name the term as
    the pages hold its value (`at_risk`; `"grade", "yellow"`); an unknown term
    gives nothing, so a new value never breaks a page."""
    return _tooltip(term_key(*(str(part) for part in parts if part is not None)))


@cache
def _tooltip(key: str) -> SafeString:
    """A term's tooltip attributes, escaped once (a dashboard asks for thousands)."""
    found = TERMS.get(key)
    if found is None:
        return SafeString("")
    return format_html('tabindex="0" data-tooltip="{}"', found.short)


@register.simple_tag
def explain_url(*parts: Any) -> str:
    """`/help/#watch`: where the help page explains a term in full."""
    return f"{reverse('help')}#{term_key(*(str(part) for part in parts))}"


@register.simple_tag
def health_why(kpi: Any) -> HealthExplanation | None:
    """Why a KPI has its health, from its stored status (None without one)."""
    status = getattr(kpi, "status", None)
    if status is None:
        return None
    return health_explanation(
        health=status.health,
        threshold_health=status.threshold_health,
        direction=kpi.direction,
        thresholds=thresholds_from_plain(kpi.thresholds),
        latest_value=status.latest_value,
        latest_day=status.latest_day,
        as_of=status.as_of,
        stale=status.stale,
        cadence=kpi.cadence or None,
        signals=status.signals,
        unit=kpi.unit,
    )
