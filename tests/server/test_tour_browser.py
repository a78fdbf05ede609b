"""A tour of every main page in a real browser, at a laptop's width (1,366 px) and
a phone's (390 px): no page scrolls sideways, axe-core finds no serious or
critical accessibility violation, the page's Content-Security-Policy refuses
nothing, and the nav fits on one line on the laptop. Also: the KR score bars on
the cycle board are as wide as their score, the 403 and 404 pages are the
application's own, and the API docs render without the internet.

The sample is loaded once for the module (about 4 s a load), and each width is one
test that visits every page and lists every problem it met in one message.
`make screenshots` keeps a full-page screenshot of each page at each width in
docs/screenshots/ (<page>-desktop.png, <page>-phone.png), linked from the README.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import NoReverseMatch, reverse
from PIL import Image

from drumbeat.accounts.models import Membership, Team
from drumbeat.kpis.models import KPI, CriticalSuccessFactor
from tests.conftest import PASSWORD
from tests.okrs.closes import cycle_closed
from tests.server.test_browser import (  # the browser and the sample, shared
    Site,
    _playwright_beside_django,
    chromium,
    pytestmark,
    sample_site,
    users,
)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
"""axe-core (Deque Systems, MPL-2.0), vendored for the tests only: see
tests/server/vendor/README.md. Production never ships it."""

SCREENSHOTS = os.environ.get("DRUMBEAT_SCREENSHOTS")
"""Where `make screenshots` keeps each page's screenshots; unset, none are taken."""

SCREENSHOT_SCREENS = 2
"""How many screens of each page its screenshot shows, from the top."""

__all__ = [
    "_playwright_beside_django",
    "chromium",
    "pytestmark",
    "sample_site",
    "users",
]


@dataclass(frozen=True)
class Width:
    name: str  # in the screenshots' names
    width: int
    height: int


DESKTOP = Width("desktop", 1366, 900)
PHONE = Width("phone", 390, 844)


@dataclass(frozen=True)
class Stop:
    """A page of the tour: its name (in screenshots and messages), its address,
    who opens it (None: nobody signed in), the status it answers with, and the
    axe-core rules not run on it."""

    name: str
    path: str
    as_role: str | None = "admin"
    status: int = 200
    axe_rules_off: tuple[str, ...] = ()


ACTIVE = "2026-Q4"  # the cycle running on the pinned day, 2026-11-25
ENDED = "2026-Q3"
OBJECTIVE = "q4-painless-billing-move"


def _stops() -> list[Stop]:
    stops = [
        Stop("sign-in", "/sign-in/", as_role=None),
        Stop("dashboard", "/"),
        Stop("my-week", "/me/", as_role="owner"),
        Stop("kpi-dictionary", "/kpis/"),
        Stop("kpi", "/kpis/dau/"),  # a lasting shift: the proposed divider
        Stop("kpi-attribution", "/kpis/deploy-frequency/"),  # Q3 targeted it
        Stop("kpi-new", "/kpis/new/"),
        Stop("kpi-edit", "/kpis/csat/edit/"),
        Stop("critical-success-factors", "/critical-success-factors/"),
        Stop("cycles", "/cycles/"),
        Stop("cycle-board", f"/cycles/{ACTIVE}/"),
        Stop("cycle-board-ended", f"/cycles/{ENDED}/"),  # with its attribution
        Stop("year-board", "/cycles/fy2027/"),  # its quarter and aligned objectives
        Stop("quarter-board", "/cycles/2027-Q1/"),  # part of the year
        Stop("objective", f"/objectives/{OBJECTIVE}/"),
        Stop("key-result-new", f"/objectives/{OBJECTIVE}/key-results/new/"),
        Stop("check-in-agenda", "/review/okrs/"),
        Stop("kpi-review", "/review/kpis/"),
        Stop("investigations", "/review/investigations/"),
        Stop("assessment", "/assessment/"),
        Stop("plan", f"/cycles/{ACTIVE}/plan/"),
        Stop("close", f"/cycles/{ENDED}/close/"),
        Stop("board-report", f"/cycles/{ACTIVE}/report/"),
        Stop("calibration", f"/calibration/?cycle={ENDED}"),
        Stop("strategy-map", "/strategy-map/", as_role="viewer"),
        Stop("people", "/people/"),
        Stop("teams", "/teams/"),
        Stop("tokens", "/tokens/"),
        Stop("my-settings", "/me/settings/"),
        Stop("password-change", "/password/"),
        Stop("imports", "/imports/readings/"),
        Stop("exports", "/exports/"),
        Stop("webhooks", "/webhooks/"),
        Stop("notifications", "/notifications/"),
        Stop("audit", "/audit/"),
        Stop("forbidden", "/kpis/new/", as_role="viewer", status=403),
        Stop("not-found", "/kpis/no-such-kpi/", status=404),
    ]
    with contextlib.suppress(NoReverseMatch):  # the help page, being built beside
        stops.append(Stop("help", reverse("help")))
    return stops


# What the browser measures on a page, in one evaluation each.
SIDEWAYS = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width) return null;
  // The outermost elements that stick out: the ones to fix.
  const out = [...document.body.querySelectorAll('*')].filter(e => {
    const r = e.getBoundingClientRect();
    if (r.right <= width + 1) return false;
    const parent = e.parentElement.getBoundingClientRect();
    return parent.right <= width + 1;
  });
  const name = e => e.tagName.toLowerCase()
    + (e.id ? '#' + e.id : '')
    + [...e.classList].map(c => '.' + c).join('');
  const describe = e => name(e.parentElement) + ' > ' + name(e)
    + ' (' + Math.round(e.getBoundingClientRect().right) + ' px)';
  return {width: root.scrollWidth, culprits: out.slice(0, 5).map(describe)};
}"""

NAV_LINES = """() => {
  const nav = document.querySelector('header nav');
  if (!nav) return [];
  const items = [...nav.querySelectorAll('a, button, summary')]
    // what is on screen: not the items of a closed menu
    .filter(e => e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}));
  const lines = {};
  for (const e of items) {
    const top = Math.round(e.getBoundingClientRect().top);
    (lines[top] = lines[top] || []).push(e.textContent.trim());
  }
  return Object.values(lines);
}"""

AXE_RUN = """async (off) => {
  const rules = Object.fromEntries(off.map(id => [id, {enabled: false}]));
  const result = await axe.run(document, {resultTypes: ['violations'], rules});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""

SCORE_BARS = "[data-kr] .scorebar meter"
"""The KR score bars on the board: a <meter> whose value is the score (0-1)."""

SAME_COLOUR = 60
"""How far apart (the sum of the red, green and blue differences) two pixels may
be and still be one colour: the edges of a drawn bar are smoothed."""


def _pixel(image: Image.Image, x: int, y: int) -> tuple[int, ...]:
    """One pixel's red, green and blue."""
    pixel = image.getpixel((x, y))
    assert isinstance(pixel, tuple)
    return tuple(int(channel) for channel in pixel)


def _filled_share(meter: Any, track: tuple[int, ...]) -> float:
    """The share of the bar's width drawn in another colour than its empty track,
    read from the pixels of its middle row (a meter's fill is not an element whose
    box a script could measure)."""
    image = Image.open(io.BytesIO(meter.screenshot())).convert("RGB")
    middle = image.height // 2
    row = [_pixel(image, x, middle) for x in range(image.width)]
    filled = [
        sum(abs(a - b) for a, b in zip(pixel, track, strict=True)) > SAME_COLOUR
        for pixel in row
    ]
    return sum(filled) / len(row)


@pytest.fixture
def _owner_with_krs(users: dict[str, User]) -> None:
    """The owner owns csat and edits support: My week has KRs on it."""
    KPI.objects.filter(key="csat").update(owner=users["owner"])
    Membership.objects.create(
        user=users["owner"], team=Team.objects.get(key="support"), role="editor"
    )


@pytest.fixture
def _critical_success_factors() -> None:
    """Two critical success factors, one named by a secondary KPI (whose page has
    no checklist): their page has its table to lay out (the sample defines none)."""
    CriticalSuccessFactor.objects.create(key="on-time", name="Deliver on time")
    CriticalSuccessFactor.objects.create(
        key="repeat-customers", name="Customers come back", position=1
    )
    secondary = KPI.objects.filter(tier="secondary").order_by("position").first()
    assert secondary is not None
    KPI.objects.filter(pk=secondary.pk).update(
        critical_success_factors=["repeat-customers"]
    )


@pytest.fixture
def _ended_cycle_closed(users: dict[str, User]) -> None:
    """2026-Q3 closed: its close page shows the standing close, and calibration
    has its 19 resolved KRs with check-ins to show (rolled back after the test)."""
    cycle_closed(ENDED, by=users["admin"])


class Tour:
    """One browser context per person at one width, and the problems met."""

    def __init__(self, browser: Any, site: str, width: Width) -> None:
        self.browser = browser
        self.site = site
        self.width = width
        self.pages: dict[str | None, Any] = {}
        self.refused: list[str] = []  # what the policy refused on the current page
        self.problems: list[str] = []
        self.axe = AXE.read_text()

    def page_for(self, role: str | None) -> Any:
        if role in self.pages:
            return self.pages[role]
        context = self.browser.new_context(
            viewport={"width": self.width.width, "height": self.width.height}
        )
        page = context.new_page()
        page.on("console", self._heard)
        if role is not None:
            page.goto(f"{self.site}/sign-in/")
            page.fill("input[name=username]", role)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("button[type=submit]")
            assert "/sign-in/" not in page.url, f"{role} could not sign in"
        self.pages[role] = page
        return page

    def _heard(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.refused.append(message.text)

    def problem(self, stop: Stop, what: str) -> None:
        self.problems.append(
            f"{stop.name} ({stop.path}) at {self.width.width} px: {what}"
        )

    def visit(self, stop: Stop) -> Any:
        page = self.page_for(stop.as_role)
        self.refused.clear()
        try:
            response = page.goto(f"{self.site}{stop.path}")
        except Exception as error:  # Playwright's Error: the page did not load
            self.problem(stop, f"did not load: {str(error).splitlines()[0]}")
            return page
        status = response.status if response is not None else 0
        if status != stop.status:
            self.problem(stop, f"answered {status}, not {stop.status}")
        self.check(stop, page)
        return page

    def check(self, stop: Stop, page: Any) -> None:
        sideways = page.evaluate(SIDEWAYS)
        if sideways is not None:
            self.problem(
                stop,
                f"scrolls sideways: {sideways['width']} px wide; sticking out: "
                + ", ".join(sideways["culprits"]),
            )
        lines = page.evaluate(NAV_LINES) if self.width is DESKTOP else []
        if len(lines) > 1:
            self.problem(
                stop,
                f"the nav wraps onto {len(lines)} lines: "
                + " / ".join(", ".join(line) for line in lines),
            )
        page.evaluate(self.axe)
        for violation in page.evaluate(AXE_RUN, list(stop.axe_rules_off)):
            self.problem(
                stop,
                f"axe {violation['impact']} {violation['id']} at "
                + "; ".join(violation["targets"]),
            )
        for refused in self.refused:
            self.problem(stop, f"refused by the CSP: {refused[:160]}")
        if SCREENSHOTS:
            # The page from its top, at most SCREENSHOT_SCREENS screens tall (what a
            # reader of the docs takes in; whole pages made 31 MB of images).
            tall = page.evaluate("() => document.documentElement.scrollHeight")
            page.screenshot(
                path=str(Path(SCREENSHOTS) / f"{stop.name}-{self.width.name}.png"),
                full_page=True,
                clip={
                    "x": 0,
                    "y": 0,
                    "width": self.width.width,
                    "height": min(tall, SCREENSHOT_SCREENS * self.width.height),
                },
            )

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def tour(
    request: pytest.FixtureRequest, chromium: Any, sample_site: Site
) -> Iterator[Tour]:
    started = Tour(chromium, sample_site.url, request.param)
    yield started
    started.close()


@pytest.mark.usefixtures(
    "_owner_with_krs", "_ended_cycle_closed", "_critical_success_factors"
)
@pytest.mark.parametrize("tour", [DESKTOP, PHONE], indirect=True, ids=lambda w: w.name)
def test_every_main_page_fits_is_accessible_and_keeps_the_policy(tour: Tour) -> None:
    for stop in _stops():
        page = tour.visit(stop)
        if stop.name == "cycle-board":
            _score_bars_show_the_score(tour, stop, page)
        if stop.name == "strategy-map":
            strategy_map_drawn(tour, stop, page)
        if stop.status in (403, 404) and page.locator("header nav").count() == 0:
            tour.problem(stop, "is not the application's own page (no header)")
    _api_docs_render_offline(tour)
    if tour.problems:
        pytest.fail(
            f"{len(tour.problems)} problems:\n" + "\n".join(tour.problems),
            pytrace=False,
        )


def _score_bars_show_the_score(tour: Tour, stop: Stop, page: Any) -> None:
    """Each KR's bar is filled as far as its score (within 2 %, or a pixel of
    smoothing at each end): its pixels against an empty bar's, drawn beside it."""
    meters = page.locator(SCORE_BARS)
    if meters.count() == 0:
        tour.problem(stop, f"no KR score bar ({SCORE_BARS}) on the board")
        return
    # An empty bar of the same look, for its track's colour.
    page.evaluate(
        """(selector) => { const meter = document.querySelector(selector);
        const empty = meter.cloneNode(); empty.value = 0; empty.id = 'empty-bar';
        meter.after(empty); }""",
        SCORE_BARS,
    )
    empty = page.locator("#empty-bar")
    image = Image.open(io.BytesIO(empty.screenshot())).convert("RGB")
    track = _pixel(image, image.width // 2, image.height // 2)
    page.evaluate("() => document.getElementById('empty-bar').remove()")
    for index in range(meters.count()):
        meter = meters.nth(index)
        kr = meter.evaluate("m => m.closest('[data-kr]').dataset.kr")
        width = meter.bounding_box()["width"]
        if width < 40:
            tour.problem(stop, f"score bar of {kr}: it is {width:.1f} px wide")
            continue
        score = min(max(float(meter.get_attribute("value")), 0.0), 1.0)
        drawn = _filled_share(meter, track)
        if abs(drawn - score) > max(0.02, 2 / width):
            tour.problem(
                stop,
                f"score bar of {kr}: filled {drawn:.0%} for a score of {score:.0%}",
            )


MAP_CANVAS = "[data-strategy-map] canvas"
"""The strategy map's graph, drawn by ECharts on a canvas in the chart's box."""


def strategy_map_drawn(tour: Tour, stop: Stop, page: Any) -> None:
    """The map's graph is drawn: a canvas of some size inside the chart."""
    canvas = page.locator(MAP_CANVAS)
    try:
        canvas.first.wait_for(timeout=5_000)
    except Exception as error:  # Playwright's TimeoutError
        tour.problem(stop, f"no strategy map graph ({MAP_CANVAS}): {error!r:.80}")
        return
    box = canvas.first.bounding_box()
    if box is None or box["width"] < 300 or box["height"] < 200:
        tour.problem(stop, f"the strategy map's canvas is too small: {box}")


def _api_docs_render_offline(tour: Tour) -> None:
    """Swagger UI renders with every request off 127.0.0.1 refused."""
    # Swagger UI's own markup puts buttons inside its operations' summary buttons
    # (axe's nested-interactive): not the application's to change short of
    # patching the vendored bundle. Every other rule holds here too.
    stop = Stop("api-docs", "/api/v1/docs", axe_rules_off=("nested-interactive",))
    page = tour.page_for("viewer")
    host = re.escape(tour.site.split("//", 1)[1].split(":", 1)[0])
    offline = re.compile(rf"^(?!https?://({host}|127\.0\.0\.1)[:/]).*")
    page.route(offline, lambda route: route.abort())
    try:
        page.goto(f"{tour.site}{stop.path}")
        try:
            page.locator(".swagger-ui .info").wait_for(timeout=10_000)
        except Exception as error:  # Playwright's TimeoutError
            tour.problem(stop, f"Swagger UI did not render offline ({error!r:.80})")
            return
        tour.check(stop, page)
    finally:
        page.unroute(offline)
