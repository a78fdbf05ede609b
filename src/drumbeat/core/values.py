"""What a number and a text may be, on every way in: the one rule for readings'
values, targets, thresholds, baselines and benchmarks, and for names, notes and
other free text.

Numbers are finite and within ±1e15, a range every score, chart, export and
database column carries without overflowing (a score divides differences of two
values; `1e308` made one infinite). Text holds no control character other than
tab and line breaks: they cannot be shown, and spreadsheets refuse them.
"""

from __future__ import annotations

import math
import re

MAX_MAGNITUDE = 1e15
"""The largest magnitude of a number Drumbeat records: a quadrillion."""

NOTE_MAX_LENGTH = 500
"""The longest note a reading or a check-in keeps (the web form's limit)."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters, but tab, line feed and carriage return."""


def number_problem(value: object) -> str | None:
    """Why `value` is not a number Drumbeat records, or None. Booleans and text
    are not numbers, even `true` or `"5"`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number, not {value!r}"
    try:
        number = float(value)
    except OverflowError:
        return f"is too large: write a number within ±{MAX_MAGNITUDE:g}"
    if not math.isfinite(number):
        return f"must be a finite number, not {value!r}"
    if abs(number) > MAX_MAGNITUDE:
        shown = f"{number:g}" if float(f"{number:g}") == number else repr(number)
        return f"{shown} is too large: write a number within ±{MAX_MAGNITUDE:g}"
    return None


def numbers_in_range(numbers: list[float]) -> bool:
    """Whether floats (already floats) are all finite and within range: at C
    speed, for batches of readings."""
    return bool(numbers) and (
        min(numbers) >= -MAX_MAGNITUDE and max(numbers) <= MAX_MAGNITUDE
    )


def text_problem(text: str) -> str | None:
    """Why `text` cannot be kept, or None: a control character (named by its code
    point, since it cannot be shown)."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return f"holds a control character (U+{ord(found.group()):04X}): remove it"


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def note_problem(note: str) -> str | None:
    """Why a reading's or a check-in's note cannot be kept, or None."""
    if len(note) > NOTE_MAX_LENGTH:
        return (
            f"is {len(note):,} characters long: keep a note within "
            f"{NOTE_MAX_LENGTH} characters"
        )
    return text_problem(note)
