"""The application shell's navigation: which section a page belongs to, its links
marked `aria-current="page"` on that section's pages, and who sees the Admin menu.

`{% nav_link "kpi-dictionary" "KPIs" %}` is the link to the KPI dictionary, marked
current on every KPI page (the dictionary, a KPI, its edit form, a new reading).
"""

from __future__ import annotations

from django import template
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from drumbeat.common.guards import is_admin

register = template.Library()

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("review", ("kpi-review", "kpi-investigation", "investigation", "assessment")),
    ("my-week", ("my-week",)),
    ("dashboard", ("dashboard",)),
    ("kpis", ("kpi-", "reading-", "source-", "critical-success-factor")),
    ("okrs", ("cycle", "objective-", "key-result-", "check-in", "checkin-", "board-")),
    ("imports", ("imports-",)),
    ("exports", ("export",)),
    ("people", ("people", "person-", "invit", "lockout", "ownership-")),
    ("teams", ("team", "membership-")),
    ("webhooks", ("webhook",)),
    ("notifications", ("notifications",)),
    ("audit", ("audit-",)),
    ("settings", ("my-settings",)),
    ("password", ("password_change",)),
    ("tokens", ("token",)),
    ("help", ("help",)),
)
"""Sections by the prefixes of their pages' URL names, the first match winning
(`kpi-review` is the review's before `kpi-` is the KPIs')."""


def section_of(url_name: str | None) -> str:
    """The navigation section of the page named `url_name`; "" for none (the
    sign-in page, the API docs, an unknown page)."""
    if url_name:
        for section, prefixes in SECTIONS:
            if url_name.startswith(prefixes):
                return section
    return ""


def _current_section(context: template.Context) -> str:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return section_of(match.url_name if match else None)


@register.simple_tag(takes_context=True)
def nav_link(context: template.Context, url_name: str, label: str) -> SafeString:
    """A link of the navigation, `aria-current="page"` when the page shown is in
    the link's section."""
    if section_of(url_name) == _current_section(context):
        return format_html(
            '<a href="{}" aria-current="page">{}</a>', reverse(url_name), label
        )
    return format_html('<a href="{}">{}</a>', reverse(url_name), label)


@register.simple_tag(takes_context=True)
def current_section(context: template.Context) -> str:
    """The section of the page shown (`{% current_section as section %}`)."""
    return _current_section(context)


@register.filter
def may_administer(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether to show the Admin menu and admin-only buttons: the same test
    the admin-only views make (`drumbeat.common.guards.is_admin`)."""
    return is_admin(user)
