"""Cycle planning: the diagnostic flow's suggestions with draft KRs, the lint of the
cycle's draft objectives, and live lint of a KR as it is written."""

from __future__ import annotations

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.okrs.models import CheckIn, KeyResult, LintFinding, Objective
from tests.conftest import client_for, key_result_form

pytestmark = pytest.mark.django_db

PLAN = "/cycles/2026-Q3/plan/"
LINT = "/objectives/happier/key-results/lint/"
NEW = "/objectives/happier/key-results/new/"


def _row(page: str, marker: str, end: str = "</tr>") -> str:
    """The piece of `page` from `marker` to the next `end`."""
    start = page.index(marker)
    return page[start : page.index(end, start)]


# --- The plan page --------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_everyone_signed_in_reads_the_plan(small_workspace, users, role):
    response = client_for(users[role]).get(PLAN)
    assert response.status_code == 200
    assert "Plan 2026-Q3" in response.content.decode()


def test_the_plan_asks_to_sign_in_first(small_workspace):
    response = client_for(None).get(PLAN)
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next={PLAN}"


def test_an_unknown_cycle_has_no_plan(small_workspace, users):
    assert client_for(users["viewer"]).get("/cycles/2031-Q1/plan/").status_code == 404


def test_the_plan_ranks_the_kpis_worth_elevating_with_their_draft_krs(
    sample_workspace, users
):
    page = client_for(users["viewer"]).get(PLAN).content.decode()
    # Judged as of the cycle start (2026-07-01): amber NRR first, with its latest
    # reading as baseline, the green threshold as commit and best in class as
    # stretch.
    row = _row(page, 'data-suggestion="nrr"')
    assert '<a href="/kpis/nrr/">Net revenue retention</a>' in row
    assert '<span class="health amber">Amber</span>' in row
    assert (
        "amber at 104.5 percent; unfavourable signal (rule 1, below); "
        "1% behind its benchmark"
    ) in row
    cells = [
        '<td class="num">104.5</td>',
        '<td class="num">110</td>',
        '<td class="num">118</td>',
        "<td>Increase net revenue retention from 104.5 to 110",
    ]
    positions = [row.index(cell) for cell in cells]
    assert positions == sorted(positions)
    mrr = _row(page, 'data-suggestion="mrr"')
    assert '<td class="num">2,586,300</td>' in mrr
    assert '<td class="num">2,600,000</td>' in mrr
    order = [
        "nrr",
        "uptime",
        "mrr",
        "first-contact-resolution",
        "linkedin-followers",
        "sprint-capacity-utilisation",
        "support-backlog",  # 233 open tickets, above its limits: amber, signalling
        "learning-hours",
        "gross-margin",
    ]
    found = [page.index(f'data-suggestion="{key}"') for key in order]
    assert found == sorted(found)
    assert page.count("data-suggestion=") == len(order)


def test_a_range_kpi_is_suggested_with_a_band_and_no_stretch(sample_workspace, users):
    page = client_for(users["viewer"]).get(PLAN).content.decode()
    row = _row(page, 'data-suggestion="sprint-capacity-utilisation"')
    assert '<td class="num">92.3</td>' in row
    assert '<td class="num">[75, 90]</td>' in row
    assert '<td class="num">–</td>' in row
    assert "Bring sprint capacity utilisation from 92.3 into [75, 90]" in row


def test_the_kpis_a_cycle_already_targets_are_not_suggested(small_workspace, users):
    page = client_for(users["viewer"]).get(PLAN).content.decode()
    assert "data-suggestion=" not in page
    assert "No KPI needs elevating" in page


@pytest.mark.parametrize(
    ("role", "objectives"),
    [
        ("admin", 9),  # every objective of 2026-Q3
        ("editor", 1),  # the support team's: q3-answer-fast
        ("owner", 0),
        ("viewer", 0),
        ("outsider", 0),
    ],
)
def test_only_those_who_write_okrs_can_draft_a_kr(
    sample_workspace, users, role, objectives
):
    page = client_for(users[role]).get(PLAN).content.decode()
    row = _row(page, 'data-suggestion="nrr"')
    assert row.count("data-draft=") == objectives
    assert ('<summary title="Draft a KR from this KPI' in page) is (objectives > 0)
    if role == "editor":
        assert 'data-draft="q3-answer-fast"' in row


def test_a_writer_without_an_objective_in_the_cycle_is_asked_to_add_one(
    sample_workspace, users
):
    # 2027-Q1 has no support objective; the editor writes for support.
    page = client_for(users["editor"]).get("/cycles/2027-Q1/plan/").content.decode()
    assert '<summary title="Draft a KR from this KPI' not in page
    assert '<a href="/cycles/2027-Q1/objectives/new/">add an objective</a>' in page
    viewer = client_for(users["viewer"]).get("/cycles/2027-Q1/plan/").content.decode()
    assert "/cycles/2027-Q1/objectives/new/" not in viewer


def test_the_plan_lists_the_draft_objectives_with_their_lint_findings(
    sample_workspace, users
):
    page = client_for(users["viewer"]).get("/cycles/2026-Q4/plan/").content.decode()
    # 2 notes of the file rules, 36 that an owner is only a name
    # (owner-not-a-person: the sample's owners have no accounts).
    assert "<strong>Lint:</strong> 1 error, 4 warnings, 38 notes in this cycle." in page
    article = _row(page, 'data-objective="q4-first-win-fast"', "</article>")
    assert (
        '<li class="finding finding-error" data-rule="kr-missing-baseline">' in article
    )
    assert "<strong>error</strong> <code>ttfv-down</code>" in article
    assert "has no baseline" in html.unescape(article)
    disguised = _row(page, 'data-objective="q4-keep-the-lights-on"', "</article>")
    assert 'data-rule="objective-kpi-in-disguise"' in disguised
    assert "<strong>warning</strong>" in disguised
    # Findings on KPIs belong to the dictionary, not to the cycle's plan.
    assert 'data-rule="kpi-stale"' not in page
    assert 'data-rule="kpi-financial-key"' not in page


def test_the_plan_runs_constant_queries(sample_workspace, users):
    # 2026-Q4 (11 objectives) runs and 2027-Q1 (1) comes: their suggestions are
    # stored. (A past cycle's are computed: tests/scorecard/test_stored_suggestions.)
    for role in ("viewer", "editor", "admin"):
        client = client_for(users[role])
        counts = []
        for cycle in ("2027-Q1", "2026-Q4"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"/cycles/{cycle}/plan/").status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], role


# --- Drafting a KR from a suggestion --------------------------------------------


def test_the_kr_form_opens_with_a_drafts_values(small_workspace, users):
    query = (
        "kpi=churn&kind=change&baseline=2.5&target=1.8"
        "&title=Reduce+logo+churn+from+2.5+to+1.8&key=churn-1-8"
    )
    page = client_for(users["editor"]).get(f"{NEW}?{query}").content.decode()
    assert 'name="key" value="churn-1-8"' in page
    assert 'name="title" value="Reduce logo churn from 2.5 to 1.8"' in page
    assert '<option value="churn" selected>' in page
    assert '<option value="change" selected>' in page
    assert 'name="baseline" value="2.5"' in page
    assert 'name="target" value="1.8"' in page


def test_a_suggestions_draft_link_opens_the_kr_form_filled_in(sample_workspace, users):
    client = client_for(users["editor"])
    row = _row(client.get(PLAN).content.decode(), 'data-suggestion="nrr"')
    start = row.index('href="/objectives/q3-answer-fast/key-results/new/?')
    link = html.unescape(row[start + len('href="') : row.index('"', start + 6)])
    page = client.get(link).content.decode()
    assert 'name="key" value="nrr"' in page
    assert '<option value="nrr" selected>' in page
    assert 'name="baseline" value="104.5"' in page
    assert 'name="target" value="110"' in page
    assert (
        'name="title" value="Increase net revenue retention from 104.5 to 110 '
        '(stretch 118)"'
    ) in page


def test_a_band_draft_opens_as_a_change_kr_into_the_band(sample_workspace, users):
    client = client_for(users["admin"])
    row = _row(client.get(PLAN).content.decode(), 'data-suggestion="sprint-capacity')
    start = row.index('href="/objectives/q3-stop-firefighting/key-results/new/?')
    link = html.unescape(row[start + len('href="') : row.index('"', start + 6)])
    page = client.get(link).content.decode()
    assert '<option value="change" selected>' in page
    assert 'name="target" value="75, 90"' in page


def test_the_kr_form_lints_as_it_is_edited(small_workspace, users):
    page = client_for(users["editor"]).get(
        "/objectives/happier/key-results/csat-up/edit/"
    )
    text = page.content.decode()
    assert f'hx-post="{LINT}?replacing=csat-up"' in text
    assert 'hx-trigger="load, change"' in text
    assert 'hx-target="#kr-lint"' in text
    assert '<div id="kr-lint"' in text


# --- Live lint of a draft KR ----------------------------------------------------


def test_a_draft_aimed_the_wrong_way_is_an_error(small_workspace, users):
    response = client_for(users["editor"]).post(
        f"{LINT}?replacing=csat-up", key_result_form(target="80")
    )
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert 'data-rule="kr-target-wrong-direction"' in text
    assert "<strong>error</strong> <code>happier/csat-up</code>" in text
    assert (
        "target 80 is below the baseline 85, but higher is better for 'csat': the KR "
        "would reward getting worse; set a target above the baseline"
    ) in text


def test_a_draft_within_the_noise_is_a_warning(sample_workspace, users):
    # First-contact resolution stood at 57.3 at the start of 2026-Q3; asking for
    # 0.2 more is well inside its routine week-to-week variation.
    response = client_for(users["editor"]).post(
        "/objectives/q3-answer-fast/key-results/lint/",
        key_result_form(key="fcr-up", kpi="first-contact-resolution", target="57.5"),
    )
    text = html.unescape(response.content.decode())
    assert 'data-rule="kr-within-noise"' in text
    assert "<strong>warning</strong> <code>q3-answer-fast/fcr-up</code>" in text
    assert (
        "the change asked for (0.2) is smaller than the routine variation of "
        "'first-contact-resolution'"
    ) in text


def test_a_draft_that_lint_accepts_says_so(small_workspace, users):
    response = client_for(users["editor"]).post(
        f"{LINT}?replacing=csat-up", key_result_form(target="95")
    )
    assert "Lint finds nothing to change in this KR or its objective." in (
        response.content.decode()
    )


@pytest.mark.parametrize(("target", "disguised"), [("15", True), ("30", False)])
def test_the_objective_is_checked_with_the_draft_in_it(
    sample_workspace, users, target, disguised
):
    """Keep the lights on is a KPI report in disguise while deploys stay at a level
    they already reach (about 20 a week); a draft asking for 30 makes it an OKR."""
    response = client_for(users["admin"]).post(
        "/objectives/q4-keep-the-lights-on/key-results/lint/?replacing=deploys-up",
        key_result_form(
            key="deploys-up", kpi="deploy-frequency", baseline="8", target=target
        ),
    )
    text = response.content.decode()
    assert ('data-rule="objective-kpi-in-disguise"' in text) is disguised
    assert ('data-rule="kr-already-met"' in text) is disguised


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"target": "90, 95"},
            "Target: a band target [low, high] is only for a sustain or change KR on "
            "a range KPI; give one number",
        ),
        (
            {"key": "churn-down", "version": ""},
            "Key: duplicate key result key 'churn-down' in this objective",
        ),
        ({"target": ""}, "Target: This field is required."),
    ],
)
def test_a_draft_that_cannot_be_checked_says_why(
    small_workspace, users, changes, problem
):
    response = client_for(users["editor"]).post(LINT, key_result_form(**changes))
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "This draft cannot be checked yet:" in text
    assert problem in text


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("editor", 200),
        ("owner", 403),
        ("viewer", 403),
        ("outsider", 403),
    ],
)
def test_only_the_teams_editors_and_admins_lint_a_draft(
    small_workspace, users, role, status
):
    response = client_for(users[role]).post(
        f"{LINT}?replacing=csat-up", key_result_form()
    )
    assert response.status_code == status


def test_linting_a_draft_writes_nothing(small_workspace, users):
    before = {
        "krs": list(KeyResult.objects.values_list("key", "target", "version")),
        "history": KeyResult.history.count(),
        "objectives": list(Objective.objects.values_list("key", "version")),
        "checkins": CheckIn.objects.count(),
        "findings": LintFinding.objects.count(),
    }
    client = client_for(users["editor"])
    with CaptureQueriesContext(connection) as queries:
        client.post(f"{LINT}?replacing=csat-up", key_result_form(target="80"))
        client.post(LINT, key_result_form(key="csat-more", target="99"))
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []
    assert before == {
        "krs": list(KeyResult.objects.values_list("key", "target", "version")),
        "history": KeyResult.history.count(),
        "objectives": list(Objective.objects.values_list("key", "version")),
        "checkins": CheckIn.objects.count(),
        "findings": LintFinding.objects.count(),
    }


def test_lint_takes_only_a_post(small_workspace, users):
    assert client_for(users["editor"]).get(LINT).status_code == 405
