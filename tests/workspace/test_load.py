"""Loading workspace files: the format's fields, defaults and located errors."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from pathlib import Path

import pytest

from drumbeat.core.model import (
    Band,
    Cadence,
    Commitment,
    Direction,
    KeyResultKind,
    Period,
    SourceType,
    Tier,
)
from drumbeat.workspace import WorkspaceError, load_workspace, load_workspace_text

GOOD = """\
version: 1
organisation: Riverside Museum
teams:
  - {key: company, name: Riverside Museum}
  - {key: visitor-experience, name: Visitor Experience, parent: company}
kpis:
  - key: nps
    name: Net Promoter Score
    description: Promoters minus detractors.
    unit: points
    direction: up
    cadence: quarterly
    owner: Head of Visitor Experience
    team: visitor-experience
    perspective: customer
    tier: key
    indicator: lagging
    thresholds: {green: 45, red: 30}
    benchmarks: {industry: 45, best_in_class: 65}
    drives: []
    source: {type: manual}
    spc: {baseline: {start: 2025-01-01, end: 2025-12-31}}
    readings:
      - {at: 2026-06-30, value: 38}
      - {at: 2026-07-31, value: 48}
  - key: uptime
    name: Uptime
    direction: range
    thresholds: {green: [99.9, 100], amber: [99.5, 100]}
    source: {type: sql, connection: warehouse, query: select 1}
    readings:
      - {at: "2026-07-01T12:30:00+00:00", value: 99.95}
cycles:
  - {key: 2026-Q3, start: 2026-07-01, end: 2026-09-30}
objectives:
  - key: community-relevance
    title: Make the museum more relevant to the community
    cycle: 2026-Q3
    team: visitor-experience
    owner: Head of Visitor Experience
    commitment: committed
    parent: null
    key_results:
      - key: nps-up
        title: Increase NPS from 38 to 58 by the end of Q3
        kpi: nps
        kind: change
        baseline: 38
        target: 58
        deadline: 2026-09-30
        owner: Head of Visitor Experience
        weight: 2
        checkins:
          - {at: 2026-07-14, by: Ana, confidence: 0.6, note: Survey redesign shipped}
      - key: uptime-held
        kpi: uptime
        kind: sustain
        target: [99.9, 100]
"""


def load(text: str):
    return load_workspace_text(text, filename="okrs.yaml")


def test_every_field_of_the_format_loads():
    workspace = load(GOOD)
    nps, uptime = workspace.kpis
    assert workspace.organisation == "Riverside Museum"
    assert workspace.teams[1].parent == "company"
    assert nps.direction is Direction.UP
    assert nps.cadence is Cadence.QUARTERLY
    assert nps.tier is Tier.KEY
    assert nps.thresholds.green == 45
    assert nps.thresholds.red == 30
    assert nps.benchmarks.best_in_class == 65
    assert nps.spc_baseline == Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert [r.value for r in nps.readings] == [38, 48]
    assert nps.readings[0].at == dt.date(2026, 6, 30)
    assert uptime.thresholds.green == Band(99.9, 100)
    assert uptime.source.type is SourceType.SQL
    assert uptime.readings[0].at == dt.datetime(2026, 7, 1, 12, 30, tzinfo=dt.UTC)
    objective = workspace.objectives[0]
    assert objective.commitment is Commitment.COMMITTED
    nps_up, uptime_held = objective.key_results
    assert nps_up.weight == 2
    assert nps_up.checkins[0].confidence == 0.6
    assert uptime_held.kind is KeyResultKind.SUSTAIN
    assert uptime_held.target == Band(99.9, 100)


def test_defaults_apply_to_omitted_fields():
    """direction up, tier secondary, kind change, weight 1, aspirational."""
    workspace = load(
        "kpis:\n  - {key: mrr, name: MRR}\n"
        "cycles:\n  - {key: q, start: 2026-01-01, end: 2026-03-31}\n"
        "objectives:\n  - key: o\n    title: Grow\n    cycle: q\n"
        "    key_results:\n      - {key: k, kpi: mrr, target: 5}\n"
    )
    kpi = workspace.kpis[0]
    kr = workspace.objectives[0].key_results[0]
    assert (kpi.direction, kpi.tier, kpi.north_star, kpi.financial) == (
        Direction.UP,
        Tier.SECONDARY,
        False,
        False,
    )
    assert (kr.kind, kr.weight) == (KeyResultKind.CHANGE, 1)
    assert workspace.objectives[0].commitment is Commitment.ASPIRATIONAL
    assert workspace.version == 1


def test_a_kr_on_a_missing_kpi_loads_so_lint_can_report_it():
    workspace = load(GOOD.replace("kpi: nps\n", "kpi: npz\n"))
    assert workspace.objectives[0].key_results[0].kpi == "npz"


def test_readings_are_kept_in_time_order():
    text = GOOD.replace(
        "      - {at: 2026-06-30, value: 38}\n      - {at: 2026-07-31, value: 48}\n",
        "      - {at: 2026-07-31, value: 48}\n      - {at: 2026-06-30, value: 38}\n",
    )
    assert [r.value for r in load(text).kpis[0].readings] == [38, 48]


def test_the_file_is_read_from_disk(tmp_path: Path):
    path = tmp_path / "okrs.yaml"
    path.write_text(GOOD)
    assert load_workspace(path).kpis[0].key == "nps"


def test_a_missing_file_is_an_error(tmp_path: Path):
    with pytest.raises(WorkspaceError, match="No such file"):
        load_workspace(tmp_path / "nope.yaml")


# Each case: a change to the good file, then the line, field and message expected.
BAD_INPUT = [
    pytest.param(
        ("thresholds: {green: 45, red: 30}", "treshold: {green: 45, red: 30}"),
        18,
        "kpis[nps].treshold",
        "unknown field 'treshold' (did you mean 'thresholds'?)",
        id="unknown-field-typo",
    ),
    pytest.param(
        ("cadence: quarterly", "cadence: 3"),
        12,
        "kpis[nps].cadence",
        "must be one of 'daily', 'weekly', 'monthly', 'quarterly' or 'yearly', not 3",
        id="wrong-type-enum",
    ),
    pytest.param(
        ("name: Net Promoter Score", "name: [Net, Promoter]"),
        8,
        "kpis[nps].name",
        "expected text, not ['Net', 'Promoter']",
        id="wrong-type-text",
    ),
    pytest.param(
        ("    unit: points\n", "    unit: points\n    unit: pts\n"),
        11,
        "unit",
        "duplicate key 'unit' (first on line 10)",
        id="duplicate-field",
    ),
    pytest.param(
        ("  - key: uptime\n", "  - key: nps\n"),
        26,
        "kpis[nps].key",
        "duplicate key 'nps'",
        id="duplicate-kpi-key",
    ),
    pytest.param(
        ("      - {at: 2026-07-31, value: 48}", "      - {at: 2026-06-30, value: 48}"),
        25,
        "kpis[nps].readings[2026-06-30].at",
        "a second reading at 2026-06-30",
        id="duplicate-reading",
    ),
    pytest.param(
        ("cycle: 2026-Q3\n", "cycle: 2026-Q9\n"),
        38,
        "objectives[community-relevance].cycle",
        "refers to cycle '2026-Q9', which is not defined (did you mean '2026-Q3'?)",
        id="missing-cycle",
    ),
    pytest.param(
        (
            "    team: visitor-experience\n    perspective",
            "    team: vx\n    perspective",
        ),
        14,
        "kpis[nps].team",
        "refers to team 'vx', which is not defined",
        id="missing-team",
    ),
    pytest.param(
        ("parent: null", "parent: nope"),
        42,
        "objectives[community-relevance].parent",
        "refers to objective 'nope', which is not defined",
        id="missing-objective",
    ),
    pytest.param(
        ("drives: []", "drives: [csat]"),
        20,
        "kpis[nps].drives[0]",
        "refers to KPI 'csat', which is not defined",
        id="missing-driven-kpi",
    ),
    pytest.param(
        ("drives: []", "drives: [nps]"),
        20,
        "kpis[nps].drives",
        "drives back to itself: nps → nps",
        id="drives-cycle",
    ),
    pytest.param(
        ("{key: company, name: Riverside Museum}", "{key: company, name: Riverside"),
        5,
        None,
        "malformed YAML",
        id="malformed-yaml",
    ),
    pytest.param(
        ("at: 2026-06-30", "at: 2026-02-30"),
        24,
        "kpis[nps].readings[2026-02-30].at",
        "2026-02-30 is not a real date: write YYYY-MM-DD (2026-07-10)",
        id="impossible-date",
    ),
    pytest.param(
        ("deadline: 2026-09-30", "deadline: 30/09/2026"),
        50,
        "objectives[community-relevance].key_results[nps-up].deadline",
        "must be a date as YYYY-MM-DD, not '30/09/2026'",
        id="unparseable-date",
    ),
    pytest.param(
        ("value: 48}", "value: lots}"),
        25,
        "kpis[nps].readings[2026-07-31].value",
        "must be a number, not 'lots'",
        id="non-numeric",
    ),
    pytest.param(
        ("value: 48}", "value: .nan}"),
        25,
        "kpis[nps].readings[2026-07-31].value",
        "must be a finite number, not nan",
        id="nan",
    ),
    pytest.param(
        ("value: 48}", "value: -.inf}"),
        25,
        "kpis[nps].readings[2026-07-31].value",
        "must be a finite number, not -inf",
        id="infinite",
    ),
    pytest.param(
        ("value: 48}", "value: " + "9" * 400 + "}"),
        25,
        "kpis[nps].readings[2026-07-31].value",
        "is too large: write a number within ±1e+15",
        id="too-large",
    ),
    pytest.param(
        ("value: 48}", "value: 1.5e15}"),
        25,
        "kpis[nps].readings[2026-07-31].value",
        "1.5e+15 is too large: write a number within ±1e+15",
        id="beyond-range",
    ),
    pytest.param(
        (
            "      - {at: 2026-07-31, value: 48}\n",
            "      - {at: 2026-07-31, value: 48}\n"
            "      - {at: '2026-08-01T01:00:00', value: 1}\n"
            "      - {at: '2026-08-01T01:00:00Z', value: 2}\n",
        ),
        27,
        "kpis[nps].readings[2026-08-01T01:00:00Z].at",
        "a second reading at",
        id="duplicate-moment-naive-and-utc",
    ),
    pytest.param(
        (
            "    readings:\n      - {at: 2026-06-30",
            "    readings:\n    notes:\n      - {at: 2026-06-30",
        ),
        23,
        "kpis[nps].readings",
        "is empty: give a value, or leave the field out",
        id="empty-section",
    ),
    pytest.param(
        (
            "  - {key: company, name: Riverside Museum}",
            "  - {key: company, name: Riverside Museum, parent: visitor-experience}",
        ),
        4,
        "teams[company].parent",
        "'company' is its own ancestor through its parents",
        id="team-parent-cycle",
    ),
    pytest.param(
        (
            "  - {key: company, name: Riverside Museum}",
            "  - {key: company, name: Riverside Museum, parent: company}",
        ),
        4,
        "teams[company].parent",
        "cannot be its own parent",
        id="team-own-parent",
    ),
    pytest.param(
        ("value: 48}", "value: true}"),
        25,
        "kpis[nps].readings[2026-07-31].value",
        "must be a number, not True",
        id="boolean-is-not-a-number",
    ),
    pytest.param(
        ("end: 2026-09-30}", "end: 2026-06-30}"),
        34,
        "cycles[2026-Q3].end",
        "the cycle ends (2026-06-30) before it starts (2026-07-01)",
        id="cycle-ends-before-it-starts",
    ),
    pytest.param(
        ("  - key: nps\n", "  - key: NPS\n"),
        7,
        "kpis[NPS].key",
        "'NPS' is not a valid KPI key: use lower-case letters, digits and dashes",
        id="kpi-key-pattern",
    ),
    pytest.param(
        ("    name: Net Promoter Score\n", ""),
        7,
        "kpis[nps].name",
        "missing required field 'name'",
        id="missing-required-field",
    ),
    pytest.param(
        ("thresholds: {green: 45, red: 30}", "thresholds: {green: 30, red: 45}"),
        18,
        "kpis[nps].thresholds.green",
        "for an up KPI the green threshold must be above the red one",
        id="up-thresholds-inverted",
    ),
    pytest.param(
        ("{green: [99.9, 100], amber: [99.5, 100]}", "{green: 99.9}"),
        29,
        "kpis[uptime].thresholds.green",
        "a range KPI's green threshold is a band [low, high]",
        id="range-threshold-not-a-band",
    ),
    pytest.param(
        ("{green: [99.9, 100], amber: [99.5, 100]}", "{green: [100, 99.9]}"),
        29,
        "kpis[uptime].thresholds.green",
        "band [100, 99.9] has low above high",
        id="band-backwards",
    ),
    pytest.param(
        ("target: [99.9, 100]", "target: 99.9"),
        58,
        "objectives[community-relevance].key_results[uptime-held].target",
        "'uptime' is a range KPI: a sustain target is a band [low, high]",
        id="sustain-on-range-needs-band",
    ),
    pytest.param(
        ("target: 58", "target: [50, 60]"),
        49,
        "objectives[community-relevance].key_results[nps-up].target",
        "a band target [low, high] is only for a sustain or change KR on a range KPI",
        id="band-target-on-change-kr",
    ),
    pytest.param(
        ("confidence: 0.6", "confidence: 1.5"),
        54,
        "objectives[community-relevance].key_results[nps-up].checkins[2026-07-14]"
        ".confidence",
        "Input should be less than or equal to 1",
        id="confidence-above-one",
    ),
    pytest.param(
        ("weight: 2", "weight: 0"),
        52,
        "objectives[community-relevance].key_results[nps-up].weight",
        "Input should be greater than 0",
        id="weight-not-positive",
    ),
    pytest.param(
        ("version: 1", "version: 2"),
        1,
        "version",
        "format version 2 is not supported; this Drumbeat reads version 1",
        id="unsupported-version",
    ),
    pytest.param(
        ("select 1}", "select 1, connection: x}"),
        30,
        None,
        "duplicate key 'connection'",
        id="duplicate-key-in-flow-mapping",
    ),
]


@pytest.mark.parametrize(("change", "line", "field", "message"), BAD_INPUT)
def test_bad_input_is_located(change, line, field, message):
    old, new = change
    assert old in GOOD, "the case must change the good file"
    with pytest.raises(WorkspaceError) as caught:
        load(GOOD.replace(old, new, 1))
    problem = caught.value.problems[0]
    assert problem.line == line
    if field is not None:
        assert problem.field == field
    assert message in problem.message
    expected_start = f"okrs.yaml:{line}:"
    assert caught.value.summary.startswith(expected_start)
    assert "\n" not in caught.value.summary


def test_every_problem_is_reported_in_line_order():
    text = GOOD.replace("cadence: quarterly", "cadence: often").replace(
        "value: 48}", "value: lots}"
    )
    with pytest.raises(WorkspaceError) as caught:
        load(text)
    assert [p.line for p in caught.value.problems] == [12, 25]
    assert caught.value.summary.endswith("(and 1 more problem)")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "okrs.yaml:1: the file is empty", id="empty"),
        pytest.param("- a\n- b\n", "okrs.yaml:1: the file is a list", id="a-list"),
    ],
)
def test_a_file_that_is_not_a_mapping_is_refused(text, message):
    with pytest.raises(WorkspaceError) as caught:
        load(text)
    assert caught.value.summary.startswith(message)


def test_an_objective_cannot_be_its_own_ancestor():
    text = GOOD.replace("parent: null", "parent: other") + (
        "  - key: other\n    title: Other\n    cycle: 2026-Q3\n"
        "    parent: community-relevance\n"
    )
    with pytest.raises(WorkspaceError) as caught:
        load(text)
    assert "is its own ancestor" in caught.value.summary


@pytest.mark.parametrize(
    "text", [pytest.param(GOOD, id="good"), pytest.param("kpis: [", id="malformed")]
)
def test_parsing_leaves_the_garbage_collector_as_it_was(text):
    """The collector is paused while parsing, for speed, and always restarted."""
    assert gc.isenabled()
    with contextlib.suppress(WorkspaceError):
        load(text)
    assert gc.isenabled()


def test_a_file_to_apply_may_not_hold_readings_after_tomorrow():
    """Loaded to be applied (`today` given), a reading dated after tomorrow is
    refused at its line; linting or scoring the same file is not (no `today`)."""
    text = GOOD.replace(
        "      - {at: 2026-07-31, value: 48}\n",
        "      - {at: 2026-07-31, value: 48}\n      - {at: 2026-08-02, value: 50}\n",
    )
    assert load(text).kpi_by_key["nps"].readings[-1].value == 50
    with pytest.raises(WorkspaceError) as caught:
        load_workspace_text(text, filename="okrs.yaml", today=dt.date(2026, 7, 31))
    assert caught.value.lines == [
        "okrs.yaml:26: kpis[nps].readings[2026-08-02].at: 2026-08-02 is in the "
        "future: a reading may be dated 2026-08-01 at the latest (today is "
        "2026-07-31); check the date"
    ]
