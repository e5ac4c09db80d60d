"""Topological sort with a cycle report that names the members."""

from __future__ import annotations

from collections.abc import Hashable, Iterable


class CycleError(ValueError):
    def __init__(self, members: list) -> None:
        super().__init__(f"dependency cycle between {', '.join(map(str, members))}")
        self.members = members


def sort(items: Iterable[Hashable], edges: Iterable[tuple[Hashable, Hashable]]) -> list:
    """Order ``items`` so that for each (before, after) edge, before comes first.

    Items keep their given order where no edge constrains them, so the result
    is deterministic.
    """
    order = list(items)
    position = {item: i for i, item in enumerate(order)}
    after: dict = {item: [] for item in order}
    incoming = dict.fromkeys(order, 0)
    for before, later in edges:
        if before == later or before not in position or later not in position:
            continue
        after[before].append(later)
        incoming[later] += 1
    ready = [item for item in order if incoming[item] == 0]
    result = []
    while ready:
        item = ready.pop(0)
        result.append(item)
        for later in after[item]:
            incoming[later] -= 1
            if incoming[later] == 0:
                ready.append(later)
    if len(result) != len(order):
        raise CycleError([item for item in order if incoming[item] > 0])
    return result
