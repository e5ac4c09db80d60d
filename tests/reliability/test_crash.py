"""SIGKILL at any moment of a flush or commit: all of a transaction or none of it.

A child process writes through lightalchemy (one big unit of work, then many small
commits, reporting each commit that returned); the parent kills it, then checks with
the raw driver that the big transaction is all or nothing, every reported commit is
there, the rows of earlier runs are untouched, SQLite's file passes ``PRAGMA
integrity_check``, and the same engine settings can reconnect and write.  SQLite
with the rollback journal and with WAL, and PostgreSQL (where the server rolls the
killed client's transaction back; the check waits until its server process is gone).

Even runs kill during the big commit (a random moment within the duration the child
reported for the previous big commit), odd runs during the small commits, so both
phases are hit whatever the machine's speed.  ``LIGHTALCHEMY_CRASH_BIG`` (objects in
the big unit of work) and ``LIGHTALCHEMY_CRASH_KILLS`` (kills per backend) make a
long run; the test prints what it did (``pytest -s``).
"""

import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from reliability_support import env_int, is_sqlite, raw_connect, rows, wait_until_server_forgets

BIG = env_int("LIGHTALCHEMY_CRASH_BIG", 20000)
KILLS = env_int("LIGHTALCHEMY_CRASH_KILLS", 6)

CHILD = textwrap.dedent("""
    import sys, time
    from lightalchemy import create_engine
    from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "item"
        id: Mapped[int] = mapped_column(primary_key=True)
        batch: Mapped[str]
        n: Mapped[int]

    url, journal, big, run = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    engine = create_engine(url)
    if journal != "-":
        with engine.connect() as conn:
            conn.exec_driver_sql(f"PRAGMA journal_mode={journal}")
    Base.metadata.create_all(engine)
    print("ready", flush=True)
    with Session(engine) as s:
        s.add_all([Item(batch=f"big-{run}", n=i) for i in range(big)])
        print("flushing", flush=True)
        started = time.perf_counter()
        s.commit()
    print("big", time.perf_counter() - started, flush=True)
    for i in range(1000000):
        with Session(engine) as s:
            s.add(Item(batch=f"small-{run}", n=i))
            s.commit()
        print("small", i, flush=True)
""")


def _wait_for(child, marker, seen):
    for line in child.stdout:
        seen.append(line.strip())
        if line.startswith(marker):
            return line.split()
    raise AssertionError(f"the child ended before {marker!r}: {seen[-3:]}")


@pytest.mark.parametrize("backend, journal", [("sqlite", "delete"), ("sqlite", "wal"),
                                              ("postgresql", "-")])
def test_sigkill_during_flush_and_commit_loses_nothing(db_url, backend, journal):
    rng = random.Random(20261126)
    big_seconds = None  # how long the last complete big commit took
    survived: dict[int, tuple[int, set]] = {}  # run -> (big rows, small rows) after its kill
    phases = {"big": 0, "small": 0, "big committed unreported": 0}
    for run in range(KILLS):
        child = subprocess.Popen([sys.executable, "-c", CHILD, db_url, journal, str(BIG),
                                  str(run)], stdout=subprocess.PIPE, text=True)
        seen: list[str] = []
        _wait_for(child, "ready", seen)
        if run % 2 == 0 and big_seconds is not None:
            _wait_for(child, "flushing", seen)
            time.sleep(rng.uniform(0.0, big_seconds))
        else:
            big_seconds = float(_wait_for(child, "big", seen)[1])
            time.sleep(rng.uniform(0.0, 0.2))
        child.send_signal(signal.SIGKILL)
        # only whole lines: the kill can cut the last one short ("small 12" of 123)
        seen += child.communicate()[0].split("\n")[:-1]
        assert child.wait() == -signal.SIGKILL
        wait_until_server_forgets(db_url)

        raw = raw_connect(db_url)
        try:
            if is_sqlite(db_url):
                assert rows(raw, "PRAGMA integrity_check") == [("ok",)]
            big = rows(raw, "SELECT count(*) FROM item WHERE batch = ?", (f"big-{run}",))[0][0]
            assert big in (0, BIG), f"run {run}: {big} of {BIG} rows of one transaction"
            reported_big = any(line.startswith("big ") for line in seen)
            if reported_big:
                assert big == BIG, f"run {run}: the big commit returned but its rows are gone"
            phases["small" if reported_big else "big"] += 1
            phases["big committed unreported"] += not reported_big and big == BIG
            committed = {int(line.split()[1]) for line in seen if line.startswith("small ")}
            present = {n for (n,) in rows(raw, "SELECT n FROM item WHERE batch = ?",
                                          (f"small-{run}",))}
            assert committed <= present, f"run {run}: reported commits missing"
            # at most the commit cut between its COMMIT and the report of it
            assert len(present - committed) <= 1, f"run {run}: {sorted(present - committed)}"
            assert present == set(range(len(present))), f"run {run}: a gap in small commits"
            survived[run] = (big, present)
            for earlier, (big_rows, small_rows) in survived.items():
                assert rows(raw, "SELECT count(*) FROM item WHERE batch = ?",
                            (f"big-{earlier}",))[0][0] == big_rows, f"run {earlier} changed"
                assert {n for (n,) in rows(raw, "SELECT n FROM item WHERE batch = ?",
                                           (f"small-{earlier}",))} == small_rows
        finally:
            raw.close()
    print(f"\n{backend}/{journal}: {KILLS} kills survived (big unit of work of {BIG} objects; "
          f"killed during the big commit {phases['big']} times, "
          f"{phases['big committed unreported']} of them after COMMIT took effect; during "
          f"small commits {phases['small']} times)")
    # the same settings reconnect and write, through the ORM as the child did
    from lightalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO item (batch, n) VALUES ('after', 1)"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM item WHERE batch = 'after'")).scalar() == 1
    engine.dispose()
