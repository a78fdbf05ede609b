"""Forms of the people, team and API token pages: they parse and check input;
services write."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils import timezone

from drumbeat.accounts.models import ApiToken, Membership, Profile, Team
from drumbeat.accounts.selectors import people_active, person_choice

ADMIN_HELP = "may manage people, teams, cycles and the KPI dictionary"
TEAMS_HELP = "optional; hold Ctrl or ⌘ to pick several"


def _teams(label: str) -> forms.ModelMultipleChoiceField:  # type: ignore[type-arg]
    return forms.ModelMultipleChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        label=label,
        help_text=TEAMS_HELP,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )


class PersonCreateForm(forms.Form):
    """A new person; their password is made for them and shown once."""

    username = forms.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="what they sign in with: letters, digits and @ . + - _",
    )
    first_name = forms.CharField(required=False, max_length=150)
    last_name = forms.CharField(required=False, max_length=150)
    email = forms.EmailField(required=False)
    is_admin = forms.BooleanField(required=False, label="Admin", help_text=ADMIN_HELP)
    editor_of = _teams("Editor of")
    viewer_of = _teams("Viewer of")


class PersonForm(forms.Form):
    """A person as an admin edits them: deactivated, never deleted."""

    first_name = forms.CharField(required=False, max_length=150)
    last_name = forms.CharField(required=False, max_length=150)
    email = forms.EmailField(required=False)
    is_admin = forms.BooleanField(required=False, label="Admin", help_text=ADMIN_HELP)
    is_active = forms.BooleanField(
        required=False,
        label="Active",
        help_text="untick to stop them signing in; their history stays",
    )

    @staticmethod
    def initial_for(person: User) -> dict[str, object]:
        return {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "is_admin": person.is_staff,
            "is_active": person.is_active,
        }


class TeamForm(forms.Form):
    """A team: a unique key, a name and the team it sits under."""

    key = forms.SlugField(max_length=100, help_text="short, unique, as in YAML files")
    name = forms.CharField(max_length=200)
    parent = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        label="Part of",
        empty_label="– (top of the tree)",
    )


class MembershipForm(forms.Form):
    """A person's role in a team: added, or their role changed."""

    username = forms.ModelChoiceField(
        queryset=User.objects.all(),
        to_field_name="username",
        label="Person",
        widget=forms.TextInput(attrs={"list": "usernames", "autocomplete": "off"}),
        error_messages={"invalid_choice": "No one has this username."},
    )
    role = forms.ChoiceField(
        choices=[
            (Membership.Role.EDITOR, "editor: writes the team's OKRs, checks in"),
            (Membership.Role.VIEWER, "viewer: reads"),
        ],
        initial=Membership.Role.VIEWER,
    )


# Said from the token owner's side: a scope narrows a token, never widens a role.
TOKEN_SCOPES = [
    (ApiToken.Scope.READ.value, "read: everything you may read"),
    (
        ApiToken.Scope.READINGS_WRITE.value,
        "readings:write: push readings of the KPIs you may record",
    ),
    (ApiToken.Scope.ADMIN.value, "admin: every change your role allows"),
]
NEVER = "never"
TOKEN_EXPIRIES = [
    ("30", "in 30 days"),
    ("90", "in 90 days"),
    ("365", "in 1 year"),
    (NEVER, "never"),
]


class TokenForm(forms.Form):
    """A new personal API token: its name, scopes and lifetime (the token itself
    is made, not typed)."""

    name = forms.CharField(
        max_length=100,
        help_text="what will use it, e.g. “nightly readings import”",
        error_messages={"required": "Name the token after what will use it."},
    )
    scopes = forms.MultipleChoiceField(
        choices=TOKEN_SCOPES,
        widget=forms.CheckboxSelectMultiple,
        help_text="what the token may do, within what your role allows",
        error_messages={"required": "Choose at least one scope."},
    )
    expires_at = forms.ChoiceField(
        label="Expires",
        choices=TOKEN_EXPIRIES,
        initial="90",
    )

    def clean_expires_at(self) -> dt.datetime | None:
        """The moment the token stops working, counted from now; None: never."""
        choice = self.cleaned_data["expires_at"]
        if choice == NEVER:
            return None
        return timezone.now() + dt.timedelta(days=int(choice))


class InviteForm(forms.Form):
    """Who to invite: one person, a pasted list of lines, or a CSV file (the
    first of these given is read)."""

    email = forms.EmailField(required=False, label="E-mail")
    name = forms.CharField(required=False, max_length=200)
    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(archived_at__isnull=True).order_by("name"),
        required=False,
        to_field_name="key",
        empty_label="– (no team)",
    )
    role = forms.ChoiceField(
        choices=[("", "–"), *Membership.Role.choices], required=False
    )
    people = forms.CharField(
        required=False,
        label="Or many: one a line",
        help_text="“Name <e-mail>” or “e-mail”",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    csv_file = forms.FileField(
        required=False,
        label="Or a CSV file",
        help_text="columns name,email,team,role (header line first)",
    )


def _time_zone_choices() -> list[tuple[str, str]]:
    return [
        ("", "– the team's, else the server's"),
        *[(zone, zone) for zone in sorted(available_timezones())],
    ]


class SettingsForm(forms.Form):
    """A person's own settings: display name, e-mail, time zone, e-mail wishes."""

    first_name = forms.CharField(required=False, max_length=150)
    last_name = forms.CharField(required=False, max_length=150)
    email = forms.EmailField(required=False, label="E-mail")
    time_zone = forms.ChoiceField(
        required=False,
        choices=_time_zone_choices,
        help_text="when your reminders arrive; blank: your team's time zone",
    )
    email_check_in_reminders = forms.BooleanField(
        required=False, label="E-mail me check-in reminders"
    )
    email_reading_reminders = forms.BooleanField(
        required=False, label="E-mail me when a KPI reading is due"
    )
    email_digest = forms.BooleanField(required=False, label="E-mail me a weekly digest")

    @staticmethod
    def initial_for(person: User, profile: Profile) -> dict[str, object]:
        return {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "time_zone": profile.time_zone,
            "email_check_in_reminders": profile.email_check_in_reminders,
            "email_reading_reminders": profile.email_reading_reminders,
            "email_digest": profile.email_digest,
        }


class PersonPicker(forms.TextInput):
    """An owner field: a text input offering the active people ("Full Name
    <e-mail>") from a datalist, with no script; a typed name, username or e-mail
    address works as well (`owner_values` matches it)."""

    template_name = "accounts/widgets/person_picker.html"

    def get_context(
        self, name: str, value: Any, attrs: dict[str, Any] | None
    ) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["attrs"]["list"] = f"{widget['attrs'].get('id') or name}-people"
        widget["attrs"].setdefault("autocomplete", "off")
        context["people"] = [person_choice(person) for person in people_active()]
        return context


def owner_field() -> forms.CharField:
    """The owner of a KPI, objective or KR, as the forms ask for it."""
    return forms.CharField(
        required=False,
        max_length=200,
        label="Owner",
        widget=PersonPicker(),
        help_text="a person: pick from the list, or type a name or e-mail address",
    )
