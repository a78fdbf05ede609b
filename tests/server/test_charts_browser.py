"""The charts of the attribution, calibration and strategy-map scripts in a real
browser: each is drawn, with no script error, in the colours of drumbeat.css read
through charts.js's one reader (`window.DrumbeatCharts.cssColour`). In dark mode,
where those colours differ from the scripts' fallbacks, so that a colour that did
not come from the stylesheet shows."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.server.test_tour_browser import (  # the tour's browser, sample and stops
    DESKTOP,
    ENDED,
    Stop,
    Tour,
    _ended_cycle_closed,
    _playwright_beside_django,
    chromium,
    pytestmark,
    sample_site,
    tour,
    users,
)

__all__ = [  # the fixtures, used by name (as the other browser modules do)
    "_ended_cycle_closed",
    "_playwright_beside_django",
    "chromium",
    "pytestmark",
    "sample_site",
    "tour",
    "users",
]

CHART_OPTION = """([selector, property]) => {
  const el = document.querySelector(selector);
  const chart = el && echarts.getInstanceByDom(el);
  if (!chart) return null;
  const colour = getComputedStyle(el).getPropertyValue(property).trim();
  return {colour, option: JSON.stringify(chart.getOption())};
}"""
"""The chart's options as ECharts holds them, and the stylesheet's value of one
custom property the script colours it with."""


@pytest.mark.usefixtures("_ended_cycle_closed")
@pytest.mark.parametrize("tour", [DESKTOP], indirect=True, ids=lambda w: w.name)
@pytest.mark.parametrize(
    ("stop", "chart", "property"),
    [
        (
            Stop("kpi-attribution", "/kpis/deploy-frequency/"),
            "[data-attribution-chart]",
            "--db-chart-text",
        ),
        (
            Stop("calibration", f"/calibration/?cycle={ENDED}"),
            "[data-calibration-chart]",
            "--db-chart-line",
        ),
        (
            Stop("strategy-map", "/strategy-map/", as_role="viewer"),
            "[data-strategy-map]",
            "--db-chart-mean",
        ),
    ],
    ids=["attribution", "calibration", "strategy-map"],
)
def test_the_chart_is_drawn_in_the_stylesheet_s_colours(
    tour: Tour, users: dict[str, User], stop: Stop, chart: str, property: str
) -> None:
    page: Any = tour.page_for(stop.as_role)
    page.emulate_media(color_scheme="dark")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{tour.site}{stop.path}")
    page.wait_for_function(
        "(selector) => echarts.getInstanceByDom(document.querySelector(selector))",
        arg=chart,
        timeout=5_000,
    )
    drawn = page.evaluate(CHART_OPTION, [chart, property])
    assert errors == []
    assert drawn["colour"].startswith("#")
    assert drawn["colour"].lower() in drawn["option"].lower()
