"""Forms of the OKR pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django import forms

from drumbeat.accounts.forms import owner_field
from drumbeat.core.contract import plain_target
from drumbeat.core.display import (
    format_key_result_target,
    format_number,
    format_target,
)
from drumbeat.core.scoring import parse_relative_target, relative_target_text
from drumbeat.core.suggest import Suggestion
from drumbeat.kpis.forms import number_or_band, number_or_band_text
from drumbeat.okrs.models import Cycle
from drumbeat.okrs.services import KEY_RESULT_FIELDS


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # One form per KR on the objective's page: its labels wrap their fields,
        # so no ids, which would repeat.
        kwargs.setdefault("auto_id", False)
        super().__init__(*args, **kwargs)


class KeyResultForm(forms.Form):
    """A KR as a team editor writes it: it always measures a dictionary KPI."""

    key = forms.SlugField(max_length=100, help_text="short, unique in the objective")
    title = forms.CharField(required=False, max_length=300)
    kpi = forms.ChoiceField(label="KPI")
    kind = forms.ChoiceField(
        choices=[
            ("change", "change: move from baseline to target"),
            ("sustain", "sustain: hold the target through the cycle"),
            ("cumulative", "cumulative: add up the readings in the cycle"),
        ]
    )
    baseline = forms.FloatField(
        required=False, help_text="empty: the latest reading by the cycle start"
    )
    target = forms.CharField(
        help_text=(
            'a number, or a percent change of the baseline such as "+10%"; '
            "on a range KPI: low, high"
        )
    )
    deadline = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="empty: the cycle end",
    )
    owner_name = owner_field()
    weight = forms.FloatField(min_value=0.01, initial=1.0)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def __init__(
        self, *args: object, kpi_choices: list[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kpi"].choices = kpi_choices  # type: ignore[attr-defined]

    def show_stored_target(self, target: float, percent: float) -> None:
        """Say, under the target, the level a stored relative target resolved to,
        and that it stays unless the target is edited."""
        both = format_key_result_target(target, percent)
        self.fields["target"].help_text = (
            f"set as {both}; left as it is, the target stays "
            f"{format_number(target)}; edited, it is resolved again against "
            "the baseline"
        )

    def clean_target(self) -> float | list[float] | str:
        text = self.cleaned_data["target"]
        percent = parse_relative_target(text)
        if percent is not None:
            return relative_target_text(percent)
        try:
            value = number_or_band(text)
        except forms.ValidationError:
            raise forms.ValidationError(TARGET_INVALID) from None
        if value is None:
            raise forms.ValidationError("This field is required.")
        return value


TARGET_INVALID = (
    "Enter a number, low, high for a band, or a change of the baseline such as "
    "+10% (the sign required)."
)


KEY_RESULT_DRAFT_FIELDS = ("key", "title", "kpi", "kind", "baseline", "target")
"""The query parameters that open the KR form pre-filled with a draft."""


def key_result_draft_query(suggestion: Suggestion) -> str:
    """The query string of a suggestion's draft KR: the KPI, its latest reading as
    baseline and the committed target; the stretch target is named in the title."""
    title = suggestion.title
    if suggestion.stretch_target is not None:
        title += f" (stretch {format_target(suggestion.stretch_target)})"
    draft = {
        "key": suggestion.kpi.key,
        "title": title,
        "kpi": suggestion.kpi.key,
        "kind": suggestion.kind,
        "baseline": (
            "" if suggestion.baseline is None else format_number(suggestion.baseline)
        ),
        "target": number_or_band_text(plain_target(suggestion.commit_target)),
    }
    return urlencode({name: value for name, value in draft.items() if value})


def key_result_draft_initial(query: Mapping[str, str]) -> dict[str, object]:
    """The KR form's initial values from a draft's query parameters."""
    return {name: query[name] for name in KEY_RESULT_DRAFT_FIELDS if query.get(name)}


class ObjectiveForm(forms.Form):
    """An objective as a team editor writes it: words, not numbers."""

    key = forms.SlugField(max_length=100, help_text="short, unique")
    title = forms.CharField(max_length=300, help_text="the change wanted, in words")
    team = forms.ChoiceField()
    owner_name = owner_field()
    commitment = forms.ChoiceField(
        choices=[("aspirational", "aspirational"), ("committed", "committed")]
    )
    parent = forms.ChoiceField(required=False, label="Contributes to")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def __init__(
        self,
        *args: object,
        team_choices: list[tuple[str, str]],
        parent_choices: list[tuple[str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].choices = team_choices  # type: ignore[attr-defined]
        self.fields["parent"].choices = [("", "–"), *parent_choices]  # type: ignore[attr-defined]


class CycleForm(forms.Form):
    """An OKR period, as an admin sets it up."""

    key = forms.CharField(max_length=50, help_text="such as 2027-Q1")
    start = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    parent = forms.ModelChoiceField(
        queryset=Cycle.objects.filter(archived_at__isnull=True, parent__isnull=True),
        to_field_name="key",
        required=False,
        empty_label="–",
        label="Inside",
        help_text="the year that contains this cycle, if any: its quarters align to it",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())


def key_result_values(data: dict[str, Any]) -> dict[str, Any]:
    """A KR form's cleaned data as `KEY_RESULT_FIELDS` values."""
    values = {name: data.get(name) for name in KEY_RESULT_FIELDS}
    values["kpi_key"] = data["kpi"]
    values["title"] = data["title"] or ""
    values["owner_name"] = data["owner_name"] or ""
    return values
