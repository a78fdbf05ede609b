"""Kelly's decision tree (seed 001, Figure 3), computed by hand on small
dictionaries: which type, the evidence of each branch and the next steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from drumbeat.core.assessment import KPIType, assess, judged_cycle
from drumbeat.core.contract import assessment_json
from drumbeat.core.model import (
    KPI,
    Cadence,
    Objective,
    Perspective,
    Thresholds,
    Tier,
    Workspace,
)
from tests.core.builders import cycle, key_result, objective

AS_OF = dt.date(2026, 5, 15)
Q1 = cycle("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
Q2 = cycle("2026-Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30))
Q3 = cycle("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
PERSPECTIVES = tuple(Perspective)


def defined(
    key: str, perspective: Perspective, tier: Tier = Tier.KEY, **fields: object
) -> KPI:
    """A complete KPI: description, owner, team, cadence and thresholds."""
    values: dict[str, object] = {
        "name": key.replace("_", " ").title(),
        "description": f"How {key} is counted",
        "owner": "ana",
        "team": "ops",
        "cadence": Cadence.MONTHLY,
        "thresholds": Thresholds(green=10.0),
        "perspective": perspective,
        "tier": tier,
    }
    values.update(fields)
    return KPI(key=key, **values)  # type: ignore[arg-type]


def balanced(*extra: KPI) -> tuple[KPI, ...]:
    """Four complete key KPIs, one per perspective, then `extra`."""
    return tuple(defined(f"k_{p}", p) for p in PERSPECTIVES) + extra


def test_an_empty_dictionary_is_informal() -> None:
    result = assess(Workspace(), AS_OF)
    assert result.kpi_type is KPIType.INFORMAL
    assert result.informal.share == 0.0
    assert result.targeted.cycle is None


def test_informal_share_counts_each_kpi_once() -> None:
    # 8 KPIs: 'a' incomplete (no description), 'b' unowned (no owner, no team:
    # also incomplete), 'c2' duplicates c1's name. Informal: a, b, c2 = 3 of 8 = 37.5 %.
    kpis = balanced(
        defined("a", Perspective.CUSTOMER, Tier.SECONDARY, description=None),
        defined("b", Perspective.CUSTOMER, Tier.SECONDARY, owner=None, team=None),
        defined("c1", Perspective.INTERNAL, Tier.SECONDARY, name="Orders shipped"),
        defined("c2", Perspective.INTERNAL, Tier.SECONDARY, name="Shipped orders"),
    )
    result = assess(Workspace(kpis=kpis, cycles=(Q2,)), AS_OF)
    assert result.informal.incomplete == ("a", "b")
    assert result.informal.unowned == ("b",)
    assert result.informal.duplicated == ("c2",)
    assert result.informal.informal == ("a", "b", "c2")
    assert result.informal.share == pytest.approx(3 / 8)
    assert result.kpi_type is KPIType.INFORMAL
    assert result.monitor.well_defined == 5
    steps = {step.text.split(":")[0]: step.kpis for step in result.next_steps}
    assert steps["Formalise these 2 KPIs"] == ("a", "b")
    assert steps["Merge or tell apart this duplicated KPI"] == ("c2",)


@pytest.mark.parametrize(
    ("informal_count", "expected"),
    [
        # 4 complete + n incomplete: share n / (4 + n); informal from 25 %.
        (1, KPIType.MONITOR),  # 1 / 5 = 20 %
        (2, KPIType.INFORMAL),  # 2 / 6 = 33 %
    ],
)
def test_the_informal_branch_starts_at_a_quarter(
    informal_count: int, expected: KPIType
) -> None:
    extra = tuple(
        defined(f"x{i}", Perspective.LEARNING, Tier.SECONDARY, cadence=None)
        for i in range(informal_count)
    )
    okr = objective(key_result("k_customer", 20.0), cycle="2026-Q2")
    workspace = Workspace(kpis=balanced(*extra), cycles=(Q2,), objectives=(okr,))
    assert assess(workspace, AS_OF).kpi_type is expected


def test_eleven_key_kpis_are_too_many() -> None:
    extra = tuple(defined(f"x{i}", Perspective.LEARNING) for i in range(7))
    result = assess(Workspace(kpis=balanced(*extra)), AS_OF)
    assert result.informal.key_count == 11
    assert result.informal.share == 0.0
    assert result.kpi_type is KPIType.INFORMAL
    assert any("Move 1 of the 11 key KPIs" in s.text for s in result.next_steps)


def test_a_no_to_agreement_makes_the_kpis_informal() -> None:
    workspace = Workspace(kpis=balanced(), cycles=(Q2,))
    result = assess(workspace, AS_OF, {"key_kpis_agreed": False, "other": True})
    assert result.kpi_type is KPIType.INFORMAL
    assert result.answers == {
        "key_kpis_agreed": False,
        "kpis_have_targets": None,
        "dashboard_reviewed": None,
    }


def test_a_key_kpi_with_two_krs_in_the_cycle_is_targeted_twice() -> None:
    first = objective(key_result("k_customer", 20.0), key="o1", cycle="2026-Q2")
    second = objective(key_result("k_customer", 30.0), key="o2", cycle="2026-Q2")
    workspace = Workspace(kpis=balanced(), cycles=(Q1, Q2), objectives=(first, second))
    result = assess(workspace, AS_OF)
    assert result.targeted.cycle == "2026-Q2"
    assert result.targeted.targeted_twice == ("k_customer",)
    assert result.kpi_type is KPIType.TARGETED
    assert result.next_steps[0].text.startswith(
        "This key KPI is targeted twice in 2026-Q2"
    )


def test_krs_sharing_one_target_are_not_targeted_twice() -> None:
    parent = objective(key_result("k_customer", 20.0), key="company")
    team = objective(key_result("k_customer", 20.0), key="team", parent="company")
    workspace = Workspace(kpis=balanced(), cycles=(Q2,), objectives=(parent, team))
    result = assess(workspace, AS_OF)
    assert result.targeted.targeted_twice == ()
    assert result.kpi_type is KPIType.MONITOR


def test_own_targets_from_the_questionnaire_count_with_an_okr() -> None:
    okr = objective(
        key_result("k_customer", 20.0), key_result("k_internal", 20.0, key="kr2")
    )
    workspace = Workspace(kpis=balanced(), cycles=(Q2,), objectives=(okr,))
    assert assess(workspace, AS_OF).kpi_type is KPIType.MONITOR
    answered = assess(workspace, AS_OF, {"kpis_have_targets": True})
    assert answered.targeted.targeted_twice == ("k_customer", "k_internal")
    assert answered.kpi_type is KPIType.TARGETED


def test_a_key_kpi_targeted_three_cycles_running_has_a_standing_target() -> None:
    q4 = cycle("2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    okrs = tuple(
        objective(key_result("k_financial", 20.0), key=f"o{c.key}", cycle=c.key)
        for c in (q4, Q1, Q2)
    )
    workspace = Workspace(kpis=balanced(), cycles=(q4, Q1, Q2, Q3), objectives=okrs)
    result = assess(workspace, AS_OF)
    assert result.targeted.standing == ("k_financial",)
    assert result.targeted.targeted_twice == ()
    assert result.kpi_type is KPIType.TARGETED
    # Two cycles only: no standing target.
    two = Workspace(kpis=balanced(), cycles=(Q1, Q2), objectives=okrs[1:])
    assert assess(two, AS_OF).targeted.standing == ()


def test_monitor_kpis_balanced_with_okrs_on_a_few() -> None:
    okr = objective(key_result("k_customer", 20.0))
    workspace = Workspace(kpis=balanced(), cycles=(Q2,), objectives=(okr,))
    result = assess(workspace, AS_OF, dict.fromkeys(("key_kpis_agreed",), True))
    assert result.kpi_type is KPIType.MONITOR
    assert result.monitor.perspectives_missing == ()
    assert result.monitor.key_targeted == ("k_customer",)
    assert result.monitor.okrs_on_a_few
    assert result.monitor.holds
    assert result.recommendation[0].startswith("Using OKRs for change and action")


@pytest.mark.parametrize(
    ("targeted", "on_a_few"),
    [(0, False), (1, True), (2, True), (3, False)],  # of 4 key KPIs: at most half
)
def test_okrs_on_a_few_is_at_most_half_of_the_key_kpis(
    targeted: int, on_a_few: bool
) -> None:
    keys = [f"k_{p}" for p in PERSPECTIVES][:targeted]
    krs = tuple(key_result(k, 20.0, key=f"kr{i}") for i, k in enumerate(keys))
    okrs = (objective(*krs),) if krs else ()
    workspace = Workspace(kpis=balanced(), cycles=(Q2,), objectives=okrs)
    assert assess(workspace, AS_OF).monitor.okrs_on_a_few is on_a_few


def test_a_missing_perspective_is_a_next_step() -> None:
    kpis = balanced()[:2]
    result = assess(Workspace(kpis=kpis), AS_OF)
    assert result.monitor.perspectives_missing == (
        Perspective.INTERNAL,
        Perspective.LEARNING,
    )
    assert any(
        s.text == "Balance the dashboard: no key KPI covers internal, learning"
        for s in result.next_steps
    )


def test_the_judged_cycle_is_the_latest_started() -> None:
    workspace = Workspace(cycles=(Q1, Q3, Q2))
    assert judged_cycle(workspace, AS_OF) == Q2
    assert judged_cycle(workspace, dt.date(2025, 12, 1)) is None


def test_a_dashboard_nobody_reviews_is_a_next_step() -> None:
    answers = {"key_kpis_agreed": True, "kpis_have_targets": False}
    result = assess(Workspace(kpis=balanced()), AS_OF, answers)
    texts = [step.text for step in result.next_steps]
    assert not any(t.startswith("Review the balanced dashboard") for t in texts)
    assert texts[-1] == (
        "Answer the 1 open question of the questionnaire: the data cannot know it"
    )
    answered = assess(
        Workspace(kpis=balanced()), AS_OF, {**answers, "dashboard_reviewed": False}
    )
    assert answered.next_steps[-1].text.startswith("Review the balanced dashboard")


PLAN = "Call every detractor back within two days"


@pytest.mark.parametrize(
    ("plans", "targeted", "extra", "action_plans", "kpi_type"),
    [
        # a key KPI with its own action plan, under a KR too: type 2
        ({"k_customer": PLAN}, ("k_customer",), (), ("k_customer",), 2),
        # its own action plan, but no KR on it: nothing targets it twice
        ({"k_customer": PLAN}, ("k_internal",), (), (), 3),
        # a corrective action of blanks is no plan
        ({"k_customer": "  "}, ("k_customer",), (), (), 3),
        # a secondary KPI's action plan is not a key KPI's
        ({"s_ops": PLAN}, ("s_ops", "k_customer"), ("s_ops",), (), 3),
        # two of them, in the dictionary's order
        (
            {"k_internal": PLAN, "k_customer": PLAN},
            ("k_internal", "k_customer"),
            (),
            ("k_customer", "k_internal"),
            2,
        ),
    ],
)
def test_a_key_kpi_with_its_own_action_plan_under_an_okr_is_targeted(
    plans: dict[str, str],
    targeted: tuple[str, ...],
    extra: tuple[str, ...],
    action_plans: tuple[str, ...],
    kpi_type: int,
) -> None:
    secondary = tuple(
        defined(key, Perspective.INTERNAL, Tier.SECONDARY) for key in extra
    )
    kpis = tuple(
        replace(k, corrective_action=plans.get(k.key)) for k in balanced(*secondary)
    )
    krs = tuple(key_result(k, 20.0, key=f"kr{i}") for i, k in enumerate(targeted))
    workspace = Workspace(kpis=kpis, cycles=(Q2,), objectives=(objective(*krs),))
    result = assess(workspace, AS_OF)
    assert result.targeted.action_plans == action_plans
    assert result.targeted.targeted_twice == ()
    assert result.kpi_type == kpi_type
    assert assessment_json(result)["evidence"]["targeted"]["action_plans"] == list(
        action_plans
    )


def test_the_action_plans_are_said_in_the_reason_and_the_next_steps() -> None:
    kpis = tuple(
        replace(k, corrective_action=PLAN) if k.key != "k_learning" else k
        for k in balanced()
    )
    krs = tuple(
        key_result(k, 20.0, key=f"kr{i}")
        for i, k in enumerate(("k_customer", "k_financial"))
    )
    workspace = Workspace(kpis=kpis, cycles=(Q2,), objectives=(objective(*krs),))
    result = assess(workspace, AS_OF)
    assert result.reasons[1] == (
        "They are targeted directly: 2 key KPIs are targeted twice, cycle after "
        "cycle, or carry their own action plans while OKRs target them."
    )
    [step] = [s for s in result.next_steps if "action plan" in s.text]
    assert step.text == (
        "These 2 key KPIs carry their own action plans and are targeted by OKRs in "
        "2026-Q2 too: keep one plan for the change, the OKR's, and let the KPI "
        "monitor"
    )
    assert step.kpis == ("k_financial", "k_customer")  # the dictionary's order
    one = Workspace(kpis=kpis, cycles=(Q2,), objectives=(objective(krs[0]),))
    assert any(
        s.text.startswith(
            "This key KPI carries its own action plan and is targeted by an OKR in "
            "2026-Q2 too"
        )
        for s in assess(one, AS_OF).next_steps
    )


# A year and its quarters: the year sets the direction, the quarters are judged.
FY = cycle("fy2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
Q4_2025 = cycle("2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31))
YEAR_AND_QUARTERS = (Q4_2025, FY, Q1, Q2, Q3)


def _krs(*targets: tuple[str, str, float]) -> tuple[Objective, ...]:
    """One objective per (cycle, KPI, target)."""
    return tuple(
        objective(key_result(kpi, target), key=f"o{i}", cycle=cycle_key)
        for i, (cycle_key, kpi, target) in enumerate(targets)
    )


@pytest.mark.parametrize(
    ("krs", "twice", "standing", "key_targeted"),
    [
        # The year's KR and Q2's on one KPI: Q2 follows the year, one target.
        (
            (("fy2026", "k_customer", 20.0), ("2026-Q2", "k_customer", 30.0)),
            (),
            (),
            ("k_customer",),
        ),
        # The year, Q1 and Q2 on one KPI: two sprints, not three cycles, so no
        # standing target (2025-Q4 sets none).
        (
            (
                ("fy2026", "k_customer", 20.0),
                ("2026-Q1", "k_customer", 25.0),
                ("2026-Q2", "k_customer", 30.0),
            ),
            (),
            (),
            ("k_customer",),
        ),
        # A year's KR on a KPI Q2 leaves alone is in force in Q2.
        (
            (("fy2026", "k_internal", 20.0), ("2026-Q2", "k_customer", 30.0)),
            (),
            (),
            ("k_customer", "k_internal"),
        ),
        # The year itself sets two targets on one KPI: targeted twice.
        (
            (("fy2026", "k_internal", 20.0), ("fy2026", "k_internal", 30.0)),
            ("k_internal",),
            (),
            ("k_internal",),
        ),
        # 2025-Q4, Q1 and Q2 each target it: standing, the year's KR or not.
        (
            (
                ("2025-Q4", "k_financial", 15.0),
                ("fy2026", "k_financial", 20.0),
                ("2026-Q1", "k_financial", 18.0),
                ("2026-Q2", "k_financial", 20.0),
            ),
            (),
            ("k_financial",),
            ("k_financial",),
        ),
    ],
)
def test_a_year_and_its_quarters_are_one_target_not_two(
    krs: tuple[tuple[str, str, float], ...],
    twice: tuple[str, ...],
    standing: tuple[str, ...],
    key_targeted: tuple[str, ...],
) -> None:
    workspace = Workspace(
        kpis=balanced(), cycles=YEAR_AND_QUARTERS, objectives=_krs(*krs)
    )
    result = assess(workspace, AS_OF)
    assert result.targeted.cycle == "2026-Q2"
    assert result.targeted.targeted_twice == twice
    assert result.targeted.standing == standing
    assert result.monitor.key_targeted == key_targeted


def test_the_quarter_is_judged_when_it_starts_with_its_year() -> None:
    workspace = Workspace(cycles=(FY, Q1, Q2))
    assert judged_cycle(workspace, dt.date(2026, 1, 15)) == Q1
    assert judged_cycle(workspace, AS_OF) == Q2
    # OKRs set by the year alone: the year is judged.
    assert judged_cycle(Workspace(cycles=(FY,)), AS_OF) == FY


@pytest.mark.parametrize(
    ("kpis", "reason"),
    [
        (
            ("k_customer",),
            "1 key KPI is targeted twice, cycle after cycle, or carries its own "
            "action plan while OKRs target it.",
        ),
        (
            ("k_customer", "k_internal"),
            "2 key KPIs are targeted twice, cycle after cycle, or carry their own "
            "action plans while OKRs target them.",
        ),
    ],
)
def test_the_targeted_reason_counts_one_and_many(
    kpis: tuple[str, ...], reason: str
) -> None:
    okrs = tuple(
        objective(key_result(k, 20.0), key_result(k, 30.0, key="kr2"), key=f"o{k}")
        for k in kpis
    )
    workspace = Workspace(kpis=balanced(), cycles=(Q2,), objectives=okrs)
    result = assess(workspace, AS_OF)
    assert result.reasons[1] == f"They are targeted directly: {reason}"
    last = result.next_steps[-1].text
    assert last == (
        "Answer the 3 open questions of the questionnaire: the data cannot know them"
    )


@pytest.mark.parametrize(
    ("kpis", "step"),
    [
        (
            ("k_financial",),
            "This key KPI is targeted in each of the last 3 cycles: target what "
            "drives it instead",
        ),
        (
            ("k_financial", "k_customer"),
            "These 2 key KPIs are targeted in each of the last 3 cycles: target "
            "what drives them instead",
        ),
    ],
)
def test_the_standing_step_counts_one_and_many(
    kpis: tuple[str, ...], step: str
) -> None:
    okrs = tuple(
        objective(key_result(k, 20.0), key=f"o{c.key}{k}", cycle=c.key)
        for c in (Q4_2025, Q1, Q2)
        for k in kpis
    )
    workspace = Workspace(kpis=balanced(), cycles=(Q4_2025, Q1, Q2), objectives=okrs)
    texts = [s.text for s in assess(workspace, AS_OF).next_steps]
    assert step in texts


def test_okrs_on_too_many_key_kpis_counts_one_key_kpi() -> None:
    kpis = (defined("only", Perspective.CUSTOMER),)
    okr = objective(key_result("only", 20.0))
    result = assess(Workspace(kpis=kpis, cycles=(Q2,), objectives=(okr,)), AS_OF)
    assert any(
        s.text.startswith("OKRs target 1 of the 1 key KPI: focus")
        for s in result.next_steps
    )
