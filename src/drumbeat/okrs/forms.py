"""Forms of the OKR pages."""

from __future__ import annotations

from django import forms


class CheckInForm(forms.Form):
    """A weekly check-in: confidence 0-1, what changed, blockers. The value itself
    comes from the KPI's readings, not from typing."""

    confidence = forms.FloatField(
        min_value=0.0,
        max_value=1.0,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "1"}),
        error_messages={"invalid": "Enter a confidence between 0 and 1, such as 0.7."},
    )
    note = forms.CharField(
        required=False, label="What changed", widget=forms.TextInput()
    )
    blockers = forms.CharField(required=False, widget=forms.TextInput())
