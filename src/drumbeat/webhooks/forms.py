"""The webhook form: it parses input; `services` checks and writes."""

from __future__ import annotations

from django import forms

from drumbeat.webhooks.models import Event, Webhook


class WebhookForm(forms.Form):
    """A webhook as an admin adds or edits it (the secret is made, not typed)."""

    name = forms.CharField(max_length=200)
    url = forms.CharField(
        label="URL",
        max_length=2000,
        help_text="http:// or https://; events are POSTed here, redirects are "
        "not followed",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/"}),
    )
    events = forms.MultipleChoiceField(
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )
    active = forms.BooleanField(
        required=False, initial=True, help_text="untick to pause deliveries"
    )
    slack = forms.BooleanField(
        required=False,
        label="Slack-compatible",
        help_text='post {"text": "…"}, a sentence, so that a Slack incoming-webhook '
        "URL works as it is",
    )

    @staticmethod
    def initial_for(webhook: Webhook) -> dict[str, object]:
        return {
            "name": webhook.name,
            "url": webhook.url,
            "events": webhook.events,
            "active": webhook.active,
            "slack": webhook.slack,
        }
