"""``event.listen`` / ``event.listens_for`` / ``event.remove`` / ``event.contains``.

Four families of events, with SQLAlchemy's targets and signatures:

* connection events of an Engine or Pool (``connect``, ``first_connect``), e.g.
  turning on SQLite's foreign keys for each new DB-API connection;
* mapper persistence events (``before_insert`` ... ``after_delete``) on a mapped
  class, a base class with ``propagate=True``, a Mapper or the ``Mapper`` class;
* Session events (``before_flush``, ``after_commit``, ...) on a Session class, a
  sessionmaker or a Session;
* attribute events (``set``, ``append``, ``remove``, ``bulk_replace``) on a mapped
  attribute such as ``User.name`` or ``User.addresses``.

The ORM ones live in ``orm/events.py`` and ``orm/attribute_events.py``.  Any other
event or target (execution, DDL, instance events) is refused with an error naming
it, rather than accepted and never called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import exc
from .engine.pool import Pool

_POOL_EVENTS = ("connect", "first_connect")


def _pool_of(target: Any) -> Pool | None:
    pool = target if isinstance(target, Pool) else getattr(target, "pool", None)
    return pool if isinstance(pool, Pool) else None


def _orm() -> Any:
    from .orm import events

    return events


def _unsupported(target: Any, identifier: str) -> exc.InvalidRequestError:
    name = getattr(target, "__name__", type(target).__name__)
    orm = _orm()
    return exc.InvalidRequestError(
        f"event {identifier!r} on {name} is not supported by lightalchemy yet; it supports "
        f"{', '.join(_POOL_EVENTS)} on an Engine or Pool, "
        f"{', '.join(orm.MAPPER_EVENTS)} on a mapped class or Mapper, and "
        f"{', '.join(orm.SESSION_EVENTS)} on a Session, Session class or sessionmaker, and "
        "set, append, remove, bulk_replace on a mapped attribute."
    )


def _pool_listeners(target: Any, identifier: str) -> list:
    pool = _pool_of(target)
    if pool is None or identifier not in _POOL_EVENTS:
        raise _unsupported(target, identifier)
    return pool._connect_listeners


def listen(target: Any, identifier: str, fn: Callable, *args: Any, **kw: Any) -> None:
    if _pool_of(target) is None and _orm().kind_of(target) is not None:
        _orm().listen(target, identifier, fn, kw)
        return
    listeners = _pool_listeners(target, identifier)
    if identifier == "first_connect":
        fired: list = []

        def once(dbapi_connection: Any, record: Any) -> None:
            if not fired:
                fired.append(True)
                fn(dbapi_connection, record)

        once._la_wraps = fn  # type: ignore[attr-defined]
        listeners.append(once)
    else:
        listeners.append(fn)


def listens_for(target: Any, identifier: str, *args: Any, **kw: Any) -> Callable:
    def decorate(fn: Callable) -> Callable:
        listen(target, identifier, fn, *args, **kw)
        return fn

    return decorate


def remove(target: Any, identifier: str, fn: Callable) -> None:
    if _pool_of(target) is None and _orm().kind_of(target) is not None:
        _orm().remove(target, identifier, fn)
        return
    listeners = _pool_listeners(target, identifier)
    for listener in list(listeners):
        if listener is fn or getattr(listener, "_la_wraps", None) is fn:
            listeners.remove(listener)
            return
    raise exc.InvalidRequestError(f"No listener {fn!r} for event {identifier!r} on {target!r}")


def contains(target: Any, identifier: str, fn: Callable) -> bool:
    if _pool_of(target) is None and _orm().kind_of(target) is not None:
        return _orm().contains(target, identifier, fn)
    listeners = _pool_listeners(target, identifier)
    return any(listener is fn or getattr(listener, "_la_wraps", None) is fn
               for listener in listeners)
