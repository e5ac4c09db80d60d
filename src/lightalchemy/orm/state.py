"""InstanceState: the ORM's bookkeeping for one mapped object.

An object carries its state in ``obj.__dict__["_sa_instance_state"]``,
created when it first meets a Session (or ``inspect()``), or by the loader.
The state *is* a weak reference to its object (calling it gives the object),
so the identity map forgets objects the program no longer holds, unless they
have unflushed changes (then ``_strong`` keeps them alive).  Being one object
instead of two makes each loaded row cheaper (benchmark: ``load_all``).
"""

from __future__ import annotations

import weakref
from typing import Any

from . import exc as orm_exc
from .attributes import AttributeState, AttributeStateCollection
from .base import NO_VALUE, STATE_KEY

__all__ = ["AttributeState", "InstanceState", "instance_state"]

#: objects made transient by a rollback while some attributes were expired (as in
#: SQLAlchemy, reading those raises DetachedInstanceError); id → object, weakly
_EXPIRED_TRANSIENT: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def _object_gone(state: InstanceState) -> None:
    """The weak reference's callback: the identity map forgets a collected object.

    Written out in one function because it runs for every object that dies (in
    ``bulk_create`` each new object dies at commit).  An object with changes is held
    strongly, so it cannot die here; a state replaced under its key is left alone."""
    session = state.session
    if session is not None and state.ident is not None and state.committed_state is None:
        found = session._identity_map._maps.get(state.mapper)
        if found is not None and found.get(state.ident) is state:
            del found[state.ident]


class InstanceState(weakref.ref):
    """``state()`` is the object (or None once it is gone).

    ``committed_state`` is None until the first change of a persistent object;
    then it maps each changed key to its old value, and the object is
    "modified" (``session.dirty``) until flush or expiry.
    """

    __slots__ = ("mapper", "ident", "session", "committed_state", "_deleted", "_strong")

    # A weak reference compares and hashes by its object; a state must not (models may
    # define __eq__, or be unhashable): states are keys of the Session's own sets.
    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    @classmethod
    def _create(cls, obj: Any, mapper: Any) -> InstanceState:
        state = cls(obj, _object_gone)
        state.mapper = mapper
        state.ident = None
        state.session = None
        state.committed_state = None
        state._deleted = False
        state._strong = None
        return state

    # ``ident`` is the primary key as the identity map holds it: the bare value, or a
    # tuple for a composite key; None until the object has an identity.
    @property
    def key(self) -> tuple | None:
        """SQLAlchemy's identity key: ``(class, (pk, ...), None)``."""
        ident = self.ident
        if ident is None:
            return None
        return (self.mapper.class_, self.identity, None)

    @property
    def identity(self) -> tuple | None:
        ident = self.ident
        if ident is None:
            return None
        return ident if len(self.mapper._pk_keys) > 1 else (ident,)

    @property
    def obj(self) -> InstanceState:
        """Kept for readability at call sites: ``state.obj()`` is ``state()``."""
        return self

    @property
    def class_(self) -> type:
        return self.mapper.class_

    @property
    def modified(self) -> bool:
        """A new object is modified by its set values (it keeps no ``committed_state``
        once added); a persistent one from its first change until flush or expiry."""
        if self.ident is None:
            return bool(self._changed_keys())
        return self.committed_state is not None

    @modified.setter
    def modified(self, value: bool) -> None:
        if not value:
            self.committed_state = None
        elif self.committed_state is None:
            self.committed_state = {}

    # -- object states ----------------------------------------------------------
    @property
    def transient(self) -> bool:
        return self.ident is None and self.session is None

    @property
    def pending(self) -> bool:
        return self.ident is None and self.session is not None

    @property
    def persistent(self) -> bool:
        return self.ident is not None and self.session is not None and not self._deleted

    @property
    def deleted(self) -> bool:
        return self._deleted and self.ident is not None and self.session is not None

    @property
    def was_deleted(self) -> bool:
        return self._deleted

    @property
    def detached(self) -> bool:
        return self.ident is not None and self.session is None

    @property
    def has_identity(self) -> bool:
        return self.ident is not None

    @property
    def identity_key(self) -> tuple | None:
        return self.key

    @property
    def object(self) -> Any:
        return self.obj()

    @property
    def dict(self) -> dict:
        obj = self.obj()
        return obj.__dict__ if obj is not None else {}

    @property
    def is_instance(self) -> bool:
        return True

    @property
    def async_session(self) -> None:
        return None

    @property
    def unloaded(self) -> set:
        d = self.dict
        return {key for key in self.mapper._expire_keys if key not in d}

    @property
    def unmodified(self) -> set:
        """Attribute keys without a change to flush (loaded or not), as SQLAlchemy's."""
        return set(self.mapper._expire_keys).difference(self._changed_keys())

    def unmodified_intersection(self, keys: Any) -> set:
        """Those of ``keys`` that are attributes without a change to flush."""
        return self.unmodified.intersection(keys)

    def _changed_keys(self) -> set:
        """Keys with a change to flush.  A persistent object records them in
        ``committed_state``; a new one has none recorded, so its set values (and
        non-empty collections) are its changes."""
        committed = self.committed_state
        changed = set(committed) if committed else set()
        if self.ident is None:
            from .attributes import attribute_history

            d = self.dict
            changed.update(key for key in self.mapper._expire_keys
                           if key in d and attribute_history(self, key).added)
        return changed

    @property
    def unloaded_expirable(self) -> set:
        return self.unloaded

    @property
    def expired_attributes(self) -> set:
        """Columns not loaded, and with them the unloaded relationships (expiry takes
        both); relationships never loaded alone are not "expired"."""
        if self.ident is None:
            return set()
        d = self.dict
        committed = self.committed_state
        # an expired attribute assigned before being loaded stays "expired" until flush
        assigned = {k for k, v in committed.items() if v is NO_VALUE} if committed else set()
        if self.mapper._attr_key_set.issubset(d):
            return assigned
        return self.unloaded | assigned

    @property
    def expired(self) -> bool:
        return self.ident is not None and not self.mapper._attr_key_set.issubset(self.dict)

    @property
    def attrs(self) -> AttributeStateCollection:
        return AttributeStateCollection(self)

    def _describe(self) -> str:
        identity = self.identity
        if identity is not None:
            return f"<{self.class_.__name__} at {hex(id(self.obj()))}>"
        return f"<{self.class_.__name__} at {hex(id(self.obj()))}>"

    # -- change tracking -------------------------------------------------------
    def _mark_modified(self, obj: Any) -> dict:
        """First change of a persistent object: keep it alive and tell the session."""
        committed = self.committed_state = {}
        self._strong = obj
        session = self.session
        if session is not None:
            if not self._deleted:  # as SQLAlchemy: once its DELETE is flushed, not tracked
                session._modified.add(self)
            if session._transaction is None:  # a change begins the Session's transaction
                session._autobegin()
        return committed

    def _commit_all(self) -> None:
        """Forget old values after a flush: the current values are now committed."""
        self.committed_state = None
        self._strong = None

    # -- loading ------------------------------------------------------------
    def _load_unloaded(self, obj: Any, key: str) -> Any:
        """Load ``key`` (and every other unloaded column) from the database."""
        session = self.session
        if self.ident is None:
            if _EXPIRED_TRANSIENT.get(id(obj)) is obj:
                raise orm_exc.DetachedInstanceError(
                    f"Instance {self._describe()} lost its row when its transaction rolled "
                    f"back, and its attribute '{key}' had been expired; set it again or "
                    "load the object anew."
                )
            # transient or pending: an unset attribute is None, as in SQLAlchemy
            return self.mapper._default_for_unset(key)
        if session is None:
            raise orm_exc.DetachedInstanceError(
                f"Instance {self._describe()} is not bound to a Session; attribute refresh "
                f"operation cannot proceed: cannot load '{key}' of {self.class_.__name__}"
                f"{self.identity!r} because its Session is closed. Load the attribute before "
                "closing, use expire_on_commit=False, or add the object to a new Session."
                " (Background on this error at: https://sqlalche.me/e/20/bhk3)"
            )
        if self._deleted:  # ObjectDeletedError (an InvalidRequestError), as SQLAlchemy
            if session._transaction is None:  # whose SELECT (finding no row) began one
                session._autobegin()
            raise orm_exc.ObjectDeletedError(self, (
                f"Instance '{self._describe()}' has been deleted; its attribute '{key}' cannot "
                "be loaded. Use the value before deleting, or roll back."))
        from .loading import load_unloaded

        load_unloaded(session, self, obj, key)
        try:
            return obj.__dict__[key]
        except KeyError:
            return self.mapper._default_for_unset(key)


def instance_state(obj: Any) -> InstanceState:
    """The state of a mapped object, created on first request.

    Benchmark: ``bulk_create`` (every new object passes through here once).
    """
    d = getattr(obj, "__dict__", None)
    if d is not None:
        state = d.get(STATE_KEY)
        if state is not None:
            return state
    mapper = getattr(type(obj), "__mapper__", None)
    if mapper is None or d is None:
        raise orm_exc.UnmappedInstanceError(obj)
    state = InstanceState._create(obj, mapper)
    # a transient object is kept alive by its state until it has an identity
    state._strong = obj
    if not mapper._attr_key_set.isdisjoint(d):
        state.committed_state = {}  # SQLAlchemy reports a transient object with values as modified
    d[STATE_KEY] = state
    return state

