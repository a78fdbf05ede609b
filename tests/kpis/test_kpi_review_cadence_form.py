"""The review cadence on the KPI form: the owner sets it, a bad one is refused
beside the field, and the form opens with it."""

from __future__ import annotations

import pytest

from drumbeat.kpis.models import KPI
from tests.conftest import client_for
from tests.kpis.test_kpi_edit import EDIT, _form, owned

__all__ = ["owned"]

pytestmark = pytest.mark.django_db


def test_the_owner_sets_a_review_cadence(owned, users):
    response = client_for(users["owner"]).post(EDIT, _form(review_cadence="monthly"))
    assert response.status_code == 302
    assert KPI.objects.get(key="csat").review_cadence == "monthly"
    form = client_for(users["owner"]).get(EDIT).content.decode()
    assert '<option value="monthly" selected>' in form


def test_a_review_cadence_that_is_not_one_is_refused(owned, users):
    response = client_for(users["owner"]).post(EDIT, _form(review_cadence="often"))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert KPI.objects.get(key="csat").review_cadence == ""
