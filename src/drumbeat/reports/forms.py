from django import forms

from drumbeat.reports.services import COMMENTARY_LIMIT


class CommentaryForm(forms.Form):
    """An admin's commentary on one section of the board report."""

    text = forms.CharField(
        required=False,
        max_length=COMMENTARY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Commentary",
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
