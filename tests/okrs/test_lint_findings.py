"""Lint findings are kept up to date with every change and shown beside the OKRs
and KPIs they concern."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.core.lint import lint_workspace
from drumbeat.kpis.models import KPI
from drumbeat.kpis.services.readings import reading_record
from drumbeat.okrs.models import Cycle, KeyResult, LintFinding, Objective
from drumbeat.okrs.services import objective_save
from drumbeat.scorecard.owners import OWNER_NOT_A_PERSON
from drumbeat.scorecard.selectors import database_workspace
from drumbeat.scorecard.services import statuses_refresh
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _stored() -> set[tuple[str, str, str]]:
    """The stored findings of the file rules (`owner-not-a-person` reads the
    accounts, which a file's lint does not know)."""
    stored = LintFinding.objects.exclude(rule=OWNER_NOT_A_PERSON)
    return {(f.rule, f.subject, f.message) for f in stored}


def _fresh(as_of: dt.date) -> set[tuple[str, str, str]]:
    findings = lint_workspace(database_workspace(), as_of)
    return {(f.rule, f.subject, f.message) for f in findings}


def test_apply_stores_what_lint_finds(small_workspace):
    statuses_refresh(as_of=dt.date(2026, 7, 6))
    assert _stored() == _fresh(dt.date(2026, 7, 6))
    assert {f.rule for f in LintFinding.objects.all()} == {
        "owner-not-a-person",
        "kpi-incomplete",
        "cycle-focus-diluted",
        "kr-vanity-metric",
        "kpi-parmenter",
    }


def test_each_finding_is_placed_beside_what_it_concerns(small_workspace):
    statuses_refresh(as_of=dt.date(2026, 7, 6))
    placed = {
        f.rule: (f.cycle.key if f.cycle else None, f.objective_key, f.key_result_key)
        for f in LintFinding.objects.select_related("cycle")
    }
    assert placed["kr-vanity-metric"] == ("2026-Q3", "happier", "churn-down")
    assert placed["cycle-focus-diluted"] == ("2026-Q3", "", "")
    assert placed["kpi-incomplete"] == (None, "", "")
    assert LintFinding.objects.get(rule="kpi-incomplete").kpi_key == "churn"


def test_a_new_reading_leaves_the_stored_findings_as_a_full_lint_would(
    sample_workspace, users
):
    """A partial refresh touches only what the reading changes, and agrees with
    linting everything again."""
    today = dt.date.today()
    statuses_refresh(as_of=today)
    kpi = KPI.objects.get(key="nps")
    reading_record(kpi=kpi, at=today, value=70.0, by=users["owner"])
    assert _stored() == _fresh(today)


def test_an_objective_titled_with_numbers_is_flagged_as_soon_as_it_is_saved(
    small_workspace, users
):
    objective = Objective.objects.get(key="happier")
    objective_save(
        cycle=Cycle.objects.get(key="2026-Q3"),
        objective=objective,
        values={
            "key": "happier",
            "title": "CSAT reaches 95%",
            "team": objective.team,
            "owner_name": "Grace",
            "commitment": "aspirational",
            "parent": None,
        },
        by=users["admin"],
        version=objective.version,
    )
    flagged = LintFinding.objects.get(rule="objective-has-numbers")
    assert flagged.objective_key == "happier"
    # The other findings on the dictionary and the cycle are still there.
    assert LintFinding.objects.filter(rule="kpi-incomplete").exists()


def test_the_cycle_board_shows_findings_beside_the_objective(small_workspace, users):
    page = client_for(users["viewer"]).get("/cycles/2026-Q3/").content.decode()
    assert "0 errors, 2 warnings, 1 note" in page
    article = page[page.index('data-objective="happier"') :]
    article = article[: article.index("</article>")]
    assert 'data-rule="owner-not-a-person"' in article
    assert 'data-rule="kr-vanity-metric"' in article
    assert "&#x27;churn&#x27; is a secondary KPI that drives no key KPI" in article
    # The cycle-wide finding sits above the teams, not inside an objective.
    assert 'data-rule="cycle-focus-diluted"' not in article
    assert 'data-rule="cycle-focus-diluted"' in page


def test_the_objective_page_lists_its_findings(small_workspace, users):
    page = client_for(users["viewer"]).get("/objectives/happier/").content.decode()
    lint = page[page.index('aria-label="Lint"') :]
    assert 'data-rule="kr-vanity-metric"' in lint
    assert "<code>churn-down</code>" in lint


def test_a_reading_on_a_kpi_no_kr_reads_leaves_the_findings_as_a_full_lint_would(
    sample_workspace, users
):
    today = dt.date.today()
    statuses_refresh(as_of=today)
    targeted = KeyResult.objects.values_list("kpi_key", flat=True)
    kpi = KPI.objects.exclude(key__in=targeted).order_by("key").first()
    assert kpi is not None
    reading_record(kpi=kpi, at=today, value=1.0, by=users["admin"])
    assert _stored() == _fresh(today)
