"""Connection pools: QueuePool for servers and file databases, StaticPool for memory.

A checkout (``Pool.connect``) hands out a ``_Record``: one DB-API connection and
when it was opened.  Before handing out a kept connection the pool replaces it
when it is older than ``pool_recycle`` seconds, older than the last disconnect
seen on any of the pool's connections (a server restart takes them all), or
fails the dialect's ping (``pool_pre_ping``); and it finishes a reset the
dialect started when the connection came back (PostgreSQL sends the ROLLBACK
of a returned connection without waiting for its answer, read here instead).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from .. import exc


class _Record:
    """One DB-API connection and when it was opened."""

    __slots__ = ("connection", "created", "pool", "reset_pending")

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.connection = pool._creator()
        self.created = time.monotonic()
        #: the dialect sent a ROLLBACK whose answer is still to be read (``finish_reset``)
        self.reset_pending = False
        for listener in pool._connect_listeners:  # event.listen(engine, "connect", fn)
            listener(self.connection, self)

    def close(self) -> None:
        try:
            self.connection.close()
        except Exception:
            pass


class Pool:
    """Hands out DB-API connections; subclasses decide how many and to whom."""

    #: a checked-out connection is used by one Connection only, so its reset may be
    #: finished at the next checkout (not StaticPool / SingletonThreadPool, which share)
    exclusive = False

    def __init__(self, creator: Callable[[], Any], recycle: int = -1, echo: Any = False,
                 pre_ping: bool = False, reset_on_return: Any = True,
                 dialect: Any = None, **kw: Any) -> None:
        self._creator = creator
        #: fn(dbapi_connection, connection_record) for each new DB-API connection
        self._connect_listeners: list = []
        self._recycle = recycle
        self._pre_ping = pre_ping
        self._dialect = dialect
        #: connections opened before this moment are replaced at checkout: one of the
        #: pool's connections found the server gone, so the others are likely dead too
        self._invalidate_time = 0.0
        #: engine.dispose() replaced this pool: connections still out are closed on return
        self._retired = False
        self.echo = echo

    def connect(self) -> _Record:
        record = self._checkout()
        try:
            return self._ready(record)
        except BaseException:
            self._invalidate(record)  # the slot is free again
            raise

    def _ready(self, record: _Record) -> _Record:
        """``record`` or, where it cannot be used, a new connection in its place."""
        dialect = self._dialect
        if record.reset_pending:
            record.reset_pending = False
            if not dialect.finish_reset(record.connection):
                return self._replace(record)
        if record.created <= self._invalidate_time or (
                self._recycle > -1 and time.monotonic() - record.created > self._recycle):
            return self._replace(record)
        if self._pre_ping and dialect is not None and not dialect.do_ping(record.connection):
            return self._replace(record)
        return record

    def _replace(self, record: _Record) -> _Record:
        record.close()
        return _Record(self)

    def _note_disconnect(self) -> None:
        """A connection of this pool found the server gone (Connection._handle_error)."""
        self._invalidate_time = time.monotonic()

    def _checkout(self) -> _Record:
        raise NotImplementedError

    def _return(self, record: _Record) -> None:
        raise NotImplementedError

    def _invalidate(self, record: _Record) -> None:
        record.close()

    def dispose(self) -> None:
        pass

    def _retire(self) -> None:
        self._retired = True

    def recreate(self) -> Pool:
        return self._with_listeners(type(self)(
            self._creator, recycle=self._recycle, pre_ping=self._pre_ping,
            dialect=self._dialect))

    def _with_listeners(self, pool: Pool) -> Pool:
        pool._connect_listeners = self._connect_listeners  # engine.dispose() keeps them
        return pool

    def status(self) -> str:
        return type(self).__name__


class QueuePool(Pool):
    """Up to ``pool_size`` kept connections plus ``max_overflow`` temporary ones.

    A checkout beyond both waits up to ``timeout`` seconds for a connection to come
    back (or for a slot to free up when one is discarded), then raises
    ``TimeoutError``.  Kept connections are handed out oldest-returned first, or
    most-recently-returned first with ``use_lifo=True`` (``pool_use_lifo``).
    ``pool_size=0`` keeps every returned connection; ``max_overflow=-1`` sets no limit.
    """

    exclusive = True

    def __init__(self, creator: Callable[[], Any], pool_size: int = 5, max_overflow: int = 10,
                 timeout: float = 30.0, use_lifo: bool = False, **kw: Any) -> None:
        super().__init__(creator, **kw)
        self._idle: deque[_Record] = deque()
        self._size = pool_size
        self._max_overflow = max_overflow
        self._timeout = timeout
        self._use_lifo = use_lifo
        self._open = 0  # connections made and not yet closed, checked out or idle
        self._cond = threading.Condition(threading.Lock())

    def _checkout(self) -> _Record:
        deadline = None
        with self._cond:
            while True:
                if self._idle:
                    return self._idle.pop() if self._use_lifo else self._idle.popleft()
                if self._max_overflow < 0 or self._open < self._size + self._max_overflow:
                    self._open += 1
                    break
                now = time.monotonic()
                if deadline is None:
                    deadline = now + self._timeout
                if now >= deadline:
                    raise exc.TimeoutError(
                        f"QueuePool limit of size {self._size} overflow {self._max_overflow} "
                        f"reached, connection timed out, timeout {self._timeout:.2f}; close "
                        "connections and sessions when done, or raise pool_size / "
                        "max_overflow."
                    )
                self._cond.wait(deadline - now)
        try:
            return _Record(self)
        except BaseException:
            self._release_slot()
            raise

    def _release_slot(self) -> None:
        with self._cond:
            self._open -= 1
            self._cond.notify()

    def _return(self, record: _Record) -> None:
        with self._cond:
            if not self._retired and (self._size == 0 or len(self._idle) < self._size):
                self._idle.append(record)
                self._cond.notify()
                return
            self._open -= 1
            self._cond.notify()
        record.close()

    def _invalidate(self, record: _Record) -> None:
        record.close()
        self._release_slot()

    def dispose(self) -> None:
        with self._cond:
            idle = list(self._idle)
            self._idle.clear()
            self._open -= len(idle)
            self._cond.notify_all()
        for record in idle:
            record.close()

    def recreate(self) -> Pool:
        return self._with_listeners(QueuePool(
            self._creator, pool_size=self._size, max_overflow=self._max_overflow,
            timeout=self._timeout, use_lifo=self._use_lifo, recycle=self._recycle,
            pre_ping=self._pre_ping, dialect=self._dialect))

    def size(self) -> int:
        return self._size

    def checkedin(self) -> int:
        return len(self._idle)

    def overflow(self) -> int:
        return self._open - self._size

    def checkedout(self) -> int:
        return self._open - len(self._idle)

    def status(self) -> str:
        return (f"Pool size: {self.size()}  Connections in pool: {self.checkedin()} "
                f"Current Overflow: {self.overflow()} Current Checked out connections: "
                f"{self.checkedout()}")


class StaticPool(Pool):
    """Exactly one connection, shared by every checkout (memory databases)."""

    def __init__(self, creator: Callable[[], Any], **kw: Any) -> None:
        super().__init__(creator, **kw)
        self._record: _Record | None = None
        self._lock = threading.Lock()

    def _checkout(self) -> _Record:
        if self._record is None:
            with self._lock:
                if self._record is None:
                    self._record = _Record(self)
        return self._record

    def _return(self, record: _Record) -> None:
        pass

    def _replace(self, record: _Record) -> _Record:
        with self._lock:
            record.close()
            self._record = _Record(self)
            return self._record

    def _invalidate(self, record: _Record) -> None:
        record.close()
        if self._record is record:
            self._record = None

    def dispose(self) -> None:
        if self._record is not None:
            self._record.close()
            self._record = None


class NullPool(Pool):
    """A new connection per checkout, closed on return."""

    def _checkout(self) -> _Record:
        return _Record(self)

    def _return(self, record: _Record) -> None:
        record.close()


class SingletonThreadPool(Pool):
    """One connection per thread."""

    def __init__(self, creator: Callable[[], Any], pool_size: int = 5, **kw: Any) -> None:
        super().__init__(creator, **kw)
        self._local = threading.local()
        self._all: list[_Record] = []

    def _checkout(self) -> _Record:
        record = getattr(self._local, "record", None)
        if record is None:
            record = self._local.record = _Record(self)
            self._all.append(record)
        return record

    def _return(self, record: _Record) -> None:
        pass

    def _replace(self, record: _Record) -> _Record:
        record.close()
        fresh = self._local.record = _Record(self)
        self._all.append(fresh)
        return fresh

    def _invalidate(self, record: _Record) -> None:
        record.close()
        if getattr(self._local, "record", None) is record:
            self._local.record = None

    def dispose(self) -> None:
        for record in self._all:
            record.close()
        self._all.clear()
        self._local = threading.local()


AssertionPool = StaticPool
