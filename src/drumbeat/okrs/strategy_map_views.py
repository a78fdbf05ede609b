"""The strategy map page (docs/web.md#strategy-map): anyone signed in reads it."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from drumbeat.kpis.selectors import north_star_many_warning
from drumbeat.okrs.strategy_map import strategy_map


def strategy_map_page(request: HttpRequest) -> HttpResponse:
    """The map drawn from the data-strategy-map attribute, with the links and the
    targeted KPIs as lists for screen readers, phones and pages without scripts."""
    the_map = strategy_map()
    return render(
        request,
        "okrs/strategy_map.html",
        {
            "map": the_map,
            "chart": json.dumps(the_map.chart_data()),
            "north_star_many": north_star_many_warning(),
        },
    )
