"""YAML that remembers where things are: every mapping knows its line and its keys'.

Dates are left as text here, so that the schema parses them and says which one is
impossible; duplicate keys are refused at the line of the second one.
"""

from __future__ import annotations

import gc
from typing import Any, ClassVar

import yaml

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


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


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Mapping:
    mapping = Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            duplicate = key in mapping
        except TypeError:
            raise LocatedError(line, None, "a key must be plain text") from None
        if duplicate:
            raise LocatedError(
                line,
                str(key),
                f"duplicate key '{key}' (first on line {mapping.key_lines[key]})",
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def parse_yaml(text: str) -> Any:
    """Parse YAML text into plain values whose mappings carry line numbers."""
    # The loader makes millions of small objects and no cycles: the cyclic
    # collector would only rescan them (it was half the parse time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        problem = error.problem or error.context or "unreadable"
        raise LocatedError(line, None, f"malformed YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise LocatedError(None, None, f"malformed YAML: {error}") from None
    finally:
        if collecting:
            gc.enable()
