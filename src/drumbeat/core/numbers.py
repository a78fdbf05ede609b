"""How values read in messages and tables: no float noise, no needless decimals."""

from __future__ import annotations

from drumbeat.core.model import Band, Target


def format_number(value: float) -> str:
    """`38`, `99.95`, `0.333`, `1250000`: at most four significant decimals."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else f"{value:.3g}"


def format_target(target: Target) -> str:
    if isinstance(target, Band):
        return f"[{format_number(target.low)}, {format_number(target.high)}]"
    return format_number(target)
