"""Parmenter's fields through the database: applied from a file, exported back
unchanged, a second apply changing nothing."""

from __future__ import annotations

import pytest

from drumbeat.kpis.models import KPI, CriticalSuccessFactor
from drumbeat.scorecard.sync import workspace_apply, workspace_export
from drumbeat.workspace import load_workspace_text
from tests.workspace.test_parmenter_fields import GOOD

pytestmark = pytest.mark.django_db


def test_apply_stores_the_fields_and_the_factors_in_order() -> None:
    result = workspace_apply(load_workspace_text(GOOD))
    assert result.created["critical success factor"] == 2
    assert list(CriticalSuccessFactor.objects.values_list("key", "name")) == [
        ("on-time", "Deliver on time"),
        ("safe", "Nobody gets hurt"),
    ]
    late = KPI.objects.get(key="late-deliveries")
    assert (late.ceo_attention, late.guardrail) == (True, "incidents")
    assert late.critical_success_factors == ["on-time", "safe"]
    assert late.corrective_action == "Call the customer the same day"
    assert late.dark_side == "Drivers skip safety checks to hurry"


def test_apply_export_apply_is_lossless() -> None:
    original = load_workspace_text(GOOD)
    workspace_apply(original)
    exported = load_workspace_text(workspace_export())
    assert exported == original
    assert workspace_apply(exported).changed is False


def test_a_renamed_factor_is_updated_in_place() -> None:
    workspace_apply(load_workspace_text(GOOD))
    renamed = GOOD.replace("Nobody gets hurt", "Everyone goes home safe")
    result = workspace_apply(load_workspace_text(renamed))
    assert result.updated["critical success factor"] == 1
    assert CriticalSuccessFactor.objects.get(key="safe").name == (
        "Everyone goes home safe"
    )
