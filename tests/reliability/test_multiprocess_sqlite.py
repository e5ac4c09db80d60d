"""Several processes writing one SQLite file: nothing lost, nothing doubled, no "locked".

Each child process has its own Engine and, after all of them are ready, mixes
inserts, ORM deletes, atomic increments (``UPDATE … SET n = n + 1``), read-then-write
in a SAVEPOINT (BEGIN IMMEDIATE takes the write lock before the read), deliberate
unique violations rolled back, explicit rollbacks of flushed rows, and commits.  Any
exception in a child, "database is locked" included, fails the test; afterwards the
raw driver must see exactly what the successful transactions did.  Rollback journal
and WAL.  ``LIGHTALCHEMY_MULTIPROCESS_ROUNDS`` makes a long run.
"""

import sqlite3
import subprocess
import sys
import textwrap

import pytest
from reliability_support import env_int

PROCESSES = 4
ROUNDS = env_int("LIGHTALCHEMY_MULTIPROCESS_ROUNDS", 25)

MODELS = textwrap.dedent("""
    from lightalchemy import String
    from lightalchemy.orm import DeclarativeBase, Mapped, mapped_column

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
""")

CHILD = MODELS + textwrap.dedent("""
    import sys
    from lightalchemy import create_engine, select, update
    from lightalchemy.exc import IntegrityError
    from lightalchemy.orm import sessionmaker

    path, worker, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    engine = create_engine("sqlite:///" + path)
    Session = sessionmaker(bind=engine)
    print("ready", flush=True)
    assert sys.stdin.readline().strip() == "go"
    refused = 0
    for i in range(rounds):
        with Session() as s:
            s.add(Entry(tag=f"p{worker}-{i}"))
            s.execute(update(Counter).where(Counter.id == 1).values(n=Counter.n + 1))
            if i % 3 == 2:
                s.delete(s.scalars(select(Entry).filter_by(tag=f"p{worker}-{i - 1}")).one())
            s.commit()
        with Session() as s:
            with s.begin_nested():
                counter = s.get(Counter, 2)
                counter.n = counter.n + 1
            s.commit()
        with Session() as s:
            try:
                s.execute(update(Counter).where(Counter.id == 1).values(n=Counter.n + 10**6))
                s.add(Entry(tag=f"p{worker}-{i}"))
                s.commit()
            except IntegrityError:
                s.rollback()
                refused += 1
        with Session() as s:
            s.add(Entry(tag=f"rb-{worker}-{i}"))
            s.execute(update(Counter).where(Counter.id == 1).values(n=Counter.n + 10**6))
            s.flush()
            s.rollback()
    engine.dispose()
    print("done", refused, flush=True)
""")

SETUP = MODELS + textwrap.dedent("""
    import sys
    from lightalchemy import create_engine
    from lightalchemy.orm import Session

    engine = create_engine("sqlite:///" + sys.argv[1])
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([Counter(id=1, n=0), Counter(id=2, n=0)])
        s.commit()
    engine.dispose()
""")


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_processes_sharing_a_file_lose_nothing(tmp_path, journal):
    path = tmp_path / f"shared-{journal}.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA journal_mode={journal}")
    raw.close()
    subprocess.run([sys.executable, "-c", SETUP, str(path)], check=True)
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(w), str(ROUNDS)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
                for w in range(PROCESSES)]
    for child in children:
        assert child.stdout.readline().strip() == "ready"
    for child in children:  # all start at once
        child.stdin.write("go\n")
        child.stdin.flush()
    outcomes = [child.communicate() for child in children]
    for child, (out, err) in zip(children, outcomes):
        assert child.returncode == 0, err[-2000:]
        assert out.split() == ["done", str(ROUNDS)], out  # every duplicate was refused

    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert raw.execute("SELECT id, n FROM counter ORDER BY id").fetchall() == [
            (1, PROCESSES * ROUNDS), (2, PROCESSES * ROUNDS)]
        tags = sorted(t for (t,) in raw.execute("SELECT tag FROM entry"))
        assert tags == sorted(f"p{w}-{i}" for w in range(PROCESSES) for i in range(ROUNDS)
                              if i % 3 != 1 or i == ROUNDS - 1)
    finally:
        raw.close()
