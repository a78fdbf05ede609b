"""What things mean: the help page, the badges' tooltips and a KPI's health in
words on its tile and its page, all from the one glossary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils.html import escape

from drumbeat.core.glossary import TERMS, glossary_markdown
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

DOCS_GLOSSARY = Path(__file__).parents[2] / "docs" / "glossary.md"


def drifting_workspace(today: dt.date) -> str:
    """`csat`, green by its thresholds (90 ≥ 80) but its last three readings
    below the lower quartile line (95 − 1.33 × 2 = 92.34): amber by rule 2, as
    the sample's CSAT. Weekly readings up to `today`, so never stale."""
    values = [94, 96] * 10 + [91, 91, 91]
    first = today - dt.timedelta(weeks=len(values) - 1)
    readings = "\n".join(
        f"      - {{at: {first + dt.timedelta(weeks=week)}, value: {value}}}"
        for week, value in enumerate(values)
    )
    return f"""\
version: 1
organisation: Test Co
teams:
  - {{key: support, name: Support}}
kpis:
  - key: csat
    name: Customer satisfaction
    unit: percent
    cadence: weekly
    team: support
    perspective: customer
    tier: key
    thresholds: {{green: 80, red: 70}}
    readings:
{readings}
"""


@pytest.fixture
def drifting(db: None) -> None:
    workspace_apply(load_workspace_text(drifting_workspace(dt.date.today())))


def tile(page: str, key: str) -> str:
    start = page.index(f'data-kpi="{key}"')
    return page[start : page.index("</article>", start)]


def tooltip(key: str) -> str:
    return f'tabindex="0" data-tooltip="{escape(TERMS[key].short)}"'


def test_anonymous_visitors_are_sent_to_sign_in_for_help(db):
    response = client_for(None).get("/help/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/help/"


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_everyone_signed_in_reads_the_help_page(users, role):
    response = client_for(users[role]).get("/help/")
    assert response.status_code == 200
    assert "What things mean" in response.content.decode()


def test_every_glossary_term_has_its_anchor_and_text_on_the_help_page(users):
    page = client_for(users["viewer"]).get("/help/").content.decode()
    for key, term in TERMS.items():
        assert f'<dt id="{key}"><a href="#{key}">{escape(term.name)}</a></dt>' in page
        assert escape(term.short) in page


def test_the_docs_glossary_is_the_glossary_the_application_shows():
    """Regenerate it with `.venv/bin/python -m drumbeat.core.glossary >
    docs/glossary.md` when a term changes."""
    assert DOCS_GLOSSARY.read_text(encoding="utf-8") == glossary_markdown()


def test_a_tile_amber_from_a_signal_says_why(drifting, users):
    page = client_for(users["viewer"]).get("/").content.decode()
    csat = tile(page, "csat")
    assert '<span class="health amber"' in csat
    assert (
        "Amber: green by its thresholds, but 3 of the last 4 readings are below "
        "the lower quartile line (rule 2)</span></p>"
    ) in csat
    full = (
        "Amber: green by its thresholds (91 percent is at or above the green "
        "threshold of 80), but 3 of the last 4 readings are below the lower "
        "quartile line (rule 2)"
    )
    assert f'data-tooltip="{full}"' in csat


def test_the_kpi_page_says_why_in_full(drifting, users):
    page = client_for(users["viewer"]).get("/kpis/csat/").content.decode()
    assert (
        "Amber: green by its thresholds (91 percent is at or above the green "
        "threshold of 80), but 3 of the last 4 readings are below the lower "
        "quartile line (rule 2)."
    ) in page


def test_each_badge_on_a_tile_has_its_glossary_tooltip(drifting, users):
    csat = tile(client_for(users["viewer"]).get("/").content.decode(), "csat")
    for key in ("amber", "key", "at-risk"):
        assert tooltip(key) in csat


def test_the_dashboard_legend_explains_every_badge_and_links_to_help(drifting, users):
    page = client_for(users["viewer"]).get("/").content.decode()
    start = page.index("data-legend")
    legend = page[start : page.index("</details>", start)]
    for key in (
        "green",
        "amber",
        "red",
        "unknown",
        "okr-target",
        "at-risk",
        "watch",
        "completed",
        "key",
        "stale",
    ):
        assert tooltip(key) in legend
    assert 'href="/help/"' in legend


def test_the_kpi_review_explains_its_health_and_tier_badges(drifting, users):
    page = client_for(users["viewer"]).get("/review/kpis/").content.decode()
    csat = page[page.index('data-kpi="csat"') : page.index("</article>")]
    assert tooltip("amber") in csat
    assert tooltip("key") in csat


def test_a_stale_tile_explains_its_badge_and_says_how_old_its_reading_is(
    small_workspace, users
):
    """The small workspace's readings end in July; the run is pinned in November."""
    csat = tile(client_for(users["viewer"]).get("/").content.decode(), "csat")
    assert tooltip("stale") in csat
    assert "Amber: 88 percent is between the red threshold of 80 and the green " in csat
    assert "(stale)</span></p>" in csat
    assert "Stale: the latest reading is 145 days old for a weekly KPI" in csat
