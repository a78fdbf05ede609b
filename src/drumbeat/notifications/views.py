"""Pages of the notifications app: the unsubscribe link from a message (no
sign-in: the signed token is the proof), and the log of messages for admins.
Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from drumbeat.common.guards import AdminRequest, admin_required
from drumbeat.notifications import selectors, services
from drumbeat.notifications.models import Notification

LINK_REFUSED = (
    "This unsubscribe link is not valid: it may have been cut or changed. Use the "
    "link in the e-mail as it is, or sign in and change your e-mail settings."
)
LOG_LENGTH = 200


@login_not_required
@csrf_exempt  # the one-click POST of RFC 8058 comes from a mail client, no cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link turns off; POST (the button, or a mail client's
    one-click `List-Unsubscribe-Post`) turns it off on the person's profile."""
    found = services.unsubscribe_read(token)
    if found is None:
        return render(
            request,
            "notifications/unsubscribe.html",
            {"refused": LINK_REFUSED},
            status=400,
        )
    user, kind = found
    done = False
    if request.method == "POST":
        services.unsubscribe(user=user, kind=kind)
        done = True
    return render(
        request,
        "notifications/unsubscribe.html",
        {
            "person": user,
            "kind_label": Notification.Kind(kind).label,
            "done": done,
            "token": token,
        },
    )


@admin_required("Only admins see the messages Drumbeat sends.")
def notifications(request: AdminRequest) -> HttpResponse:
    """The messages that failed or wait to be tried again, then the latest sent."""
    return render(
        request,
        "notifications/notifications.html",
        {
            "failures": selectors.failures()[:LOG_LENGTH],
            "recent": selectors.recent()[:LOG_LENGTH],
        },
    )
