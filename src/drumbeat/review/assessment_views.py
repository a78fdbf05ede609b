"""The assessment page (/assessment/): Kelly's decision tree on the
organisation's KPIs and OKRs, for everyone signed in; admins answer its
questionnaire (`drumbeat.review.assessment`)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from drumbeat.core.assessment import QUESTIONS, KPIType
from drumbeat.review.assessment import (
    ANSWER_REFUSAL,
    ANSWER_WORDS,
    assessment_answers_record,
    assessment_history,
    can_answer_assessment,
    organisation_assessment,
)

WORD_OF = {value: word for word, value in ANSWER_WORDS.items()}


def assessment_page(request: HttpRequest) -> HttpResponse:
    """Which type of KPIs the organisation has, the evidence of each branch, the
    seed's advice, the next steps and the questionnaire."""
    result = organisation_assessment()
    questions = [
        (question, WORD_OF[result.answers.get(question.key)]) for question in QUESTIONS
    ]
    return render(
        request,
        "review/assessment.html",
        {
            "result": result,
            "types": list(KPIType),
            "questions": questions,
            "history": assessment_history(),
            "may_answer": can_answer_assessment(request.user),
        },
    )


@require_POST
def assessment_answer(request: HttpRequest) -> HttpResponse:
    """Keep the questionnaire's answers; a bad one is named, nothing is kept."""
    if not can_answer_assessment(request.user):
        raise PermissionDenied(ANSWER_REFUSAL)
    answers: dict[str, bool | None] = {}
    problems = []
    for question in QUESTIONS:
        word = request.POST.get(question.key, "unknown")
        if word not in ANSWER_WORDS:
            problems.append(f"{question.key}: answer yes, no or don't know")
            continue
        answers[question.key] = ANSWER_WORDS[word]
    if problems:
        for problem in problems:
            messages.error(request, f"Questionnaire: {problem}")
        return redirect("assessment")
    try:
        kept = assessment_answers_record(by=cast(User, request.user), answers=answers)
    except ValidationError as error:  # pragma: no cover - every key is a question
        messages.error(request, f"Questionnaire: {error}")
        return redirect("assessment")
    messages.success(
        request,
        f"{len(kept)} answer{'' if len(kept) == 1 else 's'} kept."
        if kept
        else "No answer changed.",
    )
    return redirect("assessment")


urlpatterns = [
    path("assessment/", assessment_page, name="assessment"),
    path("assessment/answers/", assessment_answer, name="assessment-answer"),
]
