"""A quarter run to its end in a real browser (Debian's Chromium, driven by
Playwright): an admin closes the sample's most recently ended cycle on its close
page; a reading of that cycle corrected afterwards leaves the final grade as it was,
with the restatement beside it; a check-in on the closed cycle is refused on the
page and, as 409, by the API; the cycle's board report prints to a few clean pages.
`make screenshots` keeps the close page and the report in docs/screenshots."""

from __future__ import annotations

import io

from pypdf import PdfReader

from drumbeat.accounts.services import token_create
from drumbeat.core.display import percent_floor
from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.services.readings import reading_record
from drumbeat.okrs.grades import frozen_grades
from drumbeat.okrs.models import Cycle, FinalGrade
from tests.server.test_browser import (  # the browser and its sign-in, shared
    SCREENSHOTS,
    _playwright_beside_django,
    browser_page,
    chromium,
    csp_violations,
    pytestmark,
    sign_in,
)

__all__ = [
    "_playwright_beside_django",
    "browser_page",
    "chromium",
    "csp_violations",
    "pytestmark",
]

CYCLE = "2026-Q3"  # ended 2026-09-30; the clock stands at 2026-11-25


def _a_kr_a_correction_would_move() -> FinalGrade:
    """A change KR of the closed cycle graded below 100 %, read from a KPI with a
    reading in the cycle."""
    for grade in FinalGrade.objects.filter(
        close__cycle__key=CYCLE, close__reopened_at=None, kind="change"
    ).exclude(key_result_key=""):
        if grade.score is not None and grade.score < 0.9 and grade.current is not None:
            return grade
    raise AssertionError("the sample's 2026-Q3 has no KR below 90 %")


def _correct_to_target(grade: FinalGrade, by) -> None:
    """Correct the KPI's last reading of the cycle to the KR's target."""
    kpi = KPI.objects.get(key=grade.kpi_key)
    cycle = Cycle.objects.get(key=CYCLE)
    last = (
        Reading.objects.current()
        .filter(kpi=kpi, day__gte=cycle.start, day__lte=cycle.end)
        .latest("day")
    )
    assert isinstance(grade.target, int | float)
    reading_record(kpi=kpi, at=last.at, value=float(grade.target), by=by)


def test_a_quarter_is_closed_restated_refused_and_reported(
    browser_page, live_server, sample_workspace, users, csp_violations
):
    page = browser_page
    sign_in(page, live_server, "admin")

    # 1. The close page walks through the grades, the retrospective and the
    #    corrective flow; confirming freezes the grades.
    page.goto(f"{live_server.url}/cycles/{CYCLE}/close/")
    assert page.get_by_role("heading", name="1. Final grades").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "close.png"), full_page=True)
    first = page.locator("[data-retrospective] textarea").first
    first.fill("The onboarding rework shipped in August.")
    page.get_by_role("button", name=f"Close {CYCLE}").click()
    assert (
        page.locator("[data-closed]")
        .first.inner_text()
        .startswith("Closed on 2026-11-25 by")
    )

    # 2. A reading of the closed cycle corrected afterwards: the final grade
    #    stays, the restatement shows beside it.
    grade = _a_kr_a_correction_would_move()
    _correct_to_target(grade, users["admin"])
    frozen = frozen_grades(Cycle.objects.get(key=CYCLE)).key_result(
        grade.objective_key, grade.key_result_key
    )
    assert frozen is not None
    assert frozen.restated is not None
    assert frozen.final.score == grade.score  # the final grade did not move
    assert frozen.restated.score != grade.score
    page.goto(f"{live_server.url}/objectives/{grade.objective_key}/")
    shown = page.locator("[data-frozen]").all_inner_texts()
    assert any(frozen.describe() in text for text in shown), shown
    assert grade.score is not None
    assert f"final {percent_floor(grade.score)} %" in frozen.describe()
    assert f"{grade.kpi_key} corrected on 2026-11-25" in frozen.describe()

    # 3. A check-in on the closed cycle: refused on the page, and 409 by the API.
    check_in = (
        f"/objectives/{grade.objective_key}/key-results/"
        f"{grade.key_result_key}/check-ins/"
    )
    notice = page.locator("[data-closed]").first.inner_text()
    assert notice.startswith(f"{CYCLE} was closed on 2026-11-25 by")
    assert page.get_by_role("button", name="Check in").count() == 0
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(  # as the page's form would, had it offered one
        f"{live_server.url}{check_in}",
        form={"confidence": "0.6", "note": "", "blockers": ""},
        headers={"X-CSRFToken": csrf, "Referer": page.url},
    )
    assert refused.status == 409
    assert notice in refused.text()
    token = token_create(
        user=users["admin"], name="e2e", scopes=["admin"], expires_at=None
    )
    answer = page.request.post(
        f"{live_server.url}/api/v1{check_in.rstrip('/')}",
        headers={"Authorization": f"Bearer {token.secret}"},
        data={"confidence": 0.6},
    )
    assert answer.status == 409
    assert answer.json()["error"]["code"] == "cycle_closed"

    # 4. The board report of the closed cycle prints to a few clean pages.
    page.goto(f"{live_server.url}/cycles/{CYCLE}/report/")
    assert page.title() == f"Board report {CYCLE} · Drumbeat"
    page.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=True)
    for paper in ("A4", "Letter"):
        reader = PdfReader(io.BytesIO(page.pdf(format=paper, print_background=True)))
        text = "\n".join(p.extract_text() for p in reader.pages)
        assert 3 <= len(reader.pages) <= 6, (paper, len(reader.pages))
        for heading in ("Key KPIs", "Objectives and outcomes", "Exceptions"):
            assert heading in text
        assert f"Drumbeat board report · {CYCLE}" in text
        assert "The onboarding rework shipped in August." in text
        assert "Sign out" not in text
        assert "Download PDF" not in text
    assert csp_violations == []
