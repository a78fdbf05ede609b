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


# --- Hostile files: aliases that stand for too much, values nested too deep ---------


def _alias_bomb(levels: int = 9, width: int = 10) -> str:
    """A billion laughs: each anchor a list of `width` aliases of the one before,
    so that a few hundred bytes stand for width ** levels values."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_where_it_goes_over_the_bound():
    with pytest.raises(LocatedError) as caught:
        parse_yaml(_alias_bomb())
    # Lines 2 and 3 alias 110 and 1,110 nodes; line 4, ten lists of 1,111.
    assert (caught.value.line, caught.value.message) == (
        4,
        "the file repeats anchors too often (more than 10,000 aliased nodes): "
        "write the values out",
    )


def test_aliases_up_to_the_bound_are_read():
    """An anchored mapping of 9 nodes (itself, four keys, four values) aliased
    1,111 times is 9,999 nodes; once more is over the bound."""
    anchored = "{green: 90, red: 80, amber: 85, unit: x}"  # 1 + 8 nodes
    items = "\n".join(f"  - {{key: k{i}, t: *t}}" for i in range(1111))
    data = parse_yaml(f"base: &t {anchored}\nkpis:\n{items}\n")
    assert len(data["kpis"]) == 1111
    assert data["kpis"][-1]["t"]["green"] == 90
    with pytest.raises(LocatedError, match="more than 10,000 aliased nodes"):
        parse_yaml(f"base: &t {anchored}\nkpis:\n{items}\n  - {{t: *t}}\n")


def test_a_long_text_repeated_by_aliases_is_refused():
    text = "x" * 100_000
    aliases = ", ".join(["*long"] * 10)
    parse_yaml(f"a: &long {text}\nb: [{aliases}]\n")  # 1,000,000 characters
    with pytest.raises(LocatedError) as caught:
        parse_yaml(f"a: &long {text}\nb: [{aliases}, *long]\n")
    assert (caught.value.line, caught.value.message) == (
        2,
        "the file repeats anchors too often (more than 1,000,000 aliased "
        "characters): write the values out",
    )


def test_an_alias_inside_its_own_anchor_is_refused():
    with pytest.raises(LocatedError) as caught:
        parse_yaml("a: &loop\n  b: [*loop]\n")
    assert (caught.value.line, caught.value.message) == (
        2,
        "the alias *loop is inside the value it names: a value cannot hold itself",
    )


@pytest.mark.parametrize(
    "nested",
    [
        pytest.param("[" * 64 + "]" * 64, id="lists"),
        pytest.param("{a: " * 64 + "1" + "}" * 64, id="mappings"),
        pytest.param("[" * 100_000 + "]" * 100_000, id="very-deep"),
    ],
)
def test_values_nested_too_deep_are_refused(nested: str):
    with pytest.raises(LocatedError) as caught:
        parse_yaml(f"version: 1\nkpis: {nested}\n")
    assert (caught.value.line, caught.value.message) == (
        2,
        "the values nest more than 64 levels deep: a workspace file needs a "
        "handful; take out the extra brackets or indentation",
    )


def test_values_nested_64_deep_are_read():
    """The top-level mapping is the first level, and 63 lists inside it."""
    data = parse_yaml("a: " + "[" * 63 + "]" * 63 + "\n")
    lists = 0
    value = data["a"]
    while isinstance(value, list):
        value, lists = (value[0] if value else None), lists + 1
    assert lists == 63
