"""The connection pool on PostgreSQL: sizes, waiting, recycling, pinging, threads, dispose.

Differential where SQLAlchemy's behaviour is the reference (``pg_compare`` runs
each scenario on both libraries, each in a fresh schema whose URL names its own
``application_name``, so the server's ``pg_stat_activity`` shows which backends
a scenario's pool holds).  Backends are killed with ``pg_terminate_backend``
from another connection.  No assertion is about elapsed time: waits for the
server to notice a closed connection poll a condition, and a pool that waits
(``pool_timeout``) is only asked whether it raised.
"""

from __future__ import annotations

import importlib
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest

import lightalchemy as la
from lightalchemy import exc
from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

PID = "SELECT pg_backend_pid()"


def _app_name(url: str) -> str:
    return parse_qs(urlsplit(url).query)["application_name"][0]


class _Server:
    """Looks at the server from a connection of its own (not in any pool under test)."""

    def __init__(self, lib) -> None:
        self.lib = lib
        self.name = _app_name(lib.url)
        pool = importlib.import_module(f"{lib.name}.pool")
        self.engine = lib.engine(poolclass=pool.NullPool,
                                 connect_args={"application_name": "la_pool_admin"})

    def _scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(self.lib.sa.text(sql), params).scalar()

    def backends(self) -> int:
        """Connections of the scenario's pools the server has open right now."""
        return self._scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                            ":name AND pid <> pg_backend_pid()", name=self.name)

    def wait_backends(self, expected: int) -> int:
        """The count once it is ``expected`` (a closed socket takes the server a moment)."""
        for _ in range(500):
            count = self.backends()
            if count == expected:
                break
            time.sleep(0.01)
        return count

    def kill(self, *pids: int, idle: bool = True) -> None:
        """Terminate the backends; with ``idle``, once each has run its connection's last
        ROLLBACK (lightalchemy reads its answer only at the next checkout; a backend
        killed before it ran would be replaced there, where SQLAlchemy's user sees the
        error, so the outcome would depend on timing)."""
        for pid in pids:
            for _ in range(500 if idle else 0):
                if self._scalar("SELECT state FROM pg_stat_activity WHERE pid = :p",
                                p=pid) == "idle":
                    break
                time.sleep(0.01)
            self._scalar("SELECT pg_terminate_backend(:p)", p=pid)
        for pid in pids:
            for _ in range(500):
                if not self._scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = :p",
                                    p=pid):
                    break
                time.sleep(0.01)


def _pid(lib, conn) -> int:
    return conn.execute(lib.sa.text(PID)).scalar()


def _counts(pool) -> tuple:
    return pool.size(), pool.checkedin(), pool.checkedout(), pool.overflow()


def test_size_overflow_timeout_and_counts(pg_compare):
    def scenario(lib):
        server = _Server(lib)
        engine = lib.engine(pool_size=2, max_overflow=1, pool_timeout=0.05)
        held = [engine.connect() for _ in range(3)]
        pids = {_pid(lib, c) for c in held}
        lib.out(len(pids), server.wait_backends(3), _counts(engine.pool))
        try:
            engine.connect()
        except lib.exc.TimeoutError as error:  # size + overflow reached: waits, then raises
            lib.out("timeout", type(error).__name__, isinstance(error, lib.exc.SQLAlchemyError))
        held.pop().close()  # back in the pool, so the next checkout gets it
        with engine.connect() as conn:
            lib.out(_pid(lib, conn) in pids, _counts(engine.pool))
        for conn in held:
            conn.close()
        # two kept, the overflow one closed
        lib.out(_counts(engine.pool), server.wait_backends(2))
        engine.dispose()
        lib.out(server.wait_backends(0))

    pg_compare(scenario)


def test_a_waiting_checkout_gets_the_connection_given_back(pg_url):
    engine = la.create_engine(pg_url, pool_size=1, max_overflow=0, pool_timeout=60)
    holder = engine.connect()
    first = holder.exec_driver_sql(PID).scalar()
    got: list = []

    def waiter() -> None:
        with engine.connect() as conn:
            got.append(conn.exec_driver_sql(PID).scalar())

    thread = threading.Thread(target=waiter)
    thread.start()
    holder.close()
    thread.join()
    assert got == [first]
    engine.dispose()


def test_a_discarded_connection_frees_its_slot_for_a_waiting_checkout(pg_url):
    # not returned but invalidated: the waiter must not sit out pool_timeout
    engine = la.create_engine(pg_url, pool_size=1, max_overflow=0, pool_timeout=60)
    holder = engine.connect()
    first = holder.exec_driver_sql(PID).scalar()
    got: list = []
    errors: list = []

    def waiter() -> None:
        try:
            with engine.connect() as conn:
                got.append(conn.exec_driver_sql(PID).scalar())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    thread = threading.Thread(target=waiter)
    thread.start()
    holder.invalidate()
    holder.close()
    thread.join()
    assert not errors and len(got) == 1 and got[0] != first
    assert _counts(engine.pool) == (1, 1, 0, 0)
    engine.dispose()


def test_a_failing_connect_gives_its_slot_back(pg_url):
    engine = la.create_engine(pg_url, pool_size=1, max_overflow=0, pool_timeout=0.05,
                              pool_recycle=0)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    real = engine.pool._creator

    def refused():
        raise exc.OperationalError("server down", None, None, None)

    engine.pool._creator = refused
    for _ in range(3):  # the recycled connection cannot be replaced: an error, not a leak
        with pytest.raises(exc.OperationalError):
            engine.connect()
    engine.pool._creator = real
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 2").scalar() == 2
    assert _counts(engine.pool) == (1, 1, 0, 0)
    engine.dispose()


def test_lifo_and_fifo_order(pg_compare):
    def scenario(lib):
        for lifo in (False, True):
            engine = lib.engine(pool_size=2, max_overflow=0, pool_use_lifo=lifo)
            a, b = engine.connect(), engine.connect()
            pa, pb = _pid(lib, a), _pid(lib, b)
            a.close()
            b.close()
            with engine.connect() as conn:
                lib.out(lifo, {pa: "first returned", pb: "last returned"}[_pid(lib, conn)])
            engine.dispose()

    pg_compare(scenario)


def test_pool_recycle(pg_compare):
    def scenario(lib):
        for recycle in (-1, 3600, 0):
            engine = lib.engine(pool_size=1, max_overflow=0, pool_recycle=recycle)
            pids = []
            for _ in range(3):
                with engine.connect() as conn:
                    pids.append(_pid(lib, conn))
            lib.out(recycle, len(set(pids)))
            engine.dispose()

    pg_compare(scenario)


def test_killed_connections_with_and_without_pre_ping(pg_compare):
    """A server restart kills every pooled connection.  With pre-ping each checkout
    finds out and reconnects; without it the first statement fails (and says the
    connection was invalidated), and the pool then replaces the others too."""

    def scenario(lib):
        server = _Server(lib)
        for pre_ping in (True, False):
            engine = lib.engine(pool_size=3, max_overflow=0, pool_pre_ping=pre_ping)
            held = [engine.connect() for _ in range(3)]
            old = {_pid(lib, c) for c in held}
            for conn in held:
                conn.close()
            server.kill(*old)
            outcomes = []
            for _ in range(3):  # one at a time: each checkout takes a kept connection
                with engine.connect() as conn:
                    try:
                        outcomes.append(("ok", _pid(lib, conn) not in old))
                    except lib.exc.DBAPIError as error:
                        outcomes.append((type(error).__name__, error.connection_invalidated))
            lib.out(pre_ping, outcomes)
            with engine.connect() as conn:  # whatever happened, the pool works again
                lib.out(_pid(lib, conn) not in old)
            engine.dispose()

    pg_compare(scenario)


def test_session_on_a_killed_connection_reports_then_recovers(pg_compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        server = _Server(lib)

        class Base(orm.DeclarativeBase):
            pass

        class Note(Base):
            __tablename__ = "notes"
            id = orm.mapped_column(sa.Integer, primary_key=True)
            text = orm.mapped_column(sa.String, nullable=False)

        engine = lib.engine(pool_size=1, max_overflow=0)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            session.add(Note(text="kept"))
            session.commit()
            pid = session.execute(sa.text(PID)).scalar()
            server.kill(pid, idle=False)  # mid-transaction, as a server restart would
            session.add(Note(text="lost"))
            try:
                session.flush()
            except lib.exc.DBAPIError as error:
                lib.out(type(error).__name__, error.connection_invalidated)
            session.rollback()
            lib.out(session.execute(sa.text(PID)).scalar() != pid)
            lib.out(sorted(n.text for n in session.scalars(sa.select(Note))))
            session.add(Note(text="after"))
            session.commit()
        with orm.Session(engine) as session:
            lib.out(sorted(n.text for n in session.scalars(sa.select(Note))))
        engine.dispose()

    pg_compare(scenario)


def test_dispose_closes_idle_connections_and_keeps_working(pg_compare):
    def scenario(lib):
        server = _Server(lib)
        engine = lib.engine(pool_size=2, max_overflow=0)
        held = engine.connect()
        held_pid = _pid(lib, held)
        with engine.connect() as idle:
            idle_pid = _pid(lib, idle)
        lib.out(server.wait_backends(2))
        engine.dispose()
        lib.out(server.wait_backends(1))  # the idle one is closed, the checked-out one not
        lib.out(_pid(lib, held) == held_pid)  # and still works
        with engine.connect() as conn:  # a new pool, new connections
            lib.out(_pid(lib, conn) not in (held_pid, idle_pid), engine.pool.checkedout())
        held.close()
        engine.dispose()

    pg_compare(scenario)


def test_a_connection_out_during_dispose_is_closed_when_it_comes_back(pg_url, pg_admin):
    engine = la.create_engine(pg_url, pool_size=2)
    held = engine.connect()
    held.exec_driver_sql("SELECT 1")
    old_pool = engine.pool
    engine.dispose()
    held.close()  # to the pool it came from, which is gone: closed, not kept
    assert held.connection.closed
    assert old_pool.checkedin() == 0 and engine.pool.checkedin() == 0
    assert engine.pool.checkedout() == 0  # the new pool was not handed a stranger
    engine.dispose()


class _Base(DeclarativeBase):
    pass


class Hit(_Base):
    __tablename__ = "hits"
    id: Mapped[int] = mapped_column(primary_key=True)
    worker: Mapped[int]
    step: Mapped[int]
    backend: Mapped[int]


def test_threads_never_share_a_connection(pg_url):
    engine = la.create_engine(pg_url, pool_size=3, max_overflow=2, pool_timeout=120)
    _Base.metadata.create_all(engine)
    workers, steps = 8, 25
    lock = threading.Lock()
    in_use: set = set()
    most = [0]
    problems: list = []

    def work(worker: int) -> None:
        try:
            for step in range(steps):
                with Session(engine) as session:
                    raw = session.connection().connection
                    with lock:
                        if id(raw) in in_use:
                            problems.append(f"worker {worker} got a connection in use")
                        in_use.add(id(raw))
                        most[0] = max(most[0], len(in_use))
                    backend = session.execute(la.text(PID)).scalar()
                    if backend != raw.info.backend_pid:
                        problems.append("the statement ran on another connection")
                    session.add(Hit(worker=worker, step=step, backend=backend))
                    session.flush()
                    with lock:
                        in_use.discard(id(raw))
                    if step % 3:
                        session.commit()
                    else:
                        session.rollback()
        except Exception as error:  # pragma: no cover - reported below
            problems.append(repr(error))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    assert 1 <= most[0] <= 5
    pool = engine.pool
    assert pool.checkedout() == 0 and pool.checkedin() <= 3 and pool.overflow() <= 0
    with Session(engine) as session:
        rows = session.execute(la.select(Hit.worker, Hit.step)).all()
        backends = set(session.scalars(la.select(Hit.backend)))
    expected = {(w, s) for w in range(workers) for s in range(steps) if s % 3}
    assert sorted(rows) == sorted(expected)
    assert len(backends) <= 5
    engine.dispose()


def test_an_execution_options_copy_shares_the_pool_through_dispose(pg_compare):
    def scenario(lib):
        engine = lib.engine(pool_size=1, max_overflow=0)
        copy = engine.execution_options(isolation_level="REPEATABLE READ")
        lib.out(copy.pool is engine.pool)
        with copy.connect() as conn:
            first = _pid(lib, conn)
        engine.dispose()
        lib.out(copy.pool is engine.pool)
        pids = []
        for _ in range(2):
            with copy.connect() as conn:
                pids.append(_pid(lib, conn))
        lib.out(first not in pids, pids[0] == pids[1], engine.pool.checkedin())
        copy.dispose()
        lib.out(copy.pool is engine.pool, engine.pool.checkedin())
        engine.dispose()

    pg_compare(scenario)
