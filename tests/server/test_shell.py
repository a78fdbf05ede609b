"""The application shell on every page: the header's sections and menus per role,
the skip link, the current section, the error pages and the password pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory

from drumbeat.common.templatetags.navigation import section_of
from drumbeat.server.errors import server_error
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

ROLES = ["admin", "editor", "owner", "viewer", "outsider"]


def page(user, path: str = "/") -> str:
    response = client_for(user).get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_the_five_sections_and_their_own_menu(users, role):
    text = page(users[role])
    for label in ("Dashboard", "My week", "KPIs", "OKRs", "KPI review"):
        assert f">{label}</a>" in text
    assert 'data-menu="person">' in text
    assert f"<summary>{role}</summary>" in text
    for link in ('href="/me/settings/"', 'href="/password/"', 'href="/tokens/"'):
        assert link in text
    assert ">Sign out</button>" in text


def test_the_person_menu_is_named_by_the_full_name(users):
    viewer = users["viewer"]
    viewer.first_name, viewer.last_name = "Maya", "Chen"
    viewer.save()
    assert "<summary>Maya Chen</summary>" in page(viewer)


def test_an_admin_sees_the_admin_menu(users):
    text = page(users["admin"])
    assert 'data-menu="admin">' in text
    for link in ("/people/", "/teams/", "/webhooks/", "/notifications/", "/audit/"):
        assert f'href="{link}"' in text
    assert 'href="/admin/"' in text


@pytest.mark.parametrize("role", ["editor", "owner", "viewer", "outsider"])
def test_no_one_else_sees_the_admin_menu_or_a_link_into_the_django_admin(users, role):
    for path in ("/", "/me/settings/", "/password/", "/tokens/"):
        text = page(users[role], path)
        assert 'data-menu="admin"' not in text
        assert 'href="/admin/' not in text, path
        assert 'href="/people/"' not in text


def test_anonymous_visitors_see_the_name_and_no_menus(db):
    text = Client().get("/sign-in/").content.decode()
    assert "<strong>Drumbeat</strong>" in text
    assert "data-menu" not in text
    assert "nav-menu" not in text


def test_the_skip_link_is_the_first_thing_to_focus(users):
    text = page(users["viewer"])
    body = text.split("<body", 1)[1]
    first_link = re.search(r"<(a|button|input|select|summary)\b[^>]*>", body)
    assert first_link is not None
    assert first_link.group(0) == '<a class="skip-link" href="#content">'
    assert '<main class="container" id="content" tabindex="-1">' in text


def test_the_theme_follows_the_system(users):
    text = page(users["viewer"])
    assert "data-theme" not in text
    assert '<meta name="color-scheme" content="light dark">' in text


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", '<a href="/" aria-current="page">Dashboard</a>'),
        ("/kpis/", '<a href="/kpis/" aria-current="page">KPIs</a>'),
        (
            "/review/investigations/",
            '<a href="/review/kpis/" aria-current="page">KPI review</a>',
        ),
        ("/review/kpis/", '<a href="/review/kpis/" aria-current="page">KPI review</a>'),
        ("/cycles/new/", '<a href="/cycles/" aria-current="page">OKRs</a>'),
        (
            "/me/settings/",
            '<a href="/me/settings/" aria-current="page">My settings</a>',
        ),
    ],
)
def test_the_current_section_is_marked(users, path, current):
    header = page(users["admin"], path).split("</header>", 1)[0]
    assert current in header
    assert header.count('aria-current="page"') == 1


@pytest.mark.parametrize(
    ("url_name", "section"),
    [
        ("kpi-review-note", "review"),
        ("kpi-edit", "kpis"),
        ("critical-success-factors", "kpis"),
        ("reading-create", "kpis"),
        ("cycle-board", "okrs"),
        ("objective-detail", "okrs"),
        ("checkin-agenda", "okrs"),
        ("investigations", "review"),
        ("assessment", "review"),
        ("assessment-answer", "review"),
        ("person-edit", "people"),
        ("team-edit", "teams"),
        ("password_change_done", "password"),
        ("login", ""),
        (None, ""),
    ],
)
def test_each_page_belongs_to_its_section(url_name, section):
    assert section_of(url_name) == section


# --- The error pages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "sentence"),
    [
        ("/people/", 403, "Only admins manage people and teams."),
        ("/kpis/new/", 403, "Only an admin manages the KPI dictionary."),
        ("/no-such-page/", 404, "There is nothing here."),
    ],
)
def test_an_error_page_is_styled_with_a_sentence_and_a_way_back(
    users, path, status, sentence
):
    response = client_for(users["viewer"]).get(path)
    text = response.content.decode()
    assert response.status_code == status
    assert f'data-error="{status}"' in text
    assert '<header class="container app-header">' in text
    assert 'data-menu="person"' in text
    assert sentence in text
    assert 'href="/">Back to the dashboard</a>' in text


def test_the_500_page_renders_without_a_request_context_or_the_database(
    django_db_blocker,
):
    """The database blocked: the page must not need it (it may be what failed)."""
    with django_db_blocker.block():
        response = server_error(RequestFactory().get("/kpis/"))
    text = response.content.decode()
    assert response.status_code == 500
    assert 'data-error="500"' in text
    assert "<strong>Drumbeat</strong>" in text
    assert "data-menu" not in text


@pytest.mark.parametrize(
    ("path", "status"), [("/api/v1/no-such-route", 404), ("/api/v1/x", 404)]
)
def test_api_errors_stay_json(users, path, status):
    response = client_for(users["viewer"]).get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_an_api_server_error_is_json():
    response = server_error(RequestFactory().get("/api/v1/kpis"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"


# --- The password pages ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_password_page_is_the_applications_own(users, role):
    text = page(users[role], "/password/")
    assert "<h1>Change your password</h1>" in text
    assert '<header class="container app-header">' in text
    if role != "admin":  # the Admin menu's link to the Django admin is an admin's
        assert "/admin/" not in text


def test_changing_the_password_ends_on_the_applications_done_page(users):
    client = client_for(users["viewer"])
    new = "a walk by the quiet river"
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert response.redirect_chain == [("/password/changed/", 302)]
    text = response.content.decode()
    assert "<h1>Password changed</h1>" in text
    assert "/admin/" not in text


def test_anonymous_visitors_are_sent_to_sign_in_from_the_password_page(db):
    response = Client().get("/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.usefixtures("small_workspace")
@pytest.mark.parametrize("role", ROLES)
def test_every_link_of_the_header_opens_for_the_person_shown_it(users, role):
    """A person never sees a link they may not use: no header link is a 403."""
    client = client_for(users[role])
    header = client.get("/").content.decode().split("</header>", 1)[0]
    links = set(re.findall(r'href="(/[^"#]*)"', header)) - {"/admin/"}
    assert len(links) >= 8
    refused = [link for link in links if client.get(link).status_code == 403]
    assert refused == []
