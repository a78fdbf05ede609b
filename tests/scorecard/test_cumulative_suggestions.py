"""A KPI whose last KR was cumulative is suggested as a cumulative KR again: in
the stored suggestions, on the plan page, and through its "Draft a KR" link into
the KR form, which creates it cumulative."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl

import pytest

from drumbeat.okrs.models import KeyResult, PlanSuggestion
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import client_for, key_result_form

pytestmark = pytest.mark.django_db

# The suite's day is 2026-11-25: 2026-Q4 runs, 2027-Q1 is planned. Q4 added up
# 4 + 5 = 9 customers over 2 readings, the latest 5: green 6 asks each reading one
# more, 9 + 2 × 1 = 11; best in class 8, 9 + 2 × 3 = 15.
WORKSPACE = """\
version: 1
teams:
  - {key: support, name: Support}
kpis:
  - key: enterprise
    name: New enterprise customers
    cadence: monthly
    team: support
    thresholds: {green: 6, red: 4}
    benchmarks: {best_in_class: 8}
    readings:
      - {at: 2026-10-31, value: 4}
      - {at: 2026-11-20, value: 5}
cycles:
  - {key: 2026-Q4, start: 2026-10-01, end: 2026-12-31}
  - {key: 2027-Q1, start: 2027-01-01, end: 2027-03-31}
objectives:
  - key: land
    title: Land enterprise customers
    cycle: 2026-Q4
    team: support
    key_results:
      - {key: logos, kpi: enterprise, kind: cumulative, target: 30}
  - key: grow
    title: Grow the enterprise base
    cycle: 2027-Q1
    team: support
"""
TITLE = "Add up to 11 new enterprise customers in 2027-Q1"


@pytest.fixture
def planned(db: None) -> None:
    workspace_apply(load_workspace_text(WORKSPACE))


def test_the_stored_suggestion_is_cumulative(planned):
    row = PlanSuggestion.objects.get(cycle__key="2027-Q1", kpi__key="enterprise")
    assert (row.kind, row.baseline, row.commit, row.stretch, row.title) == (
        "cumulative",
        0.0,
        11.0,
        15.0,
        TITLE,
    )
    assert row.why.endswith("its last KR was cumulative: 9 in 2026-Q4")
    assert dict(parse_qsl(row.draft_query)) == {
        "key": "enterprise",
        "title": f"{TITLE} (stretch 15)",
        "kpi": "enterprise",
        "kind": "cumulative",
        "baseline": "0",
        "target": "11",
    }


def test_the_plan_pages_draft_creates_the_cumulative_kr(planned, users):
    editor = client_for(users["editor"])
    page = editor.get("/cycles/2027-Q1/plan/").content.decode()
    link = re.search(r'href="([^"]*)" data-draft="grow"', page)
    assert link is not None
    url = html.unescape(link.group(1))
    form_page = editor.get(url).content.decode()
    assert '<option value="cumulative" selected>' in form_page
    draft = dict(parse_qsl(url.split("?", 1)[1]))
    response = editor.post(
        url.split("?", 1)[0],
        key_result_form(
            key=draft["key"],
            title=draft["title"],
            kpi=draft["kpi"],
            kind=draft["kind"],
            baseline=draft["baseline"],
            target=draft["target"],
            owner_name="",
        ),
    )
    assert response.status_code == 302
    kr = KeyResult.objects.get(objective__key="grow")
    assert (kr.kind, kr.baseline, kr.target, kr.title) == (
        "cumulative",
        0.0,
        11.0,
        f"{TITLE} (stretch 15)",
    )
