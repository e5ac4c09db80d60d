"""Session: the unit of work, the identity map and the transaction, together.

The Session owns at most one Connection at a time, begun on first need and
released at commit, rollback or close.  Flush runs the plan from
``unitofwork.plan`` through ``persistence.run``; a failed flush rolls the
database back at once and the Session demands ``rollback()`` before more work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from .. import exc as sa_exc
from .._util import gcpause
from ..inspection import inspect
from . import events as _events
from . import exc as orm_exc
from . import loading
from . import mapper as _mapper_mod
from .base import NO_VALUE, STATE_KEY
from .identity import IdentityMap
from .relationships import _Marker
from .state import _EXPIRED_TRANSIENT, InstanceState, _object_gone, instance_state

#: at most this many new objects are sent with their COMMIT in one round trip (more
#: go as batched INSERTs by the ordinary flush)
_ONE_TRIP_MAX = 16


class SessionTransaction:
    """The Session's view of BEGIN (root) or SAVEPOINT (nested)."""

    def __init__(self, session: Session, parent: SessionTransaction | None = None,
                 nested: bool = False) -> None:
        self.session = session
        self.parent = parent
        self.nested = nested
        self._db_nested: Any = None
        self._active = True
        self._mark_new = len(session._flushed_new)
        self._mark_deleted = len(session._flushed_deleted)
        self._snapshot_new: dict = {}

    @property
    def is_active(self) -> bool:
        return self._active and self.session._transaction is not None

    def commit(self) -> None:
        if self.nested:
            self.session._commit_nested(self)
        else:
            self.session.commit()

    def rollback(self) -> None:
        if self.nested:
            self.session._rollback_nested(self)
        else:
            self.session.rollback()

    def close(self) -> None:
        if self._active:
            self.rollback()

    def __enter__(self) -> SessionTransaction:
        return self

    def __exit__(self, type_: Any, value: Any, tb: Any) -> None:
        if not self._active:
            return
        if type_ is None:
            try:
                self.commit()
            except BaseException:
                with contextlib.suppress(Exception):
                    self.rollback()
                raise
        else:
            self.rollback()


class Session:
    """The ORM's handle on the database; see SQLAlchemy's Session for the contract."""

    _is_asyncio = False
    #: identifier -> listeners registered on this Session instance (orm/events.py)
    _event_listeners: dict | None = None

    def __init__(self, bind: Any = None, *, autoflush: bool = True,
                 expire_on_commit: bool = True, autobegin: bool = True,
                 twophase: bool = False, binds: dict | None = None,
                 enable_baked_queries: bool = True, info: dict | None = None,
                 query_cls: Any = None, autocommit: bool = False,
                 join_transaction_mode: str = "conservative_savepoint",
                 close_resets_only: Any = True) -> None:
        if autocommit:
            raise sa_exc.ArgumentError(
                "autocommit=True is no longer supported (as in SQLAlchemy 2.0); use "
                "'with session.begin():' or call session.commit() explicitly."
            )
        self.bind = bind
        self.autoflush = autoflush
        self.expire_on_commit = expire_on_commit
        self.autobegin = autobegin
        self.info = info or {}
        self._query_cls = query_cls
        self._identity_map = IdentityMap()
        self._new: dict[InstanceState, Any] = {}
        self._deleted: dict[InstanceState, Any] = {}
        self._modified: set = set()
        self._flushed_new: list = []
        self._flushed_deleted: list = []
        self._kept_deleted: list = []  # committed deletions (expire_on_commit=False)
        #: state -> {collection key: [objects]}: backref appends to collections not
        #: loaded yet, applied when they load; forgotten once a flush has written them
        self._pending_appends: dict = {}
        self._transaction: SessionTransaction | None = None
        self._stack: list[SessionTransaction] = []
        self._conn: Any = None
        self._flushing = False
        self._failed: BaseException | None = None
        #: ``_failed`` came from the COMMIT itself, not from a flush
        self._failed_commit = False
        self._no_autoflush = 0

    # -- context manager ------------------------------------------------------------
    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # -- transaction ------------------------------------------------------------------
    def _autobegin(self) -> SessionTransaction:
        if self._transaction is None:
            if not self.autobegin:
                raise sa_exc.InvalidRequestError(
                    "Autobegin is disabled on this Session; please call session.begin() to "
                    "start a new transaction"
                )
            self._transaction = SessionTransaction(self)
        return self._transaction

    def _check_failed(self) -> None:
        if self._failed is not None:
            if self._failed_commit:
                # as SQLAlchemy: the objects keep the state the flush gave them until
                # rollback(), and no SQL may run in the transaction meanwhile
                raise sa_exc.InvalidRequestError(
                    f"This Session's COMMIT failed ({self._failed}); no further SQL can be "
                    "emitted within its transaction. Call Session.rollback() first."
                )
            raise sa_exc.PendingRollbackError(
                "This Session's transaction has been rolled back due to a previous exception "
                f"during flush. To begin a new transaction with this Session, first issue "
                f"Session.rollback(). Original exception was: {self._failed}",
                code="7s2a",
            )

    def _connection(self) -> Any:
        """The Connection of the current transaction, begun on first need."""
        if self._failed is not None:
            self._check_failed()
        conn = self._conn
        if conn is not None:
            return conn
        self._autobegin()
        if self.bind is None:
            raise sa_exc.UnboundExecutionError(
                "This Session is not bound to an engine or connection; pass bind=engine to "
                "Session() or sessionmaker()"
            )
        bind = self.bind
        if getattr(bind, "_is_engine", False):
            conn = bind.connect()
            conn.begin()
            self._owns_conn = True
        else:
            conn = bind
            if not conn.in_transaction():
                conn.begin()
            self._owns_conn = False
        self._conn = conn
        if _events.session_active or self._event_listeners:
            _events.fire_session("after_begin", self, self._transaction, conn)
        return conn

    def connection(self, bind_arguments: Any = None, execution_options: Any = None) -> Any:
        conn = self._connection()
        if execution_options:
            conn.execution_options(**execution_options)
        return conn

    def get_bind(self, mapper: Any = None, **kw: Any) -> Any:
        if self.bind is None:
            raise sa_exc.UnboundExecutionError(
                "Could not locate a bind configured on this Session; pass bind=engine"
            )
        return self.bind

    def begin(self, nested: bool = False) -> SessionTransaction:
        if nested:
            return self.begin_nested()
        if self._transaction is not None:
            raise sa_exc.InvalidRequestError(
                "A transaction is already begun on this Session; call commit() or rollback() "
                "first, or use begin_nested() for a SAVEPOINT."
            )
        self._transaction = SessionTransaction(self)
        return self._transaction

    def begin_nested(self) -> SessionTransaction:
        self._autobegin()
        self._check_failed()
        if self._new or self._deleted or self._modified:
            self.flush()
        conn = self._connection()
        parent = self._stack[-1] if self._stack else self._transaction
        nested = SessionTransaction(self, parent, nested=True)
        nested._db_nested = conn.begin_nested()
        self._stack.append(nested)
        return nested

    def in_transaction(self) -> bool:
        return self._transaction is not None

    def in_nested_transaction(self) -> bool:
        return bool(self._stack)

    def get_transaction(self) -> SessionTransaction | None:
        return self._transaction

    def get_nested_transaction(self) -> SessionTransaction | None:
        return self._stack[-1] if self._stack else None

    @property
    def is_active(self) -> bool:
        return self._failed is None

    def commit(self) -> None:
        if self._failed_commit:
            raise sa_exc.PendingRollbackError(
                f"This Session's previous COMMIT failed ({self._failed}); call "
                "Session.rollback() before committing again.",
                code="8s2b",
            )
        self._check_failed()
        if self._transaction is None:
            self._autobegin()
        listening = _events.session_active or bool(self._event_listeners)
        if listening:
            _events.fire_session("before_commit", self)
        committed = False
        if self._new or self._deleted or self._modified:
            committed = self._flush_with_commit()
            if not committed:
                self.flush()
                if listening:
                    self._flush_until_clean()
        conn = self._conn
        if conn is not None and not committed:
            try:
                if conn.in_transaction():
                    conn.commit()
            except BaseException as error:
                self._commit_failed(error)
                raise
        for nested in self._stack:
            nested._active = False
        self._stack = []
        if listening:  # as SQLAlchemy: before the objects are expired
            _events.fire_session("after_commit", self)
        self._after_commit()

    def _flush_until_clean(self) -> None:
        """As SQLAlchemy's commit: what after_flush listeners added is flushed too."""
        for _ in range(99):
            if not (self._new or self._deleted or any(
                    s.ident is not None and not s._deleted for s in self._modified)):
                return
            self.flush()
        raise orm_exc.FlushError(
            "Over 100 subsequent flushes have occurred within session.commit() - is an "
            "after_flush() hook creating new objects? Make the hook add them only once."
        )

    def _commit_failed(self, error: BaseException) -> None:
        """The database refused the COMMIT (a deferred constraint, a lost connection):
        its transaction is over.  As in SQLAlchemy the objects stay as the flush left
        them and the Session demands rollback(), which makes the new ones transient."""
        self._failed = error
        self._failed_commit = True

    def _after_commit(self) -> None:
        if self.expire_on_commit:
            for state, _obj in self._flushed_deleted:
                state.session = None
            self._expire_states(self._identity_map.states())
        else:
            # as in SQLAlchemy, deleted objects stay attached in the "deleted" state
            # until the Session is closed
            self._kept_deleted.extend(state for state, _obj in self._flushed_deleted)
        self._flushed_deleted = []
        self._flushed_new = []
        self._release()

    def _release(self) -> None:
        conn = self._conn
        self._conn = None
        if conn is not None and getattr(self, "_owns_conn", True):
            conn.close()
        if self._transaction is not None:
            self._transaction._active = False
        self._transaction = None

    def rollback(self) -> None:
        conn = self._conn
        if conn is None and self._transaction is None and self._failed is None:
            return  # as SQLAlchemy: no transaction, nothing to roll back or expire
        previous = self._transaction
        # as SQLAlchemy: after_rollback only for a "real" rollback, not when a failed
        # flush did it already
        rolled_back = previous is not None and (self._failed is None or self._failed_commit)
        if conn is not None:
            try:
                conn.rollback()
            except sa_exc.DBAPIError:
                conn.invalidate()
        for nested in self._stack:
            nested._active = False
        self._stack = []
        self._forget_transaction()
        self._failed = None
        self._failed_commit = False
        self._release()
        if _events.session_active or self._event_listeners:
            if rolled_back:
                _events.fire_session("after_rollback", self)
            _events.fire_session("after_soft_rollback", self, previous)

    def _forget_transaction(self) -> None:
        """The database rolled back: new objects become transient again, deletions are
        undone, and everything else is expired so that it reloads what was kept."""
        self._restore(0, 0)
        self._pending_appends = {}
        for state in list(self._new):
            self._detach(state, transient=True)
        self._new.clear()
        self._deleted.clear()
        self._expire_states(self._identity_map.states())

    def _restore(self, mark_new: int, mark_deleted: int) -> None:
        """Undo the bookkeeping of flushes after the given marks (rolled back in the DB).

        Deletions are undone first: an object both inserted and deleted in the rolled
        back part never existed, so it ends transient like every other new one."""
        inserted = set(self._flushed_new[mark_new:])
        for state, obj in self._flushed_deleted[mark_deleted:]:
            if state.session is not self:  # as SQLAlchemy: expunged, it stays detached
                continue
            state._deleted = False
            state.session = self
            if state not in inserted:  # it ends transient; its key may be another's now
                self._identity_map._add(state)
            state._strong = obj
        del self._flushed_deleted[mark_deleted:]
        for state in self._flushed_new[mark_new:]:
            self._identity_map._remove(state)
            obj = state()
            if obj is not None and not state.mapper._attr_key_set.issubset(obj.__dict__):
                _EXPIRED_TRANSIENT[id(obj)] = obj
            state.ident = None
            state.session = None
            state._strong = None
            state.modified = False
            state.committed_state = None
            if state.mapper._relationships and obj is not None:
                # as SQLAlchemy: what its relationships held when it was written stays
                # their baseline, so adding it again writes only later changes
                baseline = _relationship_baseline(state.mapper, obj.__dict__)
                if baseline:
                    state.committed_state = baseline
            self._new.pop(state, None)
            self._modified.discard(state)
        del self._flushed_new[mark_new:]

    def _commit_nested(self, nested: SessionTransaction) -> None:
        if not nested._active:
            raise sa_exc.InvalidRequestError("This nested transaction is inactive")
        self._check_failed()
        listening = _events.session_active or bool(self._event_listeners)
        if listening:
            _events.fire_session("before_commit", self)
        if self._new or self._deleted or self._modified:
            self.flush()
        while self._stack:
            top = self._stack.pop()
            top._active = False
            if top is nested:
                break
        nested._db_nested.commit()
        if listening:
            _events.fire_session("after_commit", self)

    def _rollback_nested(self, nested: SessionTransaction) -> None:
        if not nested._active:
            return
        while self._stack:
            top = self._stack.pop()
            top._active = False
            if top is nested:
                break
        try:
            nested._db_nested.rollback()
        except sa_exc.DBAPIError:
            pass
        self._restore(nested._mark_new, nested._mark_deleted)
        for state in list(self._new):
            self._detach(state, transient=True)
        self._new.clear()
        self._deleted.clear()
        self._failed = None
        # objects changed inside the savepoint no longer match the database
        self._expire_states(self._identity_map.states())
        if _events.session_active or self._event_listeners:
            _events.fire_session("after_rollback", self)
            _events.fire_session("after_soft_rollback", self, nested)

    # -- object membership ------------------------------------------------------------
    def _state_of(self, obj: Any) -> InstanceState:
        return instance_state(obj)

    def add(self, instance: Any, _warn: bool = True) -> None:
        state = instance_state(instance)
        self._add_one(state, instance)
        if state.mapper._relationships:
            self._cascade_save(instance)

    def _save_or_update(self, instance: Any) -> None:
        """save-update cascade from a relationship change (see ``collections``)."""
        self.add(instance)

    def _cascade_save(self, instance: Any) -> None:
        """Bring the objects reachable through save-update relationships into the
        Session, depth first (the order SQLAlchemy's add() gives them, which is the
        order their rows are inserted in); as SQLAlchemy, the walk stops at objects
        already here."""
        if _mapper_mod._unconfigured:
            _mapper_mod.configure_mappers()
        for item in _cascade_walk(instance, "save_update",
                                  stop=lambda item: instance_state(item).session is self):
            item_state = instance_state(item)
            if not item_state._deleted:
                self._add_one(item_state, item)

    def _add_one(self, state: InstanceState, instance: Any) -> None:
        if self._transaction is None:
            self._autobegin()
        if state.session is self:
            if state._deleted:
                raise sa_exc.InvalidRequestError(
                    f"Instance '{state._describe()}' has been deleted (its DELETE was "
                    "flushed). Use the make_transient() function to send this object back "
                    "to the transient state."
                )
            self._deleted.pop(state, None)  # add() takes back a delete not yet flushed
            return
        if state.session is not None:
            raise sa_exc.InvalidRequestError(
                f"Object '{state._describe()}' is already attached to session "
                f"'{id(state.session)}' (this is '{id(self)}'); expunge it there first or "
                "use merge()."
            )
        if state.ident is None:
            state.session = self
            self._new[state] = instance
            committed = state.committed_state
            if committed and state.mapper._relationships:
                relationships = state.mapper._relationships
                kept = {k: v for k, v in committed.items() if k in relationships}
                state.committed_state = kept or None
            else:
                state.modified = False
            return
        if state._deleted:
            raise sa_exc.InvalidRequestError(
                f"Instance '{state._describe()}' has been deleted. Use the make_transient() "
                "function to send this object back to the transient state."
            )
        existing = self._identity_map._state_for(state.mapper, state.ident)
        if existing is not None and existing is not state and existing.obj() is not None:
            raise sa_exc.InvalidRequestError(
                f"Can't attach instance {state._describe()}; another instance with key "
                f"{state.key!r} is already present in this session. Use merge() instead."
            )
        state.session = self
        self._identity_map._add(state)
        if state.modified:
            state._strong = instance
            self._modified.add(state)

    def add_all(self, instances: Any) -> None:
        """Benchmark: ``bulk_create``.  New objects that never met a Session get their
        state here directly; everything else goes through ``add()``."""
        add = self.add
        if self._transaction is None:
            self._autobegin()
        new = self._new
        size = len(instances) if hasattr(instances, "__len__") else 0
        with gcpause.paused(size):
            for instance in instances:
                d = getattr(instance, "__dict__", None)
                mapper = getattr(type(instance), "__mapper__", None)
                if d is None or mapper is None or STATE_KEY in d or mapper._relationships:
                    add(instance)
                    continue
                # InstanceState._create inlined (benchmark: bulk_create; a call per
                # object costs 6% there); the generated loaders do the same
                state = InstanceState(instance, _object_gone)
                state.mapper = mapper
                state.ident = None
                state.session = self
                state.committed_state = None
                state._deleted = False
                state._strong = None
                d[STATE_KEY] = state
                new[state] = instance

    def delete(self, instance: Any) -> None:
        state = self._state_of(instance)
        if state.ident is None:
            raise sa_exc.InvalidRequestError(
                f"Instance '{state._describe()}' is not persisted; a pending object is removed "
                "with expunge(), not delete()."
            )
        if state.session is not self:
            self.add(instance)
        self._autobegin()
        if state._deleted or state in self._deleted:
            return
        existing = self._identity_map._state_for(state.mapper, state.ident)
        if existing is not None and existing is not state and existing.obj() is not None:
            # as SQLAlchemy: another object holds its key (a new row reused it), and a
            # DELETE by that key would remove the other object's row
            raise sa_exc.InvalidRequestError(
                f"Can't attach instance {state._describe()}; another instance with key "
                f"{state.key!r} is already present in this session.")
        if not state.mapper._relationships:
            self._deleted[state] = instance
            return
        # the whole cascade is found (and loaded) before anything is marked deleted, so
        # that an autoflush during the loading does not delete a parent before its children
        related = []
        seen = {id(instance)}
        stack = [instance]
        while stack:
            for item in self._cascade_delete_members(stack.pop()):
                if id(item) not in seen:
                    seen.add(id(item))
                    related.append(item)
                    if instance_state(item).ident is not None:
                        stack.append(item)
        self._deleted[state] = instance
        for item in related:
            item_state = instance_state(item)
            if item_state.ident is None:
                if item_state.session is self:
                    self._detach(item_state, transient=True)
            elif not item_state._deleted and item_state not in self._deleted:
                if item_state.session is not self:
                    self.add(item)
                self._deleted[item_state] = item

    def _cascade_delete_members(self, instance: Any) -> list:
        """The objects a delete cascades to, loaded first if need be (unless
        passive_deletes leaves them to the database's ON DELETE)."""
        if _mapper_mod._unconfigured:
            _mapper_mod.configure_mappers()
        d = instance.__dict__
        related = []
        for prop in type(instance).__mapper__._relationships.values():
            if not prop.cascade.delete:
                continue
            value = d.get(prop.key, NO_VALUE)
            if value is NO_VALUE or value.__class__ is _Marker:
                if prop.passive_deletes:
                    continue
                value = getattr(instance, prop.key)
            if value is not None:
                related += list(value if prop.uselist else (value,))
        return related

    def expunge(self, instance: Any) -> None:
        state = self._state_of(instance)
        if state.session is not self:
            raise sa_exc.InvalidRequestError(
                f"Instance {state._describe()} is not present in this Session"
            )
        self._detach(state, transient=state.ident is None)
        if state.mapper._relationships:
            for item in _cascade_walk(instance, "expunge"):
                item_state = instance_state(item)
                if item_state.session is self:
                    self._detach(item_state, transient=item_state.ident is None)

    def _detach(self, state: InstanceState, transient: bool = False) -> None:
        if state.ident is not None:
            self._identity_map._remove(state)
        self._new.pop(state, None)
        self._deleted.pop(state, None)
        self._modified.discard(state)
        state.session = None
        state._strong = None

    def expunge_all(self) -> None:
        for state in self._identity_map.states():
            state.session = None
            state._strong = None
        for state in self._new:
            state.session = None
        for state, _obj in self._flushed_deleted:
            state.session = None
        for state in self._kept_deleted:
            state.session = None
        self._kept_deleted = []
        self._identity_map = IdentityMap()
        self._pending_appends = {}
        self._new = {}
        self._deleted = {}
        self._modified = set()
        self._flushed_new = []
        self._flushed_deleted = []

    def close(self) -> None:
        self.expunge_all()
        conn = self._conn
        self._conn = None
        if conn is not None:
            try:
                if getattr(self, "_owns_conn", True):
                    conn.close()
                elif conn.in_transaction():
                    conn.rollback()
            except sa_exc.DBAPIError:
                pass
        for nested in self._stack:
            nested._active = False
        self._stack = []
        if self._transaction is not None:
            self._transaction._active = False
        self._transaction = None
        self._failed = None
        self._failed_commit = False

    reset = close

    def invalidate(self) -> None:
        if self._conn is not None:
            self._conn.invalidate()
        self.close()

    def __contains__(self, instance: Any) -> bool:
        state = instance_state(instance)
        return state.session is self and not state._deleted

    def __iter__(self) -> Iterator:
        return iter(list(self._new.values()) + self._identity_map.objects())

    @property
    def new(self) -> _IdentitySet:
        return _IdentitySet(self._new.values())

    @property
    def deleted(self) -> _IdentitySet:
        return _IdentitySet(self._deleted.values())

    @property
    def dirty(self) -> _IdentitySet:
        out = []
        for state in self._modified:
            if state.session is self and state.ident is not None and state not in self._deleted \
                    and not state._deleted:
                obj = state.obj()
                if obj is not None:
                    out.append(obj)
        return _IdentitySet(out)

    @property
    def identity_map(self) -> IdentityMap:
        return self._identity_map

    def is_modified(self, instance: Any, include_collections: bool = True) -> bool:
        state = self._state_of(instance)
        obj = state.obj()
        if obj is None:
            return False
        from .unitofwork import _same, changed_columns

        committed = state.committed_state
        relationships = state.mapper._relationships
        if committed and relationships and not relationships.keys().isdisjoint(committed):
            d = obj.__dict__
            for key in relationships.keys() & committed.keys():
                if include_collections or not relationships[key].uselist:
                    old, new = committed[key], d.get(key, NO_VALUE)
                    if old is NO_VALUE or new is NO_VALUE or (
                            [id(x) for x in old] != [id(x) for x in new]
                            if relationships[key].uselist else old is not new):
                        return True
            d = obj.__dict__
            return any(k in d and (v is NO_VALUE or not _same(v, d[k]))
                       for k, v in committed.items() if k not in relationships)
        return bool(changed_columns(state, obj.__dict__))

    # -- expiry ------------------------------------------------------------------------
    def _expire_states(self, states: list, keys: Any = None) -> None:
        with gcpause.paused(len(states)):
            self._expire_each(states, keys)

    def _expire_each(self, states: list, keys: Any) -> None:
        for state in states:
            obj = state.obj()
            if obj is None:
                continue
            d = obj.__dict__
            committed = state.committed_state
            for key in state.mapper._expire_keys if keys is None else keys:
                d.pop(key, None)
                if committed:
                    committed.pop(key, None)
            if committed is not None and not committed:
                # no change left to write: the object is clean again
                state.committed_state = None
                state._strong = None
                self._modified.discard(state)

    def _persistent_state(self, instance: Any, action: str) -> InstanceState:
        state = self._state_of(instance)
        if state.session is not self or state.ident is None or state._deleted:
            raise sa_exc.InvalidRequestError(
                f"Instance '{state._describe()}' is not persistent within this Session; "
                f"cannot {action} it. Add it and flush first, or query it in this Session."
            )
        return state

    def expire(self, instance: Any, attribute_names: list | None = None) -> None:
        state = self._persistent_state(instance, "expire")
        if attribute_names is not None:
            unknown = [n for n in attribute_names if n not in state.mapper._attr_key_set
                       and n not in state.mapper._relationships]
            if unknown:
                raise sa_exc.InvalidRequestError(
                    f"{state.class_.__name__} has no attribute(s) {unknown}; its attributes "
                    f"are {', '.join(state.mapper._attr_keys)}"
                )
        related = []
        if attribute_names is None and state.mapper._relationships:
            related = [instance_state(item) for item in _cascade_walk(instance, "refresh_expire")]
        self._expire_states([state], attribute_names)
        self._expire_states([s for s in related if s.session is self and s.ident is not None])

    def expire_all(self) -> None:
        self._expire_states(self._identity_map.states())

    def refresh(self, instance: Any, attribute_names: list | None = None,
                with_for_update: Any = None) -> None:
        state = self._persistent_state(instance, "refresh")
        # as SQLAlchemy: the object's own unflushed changes are dropped first, then the
        # autoflush writes everything else, then the row is read
        self.expire(instance, attribute_names)
        self._autoflush()
        mapper = state.mapper
        if with_for_update is not None and with_for_update is not False:  # lock, then read
            self._connection().execute(_for_update(mapper, mapper.primary_key, state.identity,
                                                   with_for_update)).all()
        columns = attribute_names
        if attribute_names is not None:
            columns = [n for n in attribute_names if n not in mapper._relationships]
        if columns is None or columns:
            loading.refresh_state(self, state, instance, columns)
        for name in attribute_names or ():
            if name in mapper._relationships:
                getattr(instance, name)  # loads it again, as refresh() does

    # -- flush --------------------------------------------------------------------------
    def _autoflush(self) -> None:
        if self.autoflush and not self._no_autoflush and not self._flushing and (
                self._new or self._deleted or self._modified):
            try:
                self.flush()
            except sa_exc.StatementError as error:
                error.args = (error.args[0] + " (This Session's autoflush raised this error; "
                              "consider using session.no_autoflush around the query that "
                              "triggered it.)",) + error.args[1:]
                raise

    @property
    @contextlib.contextmanager
    def no_autoflush(self) -> Iterator[Session]:
        self._no_autoflush += 1
        try:
            yield self
        finally:
            self._no_autoflush -= 1

    def flush(self, objects: Any = None) -> None:
        if self._flushing:
            raise sa_exc.InvalidRequestError("Session is already flushing")
        if not (self._new or self._deleted or self._modified):
            return
        self._check_failed()
        flush_context = None
        if _events.session_active or self._event_listeners:
            # as SQLAlchemy: before the objects to write are gathered, so that what the
            # listeners add, change or delete is written in this flush
            flush_context = _events.FlushContext(self)
            self._flushing = True
            try:
                _events.fire_session("before_flush", self, flush_context, objects)
            finally:
                self._flushing = False
        new = [s for s in self._new if s not in self._deleted]
        dirty = [s for s in self._modified
                 if s.ident is not None and not s._deleted and s not in self._deleted]
        deleted = list(self._deleted)
        if objects is not None:
            chosen = {instance_state(o) for o in objects}
            new = [s for s in new if s in chosen]
            dirty = [s for s in dirty if s in chosen]
            deleted = [s for s in deleted if s in chosen]
        with gcpause.paused(len(new) + len(dirty) + len(deleted)):
            self._flush_plan(new, dirty, deleted, flush_context)

    def _flush_plan(self, new: list, dirty: list, deleted: list,
                    flush_context: Any = None) -> None:
        # imported on the first flush: a program that only reads never loads them
        from . import persistence, unitofwork

        route = self._flush_route((*new, *dirty, *deleted))
        graph, evented = route == "graph", route == "evented"
        steps = () if graph or evented else unitofwork.plan(new, dirty, deleted)
        self._flushing = True
        conn = self._connection()
        try:
            if graph:
                from . import dependency

                if _mapper_mod._unconfigured:
                    _mapper_mod.configure_mappers()
                new, dirty, deleted = dependency.flush(self, new, dirty, deleted, conn)
            elif evented:
                from . import flush_events

                flush_events.flush(self, new, dirty, deleted, conn)
            for step in steps:
                persistence.run(step, self, conn)
            if flush_context is not None:
                _events.fire_session("after_flush", self, flush_context)
        except BaseException as error:
            self._flush_failed(error, conn)
            raise
        self._flushed(new, dirty, deleted)
        if flush_context is not None:
            self._flushing = True
            try:
                _events.fire_session("after_flush_postexec", self, flush_context)
            except BaseException as error:
                self._flush_failed(error, conn)
                raise
            finally:
                self._flushing = False

    def _flush_failed(self, error: BaseException, conn: Any) -> None:
        self._flushing = False
        self._failed = error
        try:
            if self._stack:
                # inside begin_nested(): only the SAVEPOINT is lost; rolling the
                # nested transaction back (its context manager does) recovers
                self._stack[-1]._db_nested.rollback()
            else:
                conn.rollback()
                # as SQLAlchemy: the objects show the rollback at once, though the
                # Session still demands rollback() before more work
                self._forget_transaction()
        except sa_exc.DBAPIError:
            conn.invalidate()
            return
        if _events.session_active or self._event_listeners:
            _events.fire_session("after_rollback", self)
            _events.fire_session("after_soft_rollback", self, self._transaction)

    @staticmethod
    def _flush_route(states: Any) -> str:
        """Which flush writes these states: ``"graph"`` (a class with relationships:
        dependency.py), ``"evented"`` (mapper listeners: flush_events.py) or ``"plain"``
        (batched steps: unitofwork.py).  Classes without either never build the set."""
        if not (_mapper_mod._relationships_declared or _events.mapper_active):
            return "plain"
        mappers = {s.mapper for s in states}
        if _mapper_mod._relationships_declared and any(m._relationships for m in mappers):
            return "graph"
        if _events.mapper_active and any(_events.has_mapper_listeners(m) for m in mappers):
            return "evented"
        return "plain"

    def _flush_with_commit(self) -> bool:
        """``commit()``'s flush and COMMIT in one round trip, where that cannot change
        the outcome: only new objects, one INSERT each (nothing read between statements,
        no row count to check), no savepoints, a dialect that can (PostgreSQL).  A failed
        INSERT skips the COMMIT on the server, so errors end as a failed flush does.
        Benchmark: ``single_insert_commit`` (BEGIN, INSERT and COMMIT: 3 round trips → 1).
        False, with nothing done, where it does not apply."""
        if self._stack or self._deleted or self._modified or len(self._new) > _ONE_TRIP_MAX:
            return False
        if _events.session_listening(self) or self._flush_route(self._new) != "plain":
            return False  # listeners or relationships: the ordinary flush
        if self._conn is None:  # a Connection of its own, from the Engine
            if not getattr(self.bind, "_is_engine", False) or \
                    not self.bind.dialect.commits_with_statements:
                return False
        elif not self._owns_conn or not self._conn.dialect.commits_with_statements:
            return False
        new = list(self._new)
        from . import persistence, unitofwork

        steps = unitofwork.plan(new, [], [])
        if not all(isinstance(step, unitofwork.InsertRows) for step in steps):
            return False
        conn = self._connection()
        if not conn._can_run_and_commit() or not all(
                persistence.one_trip_insert_possible(step, conn) for step in steps):
            return False
        self._flushing = True
        try:
            prepared = [persistence.one_trip_insert(step, self, conn) for step in steps]
            results, commit_error = conn._run_and_commit(
                [(sql, params) for sql, params, _finish in prepared])
        except BaseException as error:
            self._flush_failed(error, conn)
            raise
        for (_sql, _params, finish), rows in zip(prepared, results):
            finish(rows)
        self._flushed(new, [], [])
        if commit_error is not None:
            self._commit_failed(commit_error)
            raise commit_error
        return True

    def _flushed(self, new: list, dirty: list, deleted: list) -> None:
        """The flush's statements ran: pending objects become persistent, changes are
        no longer pending, deleted objects leave the identity map."""
        self._flushing = False
        self._pending_appends = {}
        pending = self._new
        for state in new:  # now persistent: held weakly, like every loaded object
            del pending[state]
            if state._strong is not None:
                state.committed_state = None
                state._strong = None
        modified = self._modified
        for state in dirty:  # also those set to an unchanged value: nothing left to write
            state.committed_state = None
            state._strong = None
            modified.discard(state)
        for state in deleted:
            obj = self._deleted.pop(state)
            self._identity_map._remove(state)
            state._deleted = True
            # as SQLAlchemy: an object changed before its DELETE stays marked changed, so
            # changing it again begins no transaction (it is no longer tracked, see state)
            changed = {} if state.committed_state is not None else None
            state._commit_all()
            state.committed_state = changed
            self._modified.discard(state)
            self._flushed_deleted.append((state, obj))

    # -- querying -------------------------------------------------------------------------
    def get(self, entity: Any, ident: Any, *, options: Any = None,
            populate_existing: bool = False, with_for_update: Any = None,
            identity_token: Any = None, execution_options: Any = None,
            bind_arguments: Any = None) -> Any:
        mapper = _mapper_for(entity)
        pk = _normalize_ident(mapper, ident)
        if with_for_update is not None and with_for_update is not False:
            # as SQLAlchemy: no identity-map shortcut, the row is locked (and read)
            self._autoflush()
            return self.scalars(_for_update(mapper, (mapper.class_,), pk, with_for_update)).first()
        state = self._identity_map._state_for(mapper, pk[0] if len(pk) == 1 else pk)
        if state is not None:
            obj = state.obj()
            if obj is not None:
                if state._deleted:
                    return None
                if populate_existing:
                    loading.refresh_state(self, state, obj)
                    return obj
                d = obj.__dict__
                if not mapper._attr_key_set.issubset(d):
                    try:
                        loading.load_unloaded(self, state, obj)
                    except orm_exc.ObjectDeletedError:
                        # as SQLAlchemy: its row is gone, so it is "deleted" (as if its
                        # DELETE had been flushed; rollback() restores it)
                        self._identity_map._remove(state)
                        self._modified.discard(state)
                        state._deleted = True
                        self._flushed_deleted.append((state, obj))
                        return None
                return obj
        if options or any(p.lazy in ("selectin", "joined")
                          for p in mapper._relationships.values()):
            # eager loads ride along, as with any query of the class
            from ..sql.selectable import Select

            stmt = Select(mapper.class_).where(
                *[col == value for col, value in zip(mapper.primary_key, pk)])
            if options:
                stmt = stmt.options(*options)
            return self.execute(stmt).unique().scalars().first()
        self._autoflush()
        return loading.get_by_identity(self, mapper, pk)

    def get_one(self, entity: Any, ident: Any, **kw: Any) -> Any:
        found = self.get(entity, ident, **kw)
        if found is None:
            raise sa_exc.NoResultFound("No row was found when one was required")
        return found

    def query(self, *entities: Any, **kw: Any) -> Any:
        from .query import Query

        if _mapper_mod._unconfigured:
            _mapper_mod.configure_mappers()

        cls = self._query_cls or Query
        return cls(entities, self)

    def execute(self, statement: Any, params: Any = None, *, execution_options: Any = None,
                bind_arguments: Any = None, **kw: Any) -> Any:
        from .bulk import execute_dml
        from .context import execute_select, is_orm_select

        if _mapper_mod._unconfigured:
            _mapper_mod.configure_mappers()

        options = dict(getattr(statement, "_execution_options", None) or {})
        if execution_options:
            options.update(execution_options)
        if getattr(statement, "_is_select", False):
            self._autoflush()
            if is_orm_select(statement):
                return execute_select(self, statement, params, options)
            result = self._connection().execute(statement, params, execution_options=options)
            if options.get("yield_per"):
                result._yield_per = options["yield_per"]
            return result
        if getattr(statement, "_is_dml", False) and getattr(statement, "entity", None) is not None:
            self._autoflush()
            return execute_dml(self, statement, params, options)
        if getattr(statement, "_is_dml", False):
            self._autoflush()
        return self._connection().execute(statement, params)

    def scalars(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        return self.execute(statement, params, **kw).scalars()

    def scalar(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        return self.execute(statement, params, **kw).scalar()

    def merge(self, instance: Any, load: bool = True, options: Any = None) -> Any:
        """Copy ``instance``'s state onto this Session's object of the same identity
        (loaded, or new), following relationships with the "merge" cascade."""
        if _mapper_mod._unconfigured:
            _mapper_mod.configure_mappers()
        return self._merge(instance, load, {})

    def _merge(self, instance: Any, load: bool, memo: dict) -> Any:
        found = memo.get(id(instance))
        if found is not None:
            return found
        state = self._state_of(instance)
        if state.session is self:
            return instance
        mapper = state.mapper
        d = instance.__dict__
        ident = tuple(d.get(k) for k in mapper._pk_keys)
        target = None
        if None not in ident:
            key = ident[0] if len(ident) == 1 else ident
            existing = self._identity_map._state_for(mapper, key)
            target = existing() if existing is not None else None
            if target is None and load:
                target = self.get(mapper.class_, ident)
        memo[id(instance)] = target
        if target is None:
            target = mapper.class_.__new__(mapper.class_)
            memo[id(instance)] = target
            td = target.__dict__
            for key in mapper._attr_keys:
                if key in d:
                    td[key] = d[key]
            self._add_one(instance_state(target), target)
        else:
            td = target.__dict__
            for key in mapper._attr_keys:
                if key in d and (key not in td or td[key] != d[key]):
                    setattr(target, key, d[key])
        for prop in mapper._relationships.values():
            if not prop.cascade.merge:
                continue
            value = d.get(prop.key, NO_VALUE)
            if value is NO_VALUE or value.__class__ is _Marker:
                continue
            if prop.uselist:
                setattr(target, prop.key, [self._merge(x, load, memo) for x in value])
            else:
                setattr(target, prop.key,
                        self._merge(value, load, memo) if value is not None else None)
        return target

    def bulk_save_objects(self, objects: Any, **kw: Any) -> None:
        self.add_all(objects)
        self.flush()

    def bulk_insert_mappings(self, mapper: Any, mappings: list, **kw: Any) -> None:
        from ..sql.dml import Insert

        if mappings:
            self._connection().execute(Insert(_mapper_for(mapper).local_table), list(mappings))

    def bulk_update_mappings(self, mapper: Any, mappings: list) -> None:
        from ..sql.dml import Update
        from ..sql.elements import BindParameter

        mapper = _mapper_for(mapper)
        conn = self._connection()
        for row in mappings:
            values = {k: v for k, v in row.items() if k not in mapper._pk_key_set}
            if not values:
                continue
            stmt = Update(mapper.local_table).values(values)
            for key, col in zip(mapper._pk_keys, mapper.primary_key):
                stmt = stmt.where(col == BindParameter(None, row[key], col.type, unique=True))
            conn.execute(stmt)

    @staticmethod
    def identity_key(class_: Any = None, ident: Any = None, *, instance: Any = None,
                     row: Any = None, identity_token: Any = None) -> tuple:
        if instance is not None:
            return instance_state(instance).key
        mapper = _mapper_for(class_)
        return (mapper.class_, _normalize_ident(mapper, ident), identity_token)

    @classmethod
    def object_session(cls, instance: Any) -> Any:
        return object_session(instance)

    def enable_relationship_loading(self, obj: Any) -> None:
        raise sa_exc.InvalidRequestError("enable_relationship_loading() is not supported")


def _relationship_baseline(mapper: Any, d: dict) -> dict:
    out = {}
    for key, prop in mapper._relationships.items():
        value = d.get(key, NO_VALUE)
        if value is NO_VALUE or value.__class__ is _Marker:
            continue
        out[key] = list(value) if prop.uselist else value
    return out


def _cascade_walk(obj: Any, flag: str, stop: Any = None) -> Iterator:
    """The objects reachable from ``obj`` through loaded relationships whose cascade has
    ``flag`` (e.g. "expunge"), depth first, ``obj`` itself left out; ``stop(item)``
    leaves an object (and what lies behind it) out."""
    seen = {id(obj)}
    stack = [_cascade_children(obj, flag)]
    while stack:
        for item in stack[-1]:
            if id(item) in seen:
                continue
            seen.add(id(item))
            if stop is not None and stop(item):
                continue
            yield item
            stack.append(_cascade_children(item, flag))
            break
        else:
            stack.pop()


def _cascade_children(obj: Any, flag: str = "save_update") -> Iterator:
    """The objects ``obj`` reaches through its loaded relationships with ``flag``."""
    d = obj.__dict__
    for prop in type(obj).__mapper__._relationships.values():
        if not getattr(prop.cascade, flag):
            continue
        value = d.get(prop.key, NO_VALUE)
        if value is NO_VALUE or value is None or value.__class__ is _Marker:
            continue
        yield from (list(value) if prop.uselist else (value,))


class _IdentitySet(list):
    """``session.new`` / ``dirty`` / ``deleted``: membership by identity."""

    def __contains__(self, item: Any) -> bool:
        return any(item is x for x in self)


def _mapper_for(entity: Any) -> Any:
    mapper = getattr(entity, "__mapper__", None) if isinstance(entity, type) else None
    if mapper is None:
        inspected = inspect(entity, raiseerr=True)
        mapper = getattr(inspected, "mapper", None)
        if mapper is None:
            raise orm_exc.UnmappedClassError(entity)
    return mapper


def _for_update(mapper: Any, what: tuple, pk: tuple, how: Any) -> Any:
    """SELECT ``what`` of the row whose primary key is ``pk`` FOR UPDATE (``how``: True or
    with_for_update()'s keywords, as Session.get and refresh take them)."""
    from ..sql.selectable import select

    where = [column == value for column, value in zip(mapper.primary_key, pk)]
    return select(*what).where(*where).with_for_update(**(how if isinstance(how, dict) else {}))


def _normalize_ident(mapper: Any, ident: Any) -> tuple:
    pk_keys = mapper._pk_keys
    if isinstance(ident, dict):
        values = []
        for key, col in zip(pk_keys, mapper.primary_key):
            if key in ident:
                values.append(ident[key])
            elif col.name in ident:
                values.append(ident[col.name])
            else:
                raise sa_exc.InvalidRequestError(
                    f"Incorrect names of values in identifier formed for primary key; "
                    f"missing {key!r}, expected {list(pk_keys)}"
                )
        return tuple(values)
    if isinstance(ident, tuple | list):
        values = tuple(ident)
    elif hasattr(ident, "_fields") and isinstance(ident, tuple):
        values = tuple(ident)
    else:
        values = (ident,)
    if len(values) != len(pk_keys):
        raise sa_exc.InvalidRequestError(
            f"Incorrect number of values in identifier formed from argument collection for "
            f"{mapper.class_.__name__}: expected {len(pk_keys)} ({', '.join(pk_keys)}), got "
            f"{len(values)}"
        )
    return values


class sessionmaker:  # noqa: N801 - SQLAlchemy's name
    """A configured Session factory: ``Session = sessionmaker(bind=engine)``."""

    def __init__(self, bind: Any = None, *, class_: type = Session, autoflush: bool = True,
                 expire_on_commit: bool = True, info: dict | None = None, **kw: Any) -> None:
        kw["bind"] = bind
        kw["autoflush"] = autoflush
        kw["expire_on_commit"] = expire_on_commit
        if info is not None:
            kw["info"] = info
        self.kw = kw
        self.class_ = type(class_.__name__, (class_,), {})

    def __call__(self, **local_kw: Any) -> Session:
        for key, value in self.kw.items():
            local_kw.setdefault(key, value)
        return self.class_(**local_kw)

    def configure(self, **new_kw: Any) -> None:
        self.kw.update(new_kw)

    @contextlib.contextmanager
    def begin(self) -> Iterator[Session]:
        with self() as session, session.begin():
            yield session

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kw.items())
        return f"{type(self).__name__}(class_={self.class_.__name__!r}, {args})"


def object_session(instance: Any) -> Session | None:
    state = instance.__dict__.get(STATE_KEY) if hasattr(instance, "__dict__") else None
    if state is None:
        if getattr(type(instance), "__mapper__", None) is None:
            raise orm_exc.UnmappedInstanceError(instance)
        return None
    return state.session


def make_transient(instance: Any) -> None:
    state = instance_state(instance)
    session = state.session
    if session is not None:
        session._detach(state)
    state.ident = None
    state._deleted = False
    state.committed_state = None
    state.modified = False


def make_transient_to_detached(instance: Any) -> None:
    state = instance_state(instance)
    if state.session is not None or state.ident is not None:
        raise sa_exc.InvalidRequestError("Given object must be transient")
    d = instance.__dict__
    pk = tuple(d.get(k) for k in state.mapper._pk_keys)
    state.ident = pk[0] if len(pk) == 1 else pk
    state._deleted = False


def close_all_sessions() -> None:
    """Sessions are not tracked globally; each is closed by its owner."""
