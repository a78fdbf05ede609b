"""In a real browser: an owner signs in, lands on My week and checks in inline."""

from __future__ import annotations

import datetime as dt

from drumbeat.accounts.models import Membership, Team
from drumbeat.okrs.models import Cycle, KeyResult, Objective
from tests.conftest import PASSWORD
from tests.server.test_browser import (  # the browser and its sign-in, shared
    SCREENSHOTS,
    _playwright_beside_django,
    browser_page,
    chromium,
    csp_violations,
    pytestmark,
)

__all__ = [
    "_playwright_beside_django",
    "browser_page",
    "chromium",
    "csp_violations",
    "pytestmark",
]


def test_an_owner_lands_on_my_week_and_checks_in_without_a_reload(
    browser_page, live_server, small_workspace, users, csp_violations
):
    """The KR is the owner's in a cycle running on the pinned day (2026-11-25)."""
    owner = users["owner"]
    support = Team.objects.get(key="support")
    Membership.objects.create(user=owner, team=support, role="editor")
    cycle = Cycle.objects.create(
        key="2026-Q4", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
    )
    objective = Objective.objects.create(
        key="calmer", title="Calmer queues", cycle=cycle, team=support
    )
    KeyResult.objects.create(
        objective=objective, key="csat-95", kpi_key="csat", target=95, owner=owner
    )
    page = browser_page
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/me/")
    row = page.locator('[data-my-kr="calmer/csat-95"]')
    assert row.locator("[data-due]").inner_text() == "check-in due"
    page.screenshot(path=str(SCREENSHOTS / "my-week.png"), full_page=True)
    page.evaluate("window.__marker = 'same page'")
    row.locator("input[name=confidence]").fill("0.8")
    row.locator("input[name=note]").fill("Queue under an hour")
    row.locator("button", has_text="Check in").click()
    row.locator("text=Check-in saved.").wait_for()
    assert page.evaluate("window.__marker") == "same page"  # no navigation
    assert page.url.endswith("/me/")
    assert row.locator("[data-due]").count() == 0
    assert csp_violations == [], csp_violations
