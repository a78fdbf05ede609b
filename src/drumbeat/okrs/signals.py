"""What other parts of Drumbeat may react to when OKRs change, so that the OKRs
never import them."""

from __future__ import annotations

from django.dispatch import Signal

okrs_changed = Signal()
"""Sent by the OKRs' services inside their transaction when cycles, objectives or
key results changed, with `kpi_keys: frozenset[str]` (the KPIs whose KRs changed:
their KR scores and lifecycle move) and `cycle_keys: frozenset[str]` (the cycles
whose lint findings move). `drumbeat.scorecard` recomputes."""

cycle_closed = Signal()
"""Sent once a cycle's close is committed, with `close_pk` (the `CycleClose`).
`drumbeat.webhooks` announces it."""
