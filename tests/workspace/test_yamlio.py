"""The line-aware YAML reader: PyYAML's values, plus lines, minus timestamps."""

from __future__ import annotations

import math

import pytest
import yaml

from drumbeat.workspace.yamlio import LocatedError, Mapping, _EventLoader, parse_yaml

SCALARS = """\
octal: 0123
hex: 0x1F
underscores: 1_000
sexagesimal: 12:30
leading-dot: .5
trailing-dot: 1.
negative: -3
exponent: 6.02e+23
infinite: .inf
truthy: yes
nothing: ~
quoted: '38'
tagged: !!str 5
date: 2026-01-01
flow: [1, {nested: text}]
"""


class _WithoutTimestamps(yaml.SafeLoader):
    """PyYAML's own composer and constructors, with the same implicit types."""

    yaml_implicit_resolvers = _EventLoader.yaml_implicit_resolvers


def test_scalars_read_as_pyyaml_reads_them_but_dates_stay_text():
    ours = parse_yaml(SCALARS)
    theirs = yaml.load(SCALARS, Loader=_WithoutTimestamps)
    assert ours == theirs
    assert ours["octal"] == 83
    assert ours["sexagesimal"] == 750
    assert ours["date"] == "2026-01-01"
    assert math.isinf(ours["infinite"])


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
        pytest.param("a: 1\n---\nb: 2\n", 2, "one YAML document", id="two-docs"),
        pytest.param("a: [1\n", 2, "malformed YAML", id="unclosed"),
    ],
)
def test_problems_are_located(text: str, line: int, message: str):
    with pytest.raises(LocatedError) as caught:
        parse_yaml(text)
    assert caught.value.line == line
    assert message in caught.value.message
