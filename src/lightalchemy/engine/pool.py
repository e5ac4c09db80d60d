"""Connection pools: QueuePool for servers and file databases, StaticPool for memory."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from .. import exc


class _Record:
    """One DB-API connection and when it was opened."""

    __slots__ = ("connection", "created", "pool")

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.connection = pool._creator()
        self.created = time.monotonic()
        for listener in pool._connect_listeners:  # event.listen(engine, "connect", fn)
            listener(self.connection, self)

    def close(self) -> None:
        try:
            self.connection.close()
        except Exception:
            pass


class Pool:
    """Hands out DB-API connections; subclasses decide how many and to whom."""

    def __init__(self, creator: Callable[[], Any], recycle: int = -1, echo: Any = False,
                 pre_ping: bool = False, reset_on_return: Any = True,
                 dialect: Any = None, **kw: Any) -> None:
        self._creator = creator
        #: fn(dbapi_connection, connection_record) for each new DB-API connection
        self._connect_listeners: list = []
        self._recycle = recycle
        self._pre_ping = pre_ping
        self._dialect = dialect
        self.echo = echo

    def connect(self) -> _Record:
        record = self._checkout()
        if self._recycle > -1 and time.monotonic() - record.created > self._recycle:
            record.close()
            record = _Record(self)
        elif self._pre_ping and self._dialect is not None and not self._dialect.do_ping(
                record.connection):
            record.close()
            record = _Record(self)
        return record

    def _checkout(self) -> _Record:
        raise NotImplementedError

    def _return(self, record: _Record) -> None:
        raise NotImplementedError

    def _invalidate(self, record: _Record) -> None:
        record.close()

    def dispose(self) -> None:
        pass

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
    """Up to ``pool_size`` kept connections plus ``max_overflow`` temporary ones."""

    def __init__(self, creator: Callable[[], Any], pool_size: int = 5, max_overflow: int = 10,
                 timeout: float = 30.0, **kw: Any) -> None:
        super().__init__(creator, **kw)
        self._pool: queue.LifoQueue = queue.LifoQueue(maxsize=pool_size)
        self._size = pool_size
        self._max_overflow = max_overflow
        self._timeout = timeout
        self._overflow = 0 - pool_size
        self._lock = threading.Lock()

    def _checkout(self) -> _Record:
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._max_overflow < 0 or self._overflow < self._max_overflow:
                self._overflow += 1
                try:
                    return _Record(self)
                except BaseException:
                    self._overflow -= 1
                    raise
        try:
            return self._pool.get(timeout=self._timeout)
        except queue.Empty:
            raise exc.TimeoutError(
                f"QueuePool limit of size {self._size} overflow {self._max_overflow} reached, "
                f"connection timed out, timeout {self._timeout:.2f}; close connections and "
                "sessions when done, or raise pool_size / max_overflow."
            ) from None

    def _return(self, record: _Record) -> None:
        try:
            self._pool.put_nowait(record)
        except queue.Full:
            record.close()
            with self._lock:
                self._overflow -= 1

    def _invalidate(self, record: _Record) -> None:
        record.close()
        with self._lock:
            self._overflow -= 1

    def dispose(self) -> None:
        while True:
            try:
                record = self._pool.get_nowait()
            except queue.Empty:
                break
            record.close()
            with self._lock:
                self._overflow -= 1

    def recreate(self) -> Pool:
        return self._with_listeners(QueuePool(
            self._creator, pool_size=self._size, max_overflow=self._max_overflow,
            timeout=self._timeout, recycle=self._recycle, pre_ping=self._pre_ping,
            dialect=self._dialect))

    def size(self) -> int:
        return self._size

    def checkedin(self) -> int:
        return self._pool.qsize()

    def overflow(self) -> int:
        return self._overflow

    def checkedout(self) -> int:
        return self._size - self._pool.qsize() + self._overflow

    def status(self) -> str:
        return (f"Pool size: {self._size}  Connections in pool: {self.checkedin()} "
                f"Current Overflow: {self._overflow} Current Checked out connections: "
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

    def _invalidate(self, record: _Record) -> None:
        record.close()
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

    def _invalidate(self, record: _Record) -> None:
        record.close()
        self._local.record = None

    def dispose(self) -> None:
        for record in self._all:
            record.close()
        self._all.clear()
        self._local = threading.local()


AssertionPool = StaticPool
