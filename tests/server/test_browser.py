"""In a real browser (Debian's Chromium, driven by Playwright): sign in, read the
dashboard, filter it. Screenshots of each page go to `docs/screenshots/`."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from tests.server.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (.ci/run installs it)",
    ),
]


@pytest.fixture
def browser_page(live_server: object) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; the live server's database calls
    # happen in its own thread, so Django's async guard does not apply here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        yield page
        browser.close()


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    assert "/sign-in/" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".tile")


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer"])
def test_each_role_signs_in_and_sees_the_dashboard(
    browser_page, live_server, sample_workspace, users: dict[str, User], role
):
    page = browser_page
    sign_in(page, live_server, role)
    assert page.title() == "Balanced Dashboard · Drumbeat"
    assert page.locator(".tile").count() == 25


def test_tiles_say_their_health_in_words_and_colour(
    browser_page, live_server, sample_workspace, users
):
    page = browser_page
    sign_in(page, live_server, "viewer")
    churn = page.locator('[data-kpi="logo-churn"]')
    assert churn.locator(".health").inner_text().strip().endswith("Red")
    colour = churn.locator(".health").evaluate("e => getComputedStyle(e).color")
    green = page.locator('[data-kpi="dau"] .health').evaluate(
        "e => getComputedStyle(e).color"
    )
    assert colour != green
    # The sparkline is drawn by ECharts into a canvas.
    page.wait_for_selector('[data-kpi="logo-churn"] .spark canvas')
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"))


def test_the_exceptions_toggle_filters_without_a_reload(
    browser_page, live_server, sample_workspace, users
):
    page = browser_page
    sign_in(page, live_server, "viewer")
    page.check("input[name=exceptions]")
    page.wait_for_function("document.querySelectorAll('.tile').length < 25")
    keys = page.locator(".tile").evaluate_all("tiles => tiles.map(t => t.dataset.kpi)")
    assert "logo-churn" in keys
    assert "dau" not in keys
    assert "exceptions=1" in page.url


def test_a_kpi_page_opens_from_its_tile(
    browser_page, live_server, sample_workspace, users
):
    page = browser_page
    sign_in(page, live_server, "viewer")
    page.click('[data-kpi="csat"] .name a')
    page.wait_for_url("**/kpis/csat/")
    assert "Customer satisfaction" in page.locator("h1").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "kpi.png"), full_page=True)
