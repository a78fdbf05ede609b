"""A person as the review's pages name them."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import User

register = template.Library()


@register.filter
def person(user: User | None, nobody: str = "someone") -> str:
    """`Maya Chen`, or the username without a full name; `nobody` for None."""
    if user is None:
        return nobody
    return user.get_full_name() or user.get_username()
