"""Team editors add and change key results; the rules of the format apply, and a
stale form never overwrites someone else's change."""

from __future__ import annotations

import pytest

from drumbeat.okrs.models import KeyResult
from tests.conftest import client_for, key_result_form

pytestmark = pytest.mark.django_db

NEW = "/objectives/happier/key-results/new/"
EDIT = "/objectives/happier/key-results/csat-up/edit/"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 302),
        ("editor", 302),
        ("owner", 403),
        ("viewer", 403),
        ("outsider", 403),
    ],
)
def test_only_the_teams_editors_and_admins_add_a_kr(
    small_workspace, users, role, status
):
    response = client_for(users[role]).post(
        NEW, key_result_form(key="nps-up", version="")
    )
    assert response.status_code == status
    assert KeyResult.objects.filter(key="nps-up").exists() is (status == 302)


def test_a_new_kr_is_scored_at_once(small_workspace, users):
    client_for(users["editor"]).post(
        NEW, key_result_form(key="csat-90", target="90", version="")
    )
    kr = KeyResult.objects.get(key="csat-90")
    # Baseline 85 → current 88 → target 90: 60%.
    assert kr.score == pytest.approx(0.6)
    assert kr.updated_by == users["editor"]


def test_a_changed_target_rescores_and_is_kept_in_history(small_workspace, users):
    response = client_for(users["editor"]).post(EDIT, key_result_form(target="91"))
    assert response.status_code == 302
    kr = KeyResult.objects.get(key="csat-up")
    assert (kr.target, kr.version) == (91, 2)
    assert kr.score == pytest.approx(0.5)
    assert [h.target for h in kr.history.order_by("history_date")] == [95, 91]


def test_a_stale_kr_form_is_refused(small_workspace, users):
    client_for(users["admin"]).post(EDIT, key_result_form(target="91"))
    response = client_for(users["editor"]).post(EDIT, key_result_form(target="99"))
    assert response.status_code == 400
    assert "Changed by admin at " in response.content.decode()
    assert KeyResult.objects.get(key="csat-up").target == 91


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"target": "90, 95"},
            "a band target [low, high] is only for a sustain or change KR",
        ),
        ({"target": "lots"}, "Enter a number, low, high for a band, or a change"),
        (
            {"key": "churn-down"},
            "this objective already has a KR &#x27;churn-down&#x27;",
        ),
        ({"kpi": "nope"}, "Select a valid choice."),
        ({"weight": "0"}, "Ensure this value is greater than or equal to 0.01."),
    ],
)
def test_a_bad_kr_is_refused_beside_the_field(small_workspace, users, changes, message):
    response = client_for(users["editor"]).post(EDIT, key_result_form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert KeyResult.objects.get(key="csat-up").version == 1


def test_the_kr_form_opens_with_the_current_values(small_workspace, users):
    page = client_for(users["editor"]).get(EDIT).content.decode()
    assert 'value="95"' in page
    assert 'name="version" value="1"' in page
