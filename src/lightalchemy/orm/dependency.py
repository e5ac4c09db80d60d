"""Flush of object graphs: what relationships add to the unit of work.

Before any SQL, the relationships' histories (kept by ``collections``) become
three lists: foreign keys to copy from a parent into a child ("sets"),
foreign keys to clear (a child left its parent), and rows of many-to-many
association tables to insert or delete.  Then each class is written in the
order of its dependencies (parents before children): its new objects are
inserted in batches (in levels when a class refers to itself), after their
foreign keys were copied from parents already written; then its changed
objects are updated.  Association rows follow, and deletions come last,
children first.  ``post_update`` relationships break cycles: their foreign
keys are written by an UPDATE after every row exists (and cleared before a
referenced row is deleted).
"""

from __future__ import annotations

from typing import Any

from .. import exc as sa_exc
from .._util import topo
from ..sql.dml import Delete, Insert
from ..sql.elements import BindParameter, and_
from . import events as _events
from . import exc as orm_exc
from . import persistence, unitofwork
from .attributes import _tracked_setattr
from .base import NO_VALUE
from .relationships import MANYTOMANY, MANYTOONE, ONETOMANY, _Marker
from .state import instance_state


class _Plan:
    def __init__(self) -> None:
        self.sets: list = []  # (source state or None, destination state, relationship)
        self.clears: list = []  # (child state, relationship)
        self.post_sets: list = []
        self.assoc_add: dict = {}  # (secondary, row items) -> row
        self.assoc_del: dict = {}
        self.keep: list = []  # objects loaded for the flush: alive until it ends


def flush(session: Any, new: list, dirty: list, deleted: list, conn: Any) -> tuple:
    """Write new/dirty/deleted states with their relationships; returns the final
    (new, dirty, deleted) lists for the Session's bookkeeping."""
    histories = _histories(new, dirty)
    _delete_orphans(session, histories)
    deleted = list(session._deleted)
    deleted_set = set(deleted)
    new = [s for s in new if s not in deleted_set]
    plan = _Plan()
    _collect(session, histories, deleted_set, plan)
    _collect_deleted(session, deleted, deleted_set, plan)
    mappers = list(dict.fromkeys(
        [s.mapper for s in new] + [s.mapper for s in dirty] + [s.mapper for s in deleted] +
        [dest.mapper for _, dest, _ in plan.sets] + [c.mapper for c, _ in plan.clears]))
    order = _mapper_order(mappers)
    new_by_mapper: dict = {}
    for state in new:
        new_by_mapper.setdefault(state.mapper, []).append(state)
    sets_by_mapper: dict = {}
    for entry in plan.sets:
        sets_by_mapper.setdefault(entry[1].mapper, []).append(entry)
    clears_by_mapper: dict = {}
    for entry in plan.clears:
        clears_by_mapper.setdefault(entry[0].mapper, []).append(entry)
    updated: list = []
    for mapper in order:
        pending = new_by_mapper.get(mapper, [])
        pending_set = set(pending)
        evented = _events.has_mapper_listeners(mapper)
        for child, prop in clears_by_mapper.get(mapper, ()):
            _apply(None, child, prop)
        later = []
        waiting: dict = {}
        for entry in sets_by_mapper.get(mapper, ()):
            source, dest, prop = entry
            if source is not None and source in pending_set and source.mapper is mapper:
                if dest in pending_set:
                    waiting.setdefault(dest, []).append(entry)
                else:
                    later.append(entry)
            elif dest not in pending_set:
                _apply(source, dest, prop)
            else:
                waiting.setdefault(dest, []).append(entry)
        persistent: list = []
        if evented:
            persistent = _before_save(conn, mapper, pending, pending_set, waiting, session,
                                      deleted_set)
        # as in a flush without relationships: a class's UPDATEs before its INSERTs
        # (a one-to-one's old child lets go of a unique key before the new one takes it)
        updated += _run_updates(session, conn, mapper, deleted_set)
        for level in _levels(pending, waiting):
            for dest in level:
                for source, _, prop in waiting.get(dest, ()):
                    _apply(source, dest, prop)
            for step in unitofwork.plan(level, [], []):
                persistence.run(step, session, conn)
        if later:
            for source, dest, prop in later:
                _apply(source, dest, prop)
            updated += _run_updates(session, conn, mapper, deleted_set)
        if evented:
            _events.fire_mapper("after_insert", mapper, conn, pending)
            _events.fire_mapper("after_update", mapper, conn, persistent)
    if plan.post_sets:
        touched = []
        for source, dest, prop in plan.post_sets:
            _apply(source, dest, prop)
            touched.append(dest)
        touched = [s for s in dict.fromkeys(touched) if s.committed_state]
        for step in unitofwork.plan([], touched, []):
            persistence.run(step, session, conn)
        updated.extend(touched)
    _write_associations(conn, plan)
    _clear_post_update_before_delete(session, conn, deleted, deleted_set, updated)
    by_mapper: dict = {}
    for state in deleted:
        by_mapper.setdefault(state.mapper, []).append(state)
    for mapper in reversed(order):
        states = by_mapper.get(mapper)
        if states:
            evented = _events.has_mapper_listeners(mapper)
            if evented:
                states = _events.by_identity(states)
                _events.fire_mapper("before_delete", mapper, conn, states)
            for level in _delete_levels(mapper, states):
                for step in unitofwork.plan([], [], level):
                    persistence.run(step, session, conn)
            if evented:
                _events.fire_mapper("after_delete", mapper, conn, states)
    return new, list(dict.fromkeys([*dirty, *updated])), deleted


def _before_save(conn: Any, mapper: Any, pending: list, pending_set: set, waiting: dict,
                 session: Any, deleted: set) -> list:
    """``before_insert`` / ``before_update`` for one class, once the keys of parents
    written earlier in the flush are copied in (as SQLAlchemy, whose listeners see
    them); returns the changed objects, in primary key order, for ``after_update``.

    Every changed object gets ``before_update``, also one whose only change is a
    collection, as SQLAlchemy calls it for each object it finds dirty."""
    for dest in pending:
        for source, _, prop in waiting.get(dest, ()):
            if source is None or source not in pending_set:
                _apply(source, dest, prop)
    persistent = _events.by_identity([
        s for s in session._modified
        if s.mapper is mapper and s.ident is not None and not s._deleted
        and s not in deleted])
    _events.fire_mapper("before_insert", mapper, conn, pending)
    _events.fire_mapper("before_update", mapper, conn, persistent)
    return persistent


def _run_updates(session: Any, conn: Any, mapper: Any, deleted: set) -> list:
    changed = [s for s in session._modified
               if s.mapper is mapper and s.ident is not None and not s._deleted
               and s not in deleted and s.committed_state]
    if changed:
        _drop_relationship_history(changed)
        for step in unitofwork.plan([], changed, []):
            persistence.run(step, session, conn)
        for state in changed:  # written: later changes in this flush start afresh
            state.committed_state = {}
    return changed


# -- histories ----------------------------------------------------------------------


def _histories(new: list, dirty: list) -> list:
    """[(state, relationship, new value, added, removed, changed to None)] for each
    relationship changed since the last flush; the change records are consumed."""
    out = []
    for state in (*new, *dirty):
        relationships = state.mapper._relationships
        if not relationships:
            continue
        obj = state()
        if obj is None:
            continue
        d = obj.__dict__
        committed = state.committed_state
        pending = state.ident is None
        for key, prop in relationships.items():
            if pending:
                if key not in d:
                    continue
                # written once and rolled back: changes since then (session._restore)
                old = committed.pop(key) if committed and key in committed else NO_VALUE
            elif committed and key in committed:
                old = committed.pop(key)
            else:
                continue
            if prop.viewonly:
                continue
            value = d.get(key, NO_VALUE)
            if value.__class__ is _Marker:
                value = NO_VALUE
            if value is NO_VALUE:
                continue
            if prop.uselist:
                old_items = list(old) if old is not NO_VALUE and old is not None else []
                new_items = list(value)
            else:
                old_items = [old] if old is not NO_VALUE and old is not None else []
                new_items = [value] if value is not None else []
            target = prop.mapper.class_
            for item in new_items:
                if not isinstance(item, target):
                    raise orm_exc.FlushError(
                        f"Attempting to flush an item of type {type(item)} as a member of "
                        f"'{prop}'. Expected an object of type {target} or a subclass; put "
                        f"{target.__name__} objects there."
                    )
            old_ids = {id(x) for x in old_items}
            new_ids = {id(x) for x in new_items}
            added = [x for x in new_items if id(x) not in old_ids]
            removed = [x for x in old_items if id(x) not in new_ids]
            to_none = value is None and (old is NO_VALUE or old is not None) and not pending
            out.append((state, prop, value, added, removed, to_none))
    return out


def _drop_relationship_history(states: list) -> None:
    """Relationship changes made during this flush (by backrefs of syncs) are not
    column changes; the plan must not see them."""
    for state in states:
        committed = state.committed_state
        relationships = state.mapper._relationships
        if committed and relationships:
            for key in [k for k in committed if k in relationships]:
                del committed[key]


def _has_other_parent(prop: Any, child: Any, parent: Any) -> bool:
    reverse = prop._reverse
    if reverse is None:
        return False
    value = child.__dict__.get(reverse.key, NO_VALUE)
    if value is NO_VALUE or value.__class__ is _Marker:
        return False
    if reverse.uselist:
        return any(p is not parent for p in value)
    return value is not None and value is not parent


def _delete_orphans(session: Any, histories: list) -> None:
    for state, prop, _value, _added, removed, to_none in histories:
        if prop.direction is ONETOMANY and prop.cascade.delete_orphan:
            parent = state()
            for child in removed:
                child_state = instance_state(child)
                if child_state.ident is not None and child_state.session is session and \
                        not child_state._deleted and not _has_other_parent(prop, child, parent):
                    session.delete(child)
        elif prop.direction is MANYTOONE and to_none:
            reverse = prop._reverse
            if reverse is not None and reverse.cascade.delete_orphan and \
                    state.session is session and state not in session._deleted:
                session.delete(state())


def _collect(session: Any, histories: list, deleted: set, plan: _Plan) -> None:
    for state, prop, value, added, removed, to_none in histories:
        if state in deleted or state._deleted:
            continue
        direction = prop.direction
        sets = plan.post_sets if prop.post_update else plan.sets
        if direction is MANYTOONE:
            if value is None:
                if to_none:
                    sets.append((None, state, prop))
            else:
                target = instance_state(value)
                # (a target deleted in this flush still gives its key, as in SQLAlchemy)
                if target.session is session and not target._deleted:
                    sets.append((target, state, prop))
                elif target.session is not session:
                    _not_in_session(prop, value)
        elif direction is ONETOMANY:
            for child in added:
                child_state = instance_state(child)
                if child_state.session is not session:
                    _not_in_session(prop, child)
                elif child_state not in deleted and not child_state._deleted:
                    sets.append((state, child_state, prop))
            for child in removed:
                child_state = instance_state(child)
                if child_state.session is session and child_state.ident is not None and \
                        child_state not in deleted and not prop.viewonly:
                    plan.clears.append((child_state, prop))
        else:
            for child in added:
                child_state = instance_state(child)
                if child_state.session is not session:
                    _not_in_session(prop, child)
                elif child_state not in deleted and not child_state._deleted:
                    _association(plan.assoc_add, prop, state, child_state)
            for child in removed:
                child_state = instance_state(child)
                if child_state.ident is not None and state.ident is not None and \
                        not child_state._deleted:  # a deleted row took its links along
                    _association(plan.assoc_del, prop, state, child_state)


def _collect_deleted(session: Any, deleted: list, deleted_set: set, plan: _Plan) -> None:
    for state in deleted:
        relationships = state.mapper._relationships
        if not relationships:
            continue
        obj = state()
        if obj is None:
            continue
        for prop in relationships.values():
            if prop.viewonly:
                continue
            if prop.direction is ONETOMANY and not prop.cascade.delete:
                if prop.passive_deletes:
                    continue
                members = _members(session, prop, obj)
                plan.keep.append(members)
                for child in members:
                    child_state = instance_state(child)
                    if child_state not in deleted_set and child_state.ident is not None \
                            and not child_state._deleted:
                        plan.clears.append((child_state, prop))
            elif prop.direction is MANYTOMANY:
                if prop.passive_deletes:
                    continue
                members = _members(session, prop, obj)
                plan.keep.append(members)
                for child in members:
                    child_state = instance_state(child)
                    if child_state.ident is not None and not child_state._deleted:
                        _association(plan.assoc_del, prop, state, child_state)


def _members(session: Any, prop: Any, obj: Any) -> list:
    d = obj.__dict__
    value = d.get(prop.key, NO_VALUE)
    committed = instance_state(obj).committed_state or {}
    old = committed.get(prop.key, NO_VALUE)
    if value is NO_VALUE or value.__class__ is _Marker:
        from .strategies import lazy_load

        state = instance_state(obj)
        value = lazy_load(session, prop, state, obj)
    items = list(value if prop.uselist else ([value] if value is not None else []))
    if old is not NO_VALUE and old is not None:  # members removed before the delete
        olds = list(old) if prop.uselist else [old]
        items += [x for x in olds if all(x is not y for y in items)]
    return items


def _not_in_session(prop: Any, obj: Any) -> None:
    import warnings

    warnings.warn(
        f"Object of type {type(obj).__name__} not in session, add operation along "
        f"'{prop}' will not proceed",
        sa_exc.SAWarning, stacklevel=6,
    )


def _association(target: dict, prop: Any, parent: Any, child: Any) -> None:
    row = {}
    for key, (_, sc) in zip(prop._parent_keys, prop.local_remote_pairs):
        row[sc] = (parent, key)
    for key, (_, sc) in zip(prop._target_keys, prop.secondary_pairs):
        row[sc] = (child, key)
    ident = (prop.secondary, frozenset((id(col), id(st), key) for col, (st, key) in row.items()))
    target[ident] = (prop.secondary, row)


def _write_associations(conn: Any, plan: _Plan) -> None:
    both = plan.assoc_add.keys() & plan.assoc_del.keys()
    for ident in both:  # removed and added again: the row stays
        del plan.assoc_add[ident]
        del plan.assoc_del[ident]
    for rows, make in ((plan.assoc_del, _delete_rows), (plan.assoc_add, _insert_rows)):
        by_table: dict = {}
        for secondary, row in rows.values():
            values = {col: _value(state, key) for col, (state, key) in row.items()}
            by_table.setdefault(secondary, []).append(values)
        for secondary, values in by_table.items():
            make(conn, secondary, values)


def _value(state: Any, key: str) -> Any:
    """An attribute's value for an association row; loaded if a commit expired it."""
    obj = state()
    if obj is None:
        return None
    value = obj.__dict__.get(key, NO_VALUE)
    if value is NO_VALUE:
        if key in state.mapper._pk_key_set and state.identity is not None:
            return state.identity[state.mapper._pk_keys.index(key)]
        value = getattr(obj, key)
    return value


def _insert_rows(conn: Any, table: Any, rows: list) -> None:
    columns = list(rows[0])
    stmt = Insert(table).values({c: BindParameter(f"a_{i}", None, c.type, required=True)
                                 for i, c in enumerate(columns)})
    params = [{f"a_{i}": row[c] for i, c in enumerate(columns)} for row in rows]
    conn.execute(stmt, params if len(params) > 1 else params[0])


def _delete_rows(conn: Any, table: Any, rows: list) -> None:
    columns = list(rows[0])
    stmt = Delete(table).where(and_(*[c == BindParameter(f"a_{i}", None, c.type, required=True)
                                      for i, c in enumerate(columns)]))
    params = [{f"a_{i}": row[c] for i, c in enumerate(columns)} for row in rows]
    result = conn.execute(stmt, params if len(params) > 1 else params[0])
    if result.rowcount not in (-1, len(rows)):
        raise orm_exc.StaleDataError(
            f"DELETE statement on table '{table.name}' expected to delete {len(rows)} row(s); "
            f"Only {result.rowcount} were matched."
        )


# -- applying foreign-key copies ------------------------------------------------------


def _apply(source: Any, dest: Any, prop: Any) -> None:
    """Copy the key values along ``prop`` into ``dest`` (None: clear them)."""
    obj = dest()
    if obj is None:
        return
    d = obj.__dict__
    # (source key, destination key): one-to-many (parent key, child key), dest the child;
    # many-to-one (target key, parent key), dest the parent
    pairs = prop.sync_pairs
    source_d = None
    if source is not None:
        source_obj = source()
        source_d = source_obj.__dict__ if source_obj is not None else {}
        if source.ident is None:
            raise orm_exc.FlushError(
                f"Can't copy the key of {source._describe()} into {dest._describe()} along "
                f"{prop}: it has not been inserted yet. The two classes depend on each other "
                "(a cycle); mark one relationship post_update=True."
            )
    for source_key, dest_key in pairs:
        if source_d is None:
            value = None
        else:
            value = source_d.get(source_key, NO_VALUE)
            if value is NO_VALUE:
                value = getattr(source(), source_key)
        if dest.ident is None:
            d[dest_key] = value
        elif d.get(dest_key, NO_VALUE) is NO_VALUE or d[dest_key] != value or (
                value is None and d[dest_key] is not None):
            if source is None and prop.direction is ONETOMANY and dest_key in dest.mapper._pk_key_set:
                raise AssertionError(
                    f"Dependency rule tried to blank-out primary key column "
                    f"'{dest.mapper.local_table.name}.{dest_key}' on instance "
                    f"'{dest._describe()}'"
                )
            _tracked_setattr(obj, dest_key, value)


def _levels(pending: list, waiting: dict) -> list:
    """New objects of one class in insert order: those that refer to another new one
    of the same class come after it."""
    if not pending:
        return []
    if not waiting:
        return [pending]
    pending_set = set(pending)
    depends = {}
    for dest, entries in waiting.items():
        depends[dest] = {s for s, _, _ in entries if s is not None and s in pending_set}
    levels = []
    done: set = set()
    remaining = list(pending)
    while remaining:
        level = [s for s in remaining if not (depends.get(s, set()) - done)]
        if not level:
            raise orm_exc.FlushError(
                "Cycle among new objects of "
                f"{remaining[0].mapper.class_.__name__}: each refers to another that is not "
                "inserted yet; break the cycle or mark the relationship post_update=True."
            )
        levels.append(level)
        done.update(level)
        level_set = set(level)
        remaining = [s for s in remaining if s not in level_set]
    return levels


def _delete_levels(mapper: Any, states: list) -> list:
    """Deleted objects of one class: children (referring to another deleted one) first."""
    self_refs = [p for p in mapper._relationships.values()
                 if p.mapper is mapper and p.direction is not MANYTOMANY and not p.viewonly]
    if not self_refs or len(states) < 2:
        return [states]
    by_ident = {s.ident: s for s in states}
    edges = []
    for state in states:
        obj = state()
        if obj is None:
            continue
        d = obj.__dict__
        for prop in self_refs:
            if prop.direction is ONETOMANY:
                keys = [child for _, child in prop.sync_pairs]
            else:
                keys = [parent for _, parent in prop.sync_pairs]
            values = tuple(d.get(k) for k in keys)
            parent = by_ident.get(values[0] if len(values) == 1 else values)
            if parent is not None and parent is not state:
                edges.append((state, parent))
    try:
        ordered = topo.sort(states, edges)
    except topo.CycleError:
        return [states]
    position = {s: i for i, s in enumerate(ordered)}
    depth = {s: 0 for s in states}
    for child, parent in sorted(edges, key=lambda e: position[e[0]]):
        depth[parent] = max(depth[parent], depth[child] + 1)
    levels: dict = {}
    for state in ordered:
        levels.setdefault(depth[state], []).append(state)
    return [levels[k] for k in sorted(levels)]


def _clear_post_update_before_delete(session: Any, conn: Any, deleted: list, deleted_set: set,
                                     updated: list) -> None:
    touched = []
    for state in deleted:
        for prop in state.mapper._relationships.values():
            if not prop.post_update or prop.direction is not MANYTOONE:
                continue
            obj = state()
            if obj is None:
                continue
            d = obj.__dict__
            keys = [parent for _, parent in prop.sync_pairs]
            if any(d.get(k) is not None for k in keys):
                for key in keys:
                    _tracked_setattr(obj, key, None)
                touched.append(state)
    if touched:
        # the rows are about to go: write the cleared keys without treating them as updated
        for step in unitofwork.plan([], list(dict.fromkeys(touched)), []):
            persistence.run(step, session, conn)


def _mapper_order(mappers: list) -> list:
    """Parents before children, by relationships (except post_update ones) and by
    the tables' foreign keys."""
    edges = []
    present = set(mappers)
    for mapper in mappers:
        for prop in mapper._relationships.values():
            if prop.viewonly or prop.post_update or prop.mapper is mapper:
                continue
            if prop.mapper not in present:
                continue
            if prop.direction is MANYTOONE:
                edges.append((prop.mapper, mapper))
            elif prop.direction is ONETOMANY:
                edges.append((mapper, prop.mapper))
    post = {(p.parent, p.mapper) for m in mappers for p in m._relationships.values()
            if p.post_update}
    post |= {(b, a) for a, b in post}
    tables = {m.local_table: m for m in mappers}
    for mapper in mappers:
        for fk in mapper.local_table.foreign_keys:
            target = fk._resolve_table()
            if target in tables and target is not mapper.local_table:
                edge = (tables[target], mapper)
                if edge not in post:
                    edges.append(edge)
    try:
        return topo.sort(mappers, edges)
    except topo.CycleError:
        return mappers
