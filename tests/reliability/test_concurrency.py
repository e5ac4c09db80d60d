"""Many threads, one Engine and sessionmaker, one SQLite file: nothing lost, nothing doubled.

Each thread has its own Session and mixes inserts, atomic increments
(``UPDATE … SET n = n + 1``), deliberate unique violations rolled back, and
commits.  Afterwards the raw driver must see exactly what the successful
transactions did, and no thread may have seen "database is locked".
"""

import sqlite3
import threading

from lightalchemy import String, create_engine, update
from lightalchemy.exc import IntegrityError
from lightalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

THREADS = 8
ROUNDS = 40


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


def test_threads_sharing_a_file_lose_nothing(tmp_path):
    path = tmp_path / "shared.db"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    Session = sessionmaker(bind=engine)
    with Session() as s:
        s.add(Counter(id=1, n=0))
        s.commit()
    errors: list = []
    duplicates_refused = [0]
    lock = threading.Lock()

    def work(worker: int) -> None:
        try:
            for i in range(ROUNDS):
                with Session() as s:
                    s.add(Entry(tag=f"w{worker}-{i}"))
                    s.execute(update(Counter).where(Counter.id == 1)
                              .values(n=Counter.n + 1))
                    s.commit()
                with Session() as s:  # a unique violation: rolled back, nothing kept
                    try:
                        s.execute(update(Counter).where(Counter.id == 1)
                                  .values(n=Counter.n + 1000))
                        s.add(Entry(tag=f"w{worker}-{i}"))
                        s.commit()
                    except IntegrityError:
                        s.rollback()
                        with lock:
                            duplicates_refused[0] += 1
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()

    assert errors == []
    assert duplicates_refused[0] == THREADS * ROUNDS
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT n FROM counter").fetchone() == (THREADS * ROUNDS,)
    tags = [t for (t,) in raw.execute("SELECT tag FROM entry")]
    assert sorted(tags) == sorted(f"w{w}-{i}" for w in range(THREADS) for i in range(ROUNDS))
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_read_then_write_in_savepoints_does_not_deadlock(tmp_path):
    """A transaction opened by begin_nested() reads before it writes: SQLite would refuse
    one of two such writers at once ("database is locked") if BEGIN took no write lock."""
    path = tmp_path / "savepoints.db"
    engine = create_engine(f"sqlite:///{path}")
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
                        counter = s.get(Counter, 1)
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
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT n FROM counter").fetchone() == (THREADS * 10,)
