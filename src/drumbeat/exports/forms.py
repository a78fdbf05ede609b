"""The export form: it parses input; `selectors.export_filter` checks it."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from drumbeat.accounts.models import Team
from drumbeat.core.model import Tier
from drumbeat.exports.selectors import FORMATS
from drumbeat.kpis.selectors import PERSPECTIVES
from drumbeat.okrs.models import Cycle

KIND_CHOICES = [
    ("readings", "Readings, with provenance"),
    ("statuses", "KPI statuses (health, stale, lifecycle, latest value)"),
    ("scores", "Scores of objectives and key results"),
    ("checkins", "Check-ins"),
]
FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "json": "JSON"}


class ExportForm(forms.Form):
    """What to export, in which format, for which filter (all optional)."""

    kind = forms.ChoiceField(
        label="What to export",
        choices=KIND_CHOICES,
        initial="readings",
        widget=forms.RadioSelect,
    )
    format = forms.ChoiceField(
        choices=[(f, FORMAT_LABELS[f]) for f in FORMATS], initial="csv"
    )
    team = forms.ChoiceField(required=False)
    tier = forms.ChoiceField(
        required=False, choices=[("", "All tiers"), *((t, t) for t in Tier)]
    )
    perspective = forms.ChoiceField(
        required=False,
        choices=[("", "All perspectives"), *((p, p) for p in PERSPECTIVES)],
    )
    kpi = forms.CharField(
        required=False,
        label="KPIs",
        help_text="keys, separated by commas or spaces; empty for all",
    )
    cycle = forms.ChoiceField(required=False)
    since = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    superseded = forms.BooleanField(
        required=False,
        label="Include superseded readings",
        help_text="readings only: corrected values too, with when they were",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ChoiceField)
        team_field.choices = [
            ("", "All teams"),
            *Team.objects.order_by("name").values_list("key", "name"),
        ]
        cycle_field = self.fields["cycle"]
        assert isinstance(cycle_field, forms.ChoiceField)
        cycle_field.choices = [
            ("", "All cycles"),
            *((key, key) for key in Cycle.objects.values_list("key", flat=True)),
        ]

    def kpi_keys(self) -> list[str]:
        return [k for k in re.split(r"[\s,]+", self.cleaned_data["kpi"]) if k]
