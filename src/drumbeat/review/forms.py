"""The KPI review's forms: a note, an investigation opened, one closed."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User

from drumbeat.accounts.selectors import person_display_name
from drumbeat.review.models import ReviewNote


class ReviewNoteForm(forms.Form):
    action = forms.ChoiceField(
        choices=ReviewNote.Action.choices, initial=ReviewNote.Action.ACKNOWLEDGED
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PersonChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return person_display_name(obj)


class InvestigationOpenForm(forms.Form):
    assignee = PersonChoice(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        error_messages={"invalid_choice": "Choose an active person to assign."},
    )
    due = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    question = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class InvestigationCloseForm(forms.Form):
    finding = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
