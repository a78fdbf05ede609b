"""Creating a KPI: admins only, checked by the workspace format's rules, with the
KPI lint findings on the draft shown as it is written."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from drumbeat.kpis.models import KPI, KPIStatus
from drumbeat.kpis.services.definitions import kpi_create
from drumbeat.workspace import WorkspaceError
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NEW = "/kpis/new/"
LINT = "/kpis/lint/"


def _form(owner: User | None = None, **changes: str) -> dict[str, str]:
    form = {
        "key": "first-response",
        "name": "First response time",
        "description": "Median hours from a ticket's arrival to its first reply.",
        "unit": "hours",
        "direction": "down",
        "cadence": "weekly",
        "owner": str(owner.pk) if owner else "",
        "team": "support",
        "perspective": "internal",
        "tier": "secondary",
        "indicator": "leading",
        "green": "4",
        "red": "8",
        "amber": "",
        "industry": "6",
        "best_in_class": "2",
    }
    form.update(changes)
    return form


def _beside(page: str, field: str) -> str:
    """The label that holds the form field `field`: its input, help and errors."""
    match = re.search(
        rf'<label>(?:(?!</label>).)*name="{field}".*?</label>', page, re.S
    )
    assert match, f"no field {field}"
    return match.group(0)


@pytest.fixture
def owner(small_workspace: None, users: dict[str, User]) -> User:
    person = users["owner"]
    person.first_name, person.last_name = "Ada", "Lovelace"
    person.save()
    KPI.objects.filter(key="csat").update(owner=person)
    return person


@pytest.mark.parametrize("role", ["editor", "owner", "viewer", "outsider"])
def test_only_admins_open_or_send_the_new_kpi_form(owner, users, role):
    client = client_for(users[role])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _form(owner)).status_code == 403
    assert not KPI.objects.filter(key="first-response").exists()


def test_an_admin_opens_the_form_and_creates_a_kpi(owner, users):
    client = client_for(users["admin"])
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, _form(owner))
    assert response.status_code == 302
    assert response["Location"] == "/kpis/first-response/"
    assert KPI.objects.filter(key="first-response").exists()


def test_anonymous_is_sent_to_sign_in(owner):
    client = client_for(None)
    for response in (client.get(NEW), client.post(NEW, _form(owner))):
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")
    assert not KPI.objects.filter(key="first-response").exists()


def test_a_created_kpi_is_in_the_dictionary_with_its_fields(owner, users):
    client = client_for(users["admin"])
    page = client.post(NEW, _form(owner), follow=True).content.decode()
    assert "KPI &#x27;first-response&#x27; added to the dictionary" in page
    kpi = KPI.objects.select_related("team", "owner").get(key="first-response")
    assert (kpi.owner, kpi.owner_name, kpi.team and kpi.team.key) == (
        owner,
        "Ada Lovelace",
        "support",
    )
    assert (kpi.direction, kpi.cadence, kpi.perspective, kpi.tier, kpi.indicator) == (
        "down",
        "weekly",
        "internal",
        "secondary",
        "leading",
    )
    assert kpi.thresholds == {"green": 4, "red": 8}
    assert kpi.benchmarks == {"industry": 6, "best_in_class": 2}
    assert kpi.position == max(KPI.objects.values_list("position", flat=True))
    assert KPIStatus.objects.get(kpi=kpi).health == "unknown"
    dictionary = client.get("/kpis/").content.decode()
    assert 'data-kpi="first-response"' in dictionary
    assert "First response" in dictionary or "first-response" in dictionary
    assert "Ada Lovelace" in dictionary


def test_a_created_kpi_starts_its_history_with_the_admin(owner, users):
    client_for(users["admin"]).post(NEW, _form(owner))
    kpi = KPI.objects.get(key="first-response")
    records = list(kpi.history.all())
    assert [(r.history_type, r.history_user) for r in records] == [
        ("+", users["admin"])
    ]
    assert kpi.updated_by == users["admin"]


def test_the_service_records_who_created_the_kpi_outside_a_request(owner, users):
    kpi = kpi_create(
        values={"key": "backlog", "name": "Ticket backlog"}, by=users["admin"]
    )
    assert kpi.history.get().history_user == users["admin"]


def test_a_duplicate_key_is_refused_and_nothing_is_written(owner, users):
    before = KPI.objects.count()
    response = client_for(users["admin"]).post(NEW, _form(owner, key="csat"))
    assert response.status_code == 400
    assert "a KPI &#x27;csat&#x27; already exists: choose another key" in _beside(
        response.content.decode(), "key"
    )
    assert KPI.objects.count() == before
    assert KPI.objects.get(key="csat").name == "Customer satisfaction"


def test_the_service_refuses_a_duplicate_key_on_the_key_field(owner, users):
    with pytest.raises(WorkspaceError) as raised:
        kpi_create(values={"key": "csat", "name": "Again"}, by=users["admin"])
    [problem] = raised.value.problems
    assert (problem.field, problem.message) == (
        "key",
        "a KPI 'csat' already exists: choose another key",
    )


def test_thresholds_on_the_wrong_side_for_the_direction_are_refused(owner, users):
    response = client_for(users["admin"]).post(
        NEW, _form(owner, direction="up", green="4", red="8")
    )
    assert response.status_code == 400
    assert "for an up KPI the green threshold must be above the red one" in _beside(
        response.content.decode(), "green"
    )
    assert not KPI.objects.filter(key="first-response").exists()


def test_a_non_numeric_threshold_is_refused_beside_the_field_and_kept(owner, users):
    response = client_for(users["admin"]).post(NEW, _form(owner, green="lots"))
    assert response.status_code == 400
    green = _beside(response.content.decode(), "green")
    assert "Enter a number, or low, high for a band." in green
    assert 'value="lots"' in green
    assert 'value="First response time"' in response.content.decode()
    assert not KPI.objects.filter(key="first-response").exists()


def test_a_key_outside_the_format_is_refused_beside_the_field(owner, users):
    response = client_for(users["admin"]).post(NEW, _form(owner, key="First_Response"))
    assert response.status_code == 400
    key = _beside(response.content.decode(), "key")
    assert "is not a valid KPI key: use lower-case letters, digits and dashes" in key
    assert not KPI.objects.filter(name="First response time").exists()


def test_the_dictionary_offers_a_new_kpi_to_admins_only(owner, users):
    assert 'href="/kpis/new/"' in client_for(users["admin"]).get("/kpis/").text
    assert 'href="/kpis/new/"' not in client_for(users["owner"]).get("/kpis/").text


# --- Lint of the draft ----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url", "lint"),
    [
        ("admin", NEW, 'hx-post="/kpis/lint/"'),
        ("owner", "/kpis/csat/edit/", 'hx-post="/kpis/lint/?kpi=csat"'),
    ],
)
def test_the_create_and_edit_forms_lint_as_they_change(owner, users, role, url, lint):
    page = client_for(users[role]).get(url).content.decode()
    assert lint in page
    assert 'hx-target="#kpi-lint"' in page
    assert '<section id="kpi-lint"' in page


def test_lint_finds_a_draft_named_like_an_existing_kpi(owner, users):
    response = client_for(users["admin"]).post(
        LINT, _form(owner, key="csat-2", name="customer SATISFACTION")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert '<li data-rule="kpi-duplicate">' in page
    assert "warning" in page
    assert "has the same name as &#x27;csat&#x27;: two KPIs for one measure" in page
    assert not KPI.objects.filter(key="csat-2").exists()


def test_lint_finds_a_draft_without_an_owner_or_definition(owner, users):
    page = (
        client_for(users["admin"])
        .post(LINT, _form(None, description=""))
        .content.decode()
    )
    assert '<li data-rule="kpi-incomplete">' in page
    assert "lacks description, owner: an authoritative definition says" in page
    # Not yet created, so not stale for want of readings.
    assert "kpi-stale" not in page
    assert not KPI.objects.filter(key="first-response").exists()


def test_lint_of_a_complete_distinct_draft_finds_nothing(owner, users):
    page = client_for(users["admin"]).post(LINT, _form(owner)).content.decode()
    assert "No lint findings" in page
    assert "data-rule=" not in page


def test_lint_shows_what_keeps_the_draft_from_being_checked(owner, users):
    page = (
        client_for(users["admin"]).post(LINT, _form(owner, red="lots")).content.decode()
    )
    assert "Red: Enter a number, or low, high for a band." in page
    assert "data-rule=" not in page


def test_lint_of_an_edit_judges_the_typed_definition_and_saves_nothing(owner, users):
    edit = {
        "name": "Customer satisfaction",
        "description": "",
        "unit": "percent",
        "direction": "up",
        "cadence": "weekly",
        "owner_name": "Grace",
        "team": "support",
        "tier": "key",
        "green": "90",
        "red": "80",
        "amber": "",
        "version": "1",
    }
    page = client_for(users["owner"]).post(f"{LINT}?kpi=csat", edit).content.decode()
    assert '<li data-rule="kpi-incomplete">' in page
    assert "lacks description:" in page
    csat = KPI.objects.get(key="csat")
    assert (csat.description, csat.version) == ("Share of satisfied survey answers.", 1)


@pytest.mark.parametrize(
    ("role", "query", "status"),
    [
        ("viewer", "", 403),
        ("owner", "", 403),
        ("viewer", "?kpi=csat", 403),
        ("editor", "?kpi=csat", 403),
        ("owner", "?kpi=csat", 200),
        ("admin", "?kpi=csat", 200),
    ],
)
def test_lint_is_for_admins_and_for_an_edit_the_kpi_owner(
    owner, users, role, query, status
):
    response = client_for(users[role]).post(f"{LINT}{query}", _form(owner))
    assert response.status_code == status


def test_the_kpi_page_shows_its_lint_findings(owner, users):
    page = client_for(users["viewer"]).get("/kpis/churn/").content.decode()
    lint = page.split("<h2>Lint</h2>", 1)[1].split("</section>", 1)[0]
    assert '<li data-rule="kpi-incomplete">' in lint
    assert "lacks description, owner:" in lint


def test_a_key_that_names_a_dictionary_page_is_refused(owner, users):
    response = client_for(users["admin"]).post(NEW, _form(owner, key="new"))
    assert response.status_code == 400
    assert "&#x27;new&#x27; names a page of the dictionary: choose another key" in (
        _beside(response.content.decode(), "key")
    )
    assert not KPI.objects.filter(key="new").exists()
