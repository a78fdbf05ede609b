"""The fields of Parmenter's checklist: critical success factors defined once at the
top of the file, and on each KPI the CEO's attention, the corrective action, the
factors it moves, its dark side and the guardrail KPI that watches it."""

from __future__ import annotations

import pytest

from drumbeat.core.model import CriticalSuccessFactor
from drumbeat.workspace import WorkspaceError, load_workspace_text
from drumbeat.workspace.dump import dump_workspace

GOOD = """\
version: 1
teams:
  - {key: ops, name: Operations}
critical_success_factors:
  - {key: on-time, name: Deliver on time}
  - {key: safe, name: Nobody gets hurt}
kpis:
  - key: late-deliveries
    name: Late deliveries
    team: ops
    tier: key
    ceo_attention: true
    corrective_action: Call the customer the same day
    critical_success_factors: [on-time, safe]
    dark_side: Drivers skip safety checks to hurry
    guardrail: incidents
  - key: incidents
    name: Safety incidents
"""


def load(text: str):
    return load_workspace_text(text, filename="okrs.yaml")


def test_the_fields_load() -> None:
    workspace = load(GOOD)
    late, incidents = workspace.kpis
    assert workspace.critical_success_factors == (
        CriticalSuccessFactor("on-time", "Deliver on time"),
        CriticalSuccessFactor("safe", "Nobody gets hurt"),
    )
    assert late.ceo_attention is True
    assert late.corrective_action == "Call the customer the same day"
    assert late.critical_success_factors == ("on-time", "safe")
    assert late.dark_side == "Drivers skip safety checks to hurry"
    assert late.guardrail == "incidents"
    assert (incidents.ceo_attention, incidents.guardrail) == (False, None)
    assert incidents.critical_success_factors == ()


def test_factors_are_not_checked_when_the_file_defines_none() -> None:
    """A part of a dictionary (one KPI checked on its own) names its factors."""
    text = GOOD.replace("critical_success_factors:\n", "unused:\n", 1)
    text = text.split("unused:")[0] + "kpis:" + text.split("kpis:")[1]
    assert load(text).kpis[0].critical_success_factors == ("on-time", "safe")


def test_the_fields_survive_a_dump_and_load() -> None:
    workspace = load(GOOD)
    text = dump_workspace(workspace)
    assert load(text) == workspace
    assert "ceo_attention" not in text.split("key: incidents")[1]


@pytest.mark.parametrize(
    ("change", "line", "field", "message"),
    [
        pytest.param(
            ("[on-time, safe]", "[on-time, fast]"),
            14,
            "kpis[late-deliveries].critical_success_factors[1]",
            "refers to critical success factor 'fast', which is not defined",
            id="unknown-factor",
        ),
        pytest.param(
            ("guardrail: incidents", "guardrail: incident"),
            16,
            "kpis[late-deliveries].guardrail",
            "refers to KPI 'incident', which is not defined (did you mean "
            "'incidents'?)",
            id="unknown-guardrail",
        ),
        pytest.param(
            ("guardrail: incidents", "guardrail: late-deliveries"),
            16,
            "kpis[late-deliveries].guardrail",
            "a KPI cannot be its own guardrail",
            id="own-guardrail",
        ),
        pytest.param(
            ("guardrail: incidents", "guardrail: Safety Incidents"),
            16,
            "kpis[late-deliveries].guardrail",
            "'Safety Incidents' is not a valid KPI key",
            id="guardrail-not-a-key",
        ),
        pytest.param(
            ("ceo_attention: true", "ceo_attention: often"),
            12,
            "kpis[late-deliveries].ceo_attention",
            "expected true or false, not 'often'",
            id="ceo-attention-not-a-flag",
        ),
        pytest.param(
            ("{key: safe, name: Nobody gets hurt}", "{key: on-time, name: Safe}"),
            6,
            "critical_success_factors[on-time].key",
            "duplicate key 'on-time'",
            id="duplicate-factor",
        ),
        pytest.param(
            ("{key: safe, name: Nobody gets hurt}", "{key: safe}"),
            6,
            "critical_success_factors[safe].name",
            "missing required field 'name'",
            id="factor-without-name",
        ),
    ],
)
def test_bad_input_is_located(
    change: tuple[str, str], line: int, field: str, message: str
) -> None:
    old, new = change
    assert old in GOOD, "the case must change the good file"
    with pytest.raises(WorkspaceError) as caught:
        load(GOOD.replace(old, new, 1))
    problem = caught.value.problems[0]
    assert (problem.line, problem.field) == (line, field)
    assert message in problem.message
