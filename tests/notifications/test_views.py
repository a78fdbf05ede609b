"""The unsubscribe link (no sign-in; forged or altered links refused) and the
admins' log of messages, per role."""

from __future__ import annotations

import pytest
from django.test import Client

from drumbeat.accounts.models import Profile
from drumbeat.audit.models import Event
from drumbeat.notifications.models import Notification
from drumbeat.notifications.services import unsubscribe_token
from drumbeat.notifications.views import LINK_REFUSED
from tests.conftest import assert_admins_only, client_for

Kind = Notification.Kind


def link(token: str) -> str:
    return f"/notifications/unsubscribe/{token}/"


def test_the_link_shows_what_it_turns_off_without_signing_in(users):
    token = unsubscribe_token(user=users["owner"], kind=Kind.DIGEST)
    response = Client().get(link(token))
    assert response.status_code == 200
    assert "Stop weekly digests by e-mail" in response.text
    assert not Profile.objects.filter(user=users["owner"]).exists()


def test_confirming_turns_off_that_kind_only_and_is_kept(users):
    token = unsubscribe_token(user=users["owner"], kind=Kind.DIGEST)
    response = Client(enforce_csrf_checks=True).post(link(token))
    assert response.status_code == 200
    assert "no more weekly digests by e-mail" in response.text
    profile = Profile.objects.get(user=users["owner"])
    assert (
        profile.email_digest,
        profile.email_check_in_reminders,
        profile.email_reading_reminders,
    ) == (False, True, True)
    event = Event.objects.get(action="unsubscribed")
    assert (event.subject, event.actor) == ("owner", users["owner"])


def test_one_click_unsubscribe_as_a_mail_client_posts_it(users):
    token = unsubscribe_token(user=users["editor"], kind=Kind.CHECK_IN_REMINDER)
    response = Client(enforce_csrf_checks=True).post(
        link(token), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert Profile.objects.get(user=users["editor"]).email_check_in_reminders is False


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "eyJ1IjoxLCJrIjoiZGlnZXN0In0" + token[token.index(":") :],
        lambda token: "not-a-token",
    ],
    ids=["altered signature", "other person", "forged"],
)
def test_a_forged_or_altered_link_is_refused(users, tamper):
    token = unsubscribe_token(user=users["owner"], kind=Kind.DIGEST)
    response = Client().post(link(tamper(token)))
    assert response.status_code == 400
    assert LINK_REFUSED in response.text
    assert not Profile.objects.exists()


def test_the_link_is_the_same_whenever_it_is_made(users, time_machine):
    time_machine.move_to("2026-11-30 09:30Z")
    first = unsubscribe_token(user=users["owner"], kind=Kind.DIGEST)
    time_machine.move_to("2026-12-30 09:30Z")
    assert unsubscribe_token(user=users["owner"], kind=Kind.DIGEST) == first


def test_a_link_signed_for_another_purpose_is_refused(users):
    from django.core import signing

    token = signing.Signer().sign_object({"u": users["owner"].pk, "k": "digest"})
    assert Client().post(link(token)).status_code == 400


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", None])
def test_only_admins_see_the_log(users, role):
    Notification.objects.create(
        user=users["owner"],
        kind=Kind.DIGEST,
        period="2026-W49",
        channel="email",
        recipient="owner@example.com",
        subject="Your week in Drumbeat: 2 items (2026-W49)",
        status=Notification.Status.FAILED,
        attempts=6,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    response = client_for(users[role] if role else None).get("/notifications/")
    assert_admins_only(response, role)
    if role == "admin":
        assert "ConnectionRefusedError: [Errno 111] Connection refused" in response.text
        assert "owner@example.com" in response.text
