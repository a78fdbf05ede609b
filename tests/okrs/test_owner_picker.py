"""The person picker in the KPI, objective and KR forms: the active people offered
in a datalist (no script), a picked or typed person made the owner account, a
name that is no one's kept as a plain name."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from drumbeat.kpis.models import KPI
from drumbeat.okrs.models import KeyResult, Objective
from tests.conftest import client_for, key_result_form
from tests.kpis.test_kpi_edit import _form as kpi_form
from tests.okrs.test_objective_edit import _form as objective_form

pytestmark = pytest.mark.django_db

PICKED = "Maya Chen <maya@example.com>"


@pytest.fixture
def maya(db) -> User:
    return User.objects.create(
        username="maya", first_name="Maya", last_name="Chen", email="maya@example.com"
    )


def test_the_kpi_form_offers_active_people_in_a_datalist(small_workspace, users, maya):
    User.objects.create(username="gone", first_name="Gone", is_active=False)
    page = client_for(users["admin"]).get("/kpis/csat/edit/").content.decode()
    assert 'list="id_owner_name-people"' in page
    assert '<datalist id="id_owner_name-people">' in page
    assert (
        f'<option value="{PICKED.replace("<", "&lt;").replace(">", "&gt;")}">' in page
    )
    assert "Gone" not in page


def test_a_picked_person_owns_the_kpi_and_may_record_its_readings(
    small_workspace, users, maya
):
    response = client_for(users["admin"]).post(
        "/kpis/csat/edit/", kpi_form(owner_name=PICKED)
    )
    assert response.status_code == 302
    csat = KPI.objects.get(key="csat")
    assert (csat.owner, csat.owner_name) == (maya, "Maya Chen")
    recorded = client_for(maya).post(
        "/kpis/csat/readings/", {"day": "2026-07-10", "value": "91"}
    )
    assert recorded.status_code == 302


def test_a_typed_name_that_is_no_ones_stays_a_plain_name(small_workspace, users):
    client_for(users["admin"]).post("/kpis/csat/edit/", kpi_form(owner_name="Priya"))
    csat = KPI.objects.get(key="csat")
    assert (csat.owner, csat.owner_name) == (None, "Priya")


def test_an_objective_owner_typed_as_an_email_is_the_account(
    small_workspace, users, maya
):
    response = client_for(users["editor"]).post(
        "/cycles/2026-Q3/objectives/new/",
        objective_form(owner_name="MAYA@example.com"),
    )
    assert response.status_code == 302
    made = Objective.objects.get(key="faster")
    assert (made.owner, made.owner_name) == (maya, "Maya Chen")


def test_a_kr_owner_picked_is_the_account(small_workspace, users, maya):
    response = client_for(users["editor"]).post(
        "/objectives/happier/key-results/csat-up/edit/",
        key_result_form(owner_name=PICKED),
    )
    assert response.status_code == 302
    assert KeyResult.objects.get(key="csat-up").owner == maya


def test_a_name_two_people_share_is_no_ones(small_workspace, users):
    User.objects.create(username="s1", first_name="Sam", last_name="Lee")
    User.objects.create(username="s2", first_name="Sam", last_name="Lee")
    client_for(users["editor"]).post(
        "/cycles/2026-Q3/objectives/new/", objective_form(owner_name="Sam Lee")
    )
    made = Objective.objects.get(key="faster")
    assert (made.owner, made.owner_name) == (None, "Sam Lee")
