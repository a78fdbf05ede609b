"""The key-result kinds of issue 15 in the workspace file: `kind: cumulative`,
relative targets (`target: "+10%"`) and change KRs into a band; loaded, refused
with a located message, and written back unchanged."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.core.contract import workspace_status_json
from drumbeat.core.model import Band, KeyResultKind
from drumbeat.core.status import workspace_status
from drumbeat.workspace import WorkspaceError, dump_workspace, load_workspace_text

KINDS = """\
version: 1
kpis:
- key: new-logos
  name: New logos won
  cadence: monthly
  readings:
  - {at: 2026-04-30, value: 3}
- key: csat
  name: Customer satisfaction
  readings:
  - {at: 2026-03-15, value: 15}
- key: blood-pressure
  name: Systolic blood pressure
  direction: range
  thresholds: {green: [90, 120]}
  readings:
  - {at: 2026-03-15, value: 140}
cycles:
- {key: 2026-Q2, start: 2026-04-01, end: 2026-06-30}
objectives:
- key: grow
  title: Grow with happy, healthy customers
  cycle: 2026-Q2
  key_results:
  - key: logos
    kpi: new-logos
    kind: cumulative
    target: 15
  - key: happier
    kpi: csat
    target: +10%
  - key: pressure
    kpi: blood-pressure
    target: [90, 120]
"""


def key_results(text: str = KINDS):
    return {kr.key: kr for kr in load_workspace_text(text).objectives[0].key_results}


def test_the_new_kinds_load():
    loaded = key_results()
    assert loaded["logos"].kind is KeyResultKind.CUMULATIVE
    assert loaded["logos"].target == 15.0
    assert loaded["happier"].target == 16.5
    assert loaded["happier"].relative_target == 10.0
    assert loaded["pressure"].target == Band(90.0, 120.0)
    assert loaded["pressure"].kind is KeyResultKind.CHANGE


def test_a_relative_target_resolves_against_an_explicit_baseline():
    text = KINDS.replace("    target: +10%", "    baseline: 16\n    target: -25%")
    assert key_results(text)["happier"].target == 12.0


RESOLVED = KINDS.replace(
    "    target: +10%\n", "    target: 16.5\n    relative_target: +10%\n"
)


def test_a_relative_target_is_written_back_resolved_with_its_percent():
    loaded = load_workspace_text(KINDS)
    assert dump_workspace(loaded) == RESOLVED
    assert load_workspace_text(RESOLVED) == loaded


def test_a_resolved_target_stays_when_the_baseline_moves():
    moved = RESOLVED.replace(
        "{at: 2026-03-15, value: 15}", "{at: 2026-03-15, value: 20}"
    )
    assert key_results(moved)["happier"].target == 16.5


def test_a_relative_target_against_a_written_baseline_must_match_the_target():
    text = KINDS.replace(
        "    target: +10%",
        "    baseline: 15\n    target: 16.5\n    relative_target: +20%",
    )
    with pytest.raises(WorkspaceError) as caught:
        load_workspace_text(text)
    problem = caught.value.problems[0]
    assert problem.field == "objectives[grow].key_results[happier].relative_target"
    assert problem.message == (
        '+20% of the baseline 15 is 18, not the target 16.5: write target: "+20%" '
        "to resolve it again, or drop relative_target"
    )
    assert problem.line == 33


def test_a_relative_target_against_a_written_baseline_that_matches_is_kept():
    text = KINDS.replace(
        "    target: +10%",
        "    baseline: 15\n    target: 18\n    relative_target: +20%",
    )
    assert key_results(text)["happier"].target == 18.0
    assert key_results(text)["happier"].relative_target == 20.0


def test_a_sustain_kr_quotes_the_relative_target_as_written():
    text = KINDS.replace("    target: +10%", "    kind: sustain\n    target: +5 %")
    with pytest.raises(WorkspaceError) as caught:
        load_workspace_text(text)
    assert caught.value.problems[0].message == (
        "a relative target (+5 %) is only for a change KR; give one number"
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "target: +10%",
            "target: ten percent",
            "objectives[grow].key_results[happier].target",
            'a percent change of the baseline such as "+10%"',
        ),
        (
            "  - {at: 2026-03-15, value: 15}\n",
            "  - {at: 2026-04-15, value: 15}\n",
            "objectives[grow].key_results[happier].target",
            "a relative target (+10%) needs a baseline",
        ),
        (
            "  - {at: 2026-03-15, value: 15}\n",
            "  - {at: 2026-03-15, value: 0}\n",
            "objectives[grow].key_results[happier].target",
            "cannot grow from a baseline of 0",
        ),
        (
            "    kind: cumulative\n    target: 15",
            "    kind: cumulative\n    target: +10%",
            "objectives[grow].key_results[logos].target",
            "a relative target (+10%) is only for a change KR",
        ),
        (
            "    kind: cumulative\n    target: 15",
            "    kind: cumulative\n    target: [10, 20]",
            "objectives[grow].key_results[logos].target",
            "is only for a sustain or change KR on a range KPI",
        ),
        (
            "    kpi: blood-pressure\n    target: [90, 120]",
            "    kpi: blood-pressure\n    kind: cumulative\n    target: 100",
            "objectives[grow].key_results[pressure].kind",
            "its readings do not add up",
        ),
        (
            "    target: +10%",
            "    target: 16.5\n    relative_target: ten",
            "objectives[grow].key_results[happier].relative_target",
            'must be a percent change such as "+10%"',
        ),
        (
            "    target: +10%",
            "    target: +10%\n    relative_target: +10%",
            "objectives[grow].key_results[happier].relative_target",
            "the target is already a percent change",
        ),
        (
            "    target: [90, 120]",
            "    target: [90, 120]\n    relative_target: +10%",
            "objectives[grow].key_results[pressure].relative_target",
            "only for a change KR's one-number target",
        ),
    ],
)
def test_bad_kinds_are_refused_with_the_field_named(old, new, field, message):
    assert old in KINDS
    with pytest.raises(WorkspaceError) as caught:
        load_workspace_text(KINDS.replace(old, new, 1))
    problem = caught.value.problems[0]
    assert problem.field == field
    assert message in problem.message


def test_score_json_says_the_percent_a_target_was_set_as():
    status = workspace_status(load_workspace_text(KINDS), dt.date(2026, 5, 1))
    krs = {
        kr["key"]: kr
        for kr in workspace_status_json(status)["objectives"][0]["key_results"]
    }
    assert (krs["happier"]["target"], krs["happier"]["relative_target"]) == (16.5, 10)
    assert krs["logos"]["relative_target"] is None
    assert (krs["logos"]["kind"], krs["logos"]["current"]) == ("cumulative", 3)
    assert krs["logos"]["progress"] == pytest.approx(3 / 15)
