"""Parmenter's seven characteristics: each met or missing, with what is missing."""

from __future__ import annotations

from typing import Any

import pytest

from drumbeat.core.model import KPI, Cadence, CriticalSuccessFactor, Team, Workspace
from drumbeat.core.parmenter import parmenter_checklist
from tests.core.builders import kpi

FACTORS = (
    CriticalSuccessFactor("on-time", "Deliver on time"),
    CriticalSuccessFactor("safe", "Nobody gets hurt"),
)
TEAMS = (Team("ops", "Operations"),)


def complete(**fields: Any) -> KPI:
    """A KPI meeting all seven."""
    defaults: dict[str, Any] = {
        "description": "Deliveries later than promised.",
        "cadence": Cadence.DAILY,
        "team": "ops",
        "ceo_attention": True,
        "corrective_action": "Call the customer the same day.",
        "critical_success_factors": ("on-time",),
        "dark_side": "Drivers skip safety checks.",
        "guardrail": "incidents",
    }
    return kpi("late", **(defaults | fields))


def checklist_of(late: KPI, **workspace_fields: Any) -> dict[int, tuple[bool, str]]:
    fields: dict[str, Any] = {"teams": TEAMS, "critical_success_factors": FACTORS}
    ws = Workspace(
        kpis=(late, kpi("incidents", name="Safety incidents")),
        **(fields | workspace_fields),
    )
    return {c.number: (c.met, c.detail) for c in parmenter_checklist(late, ws).items}


def test_a_complete_kpi_meets_all_seven_saying_how() -> None:
    assert checklist_of(complete()) == {
        1: (True, "not expressed in money"),
        2: (True, "read daily"),
        3: (True, "the CEO follows it"),
        4: (True, "staff know what to do when it slips"),
        5: (True, "owned by Operations"),
        6: (True, "moves Deliver on time"),
        7: (True, "watched by 'Safety incidents'"),
    }


@pytest.mark.parametrize(
    ("fields", "number", "detail"),
    [
        ({"financial": True}, 1, "it is a financial measure"),
        ({"cadence": Cadence.MONTHLY}, 2, "read monthly: read it daily or weekly"),
        ({"cadence": None}, 2, "no cadence: read it daily or weekly"),
        ({"ceo_attention": False}, 3, "not marked as followed by the CEO"),
        ({"corrective_action": None}, 4, "write the corrective action"),
        ({"description": None}, 4, "write a description"),
        (
            {"description": "", "corrective_action": ""},
            4,
            "write a description and the corrective action",
        ),
        ({"team": None}, 5, "no team is responsible for it"),
        ({"team": "sales"}, 5, "team 'sales' is not defined"),
        ({"critical_success_factors": ()}, 6, "name the critical success factors"),
        ({"critical_success_factors": ("gone",)}, 6, "name the critical success"),
        ({"dark_side": None}, 7, "write the unintended consequence"),
        ({"guardrail": None}, 7, "write a guardrail KPI"),
        ({"guardrail": "missing"}, 7, "write a guardrail KPI"),
        ({"guardrail": "late"}, 7, "write a guardrail KPI"),
        (
            {"dark_side": None, "guardrail": None},
            7,
            "write the unintended consequence and a guardrail KPI",
        ),
    ],
)
def test_each_characteristic_missing(
    fields: dict[str, Any], number: int, detail: str
) -> None:
    checklist = checklist_of(complete(**fields))
    met, words = checklist.pop(number)
    assert met is False
    assert words.startswith(detail)
    assert all(met for met, _ in checklist.values())


def test_weekly_is_frequent() -> None:
    assert checklist_of(complete(cadence=Cadence.WEEKLY))[2] == (True, "read weekly")


def test_any_team_counts_when_the_workspace_defines_none() -> None:
    assert checklist_of(complete(team="sales"), teams=())[5] == (
        True,
        "owned by sales",
    )


def test_any_factor_counts_when_the_workspace_defines_none() -> None:
    late = complete(critical_success_factors=("on-time",))
    assert checklist_of(late, critical_success_factors=())[6] == (
        True,
        "moves on-time",
    )


def test_several_factors_are_named_in_order() -> None:
    late = complete(critical_success_factors=("on-time", "safe"))
    assert checklist_of(late)[6] == (True, "moves Deliver on time, Nobody gets hurt")


@pytest.mark.parametrize(
    ("late", "score", "missing"),
    [
        (complete(), 7, ()),
        (kpi("late"), 1, None),
        (
            complete(financial=True, cadence=Cadence.MONTHLY, ceo_attention=False),
            4,
            ("non-financial", "measured frequently", "CEO's attention"),
        ),
    ],
)
def test_score_and_missing(
    late: KPI, score: int, missing: tuple[str, ...] | None
) -> None:
    incidents = kpi("incidents")
    ws = Workspace(kpis=(late, incidents), critical_success_factors=FACTORS)
    checklist = parmenter_checklist(late, ws)
    assert (checklist.score, checklist.enough) == (score, score >= 5)
    if missing is not None:
        assert checklist.missing == missing
