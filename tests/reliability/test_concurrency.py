"""Many threads, one Engine and sessionmaker: nothing lost, nothing doubled, nothing dirty.

Each thread has its own Session and mixes inserts, ORM deletes, atomic increments
(``UPDATE … SET n = n + 1``), deliberate unique violations rolled back, explicit
rollbacks of flushed rows, and commits; a reader thread meanwhile checks that no
rolled-back or uncommitted change is ever visible and that the counter never goes
back.  Afterwards the raw driver must see exactly what the successful transactions
did, and no thread may have seen an error (on SQLite: no "database is locked").
While a Session holds a transaction its connection is marked as in use, so two
threads holding the same connection at once would be caught.  On SQLite one file,
on PostgreSQL one schema.  ``LIGHTALCHEMY_CONCURRENCY_ROUNDS`` makes a long run.
"""

import threading

from reliability_support import env_int, is_sqlite, raw_connect, rows

from lightalchemy import String, create_engine, func, select, update
from lightalchemy.exc import IntegrityError
from lightalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

THREADS = 8
ROUNDS = env_int("LIGHTALCHEMY_CONCURRENCY_ROUNDS", 40)
DOOMED = 1_000_000  # what a rolled-back increment adds; never visible


class Base(DeclarativeBase):
    pass


class Counter(Base):
    __tablename__ = "counter"
    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int]


class Entry(Base):
    __tablename__ = "entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), unique=True)


class ConnectionsInUse:
    """The DB-API connections that threads hold in a transaction right now."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: dict[int, int] = {}

    def take(self, session) -> int:
        dbapi = session.connection().connection
        key = id(getattr(dbapi, "dbapi_connection", dbapi))
        with self.lock:
            other = self.held.get(key)
            assert other is None, f"connection handed to thread {threading.get_ident()} " \
                                  f"while thread {other} holds it"
            self.held[key] = threading.get_ident()
        return key

    def give_back(self, key: int) -> None:  # before commit/rollback returns it to the pool
        with self.lock:
            del self.held[key]


def test_threads_sharing_a_database_lose_nothing(db_url):
    engine = create_engine(db_url)
    Base.metadata.create_all(engine)
    Session = sessionmaker(bind=engine)
    with Session() as s:
        s.add(Counter(id=1, n=0))
        s.commit()
    errors: list = []
    refused = [0]
    lock = threading.Lock()
    in_use = ConnectionsInUse()
    done = threading.Event()

    def work(worker: int) -> None:
        try:
            for i in range(ROUNDS):
                with Session() as s:
                    s.add(Entry(tag=f"w{worker}-{i}"))
                    s.execute(update(Counter).where(Counter.id == 1)
                              .values(n=Counter.n + 1))
                    key = in_use.take(s)
                    if i % 3 == 2:  # an ORM delete of this thread's previous entry
                        s.delete(s.scalars(select(Entry).filter_by(tag=f"w{worker}-{i - 1}"))
                                 .one())
                    s.flush()
                    in_use.give_back(key)
                    s.commit()
                with Session() as s:  # a unique violation: rolled back, nothing kept
                    try:
                        s.execute(update(Counter).where(Counter.id == 1)
                                  .values(n=Counter.n + DOOMED))
                        key = in_use.take(s)
                        s.add(Entry(tag=f"w{worker}-{i}"))
                        try:
                            s.flush()
                        finally:
                            in_use.give_back(key)
                        s.commit()
                    except IntegrityError:
                        s.rollback()
                        with lock:
                            refused[0] += 1
                with Session() as s:  # flushed, then rolled back on purpose
                    s.add(Entry(tag=f"rb-{worker}-{i}"))
                    s.execute(update(Counter).where(Counter.id == 1)
                              .values(n=Counter.n + DOOMED))
                    s.flush()
                    key = in_use.take(s)
                    in_use.give_back(key)
                    s.rollback()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(f"writer {worker}: {error!r}")

    def read() -> None:
        last = 0
        try:
            while not done.is_set():
                with Session() as s:
                    n = s.scalar(select(Counter.n).where(Counter.id == 1))
                    key = in_use.take(s)
                    assert last <= n < DOOMED, f"the counter read {n} after {last}"
                    last = n
                    dirty = s.scalar(select(func.count()).select_from(Entry)
                                     .where(Entry.tag.like("rb-%")))
                    assert dirty == 0, f"{dirty} rolled-back rows visible"
                    in_use.give_back(key)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(f"reader: {error!r}")

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=work, args=(w,)) for w in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    reader.join()
    engine.dispose()

    assert errors == []
    assert refused[0] == THREADS * ROUNDS
    raw = raw_connect(db_url)
    try:
        assert rows(raw, "SELECT n FROM counter") == [(THREADS * ROUNDS,)]
        tags = [t for (t,) in rows(raw, "SELECT tag FROM entry")]
        expected = [f"w{w}-{i}" for w in range(THREADS) for i in range(ROUNDS)
                    if i % 3 != 1 or i == ROUNDS - 1]
        assert sorted(tags) == sorted(expected)
        if is_sqlite(db_url):
            assert rows(raw, "PRAGMA integrity_check") == [("ok",)]
    finally:
        raw.close()


def test_read_then_write_in_savepoints_loses_no_update(db_url):
    """Read, then write, inside a SAVEPOINT of many threads at once.  On SQLite the
    first BEGIN is BEGIN IMMEDIATE, so one of two such writers is not refused with
    "database is locked" (FOR UPDATE is not SQL there); on PostgreSQL the row lock
    of ``with_for_update`` orders them (a plain read would lose updates under READ
    COMMITTED, as it does with any client)."""
    engine = create_engine(db_url)
    Base.metadata.create_all(engine)
    Session = sessionmaker(bind=engine)
    with Session() as s:
        s.add(Counter(id=1, n=0))
        s.commit()
    errors: list = []
    start = threading.Barrier(THREADS)

    def work() -> None:
        try:
            start.wait()
            for _ in range(10):
                with Session() as s:
                    with s.begin_nested():
                        counter = s.get(Counter, 1, with_for_update=True)
                        counter.n = counter.n + 1  # read, then write, inside one transaction
                    s.commit()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert errors == []
    raw = raw_connect(db_url)
    try:
        assert rows(raw, "SELECT n FROM counter") == [(THREADS * 10,)]
    finally:
        raw.close()
