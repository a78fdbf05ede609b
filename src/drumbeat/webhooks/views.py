"""Webhook pages, for admins: list, add, edit, rotate the secret, delete, send a
test event, read the delivery log. Thin: parse, call one service or selector,
render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from drumbeat.common.editing import save_from_form
from drumbeat.common.guards import AdminRequest, admin_required
from drumbeat.webhooks import services
from drumbeat.webhooks.forms import WebhookForm
from drumbeat.webhooks.models import Delivery, Event, Webhook
from drumbeat.webhooks.selectors import webhook_deliveries, webhooks_list

admin_only = admin_required("Only admins manage webhooks.")


def _secret_page(
    request: HttpRequest, made: services.WebhookSecret, *, created: bool
) -> HttpResponse:
    """The signing secret, shown this once: rendered, never stored in clear."""
    response = render(
        request,
        "webhooks/secret.html",
        {"webhook": made.webhook, "secret": made.secret, "created": created},
    )
    add_never_cache_headers(response)
    return response


@admin_only
def webhooks(request: AdminRequest) -> HttpResponse:
    """Every webhook: address, events, flags and its latest delivery."""
    labels = dict(Event.choices)
    return render(
        request,
        "webhooks/webhooks.html",
        {"webhooks": webhooks_list(), "event_labels": labels},
    )


@admin_only
def webhook_create(request: AdminRequest) -> HttpResponse:
    """Add a webhook; its signing secret is made here and shown once."""
    form = WebhookForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        made = save_from_form(
            form,
            lambda: services.webhook_create(
                name=data["name"],
                url=data["url"],
                events=data["events"],
                active=data["active"],
                slack=data["slack"],
                by=request.user,
            ),
        )
        if made is not None:
            return _secret_page(request, made, created=True)
    status = 400 if form.is_bound else 200
    return render(request, "webhooks/webhook_form.html", {"form": form}, status=status)


@admin_only
def webhook_edit(request: AdminRequest, pk: int) -> HttpResponse:
    """Change a webhook's name, address, events and flags."""
    webhook = get_object_or_404(Webhook, pk=pk)
    if request.method != "POST":
        form = WebhookForm(initial=WebhookForm.initial_for(webhook))
        context = {"form": form, "webhook": webhook}
        return render(request, "webhooks/webhook_form.html", context)
    form = WebhookForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        saved = save_from_form(
            form,
            lambda: services.webhook_update(
                webhook=webhook,
                name=data["name"],
                url=data["url"],
                events=data["events"],
                active=data["active"],
                slack=data["slack"],
                by=request.user,
            ),
        )
        if saved is not None:
            messages.success(request, f"Webhook “{webhook.name}” is saved.")
            return redirect("webhooks")
    webhook.refresh_from_db()
    context = {"form": form, "webhook": webhook}
    return render(request, "webhooks/webhook_form.html", context, status=400)


@require_POST
@admin_only
def webhook_rotate(request: AdminRequest, pk: int) -> HttpResponse:
    """Give a webhook a new signing secret, shown once."""
    webhook = get_object_or_404(Webhook, pk=pk)
    made = services.webhook_secret_rotate(webhook=webhook, by=request.user)
    return _secret_page(request, made, created=False)


@require_POST
@admin_only
def webhook_delete(request: AdminRequest, pk: int) -> HttpResponse:
    """Remove a webhook and its delivery log."""
    webhook = get_object_or_404(Webhook, pk=pk)
    name = webhook.name
    services.webhook_delete(webhook=webhook, by=request.user)
    messages.success(request, f"Webhook “{name}” is deleted.")
    return redirect("webhooks")


@require_POST
@admin_only
def webhook_test(request: AdminRequest, pk: int) -> HttpResponse:
    """Send a test event now and show how it went in the delivery log."""
    webhook = get_object_or_404(Webhook, pk=pk)
    delivery = services.webhook_test_send(webhook=webhook, by=request.user)
    delivery.refresh_from_db()
    if delivery.state == Delivery.State.SUCCEEDED:
        messages.success(request, "The test event was delivered.")
    elif delivery.state == Delivery.State.PENDING and delivery.attempts == 0:
        messages.info(
            request, "The test event is queued: the worker sends it in a moment."
        )
    elif delivery.state == Delivery.State.PENDING:
        messages.error(
            request,
            "The test event was not delivered yet; it is tried again later: see "
            "its attempts below.",
        )
    else:
        messages.error(
            request, "The test event was not delivered: see its attempts below."
        )
    return redirect("webhook-deliveries", pk=webhook.pk)


@admin_only
def webhook_delivery_log(request: AdminRequest, pk: int) -> HttpResponse:
    """A webhook's latest deliveries with every attempt: when, status, answer,
    error, how long it took."""
    webhook = get_object_or_404(Webhook, pk=pk)
    context = {"webhook": webhook, "deliveries": webhook_deliveries(webhook)}
    return render(request, "webhooks/deliveries.html", context)
