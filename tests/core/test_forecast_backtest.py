"""The forecast's backtest (benchmarks/backtest.py) runs, and the forecast beats
its two baselines there, on a small generated history."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BACKTEST = Path(__file__).resolve().parents[2] / "benchmarks" / "backtest.py"


def test_the_forecast_beats_the_pace_and_the_base_rate(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("backtest", BACKTEST)
    assert spec is not None
    assert spec.loader is not None
    backtest = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, backtest)  # for its dataclasses
    spec.loader.exec_module(backtest)
    assert backtest.main(["--krs", "200"]) == 0
    out = capsys.readouterr().out
    assert "generated: as of 1/3" in out
    assert "forecast beats both baselines: yes" in out
