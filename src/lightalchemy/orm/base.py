"""Markers shared by the ORM modules."""

from __future__ import annotations


class _NoValue:
    """An attribute that has no value at all (never set, never loaded)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __bool__(self) -> bool:
        return False


NO_VALUE = _NoValue()
STATE_KEY = "_sa_instance_state"
