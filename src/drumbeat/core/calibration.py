"""Confidence calibration: how the confidence people state in their check-ins
compares with whether their Key Results were hit when the cycle closed.

The method is described in plain words in docs/calibration.md:

- A KR is *resolved* once its cycle is closed and the close froze a final score;
  it is *hit* when that score reaches its objective's level (1.0 committed, 0.7
  aspirational: `core.forecast.hit_level`). A KR whose final score is unknown (no
  reading) is not resolved and does not count.
- Each person's word on a KR counts once: the mean of the confidences they stated
  on it during the cycle (a *statement*). One statement per KR and person keeps a KR
  checked in on every week from weighing more than one checked in on twice, and
  keeps the confident last week before the close (when the outcome is nearly
  known) from hiding what was said while it still mattered.
- The Brier score is the mean of (confidence − outcome)², the outcome 1 when hit
  and 0 when not: 0 is perfect, 0.25 is what always saying 0.5 earns.
- Reliability: statements in five bands of stated confidence (0–0.2, 0.2–0.4,
  0.4–0.6, 0.6–0.8, 0.8–1.0; a band holds its lower edge, the last one also 1.0),
  each with its count, mean confidence and share hit.
- The verdict compares the mean stated confidence with the share of statements
  hit: more than 10 points above is over-confident, more than 10 points below is
  under-confident, else well calibrated.
- Hidden below 5 resolved KRs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

MINIMUM_RESOLVED = 5
"""Fewer resolved KRs than this show no calibration."""

MARGIN = 0.10
"""How far the mean stated confidence may sit from the share hit and still be
well calibrated (10 percentage points)."""

BAND_EDGES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
"""The reliability bands' edges: 0–0.2, 0.2–0.4, 0.4–0.6, 0.6–0.8, 0.8–1.0."""


class Verdict(StrEnum):
    OVER = "over-confident"
    WELL = "well calibrated"
    UNDER = "under-confident"


@dataclass(frozen=True, slots=True)
class CheckInConfidence:
    """One check-in's stated confidence on a KR, by a person."""

    key_result: str
    """The KR's identity (its objective and KR keys, or its pk as text)."""
    person: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Statement:
    """A person's word on a resolved KR: the mean of the confidences they stated
    on it, and whether the KR was hit."""

    key_result: str
    person: str
    confidence: float
    hit: bool

    @property
    def outcome(self) -> float:
        return 1.0 if self.hit else 0.0


@dataclass(frozen=True, slots=True)
class ReliabilityBand:
    """The statements whose confidence falls in [`low`, `high`) (the last band
    also holds 1.0): how many, their mean confidence and the share hit (None when
    the band is empty)."""

    low: float
    high: float
    count: int
    mean_confidence: float | None
    share_hit: float | None

    @property
    def label(self) -> str:
        return f"{self.low:.1f}–{self.high:.1f}"


@dataclass(frozen=True, slots=True)
class Calibration:
    """A group's calibration (a person, a team or a cycle)."""

    name: str
    resolved: int
    """Resolved KRs with at least one statement."""
    statements: int
    brier: float
    mean_confidence: float
    share_hit: float
    bands: tuple[ReliabilityBand, ...]
    verdict: Verdict

    @property
    def sentence(self) -> str:
        """ "Sales states 0.80 on average and hits 45 %: over-confident"."""
        return (
            f"{self.name} states {self.mean_confidence:.2f} on average and hits "
            f"{round(self.share_hit * 100)} %: {self.verdict.value}"
        )


@dataclass(frozen=True, slots=True)
class TooFewResolved:
    """Not enough resolved KRs to say anything yet."""

    name: str
    resolved: int
    needed: int = MINIMUM_RESOLVED

    @property
    def sentence(self) -> str:
        """ "not enough closed KRs yet: 3 of 5"."""
        return f"not enough closed KRs yet: {self.resolved} of {self.needed}"


def statements(
    check_ins: Iterable[CheckInConfidence], hits: dict[str, bool]
) -> list[Statement]:
    """One statement per (KR, person): the mean of the person's confidences on
    the KR, for the KRs in `hits` (the resolved ones: hit or not); check-ins on
    other KRs are left out. Sorted by KR then person."""
    stated: dict[tuple[str, str], list[float]] = defaultdict(list)
    for check_in in check_ins:
        if check_in.key_result in hits:
            stated[check_in.key_result, check_in.person].append(check_in.confidence)
    return [
        Statement(kr, person, sum(values) / len(values), hits[kr])
        for (kr, person), values in sorted(stated.items())
    ]


def brier_score(said: Sequence[Statement]) -> float:
    """The mean of (confidence − outcome)²; 0 is perfect. Needs a statement."""
    return sum((s.confidence - s.outcome) ** 2 for s in said) / len(said)


def band_index(confidence: float) -> int:
    """The reliability band a confidence falls in (0 to 4); 1.0 in the last."""
    for index, high in enumerate(BAND_EDGES[1:-1]):
        if confidence < high:
            return index
    return len(BAND_EDGES) - 2


def reliability(said: Sequence[Statement]) -> tuple[ReliabilityBand, ...]:
    """The five bands, each with its count, mean confidence and share hit."""
    grouped: list[list[Statement]] = [[] for _ in BAND_EDGES[1:]]
    for statement in said:
        grouped[band_index(statement.confidence)].append(statement)
    return tuple(
        ReliabilityBand(
            low,
            high,
            len(members),
            sum(s.confidence for s in members) / len(members) if members else None,
            sum(s.outcome for s in members) / len(members) if members else None,
        )
        for low, high, members in zip(
            BAND_EDGES[:-1], BAND_EDGES[1:], grouped, strict=True
        )
    )


def verdict(mean_confidence: float, share_hit: float) -> Verdict:
    """Over-confident when the mean stated confidence is more than `MARGIN` above
    the share hit, under-confident when more than `MARGIN` below."""
    gap = round(mean_confidence - share_hit, 9)
    if gap > MARGIN:
        return Verdict.OVER
    if gap < -MARGIN:
        return Verdict.UNDER
    return Verdict.WELL


def calibration(name: str, said: Sequence[Statement]) -> Calibration | TooFewResolved:
    """The group `name`'s calibration from its statements, or `TooFewResolved`
    when they cover fewer than `MINIMUM_RESOLVED` KRs."""
    resolved = len({statement.key_result for statement in said})
    if resolved < MINIMUM_RESOLVED:
        return TooFewResolved(name, resolved)
    mean_confidence = sum(s.confidence for s in said) / len(said)
    share_hit = sum(s.outcome for s in said) / len(said)
    return Calibration(
        name=name,
        resolved=resolved,
        statements=len(said),
        brier=brier_score(said),
        mean_confidence=mean_confidence,
        share_hit=share_hit,
        bands=reliability(said),
        verdict=verdict(mean_confidence, share_hit),
    )
