"""Who may close a cycle, for the pages that link to its close page: a link is
shown only to those the close page lets in."""

from __future__ import annotations

from django import template

from drumbeat.accounts.selectors import AnyUser
from drumbeat.okrs.models import Cycle
from drumbeat.scorecard.closing import can_close_cycle

register = template.Library()


@register.filter
def may_close(user: AnyUser, cycle: Cycle) -> bool:
    """Whether `user` may open `cycle`'s close page (`can_close_cycle`, the close
    page's own test): admins and the editors of its objectives' teams."""
    return can_close_cycle(user, cycle)
