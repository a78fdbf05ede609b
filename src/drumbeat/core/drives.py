"""Which KPIs drive which: a leading KPI `drives` the lagging ones it moves.
The links must not come back to where they start (a KPI that drives itself,
through others or not, explains nothing)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def drives_cycle(drives: Mapping[str, Iterable[str]], start: str) -> list[str] | None:
    """The keys of a cycle of `drives` links through `start`, starting and
    ending with it (`["a", "b", "a"]`; `["a", "a"]` when it drives itself), or
    None. Links to keys `drives` does not hold lead nowhere. The shortest such
    cycle, found breadth first, so that the message names the fewest KPIs."""
    paths = [[start]]
    seen = {start}
    while paths:
        longer = []
        for path in paths:
            for driven in drives.get(path[-1], ()):
                if driven == start:
                    return [*path, start]
                if driven not in seen:
                    seen.add(driven)
                    longer.append([*path, driven])
        paths = longer
    return None


def drives_cycle_text(cycle: Iterable[str]) -> str:
    """`drives back to itself: a → b → a`: why the links are refused."""
    return f"drives back to itself: {' → '.join(cycle)}"


def drives_cycles(
    drives: Mapping[str, Iterable[str]], keys: Iterable[str]
) -> dict[str, list[str]]:
    """Each cycle of `drives` links once, by the first of `keys` (in their order)
    it runs through: `{start: cycle}`. A cycle a → b → a is b → a → b seen from b,
    so a check of every key would name it once from each end; a second cycle
    through the same KPIs is the same cycle told again."""
    found: dict[str, list[str]] = {}
    seen: set[frozenset[str]] = set()
    for key in keys:
        cycle = drives_cycle(drives, key)
        if cycle is not None and (members := frozenset(cycle)) not in seen:
            seen.add(members)
            found[key] = cycle
    return found
