"""The strategy map in a real browser, at a laptop's and a phone's width: the
graph is drawn (a canvas in the chart), the page does not scroll sideways, axe
and the Content-Security-Policy find nothing, and a click on a KPI opens it. The
tour (test_tour_browser.py) visits the page too; this test alone is quick to run,
and with DRUMBEAT_SCREENSHOTS set it keeps docs/screenshots/strategy-map-*.png."""

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
from tests.server.test_tour_browser import (
    DESKTOP,
    PHONE,
    Stop,
    Tour,
    strategy_map_drawn,
    tour,
)

__all__ = [
    "_playwright_beside_django",
    "chromium",
    "pytestmark",
    "sample_site",
    "tour",
    "users",
]

STOP = Stop("strategy-map", "/strategy-map/", as_role="viewer")


@pytest.mark.usefixtures("users")
@pytest.mark.parametrize("tour", [DESKTOP, PHONE], indirect=True, ids=lambda w: w.name)
def test_the_map_is_drawn_and_fits(tour: Tour) -> None:
    page = tour.visit(STOP)
    strategy_map_drawn(tour, STOP, page)
    assert tour.problems == []
    # The lists below the chart name the same links.
    assert page.locator("[data-map-links] tr[data-driver]").count() > 0


@pytest.mark.usefixtures("users")
@pytest.mark.parametrize("tour", [DESKTOP], indirect=True, ids=lambda w: w.name)
def test_a_click_on_the_north_star_opens_its_page(tour: Tour) -> None:
    page: Any = tour.visit(STOP)
    strategy_map_drawn(tour, STOP, page)
    # Where ECharts drew the north star, in the canvas's pixels.
    star = page.evaluate(
        """() => {
          const el = document.querySelector('[data-strategy-map]');
          const star = JSON.parse(el.dataset.strategyMap).nodes.find(n => n.north_star);
          const chart = echarts.getInstanceByDom(el);
          const [x, y] = chart.convertToPixel({seriesIndex: 0}, [star.x, star.y]);
          return {x, y, url: star.url};
        }"""
    )
    box = page.locator("[data-strategy-map]").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + star["x"], box["y"] + star["y"])
    assert page.url.endswith(star["url"])
