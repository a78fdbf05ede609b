"""The template tags that quote the glossary: one term, named as pages hold it."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils.html import escape

from drumbeat.core.glossary import TERMS, term_key
from drumbeat.core.model import Commitment, Grade, Health, KeyResultKind, Lifecycle


def rendered(text: str, **context: object) -> str:
    return Template("{% load explain %}" + text).render(Context(context))


def test_explain_gives_the_terms_tooltip_that_a_keyboard_reaches():
    assert rendered('{% explain "watch" %}') == (
        f'tabindex="0" data-tooltip="{escape(TERMS["watch"].short)}"'
    )


def test_explain_names_a_term_by_its_stored_value():
    assert rendered("{% explain lifecycle %}", lifecycle="at_risk") == rendered(
        '{% explain "at-risk" %}'
    )


def test_explain_joins_its_parts_for_a_grade():
    tooltip = rendered('{% explain "grade" grade %}', grade="yellow")
    assert tooltip == rendered('{% explain "grade-yellow" %}')
    assert escape(TERMS["grade-yellow"].short) in tooltip


def test_an_unknown_term_explains_nothing_rather_than_breaking_the_page():
    assert rendered('{% explain "no-such-term" %}') == ""
    assert rendered("{% explain missing %}") == ""


def test_explain_url_points_at_the_terms_anchor_on_the_help_page():
    assert rendered('{% explain_url "at_risk" %}') == "/help/#at-risk"


@pytest.mark.parametrize(
    "value",
    [
        *[(str(value),) for value in (*Lifecycle, *Health, *Commitment)],
        *[("grade", str(value)) for value in Grade],
        *[(str(value),) for value in KeyResultKind],
    ],
)
def test_every_value_a_badge_shows_has_a_glossary_term(value):
    assert term_key(*value) in TERMS
