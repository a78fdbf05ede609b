"""In a real browser (Debian's Chromium, driven by Playwright): sign in, read the
dashboard, filter it. Screenshots of each page go to `docs/screenshots/`."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from django.contrib.auth.models import User

from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace
from tests.conftest import EXAMPLE, PASSWORD, make_people

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# `make screenshots` writes them into docs/screenshots (the README's); a plain test
# run keeps the working tree clean.
SCREENSHOTS = Path(
    os.environ.get(
        "DRUMBEAT_SCREENSHOTS", Path(__file__).parents[2] / "var" / "screenshots"
    )
)
SCREENSHOTS.mkdir(parents=True, exist_ok=True)

pytestmark = [
    pytest.mark.browser,
    # A test with the live server runs in transactions of its own (pytest-django
    # makes it transactional); one on `sample_site` in one rolled back after it.
    pytest.mark.django_db,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (.ci/run installs it)",
    ),
]
ROLES = ("admin", "editor", "owner", "viewer", "outsider")


@pytest.fixture(scope="module", autouse=True)
def _playwright_beside_django() -> Iterator[None]:
    """Playwright's sync API keeps an event loop in this thread for the module; the
    live server's database calls happen in its own threads, so Django's async
    guard does not apply here (for browser modules only: `check --deploy` refuses
    the variable)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def chromium(_playwright_beside_django: None) -> Iterator[Any]:
    """Debian's Chromium, started once for a module (a second or two a start)."""
    from playwright.sync_api import sync_playwright

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
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A page in a browser context of its own (no cookies from another test)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 1400})
    yield context.new_page()
    context.close()


class Site(NamedTuple):
    url: str


@pytest.fixture(scope="module")
def sample_site(
    chromium: Any, django_db_setup: None, django_db_blocker: Any, password_hash: str
) -> Iterator[Site]:
    """The sample and one person per role (`users`), loaded once for a module (a
    few seconds a load), and a live server over them; emptied after the module.

    The tests are marked `django_db`, not transactional: on SQLite in memory (the
    browser tests run on SQLite only) the server shares the test's connection, so
    what a test writes, through the pages too, is rolled back after it. Started
    after Chromium: under Playwright's event loop this thread's database
    connection is another one (asgiref's Local), the one the tests use."""
    from django.core.management import call_command
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        workspace_apply(load_workspace(EXAMPLE))
        make_people(password_hash)
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield Site(server.url)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def csp_violations(browser_page) -> list[str]:
    """What the browser reports in its console as refused by the page's
    Content-Security-Policy (an inline style or script, an eval, another site)."""
    found: list[str] = []

    def heard(message) -> None:
        if "Content Security Policy" in message.text:
            found.append(message.text)

    browser_page.on("console", heard)
    return found


@pytest.fixture
def users(sample_site: Site) -> dict[str, User]:
    """The sample site's people, as `tests.conftest.users` makes them."""
    return {user.username: user for user in User.objects.filter(username__in=ROLES)}


def sign_in(page, site, username: str) -> None:
    page.goto(f"{site.url}/")
    assert "/sign-in/" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".tile")


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer"])
def test_each_role_signs_in_and_sees_the_dashboard(
    browser_page, sample_site, users: dict[str, User], role
):
    page = browser_page
    sign_in(page, sample_site, role)
    assert page.title() == "Balanced Dashboard · Drumbeat"
    assert page.locator(".tile").count() == 27


def test_tiles_say_their_health_in_words_and_colour(
    browser_page, sample_site, users, csp_violations
):
    page = browser_page
    sign_in(page, sample_site, "viewer")
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
    # Its tooltip too draws under the Content-Security-Policy.
    page.hover('[data-kpi="logo-churn"] .spark canvas')
    page.locator("body > div", has_text=re.compile(r"\d{4}-\d{2}-\d{2}")).wait_for()
    assert csp_violations == []


def test_the_exceptions_toggle_filters_without_a_reload(
    browser_page, sample_site, users
):
    page = browser_page
    sign_in(page, sample_site, "viewer")
    page.check("input[name=exceptions]")
    # (Not wait_for_function: its polling is an eval, which the page's policy refuses.)
    page.locator('[data-kpi="dau"]').wait_for(state="detached")
    keys = page.locator(".tile").evaluate_all("tiles => tiles.map(t => t.dataset.kpi)")
    assert "logo-churn" in keys
    assert "dau" not in keys
    assert "exceptions=1" in page.url


def test_a_kpi_page_opens_from_its_tile(browser_page, sample_site, users):
    page = browser_page
    sign_in(page, sample_site, "viewer")
    page.click('[data-kpi="csat"] .name a')
    page.wait_for_url("**/kpis/csat/")
    assert "Customer satisfaction" in page.locator("h1").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "kpi.png"), full_page=True)


def test_an_owner_records_a_reading_and_the_kr_score_changes(
    browser_page, sample_site, users, csp_violations
):
    """csat is Grace Liu's; the owner user stands in for her here."""
    from drumbeat.kpis.models import KPI
    from drumbeat.okrs.models import KeyResult

    KPI.objects.filter(key="time-to-first-value").update(owner=users["owner"])
    ttfv_down = {"key": "ttfv-down", "objective__key": "q4-first-win-fast"}
    before = KeyResult.objects.get(**ttfv_down).score
    page = browser_page
    sign_in(page, sample_site, "owner")
    page.goto(f"{sample_site.url}/kpis/time-to-first-value/")
    page.wait_for_selector("[data-xmr-chart] canvas")
    page.screenshot(path=str(SCREENSHOTS / "kpi.png"), full_page=True)
    page.fill("input[name=day]", "2026-11-24")
    page.fill("input[name=value]", "5")
    page.click("button:has-text('Record')")
    page.wait_for_selector("text=Reading recorded")
    after = KeyResult.objects.get(**ttfv_down)
    assert after.current == 5
    assert after.score != before or before is None
    assert csp_violations == []


def test_an_editor_checks_in_without_a_reload(browser_page, sample_site, users):
    page = browser_page
    sign_in(page, sample_site, "editor")
    page.goto(f"{sample_site.url}/objectives/q4-painless-billing-move/")
    article = page.locator("article[data-kr]").first
    article.locator("input[name=confidence]").fill("0.7")
    article.locator("input[name=note]").fill("Renewal playbook live")
    page.evaluate("window.__marker = 'same page'")
    article.locator("button", has_text="Check in").click()
    page.wait_for_selector("text=Check-in saved.")
    assert page.evaluate("window.__marker") == "same page"  # no reload
    assert page.locator("text=Renewal playbook live").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "objective.png"), full_page=True)


def test_a_viewer_is_refused_an_edit(browser_page, sample_site, users):
    page = browser_page
    sign_in(page, sample_site, "viewer")
    page.goto(f"{sample_site.url}/objectives/q4-painless-billing-move/")
    assert page.locator("button", has_text="Check in").count() == 0
    response = page.request.post(
        f"{sample_site.url}/objectives/q4-painless-billing-move/key-results/fcr-up/check-ins/",
        form={"confidence": "0.5"},
        headers={
            "X-CSRFToken": page.context.cookies()[0]["value"]
            if page.context.cookies()
            else ""
        },
    )
    assert response.status == 403


def test_the_cycle_board_in_a_browser(browser_page, sample_site, users, csp_violations):
    page = browser_page
    sign_in(page, sample_site, "viewer")
    page.click("text=OKRs")
    page.wait_for_selector("[data-objective]")
    assert "/cycles/2026-Q4/" in page.url
    page.screenshot(path=str(SCREENSHOTS / "cycle.png"), full_page=True)
    # The score bars are <meter>s of one width (no style attribute, which the
    # policy refuses), filled as far as the score, the words beside them.
    bars = page.locator("[data-kr] .scorebar").evaluate_all(
        """bars => bars.map(bar => {
            const meter = bar.querySelector("meter").getBoundingClientRect();
            const words = bar.querySelector(".scorebar-label").getBoundingClientRect();
            return [meter.width, words.left >= meter.right,
                    Number(bar.querySelector("meter").value)];
        })"""
    )
    assert bars
    (width,) = {width for width, _, _ in bars}
    assert width >= 64
    assert all(beside for _, beside, _ in bars)
    assert all(0 <= value <= 1 for _, _, value in bars)
    # A phone: the KRs become cards and nothing on the board runs off the side.
    page.set_viewport_size({"width": 390, "height": 844})
    # (The navigation is the shell's: only the board itself is measured here.)
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('main *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= 390
    assert csp_violations == []


def test_the_api_docs_work_offline_under_the_policy(
    browser_page, sample_site, users, csp_violations
):
    """Swagger UI comes from the site's own static files, and its "Try it out"
    calls the API with the person's session."""
    page = browser_page
    sign_in(page, sample_site, "viewer")
    page.goto(f"{sample_site.url}/api/v1/docs")
    page.click('.opblock:has([data-path="/api/v1/kpis"]) .opblock-summary')
    page.click("button.try-out__btn")
    page.click("button.execute")
    page.wait_for_selector(".live-responses-table tbody .response-col_status")
    status = page.locator(".live-responses-table tbody .response-col_status").first
    assert status.inner_text().strip() == "200"
    assert csp_violations == []


def test_an_editor_drafts_a_kr_from_a_suggestion_and_lint_answers_as_they_type(
    browser_page, sample_site, users
):
    page = browser_page
    sign_in(page, sample_site, "editor")
    page.goto(f"{sample_site.url}/cycles/2026-Q4/plan/")
    page.wait_for_selector("text=Draft a KR")
    page.screenshot(path=str(SCREENSHOTS / "plan.png"), full_page=True)
    page.locator("summary", has_text="Draft a KR").first.click()
    page.locator("details.dropdown[open] a").first.click()
    page.wait_for_selector("input[name=target]")
    assert page.input_value("input[name=target]") != ""  # pre-filled from the KPI
    # Aim the target the wrong way: the findings box answers without a reload.
    page.evaluate("window.__marker = 'same page'")
    baseline = page.input_value("input[name=baseline]")
    wrong = "0" if float(baseline or "1") > 0 else "-1000"
    page.fill("input[name=target]", wrong)
    page.locator("input[name=target]").dispatch_event("change")
    page.wait_for_selector("#kr-lint [data-rule]")
    assert page.evaluate("window.__marker") == "same page"
    assert page.locator("#kr-lint").inner_text() != ""


# --- Signing in: lockouts and single sign-on ---------------------------------------


def test_a_locked_out_person_is_told_why_and_for_how_long(
    browser_page, sample_site, users, settings
):
    settings.DRUMBEAT_LOCKOUT_FAILURES = 2
    page = browser_page
    page.goto(f"{sample_site.url}/sign-in/")
    for password in ("wrong", "wrong again", PASSWORD):
        page.fill("input[name=username]", "viewer")
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
    assert page.locator("[data-lockout]").inner_text() == (
        "Too many failed sign-ins for this account or address: try again in 15 "
        "minutes, or ask an admin to unlock it."
    )
    assert "/sign-in/" in page.url


def test_a_person_signs_in_with_single_sign_on(browser_page, sample_site, users, sso):
    users["viewer"].email = "vera@example.com"
    users["viewer"].save()
    sso.claims = {"sub": "vera-1", "email": "vera@example.com", "email_verified": True}
    page = browser_page
    page.goto(f"{sample_site.url}/kpis/")
    page.click("text=Sign in with Acme ID")
    page.wait_for_url(f"{sample_site.url}/kpis/")
    assert page.locator("nav").get_by_text("viewer").count() == 1
