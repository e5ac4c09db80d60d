"""SIGKILL at any moment of a flush or commit: all of a transaction or none of it.

A child process writes through lightalchemy (one big unit of work, then many small
commits, reporting each commit that returned); the parent kills it after a random
delay, then checks with the raw driver that the big transaction is all or nothing,
every reported commit is there, the file passes ``PRAGMA integrity_check``, and the
same engine settings can reopen it and write.  Rollback journal and WAL both.
"""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

BIG = int(os.environ.get("LIGHTALCHEMY_CRASH_BIG", "20000"))
KILLS = int(os.environ.get("LIGHTALCHEMY_CRASH_KILLS", "6"))

CHILD = textwrap.dedent("""
    import sys
    from lightalchemy import create_engine, text
    from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "item"
        id: Mapped[int] = mapped_column(primary_key=True)
        batch: Mapped[str]
        n: Mapped[int]

    path, journal, big, run = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    engine = create_engine("sqlite:///" + path)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA journal_mode={journal}")
    Base.metadata.create_all(engine)
    print("ready", flush=True)
    with Session(engine) as s:
        s.add_all([Item(batch=f"big-{run}", n=i) for i in range(big)])
        s.commit()
    print("big", flush=True)
    for i in range(100000):
        with Session(engine) as s:
            s.add(Item(batch=f"small-{run}", n=i))
            s.commit()
        print("small", i, flush=True)
""")


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_sigkill_during_flush_and_commit_loses_nothing(tmp_path, journal):
    path = tmp_path / f"crash-{journal}.db"
    rng = random.Random(20261126)
    for run in range(KILLS):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), journal, str(BIG),
                                  str(run)], stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.6))
        child.send_signal(signal.SIGKILL)
        reported = child.communicate()[0].split("\n")
        child.wait()
        raw = sqlite3.connect(path)
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        big = raw.execute("SELECT count(*) FROM item WHERE batch = ?", (f"big-{run}",)).fetchone()
        assert big[0] in (0, BIG), f"run {run}: {big[0]} of {BIG} rows of one transaction"
        if "big" in reported:
            assert big[0] == BIG
        committed = {int(line.split()[1]) for line in reported if line.startswith("small ")}
        present = {n for (n,) in raw.execute("SELECT n FROM item WHERE batch = ?",
                                             (f"small-{run}",))}
        assert committed <= present, f"run {run}: reported commits missing"
        assert len(present - committed) <= 1  # at most the commit cut before it reported
        raw.close()
    # the same settings reopen the file and write
    from lightalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO item (batch, n) VALUES ('after', 1)"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM item WHERE batch = 'after'")).scalar() == 1
    engine.dispose()
