""" "Forgot password" by e-mail: Django's own password-reset views and token
generator, with the application's pages, and two limits of Drumbeat's own.

- The page answers the same whether or not the address has an account (Django's
  form sends only to active accounts with a password, and says nothing either way).
- With single sign-on the only way in (`DRUMBEAT_OIDC_ONLY`), only the break-glass
  admins (`DRUMBEAT_OIDC_PASSWORD_USERS`) are sent a link: a reset cannot open
  password sign-in to anyone else.
- An account gets at most `DRUMBEAT_ACCOUNT_MAILS_PER_HOUR` reset e-mails an hour
  (each kept in the audit log); more requests are answered the same and send none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.utils import timezone

from drumbeat.accounts.invitations import mails_per_hour
from drumbeat.accounts.signin import password_sign_in_allowed
from drumbeat.audit.models import Event
from drumbeat.audit.services import event_record

RESET_SENT = "password reset sent"
SSO_ONLY_NOTICE = (
    "Passwords are not used here: sign in with {name}. Only break-glass admin "
    "accounts can reset a password."
)


def reset_mails_recent(user: User, now: dt.datetime) -> int:
    """Password-reset e-mails sent for `user` in the hour before `now`."""
    return Event.objects.filter(
        kind=Event.Kind.PERSON,
        action=RESET_SENT,
        subject=user.get_username(),
        at__gt=now - dt.timedelta(hours=1),
    ).count()


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form, which passes by accounts that may not sign in with a
    password and accounts past their reset e-mails for the hour."""

    def get_users(self, email: str) -> Iterator[User]:
        now = timezone.now()
        for user in super().get_users(email):
            if not password_sign_in_allowed(user.get_username()):
                continue
            if reset_mails_recent(user, now) >= mails_per_hour():
                continue
            yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        event_record(
            kind=Event.Kind.PERSON,
            action=RESET_SENT,
            subject=user.get_username(),
            by=None,
            summary=to_email,
        )
        super().send_mail(
            subject_template_name,
            email_template_name,
            context,
            from_email,
            to_email,
            html_email_template_name,
        )


def _sso_only_context() -> dict[str, Any]:
    if not settings.DRUMBEAT_OIDC_ONLY:
        return {}
    return {"sso_only": SSO_ONLY_NOTICE.format(name=settings.DRUMBEAT_OIDC_NAME)}


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail address."""

    form_class = ThrottledPasswordResetForm
    template_name = "accounts/password_reset/form.html"
    html_email_template_name = "accounts/password_reset/email.html"
    email_template_name = "accounts/password_reset/email.txt"
    subject_template_name = "accounts/password_reset/subject.txt"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **_sso_only_context()}

    def form_valid(self, form: Any) -> Any:
        # The link in the e-mail names the configured address, not the request's
        # Host header, which a requester could set to their own site.
        self.extra_email_context = {"base_url": settings.DRUMBEAT_BASE_URL}
        return super().form_valid(form)


# The other steps are Django's views with the application's pages (the Django
# admin's own pages have the names Django gives by default).
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset/done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset/confirm.html"
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset/complete.html"
)
