"""The flush plan: which rows to INSERT, UPDATE and DELETE, in which order.

``plan()`` only reads the session and returns frozen steps; it runs no SQL,
so tests can assert it without a database.  Tables are ordered by their
foreign keys: inserts and updates parents first, deletes children first.
Objects of one class with the same set of columns share one step, so that
persistence can send them as one batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._util import topo
from .base import NO_VALUE


@dataclass(frozen=True)
class InsertRows:
    mapper: Any
    columns: tuple  # attribute keys given a value by the objects
    states: tuple


@dataclass(frozen=True)
class UpdateRows:
    mapper: Any
    columns: tuple  # attribute keys whose value changed
    states: tuple


@dataclass(frozen=True)
class DeleteRows:
    mapper: Any
    states: tuple


def _mapper_order(mappers: list) -> list:
    tables = {m.local_table: m for m in mappers}
    edges = []
    for mapper in mappers:
        for fk in mapper.local_table.foreign_keys:
            target = fk._resolve_table()
            if target in tables and target is not mapper.local_table:
                edges.append((tables[target], mapper))
    try:
        return topo.sort(mappers, edges)
    except topo.CycleError:
        return mappers


def changed_columns(state: Any, d: dict) -> tuple:
    """Attribute keys whose current value differs from the committed one."""
    committed = state.committed_state
    if not committed:
        return ()
    changed = []
    for key, old in committed.items():
        new = d.get(key, NO_VALUE)
        if new is NO_VALUE:
            continue
        if old is NO_VALUE or not _same(old, new):
            changed.append(key)
    return tuple(changed)


def _same(old: Any, new: Any) -> bool:
    if old is new:
        return True
    try:
        return type(old) is type(new) and bool(old == new)
    except Exception:
        return False


def plan(new: list, dirty: list, deleted: list) -> list:
    """Steps for one flush, in execution order."""
    by_mapper_new: dict = {}
    for state in new:
        by_mapper_new.setdefault(state.mapper, []).append(state)
    by_mapper_dirty: dict = {}
    for state in dirty:
        obj = state.obj()
        if obj is None:
            continue
        columns = changed_columns(state, obj.__dict__)
        if columns:
            by_mapper_dirty.setdefault(state.mapper, {}).setdefault(columns, []).append(state)
    by_mapper_deleted: dict = {}
    for state in deleted:
        by_mapper_deleted.setdefault(state.mapper, []).append(state)
    mappers = list(dict.fromkeys([*by_mapper_new, *by_mapper_dirty, *by_mapper_deleted]))
    order = _mapper_order(mappers)
    steps: list = []
    for mapper in order:
        for columns, states in by_mapper_dirty.get(mapper, {}).items():
            steps.append(UpdateRows(mapper, columns, tuple(states)))
        states = by_mapper_new.get(mapper)
        if states:
            steps.extend(_insert_steps(mapper, states))
    for mapper in reversed(order):
        states = by_mapper_deleted.get(mapper)
        if states:
            steps.append(DeleteRows(mapper, tuple(states)))
    return steps


def _insert_steps(mapper: Any, states: list) -> list:
    """Consecutive objects with the same given columns form one step."""
    steps = []
    keys = mapper._attr_keys
    current: list = []
    current_cols: tuple | None = None
    for state in states:
        d = state.obj().__dict__
        cols = tuple(k for k in keys if k in d)
        if cols != current_cols and current:
            steps.append(InsertRows(mapper, current_cols, tuple(current)))
            current = []
        current_cols = cols
        current.append(state)
    if current:
        steps.append(InsertRows(mapper, current_cols, tuple(current)))
    return steps
