"""People, as an admin manages them: added with a password shown once, edited,
deactivated rather than deleted, every change logged with who made it."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from drumbeat.accounts.models import Membership, Team
from drumbeat.kpis.models import KPI
from tests.conftest import PASSWORD, assert_admins_only, client_for, signs_in

pytestmark = pytest.mark.django_db

ROLES = ["admin", "editor", "owner", "viewer", "outsider", None]
PAGES = [
    ("get", "/people/", {}),
    ("get", "/people/new/", {}),
    ("post", "/people/new/", {"username": "newbie"}),
    ("get", "/people/viewer/edit/", {}),
    ("post", "/people/viewer/edit/", {"first_name": "Vera", "is_active": "on"}),
    ("post", "/people/viewer/password/", {}),
]


def _one_time_password(page: str) -> str:
    found = re.search(r"<code data-one-time-password>([^<]+)</code>", page)
    assert found is not None, "no one-time password on the page"
    return found.group(1)


def _person_form(**changes: str) -> dict[str, str]:
    form = {"first_name": "", "last_name": "", "email": "", "is_active": "on"}
    form.update(changes)
    return {name: value for name, value in form.items() if value != ""}


@pytest.mark.parametrize(("method", "url", "data"), PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_only_admins_reach_the_people_pages(users, role, method, url, data):
    client = client_for(users[role] if role else None)
    response = getattr(client, method)(url, data)
    assert_admins_only(response, role)
    if role != "admin":
        assert not User.objects.filter(username="newbie").exists()
        assert User.objects.get(username="viewer").first_name == ""
        assert User.objects.get(username="viewer").check_password(PASSWORD)


def test_the_people_page_lists_names_roles_last_sign_in_and_kpis(users):
    KPI.objects.create(
        key="csat", name="CSAT", direction="up", tier="key", owner=users["owner"]
    )
    users["viewer"].first_name, users["viewer"].last_name = "Vera", "Viewer"
    users["viewer"].email = "vera@example.com"
    users["viewer"].save()
    signs_in("viewer", PASSWORD)
    page = client_for(users["admin"]).get("/people/").content.decode()
    rows = dict(re.findall(r'<tr data-person="([^"]+)">(.*?)</tr>', page, re.S))
    assert set(rows) == {"admin", "editor", "owner", "viewer", "outsider"}
    assert "Vera Viewer" in rows["viewer"]
    assert "vera@example.com" in rows["viewer"]
    assert "Support</a> <small>viewer</small>" in rows["viewer"]
    assert "Support</a> <small>editor</small>" in rows["editor"]
    assert "<td>yes</td>" in rows["admin"]
    assert "<td>no</td>" in rows["editor"]
    assert "never" in rows["editor"]
    assert "<time datetime=" in rows["viewer"]  # signed in just now
    assert ">csat</a>" in rows["owner"]
    assert ">csat</a>" not in rows["viewer"]


def test_the_people_page_searches_username_name_and_email(users):
    users["owner"].email = "grace@example.com"
    users["owner"].save()
    page = client_for(users["admin"]).get("/people/?q=grace").content.decode()
    assert re.findall(r'<tr data-person="([^"]+)">', page) == ["owner"]


def _queries_for_people(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/people/").status_code == 200
    return len(queries)


def _more_people(count: int) -> None:
    """`count` more people, each editor of a new team, viewer of another and
    owner of two KPIs."""
    start = User.objects.count()
    for n in range(start, start + count):
        person = User.objects.create_user(f"person-{n}")
        for role in ("editor", "viewer"):
            team = Team.objects.create(key=f"{role}-{n}", name=f"Team {role} {n}")
            Membership.objects.create(user=person, team=team, role=role)
        for m in range(2):
            KPI.objects.create(
                key=f"kpi-{n}-{m}",
                name=f"KPI {n}",
                direction="up",
                tier="key",
                owner=person,
            )


def test_the_people_page_runs_the_same_queries_whatever_the_number_of_people(users):
    client = client_for(users["admin"])
    _more_people(2)
    few = _queries_for_people(client)
    _more_people(30)
    many = _queries_for_people(client)
    assert (User.objects.count(), KPI.objects.count()) == (37, 64)
    assert few == many


def test_a_new_person_gets_a_one_time_password_that_signs_them_in(users):
    response = client_for(users["admin"]).post(
        "/people/new/",
        {
            "username": "grace",
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": "grace@example.com",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    password = _one_time_password(page)
    assert "change it at" in page
    assert len(password) >= 16
    grace = User.objects.get(username="grace")
    assert (grace.get_full_name(), grace.email) == ("Grace Hopper", "grace@example.com")
    assert (grace.is_staff, grace.is_active) == (False, True)
    assert grace.password.startswith("argon2")
    assert password not in grace.password
    assert signs_in("grace", password)


def test_each_new_person_gets_a_different_password(users):
    client = client_for(users["admin"])
    first = client.post("/people/new/", {"username": "ada"}).content.decode()
    second = client.post("/people/new/", {"username": "alan"}).content.decode()
    assert _one_time_password(first) != _one_time_password(second)


def test_a_new_person_can_be_an_admin_and_in_teams_from_the_start(users):
    company = Team.objects.create(key="company", name="Company")
    support = Team.objects.get(key="support")
    response = client_for(users["admin"]).post(
        "/people/new/",
        {
            "username": "lead",
            "is_admin": "on",
            "editor_of": [str(support.pk)],
            "viewer_of": [str(company.pk)],
        },
    )
    assert response.status_code == 200
    lead = User.objects.get(username="lead")
    assert (lead.is_staff, lead.is_superuser) == (True, True)
    roles = {m.team.key: m.role for m in lead.memberships.select_related("team")}
    assert roles == {"support": "editor", "company": "viewer"}
    membership = Membership.history.filter(user_id=lead.pk).first()
    assert membership is not None
    assert membership.history_user == users["admin"]


def test_adding_a_person_is_logged_with_the_admin(users):
    page = client_for(users["admin"]).post("/people/new/", {"username": "grace"})
    grace = User.objects.get(username="grace")
    entry = LogEntry.objects.get(object_id=str(grace.pk))
    assert (entry.user, entry.action_flag) == (users["admin"], ADDITION)
    assert _one_time_password(page.content.decode()) not in entry.change_message


@pytest.mark.parametrize("username", ["editor", "Editor"])
def test_a_taken_username_is_refused_beside_the_field_and_nothing_written(
    users, username
):
    support = Team.objects.get(key="support")
    counts = (
        User.objects.count(),
        Membership.objects.count(),
        LogEntry.objects.count(),
    )
    response = client_for(users["admin"]).post(
        "/people/new/",
        {"username": username, "first_name": "Eddie", "editor_of": [str(support.pk)]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Someone already has the username “{username}”." in page
    assert 'value="Eddie"' in page  # what was typed is kept
    assert "data-one-time-password" not in page
    assert counts == (
        User.objects.count(),
        Membership.objects.count(),
        LogEntry.objects.count(),
    )


def test_one_role_per_team_when_adding_a_person(users):
    support = Team.objects.get(key="support")
    response = client_for(users["admin"]).post(
        "/people/new/",
        {"username": "grace", "editor_of": [support.pk], "viewer_of": [support.pk]},
    )
    assert response.status_code == 400
    assert "One role per team: Support cannot be both editor and viewer." in (
        response.content.decode()
    )
    assert not User.objects.filter(username="grace").exists()


def test_an_invalid_username_is_refused_beside_the_field(users):
    response = client_for(users["admin"]).post("/people/new/", {"username": "a b"})
    assert response.status_code == 400
    assert "Enter a valid username." in response.content.decode()
    assert not User.objects.filter(username="a b").exists()


def test_the_edit_form_opens_with_the_person(users):
    users["viewer"].email = "vera@example.com"
    users["viewer"].save()
    page = client_for(users["admin"]).get("/people/viewer/edit/").content.decode()
    assert 'value="vera@example.com"' in page
    assert "Support</a>: viewer" in page


def test_an_admin_edits_a_person_and_the_change_is_logged(users):
    response = client_for(users["admin"]).post(
        "/people/viewer/edit/",
        _person_form(first_name="Vera", email="vera@example.com", is_admin="on"),
    )
    assert response.status_code == 302
    viewer = User.objects.get(username="viewer")
    assert (viewer.first_name, viewer.email) == ("Vera", "vera@example.com")
    assert (viewer.is_staff, viewer.is_superuser) == (True, True)
    entry = LogEntry.objects.get(object_id=str(viewer.pk))
    assert (entry.user, entry.action_flag) == (users["admin"], CHANGE)
    assert entry.get_change_message() == (
        "Changed First name, Email address, Staff status and Superuser status."
    )
    page = client_for(users["admin"]).get("/people/viewer/edit/").content.decode()
    assert "admin: Changed First name" in page


def test_a_promoted_person_manages_people(users):
    client_for(users["admin"]).post("/people/editor/edit/", _person_form(is_admin="on"))
    assert client_for(users["editor"]).get("/people/").status_code == 200


def test_a_bad_email_is_refused_beside_the_field_and_values_kept(users):
    response = client_for(users["admin"]).post(
        "/people/viewer/edit/", _person_form(first_name="Vera", email="not-an-email")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert 'value="Vera"' in page
    assert User.objects.get(username="viewer").first_name == ""


def test_a_deactivated_person_cannot_sign_in(users):
    response = client_for(users["admin"]).post(
        "/people/viewer/edit/", _person_form(is_active="")
    )
    assert response.status_code == 302
    assert not User.objects.get(username="viewer").is_active
    assert not signs_in("viewer", PASSWORD)
    page = client_for(users["admin"]).get("/people/").content.decode()
    assert "deactivated" in page


def test_a_deactivated_person_is_signed_out_of_open_sessions(users):
    client = client_for(users["viewer"])
    client_for(users["admin"]).post("/people/viewer/edit/", _person_form(is_active=""))
    assert client.get("/kpis/").status_code == 302


def test_an_admin_cannot_remove_their_own_admin_rights(users):
    response = client_for(users["admin"]).post(
        "/people/admin/edit/", _person_form(first_name="Ada")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "You cannot remove your own admin rights; ask another admin." in page
    assert 'value="Ada"' in page
    admin = User.objects.get(username="admin")
    assert (admin.is_staff, admin.first_name) == (True, "")
    assert not LogEntry.objects.exists()


def test_an_admin_cannot_deactivate_themselves(users):
    response = client_for(users["admin"]).post(
        "/people/admin/edit/", _person_form(is_admin="on", is_active="")
    )
    assert response.status_code == 400
    assert "You cannot deactivate yourself; ask another admin." in (
        response.content.decode()
    )
    assert User.objects.get(username="admin").is_active


def test_an_admin_edits_their_own_name(users):
    response = client_for(users["admin"]).post(
        "/people/admin/edit/", _person_form(first_name="Ada", is_admin="on")
    )
    assert response.status_code == 302
    assert User.objects.get(username="admin").first_name == "Ada"


def test_a_password_reset_shows_a_new_one_time_password(users):
    response = client_for(users["admin"]).post("/people/viewer/password/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = _one_time_password(response.content.decode())
    assert not signs_in("viewer", PASSWORD)
    assert signs_in("viewer", password)
    viewer = User.objects.get(username="viewer")
    assert viewer.password.startswith("argon2")
    entry = LogEntry.objects.get(object_id=str(viewer.pk))
    assert (entry.user, entry.get_change_message()) == (
        users["admin"],
        "Changed password.",
    )


def test_an_admin_resets_their_own_password_on_the_password_page(users):
    client = client_for(users["admin"])
    response = client.post("/people/admin/password/", follow=True)
    assert "Change your own password on the password page instead." in (
        response.content.decode()
    )
    assert User.objects.get(username="admin").check_password(PASSWORD)


def test_an_unknown_person_is_a_404(users):
    assert client_for(users["admin"]).get("/people/nobody/edit/").status_code == 404


def test_the_nav_shows_people_and_teams_to_admins_only(users):
    admin_page = client_for(users["admin"]).get("/kpis/").content.decode()
    viewer_page = client_for(users["viewer"]).get("/kpis/").content.decode()
    assert 'href="/people/">People</a>' in admin_page
    assert 'href="/teams/">Teams</a>' in admin_page
    assert 'href="/people/"' not in viewer_page
