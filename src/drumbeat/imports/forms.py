"""Forms of the import pages: they parse and check input; services write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from drumbeat.imports.readers.layouts import Format
from drumbeat.imports.readers.problems import column_letter


class ReadingsUploadForm(forms.Form):
    """A readings file, and for a file of `at, value` columns, its one KPI."""

    file = forms.FileField(
        label="File",
        error_messages={
            "empty": "The file is empty: choose the file with your readings.",
            "required": "Choose the file with your readings.",
        },
        help_text="CSV (UTF-8) or XLSX: kpi, at, value [, note] — or a date column "
        "and one column per KPI key.",
    )
    kpi = forms.ChoiceField(
        label="The file's one KPI",
        required=False,
        help_text="Only for a file of at, value columns without a kpi column.",
    )
    sheet = forms.CharField(
        label="Sheet",
        required=False,
        max_length=100,
        help_text="An XLSX workbook's sheet; the first one if empty.",
    )

    def __init__(self, *args: Any, kpi_keys: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kpi_field: Any = self.fields["kpi"]
        kpi_field.choices = [("", "— the file has a kpi column —")] + [
            (key, key) for key in kpi_keys
        ]


NO_COLUMN = ""


class LayoutForm(forms.Form):
    """How the columns of a file hold readings: the person's override of what the
    header says. Columns are 0-based indexes, shown as letters and names."""

    header_row = forms.IntegerField(label="Header row", min_value=1)
    format = forms.ChoiceField(
        label="Format",
        choices=[
            (Format.LONG.value, "long: one reading per row"),
            (Format.WIDE.value, "wide: a column per KPI"),
        ],
    )
    at = forms.TypedChoiceField(label="Date column", coerce=int)
    kpi = forms.TypedChoiceField(
        label="KPI column", coerce=int, required=False, empty_value=None
    )
    value = forms.TypedChoiceField(
        label="Value column", coerce=int, required=False, empty_value=None
    )
    note = forms.TypedChoiceField(
        label="Note column", coerce=int, required=False, empty_value=None
    )
    fixed_kpi = forms.ChoiceField(label="Or one KPI for the whole file", required=False)

    def __init__(
        self,
        *args: Any,
        headers: Sequence[str],
        width: int,
        kpi_keys: Sequence[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        columns = [
            (str(index), f"{column_letter(index)} · {headers[index]}")
            if index < len(headers) and headers[index]
            else (str(index), column_letter(index))
            for index in range(width)
        ]
        for name in ("at", "kpi", "value", "note"):
            field: Any = self.fields[name]
            field.choices = (
                columns if name == "at" else [(NO_COLUMN, "— none —"), *columns]
            )
        fixed: Any = self.fields["fixed_kpi"]
        fixed.choices = [(NO_COLUMN, "— none —")] + [(key, key) for key in kpi_keys]

    @staticmethod
    def initial_from(layout: dict[str, Any]) -> dict[str, Any]:
        """The form's values for a stored layout (readers.layouts.Layout.as_json)."""
        return {
            "header_row": layout.get("header_row", 1),
            "format": layout.get("format", Format.LONG.value),
            "at": layout.get("at", 0),
            "kpi": layout.get("kpi"),
            "value": layout.get("value"),
            "note": layout.get("note"),
            "fixed_kpi": layout.get("fixed_kpi") or NO_COLUMN,
        }
