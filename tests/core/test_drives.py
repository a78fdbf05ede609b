"""A KPI's `drives` links never lead back to it."""

from __future__ import annotations

import pytest

from drumbeat.core.drives import drives_cycle, drives_cycle_text, drives_cycles


@pytest.mark.parametrize(
    ("drives", "start", "cycle"),
    [
        ({}, "a", None),
        ({"a": ["b"]}, "a", None),
        ({"a": ["b"], "b": ["c"]}, "a", None),
        ({"a": ["a"]}, "a", ["a", "a"]),
        ({"a": ["b"], "b": ["a"]}, "a", ["a", "b", "a"]),
        ({"a": ["b"], "b": ["c"], "c": ["a"]}, "a", ["a", "b", "c", "a"]),
        ({"a": ["b", "c"], "b": ["c"], "c": ["a"]}, "a", ["a", "c", "a"]),
        ({"a": ["b"], "b": ["c"], "c": ["b"]}, "a", None),  # a cycle not through a
        ({"a": ["missing"]}, "a", None),
    ],
)
def test_drives_cycle(drives, start, cycle):
    assert drives_cycle(drives, start) == cycle


def test_drives_cycle_text_names_the_way_round():
    assert drives_cycle_text(["a", "b", "a"]) == "drives back to itself: a → b → a"


@pytest.mark.parametrize(
    ("drives", "keys", "cycles"),
    [
        ({"a": ["b"]}, ["a", "b"], {}),
        ({"a": ["b"], "b": ["a"]}, ["a", "b"], {"a": ["a", "b", "a"]}),
        ({"a": ["b"], "b": ["a"]}, ["b", "a"], {"b": ["b", "a", "b"]}),
        (
            {"a": ["b"], "b": ["c"], "c": ["a"]},
            ["c", "a", "b"],
            {"c": ["c", "a", "b", "c"]},
        ),
        (
            {"a": ["a"], "b": ["c"], "c": ["b"]},
            ["a", "b", "c"],
            {"a": ["a", "a"], "b": ["b", "c", "b"]},
        ),
    ],
)
def test_each_cycle_is_named_once(drives, keys, cycles):
    assert drives_cycles(drives, keys) == cycles
