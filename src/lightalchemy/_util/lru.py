"""A bounded mapping for compiled-statement caches."""

from __future__ import annotations

from typing import Any


class LRUCache(dict):
    """A dict that forgets its oldest entries once it grows past ``capacity``.

    Reads are plain ``dict.get`` (no bookkeeping on the hot path); when the
    cache overflows, the oldest half is dropped in insertion order.  Shapes
    that repeat are inserted early, so they tend to survive a trim.
    """

    def __init__(self, capacity: int = 500) -> None:
        super().__init__()
        self.capacity = capacity

    def __setitem__(self, key: Any, value: Any) -> None:
        if len(self) >= self.capacity:
            for old in list(self)[: self.capacity // 2]:
                self.pop(old, None)  # another thread may have trimmed it already
        super().__setitem__(key, value)
