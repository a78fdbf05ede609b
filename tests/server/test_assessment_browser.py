"""Kelly's assessment in a real browser: an admin reads the sample's verdict and
answers the questionnaire, the answers are kept with who gave them, and a viewer
reads the same answers without a form. The tour (test_tour_browser.py) checks the
page's fit, accessibility and policy at both widths; this is the questionnaire's
round trip."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.test_browser import (  # the browser and the sample, shared
    _playwright_beside_django,
    chromium,
    pytestmark,
    sample_site,
    users,
)
from tests.server.test_tour_browser import DESKTOP, Stop, Tour, tour

__all__ = [
    "_playwright_beside_django",
    "chromium",
    "pytestmark",
    "sample_site",
    "tour",
    "users",
]

AS_ADMIN = Stop("assessment", "/assessment/", as_role="admin")
AS_VIEWER = Stop("assessment", "/assessment/", as_role="viewer")


@pytest.mark.usefixtures("users")
@pytest.mark.parametrize("tour", [DESKTOP], indirect=True, ids=lambda w: w.name)
def test_an_admin_answers_the_questionnaire_and_a_viewer_reads_the_answers(
    tour: Tour,
) -> None:
    from drumbeat.review.models import AssessmentAnswer

    page: Any = tour.visit(AS_ADMIN)
    # The sample's KPIs are formal, balanced and not targeted twice: type 3.
    assert page.locator("[data-kpi-type]").get_attribute("data-kpi-type") == "3"
    assert "Type 3" in page.locator(".assessment-verdict header").inner_text()
    page.locator('[data-question="dashboard_reviewed"] input[value="yes"]').check()
    page.locator('[data-question="kpis_have_targets"] input[value="no"]').check()
    with page.expect_navigation():
        page.click("button:has-text('Keep the answers')")
    assert tour.problems == []
    kept = {
        a.question: (a.answer, a.by.username if a.by else None)
        for a in AssessmentAnswer.objects.all()
    }
    assert kept == {
        "dashboard_reviewed": (True, "admin"),
        "kpis_have_targets": (False, "admin"),
    }
    # Shown again as answered, after the page reloads.
    assert page.locator(
        '[data-question="dashboard_reviewed"] input[value="yes"]'
    ).is_checked()

    viewer: Any = tour.visit(AS_VIEWER)
    assert viewer.locator("form.assessment-questions").count() == 0
    assert (
        viewer.locator('dd[data-question="dashboard_reviewed"]').inner_text() == "yes"
    )
    assert viewer.locator('dd[data-question="key_kpis_agreed"]').inner_text() == (
        "not answered"
    )
    assert tour.problems == []
