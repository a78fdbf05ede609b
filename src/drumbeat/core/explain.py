"""Why a KPI has its health, in words, from what its stored status holds.

The pages read a KPI's status as the refresh stored it (health, the health by
thresholds alone, the latest reading, staleness and the active signals), so the
explanation is computed from those values at render, never from the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from drumbeat.core.display import (
    format_band,
    format_number,
    format_rules,
    signal_words,
)
from drumbeat.core.health import STALE_FACTOR
from drumbeat.core.model import Band, Cadence, Direction, Health, Thresholds


@dataclass(frozen=True, slots=True)
class HealthExplanation:
    """A KPI's health in words: `short` for a small tile, `sentence` in full."""

    short: str
    sentence: str


def thresholds_from_plain(plain: Mapping[str, Any] | None) -> Thresholds:
    """Thresholds from their stored form (`{"green": 90, "red": 80}`, or bands as
    `[low, high]` lists for a range KPI)."""
    if not plain:
        return Thresholds()

    def level(value: Any) -> float | Band | None:
        if value is None:
            return None
        if isinstance(value, (list, tuple)):
            return Band(float(value[0]), float(value[1]))
        return float(value)

    amber = level(plain.get("amber"))
    red = level(plain.get("red"))
    return Thresholds(
        green=level(plain.get("green")),
        red=red if not isinstance(red, Band) else None,
        amber=amber if isinstance(amber, Band) else None,
    )


def health_explanation(
    *,
    health: Health | str,
    threshold_health: Health | str,
    direction: Direction | str,
    thresholds: Thresholds,
    latest_value: float | None,
    latest_day: dt.date | None,
    as_of: dt.date,
    stale: bool,
    cadence: Cadence | str | None,
    signals: Sequence[Mapping[str, Any]] = (),
    unit: str = "",
) -> HealthExplanation:
    """Why a KPI is green, amber, red or unknown, and whether it is stale.

    - no reading: `Unknown: no readings yet`;
    - no thresholds: `Unknown: no thresholds to judge 41 percent against`;
    - by thresholds: `Red: 41 is at or below the red threshold of 45`;
    - demoted by a signal: `Amber: green by its thresholds (92 is at or above the
      green threshold of 90), but 3 of the last 4 readings are below the lower
      quartile line (rule 2)`;
    - other active signals follow the verdict (`; unfavourable signal: ...`);
    - staleness, beside the health: `Stale: the latest reading is 54 days old for
      a weekly KPI`.

    `short` is the verdict's first clause (the health and its main reason, with
    the rules of any other unfavourable signal and whether it is stale),
    `sentence` everything. Signals are as a status stores them (`rule`, `side`,
    `favourable`); the figures are the stored status's, as of its `as_of`.
    """
    health, by_thresholds = Health(health), Health(threshold_health)
    value = None if latest_value is None else _amount(latest_value, unit)
    bad = _signal_texts(signals, favourable=False)
    good = _signal_texts(signals, favourable=True)
    if latest_value is None or value is None:
        verdict = "Unknown: no readings yet"
        short = verdict
    elif by_thresholds is Health.UNKNOWN:
        verdict = f"{_title(health)}: no thresholds to judge {value} against"
        short = verdict
        if bad:
            verdict += f", but {_joined(bad)}"
            bad = []
    else:
        reason = _threshold_reason(
            Direction(direction), thresholds, by_thresholds, latest_value, value
        )
        if health is not by_thresholds and bad:
            short = f"{_title(health)}: {by_thresholds} by its thresholds, but {bad[0]}"
            others = [rule for rule, _ in _unfavourable(signals)[1:]]
            if others:
                short += f"; also {format_rules(others)}"
            verdict = (
                f"{_title(health)}: {by_thresholds} by its thresholds ({reason}), "
                f"but {_joined(bad)}"
            )
            bad = []
        else:
            short = verdict = f"{_title(health)}: {reason}"
    parts = [verdict]
    if bad:
        parts.append(f"unfavourable signal: {_joined(bad)}")
        rules = (rule for rule, _ in _unfavourable(signals))
        short += f"; unfavourable signal ({format_rules(rules)})"
    if good:
        parts.append(f"favourable signal: {_joined(good)}")
    sentence = "; ".join(parts)
    if stale:
        stale_text = _stale_text(cadence, latest_day, as_of)
        sentence += f". {stale_text}"
        short += " (stale)"
    return HealthExplanation(short=short, sentence=sentence)


def _title(health: Health) -> str:
    return str(health).capitalize()


def _amount(value: float, unit: str) -> str:
    number = format_number(value, grouped=True)
    return f"{number} {unit}" if unit else number


def _joined(texts: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(texts) < 2:
        return "".join(texts)
    return f"{', '.join(texts[:-1])} and {texts[-1]}"


def _signal_texts(
    signals: Sequence[Mapping[str, Any]], *, favourable: bool
) -> list[str]:
    """`3 of the last 4 readings are below the lower quartile line (rule 2)`, once
    each, in the order of the rules."""
    chosen = _chosen(signals, favourable=favourable)
    return [
        f"{signal_words(rule, side, verb=True)} (rule {rule})" for rule, side in chosen
    ]


def _chosen(
    signals: Sequence[Mapping[str, Any]], *, favourable: bool
) -> list[tuple[int, str]]:
    """The (rule, side) of the favourable or unfavourable signals, once each."""
    return sorted(
        {
            (int(signal["rule"]), str(signal["side"]))
            for signal in signals
            if bool(signal.get("favourable")) is favourable
        }
    )


def _unfavourable(signals: Sequence[Mapping[str, Any]]) -> list[tuple[int, str]]:
    return _chosen(signals, favourable=False)


def _threshold_reason(
    direction: Direction,
    thresholds: Thresholds,
    by_thresholds: Health,
    latest_value: float,
    value: str,
) -> str:
    """`41 is at or below the red threshold of 45`: the comparison that gave the
    health by thresholds (see `core.health.threshold_health`)."""
    green, red, amber = thresholds.green, thresholds.red, thresholds.amber
    if direction is Direction.RANGE:
        if isinstance(green, Band) and by_thresholds is Health.GREEN:
            return f"{value} is inside the green band {_band(green)}"
        if amber is not None and by_thresholds is Health.AMBER:
            outside = (
                f"outside the green band {_band(green)} but "
                if isinstance(green, Band)
                else ""
            )
            return f"{value} is {outside}inside the amber band {_band(amber)}"
        widest = amber or green
        band = f" {_band(widest)}" if isinstance(widest, Band) else ""
        which = "amber" if amber is not None else "green"
        return f"{value} is outside the {which} band{band}"
    better, worse = (
        ("at or above", "at or below")
        if direction is Direction.UP
        else ("at or below", "at or above")
    )
    if by_thresholds is Health.GREEN and isinstance(green, float | int):
        return f"{value} is {better} the green threshold of {_level(green)}"
    if by_thresholds is Health.RED and red is not None:
        return f"{value} is {worse} the red threshold of {_level(red)}"
    between = [
        f"the {name} threshold of {_level(level)}"
        for level, name in sorted(
            (level, name)
            for name, level in (("red", red), ("green", green))
            if isinstance(level, float | int)
        )
    ]
    if len(between) == 2:
        return f"{value} is between {between[0]} and {between[1]}"
    if isinstance(green, float | int):
        not_better = "below" if direction is Direction.UP else "above"
        return f"{value} is {not_better} the green threshold of {_level(green)}"
    if red is not None:
        not_worse = "above" if direction is Direction.UP else "below"
        return f"{value} is {not_worse} the red threshold of {_level(red)}"
    return f"{value} by its thresholds"


def _level(level: float) -> str:
    return format_number(level, grouped=True)


def _band(band: Band) -> str:
    return format_band(band.low, band.high, grouped=True)


def _stale_text(
    cadence: Cadence | str | None, latest_day: dt.date | None, as_of: dt.date
) -> str:
    """`Stale: the latest reading is 54 days old for a weekly KPI (due every 7
    days, stale after 10.5)`, or `Stale: no reading yet for a weekly KPI`."""
    kind = f" for a {cadence} KPI" if cadence else ""
    if latest_day is None:
        return f"Stale: no reading yet{kind}"
    days = (as_of - latest_day).days
    text = (
        f"Stale: the latest reading is {days} day{'s' if days != 1 else ''} old{kind}"
    )
    if cadence:
        limit = STALE_FACTOR * Cadence(cadence).days
        text += f" (stale after {format_number(round(limit, 1))} days)"
    return text
