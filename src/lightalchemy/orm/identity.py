"""The identity map: one state per (class, primary key, token) per Session."""

from __future__ import annotations

from typing import Any


class IdentityMap(dict):
    """Identity key → InstanceState; objects themselves are held weakly.

    ``get`` and ``[]`` answer with the object, as SQLAlchemy's identity map
    does; the ORM's own code reads states through ``_state_get``.
    """

    _state_get = dict.get

    def get(self, key: Any, default: Any = None) -> Any:  # type: ignore[override]
        state = dict.get(self, key)
        if state is None:
            return default
        obj = state.obj()
        return default if obj is None else obj

    def __getitem__(self, key: Any) -> Any:
        obj = dict.__getitem__(self, key).obj()
        if obj is None:
            raise KeyError(key)
        return obj

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
