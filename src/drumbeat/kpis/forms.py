"""Forms of the KPI pages: they parse and check input; services write."""

from __future__ import annotations

from django import forms


class ReadingForm(forms.Form):
    """A KPI owner's reading: a day, a finite number and an optional note."""

    day = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    value = forms.FloatField(
        error_messages={"invalid": "Enter a number, such as 42 or 99.95."}
    )
    note = forms.CharField(required=False, max_length=500)
