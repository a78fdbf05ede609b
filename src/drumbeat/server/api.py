"""The REST API at /api/v1, with its OpenAPI 3 schema at /api/v1/openapi.json and
interactive docs at /api/v1/docs (for people signed in, or with a token).

Browsers use their session (and its CSRF token); scripts send a personal token as
`Authorization: Bearer dbt_...`. A token's scopes narrow what it may do; they never
widen the person's role. Every error is JSON of one shape:
`{"error": {"status", "code", "message", "problems": [{"field", "message",
"index"?}]}}`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from drumbeat.accounts.auth import TokenAuth
from drumbeat.common.busy import busy_response, database_busy
from drumbeat.common.editing import StaleEditError
from drumbeat.kpis.api import router as kpis_router
from drumbeat.kpis.services.readings import IngestError
from drumbeat.okrs.api import router as okrs_router
from drumbeat.okrs.calibration_api import router as calibration_router
from drumbeat.okrs.services import CycleClosedError
from drumbeat.review.api import router as review_router
from drumbeat.review.assessment_api import router as assessment_router
from drumbeat.review.okr_api import router as review_okrs_router
from drumbeat.scorecard.api import router as scorecard_router
from drumbeat.scorecard.closing import CloseRefusedError
from drumbeat.workspace import WorkspaceError

SIGN_IN = "Sign in, or send a live token as 'Authorization: Bearer <token>'."


class DrumbeatAPI(NinjaAPI):
    """NinjaAPI whose views skip the site's sign-in redirect: the API answers an
    anonymous request with a JSON 401 instead. The docs page keeps the redirect:
    a person reads it in a browser."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern) and pattern.name != "openapi-view":
                pattern.callback.login_required = False  # type: ignore[attr-defined]
        return urls


def _token_live(request: HttpRequest) -> bool:
    try:
        return TokenAuth()(request) is not None
    except AuthenticationError:  # a token sent, but not live
        return False


def signed_in_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and its docs page, for people signed in or with a live token
    only: they map every route and field of the API."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated and not _token_live(request):
            return error(request, 401, "unauthenticated", SIGN_IN)
        return view(request, **kwargs)

    return guarded


api = DrumbeatAPI(
    title="Drumbeat API",
    version="1",
    description=__doc__ or "",
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    docs_url="/docs",
    docs_decorator=signed_in_only,
)


def error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    problems: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body = {"status": status, "code": code, "message": message}
    return api.create_response(
        request, {"error": body | {"problems": problems or []}}, status=status
    )


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    problems = []
    for item in exc.errors:
        location = [str(part) for part in item.get("loc", ())]
        index = next((int(p) for p in location if p.isdigit()), None)
        problems.append(
            {
                "field": ".".join(location),
                "message": item.get("msg", "is not valid"),
                "index": index,
            }
        )
    return error(
        request, 422, "invalid", "The request is not valid; see problems.", problems
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(
        request,
        401,
        "unauthenticated",
        SIGN_IN,
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, "forbidden", str(exc) or "Not allowed.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(ObjectDoesNotExist)
def _no_object(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return error(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(StaleEditError)
def _conflict(request: HttpRequest, exc: StaleEditError) -> HttpResponse:
    return error(request, 409, "conflict", str(exc))


@api.exception_handler(CycleClosedError)
def _closed(request: HttpRequest, exc: CycleClosedError) -> HttpResponse:
    return error(request, 409, "cycle_closed", str(exc))


@api.exception_handler(CloseRefusedError)
def _not_closable(request: HttpRequest, exc: CloseRefusedError) -> HttpResponse:
    """A close or reopen the cycle's state refuses (not yet ended, already closed)."""
    return error(request, 409, "conflict", str(exc))


@api.exception_handler(IngestError)
def _bad_batch(request: HttpRequest, exc: IngestError) -> HttpResponse:
    problems = [
        {"index": p.index, "field": p.field, "message": p.message} for p in exc.problems
    ]
    more = f" (and {exc.more} more)" if exc.more else ""
    message = f"{len(exc.problems)} reading(s) cannot be recorded{more}; none was."
    return error(request, 422, "invalid", message, problems)


@api.exception_handler(WorkspaceError)
def _breaks_rules(request: HttpRequest, exc: WorkspaceError) -> HttpResponse:
    problems = [
        {"field": problem.field or "", "message": problem.message}
        for problem in exc.problems
    ]
    return error(
        request, 422, "invalid", "This breaks the workspace's rules.", problems
    )


@api.exception_handler(DjangoValidationError)
def _refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    problems = (
        [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
        if hasattr(exc, "error_dict")
        else [{"field": "", "message": message} for message in exc.messages]
    )
    return error(request, 422, "invalid", "The request is not valid.", problems)


@api.exception_handler(OperationalError)
def _busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    if database_busy(exc):
        return busy_response(request)
    raise exc


@api.exception_handler(DataError)
def _unstorable(request: HttpRequest, exc: DataError) -> HttpResponse:
    # Nothing was written: the write's transaction rolled back.
    return error(
        request,
        422,
        "invalid",
        "A value cannot be stored: text may not hold NUL characters, and numbers "
        "must be within range.",
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "bad_request", 409: "conflict", 413: "too_large"}
    return error(
        request, exc.status_code, codes.get(exc.status_code, "error"), str(exc)
    )


api.add_router("/", kpis_router)
api.add_router("/", okrs_router)
api.add_router("/", calibration_router)
api.add_router("/", scorecard_router)
api.add_router("/", review_router)
api.add_router("/", review_okrs_router)
api.add_router("/", assessment_router)
