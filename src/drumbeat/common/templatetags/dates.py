"""Dates and times as every page writes them: with the time zone they are in.

`{{ event.at|when }}` gives `<time datetime="2026-12-06T14:05:00+00:00">2026-12-06
14:05 UTC</time>` in the time zone the server is set to (`DRUMBEAT_TIME_ZONE`), so
a reader in another office knows which 14:05 it is; `{{ due|day }}` gives
`2026-12-06`.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

_FORMATS = {"minutes": "%Y-%m-%d %H:%M", "seconds": "%Y-%m-%d %H:%M:%S"}


def local_moment(moment: dt.datetime) -> dt.datetime:
    """The moment in the current time zone (the server's, `settings.TIME_ZONE`);
    a naive one is taken to be in that zone already."""
    if timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return timezone.localtime(moment)


def when_text(moment: dt.datetime, precision: str = "minutes") -> str:
    """`2026-12-06 14:05 UTC`: the moment in the current time zone with the zone's
    abbreviation (`CET`, `EST`, or an offset such as `+04` where the zone has no
    abbreviation)."""
    local = local_moment(moment)
    return f"{local.strftime(_FORMATS[precision])} {local.tzname()}"


@register.filter(is_safe=True)
def when(moment: dt.datetime | None, precision: str = "minutes") -> SafeString | str:
    """A `<time>` element reading `2026-12-06 14:05 UTC` (`when:"seconds"` adds
    the seconds), or "" for no moment, so `|default:"never"` works after it."""
    if moment is None or moment == "":
        return ""
    if precision not in _FORMATS:
        raise template.TemplateSyntaxError(
            f'when: the precision is "minutes" or "seconds", not {precision!r}'
        )
    return format_html(
        '<time datetime="{}">{}</time>',
        local_moment(moment).isoformat(timespec="seconds"),
        when_text(moment, precision),
    )


@register.filter
def day(value: dt.date | dt.datetime | None) -> str:
    """`2026-12-06`: a date, or the day a moment falls on in the current time
    zone; "" for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = local_moment(value).date()
    return value.isoformat()
