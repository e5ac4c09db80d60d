"""The ORM's event registry: mapper persistence events and Session events.

(Attribute events hang on the attributes themselves: attribute_events.py.)

``lightalchemy.event.listen`` hands ORM targets here.  Registration is rare and
the flush is hot, so the flush code reads two module flags (``mapper_active``,
``session_active``) before anything else: a program without listeners pays one
attribute read per flush, and a class without listeners pays one cached lookup.

Listeners are called as SQLAlchemy calls them: mapper events per object, all
listeners of one object before the next object; class-level Session listeners
before those of one Session instance; each group in registration order
(``insert=True`` puts a listener first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import exc as sa_exc

MAPPER_EVENTS = ("before_insert", "after_insert", "before_update", "after_update",
                 "before_delete", "after_delete")
SESSION_EVENTS = ("before_flush", "after_flush", "after_flush_postexec", "before_commit",
                  "after_commit", "after_rollback", "after_soft_rollback", "after_begin")

#: argument names, for ``named=True``
_SESSION_ARGS = {
    "before_flush": ("session", "flush_context", "instances"),
    "after_flush": ("session", "flush_context"),
    "after_flush_postexec": ("session", "flush_context"),
    "before_commit": ("session",),
    "after_commit": ("session",),
    "after_rollback": ("session",),
    "after_soft_rollback": ("session", "previous_transaction"),
    "after_begin": ("session", "transaction", "connection"),
}
_MAPPER_ARGS = ("mapper", "connection", "target")
_LISTEN_OPTIONS = frozenset({"propagate", "once", "raw", "retval", "insert", "named"})

#: set once any mapper listener exists: the flush then takes its evented path
mapper_active = False
#: set while a listener is registered on a Session class or a sessionmaker
session_active = False

_ALL_MAPPERS = object()  # target of listeners on the Mapper class itself


class Registration:
    """One ``listen()`` call: what it listens to and how to call it."""

    __slots__ = ("target", "identifier", "fn", "propagate", "once", "raw", "named", "fired")

    def __init__(self, target: Any, identifier: str, fn: Callable, kw: dict) -> None:
        self.target = target
        self.identifier = identifier
        self.fn = fn
        self.propagate = bool(kw.get("propagate", False))
        self.once = bool(kw.get("once", False))
        self.raw = bool(kw.get("raw", False))
        self.named = bool(kw.get("named", False))
        self.fired = False

    def call(self, names: tuple, args: tuple) -> Any:
        if self.once:
            if self.fired:
                return None
            self.fired = True
        if self.named:
            return self.fn(**dict(zip(names, args)))
        return self.fn(*args)


_mapper_registrations: list[Registration] = []
_session_class_registrations: list[Registration] = []
_resolved: dict = {}  # (mapper, identifier) -> tuple of Registrations


# -- targets -----------------------------------------------------------------------


def _target_name(target: Any) -> str:
    return repr(target)


def _no_such_event(target: Any, identifier: str, supported: tuple) -> sa_exc.InvalidRequestError:
    return sa_exc.InvalidRequestError(
        f"No such event {identifier!r} for target '{_target_name(target)}'; lightalchemy "
        f"supports {', '.join(supported)} on this target (see README, 'Events')."
    )


def kind_of(target: Any) -> str | None:
    """"attribute", "mapper", "session" or None (not an ORM target)."""
    from .attribute_events import is_attribute
    from .mapper import Mapper
    from .session import Session, sessionmaker

    if is_attribute(target):
        return "attribute"
    if target is Mapper or isinstance(target, (Mapper, sessionmaker, Session)):
        return "session" if isinstance(target, (sessionmaker, Session)) else "mapper"
    if isinstance(target, type):
        if issubclass(target, Session):
            return "session"
        if target.__module__.startswith("lightalchemy."):
            return None  # Engine, Pool, Connection...: not ORM targets
        return "mapper"  # a mapped class, or a base class / mixin of mapped classes
    return None


def _session_target(target: Any) -> Any:
    from .session import sessionmaker

    return target.class_ if isinstance(target, sessionmaker) else target


def _mapper_target(target: Any) -> Any:
    from .mapper import Mapper

    if target is Mapper:
        return _ALL_MAPPERS
    return target.class_ if isinstance(target, Mapper) else target


def _check_options(kw: dict) -> None:
    unknown = sorted(set(kw) - _LISTEN_OPTIONS)
    if unknown:
        raise TypeError(f"event.listen() got unexpected keyword argument(s) {unknown}; "
                        f"it accepts {sorted(_LISTEN_OPTIONS)}")


# -- listen / remove / contains ---------------------------------------------------------


def listen(target: Any, identifier: str, fn: Callable, kw: dict) -> None:
    global mapper_active, session_active
    kind = kind_of(target)
    if kind == "attribute":
        from . import attribute_events

        attribute_events.listen(target, identifier, fn, kw)
        return
    _check_options(kw)
    if kind == "mapper":
        if identifier not in MAPPER_EVENTS:
            raise _no_such_event(target, identifier, MAPPER_EVENTS)
        reg = Registration(_mapper_target(target), identifier, fn, kw)
        _add(_mapper_registrations, reg, kw)
        _resolved.clear()
        mapper_active = True
        return
    if identifier not in SESSION_EVENTS:
        raise _no_such_event(target, identifier, SESSION_EVENTS)
    target = _session_target(target)
    reg = Registration(target, identifier, fn, kw)
    if isinstance(target, type):
        _add(_session_class_registrations, reg, kw)
        session_active = True
    else:
        own = target.__dict__.get("_event_listeners")
        if own is None:
            own = target._event_listeners = {}
        _add(own.setdefault(identifier, []), reg, kw)


def _add(registrations: list, reg: Registration, kw: dict) -> None:
    if kw.get("insert"):
        registrations.insert(0, reg)
    else:
        registrations.append(reg)


def _registrations_of(target: Any, identifier: str) -> tuple[list, Any]:
    """The list holding ``target``'s registrations for ``identifier``, and the target as
    stored there."""
    kind = kind_of(target)
    if kind == "mapper":
        if identifier not in MAPPER_EVENTS:
            raise _no_such_event(target, identifier, MAPPER_EVENTS)
        return _mapper_registrations, _mapper_target(target)
    if identifier not in SESSION_EVENTS:
        raise _no_such_event(target, identifier, SESSION_EVENTS)
    target = _session_target(target)
    if isinstance(target, type):
        return _session_class_registrations, target
    own = target.__dict__.get("_event_listeners") or {}
    return own.get(identifier, []), target


def _matches(reg: Registration, target: Any, identifier: str, fn: Callable) -> bool:
    return reg.target is target and reg.identifier == identifier and reg.fn is fn


def remove(target: Any, identifier: str, fn: Callable) -> None:
    global mapper_active, session_active
    if kind_of(target) == "attribute":
        from . import attribute_events

        attribute_events.remove(target, identifier, fn)
        return
    registrations, stored = _registrations_of(target, identifier)
    for reg in registrations:
        if _matches(reg, stored, identifier, fn):
            registrations.remove(reg)
            _resolved.clear()
            mapper_active = bool(_mapper_registrations)
            session_active = bool(_session_class_registrations)
            return
    raise sa_exc.InvalidRequestError(
        f"No listeners found for event {target!r} / {identifier!r} / {fn!r}; it was never "
        "passed to event.listen() with this target, or was removed already."
    )


def contains(target: Any, identifier: str, fn: Callable) -> bool:
    if kind_of(target) == "attribute":
        from . import attribute_events

        return attribute_events.contains(target, identifier, fn)
    registrations, stored = _registrations_of(target, identifier)
    return any(_matches(reg, stored, identifier, fn) for reg in registrations)


# -- dispatch: mapper events --------------------------------------------------------


def mapper_listeners(mapper: Any, identifier: str) -> tuple:
    """The registrations that apply to ``mapper`` for ``identifier``, cached until the
    next listen/remove.  A class's own listeners apply to it; those on a base class
    (declarative Base, a mixin) only with ``propagate=True``, as in SQLAlchemy."""
    key = (mapper, identifier)
    found = _resolved.get(key)
    if found is None:
        cls = mapper.class_
        applying = [reg for reg in _mapper_registrations
                    if reg.identifier == identifier and (
                        reg.target is _ALL_MAPPERS or reg.target is cls or (
                            reg.propagate and isinstance(reg.target, type)
                            and issubclass(cls, reg.target)))]
        # as SQLAlchemy: those on the Mapper class (every mapper) come first
        found = _resolved[key] = tuple(sorted(applying,
                                              key=lambda reg: reg.target is not _ALL_MAPPERS))
    return found


def has_mapper_listeners(mapper: Any) -> bool:
    return mapper_active and any(mapper_listeners(mapper, i) for i in MAPPER_EVENTS)


def fire_mapper(identifier: str, mapper: Any, connection: Any, states: list) -> None:
    """Call ``identifier``'s listeners for each state in turn (no-op without any)."""
    if not states:
        return
    registrations = mapper_listeners(mapper, identifier)
    if not registrations:
        return
    for state in states:
        obj = state.obj()
        for reg in registrations:
            reg.call(_MAPPER_ARGS, (mapper, connection, state if reg.raw else obj))


def by_identity(states: list) -> list:
    """Persistent objects in primary key order, as SQLAlchemy walks them in a flush."""
    try:
        return sorted(states, key=lambda s: s.identity)
    except TypeError:  # keys of mixed, unorderable types: keep the given order
        return list(states)


# -- dispatch: Session events ---------------------------------------------------------


def session_listeners(session: Any, identifier: str) -> list:
    found = [reg for reg in _session_class_registrations
             if reg.identifier == identifier and isinstance(session, reg.target)]
    own = session._event_listeners
    if own:
        found.extend(own.get(identifier, ()))
    return found


def fire_session(identifier: str, session: Any, *args: Any) -> None:
    """Call the Session's ``identifier`` listeners with ``(session, *args)``."""
    if not session_active and not session._event_listeners:
        return
    full = (session, *args)
    names = _SESSION_ARGS[identifier]
    for reg in session_listeners(session, identifier):
        reg.call(names, full)


def session_listening(session: Any) -> bool:
    """Whether any listener applies to this Session (its class's or its own)."""
    return bool(session._event_listeners) or session_active and any(
        isinstance(session, reg.target) for reg in _session_class_registrations)


class FlushContext:
    """What SQLAlchemy passes as ``flush_context`` (its UOWTransaction): the Session and
    its transaction, for listeners that reach them through it."""

    __slots__ = ("session", "transaction")

    def __init__(self, session: Any) -> None:
        self.session = session
        self.transaction = session._transaction
