"""Reading 1,000,000 rows in partitions keeps memory flat.

The read runs in a fresh interpreter and measures its own peak resident size
(``VmHWM``; ``ru_maxrss`` would start at the parent's peak on Linux).  Loading every object at once is
measured the same way for contrast: streaming must stay far below it.
"""

import sqlite3
import subprocess
import sys
import textwrap

import pytest

ROWS = 1_000_000

PROGRAM = textwrap.dedent("""
    import sys
    from lightalchemy import create_engine, select
    from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

    class Base(DeclarativeBase):
        pass

    class Person(Base):
        __tablename__ = "people"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]
        age: Mapped[int]

    engine = create_engine("sqlite:///" + sys.argv[1])
    with Session(engine) as session:  # warm up: imports, compiled statements, loaders
        session.scalars(select(Person).limit(10)).all()
    def peak_kb():
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))

    before = peak_kb()
    count = total_age = 0
    with Session(engine) as session:
        if sys.argv[2] == "stream":
            result = session.execute(select(Person).execution_options(yield_per=1000))
            for partition in result.scalars().partitions():
                count += len(partition)
                total_age += sum(p.age for p in partition)
        else:
            people = session.scalars(select(Person)).all()
            count, total_age = len(people), sum(p.age for p in people)
    growth_kb = peak_kb() - before
    print(count, total_age, growth_kb)
""")


@pytest.fixture(scope="module")
def million_rows(tmp_path_factory):
    path = tmp_path_factory.mktemp("stream") / "people.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                 "age INTEGER NOT NULL)")
    conn.executemany("INSERT INTO people (name, age) VALUES (?, ?)",
                     ((f"person {i}", i % 90) for i in range(ROWS)))
    conn.commit()
    conn.close()
    return path


def _read(path, mode):
    out = subprocess.run([sys.executable, "-c", PROGRAM, str(path), mode], check=True,
                         capture_output=True, text=True).stdout.split()
    count, total_age, growth_kb = map(int, out)
    return count, total_age, growth_kb / 1024


def test_streaming_a_million_rows_keeps_memory_flat(million_rows):
    expected_age = sum(i % 90 for i in range(ROWS))
    count, total_age, stream_mb = _read(million_rows, "stream")
    assert (count, total_age) == (ROWS, expected_age)
    assert stream_mb < 50, f"streaming grew the process by {stream_mb:.1f} MB"
    count, total_age, all_mb = _read(million_rows, "all")
    assert (count, total_age) == (ROWS, expected_age)
    assert all_mb > 10 * max(stream_mb, 1), (stream_mb, all_mb)
