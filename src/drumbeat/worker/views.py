"""The health report, for load balancers and monitoring: is the database
answering, and when was a worker last seen alive."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from drumbeat.worker.services import workers_status


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 while the database answers (503 when not), with the workers' state:
    `ok`, `stale` (none seen lately: is `drumbeat worker` running?) or `none`."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        workers = workers_status()
    except DatabaseError:
        return JsonResponse({"database": "unavailable", "workers": None}, status=503)
    return JsonResponse({"database": "ok", "workers": workers})
