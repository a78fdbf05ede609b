"""How numbers and targets read in messages and tables."""

import pytest

from drumbeat.core.model import Band
from drumbeat.core.numbers import format_number, format_target


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(38.0, "38", id="whole-float"),
        pytest.param(0.0, "0", id="zero"),
        pytest.param(-0.0, "0", id="negative-zero"),
        pytest.param(-12.0, "-12", id="negative-whole"),
        pytest.param(1_250_000.0, "1250000", id="large-whole"),
        pytest.param(99.95, "99.95", id="two-decimals"),
        pytest.param(0.333, "0.333", id="three-decimals"),
        pytest.param(1 / 3, "0.3333", id="four-decimals-at-most"),
        pytest.param(0.1 + 0.2, "0.3", id="float-noise"),
        pytest.param(-2.5, "-2.5", id="negative-decimal"),
        pytest.param(2.00004, "2", id="rounds-to-whole"),
        pytest.param(0.00001, "1e-05", id="tiny-keeps-significance"),
        pytest.param(-0.00001, "-1e-05", id="tiny-negative"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("target", "text"),
    [
        pytest.param(50.0, "50", id="level"),
        pytest.param(99.95, "99.95", id="decimal-level"),
        pytest.param(Band(40.0, 60.5), "[40, 60.5]", id="band"),
    ],
)
def test_format_target(target, text):
    assert format_target(target) == text
