"""Forms of the KPI pages: they parse and check input; services write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from django import forms
from django.contrib.auth.models import User

from drumbeat.accounts.forms import owner_field
from drumbeat.accounts.models import Team
from drumbeat.accounts.selectors import person_display_name
from drumbeat.core.display import format_bounds, format_number
from drumbeat.core.model import Indicator, Perspective, Tier
from drumbeat.kpis.models import KPI
from drumbeat.kpis.selectors import critical_success_factor_choices, kpi_choices
from drumbeat.kpis.services.definitions import DEFINITION_FIELDS


class ReadingForm(forms.Form):
    """A KPI owner's reading: a day, a finite number and an optional note."""

    day = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    value = forms.FloatField(
        error_messages={"invalid": "Enter a number, such as 42 or 99.95."}
    )
    note = forms.CharField(required=False, max_length=500)


class DividerAction(StrEnum):
    ACCEPT = "accept"
    MOVE = "move"
    DECLINE = "decline"
    REMOVE = "remove"


class DividerForm(forms.Form):
    """A KPI owner's answer to a divider: accept the one proposed (`proposed`),
    move it to `at`, decline it, or remove the accepted one at `at`; `why` is
    kept with the definition version (or the declined divider)."""

    action = forms.ChoiceField(choices=[(a.value, a.value) for a in DividerAction])
    proposed = forms.DateField(required=False, widget=forms.HiddenInput)
    at = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    why = forms.CharField(required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        action = cleaned.get("action")
        needed = (
            "proposed"
            if action in (DividerAction.ACCEPT, DividerAction.DECLINE)
            else "at"
        )
        if action and not cleaned.get(needed) and needed not in self.errors:
            self.add_error(needed, "Enter a day (YYYY-MM-DD).")
        return cleaned

    @property
    def start(self) -> dt.date:
        """The day the action is about."""
        data = self.cleaned_data
        if data["action"] in (DividerAction.ACCEPT, DividerAction.DECLINE):
            day: dt.date = data["proposed"]
        else:
            day = data["at"]
        return day


def number_or_band(text: str) -> float | list[float] | None:
    """ "45" → 45.0; "99.9, 100" → [99.9, 100.0]; "" → None."""
    text = text.strip().strip("[]")
    if not text:
        return None
    parts = [part.strip() for part in text.split(",")]
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise forms.ValidationError(
            "Enter a number, or low, high for a band."
        ) from None
    if len(numbers) == 1:
        return numbers[0]
    if len(numbers) == 2:
        return numbers
    raise forms.ValidationError("Enter a number, or low, high for a band.")


def number_or_band_text(value: object) -> str:
    """The inverse of `number_or_band`: 45 → "45"; [99.9, 100] → "99.9, 100"."""
    if isinstance(value, list):
        return format_bounds(value)
    if isinstance(value, int | float):
        return format_number(value)
    return ""


NUMBER_ERRORS = {"invalid": "Enter a number, such as 42 or 99.95."}


def _enum_choices(enum: type[StrEnum], *, blank: bool = False) -> list[tuple[str, str]]:
    return [*([("", "–")] if blank else []), *[(m.value, m.value) for m in enum]]


CADENCE_CHOICES = [
    ("", "–"),
    *[(c, c) for c in ("daily", "weekly", "monthly", "quarterly", "yearly")],
]


class KPIFieldsForm(forms.Form):
    """Every field of a KPI's definition in the workspace format, which creating
    and editing it share. `drives` offers the dictionary's other KPIs."""

    name = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Definition"
    )
    unit = forms.CharField(
        required=False, max_length=50, help_text="percent, count, GBP, hours, ms ..."
    )
    direction = forms.ChoiceField(
        choices=[
            ("up", "up: higher is better"),
            ("down", "down: lower is better"),
            ("range", "range: inside a band"),
        ]
    )
    cadence = forms.ChoiceField(required=False, choices=CADENCE_CHOICES)
    review_cadence = forms.ChoiceField(
        required=False,
        choices=CADENCE_CHOICES,
        help_text=(
            "How often it comes up at the KPI review while on track (the first week "
            "of each period); empty: at every review"
        ),
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        to_field_name="key",
        required=False,
        empty_label="–",
    )
    perspective = forms.ChoiceField(
        required=False, choices=_enum_choices(Perspective, blank=True)
    )
    tier = forms.ChoiceField(choices=_enum_choices(Tier), initial=Tier.SECONDARY.value)
    indicator = forms.ChoiceField(
        required=False,
        choices=_enum_choices(Indicator, blank=True),
        help_text="leading: moves before the results; lagging: is the result",
    )
    north_star = forms.BooleanField(required=False, label="North-star KPI")
    financial = forms.BooleanField(required=False, label="Financial measure")
    green = forms.CharField(required=False, help_text="a number; range KPIs: low, high")
    red = forms.CharField(required=False, help_text="a number (not for range KPIs)")
    amber = forms.CharField(required=False, help_text="range KPIs: low, high")
    industry = forms.FloatField(
        required=False, label="Industry benchmark", error_messages=NUMBER_ERRORS
    )
    best_in_class = forms.FloatField(
        required=False, label="Best-in-class benchmark", error_messages=NUMBER_ERRORS
    )
    drives = forms.MultipleChoiceField(
        required=False,
        label="Drives",
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="the KPIs this one is a leading driver of",
    )
    ceo_attention = forms.BooleanField(
        required=False,
        label="Has the CEO's attention",
        help_text="the CEO follows it (Parmenter's third characteristic)",
    )
    corrective_action = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="what staff do when it goes the wrong way",
    )
    critical_success_factors = forms.MultipleChoiceField(
        required=False,
        label="Critical success factors",
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text="the critical success factors it moves",
    )
    dark_side = forms.CharField(
        required=False,
        label="Dark side",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="the unintended consequence of chasing it",
    )
    guardrail = forms.ChoiceField(
        required=False,
        label="Guardrail KPI",
        help_text="the KPI that shows the dark side",
    )
    spc_baseline_start = forms.DateField(
        required=False,
        label="Process baseline from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="the readings that set the chart's limits; empty: the first 20",
    )
    spc_baseline_end = forms.DateField(
        required=False,
        label="Process baseline to",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self,
        *args: Any,
        kpi_key: str | None = None,
        factors_named: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        """`kpi_key`: the KPI edited (not its own driver or guardrail);
        `factors_named`: the critical success factors it names, kept as choices
        even when not defined (a file may name them while none is defined)."""
        super().__init__(*args, **kwargs)
        drives = self.fields["drives"]
        assert isinstance(drives, forms.MultipleChoiceField)
        others = [choice for choice in kpi_choices() if choice[0] != kpi_key]
        drives.choices = others
        guardrail = self.fields["guardrail"]
        assert isinstance(guardrail, forms.ChoiceField)
        guardrail.choices = [("", "–"), *others]
        factors = self.fields["critical_success_factors"]
        assert isinstance(factors, forms.MultipleChoiceField)
        defined = critical_success_factor_choices()
        factors.choices = [
            *defined,
            *(
                (key, f"{key} (not defined)")
                for key in factors_named
                if key not in dict(defined)
            ),
        ]

    @property
    def general_fields(self) -> list[forms.BoundField]:
        """The visible fields but Parmenter's, in order."""
        return [f for f in self.visible_fields() if f.name not in PARMENTER_FIELDS]

    @property
    def parmenter_fields(self) -> list[forms.BoundField]:
        """The fields of Parmenter's characteristics, shown in a fieldset."""
        return [self[name] for name in PARMENTER_FIELDS]

    def clean_green(self) -> float | list[float] | None:
        return number_or_band(self.cleaned_data["green"])

    def clean_red(self) -> float | list[float] | None:
        return number_or_band(self.cleaned_data["red"])

    def clean_amber(self) -> float | list[float] | None:
        return number_or_band(self.cleaned_data["amber"])

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        start, end = data.get("spc_baseline_start"), data.get("spc_baseline_end")
        if start and not end:
            self.add_error("spc_baseline_end", "Give the baseline's last day too.")
        if end and not start:
            self.add_error("spc_baseline_start", "Give the baseline's first day too.")
        return data

    def kpi_values(self) -> dict[str, Any]:
        """What was typed, as KPI field values (for a service, or to lint)."""
        raise NotImplementedError

    def definition_values(self) -> dict[str, Any]:
        """The fields both forms share, as KPI field values (thresholds and
        benchmarks in the workspace format's shape)."""
        data = self.cleaned_data
        return {
            **{name: data[name] for name in SHARED_FIELDS},
            "thresholds": self.thresholds(),
            "benchmarks": {
                name: data[name]
                for name in ("industry", "best_in_class")
                if data[name] is not None
            },
        }

    def thresholds(self) -> dict[str, float | list[float]]:
        """The thresholds given, in the workspace format's shape."""
        return {
            name: self.cleaned_data[name]
            for name in ("green", "red", "amber")
            if self.cleaned_data[name] is not None
        }


PARMENTER_FIELDS = (
    "ceo_attention",
    "corrective_action",
    "critical_success_factors",
    "dark_side",
    "guardrail",
)
"""The definition fields four of Parmenter's seven characteristics read (the other
three come from the tier, the cadence and the team)."""

SHARED_FIELDS = tuple(
    name for name in DEFINITION_FIELDS if name not in ("owner_name", "benchmarks")
)
"""The definition fields both KPI forms hold as the KPI does (thresholds and
benchmarks are split into a field each; the owner is chosen differently)."""

FIRST_FIELDS = (
    "name",
    "description",
    "unit",
    "direction",
    "cadence",
    "review_cadence",
)
"""The fields the forms open with, the owner after them; the rest as declared."""

WORKSPACE_FIELD_ALIASES = {
    "start": "spc_baseline_start",
    "end": "spc_baseline_end",
}
"""The last part of a workspace rule's field path, as the KPI forms name it."""


CEO_ATTENTION_READ_ONLY = (
    "leadership's call: only an admin sets or clears it (Parmenter's third "
    "characteristic)"
)


class KPIDefinitionForm(KPIFieldsForm):
    """A KPI's definition as its owner edits it; `version` guards against
    overwriting someone else's change."""

    field_order = (*FIRST_FIELDS, "owner_name")

    owner_name = owner_field()
    version = forms.IntegerField(widget=forms.HiddenInput())

    def kpi_values(self) -> dict[str, Any]:
        """The definition typed, as KPI field values (thresholds included)."""
        return {
            **self.definition_values(),
            "owner_name": self.cleaned_data["owner_name"],
        }

    @classmethod
    def of(cls, kpi: KPI, data: Any = None, *, admin: bool) -> KPIDefinitionForm:
        """The form of `kpi`: as it opens, with its definition, or with `data`
        posted. For anyone but an admin `ceo_attention` is shown read-only, and
        kept as it is whatever is posted (leadership's call)."""
        keep = {"kpi_key": kpi.key, "factors_named": kpi.critical_success_factors}
        form = cls(data, initial=cls.initial_from(kpi), **keep)
        if not admin:
            ceo_attention = form.fields["ceo_attention"]
            ceo_attention.disabled = True
            ceo_attention.help_text = CEO_ATTENTION_READ_ONLY
        return form

    @classmethod
    def initial_from(cls, kpi: KPI) -> dict[str, Any]:
        """A KPI's definition as the form opens with it."""
        return {
            **{name: getattr(kpi, name) for name in SHARED_FIELDS},
            "owner_name": kpi.owner_name,
            **{
                name: number_or_band_text(kpi.thresholds.get(name))
                for name in ("green", "red", "amber")
            },
            **{
                name: kpi.benchmarks.get(name) for name in ("industry", "best_in_class")
            },
            "version": kpi.version,
        }


# Not `ModelChoiceField[User]`: Django's classes are subscriptable at run time only
# with django-stubs-ext's monkeypatch, which the settings do not install.
class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice of people, each shown by full name (or username)."""

    def label_from_instance(self, obj: User) -> str:
        return person_name(obj)


def person_name(user: User) -> str:
    return person_display_name(user)


class KPICreateForm(KPIFieldsForm):
    """A new KPI dictionary entry, as an admin writes it."""

    field_order = ("key", *FIRST_FIELDS, "owner")

    key = forms.SlugField(
        max_length=100, help_text="unique: lower-case letters, digits and hyphens"
    )
    owner = PersonChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label="–",
        help_text="the person who may edit its definition and record its readings",
    )

    def kpi_values(self) -> dict[str, Any]:
        """The KPI typed, as the field values `kpi_create` takes."""
        owner: User | None = self.cleaned_data["owner"]
        return {
            "key": self.cleaned_data["key"],
            **self.definition_values(),
            "owner": owner,
            "owner_name": person_name(owner) if owner else "",
        }


SOURCE_CHOICES = [
    ("manual", "manual: typed on the KPI's page"),
    ("csv", "csv: imported from files"),
    ("push", "push: sent through the API"),
    ("sql", "sql: pulled from a database by a query"),
]


class KPISourceForm(forms.Form):
    """Where a KPI's readings come from. Only admins may choose `sql`: its query
    runs on a company database."""

    type = forms.ChoiceField(choices=SOURCE_CHOICES, label="Source")
    connection = forms.CharField(
        required=False,
        max_length=100,
        help_text=(
            "sql: the connection's name, such as warehouse; its URL is set on the "
            "server (DRUMBEAT_SOURCE_<NAME>_URL or the secrets file), never here"
        ),
    )
    query = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=(
            "sql: returns (at, value) rows, or one value, recorded on the day it is "
            "pulled; it runs read-only, stopped after the timeout"
        ),
    )
    schedule = forms.CharField(
        required=False,
        max_length=100,
        help_text=(
            "sql, optional: when to pull, in cron (minute hour day month weekday), "
            "such as 0 6 * * 1; empty: by the KPI's cadence"
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args: Any, allow_sql: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_sql:
            type_field = self.fields["type"]
            assert isinstance(type_field, forms.ChoiceField)
            type_field.choices = [c for c in SOURCE_CHOICES if c[0] != "sql"]

    def source(self) -> dict[str, str]:
        """The source typed, in the workspace format's shape (empty fields out)."""
        return {
            name: self.cleaned_data[name]
            for name in ("type", "connection", "query", "schedule")
            if self.cleaned_data[name]
        }


class CriticalSuccessFactorForm(forms.Form):
    """A new critical success factor: its key (what KPIs name) and its name."""

    key = forms.CharField(
        max_length=100, help_text="what KPIs and workspace files name it by: on-time"
    )
    name = forms.CharField(max_length=200, help_text="Deliver on time, every time")
