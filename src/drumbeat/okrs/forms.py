"""Forms of the OKR pages."""

from __future__ import annotations

from django import forms

from drumbeat.kpis.forms import number_or_band


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


class KeyResultForm(forms.Form):
    """A KR as a team editor writes it: it always measures a dictionary KPI."""

    key = forms.SlugField(max_length=100, help_text="short, unique in the objective")
    title = forms.CharField(required=False, max_length=300)
    kpi = forms.ChoiceField(label="KPI")
    kind = forms.ChoiceField(
        choices=[
            ("change", "change: move from baseline to target"),
            ("sustain", "sustain: hold the target through the cycle"),
        ]
    )
    baseline = forms.FloatField(
        required=False, help_text="empty: the latest reading by the cycle start"
    )
    target = forms.CharField(help_text="a number; sustain on a range KPI: low, high")
    deadline = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="empty: the cycle end",
    )
    owner_name = forms.CharField(required=False, max_length=200, label="Owner")
    weight = forms.FloatField(min_value=0.01, initial=1.0)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def __init__(
        self, *args: object, kpi_choices: list[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kpi"].choices = kpi_choices  # type: ignore[attr-defined]

    def clean_target(self) -> float | list[float]:
        value = number_or_band(self.cleaned_data["target"])
        if value is None:
            raise forms.ValidationError("This field is required.")
        return value


class ObjectiveForm(forms.Form):
    """An objective as a team editor writes it: words, not numbers."""

    key = forms.SlugField(max_length=100, help_text="short, unique")
    title = forms.CharField(max_length=300, help_text="the change wanted, in words")
    team = forms.ChoiceField()
    owner_name = forms.CharField(required=False, max_length=200, label="Owner")
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
