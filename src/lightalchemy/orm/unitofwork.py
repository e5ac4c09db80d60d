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
from .._util.codegen import build
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
    if len(mappers) < 2:  # benchmark: single_insert_commit
        return mappers
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
    """Attribute keys whose current value differs from the committed one, in mapper
    order (so objects changed alike share one UPDATE shape).  Benchmark: ``update_dirty``."""
    committed = state.committed_state
    if not committed:
        return ()
    changed = []
    for key, old in committed.items():
        new = d.get(key, NO_VALUE)
        if new is not NO_VALUE and (old is NO_VALUE or not _same(old, new)):
            changed.append(key)
    if changed and state.mapper._expr_keys:  # column_property() expressions: read-only
        changed = [k for k in changed if k not in state.mapper._expr_keys]
    if len(changed) > 1:
        changed.sort(key=state.mapper._attr_order.__getitem__)
    return tuple(changed)


def _same(old: Any, new: Any) -> bool:
    if old is new:
        return True
    try:
        return bool(old == new)  # SQLAlchemy compares with ==: 1 → 1.0 writes nothing
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


def insert_columns_for(mapper: Any) -> Any:
    """``columns(obj.__dict__)``: the attribute keys one new object's INSERT carries.

    A key is carried when the object has a value for it, or when a Python-side
    default will supply one.  None counts as "no value" where the database or a
    default would fill the column in (SQLAlchemy does the same).  Keys come in
    table column order, as the compiler renders them.  Generated once per mapper.
    """
    found = mapper._caches.get("insert_columns")
    if found is not None:
        return found
    table = mapper.local_table
    order = {c: i for i, c in enumerate(table.columns)}
    ordered = sorted(mapper._table_props.items(), key=lambda kv: order[kv[1].column])
    # one bit per column; each distinct mask maps to its key tuple, made once
    lines = ["def insert_columns(d):", "    mask = 0"]
    for bit, (key, prop) in enumerate(ordered):
        col = prop.column
        if col.default is not None and not col.default.is_clause_element:
            lines.append(f"    mask |= {1 << bit}")
            continue
        none_is_missing = col.default is not None or col.server_default is not None or \
            col is table.autoincrement_column
        if none_is_missing:
            lines.append(f"    if d.get({key!r}) is not None:")
        else:
            lines.append(f"    if {key!r} in d:")
        lines.append(f"        mask |= {1 << bit}")
    lines.append("    found = shapes.get(mask)")
    lines.append("    return found if found is not None else shape_for(mask)")
    keys = [key for key, _ in ordered]
    shapes: dict = {}

    def shape_for(mask: int) -> tuple:
        shape = shapes[mask] = tuple(k for bit, k in enumerate(keys) if mask >> bit & 1)
        return shape

    name = f"insert_columns_{mapper.class_.__name__}"
    found = build(name, "\n".join(lines).replace("def insert_columns(", f"def {name}("),
                  {"shapes": shapes, "shape_for": shape_for})
    mapper._caches["insert_columns"] = found
    return found


def _insert_steps(mapper: Any, states: list) -> list:
    """Consecutive objects whose INSERTs carry the same columns form one step."""
    steps = []
    columns_of = insert_columns_for(mapper)
    current: list = []
    current_cols: tuple | None = None
    for state in states:
        cols = columns_of(state().__dict__)
        if cols is not current_cols and current:  # shapes are shared tuples
            steps.append(InsertRows(mapper, current_cols, tuple(current)))
            current = []
        current_cols = cols
        current.append(state)
    if current:
        steps.append(InsertRows(mapper, current_cols, tuple(current)))
    return steps
