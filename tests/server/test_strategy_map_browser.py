"""The strategy map in a real browser: the tour (test_tour_browser.py) checks at
a laptop's and a phone's width that the graph is drawn, the page does not scroll
sideways and axe and the Content-Security-Policy find nothing; here, that the
lists below the chart name the links and that a click on a KPI opens it."""

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
@pytest.mark.parametrize("tour", [DESKTOP], indirect=True, ids=lambda w: w.name)
def test_a_click_on_the_north_star_opens_its_page(tour: Tour) -> None:
    # The tour checks the map is drawn and fits at both widths; here, that the
    # lists below the chart name the links too, and that a node opens its KPI.
    page: Any = tour.visit(STOP)
    strategy_map_drawn(tour, STOP, page)
    assert tour.problems == []
    assert page.locator("[data-map-links] tr[data-driver]").count() > 0
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
