"""The application's own error pages (403, 404, 500), in its look, with a plain
sentence and a way back; under /api/ the API's JSON error shape instead.

The 500 page renders from the template alone, without the request's context or
the database: it is what a person sees when one of them failed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    """The API's error shape (`drumbeat.server.api.error`), built without the
    API object: a URL outside every route never reached it."""
    return JsonResponse(
        {"error": {"status": status, "code": code, "message": message, "problems": []}},
        status=status,
    )


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403: what the person may not do, in the refusal's own words when it has
    some ("Only admins manage people and teams.")."""
    reason = str(exception) if exception.args else ""
    if _is_api(request):
        return _api_error(403, "forbidden", reason or "Not allowed.")
    return render(request, "403.html", {"reason": reason}, status=403)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: nothing at this address."""
    if _is_api(request):
        return _api_error(404, "not_found", "No such route.")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: a fault of the server's, rendered from the template alone (no
    context processors, no database)."""
    if _is_api(request):
        return _api_error(500, "server_error", "The server failed; try again.")
    return HttpResponseServerError(loader.get_template("500.html").render())
