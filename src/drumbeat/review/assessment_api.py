"""The assessment in the REST API: Kelly's decision tree on the organisation's
KPIs and OKRs, as `drumbeat assess --format json` says it, with the answers the
questionnaire keeps."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from drumbeat.accounts.auth import scoped
from drumbeat.common.api import ERRORS
from drumbeat.core.contract import assessment_json
from drumbeat.review.assessment import organisation_assessment

router = Router(tags=["Assessment"])


@router.get(
    "/assessment",
    response={200: dict[str, Any], **ERRORS},
    summary="Which type of KPIs the organisation has (Kelly's decision tree)",
)
def assessment_get(request: HttpRequest) -> dict[str, Any]:
    """The type, the evidence of each branch, the seed's advice, the next steps
    and the questionnaire's answers, as of today."""
    scoped(request, "read")
    return assessment_json(organisation_assessment())
