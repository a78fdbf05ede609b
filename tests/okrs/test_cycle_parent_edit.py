"""An admin puts a quarter inside its year on the cycle form; a quarter outside the
year's dates, or a year inside another, is refused beside the field."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.okrs.models import Cycle
from tests.conftest import client_for
from tests.server.test_api import bearer, post

pytestmark = pytest.mark.django_db

YEAR = {"key": "fy2027", "start": "2027-01-01", "end": "2027-12-31"}
QUARTER = {"key": "2027-Q1", "start": "2027-01-01", "end": "2027-03-31"}


def test_a_quarter_goes_inside_its_year(small_workspace, users):
    client = client_for(users["admin"])
    assert client.post("/cycles/new/", YEAR).status_code == 302
    response = client.post("/cycles/new/", QUARTER | {"parent": "fy2027"})
    assert response.status_code == 302
    quarter = Cycle.objects.get(key="2027-Q1")
    assert quarter.parent == Cycle.objects.get(key="fy2027")
    form = client.get("/cycles/2027-Q1/edit/").content.decode()
    assert '<option value="fy2027" selected>' in form


@pytest.mark.parametrize(
    ("quarter", "message"),
    [
        (QUARTER | {"end": "2028-03-31"}, "does not fit inside &#x27;fy2027&#x27;"),
    ],
)
def test_a_quarter_outside_its_year_is_refused(
    small_workspace, users, quarter, message
):
    client = client_for(users["admin"])
    client.post("/cycles/new/", YEAR)
    response = client.post("/cycles/new/", quarter | {"parent": "fy2027"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Cycle.objects.filter(key="2027-Q1").exists()


def test_a_cycle_inside_a_year_is_not_offered_as_a_year(small_workspace, users):
    client = client_for(users["admin"])
    client.post("/cycles/new/", YEAR)
    client.post("/cycles/new/", QUARTER | {"parent": "fy2027"})
    form = client.get("/cycles/new/").content.decode()
    assert '<option value="fy2027">' in form
    assert '<option value="2027-Q1">' not in form
    month = {"key": "2027-01", "start": "2027-01-01", "end": "2027-01-31"}
    response = client.post("/cycles/new/", month | {"parent": "2027-Q1"})
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["editor", "owner", "viewer", "outsider"])
def test_only_admins_set_a_containing_cycle(small_workspace, users, role):
    client_for(users["admin"]).post("/cycles/new/", YEAR)
    response = client_for(users[role]).post(
        "/cycles/new/", QUARTER | {"parent": "fy2027"}
    )
    assert response.status_code == 403
    assert not Cycle.objects.filter(key="2027-Q1").exists()


def test_a_year_with_quarters_cannot_go_inside_another(small_workspace, users):
    client = client_for(users["admin"])
    client.post("/cycles/new/", YEAR)
    client.post("/cycles/new/", QUARTER | {"parent": "fy2027"})
    decade = {"key": "decade", "start": "2020-01-01", "end": "2029-12-31"}
    client.post("/cycles/new/", decade)
    year = Cycle.objects.get(key="fy2027")
    response = client.post(
        "/cycles/fy2027/edit/",
        YEAR | {"parent": "decade", "version": year.version},
    )
    assert response.status_code == 400
    assert "contains other cycles" in response.content.decode()
    assert Cycle.objects.get(key="fy2027").parent is None
    assert Cycle.objects.get(key="fy2027").start == dt.date(2027, 1, 1)


def test_the_api_puts_a_quarter_inside_its_year(small_workspace, users):
    client = bearer(users["admin"], "admin")
    assert post(client, "/api/v1/cycles", YEAR).status_code == 201
    created = post(client, "/api/v1/cycles", QUARTER | {"parent": "fy2027"})
    assert created.status_code == 201
    assert created.json()["parent"] == "fy2027"
    listed = {c["key"]: c["parent"] for c in client.get("/api/v1/cycles").json()}
    assert listed["fy2027"] is None
    assert listed["2027-Q1"] == "fy2027"
    unknown = post(client, "/api/v1/cycles", QUARTER | {"key": "q2", "parent": "nope"})
    assert unknown.status_code == 422
    assert "refers to cycle 'nope', which is not defined" in unknown.content.decode()
