"""YAML that remembers where things are: every mapping knows its line and its keys'.

Values are built straight from libyaml's event stream, without PyYAML's node tree:
a workspace of 300,000 readings parses three times faster in a third of the memory.
Dates are left as text here, so that the schema parses them and says which one is
impossible; duplicate keys are refused at the line of the second one.

A file is input from anyone (`drumbeat lint` runs in CI on pull requests), so it is
bounded while it is read: an alias shares its anchor's value rather than copying
it, but whatever walks the values later (validation, messages) walks every alias
out in full, so a few hundred bytes of anchors of anchors would stand for billions
of values. Aliases may stand for at most `MAX_ALIASED_NODES` nodes in all, values
may nest at most `MAX_DEPTH` deep (deeper would overflow the recursion of what
walks them), and an alias may not refer to the value that holds it.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import yaml

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
TIMESTAMP = "tag:yaml.org,2002:timestamp"

MAX_ALIASED_NODES = 10_000
"""Nodes (scalars, keys, mappings, lists) that aliases may stand for in one file:
the anchored values counted out in full, once for each alias."""
MAX_ALIASED_CHARACTERS = 1_000_000
"""Characters of text that aliases may stand for in one file, counted the same way
(a long text repeated by aliases would be copied into every message about it)."""
MAX_DEPTH = 64
"""How deep mappings and lists may nest (a workspace file needs six levels)."""

TOO_MANY_ALIASES = (
    "the file repeats anchors too often (more than {} aliased {}): write the values out"
)
TOO_DEEP = (
    f"the values nest more than {MAX_DEPTH} levels deep: a workspace file needs "
    "a handful; take out the extra brackets or indentation"
)

# YAML 1.2's core schema, not PyYAML's YAML 1.1: `012` is twelve, `1:30` is text,
# `1e5` is a number, `yes` is text. Dates stay text for the schema to check.
CORE_SCHEMA: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), "~nN"),
    (_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    (_INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), "-+0123456789"),
    (
        _FLOAT,
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        "-+.0123456789",
    ),
)


_CORE_TAGS = frozenset(tag for tag, _, _ in CORE_SCHEMA)
_CONTAINER_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", None, "!"}


def core_schema_resolvers(*, with_timestamps: bool) -> dict[Any, Any]:
    """Implicit resolvers for a PyYAML Loader or Dumper class, by first character."""
    resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    rules = list(CORE_SCHEMA)
    if with_timestamps:
        timestamp = next(
            (tag, regexp)
            for resolver in yaml.SafeLoader.yaml_implicit_resolvers.values()
            for tag, regexp in resolver
            if tag == TIMESTAMP
        )
        rules.append((*timestamp, "0123456789"))
    for tag, regexp, first_characters in rules:
        for first in [*first_characters, None] if tag == _NULL else first_characters:
            resolvers.setdefault(first, []).append((tag, regexp))
    return resolvers


def _core_value(tag: str, value: str) -> Any:
    """The Python value of a core-schema scalar (ValueError when it is not one)."""
    if tag == _NULL:
        if value not in ("", "~", "null", "Null", "NULL"):
            raise ValueError(value)
        return None
    if tag == _BOOL:
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise ValueError(value)
        return lowered == "true"
    if tag == _INT:
        if value.startswith(("0o", "0x")):
            return int(value, 0)
        return int(value, 10)
    lowered = value.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(value)


class LocatedError(Exception):
    """A problem at a line of the file (1-based); the loader adds the file name."""

    def __init__(self, line: int | None, field: str | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.field = field
        self.message = message


class Mapping(dict[Any, Any]):
    """A YAML mapping with the line it starts on and the line of each key."""

    __slots__ = ("key_lines", "line")

    line: int
    key_lines: dict[Any, int]


class _EventLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """libyaml's parser with YAML 1.2's core schema for plain scalars."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = core_schema_resolvers(
        with_timestamps=False
    )


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of small,
    acyclic objects: it would only rescan them (half the parse time)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class _Builder:
    """Turns parser events into plain values: Mapping, list, str, int, float,
    bool and None."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader: Any = loader  # libyaml's loader, loosely typed in the stubs
        self.anchors: dict[str, Any] = {}
        # Plain scalars repeat (keys, dates, small numbers): resolve each text once.
        self.plain: dict[str, Any] = {}

    def scalar(self, event: Any) -> Any:
        value: str = event.value
        tag = event.tag
        if tag is None and event.implicit[0]:
            try:
                return self.plain[value]
            except KeyError:
                resolved = self.plain[value] = self._resolve(event)
                return resolved
        return self._resolve(event)

    def _resolve(self, event: Any) -> Any:
        value: str = event.value
        tag = event.tag
        if tag is None or tag == "!":
            if not event.implicit[0]:
                return value  # quoted
            tag = self.loader.resolve(yaml.ScalarNode, value, event.implicit)
        if tag in (_STR, TIMESTAMP):
            return value
        line = event.start_mark.line + 1
        if tag not in _CORE_TAGS:
            raise LocatedError(line, None, f"unsupported YAML tag {tag}")
        try:
            return _core_value(tag, value)
        except ValueError:
            kind = tag.rsplit(":", 1)[-1]
            raise LocatedError(line, None, f"'{value}' is not a valid {kind}") from None

    def build(self) -> Any:
        """The document's value (None for an empty stream)."""
        loader = self.loader
        event: Any
        # Each open container: [value, pending key, line of that key, the node
        # count when it opened, its anchor].
        stack: list[list[Any]] = []
        result: Any = None
        documents = 0
        # Nodes and characters read so far, aliases counted out in full; an
        # anchored value's size is the count at its end less that at its start.
        nodes = characters = 0
        aliased_nodes = aliased_characters = 0
        sizes: dict[str, tuple[int, int]] = {}
        while True:
            event = loader.get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                value = self.scalar(event)
                nodes += 1
                characters += len(event.value)
                if event.anchor is not None:
                    self.anchors[event.anchor] = value
                    sizes[event.anchor] = (1, len(event.value))
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                line = event.start_mark.line + 1
                if event.tag not in _CONTAINER_TAGS:
                    raise LocatedError(line, None, f"unsupported YAML tag {event.tag}")
                if len(stack) >= MAX_DEPTH:
                    raise LocatedError(line, None, TOO_DEEP)
                container: Any
                if kind is yaml.MappingStartEvent:
                    container = Mapping()
                    container.line = line
                    container.key_lines = {}
                else:
                    container = []
                anchor = event.anchor
                if anchor is not None:
                    self.anchors[anchor] = container
                    sizes.pop(anchor, None)  # open: an alias to it would be a loop
                stack.append([container, None, None, (nodes, characters), anchor])
                nodes += 1
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                value, _, _, (nodes_at, characters_at), anchor = stack.pop()
                if anchor is not None:
                    sizes[anchor] = (nodes - nodes_at, characters - characters_at)
            elif kind is yaml.AliasEvent:
                line = event.start_mark.line + 1
                if event.anchor not in self.anchors:
                    raise LocatedError(line, None, f"unknown alias *{event.anchor}")
                size = sizes.get(event.anchor)
                if size is None:
                    raise LocatedError(
                        line,
                        None,
                        f"the alias *{event.anchor} is inside the value it names: "
                        "a value cannot hold itself",
                    )
                aliased_nodes += size[0]
                aliased_characters += size[1]
                if aliased_nodes > MAX_ALIASED_NODES:
                    raise LocatedError(
                        line,
                        None,
                        TOO_MANY_ALIASES.format(f"{MAX_ALIASED_NODES:,}", "nodes"),
                    )
                if aliased_characters > MAX_ALIASED_CHARACTERS:
                    raise LocatedError(
                        line,
                        None,
                        TOO_MANY_ALIASES.format(
                            f"{MAX_ALIASED_CHARACTERS:,}", "characters"
                        ),
                    )
                nodes += size[0]
                characters += size[1]
                value = self.anchors[event.anchor]
            elif kind is yaml.StreamEndEvent:
                return result
            else:  # stream and document starts and ends
                if kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        raise LocatedError(
                            event.start_mark.line + 1,
                            None,
                            "a workspace file holds one YAML document; this is a "
                            "second one",
                        )
                continue

            if not stack:
                result = value
                continue
            top = stack[-1]
            parent = top[0]
            if type(parent) is list:
                parent.append(value)
            elif top[2] is None:
                if kind is yaml.ScalarEvent:
                    value = event.value  # keys are text as written: `1`, `~`, `<<`
                self._check_key(parent, value, event)
                top[1], top[2] = value, event.start_mark.line + 1
            else:
                parent[top[1]] = value
                parent.key_lines[top[1]] = top[2]
                top[1] = top[2] = None

    @staticmethod
    def _check_key(mapping: Mapping, key: Any, event: Any) -> None:
        line = event.start_mark.line + 1
        if isinstance(key, dict | list):
            raise LocatedError(line, None, "a key must be plain text")
        if key in mapping:
            raise LocatedError(
                line,
                str(key),
                f"duplicate key '{key}' (first on line {mapping.key_lines[key]})",
            )


def parse_yaml(text: str) -> Any:
    """Parse YAML text into plain values whose mappings carry line numbers."""
    loader = _EventLoader(text)
    try:
        with collector_paused():
            return _Builder(loader).build()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        problem = error.problem or error.context or "unreadable"
        raise LocatedError(line, None, f"malformed YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise LocatedError(None, None, f"malformed YAML: {error}") from None
    finally:
        loader.dispose()
