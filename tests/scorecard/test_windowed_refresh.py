"""Recording a reading refreshes the statuses, scores and findings from the
readings the rules read, not the whole history: the results are those of a full
recomputation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from drumbeat.kpis.models import KPI, KPIStatus, Reading
from drumbeat.kpis.services.readings import reading_record
from drumbeat.okrs.models import KeyResult, LintFinding, Objective
from drumbeat.scorecard.selectors import ReadingsWindow, database_workspace
from drumbeat.scorecard.services import STATUS_FIELDS, statuses_refresh
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)

DEFINITIONS = """\
version: 1
kpis:
  - {key: calls, name: Calls answered, direction: up, cadence: daily, tier: key,
     thresholds: {green: 100, red: 90}}
  - {key: waits, name: Wait minutes, direction: down, cadence: daily, tier: key,
     thresholds: {green: 5, red: 8},
     spc: {baseline: {start: 2026-01-10, end: 2026-02-20}}}
cycles:
  - {key: 2026-Q2, start: 2026-04-01, end: 2026-06-30}
  - {key: 2026-Q4, start: 2026-10-01, end: 2026-12-31}
objectives:
  - key: steady
    title: Calls stay answered
    cycle: 2026-Q2
    key_results:
      - {key: more, kpi: calls, target: 105}
      - {key: sustain, kpi: waits, kind: sustain, target: 5}
  - key: faster
    title: Faster answers
    cycle: 2026-Q4
    key_results:
      - {key: more-calls, kpi: calls, target: 110}
      - {key: shorter-waits, kpi: waits, target: 4, deadline: 2027-01-15}
"""


def history(kpi: KPI, days: int, value: Callable[[int], float | None]) -> None:
    """Daily readings up to yesterday, `value(n)` n days before it (None: none)."""
    last = TODAY - dt.timedelta(days=1)
    values = {n: value(n) for n in range(days)}
    Reading.objects.bulk_create(
        Reading(
            kpi=kpi,
            at=(last - dt.timedelta(days=n)).isoformat(),
            day=last - dt.timedelta(days=n),
            value=given,
            source="import",
        )
        for n, given in values.items()
        if given is not None
    )


def calls_value(n: int) -> float | None:
    """The last days below the mean (rules 2 and 3); none from 2026-03-25 to
    2026-04-03, so that Q2's baseline is the reading of 2026-03-24."""
    if 235 <= n <= 244:
        return None
    return 80.0 if n < 9 else 100.0 + (n * 7) % 11


def stored() -> dict[str, Any]:
    """What the refreshes store, but when they ran."""
    statuses = {
        status.kpi.key: {
            name: getattr(status, name)
            for name in STATUS_FIELDS
            if name != "computed_at"
        }
        for status in KPIStatus.objects.select_related("kpi")
    }
    return {
        "statuses": statuses,
        "key_results": sorted(
            KeyResult.objects.values_list(
                "key", "computed_baseline", "current", "progress", "score"
            )
        ),
        "objectives": sorted(Objective.objects.values_list("key", "score")),
        "findings": sorted(
            LintFinding.objects.exclude(kpi_key="", objective_key="").values_list(
                "rule", "subject", "message"
            )
        ),
    }


CALLS = "thresholds: {green: 100, red: 90}}"
PERIODS = {
    "one baseline": "",
    "a later period with its baseline": ", spc: {periods: [{from: 2026-06-01, "
    "baseline: {start: 2026-06-01, end: 2026-07-15}}]}",
    "a later period of its first readings": ", spc: {periods: [{from: 2026-06-01}]}",
}


@pytest.mark.parametrize("periods", PERIODS.values(), ids=PERIODS.keys())
def test_a_reading_refreshes_as_a_full_recomputation_would(
    users, time_machine, periods
):
    time_machine.move_to(dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC))
    definitions = DEFINITIONS.replace(CALLS, CALLS[:-1] + periods + "}", 1)
    workspace_apply(load_workspace_text(definitions))
    calls, waits = KPI.objects.get(key="calls"), KPI.objects.get(key="waits")
    # Two years a day; the last days sink below the mean (rules 2 and 3).
    history(calls, 700, calls_value)
    history(waits, 500, lambda n: 5.0 + (n * 5) % 7 / 2)
    statuses_refresh()
    # Corrections inside a cycle's window and in the limits' baseline.
    reading_record(kpi=calls, at=dt.date(2026, 5, 2), value=60, by=users["admin"])
    reading_record(kpi=waits, at=dt.date(2026, 1, 20), value=12, by=users["admin"])

    reading_record(kpi=calls, at=TODAY, value=79, by=users["admin"])
    refreshed = stored()
    statuses_refresh()

    assert refreshed == stored()
    calls_status = refreshed["statuses"]["calls"]
    assert {signal["rule"] for signal in calls_status["signals"]} >= {2, 3}
    assert calls_status["health"] == "red"


def test_a_windowed_read_leaves_out_the_readings_no_rule_reads(db):
    workspace_apply(load_workspace_text(DEFINITIONS))
    calls = KPI.objects.get(key="calls")
    history(calls, 700, lambda n: 100.0 + n % 5)
    chosen = KPI.objects.filter(key="calls")
    windowed = database_workspace(
        chosen, objectives={"steady", "faster"}, window=ReadingsWindow(TODAY)
    )
    whole = database_workspace(chosen, objectives={"steady", "faster"})
    kept = windowed.kpi_by_key["calls"].readings
    # The first 20 (the limits'), Q2's 91 from the reading on its start (the
    # baseline), and the latest 64, which hold Q4's from its start.
    assert len(whole.kpi_by_key["calls"].readings) == 700
    assert len(kept) == 20 + 91 + 64
