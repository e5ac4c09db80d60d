"""InstanceState: the ORM's bookkeeping for one mapped object.

An object carries its state in ``obj.__dict__["_sa_instance_state"]``,
created when it first meets a Session (or ``inspect()``).  The state points
back at the object weakly, so the identity map forgets objects the program
no longer holds, unless they have unflushed changes (then ``_strong`` keeps
them alive).
"""

from __future__ import annotations

import weakref
from typing import Any

from .. import exc as sa_exc
from . import exc as orm_exc
from .base import STATE_KEY


class _StateRef(weakref.ref):
    """Weak reference to an object that remembers the object's state."""

    __slots__ = ("state",)


def _object_gone(ref: _StateRef) -> None:
    state = ref.state
    session = state.session
    if session is not None:
        session._identity_map._discard_state(state)


class InstanceState:
    __slots__ = (
        "obj", "mapper", "class_", "key", "session", "committed_state", "modified",
        "_deleted", "_strong", "__weakref__",
    )

    def __init__(self, obj: Any, mapper: Any) -> None:
        self.obj = _make_ref(obj, self)
        self.mapper = mapper
        self.class_ = mapper.class_
        self.key = None
        self.session = None
        self.committed_state = None
        self.modified = False
        self._deleted = False
        self._strong = None

    # -- object states ----------------------------------------------------------
    @property
    def transient(self) -> bool:
        return self.key is None and self.session is None

    @property
    def pending(self) -> bool:
        return self.key is None and self.session is not None

    @property
    def persistent(self) -> bool:
        return self.key is not None and self.session is not None and not self._deleted

    @property
    def deleted(self) -> bool:
        return self._deleted and self.key is not None and self.session is not None

    @property
    def was_deleted(self) -> bool:
        return self._deleted

    @property
    def detached(self) -> bool:
        return self.key is not None and self.session is None

    @property
    def has_identity(self) -> bool:
        return self.key is not None

    @property
    def identity(self) -> tuple | None:
        return self.key[1] if self.key is not None else None

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
        return {key for key in self.mapper._attr_keys if key not in d}

    @property
    def unloaded_expirable(self) -> set:
        return self.unloaded

    @property
    def expired_attributes(self) -> set:
        return self.unloaded if self.key is not None else set()

    @property
    def expired(self) -> bool:
        return self.key is not None and bool(self.unloaded)

    @property
    def attrs(self) -> Any:
        from .attributes import AttributeStateCollection

        return AttributeStateCollection(self)

    def _describe(self) -> str:
        identity = self.key[1] if self.key is not None else None
        if identity is not None:
            return f"<{self.class_.__name__} at {hex(id(self.obj()))}>"
        return f"<{self.class_.__name__} at {hex(id(self.obj()))}>"

    # -- change tracking -------------------------------------------------------
    def _mark_modified(self, obj: Any) -> None:
        self.modified = True
        self._strong = obj
        session = self.session
        if session is not None:
            session._modified.add(self)

    def _commit_all(self) -> None:
        """Forget old values after a flush: the current values are now committed."""
        self.committed_state = None
        self.modified = False
        self._strong = None

    # -- loading ------------------------------------------------------------
    def _load_unloaded(self, obj: Any, key: str) -> Any:
        """Load ``key`` (and every other unloaded column) from the database."""
        session = self.session
        if self.key is None:
            # transient or pending: an unset attribute is None, as in SQLAlchemy
            return self.mapper._default_for_unset(key)
        if session is None:
            raise orm_exc.DetachedInstanceError(
                f"Instance {self._describe()} is not bound to a Session; attribute refresh "
                f"operation cannot proceed: cannot load '{key}' of {self.class_.__name__}"
                f"{self.key[1]!r} because its Session is closed. Load the attribute before "
                "closing, use expire_on_commit=False, or add the object to a new Session."
                " (Background on this error at: https://sqlalche.me/e/20/bhk3)"
            )
        if self._deleted:
            raise sa_exc.InvalidRequestError(
                f"Instance {self._describe()} has been deleted; its attribute '{key}' cannot "
                "be loaded. Use the value before deleting, or roll back."
            )
        from .loading import load_unloaded

        load_unloaded(session, self, obj)
        try:
            return obj.__dict__[key]
        except KeyError:
            return self.mapper._default_for_unset(key)


def _make_ref(obj: Any, state: InstanceState) -> _StateRef:
    ref = _StateRef(obj, _object_gone)
    ref.state = state
    return ref


def instance_state(obj: Any) -> InstanceState:
    """The state of a mapped object, created on first request."""
    try:
        return obj.__dict__[STATE_KEY]
    except (KeyError, AttributeError):
        pass
    mapper = getattr(type(obj), "__mapper__", None)
    if mapper is None or not hasattr(obj, "__dict__"):
        raise orm_exc.UnmappedInstanceError(obj)
    state = InstanceState(obj, mapper)
    # a transient object is kept alive by its state until it has an identity
    state._strong = obj
    d = obj.__dict__
    if any(key in d for key in mapper._attr_keys):
        state.modified = True
    d[STATE_KEY] = state
    return state

