"""Parmenter's checklist on a key KPI's page, its fields on the edit form, and in
the API: who sees what, what saving does, and a cost that does not grow with the
dictionary."""

from __future__ import annotations

from html import unescape

import pytest
from django.contrib.auth.models import User
from django.test import Client

from drumbeat.kpis.models import KPI, CriticalSuccessFactor
from drumbeat.kpis.selectors import kpi_parmenter, kpi_parmenter_notes
from drumbeat.kpis.templatetags.kpi_format import HEALTH_LABELS
from tests.conftest import client_for, words
from tests.kpis.test_kpi_form_fields import _form
from tests.server.test_api import bearer, post

pytestmark = pytest.mark.django_db

COMPLETE = "Complete the definition"


@pytest.fixture
def owner(small_workspace: None, users: dict[str, User]) -> User:
    KPI.objects.filter(key="csat").update(owner=users["owner"])
    return users["owner"]


def csat_page(user: User) -> str:
    return unescape(words(client_for(user).get("/kpis/csat/").content.decode()))


@pytest.mark.parametrize(
    ("role", "may_complete"),
    [
        ("admin", True),
        ("owner", True),
        ("editor", False),
        ("viewer", False),
        ("outsider", False),
    ],
)
def test_a_key_kpi_page_shows_its_score_and_what_is_missing(
    owner: User, users: dict[str, User], role: str, may_complete: bool
) -> None:
    """csat: non-financial, weekly and tied to Support; nothing else written."""
    page = csat_page(users[role])
    assert "Parmenter: 3 of 7" in page
    assert "CEO's attention missing: not marked as followed by the CEO" in page
    assert "measured frequently met: read weekly" in page
    assert (COMPLETE in page) is may_complete


def test_anonymous_visitors_do_not_see_the_checklist(small_workspace: None) -> None:
    response = Client().get("/kpis/csat/")
    assert response.status_code == 302


def test_a_secondary_kpi_has_no_checklist(owner: User, users: dict[str, User]) -> None:
    page = client_for(users["admin"]).get("/kpis/churn/").content.decode()
    assert 'id="parmenter"' not in page


def test_a_complete_checklist_is_seven_of_seven(
    owner: User, users: dict[str, User]
) -> None:
    CriticalSuccessFactor.objects.create(key="loyal", name="Loyal customers")
    KPI.objects.filter(key="csat").update(
        ceo_attention=True,
        corrective_action="Call back every unhappy customer within a day.",
        critical_success_factors=["loyal"],
        dark_side="Agents rush calls to close tickets.",
        guardrail="churn",
    )
    page = csat_page(users["owner"])
    assert "Parmenter: 7 of 7" in page
    assert "moves Loyal customers" in page
    assert "watched by 'Logo churn'" in page
    assert COMPLETE not in page


def test_an_archived_guardrail_does_not_count(
    owner: User, users: dict[str, User]
) -> None:
    KPI.objects.filter(key="csat").update(dark_side="Rushed calls", guardrail="churn")
    KPI.objects.filter(key="churn").update(archived_at="2026-07-01T00:00:00Z")
    checklist = kpi_parmenter(KPI.objects.select_related("team").get(key="csat"))
    assert checklist is not None
    assert checklist.items[6].detail == "write a guardrail KPI"


@pytest.mark.parametrize("others", [1, 30])
def test_the_checklist_costs_the_same_whatever_the_dictionary(
    owner: User, django_assert_num_queries, others: int
) -> None:
    KPI.objects.bulk_create(
        KPI(key=f"k{n}", name=f"K {n}", direction="up", tier="key")
        for n in range(others)
    )
    KPI.objects.filter(key="csat").update(guardrail="k0")
    csat = KPI.objects.select_related("team").get(key="csat")
    with django_assert_num_queries(2):
        kpi_parmenter(csat)


def test_the_edit_form_saves_the_parmenter_fields(
    owner: User, users: dict[str, User]
) -> None:
    CriticalSuccessFactor.objects.create(key="loyal", name="Loyal customers")
    response = client_for(users["admin"]).post(
        "/kpis/churn/edit/",
        _form(
            ceo_attention="on",
            corrective_action="Call every customer who gives notice.",
            critical_success_factors=["loyal"],
            dark_side="Discounts given away to keep anyone.",
            guardrail="csat",
        ),
    )
    assert response.status_code == 302
    churn = KPI.objects.get(key="churn")
    assert (churn.ceo_attention, churn.guardrail) == (True, "csat")
    assert churn.critical_success_factors == ["loyal"]
    assert churn.corrective_action == "Call every customer who gives notice."
    assert churn.dark_side == "Discounts given away to keep anyone."


def test_the_edit_form_refuses_an_unknown_guardrail_naming_the_field(
    owner: User, users: dict[str, User]
) -> None:
    response = client_for(users["admin"]).post(
        "/kpis/churn/edit/", _form(guardrail="churn")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["guardrail"]
    assert KPI.objects.get(key="churn").guardrail == ""


def test_the_api_answers_the_parmenter_fields(
    owner: User, users: dict[str, User]
) -> None:
    KPI.objects.filter(key="csat").update(
        ceo_attention=True, critical_success_factors=["loyal"], guardrail="churn"
    )
    answer = bearer(users["viewer"], "read").get("/api/v1/kpis/csat").json()
    assert answer["ceo_attention"] is True
    assert answer["critical_success_factors"] == ["loyal"]
    assert (answer["guardrail"], answer["dark_side"]) == ("churn", "")
    assert answer["corrective_action"] == ""


def test_the_api_adds_a_kpi_with_the_parmenter_fields(
    owner: User, users: dict[str, User]
) -> None:
    body = {
        "key": "first-reply",
        "name": "First reply time",
        "tier": "key",
        "ceo_attention": True,
        "corrective_action": "Move an agent to the queue.",
        "dark_side": "Empty first replies.",
        "guardrail": "csat",
    }
    made = post(bearer(users["admin"], "admin"), "/api/v1/kpis", body)
    assert made.status_code == 201
    assert (made.json()["guardrail"], made.json()["ceo_attention"]) == ("csat", True)


def test_the_api_refuses_an_unknown_guardrail_naming_the_field(
    owner: User, users: dict[str, User]
) -> None:
    body = {"key": "first-reply", "name": "First reply time", "guardrail": "nope"}
    refused = post(bearer(users["admin"], "admin"), "/api/v1/kpis", body)
    assert refused.status_code == 422
    assert "guardrail" in refused.text
    assert "refers to KPI 'nope', which is not defined" in refused.text
    assert not KPI.objects.filter(key="first-reply").exists()


# --- Under the checklist: when it slips, the dark side, what it moves -------------


def _write_the_notes(key: str) -> None:
    CriticalSuccessFactor.objects.create(key="loyal", name="Loyal customers")
    CriticalSuccessFactor.objects.create(key="quick", name="Quick answers")
    KPI.objects.filter(key=key).update(
        corrective_action="Call back every unhappy customer within a day.",
        critical_success_factors=["loyal", "quick"],
        dark_side="Agents rush calls to close tickets.",
        guardrail="churn" if key != "churn" else "csat",
    )


@pytest.mark.parametrize("role", ["admin", "owner", "editor", "viewer", "outsider"])
def test_a_key_kpi_page_shows_its_corrective_action_dark_side_and_factors(
    owner: User, users: dict[str, User], role: str
) -> None:
    _write_the_notes("csat")
    churn_health = KPI.objects.select_related("status").get(key="churn").status.health
    page = " ".join(csat_page(users[role]).split())
    notes = page[page.index("Parmenter: ") :]
    assert "When it slips: Call back every unhappy customer within a day." in notes
    label = HEALTH_LABELS.get(churn_health, churn_health)
    assert (
        f"Dark side: Agents rush calls to close tickets. — watched by Logo churn "
        f"{label}" in notes
    )
    assert "Moves: Loyal customers, Quick answers" in notes


def test_the_guardrail_is_linked_to_its_page(
    owner: User, users: dict[str, User]
) -> None:
    _write_the_notes("csat")
    html = client_for(users["viewer"]).get("/kpis/csat/").content.decode()
    notes = html[html.index("data-parmenter-notes") :]
    assert notes.index('href="/kpis/churn/"') < notes.index("</dl>")


def test_a_secondary_kpi_shows_its_notes_without_a_checklist(
    owner: User, users: dict[str, User]
) -> None:
    _write_the_notes("churn")
    html = client_for(users["viewer"]).get("/kpis/churn/").content.decode()
    page = " ".join(unescape(words(html)).split())
    assert "Parmenter: " not in page
    assert "When it slips: Call back every unhappy customer within a day." in page
    assert "watched by Customer satisfaction" in page
    assert "Moves: Loyal customers, Quick answers" in page


def test_a_factor_no_longer_defined_reads_as_its_key_and_nothing_written_no_list(
    owner: User, users: dict[str, User]
) -> None:
    assert (
        "data-parmenter-notes"
        not in client_for(users["viewer"]).get("/kpis/churn/").content.decode()
    )
    KPI.objects.filter(key="churn").update(critical_success_factors=["gone"])
    page = " ".join(
        unescape(
            words(client_for(users["viewer"]).get("/kpis/churn/").content.decode())
        ).split()
    )
    assert "Moves: gone" in page
    assert "When it slips" not in page


def test_the_notes_cost_two_queries(owner: User, django_assert_max_num_queries) -> None:
    _write_the_notes("csat")
    csat = KPI.objects.get(key="csat")
    with django_assert_max_num_queries(2):
        notes = kpi_parmenter_notes(csat)
    assert notes.guardrail is not None
    assert notes.factors == ["Loyal customers", "Quick answers"]
