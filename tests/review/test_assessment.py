"""The assessment page (/assessment/): everyone signed in reads Kelly's decision
tree on the organisation's KPIs; admins answer the questionnaire, kept with who
and when."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.audit.models import Event
from drumbeat.review.assessment import (
    assessment_answers,
    assessment_answers_record,
    organisation_assessment,
)
from drumbeat.review.models import AssessmentAnswer
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import client_for, words

pytestmark = pytest.mark.django_db
PAGE = "/assessment/"
ANSWER = "/assessment/answers/"


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_everyone_signed_in_reads_the_assessment(
    small_workspace: None, users: dict[str, User], role: str
) -> None:
    response = client_for(users[role]).get(PAGE)
    assert response.status_code == 200
    text = words(response.content.decode())
    assert "Closest to: Type 1: informal KPIs" in text
    # churn has no description and no owner: 1 of 2 KPIs, 50 %.
    assert "1 of 2 KPIs is incomplete, duplicated or unowned (50 %)" in text
    assert "Formalise this KPI: give each" in text
    assert "If you have many informal KPIs (type 1)" in text
    assert 'data-tooltip="Many KPIs, loosely defined' in response.content.decode()
    form = f'action="{ANSWER}"' in response.content.decode()
    assert form is (role == "admin")


def test_anonymous_visitors_are_sent_to_sign_in(small_workspace: None) -> None:
    response = client_for(None).get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/sign-in/?next={PAGE}")
    assert client_for(None).post(ANSWER, {"key_kpis_agreed": "yes"}).status_code == 302
    assert not AssessmentAnswer.objects.exists()


@pytest.mark.parametrize("role", ["editor", "owner", "viewer", "outsider"])
def test_only_admins_answer(
    small_workspace: None, users: dict[str, User], role: str
) -> None:
    response = client_for(users[role]).post(ANSWER, {"key_kpis_agreed": "yes"})
    assert response.status_code == 403
    assert not AssessmentAnswer.objects.exists()


def test_an_admins_answers_are_kept_with_who_and_when(
    small_workspace: None, users: dict[str, User]
) -> None:
    client = client_for(users["admin"])
    response = client.post(
        ANSWER, {"key_kpis_agreed": "no", "kpis_have_targets": "yes"}, follow=True
    )
    assert "2 answers kept." in words(response.content.decode())
    assert assessment_answers() == {"key_kpis_agreed": False, "kpis_have_targets": True}
    # The same again changes nothing; a new answer is one more row, the old kept.
    client.post(ANSWER, {"key_kpis_agreed": "no", "kpis_have_targets": "yes"})
    client.post(ANSWER, {"key_kpis_agreed": "yes", "kpis_have_targets": "yes"})
    events = Event.objects.filter(action="assessment answered")
    assert events.count() == 2
    assert events.order_by("-pk")[0].summary == "key_kpis_agreed: True"
    rows = list(AssessmentAnswer.objects.values_list("question", "answer", "by"))
    assert len(rows) == 3
    assert rows[0] == ("key_kpis_agreed", True, users["admin"].pk)
    page = words(client.get(PAGE).content.decode())
    assert "Earlier answers" in page
    assert organisation_assessment().answers["key_kpis_agreed"] is True


def test_a_bad_answer_is_named_and_nothing_kept(
    small_workspace: None, users: dict[str, User]
) -> None:
    response = client_for(users["admin"]).post(
        ANSWER, {"key_kpis_agreed": "maybe"}, follow=True
    )
    assert "Questionnaire: key_kpis_agreed: answer yes, no or don&#x27;t know" in (
        response.content.decode()
    )
    assert not AssessmentAnswer.objects.exists()


def test_the_service_refuses_non_admins_and_unknown_questions(
    users: dict[str, User],
) -> None:
    with pytest.raises(PermissionDenied):
        assessment_answers_record(by=users["editor"], answers={"key_kpis_agreed": True})
    with pytest.raises(ValidationError) as error:
        assessment_answers_record(by=users["admin"], answers={"mood": True})
    assert "mood" in error.value.message_dict


def _dictionary(size: int) -> str:
    kpis = "".join(
        f"  - {{key: k{n}, name: Measure {n}, tier: key, team: support, "
        f"perspective: customer}}\n"
        for n in range(size)
    )
    return (
        "version: 1\nteams:\n  - {key: support, name: Support}\nkpis:\n" + kpis
        + "cycles:\n  - {key: 2026-Q4, start: 2026-10-01, end: 2026-12-31}\n"
        "objectives:\n  - key: o\n    title: Better\n    cycle: 2026-Q4\n"
        "    key_results:\n      - {key: a, kpi: k0, target: 5, baseline: 1}\n"
        "      - {key: b, kpi: k0, target: 6, baseline: 1}\n"
    )  # fmt: skip


def test_the_page_costs_the_same_queries_for_more_kpis(
    users: dict[str, User], django_assert_num_queries: Any
) -> None:
    client = client_for(users["viewer"])
    counts = []
    for size in (2, 12):
        workspace_apply(load_workspace_text(_dictionary(size)))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PAGE).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[1]):
        client.get(PAGE)


@pytest.mark.parametrize(
    "role", ["admin", "editor", "owner", "viewer", "outsider", None]
)
def test_the_api_says_what_the_cli_says(
    small_workspace: None, users: dict[str, User], role: str | None
) -> None:
    response = client_for(users[role] if role else None).get("/api/v1/assessment")
    if role is None:
        assert response.status_code == 401
        return
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == 1
    assert data["evidence"]["informal"]["incomplete"] == ["churn"]
    assert data["evidence"]["informal"]["share"] == 0.5
    assert [a["question"] for a in data["answers"]] == [
        "key_kpis_agreed",
        "kpis_have_targets",
        "dashboard_reviewed",
    ]


ACTION_PLANS = (
    "version: 1\nteams:\n  - {key: support, name: Support}\nkpis:\n"
    "  - {key: csat, name: Satisfaction, tier: key, team: support, "
    "perspective: customer, corrective_action: Call every unhappy customer back}\n"
    "  - {key: nps, name: Promoters, tier: key, team: support, perspective: customer}\n"
    "cycles:\n  - {key: 2026-Q4, start: 2026-10-01, end: 2026-12-31}\n"
    "objectives:\n  - key: o\n    title: Happier\n    cycle: 2026-Q4\n"
    "    key_results:\n      - {key: a, kpi: csat, target: 90, baseline: 80}\n"
    "      - {key: b, kpi: nps, target: 50, baseline: 40}\n"
)  # fmt: skip


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_a_key_kpis_own_action_plan_under_an_okr_is_evidence(
    users: dict[str, User], role: str
) -> None:
    workspace_apply(load_workspace_text(ACTION_PLANS))
    client = client_for(users[role])
    page = client.get(PAGE).content.decode()
    assert "<dd data-action-plans>csat</dd>" in page
    assert (
        "This key KPI carries its own action plan and is targeted by an OKR in "
        "2026-Q4 too: keep one plan for the change, the OKR&#x27;s, and let the KPI "
        "monitor"
    ) in page
    targeted = client.get("/api/v1/assessment").json()["evidence"]["targeted"]
    assert targeted["action_plans"] == ["csat"]
    assert targeted["holds"] is True


API_ANSWER = "/api/v1/assessment/answers/"


def _put(user: User | None, question: str, body: object) -> Any:
    return client_for(user).put(
        API_ANSWER + question, body, content_type="application/json"
    )


@pytest.mark.parametrize("role", ["editor", "owner", "viewer", "outsider", None])
def test_only_admins_answer_through_the_api(
    small_workspace: None, users: dict[str, User], role: str | None
) -> None:
    response = _put(users[role] if role else None, "key_kpis_agreed", {"answer": "no"})
    assert response.status_code == (401 if role is None else 403)
    if role is not None:
        assert response.json()["error"]["message"] == (
            "Only admins answer the assessment's questionnaire."
        )
    assert not AssessmentAnswer.objects.exists()
    assert not Event.objects.filter(action="assessment answered").exists()


def test_an_admins_api_answer_is_kept_and_audited_as_the_page_keeps_it(
    small_workspace: None, users: dict[str, User]
) -> None:
    response = _put(users["admin"], "key_kpis_agreed", {"answer": False})
    assert response.status_code == 200
    assert response.json() == {
        "question": "key_kpis_agreed",
        "text": "Do the leaders agree on which KPIs are the key ones, and on what "
        "each measures?",
        "answer": False,
        "changed": True,
    }
    assert assessment_answers() == {"key_kpis_agreed": False}
    [event] = Event.objects.filter(action="assessment answered")
    assert event.summary == "key_kpis_agreed: False"
    assert event.changes == {"key_kpis_agreed": [None, False]}
    # The same answer in words changes nothing; "unknown" is kept as don't know.
    again = _put(users["admin"], "key_kpis_agreed", {"answer": "No"})
    assert again.json()["changed"] is False
    unknown = _put(users["admin"], "key_kpis_agreed", {"answer": "unknown"})
    assert unknown.json()["answer"] is None
    assert AssessmentAnswer.objects.count() == 2
    assert Event.objects.filter(action="assessment answered").count() == 2
    data = client_for(users["viewer"]).get("/api/v1/assessment").json()
    assert data["answers"][0] == {
        "question": "key_kpis_agreed",
        "text": data["answers"][0]["text"],
        "answer": None,
    }


@pytest.mark.parametrize("answer", ["maybe", 1, [], {"yes": True}])
def test_a_bad_api_answer_names_the_question_and_the_choices(
    small_workspace: None, users: dict[str, User], answer: object
) -> None:
    response = _put(users["admin"], "dashboard_reviewed", {"answer": answer})
    assert response.status_code == 422
    [problem] = response.json()["error"]["problems"]
    assert problem["field"] == "answer"
    assert problem["message"] == (
        "answer dashboard_reviewed yes, no or unknown (or true, false or null), "
        f"not {answer!r}"
    )
    assert not AssessmentAnswer.objects.exists()


def test_an_api_answer_without_an_answer_is_refused(
    small_workspace: None, users: dict[str, User]
) -> None:
    response = _put(users["admin"], "dashboard_reviewed", {})
    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["field"].endswith("answer")
    assert not AssessmentAnswer.objects.exists()


def test_an_unknown_question_is_not_found(
    small_workspace: None, users: dict[str, User]
) -> None:
    response = _put(users["admin"], "mood", {"answer": "yes"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == (
        "The assessment asks no question 'mood'; it asks key_kpis_agreed, "
        "kpis_have_targets, dashboard_reviewed."
    )
    assert not AssessmentAnswer.objects.exists()
