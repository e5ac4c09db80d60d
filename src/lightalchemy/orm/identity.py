"""The identity map: one state per (class, primary key) per Session.

States are kept per mapper, keyed by the bare primary-key value (a tuple only
for composite keys), so the loader probes it without building SQLAlchemy's
``(class, (pk,), None)`` key for every row (benchmark: ``load_all``).  The
public face (``session.identity_map``) still speaks SQLAlchemy's keys and
answers with objects.  Objects themselves are held weakly by their states.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class IdentityMap:
    __slots__ = ("_maps",)

    def __init__(self) -> None:
        self._maps: dict = {}

    # -- the ORM's own access, by mapper and bare key ---------------------------
    def _map_for(self, mapper: Any) -> dict:
        found = self._maps.get(mapper)
        if found is None:
            found = self._maps[mapper] = {}
        return found

    def _state_for(self, mapper: Any, ident: Any) -> Any:
        found = self._maps.get(mapper)
        return found.get(ident) if found is not None else None

    def _add(self, state: Any) -> None:
        self._map_for(state.mapper)[state.ident] = state

    def _remove(self, state: Any) -> None:
        """Forget ``state`` if it is the one held under its key."""
        found = self._maps.get(state.mapper)
        if found is not None and found.get(state.ident) is state:
            del found[state.ident]

    def states(self) -> list:
        return [state for found in self._maps.values() for state in found.values()]

    def objects(self) -> list:
        return [obj for obj in (state() for state in self.states()) if obj is not None]

    # -- SQLAlchemy's view: identity keys → objects --------------------------------
    def _split(self, key: Any) -> tuple:
        cls, ident, _token = key
        mapper = getattr(cls, "__mapper__", None)
        if mapper is None:
            return None, None
        return mapper, (ident[0] if len(mapper._pk_keys) == 1 else tuple(ident))

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            mapper, ident = self._split(key)
        except (TypeError, ValueError):
            return default
        state = self._state_for(mapper, ident) if mapper is not None else None
        obj = state() if state is not None else None
        return default if obj is None else obj

    def __getitem__(self, key: Any) -> Any:
        obj = self.get(key)
        if obj is None:
            raise KeyError(key)
        return obj

    def __contains__(self, key: Any) -> bool:
        return self.get(key) is not None

    def keys(self) -> list:
        return [state.key for state in self.states() if state() is not None]

    def values(self) -> list:
        return self.objects()

    def items(self) -> list:
        return [(state.key, obj) for state in self.states() if (obj := state()) is not None]

    def __iter__(self) -> Iterator:
        return iter(self.keys())

    def __len__(self) -> int:
        return sum(len(found) for found in self._maps.values())

    def __bool__(self) -> bool:
        return any(self._maps.values())
