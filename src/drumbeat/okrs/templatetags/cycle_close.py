"""The banner of cycles overdue for close, for pages of other apps (the
dashboard) that may not import the OKRs."""

from __future__ import annotations

from typing import Any

from django import template

from drumbeat.okrs.models import Cycle
from drumbeat.okrs.selectors import (
    cycle_standing,
    cycles_closable_by,
    cycles_overdue_for_close,
    last_reopened,
)

register = template.Library()


@register.inclusion_tag("okrs/_overdue_for_close.html", takes_context=True)
def overdue_for_close(context: dict[str, Any]) -> dict[str, Any]:
    """A line per cycle still closing more than 14 days after its end, with a link
    to its close page for those who may close it."""
    overdue = cycles_overdue_for_close()
    closable = cycles_closable_by(
        context["request"].user, [cycle for cycle, _ in overdue]
    )
    return {"overdue": overdue, "closable": closable}


@register.inclusion_tag("okrs/_close_notice.html", takes_context=True)
def close_notice(context: dict[str, Any], cycle: Cycle) -> dict[str, Any]:
    """On the cycle board: the link to the close page (for those who may close),
    and the last reopening with its reason."""
    user = context["request"].user
    return {
        "cycle": cycle,
        "standing": cycle_standing(cycle),
        "may_close": cycle.pk in cycles_closable_by(user, [cycle]),
        "reopened": last_reopened(cycle),
    }
