"""Invitations by e-mail: admins invite one person, a pasted list or a CSV file (all
or nothing, each problem with its line); the link sets the password once, before
it expires, and signs the person in; admins resend and revoke."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from drumbeat.accounts.invitation_views import SSO_ONLY
from drumbeat.accounts.invitations import (
    EXPIRED,
    NOT_FOUND,
    REVOKED,
    USED,
    invitation_send,
)
from drumbeat.accounts.models import Invitation, Membership
from drumbeat.audit.models import Event
from tests.conftest import assert_admins_only, client_for

pytestmark = pytest.mark.django_db

ROLES = ["admin", "editor", "owner", "viewer", "outsider", None]
NEW_PASSWORD = "Tangerine-orbit-47"


def _link(message: Any) -> str:
    found = re.search(r"http://127\.0\.0\.1:8000(/invitations/[\w-]+/)", message.body)
    assert found is not None, "no invitation link in the e-mail"
    return found.group(1)


def _invite(client: Client, **form: object) -> Any:
    return client.post("/people/invite/", form)


def _problems(response: Any) -> list[str]:
    page = response.content.decode()
    return re.findall(r"line \d+: [^<]+", page)


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_invite(users, role):
    client = client_for(users[role] if role else None)
    assert_admins_only(client.get("/people/invite/"), role)
    response = _invite(client, email="nina@example.com", name="Nina Novak")
    assert_admins_only(response, role)
    invited = Invitation.objects.filter(email="nina@example.com").exists()
    assert invited is (role == "admin")
    assert len(mail.outbox) == (1 if role == "admin" else 0)


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_resend_and_revoke(users, role):
    sent = invitation_send(email="nina@example.com", by=users["admin"])
    client = client_for(users[role] if role else None)
    pk = sent.invitation.pk
    assert_admins_only(client.post(f"/people/invitations/{pk}/resend/"), role)
    assert_admins_only(client.post(f"/people/invitations/{pk}/revoke/"), role)
    revoked = Invitation.objects.get(pk=pk).revoked_at is not None
    assert revoked is (role == "admin")


def test_an_invitation_makes_an_account_a_membership_and_an_email(users):
    response = _invite(
        client_for(users["admin"]),
        email="nina@example.com",
        name="Nina Novak",
        team="support",
        role="editor",
    )
    assert response.status_code == 302
    person = User.objects.get(username="nina@example.com")
    assert (person.first_name, person.last_name) == ("Nina", "Novak")
    assert person.is_active
    assert not person.has_usable_password()
    assert Membership.objects.get(user=person).role == "editor"
    (message,) = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == ["nina@example.com"]
    assert message.subject == "admin invites you to Drumbeat on Drumbeat"
    assert "as editor of Support" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert _link(message) in str(html)
    invitation = Invitation.objects.get(user=person)
    lifetime = invitation.expires_at - invitation.created_at
    assert round(lifetime.total_seconds()) == 7 * 24 * 3600
    token = _link(message).split("/")[2]
    assert len(token) == 43  # 256 bits, URL-safe base64
    assert token not in invitation.digest  # only the digest is kept
    assert Event.objects.filter(action="invited", subject=person.username).exists()


def test_inviting_someone_with_an_account_finds_it(users):
    users["viewer"].email = "vera@example.com"
    users["viewer"].save()
    invitation_send(email="Vera@Example.com", by=users["admin"])
    assert Invitation.objects.get().user == users["viewer"]
    assert User.objects.count() == 5


def test_a_pasted_list_invites_everyone_on_it(users):
    people = "Nina Novak <nina@example.com>\n\n  omar@example.com  \n"
    response = _invite(client_for(users["admin"]), people=people)
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == [
        "nina@example.com",
        "omar@example.com",
    ]
    assert Invitation.objects.get(email="nina@example.com").name == "Nina Novak"


def test_a_pasted_list_with_problems_invites_no_one_and_names_each_line(users):
    users["outsider"].email, users["outsider"].is_active = "out@example.com", False
    users["outsider"].save()
    people = "\n".join(
        [
            "Nina <nina@example.com>",
            "not an address",
            "nina@example.com",
            "out@example.com",
        ]
    )
    response = _invite(client_for(users["admin"]), people=people)
    assert response.status_code == 400
    assert _problems(response) == [
        "line 2: “not an address” is not an e-mail address",
        "line 3: nina@example.com is already on line 1",
        "line 4: out@example.com belongs to a deactivated person; reactivate them",
    ]
    assert not Invitation.objects.exists()
    assert not User.objects.filter(email="nina@example.com").exists()
    assert mail.outbox == []


CSV = b"""name,email,team,role
Nina Novak,nina@example.com,support,editor
Omar,omar@example.com,,
"""


def test_a_csv_file_invites_with_teams_and_roles(users):
    upload = SimpleUploadedFile("people.csv", CSV, content_type="text/csv")
    response = _invite(client_for(users["admin"]), csv_file=upload)
    assert response.status_code == 302
    nina = User.objects.get(username="nina@example.com")
    assert Membership.objects.get(user=nina).role == "editor"
    assert not Membership.objects.filter(user__username="omar@example.com").exists()
    assert len(mail.outbox) == 2


def test_a_csv_file_with_problems_invites_no_one_and_names_each_line(users):
    rows = b"""name,email,team,role
Nina,nina@example.com,support,editor
Omar,,support,viewer
Pia,pia@example.com,nowhere,viewer
Quinn,quinn@example.com,support,boss
Rae,rae@example.com,,editor
"""
    upload = SimpleUploadedFile("people.csv", rows, content_type="text/csv")
    response = _invite(client_for(users["admin"]), csv_file=upload)
    assert _problems(response) == [
        "line 3: no e-mail address",
        "line 4: no team has the key “nowhere”",
        "line 5: a role is editor or viewer, not “boss”",
        "line 6: a role needs a team",
    ]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_csv_file_without_the_header_is_refused(users):
    upload = SimpleUploadedFile("people.csv", b"nina@example.com\n")
    response = _invite(client_for(users["admin"]), csv_file=upload)
    assert response.status_code == 400
    assert (
        "line 1: the CSV&#x27;s columns are name,email,team,role, not nina@example.com"
        in response.content.decode()
    )


def test_accepting_sets_the_password_and_signs_in(users):
    invitation_send(email="nina@example.com", by=users["admin"])
    client = Client()
    link = _link(mail.outbox[0])
    assert "Choose a password for nina@example.com" in client.get(link).content.decode()
    response = client.post(
        link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    nina = User.objects.get(username="nina@example.com")
    assert client.session["_auth_user_id"] == str(nina.pk)
    assert nina.check_password(NEW_PASSWORD)
    assert Invitation.objects.get().accepted_at is not None
    assert Event.objects.filter(action="invitation accepted", actor=nina).exists()


def test_the_password_rules_apply_when_accepting(users):
    invitation_send(email="nina@example.com", by=users["admin"])
    client = Client()
    link = _link(mail.outbox[0])
    response = client.post(link, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This password is too short. It must contain at least 12 characters." in page
    common = {"new_password1": "password1234", "new_password2": "password1234"}
    assert "This password is too common." in client.post(link, common).content.decode()
    assert Invitation.objects.get().accepted_at is None
    assert "_auth_user_id" not in client.session


def test_a_used_link_is_refused(users):
    invitation_send(email="nina@example.com", by=users["admin"])
    link = _link(mail.outbox[0])
    form = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    Client().post(link, form)
    response = Client().post(link, form)
    assert response.status_code == 410
    today = f"{Invitation.objects.get().accepted_at:%Y-%m-%d}"
    assert USED.format(date=today) in response.content.decode()
    assert 'name="new_password1"' not in response.content.decode()


def test_an_expired_link_is_refused(users, time_machine):
    sent = invitation_send(email="nina@example.com", by=users["admin"])
    time_machine.move_to(sent.invitation.expires_at + dt.timedelta(seconds=1))
    response = Client().get(_link(mail.outbox[0]))
    assert response.status_code == 410
    expired = EXPIRED.format(date=f"{sent.invitation.expires_at:%Y-%m-%d}")
    assert expired in response.content.decode()


def test_a_revoked_link_is_refused(users):
    invitation_send(email="nina@example.com", by=users["admin"])
    client_for(users["admin"]).post(
        f"/people/invitations/{Invitation.objects.get().pk}/revoke/"
    )
    response = Client().get(_link(mail.outbox[0]))
    assert response.status_code == 410
    revoked = f"{Invitation.objects.get().revoked_at:%Y-%m-%d}"
    assert REVOKED.format(date=revoked) in response.content.decode()
    assert Event.objects.filter(action="invitation revoked").count() == 1


def test_an_unknown_link_is_not_found():
    response = Client().get("/invitations/nonsense/")
    assert response.status_code == 404
    assert NOT_FOUND.replace("'", "&#x27;") in response.content.decode()


def test_resending_sends_a_new_link_and_the_old_stops_working(users):
    sent = invitation_send(email="nina@example.com", by=users["admin"])
    client_for(users["admin"]).post(f"/people/invitations/{sent.invitation.pk}/resend/")
    old, new = (_link(message) for message in mail.outbox)
    assert old != new
    assert Client().get(old).status_code == 410
    assert Client().get(new).status_code == 200
    assert Event.objects.filter(action="invitation resent").count() == 1


def test_the_invite_page_lists_pending_invitations(users):
    invitation_send(email="nina@example.com", by=users["admin"])
    page = client_for(users["admin"]).get("/people/invite/").content.decode()
    assert 'data-invitation="nina@example.com"' in page


def test_a_pending_invitation_is_not_sent_twice(users):
    invitation_send(email="nina@example.com", by=users["admin"])
    response = _invite(client_for(users["admin"]), email="nina@example.com")
    assert _problems(response) == [
        "line 1: nina@example.com has a pending invitation already; resend it instead"
    ]
    assert len(mail.outbox) == 1


def test_an_address_gets_at_most_the_hours_invitation_mails(users, settings):
    settings.DRUMBEAT_ACCOUNT_MAILS_PER_HOUR = 2
    sent = invitation_send(email="nina@example.com", by=users["admin"])
    client = client_for(users["admin"])
    client.post(f"/people/invitations/{sent.invitation.pk}/resend/")
    newest = Invitation.objects.filter(revoked_at__isnull=True).get()
    response = client.post(f"/people/invitations/{newest.pk}/resend/", follow=True)
    assert (
        "nina@example.com got 2 account e-mails in the last hour; try again later"
        in response.content.decode()
    )
    assert len(mail.outbox) == 2


def test_sso_only_sets_no_password_and_sends_to_single_sign_on(users, settings):
    settings.DRUMBEAT_OIDC_ONLY = True
    settings.DRUMBEAT_OIDC_NAME = "Acme ID"
    invitation_send(email="nina@example.com", by=users["admin"])
    link = _link(mail.outbox[0])
    client = Client()
    page = client.get(link).content.decode()
    assert SSO_ONLY.format(name="Acme ID") in page
    assert 'name="new_password1"' not in page
    client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert not User.objects.get(username="nina@example.com").has_usable_password()
