"""A person as the pages name them."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import User

from drumbeat.accounts.selectors import person_display_name

register = template.Library()


@register.filter
def person(user: User | None, nobody: str = "someone") -> str:
    """`Maya Chen`, or the username without a full name; `nobody` for no account
    (one deleted since, or a command)."""
    return person_display_name(user, nobody)
