"""The flush of classes without relationships when mapper listeners exist.

The ordinary flush plans every step before running any (``unitofwork.plan``).
A ``before_insert`` / ``before_update`` listener may change its object, and
SQLAlchemy writes that change in the same flush, so here each class is planned
only after its listeners ran.  Per class, as SQLAlchemy: ``before_insert`` for the
new objects (in the order they were added), ``before_update`` for the changed
ones (in primary key order, also those with no net change), the UPDATEs and
INSERTs, then ``after_insert`` / ``after_update`` in the same order; deletions
follow, children first, with ``before_delete`` / ``after_delete`` around them.

Taken only while some mapper listener is registered, so that the batched flush of
``bulk_create`` / ``update_dirty`` stays as it is.
"""

from __future__ import annotations

from typing import Any

from . import persistence, unitofwork
from .events import by_identity, fire_mapper


def flush(session: Any, new: list, dirty: list, deleted: list, conn: Any) -> None:
    new_by: dict = {}
    for state in new:
        new_by.setdefault(state.mapper, []).append(state)
    dirty_by: dict = {}
    for state in dirty:
        dirty_by.setdefault(state.mapper, []).append(state)
    deleted_by: dict = {}
    for state in deleted:
        deleted_by.setdefault(state.mapper, []).append(state)
    order = unitofwork._mapper_order(list(dict.fromkeys([*new_by, *dirty_by, *deleted_by])))
    for mapper in order:
        pending = new_by.get(mapper, [])
        persistent = by_identity(dirty_by.get(mapper, []))
        save(session, conn, mapper, pending, persistent)
    for mapper in reversed(order):
        states = deleted_by.get(mapper)
        if states:
            states = by_identity(states)
            fire_mapper("before_delete", mapper, conn, states)
            for step in unitofwork.plan([], [], states):
                persistence.run(step, session, conn)
            fire_mapper("after_delete", mapper, conn, states)


def save(session: Any, conn: Any, mapper: Any, pending: list, persistent: list) -> None:
    """One class's INSERTs and UPDATEs, planned after its ``before_*`` listeners ran."""
    fire_mapper("before_insert", mapper, conn, pending)
    fire_mapper("before_update", mapper, conn, persistent)
    for step in unitofwork.plan(pending, persistent, []):
        persistence.run(step, session, conn)
    fire_mapper("after_insert", mapper, conn, pending)
    fire_mapper("after_update", mapper, conn, persistent)
