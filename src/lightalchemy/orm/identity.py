"""The identity map: one state per (class, primary key, token) per Session."""

from __future__ import annotations

from typing import Any


class IdentityMap(dict):
    """A dict of identity key → InstanceState; objects themselves are held weakly."""

    def _discard_state(self, state: Any) -> None:
        key = state.key
        if key is not None and dict.get(self, key) is state and not state.modified:
            del self[key]

    def objects(self) -> list:
        out = []
        for state in list(self.values()):
            obj = state.obj()
            if obj is not None:
                out.append(obj)
        return out
