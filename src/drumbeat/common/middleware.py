"""The site's own middleware: what every page and API answer shares."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


def never_cache_middleware(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """No page or API answer is kept by a browser or a proxy (`Cache-Control:
    no-store`): each is for the person signed in, or says that no one is, and a
    shared computer's Back button must not show them to the next person. Static
    files never come this far (WhiteNoise answers them first) and stay cacheable;
    an answer that set its own Cache-Control keeps it."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response

    return middleware
