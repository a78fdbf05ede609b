"""The line-aware YAML reader: PyYAML's values, plus lines, minus timestamps."""

from __future__ import annotations

import math

import pytest

from drumbeat.workspace.yamlio import LocatedError, Mapping, parse_yaml


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("012", 12, id="leading-zero-is-decimal"),
        pytest.param("0o17", 15, id="octal"),
        pytest.param("0x1F", 31, id="hex"),
        pytest.param("-3", -3, id="negative"),
        pytest.param("1e5", 100000.0, id="exponent-without-a-dot"),
        pytest.param("6.02e+23", 6.02e23, id="exponent"),
        pytest.param(".5", 0.5, id="leading-dot"),
        pytest.param("1.", 1.0, id="trailing-dot"),
        pytest.param("-.inf", float("-inf"), id="infinite"),
        pytest.param("true", True, id="true"),
        pytest.param("False", False, id="false"),
        pytest.param("~", None, id="tilde"),
        pytest.param("null", None, id="null"),
        pytest.param("yes", "yes", id="yes-is-text"),
        pytest.param("12:30", "12:30", id="no-sexagesimal"),
        pytest.param("1_000", "1_000", id="no-underscores"),
        pytest.param("2026-01-01", "2026-01-01", id="dates-stay-text"),
        pytest.param("'38'", "38", id="quoted"),
        pytest.param("!!str 5", "5", id="tagged-text"),
        pytest.param("!!int '7'", 7, id="tagged-int"),
    ],
)
def test_plain_scalars_follow_the_yaml_1_2_core_schema(text: str, expected: object):
    assert parse_yaml(f"value: {text}\n")["value"] == expected


def test_nan_reads_as_nan():
    assert math.isnan(parse_yaml("value: .nan\n")["value"])


def test_keys_are_the_text_as_written():
    data = parse_yaml("1: a\n~: b\nyes: c\n")
    assert list(data) == ["1", "~", "yes"]
    assert data.key_lines == {"1": 1, "~": 2, "yes": 3}


def test_mappings_know_their_line_and_their_keys_lines():
    data = parse_yaml("kpis:\n  - key: nps\n    name: NPS\n")
    item = data["kpis"][0]
    assert isinstance(item, Mapping)
    assert (data.line, item.line) == (1, 2)
    assert item.key_lines == {"key": 2, "name": 3}


def test_aliases_reuse_the_anchored_value():
    data = parse_yaml("a: &shared {x: 1}\nb: *shared\n")
    assert data["b"] == {"x": 1}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param(
            "a: 1\na: 2\n", 2, "duplicate key 'a' (first on line 1)", id="dup"
        ),
        pytest.param("? [a]\n: 1\n", 1, "a key must be plain text", id="list-key"),
        pytest.param("a: !!binary aGk=\n", 1, "unsupported YAML tag", id="tag"),
        pytest.param("a: !!int seven\n", 1, "'seven' is not a valid int", id="bad-int"),
        pytest.param("a: 1\n---\nb: 2\n", 2, "one YAML document", id="two-docs"),
        pytest.param("a: [1\n", 2, "malformed YAML", id="unclosed"),
    ],
)
def test_problems_are_located(text: str, line: int, message: str):
    with pytest.raises(LocatedError) as caught:
        parse_yaml(text)
    assert caught.value.line == line
    assert message in caught.value.message
