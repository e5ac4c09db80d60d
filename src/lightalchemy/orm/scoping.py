"""``scoped_session``: one Session per thread (or per scope), reached through a proxy.

Web applications and scripts written for SQLAlchemy keep a module-level
``Session = scoped_session(sessionmaker(bind=engine))`` and call
``Session.add(...)``/``Session.commit()`` from anywhere: each thread (or each
value of ``scopefunc()``) gets its own Session, made on first use by the
factory and kept until ``Session.remove()``.

The proxy methods are plain functions looked up on the class, each resolving
the current Session and calling it: no ``__getattr__`` so that ``dir()``,
``hasattr`` and typos behave as in SQLAlchemy (an unknown name is an
AttributeError naming the scoped_session, not the Session).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import Any

from .. import exc as sa_exc
from .session import Session, close_all_sessions

__all__ = ["QueryPropertyDescriptor", "ScopedRegistry", "ThreadLocalRegistry", "scoped_session"]


class ScopedRegistry:
    """Objects made by ``createfunc``, one per value of ``scopefunc()``."""

    def __init__(self, createfunc: Callable[[], Any], scopefunc: Callable[[], Any]) -> None:
        self.createfunc = createfunc
        self.scopefunc = scopefunc
        self.registry: dict = {}

    def __call__(self) -> Any:
        key = self.scopefunc()
        try:
            return self.registry[key]
        except KeyError:
            return self.registry.setdefault(key, self.createfunc())

    def has(self) -> bool:
        """True when the current scope already holds an object."""
        return self.scopefunc() in self.registry

    def set(self, obj: Any) -> None:
        self.registry[self.scopefunc()] = obj

    def clear(self) -> None:
        self.registry.pop(self.scopefunc(), None)


class ThreadLocalRegistry(ScopedRegistry):
    """The default scope: the current thread (a ``threading.local``)."""

    def __init__(self, createfunc: Callable[[], Any]) -> None:
        self.createfunc = createfunc
        self.registry = threading.local()

    def __call__(self) -> Any:
        try:
            return self.registry.value
        except AttributeError:
            value = self.registry.value = self.createfunc()
            return value

    def has(self) -> bool:
        return hasattr(self.registry, "value")

    def set(self, obj: Any) -> None:
        self.registry.value = obj

    def clear(self) -> None:
        try:
            del self.registry.value
        except AttributeError:
            pass


class scoped_session:  # noqa: N801 - SQLAlchemy's name
    """``Session = scoped_session(sessionmaker(bind=engine))``; ``Session()`` is this
    thread's (or scope's) Session, and ``Session.add(obj)`` etc. act on it."""

    def __init__(self, session_factory: Any, scopefunc: Callable[[], Any] | None = None) -> None:
        self.session_factory = session_factory
        if scopefunc is not None:
            self.registry: ScopedRegistry = ScopedRegistry(session_factory, scopefunc)
        else:
            self.registry = ThreadLocalRegistry(session_factory)

    @property
    def _proxied(self) -> Any:
        return self.registry()

    def __call__(self, **kw: Any) -> Any:
        """The current Session, made by the factory (with ``kw``) if there is none."""
        if kw:
            if self.registry.has():
                raise sa_exc.InvalidRequestError(
                    "Scoped session is already present; no new arguments may be specified.")
            session = self.session_factory(**kw)
            self.registry.set(session)
            return session
        return self.registry()

    def remove(self) -> None:
        """Close the current Session (if any) and forget it; the next call makes a new one."""
        if self.registry.has():
            self.registry().close()
        self.registry.clear()

    def configure(self, **kw: Any) -> None:
        """Reconfigure the factory; Sessions already made are not affected (hence a warning)."""
        if self.registry.has():
            warnings.warn(
                "At least one scoped session is already present.  configure() can not "
                "affect sessions that have already been created.",
                sa_exc.SAWarning, stacklevel=2)
        self.session_factory.configure(**kw)

    def query_property(self, query_cls: type | None = None) -> QueryPropertyDescriptor:
        """A class attribute: ``Model.query`` is a Query of Model on the current Session."""
        return QueryPropertyDescriptor(self, query_cls)

    # classmethods of Session, proxied without making a Session (as SQLAlchemy does)
    @staticmethod
    def close_all() -> None:
        close_all_sessions()

    @staticmethod
    def identity_key(*args: Any, **kw: Any) -> Any:
        return Session.identity_key(*args, **kw)

    @staticmethod
    def object_session(instance: Any) -> Any:
        return Session.object_session(instance)

    def __repr__(self) -> str:
        return f"<scoped_session of {self.session_factory!r}>"


class QueryPropertyDescriptor:
    """What ``query_property()`` returns: read on a class, a Query for it."""

    def __init__(self, scoped: scoped_session, query_cls: type | None) -> None:
        self.scoped = scoped
        self.query_cls = query_cls

    def __get__(self, instance: Any, owner: type) -> Any:
        session = self.scoped.registry()
        if self.query_cls is not None:
            return self.query_cls(owner, session=session)
        return session.query(owner)


#: Session methods that act on the current Session
_PROXIED_METHODS = (
    "__contains__", "__iter__", "add", "add_all", "begin", "begin_nested", "close", "reset",
    "commit", "connection", "delete", "execute", "expire", "expire_all", "expunge",
    "expunge_all", "flush", "get", "get_one", "get_bind", "is_modified", "bulk_save_objects",
    "bulk_insert_mappings", "bulk_update_mappings", "merge", "query", "refresh", "rollback",
    "scalar", "scalars",
)
#: Session attributes read (and, for the settable ones, written) on the current Session
_PROXIED_ATTRIBUTES = ("bind", "dirty", "deleted", "new", "identity_map", "is_active",
                       "autoflush", "no_autoflush", "info")
_SETTABLE_ATTRIBUTES = frozenset({"bind", "autoflush", "info"})


def _proxy_method(name: str) -> Callable[..., Any]:
    def method(self: scoped_session, *args: Any, **kw: Any) -> Any:
        return getattr(self.registry(), name)(*args, **kw)

    method.__name__ = name
    method.__qualname__ = f"scoped_session.{name}"
    method.__doc__ = f"``Session.{name}()`` on the current scope's Session."
    return method


def _proxy_attribute(name: str) -> property:
    def fget(self: scoped_session) -> Any:
        return getattr(self.registry(), name)

    def fset(self: scoped_session, value: Any) -> None:
        setattr(self.registry(), name, value)

    return property(fget, fset if name in _SETTABLE_ATTRIBUTES else None,
                    doc=f"``Session.{name}`` of the current scope's Session.")


for _name in _PROXIED_METHODS:
    setattr(scoped_session, _name, _proxy_method(_name))
for _name in _PROXIED_ATTRIBUTES:
    setattr(scoped_session, _name, _proxy_attribute(_name))
del _name
