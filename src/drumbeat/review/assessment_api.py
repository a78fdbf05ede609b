"""The assessment in the REST API: Kelly's decision tree on the organisation's
KPIs and OKRs, as `drumbeat assess --format json` says it, with the answers the
questionnaire keeps; admins answer the questionnaire, one question a request."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from drumbeat.accounts.auth import scoped
from drumbeat.common.api import ERRORS
from drumbeat.common.guards import require_admin
from drumbeat.core.assessment import QUESTIONS
from drumbeat.core.contract import assessment_json
from drumbeat.review.assessment import (
    ANSWER_CHOICES,
    ANSWER_REFUSAL,
    answer_of,
    assessment_answers_record,
    organisation_assessment,
    unknown_question,
)

router = Router(tags=["Assessment"])
QUESTION_BY_KEY = {question.key: question for question in QUESTIONS}


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


class AnswerIn(Schema):
    answer: Any = Field(description=f"the answer: {ANSWER_CHOICES} (don't know)")


class AnswerOut(Schema):
    question: str
    text: str
    answer: bool | None = Field(description="true (yes), false (no), null (unknown)")
    changed: bool = Field(description="false when the answer was already this one")


@router.put(
    "/assessment/answers/{question}",
    response={200: AnswerOut, **ERRORS},
    summary="Answer a question of the assessment's questionnaire (admins)",
)
def assessment_answer_put(
    request: HttpRequest, question: str, payload: AnswerIn
) -> AnswerOut:
    """Keep the answer, with who and when, as the page's form does; the same
    answer again changes nothing."""
    user = require_admin(scoped(request, "admin"), ANSWER_REFUSAL)
    asked = QUESTION_BY_KEY.get(question)
    if asked is None:
        raise Http404(unknown_question(question))
    answer = answer_of(question, payload.answer)
    kept = assessment_answers_record(by=user, answers={question: answer})
    return AnswerOut(
        question=question, text=asked.text, answer=answer, changed=bool(kept)
    )
