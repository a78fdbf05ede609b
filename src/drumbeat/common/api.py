"""What every router of the REST API shares: the one error shape it declares, and
its pages (`?limit=&offset=`).

Every error is JSON of one shape:
`{"error": {"status", "code", "message", "problems": [{"field", "message",
"index"?}]}}`; `drumbeat.server.api` turns exceptions into it.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import ConfigDict


class Pages(LimitOffsetPagination):
    """`?limit=&offset=` pages: 100 items unless asked, at most 1,000; an offset
    beyond what a database can count is a 422, not a server error."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=2**62)


class InputSchema(Schema):
    """A request body: a field it does not know is a 422 naming that field, not
    silently ignored (a misspelt field would otherwise change nothing)."""

    model_config = ConfigDict(extra="forbid")


class Problem(Schema):
    """One thing wrong with a request: where, and what to do."""

    field: str
    message: str
    index: int | None = None


class ErrorBody(Schema):
    status: int
    code: str
    message: str
    problems: list[Problem] = Field(default_factory=list)


class Error(Schema):
    """Every error response."""

    error: ErrorBody


ERRORS: dict[int, type[Error]] = dict.fromkeys((400, 401, 403, 404, 409, 422), Error)
"""Error responses to declare on operations (`response={200: X, **ERRORS}`)."""
