"""The `when` and `day` filters: dates and times written with their time zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template, TemplateSyntaxError

MOMENT = dt.datetime(2026, 12, 6, 14, 5, 30, tzinfo=dt.UTC)


def render(text: str, **context: object) -> str:
    return Template("{% load dates %}" + text).render(Context(context))


def test_when_writes_the_moment_with_its_zone_in_a_time_element():
    assert render("{{ at|when }}", at=MOMENT) == (
        '<time datetime="2026-12-06T14:05:30+00:00">2026-12-06 14:05 UTC</time>'
    )


def test_when_converts_to_the_configured_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    assert render("{{ at|when }}", at=MOMENT) == (
        '<time datetime="2026-12-06T15:05:30+01:00">2026-12-06 15:05 CET</time>'
    )


def test_when_names_summer_time_by_its_own_abbreviation(settings):
    settings.TIME_ZONE = "America/New_York"
    summer = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert ">2026-07-01 08:00 EDT<" in render("{{ at|when }}", at=summer)


def test_when_seconds_adds_the_seconds():
    assert ">2026-12-06 14:05:30 UTC<" in render('{{ at|when:"seconds" }}', at=MOMENT)


def test_when_is_empty_for_no_moment_so_a_default_can_follow():
    assert render('{{ at|when|default:"never" }}', at=None) == "never"


def test_when_refuses_an_unknown_precision():
    with pytest.raises(TemplateSyntaxError, match=r"minutes.*seconds"):
        render('{{ at|when:"hours" }}', at=MOMENT)


def test_day_is_the_local_day_of_a_moment(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    late = dt.datetime(2026, 12, 6, 20, 0, tzinfo=dt.UTC)
    assert render("{{ at|day }}", at=late) == "2026-12-07"


def test_day_writes_a_date_as_it_is():
    assert render("{{ on|day }}", on=dt.date(2026, 12, 6)) == "2026-12-06"
