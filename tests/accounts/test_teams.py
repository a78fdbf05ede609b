"""Teams, as an admin manages them: a tree without loops, members with roles,
every change kept in history with who made it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from drumbeat.accounts.models import Membership, Team
from drumbeat.accounts.selectors import can_edit_team_okrs
from tests.conftest import assert_admins_only, client_for

pytestmark = pytest.mark.django_db

ROLES = ["admin", "editor", "owner", "viewer", "outsider", None]
PAGES = [
    ("get", "/teams/", {}),
    ("get", "/teams/new/", {}),
    ("post", "/teams/new/", {"key": "billing", "name": "Billing"}),
    ("get", "/teams/support/edit/", {}),
    ("post", "/teams/support/edit/", {"key": "support", "name": "Help desk"}),
    ("post", "/teams/support/members/", {"username": "outsider", "role": "editor"}),
    ("post", "/teams/support/members/remove/", {"username": "viewer"}),
]


@pytest.fixture
def tree(users: dict[str, User]) -> dict[str, Team]:
    """company ← support ← tier-1."""
    company = Team.objects.create(key="company", name="Company")
    support = Team.objects.get(key="support")
    support.parent = company
    support.save()
    tier_1 = Team.objects.create(key="tier-1", name="Tier 1", parent=support)
    return {"company": company, "support": support, "tier-1": tier_1}


def _team_form(team: Team, **changes: str) -> dict[str, str]:
    form = {
        "key": team.key,
        "name": team.name,
        "parent": str(team.parent_id) if team.parent_id else "",
    }
    form.update(changes)
    return form


@pytest.mark.parametrize(("method", "url", "data"), PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_only_admins_reach_the_team_pages(users, role, method, url, data):
    client = client_for(users[role] if role else None)
    response = getattr(client, method)(url, data)
    assert_admins_only(response, role)
    if role != "admin":
        assert list(Team.objects.values_list("key", "name")) == [("support", "Support")]
        roles = dict(Membership.objects.values_list("user__username", "role"))
        assert roles == {"editor": "editor", "viewer": "viewer"}


def test_the_teams_page_shows_the_tree_with_members_and_roles(tree, users):
    page = client_for(users["admin"]).get("/teams/").content.decode()
    rows = re.findall(
        r'<tr data-team="([^"]+)" data-depth="(\d+)">(.*?)</tr>', page, re.S
    )
    assert [(key, int(depth)) for key, depth, _ in rows] == [
        ("company", 0),
        ("support", 1),
        ("tier-1", 2),
    ]
    editors, viewers = re.findall(r"<td>(.*?)</td>", rows[1][2], re.S)[1:3]
    assert ">editor</a>" in editors
    assert ">viewer</a>" in viewers
    assert ">viewer</a>" not in editors


def _queries_for_teams(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/teams/").status_code == 200
    return len(queries)


def _more_teams(count: int, parent: Team) -> None:
    """`count` more teams under `parent`, each with an editor and a viewer."""
    start = Team.objects.count()
    for n in range(start, start + count):
        team = Team.objects.create(key=f"team-{n}", name=f"Team {n}", parent=parent)
        for role in ("editor", "viewer"):
            person = User.objects.create_user(f"{role}-{n}")
            Membership.objects.create(user=person, team=team, role=role)


def test_the_teams_page_runs_the_same_queries_whatever_the_number_of_teams(tree, users):
    client = client_for(users["admin"])
    _more_teams(2, tree["support"])
    few = _queries_for_teams(client)
    _more_teams(30, tree["tier-1"])
    many = _queries_for_teams(client)
    assert Team.objects.count() == 35
    assert few == many


def test_an_admin_adds_a_team_under_another(tree, users):
    response = client_for(users["admin"]).post(
        "/teams/new/",
        {"key": "billing", "name": "Billing", "parent": str(tree["company"].pk)},
    )
    assert response.status_code == 302
    assert response["Location"] == "/teams/billing/edit/"
    billing = Team.objects.get(key="billing")
    assert (billing.name, billing.parent) == ("Billing", tree["company"])
    created = billing.history.get()
    assert (created.history_type, created.history_user) == ("+", users["admin"])


def test_a_taken_team_key_is_refused_beside_the_field(tree, users):
    response = client_for(users["admin"]).post(
        "/teams/new/", {"key": "support", "name": "Second support"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Another team already has the key “support”." in page
    assert 'value="Second support"' in page
    assert Team.objects.count() == 3


def test_a_bad_team_key_is_refused_beside_the_field(users):
    response = client_for(users["admin"]).post(
        "/teams/new/", {"key": "Big team!", "name": "Big"}
    )
    assert response.status_code == 400
    assert "Enter a valid “slug”" in response.content.decode()


def test_the_team_form_opens_with_the_team(tree, users):
    page = client_for(users["admin"]).get("/teams/support/edit/").content.decode()
    assert 'name="key" value="support"' in page
    assert f'<option value="{tree["company"].pk}" selected>' in page


def test_an_admin_renames_a_team_and_moves_it_in_the_tree(tree, users):
    support = tree["support"]
    response = client_for(users["admin"]).post(
        "/teams/support/edit/",
        _team_form(support, key="help", name="Help desk", parent=""),
    )
    assert response.status_code == 302
    assert response["Location"] == "/teams/help/edit/"
    support.refresh_from_db()
    assert (support.key, support.name, support.parent) == ("help", "Help desk", None)
    latest = support.history.first()
    assert (latest.history_type, latest.history_user) == ("~", users["admin"])
    page = client_for(users["admin"]).get("/teams/help/edit/").content.decode()
    assert "admin: team changed: Help desk (help)" in page


@pytest.mark.parametrize("new_parent", ["support", "tier-1"])
def test_a_team_cannot_sit_under_itself_or_a_sub_team(tree, users, new_parent):
    support = tree["support"]
    response = client_for(users["admin"]).post(
        "/teams/support/edit/",
        _team_form(support, name="Help desk", parent=str(tree[new_parent].pk)),
    )
    assert response.status_code == 400
    page = response.content.decode()
    name = tree[new_parent].name
    assert (
        f"{name} is Support itself or one of its sub-teams: a team cannot sit "
        "under itself." in page
    )
    assert 'value="Help desk"' in page  # what was typed is kept
    support.refresh_from_db()
    assert (support.name, support.parent) == ("Support", tree["company"])
    assert support.history.count() == 2


def test_a_top_team_cannot_move_under_its_grandchild(tree, users):
    company = tree["company"]
    response = client_for(users["admin"]).post(
        "/teams/company/edit/", _team_form(company, parent=str(tree["tier-1"].pk))
    )
    assert response.status_code == 400
    assert "Tier 1 is Company itself or one of its sub-teams" in (
        response.content.decode()
    )
    assert Team.objects.get(key="company").parent is None


def test_membership_add_change_and_remove_decide_who_edits_a_teams_okrs(tree, users):
    client = client_for(users["admin"])
    outsider, support = users["outsider"], tree["support"]
    assert not can_edit_team_okrs(outsider, support)

    added = client.post(
        "/teams/support/members/", {"username": "outsider", "role": "viewer"}
    )
    assert added.status_code == 302
    assert Membership.objects.get(user=outsider, team=support).role == "viewer"
    assert not can_edit_team_okrs(outsider, support)

    client.post("/teams/support/members/", {"username": "outsider", "role": "editor"})
    assert Membership.objects.get(user=outsider, team=support).role == "editor"
    assert can_edit_team_okrs(outsider, support)
    assert not can_edit_team_okrs(outsider, tree["company"])

    removed = client.post("/teams/support/members/remove/", {"username": "outsider"})
    assert removed.status_code == 302
    assert not Membership.objects.filter(user=outsider, team=support).exists()
    assert not can_edit_team_okrs(outsider, support)


def test_membership_changes_are_kept_with_the_admin(tree, users):
    client = client_for(users["admin"])
    client.post("/teams/support/members/", {"username": "outsider", "role": "viewer"})
    client.post("/teams/support/members/", {"username": "outsider", "role": "editor"})
    client.post("/teams/support/members/remove/", {"username": "outsider"})
    history = Membership.history.filter(user_id=users["outsider"].pk).order_by(
        "history_date"
    )
    assert [(h.history_type, h.role, h.history_user) for h in history] == [
        ("+", "viewer", users["admin"]),
        ("~", "editor", users["admin"]),
        ("-", "editor", users["admin"]),
    ]
    page = client.get("/teams/support/edit/").content.decode()
    assert "admin: outsider removed" in page
    assert "admin: outsider now editor" in page


def test_setting_the_same_role_again_writes_no_history(users):
    client = client_for(users["admin"])
    before = Membership.history.count()
    client.post("/teams/support/members/", {"username": "editor", "role": "editor"})
    assert Membership.history.count() == before


def test_an_unknown_person_is_refused_beside_the_field_and_nothing_written(users):
    response = client_for(users["admin"]).post(
        "/teams/support/members/", {"username": "nobody", "role": "editor"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "No one has this username." in page
    assert 'value="nobody"' in page
    assert Membership.objects.count() == 2


def test_removing_someone_who_is_not_a_member_is_a_404(users):
    response = client_for(users["admin"]).post(
        "/teams/support/members/remove/", {"username": "outsider"}
    )
    assert response.status_code == 404


def test_the_team_page_lists_its_members_with_their_roles(tree, users):
    page = client_for(users["admin"]).get("/teams/support/edit/").content.decode()
    rows = dict(re.findall(r'<tr data-member="([^"]+)">(.*?)</tr>', page, re.S))
    assert set(rows) == {"editor", "viewer"}
    assert '<option value="editor" selected>' in rows["editor"]
    assert '<option value="viewer" selected>' in rows["viewer"]
    assert '<option value="outsider">' in page  # the people to pick from
