"""Objectives by cycle, team and the days their cycle covers: the one filter chain
of the REST API and the exports."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.okrs.models import Objective
from drumbeat.okrs.selectors import objectives_filtered
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import SMALL

pytestmark = pytest.mark.django_db

TWO_CYCLES = (
    SMALL.replace(
        "cycles:\n",
        "cycles:\n  - {key: 2026-Q4, start: 2026-10-01, end: 2026-12-31}\n",
    )
    + """\
  - key: grow
    title: The company grows
    cycle: 2026-Q4
    team: company
    owner: Grace
    key_results:
      - {key: churn-lower, kpi: churn, target: 1}
"""
)


@pytest.fixture
def two_cycles(db: None) -> None:
    workspace_apply(load_workspace_text(TWO_CYCLES))


@pytest.mark.parametrize(
    ("filters", "keys"),
    [
        pytest.param({}, ["grow", "happier"], id="none-narrows-nothing"),
        pytest.param({"cycle": "2026-Q3"}, ["happier"], id="cycle"),
        pytest.param({"team": "company"}, ["grow"], id="team"),
        pytest.param({"since": dt.date(2026, 9, 30)}, ["grow", "happier"], id="since"),
        pytest.param({"since": dt.date(2026, 10, 1)}, ["grow"], id="since-after"),
        pytest.param({"until": dt.date(2026, 9, 30)}, ["happier"], id="until"),
        pytest.param({"cycle": "2026-Q3", "team": "company"}, [], id="all-must-hold"),
    ],
)
def test_objectives_filtered(two_cycles, filters, keys):
    objectives = objectives_filtered(Objective.objects.order_by("key"), **filters)
    assert list(objectives.values_list("key", flat=True)) == keys
