"""The sample's generator: examples/okrs.yaml is what it writes, and the demo's
copy runs the same readings on to the day the demo starts."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from drumbeat.workspace import load_workspace

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "sample_generate", EXAMPLES / "generate.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["sample_generate"] = module
    spec.loader.exec_module(module)
    return module


def test_the_sample_is_what_the_generator_writes(generate, tmp_path):
    output, warehouse = tmp_path / "okrs.yaml", tmp_path / "warehouse.sql"
    generate.main(["--output", str(output), "--warehouse", str(warehouse)])
    assert output.read_text() == (EXAMPLES / "okrs.yaml").read_text()
    assert warehouse.read_text() == (EXAMPLES / "warehouse.sql").read_text()


def test_the_demo_runs_the_same_readings_on_to_the_day_given(generate, tmp_path):
    output, warehouse = tmp_path / "okrs.yaml", tmp_path / "warehouse.sql"
    generate.main(
        [
            "--until",
            "2027-02-10",
            "--output",
            str(output),
            "--warehouse",
            str(warehouse),
        ]
    )
    sample = load_workspace(EXAMPLES / "okrs.yaml")
    demo = load_workspace(output)
    end = dt.date(2026, 11, 20)
    for kpi in sample.kpis:
        extended = demo.kpi_by_key[kpi.key]
        assert extended.readings_until(end) == kpi.readings, kpi.key
    # Weekly KPIs read on Fridays run on to the last Friday; one stopped on
    # purpose (mql-to-sql, stale in the story) stays stopped.
    assert demo.kpi_by_key["csat"].readings[-1].at == dt.date(2027, 2, 5)
    assert demo.kpi_by_key["mrr"].readings[-1].at == dt.date(2027, 1, 31)
    assert (
        demo.kpi_by_key["mql-to-sql"].readings
        == sample.kpi_by_key["mql-to-sql"].readings
    )
    assert "('2027-01-31'," in warehouse.read_text()
