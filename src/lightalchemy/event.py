"""``event.listen`` / ``event.listens_for``: the connection events of an Engine or Pool.

The common use is setting up each new DB-API connection, e.g. turning on SQLite's
foreign keys::

    @event.listens_for(engine, "connect")
    def set_sqlite_pragma(dbapi_connection, connection_record):
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

Other targets and events (ORM, execution, DDL events) are refused with an error
that names them, rather than accepted and never called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import exc
from .engine.pool import Pool

_SUPPORTED = ("connect", "first_connect")


def _pool_of(target: Any, identifier: str) -> Pool:
    pool = target if isinstance(target, Pool) else getattr(target, "pool", None)
    if not isinstance(pool, Pool) or identifier not in _SUPPORTED:
        name = getattr(target, "__name__", type(target).__name__)
        raise exc.InvalidRequestError(
            f"event {identifier!r} on {name} is not supported by lightalchemy yet; it supports "
            f"{', '.join(repr(i) for i in _SUPPORTED)} on an Engine or Pool instance."
        )
    return pool


def listen(target: Any, identifier: str, fn: Callable, *args: Any, **kw: Any) -> None:
    pool = _pool_of(target, identifier)
    if identifier == "first_connect":
        fired: list = []

        def once(dbapi_connection: Any, record: Any) -> None:
            if not fired:
                fired.append(True)
                fn(dbapi_connection, record)

        once._la_wraps = fn  # type: ignore[attr-defined]
        pool._connect_listeners.append(once)
    else:
        pool._connect_listeners.append(fn)


def listens_for(target: Any, identifier: str, *args: Any, **kw: Any) -> Callable:
    def decorate(fn: Callable) -> Callable:
        listen(target, identifier, fn, *args, **kw)
        return fn

    return decorate


def remove(target: Any, identifier: str, fn: Callable) -> None:
    listeners = _pool_of(target, identifier)._connect_listeners
    for listener in list(listeners):
        if listener is fn or getattr(listener, "_la_wraps", None) is fn:
            listeners.remove(listener)
            return
    raise exc.InvalidRequestError(f"No listener {fn!r} for event {identifier!r} on {target!r}")


def contains(target: Any, identifier: str, fn: Callable) -> bool:
    listeners = _pool_of(target, identifier)._connect_listeners
    return any(listener is fn or getattr(listener, "_la_wraps", None) is fn
               for listener in listeners)
