""" "Forgot password" by e-mail: Django's reset views with the application's pages;
the page says the same whether or not the address has an account, an account gets
a few reset e-mails an hour at most, and single sign-on's only-way-in mode is kept
(only break-glass admins may reset a password)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from drumbeat.accounts.passwords import SSO_ONLY_NOTICE
from drumbeat.audit.models import Event
from tests.conftest import signs_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Tangerine-orbit-47"


@pytest.fixture
def vera(users: dict[str, User]) -> User:
    users["viewer"].email = "vera@example.com"
    users["viewer"].save()
    return users["viewer"]


def _reset_link(message: Any) -> str:
    found = re.search(
        r"http://127\.0\.0\.1:8000(/password/reset/[\w-]+/[\w-]+/)", message.body
    )
    assert found is not None, "no reset link in the e-mail"
    return found.group(1)


def _ask(email: str) -> str:
    """Ask for a reset link for `email`; the page that answers (its article)."""
    response = Client().post("/password/reset/", {"email": email}, follow=True)
    assert response.redirect_chain == [("/password/reset/sent/", 302)]
    page = response.content.decode()
    return page[page.index("<article") : page.index("</article>")]


def test_the_sign_in_page_links_to_forgot_password():
    page = Client().get("/sign-in/").content.decode()
    assert 'href="/password/reset/" data-forgot-password' in page


def test_resetting_a_password_by_email_end_to_end(vera):
    _ask("Vera@Example.com")
    (message,) = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == ["vera@example.com"]
    assert message.subject == "Choose a new Drumbeat password"
    assert message.alternatives[0][1] == "text/html"
    client = Client()
    form_page = client.get(_reset_link(message), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your new password is set." in done.content.decode()
    assert signs_in("viewer", NEW_PASSWORD)
    # The link works once.
    again = Client().get(_reset_link(message), follow=True).content.decode()
    assert "This password-reset link is not valid" in again


def test_the_password_rules_apply_to_a_reset(vera):
    _ask("vera@example.com")
    client = Client()
    form_page = client.get(_reset_link(mail.outbox[0]), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "password1234", "new_password2": "password1234"},
    )
    assert "This password is too common." in response.content.decode()
    assert not User.objects.get(pk=vera.pk).check_password("password1234")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(vera):
    assert _ask("nobody@example.com") == _ask("vera@example.com")
    assert [message.to for message in mail.outbox] == [["vera@example.com"]]


def test_an_invited_person_without_a_password_gets_no_reset_mail(users):
    users["outsider"].email = "out@example.com"
    users["outsider"].set_unusable_password()
    users["outsider"].save()
    _ask("out@example.com")
    assert mail.outbox == []


def test_an_account_gets_at_most_the_hours_reset_mails(vera, settings):
    settings.DRUMBEAT_ACCOUNT_MAILS_PER_HOUR = 2
    for _ in range(4):
        _ask("vera@example.com")
    assert len(mail.outbox) == 2
    assert Event.objects.filter(action="password reset sent").count() == 2


def test_sso_only_sends_no_reset_mail_and_says_why(vera, settings):
    settings.DRUMBEAT_OIDC_ONLY = True
    settings.DRUMBEAT_OIDC_NAME = "Acme ID"
    page = Client().get("/password/reset/").content.decode()
    assert SSO_ONLY_NOTICE.format(name="Acme ID") in page
    _ask("vera@example.com")
    assert mail.outbox == []


def test_sso_only_still_lets_a_break_glass_admin_reset(users, settings):
    settings.DRUMBEAT_OIDC_ONLY = True
    settings.DRUMBEAT_OIDC_PASSWORD_USERS = ["admin"]
    users["admin"].email = "admin@example.com"
    users["admin"].save()
    _ask("admin@example.com")
    assert [message.to for message in mail.outbox] == [["admin@example.com"]]
