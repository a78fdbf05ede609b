"""How values read to a person: numbers, counts, targets, percents, grades and
signals, the same in the CLI's tables, the pages, the exports and the messages.

Each rule is one function here; the surfaces choose only what to show for a
missing value (`-` in the CLI, nothing on a page).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from drumbeat.core.attribution import Movement
from drumbeat.core.model import Band, Target
from drumbeat.core.scoring import grade, settled
from drumbeat.core.spc import Signal

GROUPED_FROM = 1_000
"""The smallest number whose thousands the pages group: `1,000`, `14,210`,
`12,500.5`. Years are never numbers on a page (cycle keys and dates are text),
so `2024` cannot read as `2,024`."""

MAX_DECIMALS = 4


def format_number(
    value: float, *, grouped: bool = False, decimals: int | None = None
) -> str:
    """`38`, `99.95`, `0.333`, `1250000`: at most four significant decimals (the
    CLI's and the messages' numbers).

    `grouped` (as the pages show numbers) groups the thousands from
    GROUPED_FROM on: `1,250,000`, `12,500.5`. `decimals` fixes the decimals
    (those of the KPI's readings, `measure_decimals`): `16,000.0`; `-0.0` reads
    `0.0`.
    """
    if decimals is not None:
        text = f"{value:{',' if grouped else ''}.{decimals}f}"
        return text.lstrip("-") if float(text.replace(",", "")) == 0 else text
    if value == int(value) and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = f"{value:.{MAX_DECIMALS}f}".rstrip("0").rstrip(".")
        if text in ("0", "-0"):
            return f"{value:.3g}"
    return _thousands_grouped(text) if grouped and abs(value) >= GROUPED_FROM else text


def _thousands_grouped(text: str) -> str:
    whole, dot, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}{dot}{fraction}"


def format_measure(value: float, *, decimals: int | None = None, unit: str = "") -> str:
    """A KPI's value as every page shows it: thousands grouped, the decimals of
    its readings, and its unit when given: `14,210`, `99.5 percent`,
    `16,000.0 GBP`."""
    text = format_number(value, grouped=True, decimals=decimals)
    return f"{text} {unit}" if unit else text


def measure_decimals(values: Iterable[float]) -> int:
    """The decimals a KPI's readings are written with: the most any of `values`
    has (`85`, `85.5`, `86.25` → 2), at most MAX_DECIMALS; 0 with none."""
    most = 0
    for value in values:
        text = format_number(value)
        if "e" in text:
            return MAX_DECIMALS
        most = max(most, len(text.partition(".")[2]))
    return most


def format_count(count: int) -> str:
    """`12345` → `12,345`: a count of rows, readings or problems."""
    return f"{count:,}"


def format_size(size: float) -> str:
    """`93 bytes`, `12.3 KB`, `1.5 MB`, `1.0 GB`: a file's size, in binary units
    (a megabyte is 1,048,576 bytes), as an upload limit or a workbook's is said."""
    if size < 1024:
        return f"{int(size)} bytes"
    for unit in ("KB", "MB"):
        size /= 1024
        if size < 1024:
            return f"{size:.1f} {unit}"
    return f"{size / 1024:,.1f} GB"


def format_bounds(
    bounds: Iterable[float], *, grouped: bool = False, decimals: int | None = None
) -> str:
    """`40, 60.5`: a band's bounds as a form takes them (`low, high`)."""
    return ", ".join(
        format_number(bound, grouped=grouped, decimals=decimals) for bound in bounds
    )


def format_band(
    low: float, high: float, *, grouped: bool = False, decimals: int | None = None
) -> str:
    """`[40, 60.5]`: a band as the workspace file writes it."""
    return f"[{format_bounds((low, high), grouped=grouped, decimals=decimals)}]"


def format_target(
    target: Target, *, grouped: bool = False, decimals: int | None = None
) -> str:
    """A target: a number (`50`), or a band (`[40, 60.5]`)."""
    if isinstance(target, Band):
        return format_band(target.low, target.high, grouped=grouped, decimals=decimals)
    return format_number(target, grouped=grouped, decimals=decimals)


def format_percent_change(percent: float) -> str:
    """A relative target's percent as pages show it: 10.0 is `+10 %` (the file
    writes `"+10%"`: `scoring.relative_target_text`)."""
    return f"{percent:+g} %"


def format_key_result_target(
    target: Target, relative_target: float | None, *, grouped: bool = False
) -> str:
    """A KR's target, both ways when it was written as a percent change:
    `+10 % → 16.5`; else as `format_target`."""
    shown = format_target(target, grouped=grouped)
    if relative_target is None:
        return shown
    return f"{format_percent_change(relative_target)} → {shown}"


def percent_floor(fraction: float) -> int:
    """Whole percent, rounded down so that 0.6996 (yellow) never reads 70, of the
    score as it meets grade boundaries (`settled`): 0.6999999999999998 (18 → 26.4
    of 30, green) reads 70, and 0.29 reads 29, not 28 (0.29 × 100 is
    28.999999999999996 in floating point)."""
    return math.floor(Decimal(repr(settled(fraction))) * 100)


def format_percent(fraction: float) -> str:
    """`0.6996` → `69%` (see `percent_floor`)."""
    return f"{percent_floor(fraction)}%"


def grade_text(score: float | None) -> str | None:
    """A score's grade as a word: `green`, `yellow` or `red`; None unscored."""
    found = grade(score)
    return None if found is None else str(found)


def score_restated(final: float | None, live: float | None) -> bool:
    """Whether a score computed now differs from the one frozen at close, as the
    grade boundaries compare scores (`settled`): a restatement to show beside it."""
    if final is None or live is None:
        return final is not live
    return settled(final) != settled(live)


def format_frozen_score(
    final: float | None, restatement: tuple[float | None, str] | None = None
) -> str:
    """`final 35 %`, or with a restatement (its score and why) beside it: `final
    35 % · restated 70 % (nps corrected on 2026-11-30 by admin)`. The restatement
    never replaces the final grade."""

    def percent(score: float | None) -> str:
        return "not scored" if score is None else f"{percent_floor(score)} %"

    text = f"final {percent(final)}"
    if restatement is not None:
        score, because = restatement
        text += f" · restated {percent(score)} ({because})"
    return text


def format_rules(rules: Iterable[int]) -> str:
    """`rule 3`; `rules 1, 2` (each rule once, in order)."""
    numbers = sorted(set(rules))
    plural = "s" if len(numbers) > 1 else ""
    return f"rule{plural} {', '.join(str(number) for number in numbers)}"


def signal_groups(signals: Iterable[Signal]) -> list[tuple[bool, str]]:
    """Signals grouped by kind and side, unfavourable first, each with its words:
    `(False, "unfavourable: rules 1, 2 below")`, `(True, "favourable: rule 3
    above")`."""
    groups: dict[tuple[bool, str], list[int]] = {}
    for signal in signals:
        groups.setdefault((signal.favourable, str(signal.side)), []).append(signal.rule)
    return [
        (
            favourable,
            f"{'favourable' if favourable else 'unfavourable'}: "
            f"{format_rules(rules)} {side}",
        )
        for (favourable, side), rules in sorted(groups.items())
    ]


_SIGNAL_WORDS = {
    1: (
        "latest reading",
        "the latest reading is",
        "{side} the {limit} natural process limit",
    ),
    2: (
        "3 of the last 4 readings",
        "3 of the last 4 readings are",
        "{side} the {limit} quartile line",
    ),
    3: ("8 readings in a row", "the last 8 readings are", "{side} the process mean"),
    4: (
        "a sudden jump {way} to the latest reading,",
        "the latest reading jumped {way},",
        "above the upper range limit",
    ),
}


def signal_words(rule: int, side: str, *, verb: bool = False) -> str:
    """What a detection rule's hit means, in words a meeting reads: `3 of the
    last 4 readings below the lower quartile line`; with `verb`, a clause: `3 of
    the last 4 readings are below the lower quartile line`.

    Rule 1 is a reading beyond a natural process limit, rule 2 three of four
    beyond a quartile line (halfway from the mean to a limit), rule 3 a run of
    eight on one side of the mean, rule 4 a moving range above the upper range
    limit (a sudden jump); an active hit always ends on the latest reading.
    """
    subject, clause, where = _SIGNAL_WORDS[rule]
    limit, way = ("upper", "up") if side == "above" else ("lower", "down")
    words = f"{clause if verb else subject} {where}"
    return words.format(side=side, limit=limit, way=way)


def unfavourable_signals_text(signals: Iterable[Mapping[str, Any]]) -> str:
    """`3 of the last 4 readings below the lower quartile line (rule 2)`, each
    unfavourable signal once, in the order of the rules, from signals as a status
    stores them (`contract.signal_json`); empty when none is unfavourable."""
    bad = sorted(
        {
            (int(signal["rule"]), str(signal["side"]))
            for signal in signals
            if not signal.get("favourable")
        }
    )
    return "; ".join(
        f"{signal_words(rule, side)} ({format_rules([rule])})" for rule, side in bad
    )


def unfavourable_signal_reason(signal: Signal) -> str:
    """`unfavourable signal (rule 2, below)`: why a signal puts a KPI forward."""
    return f"unfavourable signal ({format_rules([signal.rule])}, {signal.side})"


def format_readings_counts(
    *, total: int, created: int, corrected: int, unchanged: int
) -> str:
    """`1,200 readings: 1,000 new, 150 corrected, 50 unchanged`: what an import
    of readings did."""
    return (
        f"{format_count(total)} readings: {format_count(created)} new, "
        f"{format_count(corrected)} corrected, {format_count(unchanged)} unchanged"
    )


def outcome_text(outcome: str) -> str:
    """`met`, `missed`, `success`, `fell short`: an objective's outcome in words."""
    return outcome.replace("_", " ")


def movement_text(movement: Movement, unit: str = "", verdict: str = "") -> str:
    """`85 → 92 (+7 percent, 1.6× noise, favourable)`: a KPI's movement from one
    reading to another, in its unit and against its noise; `92` alone when there
    is nothing to compare it with. A `verdict` (a cycle's, from
    `core.attribution`) takes the place of the words the change alone gives."""
    if movement.last is None:
        return ""
    last = format_number(movement.last.value, grouped=True)
    change = movement.change
    if movement.first is None or change is None:
        return last
    first = format_number(movement.first.value, grouped=True)
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    parts = [
        f"{sign}{format_number(abs(change), grouped=True)}{' ' + unit if unit else ''}"
    ]
    if movement.in_noise is not None:
        parts.append(f"{format_number(round(abs(movement.in_noise), 1))}× noise")
    if verdict:
        parts.append(verdict)
    elif movement.beyond_noise and movement.favourable is not None:
        parts.append("favourable" if movement.favourable else "unfavourable")
    elif movement.in_noise is not None and not movement.beyond_noise:
        parts.append("within noise")
    return f"{first} → {last} ({', '.join(parts)})"
