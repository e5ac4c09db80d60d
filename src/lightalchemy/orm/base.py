"""Markers shared by the ORM modules."""

from __future__ import annotations


class _NoValue:
    """An attribute that has no value at all (never set, never loaded)."""

    __slots__ = ()

    # printed as SQLAlchemy prints its NO_VALUE (a member of an enum), since programs
    # show ``inspect(obj).attrs.x.loaded_value`` in logs and doctests
    def __repr__(self) -> str:
        return "<LoaderCallableStatus.NO_VALUE: 4>"

    def __str__(self) -> str:
        return "LoaderCallableStatus.NO_VALUE"

    def __bool__(self) -> bool:
        return False


NO_VALUE = _NoValue()
STATE_KEY = "_sa_instance_state"
