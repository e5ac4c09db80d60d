"""Mapped attributes on the class, and change tracking on the instance.

Reads are plain ``obj.__dict__`` hits: ``InstrumentedAttribute`` is a
non-data descriptor, consulted only when a value is absent (never loaded or
expired), and then it asks the state to load it.  Writes go through the
mapped class's ``__setattr__``, which records the old value on first change
of a persistent object and puts its state in the session's modified set.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..sql import operators as ops
from ..sql.elements import _operate
from .attribute_events import (  # noqa: F401  (public names, as in SQLAlchemy)
    OP_APPEND,
    OP_BULK_REPLACE,
    OP_REMOVE,
    OP_REPLACE,
    AttributeEventToken,
)
from .base import NO_VALUE, STATE_KEY

#: SQLAlchemy 2.0's other name for NO_VALUE
NEVER_SET = NO_VALUE
#: SQLAlchemy's older name of AttributeEventToken
Event = AttributeEventToken


class QueryableAttribute(ops.ColumnOperators):
    """``Person.name``: usable in expressions, and the descriptor for instances."""

    is_attribute = True

    def __init__(self, class_: type, key: str, prop: Any) -> None:
        self.class_ = class_
        self.key = key
        self.prop = prop
        self.property = prop
        self.parent = None

    # -- descriptor -----------------------------------------------------------
    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        d = obj.__dict__
        state = d.get(STATE_KEY)
        if state is None:
            return self.prop._default_for_unset()
        return state._load_unloaded(obj, self.key)

    def __set_name__(self, owner: type, name: str) -> None:
        pass

    # -- expressions ------------------------------------------------------------
    def __clause_element__(self) -> Any:
        return self.prop.column

    @property
    def expression(self) -> Any:
        return self.prop.column

    @property
    def comparator(self) -> Any:
        return self

    @property
    def type(self) -> Any:
        return self.prop.column.type

    @property
    def name(self) -> str:
        return self.prop.column.name

    @property
    def table(self) -> Any:
        return self.prop.column.table

    @property
    def info(self) -> dict:
        return self.prop.column.info

    @property
    def _from_objects(self) -> list:
        return self.prop.column._from_objects

    def operate(self, op: Any, *other: Any, **kw: Any) -> Any:
        return _operate(self.prop.column, op, other, kw)

    def reverse_operate(self, op: Any, other: Any, **kw: Any) -> Any:
        return self.prop.column.reverse_operate(op, other, **kw)

    def label(self, name: str | None) -> Any:
        return self.prop.column.label(name)

    def cast(self, type_: Any) -> Any:
        return self.prop.column.cast(type_)

    def __repr__(self) -> str:
        return f"{self.class_.__name__}.{self.key}"

    __hash__ = object.__hash__


InstrumentedAttribute = QueryableAttribute


def set_attribute(obj: Any, key: str, value: Any) -> None:
    """Assign through change tracking (what ``obj.key = value`` does)."""
    setattr(obj, key, value)


def get_attribute(obj: Any, key: str) -> Any:
    return getattr(obj, key)


def _tracked_setattr(self: Any, key: str, value: Any) -> None:
    """``__setattr__`` of mapped classes: record the old value on first change."""
    d = self.__dict__
    state = d.get(STATE_KEY)
    if state is not None and state.ident is not None and key in state.mapper._attr_key_set:
        committed = state.committed_state
        if committed is None:
            committed = state._mark_modified(self)
        if key not in committed:
            committed[key] = d.get(key, NO_VALUE)
    object.__setattr__(self, key, value)


def _tracked_delattr(self: Any, key: str) -> None:
    d = self.__dict__
    state = d.get(STATE_KEY)
    if state is not None and state.ident is not None and key in state.mapper._attr_key_set:
        committed = state.committed_state
        if committed is None:
            committed = state._mark_modified(self)
        committed.setdefault(key, d.get(key, NO_VALUE))
        d[key] = None
        return
    object.__delattr__(self, key)


class History(NamedTuple):
    added: Any
    unchanged: Any
    deleted: Any

    def has_changes(self) -> bool:
        return bool(self.added or self.deleted)

    def empty(self) -> bool:
        return not (self.added or self.unchanged or self.deleted)

    def non_added(self) -> list:
        return list(self.unchanged or ()) + list(self.deleted or ())

    def non_deleted(self) -> list:
        return list(self.added or ()) + list(self.unchanged or ())

    def sum(self) -> list:
        return list(self.added or ()) + list(self.unchanged or ()) + list(self.deleted or ())


def attribute_history(state: Any, key: str) -> History:
    d = state.dict
    committed = state.committed_state or {}
    prop = state.mapper._relationships.get(key)
    if prop is not None:
        return _relationship_history(state, prop, d, committed)
    if key in committed:
        old = committed[key]
        new = d.get(key, NO_VALUE)
        if old is NO_VALUE:
            return History([new] if new is not NO_VALUE else (), (), ())
        if new is NO_VALUE:
            return History((), (), [old])
        if _values_equal(old, new):
            return History((), [new], ())
        return History([new], (), [old] if old is not None or state.ident is not None else ())
    if key not in d:
        return History((), (), ())
    value = d[key]
    if state.ident is None:
        return History([value], (), ())
    return History((), [value], ())


def _relationship_history(state: Any, prop: Any, d: dict, committed: dict) -> History:
    from .relationships import loaded_value

    value = loaded_value(d, prop.key)
    if value is NO_VALUE:
        return History((), (), ())
    current = list(value) if prop.uselist else ([value] if value is not None else [])
    if prop.key in committed or state.ident is None:
        old = committed.get(prop.key, NO_VALUE)
        before = [] if old is NO_VALUE or old is None else (list(old) if prop.uselist
                                                             else [old])
        before_ids = {id(x) for x in before}
        now_ids = {id(x) for x in current}
        added = [x for x in current if id(x) not in before_ids]
        unchanged = [x for x in current if id(x) in before_ids]
        deleted = [x for x in before if id(x) not in now_ids]
        if not prop.uselist and value is None and old is not NO_VALUE and old is not None:
            added = [None]
        return History(added or (), unchanged or (), deleted or ())
    return History((), current, ())


def _values_equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b) or a is b
    except Exception:
        return a is b


def get_history(obj: Any, key: str, passive: Any = None) -> History:
    from .state import instance_state

    return attribute_history(instance_state(obj), key)


class AttributeState:
    """``inspect(obj).attrs.name``: value, history and loaded value of one attribute."""

    def __init__(self, state: Any, key: str) -> None:
        self.state = state
        self.key = key

    @property
    def value(self) -> Any:
        return getattr(self.state.obj(), self.key)

    @property
    def loaded_value(self) -> Any:
        return self.state.dict.get(self.key, NO_VALUE)

    @property
    def history(self) -> History:
        return attribute_history(self.state, self.key)

    def load_history(self) -> History:
        if self.key not in self.state.dict and self.state.ident is not None:
            getattr(self.state.obj(), self.key)
        return self.history


class AttributeStateCollection:
    """Attribute states by key, readable as attributes or items."""

    def __init__(self, state: Any) -> None:
        self._state = state

    def _keys(self) -> tuple:
        mapper = self._state.mapper  # relationships, then columns: SQLAlchemy's order
        return tuple(mapper._relationships) + mapper._attr_keys

    def __getattr__(self, key: str) -> AttributeState:
        if key.startswith("_") or key not in self._keys():
            raise AttributeError(key)
        return AttributeState(self._state, key)

    def __getitem__(self, key: str) -> AttributeState:
        if key not in self._keys():
            raise KeyError(key)
        return AttributeState(self._state, key)

    def __iter__(self):
        return iter(AttributeState(self._state, k) for k in self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    def keys(self) -> list[str]:
        return list(self._keys())

    def items(self) -> list:
        return [(k, AttributeState(self._state, k)) for k in self._keys()]

    def values(self) -> list:
        return [AttributeState(self._state, k) for k in self._keys()]

    def __contains__(self, key: str) -> bool:
        return key in self._keys()
