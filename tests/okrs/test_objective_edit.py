"""Team editors write objectives for their own teams; admins for any."""

from __future__ import annotations

import pytest

from drumbeat.okrs.models import Objective
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NEW = "/cycles/2026-Q3/objectives/new/"
EDIT = "/objectives/happier/edit/"


def _form(**changes: str) -> dict[str, str]:
    form = {
        "key": "faster",
        "title": "Answer customers faster",
        "team": "support",
        "owner_name": "Grace",
        "commitment": "committed",
        "parent": "",
        "version": "",
    }
    form.update(changes)
    return form


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
def test_only_editors_and_admins_add_objectives(small_workspace, users, role, status):
    response = client_for(users[role]).post(NEW, _form())
    assert response.status_code == status
    assert Objective.objects.filter(key="faster").exists() is (status == 302)


def test_an_editor_writes_only_for_their_own_team(small_workspace, users):
    response = client_for(users["editor"]).post(NEW, _form(team="company"))
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()


def test_a_new_objective_aligns_to_its_parent(small_workspace, users):
    client_for(users["editor"]).post(NEW, _form(parent="happier"))
    objective = Objective.objects.get(key="faster")
    assert objective.parent is not None
    assert objective.parent.key == "happier"
    assert objective.cycle.key == "2026-Q3"


def test_a_duplicate_key_is_refused_beside_the_field(small_workspace, users):
    response = client_for(users["editor"]).post(NEW, _form(key="happier"))
    assert response.status_code == 400
    assert (
        "an objective &#x27;happier&#x27; already exists" in response.content.decode()
    )


def test_a_stale_objective_form_is_refused(small_workspace, users):
    edit = _form(key="happier", title="Customers love support", version="1")
    assert client_for(users["admin"]).post(EDIT, edit).status_code == 302
    response = client_for(users["editor"]).post(EDIT, {**edit, "title": "Other"})
    assert response.status_code == 400
    assert "Changed by admin at " in response.content.decode()
    assert Objective.objects.get(key="happier").title == "Customers love support"
