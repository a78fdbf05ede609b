"""The request type of the pages that answer htmx: django-htmx's middleware gives
every request `htmx`, which is true when htmx made the request."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (for type checking only)."""

    htmx: HtmxDetails
