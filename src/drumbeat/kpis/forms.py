"""Forms of the KPI pages: they parse and check input; services write."""

from __future__ import annotations

from django import forms

from drumbeat.core.numbers import format_number


class ReadingForm(forms.Form):
    """A KPI owner's reading: a day, a finite number and an optional note."""

    day = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    value = forms.FloatField(
        error_messages={"invalid": "Enter a number, such as 42 or 99.95."}
    )
    note = forms.CharField(required=False, max_length=500)


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
        return ", ".join(format_number(v) for v in value)
    if isinstance(value, int | float):
        return format_number(value)
    return ""


class KPIDefinitionForm(forms.Form):
    """A KPI's definition as its owner edits it; `version` guards against
    overwriting someone else's change."""

    name = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Definition"
    )
    unit = forms.CharField(required=False, max_length=50)
    direction = forms.ChoiceField(
        choices=[
            ("up", "up: higher is better"),
            ("down", "down: lower is better"),
            ("range", "range: inside a band"),
        ]
    )
    cadence = forms.ChoiceField(
        required=False,
        choices=[
            ("", "–"),
            *[(c, c) for c in ("daily", "weekly", "monthly", "quarterly", "yearly")],
        ],
    )
    owner_name = forms.CharField(required=False, max_length=200, label="Owner")
    green = forms.CharField(required=False, help_text="a number; range KPIs: low, high")
    red = forms.CharField(required=False, help_text="a number (not for range KPIs)")
    amber = forms.CharField(required=False, help_text="range KPIs: low, high")
    version = forms.IntegerField(widget=forms.HiddenInput())

    def clean_green(self) -> float | list[float] | None:
        return number_or_band(self.cleaned_data["green"])

    def clean_red(self) -> float | list[float] | None:
        return number_or_band(self.cleaned_data["red"])

    def clean_amber(self) -> float | list[float] | None:
        return number_or_band(self.cleaned_data["amber"])
