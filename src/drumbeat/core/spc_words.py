"""The signals and dividers of a process behaviour chart in plain words, with the
figures a person checks them by: what the KPI page says beside its charts.

`rhythm.signal_words` is the short form an agenda lists; these name the readings,
the dates and the lines they crossed.
"""

from __future__ import annotations

from typing import Any

from drumbeat.core.display import format_number
from drumbeat.core.spc import (
    MOVING_RANGE_RULE,
    QUARTILE_WINDOW,
    ProcessChart,
    ProcessLimits,
    ProposedDivider,
    Side,
    Signal,
)

MINUS = "\N{MINUS SIGN}"

JSON = Any
"""A plain JSON value: dicts, lists, text, numbers, booleans or None."""


def figure(value: float) -> str:
    """`41.2`, `0.0123`, `497.6`, `12,699`: a chart figure to three significant
    digits, one decimal from 100 on, whole from 1,000 on."""
    if abs(value) >= 1000:
        rounded = float(round(value))
    elif abs(value) >= 100:
        rounded = round(value, 1)
    else:
        rounded = float(f"{value:.3g}")
    return format_number(rounded, grouped=True)


def signed(value: float) -> str:
    """`+6.5`, `−6.5`, `0`: a change with its sign."""
    if value > 0:
        return f"+{figure(value)}"
    if value < 0:
        return f"{MINUS}{figure(-value)}"
    return "0"


def signal_explanation(signal: Signal, chart: ProcessChart) -> str:
    """What one hit means, with its figures:

    rule 1: `the reading of 2026-11-09 (52.3) is above the upper natural process
    limit (50.1)`; rule 2: `3 of the last 4 readings are below the lower quartile
    line (41.2)`; rule 3: `8 readings in a row, from 2026-09-21 to 2026-11-09, are
    below the mean (44.5)`; rule 4: `a jump of 12.5 between 2026-11-02 and
    2026-11-09, above the upper range limit of 9.8`.
    """
    limits = chart.period_of(signal.last).limits
    assert limits is not None, "a signal is found only against limits"
    readings = chart.readings
    last = readings[signal.last]
    upper = signal.side is Side.ABOVE
    line = "upper" if upper else "lower"
    if signal.rule == 1:
        limit = limits.upper if upper else limits.lower
        return (
            f"the reading of {last.day.isoformat()} ({figure(last.value)}) is "
            f"{signal.side} the {line} natural process limit ({figure(limit)})"
        )
    if signal.rule == 2:
        quartile = limits.upper_quartile if upper else limits.lower_quartile
        window = readings[signal.first : signal.last + 1]
        beyond = sum(
            (r.value > quartile) if upper else (r.value < quartile) for r in window
        )
        if signal.last == len(readings) - 1:
            which = f"the last {QUARTILE_WINDOW} readings"
        else:
            which = (
                f"the {QUARTILE_WINDOW} readings from "
                f"{readings[signal.first].day.isoformat()} to {last.day.isoformat()}"
            )
        return (
            f"{beyond} of {which} are {signal.side} the {line} quartile line "
            f"({figure(quartile)})"
        )
    if signal.rule == MOVING_RANGE_RULE:
        before = readings[signal.last - 1]
        return (
            f"a jump of {figure(abs(last.value - before.value))} between "
            f"{before.day.isoformat()} and {last.day.isoformat()}, above the upper "
            f"range limit of {figure(limits.upper_range_limit)}"
        )
    count = signal.last - signal.first + 1
    return (
        f"{count} readings in a row, from {readings[signal.first].day.isoformat()} "
        f"to {last.day.isoformat()}, are {signal.side} the mean "
        f"({figure(limits.mean)})"
    )


def divider_explanation(divider: ProposedDivider, unit: str | None = None) -> str:
    """`the process changed on 2026-03-01: mean 42.1 → 35.6 points (−6.5 points,
    −15.4 %)`; the percent is left out when the old mean is 0."""
    suffix = f" {unit}" if unit else ""
    change = divider.new_mean - divider.old_mean
    parts = [f"{signed(change)}{suffix}"]
    if divider.old_mean != 0:
        parts.append(f"{signed(100 * change / abs(divider.old_mean))} %")
    return (
        f"the process changed on {divider.start.isoformat()}: mean "
        f"{figure(divider.old_mean)} \N{RIGHTWARDS ARROW} "
        f"{figure(divider.new_mean)}{suffix} ({', '.join(parts)})"
    )


def process_chart_json(chart: ProcessChart, unit: str | None = None) -> dict[str, JSON]:
    """The X and mR charts as plain JSON values for a page or the API: the
    readings and their moving ranges, each limit period with its lines (`first`
    up to, not including, `stop` index the readings), every signal with its words
    (`active`: its window includes the latest reading), and the proposed divider."""
    readings = chart.readings
    latest = len(readings) - 1
    return {
        "dates": [reading.day.isoformat() for reading in readings],
        "values": [reading.value for reading in readings],
        "moving_ranges": list(chart.moving_ranges),
        "periods": [
            {
                "from": period.start.isoformat() if period.start else None,
                "first": period.first,
                "stop": period.stop,
                "baseline": [
                    period.baseline[0].day.isoformat(),
                    period.baseline[-1].day.isoformat(),
                ]
                if period.baseline
                else None,
                "limits": limits_json(period.limits),
            }
            for period in chart.periods
        ],
        "signals": [
            {
                "rule": signal.rule,
                "side": str(signal.side),
                "first": signal.first,
                "last": signal.last,
                "at": readings[signal.last].day.isoformat(),
                "favourable": signal.favourable,
                "active": signal.first <= latest <= signal.last,
                "text": signal_explanation(signal, chart),
            }
            for signal in chart.signals
        ],
        "divider": divider_json(chart.divider, unit),
    }


def limits_json(limits: ProcessLimits | None) -> JSON:
    if limits is None:
        return None
    return {
        "mean": limits.mean,
        "upper": limits.upper,
        "lower": limits.lower,
        "upper_quartile": limits.upper_quartile,
        "lower_quartile": limits.lower_quartile,
        "average_moving_range": limits.average_moving_range,
        "upper_range_limit": limits.upper_range_limit,
    }


def divider_json(divider: ProposedDivider | None, unit: str | None) -> JSON:
    if divider is None:
        return None
    return {
        "at": divider.start.isoformat(),
        "index": divider.index,
        "side": str(divider.side),
        "old_mean": divider.old_mean,
        "new_mean": divider.new_mean,
        "text": divider_explanation(divider, unit),
    }
