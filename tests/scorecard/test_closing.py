"""Closing a cycle: the final grades frozen as the core computes them, the
corrective flow applied as chosen, the refusals, reopening and closing again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from drumbeat.audit.models import Event
from drumbeat.core.close import close_cycle
from drumbeat.kpis.models import KPI
from drumbeat.kpis.services.readings import reading_record
from drumbeat.okrs.models import CloseChoice, Cycle, CycleClose, Retrospective
from drumbeat.okrs.selectors import cycle_standing
from drumbeat.okrs.services import CycleClosedError, ensure_cycle_open
from drumbeat.scorecard.closing import (
    ChoiceIn,
    CloseRefusedError,
    RetrospectiveIn,
    can_close_cycle,
    can_edit_retrospective,
    cycle_close,
    cycle_close_plan,
    cycle_reopen,
    retrospective_editable_until,
)
from drumbeat.scorecard.selectors import database_workspace, kpi_chart

pytestmark = pytest.mark.django_db


def q3() -> Cycle:
    return Cycle.objects.get(key="2026-Q3")


def csat_reached(users) -> None:
    """csat reaches its KR's target of 95 before the end of 2026-Q3."""
    reading_record(
        kpi=KPI.objects.get(key="csat"),
        at=dt.date(2026, 9, 20),
        value=96,
        by=users["admin"],
    )


@pytest.mark.usefixtures("small_workspace")
def test_the_plan_shows_the_cores_final_grades_and_the_default_choices():
    plan = cycle_close_plan(q3())
    workspace = database_workspace()
    core = close_cycle(workspace, workspace.cycle_by_key["2026-Q3"])
    assert plan.refusal is None
    objective, *krs = plan.grades
    assert objective.objective_key == "happier"
    assert objective.score == pytest.approx(core.objectives[0].score)
    assert objective.outcome == "fell_short"
    assert [(kr.key_result_key, kr.score) for kr in krs] == [
        (kr.score.key, kr.score.score) for kr in core.key_results
    ]
    # Each KR judged by its aspirational objective's level (0.7); none unscored.
    assert [(kr.key_result_key, kr.outcome) for kr in krs] == [
        ("csat-up", "fell_short"),
        ("churn-down", ""),
    ]
    assert krs[0].score is not None
    assert krs[0].score < 0.7
    assert [(item.name, item.default) for item in plan.items] == [
        ("history:happier/csat-up", "recorded"),
        ("history:happier/churn-down", "recorded"),
    ]


@pytest.mark.usefixtures("small_workspace")
def test_a_close_freezes_the_grades_and_records_who(users):
    close = cycle_close(cycle=q3(), by=users["admin"])
    grades = list(close.grades.all())
    assert [(g.objective_key, g.key_result_key) for g in grades] == [
        ("happier", ""),
        ("happier", "csat-up"),
        ("happier", "churn-down"),
    ]
    assert grades[0].score == pytest.approx(0.3)
    assert grades[0].grade == "red"
    assert grades[1].current == 88
    assert close.closed_by == users["admin"]
    assert cycle_standing(q3()).state == "closed"
    assert set(close.choices.values_list("choice", flat=True)) == {"recorded"}
    assert Event.objects.filter(action="closed", subject="2026-Q3").count() == 1


@pytest.mark.usefixtures("small_workspace")
def test_a_later_correction_does_not_move_the_frozen_grade(users):
    close = cycle_close(cycle=q3(), by=users["admin"])
    csat_reached(users)
    assert close.grades.get(key_result_key="csat-up").current == 88


@pytest.mark.usefixtures("small_workspace")
def test_an_accepted_threshold_becomes_a_definition_version_with_the_cycle(users):
    csat_reached(users)
    cycle_close(cycle=q3(), by=users["admin"])
    csat = KPI.objects.get(key="csat")
    assert csat.thresholds == {"green": 96, "red": 80}
    assert csat.history.first().history_change_reason == (
        "2026-Q3 close: maintenance threshold"
    )
    choice = CloseChoice.objects.get(kind="threshold")
    assert (choice.kpi_key, choice.choice, choice.value) == ("csat", "accepted", 96)


@pytest.mark.usefixtures("small_workspace")
def test_an_edited_threshold_keeps_the_value_given(users):
    csat_reached(users)
    choices = {"threshold:csat": ChoiceIn("edited", 93)}
    cycle_close(cycle=q3(), by=users["admin"], choices=choices)
    assert KPI.objects.get(key="csat").thresholds["green"] == 93


@pytest.mark.usefixtures("small_workspace")
def test_a_declined_threshold_leaves_the_kpi_alone(users):
    csat_reached(users)
    before = KPI.objects.get(key="csat").version
    choices = {"threshold:csat": ChoiceIn("declined")}
    cycle_close(cycle=q3(), by=users["admin"], choices=choices)
    assert KPI.objects.get(key="csat").version == before


@pytest.mark.usefixtures("small_workspace")
def test_an_edited_threshold_against_the_red_one_is_refused_and_nothing_kept(users):
    csat_reached(users)
    choices = {"threshold:csat": ChoiceIn("edited", 70)}
    with pytest.raises(ValidationError) as refused:
        cycle_close(cycle=q3(), by=users["admin"], choices=choices)
    assert refused.value.message_dict == {
        "threshold:csat": [
            "for an up KPI the green threshold must be above the red one"
        ]
    }
    assert CycleClose.objects.count() == 0


@pytest.mark.usefixtures("small_workspace")
def test_a_transient_kpi_kept_becomes_secondary(users):
    KPI.objects.filter(key="churn").update(tier="transient")
    cycle_close(cycle=q3(), by=users["admin"])
    assert KPI.objects.get(key="churn").tier == "secondary"
    assert CloseChoice.objects.get(kind="transient").choice == "kept"


@pytest.mark.usefixtures("small_workspace")
def test_a_transient_kpi_retired_is_archived_with_its_history(users):
    KPI.objects.filter(key="churn").update(tier="transient")
    choices = {"transient:churn": ChoiceIn("retired")}
    cycle_close(cycle=q3(), by=users["admin"], choices=choices)
    churn = KPI.objects.get(key="churn")
    assert churn.archived_by == users["admin"]
    assert churn.tier == "transient"
    assert churn.readings.count() == 1
    assert Event.objects.filter(action="archived", subject="churn").count() == 1


@pytest.mark.usefixtures("small_workspace")
def test_a_skipped_history_is_kept_as_skipped(users):
    choices = {"history:happier/churn-down": ChoiceIn("skipped")}
    cycle_close(cycle=q3(), by=users["admin"], choices=choices)
    assert dict(CloseChoice.objects.values_list("key_result_key", "choice")) == {
        "csat-up": "recorded",
        "churn-down": "skipped",
    }


@pytest.mark.usefixtures("small_workspace")
def test_unknown_items_and_choices_are_named(users):
    choices = {
        "transient:nps": ChoiceIn("kept"),
        "history:happier/csat-up": ChoiceIn("retired"),
    }
    with pytest.raises(ValidationError) as refused:
        cycle_close(cycle=q3(), by=users["admin"], choices=choices)
    assert refused.value.message_dict == {
        "transient:nps": ["not an item of 2026-Q3's close"],
        "history:happier/csat-up": ["choose one of recorded, skipped"],
    }


@pytest.mark.usefixtures("small_workspace")
def test_the_retrospective_is_kept_with_who(users):
    cycle_close(
        cycle=q3(),
        by=users["admin"],
        retrospectives={"happier": RetrospectiveIn("We hired.", "Hire earlier.")},
        summary="A slow quarter.",
    )
    by_objective = {
        (r.objective.key if r.objective else None): (r.happened, r.learned)
        for r in Retrospective.objects.select_related("objective")
    }
    assert by_objective == {
        "happier": ("We hired.", "Hire earlier."),
        None: ("A slow quarter.", ""),
    }
    assert Retrospective.history.filter(history_user=users["admin"]).count() == 2


@pytest.mark.usefixtures("small_workspace")
def test_an_active_cycle_is_not_closed(users):
    Cycle.objects.filter(key="2026-Q3").update(end=dt.date(2026, 12, 31))
    with pytest.raises(CloseRefusedError, match="2026-Q3 is active until 2026-12-31"):
        cycle_close(cycle=q3(), by=users["admin"])


@pytest.mark.usefixtures("small_workspace")
def test_a_closed_cycle_is_not_closed_twice(users):
    cycle_close(cycle=q3(), by=users["admin"])
    with pytest.raises(CloseRefusedError, match="2026-Q3 is already closed"):
        cycle_close(cycle=q3(), by=users["admin"])


@pytest.mark.usefixtures("small_workspace")
def test_a_reopened_cycle_is_open_and_closing_again_takes_a_new_snapshot(users):
    first = cycle_close(cycle=q3(), by=users["admin"])
    with pytest.raises(CycleClosedError):
        ensure_cycle_open(q3())
    cycle_reopen(cycle=q3(), by=users["admin"], reason="A late NPS reading")
    ensure_cycle_open(q3())
    csat_reached(users)
    second = cycle_close(cycle=q3(), by=users["admin"])
    first.refresh_from_db()
    assert first.reopen_reason == "A late NPS reading"
    assert first.grades.get(key_result_key="csat-up").current == 88
    assert second.grades.get(key_result_key="csat-up").current == 96
    assert Event.objects.filter(action="reopened", subject="2026-Q3").count() == 1


@pytest.mark.usefixtures("small_workspace")
def test_only_admins_reopen_with_a_reason(users):
    cycle_close(cycle=q3(), by=users["admin"])
    with pytest.raises(PermissionDenied):
        cycle_reopen(cycle=q3(), by=users["editor"], reason="Why not")
    with pytest.raises(ValidationError):
        cycle_reopen(cycle=q3(), by=users["admin"], reason="  ")
    assert cycle_standing(q3()).state == "closed"


@pytest.mark.usefixtures("small_workspace")
def test_who_may_close(users):
    allowed = {name: can_close_cycle(user, q3()) for name, user in users.items()}
    assert allowed == {
        "admin": True,
        "editor": True,
        "owner": False,
        "viewer": False,
        "outsider": False,
    }


@pytest.mark.usefixtures("small_workspace")
def test_the_retrospective_is_editable_until_the_end_of_the_next_cycle(users):
    close = cycle_close(cycle=q3(), by=users["admin"])
    close.closed_at = dt.datetime(2026, 10, 6, 12, tzinfo=dt.UTC)
    assert retrospective_editable_until(q3(), close) == dt.date(2027, 1, 6)
    Cycle.objects.create(
        key="2026-Q4", start=dt.date(2026, 10, 1), end=dt.date(2026, 11, 24)
    )
    assert retrospective_editable_until(q3(), close) == dt.date(2026, 11, 24)
    objective = q3().objectives.get()
    assert not can_edit_retrospective(users["editor"], q3(), objective)


@pytest.mark.usefixtures("small_workspace")
def test_the_kpi_pages_cycle_history_reads_the_frozen_close(users):
    csat = KPI.objects.get(key="csat")
    cycle_close(cycle=q3(), by=users["admin"])
    csat_reached(users)  # a correction after the close
    (entry,) = kpi_chart(csat, dt.date(2026, 11, 25))["cycles"]
    assert (entry["key"], entry["baseline"], entry["achieved"]) == ("2026-Q3", 85, 88)


@pytest.mark.usefixtures("small_workspace")
def test_a_skipped_history_leaves_the_kr_off_the_kpis_page(users):
    choices = {"history:happier/csat-up": ChoiceIn("skipped")}
    cycle_close(cycle=q3(), by=users["admin"], choices=choices)
    assert kpi_chart(KPI.objects.get(key="csat"), dt.date(2026, 11, 25))["cycles"] == []
