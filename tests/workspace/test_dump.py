"""Dumping a workspace back to YAML: load → dump → load is the identity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from drumbeat.core.model import KPI, Reading, Workspace
from drumbeat.core.values import MAX_MAGNITUDE
from drumbeat.workspace import dump_workspace, load_workspace, load_workspace_text
from tests.workspace.test_load import GOOD

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_load_dump_load_is_identity():
    workspace = load_workspace_text(GOOD)
    assert load_workspace_text(dump_workspace(workspace)) == workspace


def test_the_sample_workspace_round_trips():
    workspace = load_workspace(EXAMPLES / "okrs.yaml")
    assert load_workspace_text(dump_workspace(workspace)) == workspace


def test_dump_writes_one_line_per_reading_and_omits_defaults():
    text = dump_workspace(load_workspace_text(GOOD))
    assert "  - {at: 2026-06-30, value: 38}\n" in text
    assert "direction: up" not in text  # the default
    assert "direction: range" in text
    assert "weight: 2\n" in text


def test_dump_quotes_text_that_would_read_back_as_something_else():
    kpi = KPI(
        key="k",
        name="yes",
        description="2026-01-01",
        unit="12:30",
        readings=(Reading(dt.date(2026, 1, 1), 1.5, note="null"),),
    )
    workspace = Workspace(kpis=(kpi,))
    assert load_workspace_text(dump_workspace(workspace)) == workspace


texts = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=30
).filter(lambda text: text.strip() == text and text != "")
values = st.floats(min_value=-MAX_MAGNITUDE, max_value=MAX_MAGNITUDE, width=64)
days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))


@settings(max_examples=60, deadline=None)
@given(
    name=texts,
    readings=st.dictionaries(days, st.tuples(values, st.none() | texts), max_size=8),
)
def test_any_names_notes_and_values_round_trip(name, readings):
    kpi = KPI(
        key="k",
        name=name,
        readings=tuple(
            Reading(at, value, note) for at, (value, note) in readings.items()
        ),
    )
    workspace = Workspace(kpis=(kpi,))
    assert load_workspace_text(dump_workspace(workspace)) == workspace
