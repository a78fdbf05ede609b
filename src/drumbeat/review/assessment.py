"""Kelly's decision tree on the organisation's own dictionary and OKRs
(`drumbeat.core.assessment`), with the questionnaire's answers kept in the
database: the latest answer per question counts, every earlier one stays.

Everyone signed in reads the assessment (it shows what the KPI dictionary and
the OKRs already show to them); admins, who keep the dictionary for the strategy
office, answer the questionnaire."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from drumbeat.accounts.selectors import AnyUser
from drumbeat.audit.models import Event
from drumbeat.audit.services import event_record
from drumbeat.common.guards import is_admin
from drumbeat.core.assessment import (
    QUESTION_KEYS,
    QUESTIONS,
    Answers,
    Assessment,
    assess,
)
from drumbeat.review.models import AssessmentAnswer
from drumbeat.scorecard.selectors import database_workspace

ANSWER_REFUSAL = "Only admins answer the assessment's questionnaire."
HISTORY_SHOWN = 20
ANSWER_WORDS: dict[str, bool | None] = {"yes": True, "no": False, "unknown": None}
"""The questionnaire's answers in words, as the page's form and the API take them."""
ANSWER_CHOICES = "yes, no or unknown (or true, false or null)"


def answer_of(question: str, value: object) -> bool | None:
    """The answer `value` says to `question`: a word of `ANSWER_WORDS` (any case)
    or a JSON true, false or null; anything else is refused, naming the question
    and the choices."""
    if value is None or isinstance(value, bool):
        return value
    word = value.strip().lower() if isinstance(value, str) else None
    if word in ANSWER_WORDS:
        return ANSWER_WORDS[word]
    raise ValidationError(
        {"answer": f"answer {question} {ANSWER_CHOICES}, not {value!r}"}
    )


def unknown_question(question: str) -> str:
    """What to say of a question the questionnaire does not ask."""
    return (
        f"The assessment asks no question '{question}'; it asks "
        + ", ".join(q.key for q in QUESTIONS)
        + "."
    )


def can_answer_assessment(user: AnyUser) -> bool:
    return is_admin(user)


def assessment_answers() -> dict[str, bool | None]:
    """The latest answer to each question (one query)."""
    latest: dict[str, bool | None] = {}
    for question, answer in AssessmentAnswer.objects.values_list("question", "answer"):
        latest.setdefault(question, answer)
    return latest


def assessment_history() -> QuerySet[AssessmentAnswer]:
    """The latest answers given, newest first, with who gave them."""
    return AssessmentAnswer.objects.select_related("by")[:HISTORY_SHOWN]


def organisation_assessment() -> Assessment:
    """The tree over the database's KPIs and OKRs today, with the answers kept
    (no reading is read: the tree looks at definitions and targets alone)."""
    workspace = database_workspace(readings_of=())
    return assess(workspace, timezone.localdate(), assessment_answers())


@transaction.atomic
def assessment_answers_record(*, by: User, answers: Answers) -> list[AssessmentAnswer]:
    """Keep the answers that changed, with who and when; refuse anyone but an
    admin, and a question the questionnaire does not ask (naming it)."""
    if not can_answer_assessment(by):
        raise PermissionDenied(ANSWER_REFUSAL)
    unknown = sorted(set(answers) - QUESTION_KEYS)
    if unknown:
        raise ValidationError(
            dict.fromkeys(unknown, "is not a question of the assessment")
        )
    current = assessment_answers()
    now = timezone.now()
    kept = [
        AssessmentAnswer.objects.create(question=key, answer=answer, by=by, at=now)
        for key, answer in answers.items()
        if current.get(key) != answer
    ]
    if kept:
        event_record(
            kind=Event.Kind.REVIEW,
            action="assessment answered",
            subject="assessment",
            by=by,
            summary=", ".join(f"{a.question}: {a.answer}" for a in kept),
            changes={a.question: [current.get(a.question), a.answer] for a in kept},
        )
    return kept
