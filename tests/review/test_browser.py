"""In a real browser: an editor runs the KPI review in meeting mode."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from drumbeat.review.models import Investigation
from tests.conftest import PASSWORD
from tests.review.agenda_fixtures import MEETING_ORDER, agenda_workspace
from tests.server.test_browser import (
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
    "agenda_workspace",
    "browser_page",
    "chromium",
    "csp_violations",
    "pytestmark",
]


def test_an_editor_opens_an_investigation_in_meeting_mode_that_the_assignee_sees(
    browser_page, live_server, agenda_workspace, users: dict[str, User], csp_violations
):
    page = browser_page
    sign_in(page, live_server, "editor")
    page.click("text=KPI review")
    page.click("[data-meeting-start]")

    def shown() -> list[str]:
        keys: list[str] = page.locator("[data-meeting-item]:visible").evaluate_all(
            "items => items.map(i => i.dataset.kpi)"
        )
        return keys

    assert shown() == [MEETING_ORDER[0]]
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert shown() == [MEETING_ORDER[2]]
    page.keyboard.press("ArrowLeft")
    assert shown() == [MEETING_ORDER[1]]
    page.click("[data-meeting-next]")
    page.click("[data-meeting-next]")
    assert shown() == ["amber-key"]
    page.screenshot(path=str(SCREENSHOTS / "kpi-review-meeting.png"))

    item = page.locator('[data-kpi="amber-key"] [data-open-investigation]')
    item.locator("select[name=assignee]").select_option(str(users["viewer"].pk))
    item.locator("input[name=due]").fill("2026-12-04")
    item.locator("textarea[name=question]").fill("Why did it slip?")
    item.locator("button[type=submit]").click()
    page.locator("text=investigation opened").wait_for()

    investigation = Investigation.objects.get(kpi__key="amber-key")
    assert investigation.assignee == users["viewer"]
    assert investigation.due == dt.date(2026, 12, 4)
    assert investigation.opened_by == users["editor"]
    page.click("[data-meeting-start]")
    assert len(shown()) == 1
    page.keyboard.press("Escape")
    assert shown() == MEETING_ORDER

    # The assignee lands on My week after signing in, the investigation on it.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("input[name=username]", "viewer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/me/")
    assigned = page.locator("[data-investigation]").all_inner_texts()
    assert len(assigned) == 1
    assert "Why did it slip?" in assigned[0]
    assert "2026-12-04" in assigned[0]
    assert csp_violations == []
