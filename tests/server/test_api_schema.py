"""schemathesis against the API's own OpenAPI schema: for generated requests,
valid and not, the API never answers 5xx, and every answer matches the schema
(status codes, content type, body)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from drumbeat.accounts.services import token_create
from drumbeat.kpis.models import KPI
from drumbeat.server.api import api

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """As Django's test client does: keep the test's connection (and its
    transaction) open across the requests schemathesis makes."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
schema.app = WSGIHandler()


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_its_schema_and_never_fails(case, small_workspace, users):
    KPI.objects.filter(key="csat").update(owner=users["admin"])
    token = token_create(
        user=users["admin"], name="schemathesis", scopes=["admin"], expires_at=None
    )
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token.secret}"},
        checks=[
            not_a_server_error,
            response_schema_conformance,
            status_code_conformance,
            content_type_conformance,
        ],
    )
