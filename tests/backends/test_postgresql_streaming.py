"""Server-side cursors on PostgreSQL: ``yield_per`` and ``stream_results`` read in batches.

psycopg's default cursor takes every row of a result into the client at once;
a named cursor (DECLARE … CURSOR inside the Connection's BEGIN, FETCH FORWARD n
per batch) keeps only one batch.  The memory test reads 200,000 rows in a fresh
interpreter and compares its peak resident size (VmHWM, the per-image form of
``ru_maxrss``) before and after the read.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import lightalchemy as la
from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ROWS = 200_000


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


def _server_side(result) -> bool:
    import psycopg

    return isinstance(result._source.cursor, psycopg.ServerCursor)


@pytest.fixture
def items(pg_url):
    engine = la.create_engine(pg_url)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO items (name) SELECT 'item ' || g "
                             "FROM generate_series(1, 25) AS g")
    yield engine
    engine.dispose()


def test_every_way_of_asking_for_streaming_uses_a_named_cursor(items):
    engine = items
    with Session(engine) as session:
        streamed = [
            session.execute(la.select(Item).execution_options(yield_per=10)),
            session.execute(la.select(Item), execution_options={"stream_results": True}),
            session.execute(la.select(Item.name).execution_options(yield_per=10)),
        ]
        assert all(_server_side(r) for r in streamed)
        assert [len(p) for p in streamed[0].scalars().partitions()] == [10, 10, 5]
        assert len(streamed[1].scalars().all()) == 25
        assert streamed[2].scalars().all()[-1] == "item 25"
        assert not _server_side(session.execute(la.select(Item)))
        # Query.yield_per
        assert [i.id for i in session.query(Item).yield_per(7)] == list(range(1, 26))
    with engine.connect() as conn:
        assert not _server_side(conn.execute(la.select(Item.id)))
        result = conn.execution_options(stream_results=True).execute(la.select(Item.id))
        assert _server_side(result)
        assert result.fetchmany(2) == [(1,), (2,)]
        result.close()  # closing early closes the server's cursor; the connection goes on
        assert conn.execute(la.text("SELECT count(*) FROM items")).scalar() == 25
        driver = conn.exec_driver_sql("SELECT id FROM items ORDER BY id",
                                      execution_options={"stream_results": True})
        assert _server_side(driver) and driver.scalars().all() == list(range(1, 26))
        # a statement that is not a query runs as usual even when streaming is asked for
        conn.execute(la.update(Item).where(Item.id == 1).values(name="one")
                     .execution_options(stream_results=True))
        assert conn.execute(la.select(Item.name).where(Item.id == 1)).scalar() == "one"
        # stream_results=False overrides the Connection's option
        assert not _server_side(conn.execute(
            la.select(Item.id).execution_options(stream_results=False)))


def test_streaming_without_a_transaction_under_autocommit(items):
    with items.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        result = conn.execute(la.select(Item.id).execution_options(yield_per=10))
        assert _server_side(result)
        assert sum(len(p) for p in result.partitions()) == 25


def test_a_stream_left_open_ends_with_its_transaction(items):
    with Session(items) as session:
        result = session.execute(la.select(Item).execution_options(yield_per=5))
        assert len(result.scalars().fetchmany(5)) == 5
        session.commit()
        assert session.scalar(la.select(la.func.count(Item.id))) == 25


PROGRAM = textwrap.dedent("""
    import dataclasses, sys, zlib

    def peak_kb():
        # VmHWM, the peak resident size of this process image: unlike ru_maxrss it does
        # not start from the (larger) parent's size that a fork + exec carries over
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    library, url, mode = sys.argv[1:4]
    sa = __import__(library)
    from importlib import import_module
    orm = import_module(library + ".orm")

    class Base(orm.DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "items"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str]

    engine = sa.create_engine(url)
    if mode == "client":  # streaming asked for, but through psycopg's default cursor
        features = engine.dialect.features
        engine.dialect.features = dataclasses.replace(features, server_side_cursors=False)
    with orm.Session(engine) as session:  # warm up: imports, compiled statements, loaders
        session.scalars(sa.select(Item).limit(10)).all()
    before = peak_kb()
    count = check = 0
    with orm.Session(engine) as session:
        if mode == "all":
            items = session.query(Item).order_by(Item.id).all()
            count = len(items)
            for i in items:
                check = zlib.crc32(f"{i.id}:{i.name}".encode(), check)
        else:
            for i in session.query(Item).order_by(Item.id).yield_per(1000):
                count += 1
                check = zlib.crc32(f"{i.id}:{i.name}".encode(), check)
                session.expunge(i) if library == "sqlalchemy" else None
    growth_kb = peak_kb() - before
    print(count, check, growth_kb)
""")


def _read(library: str, url: str, mode: str) -> tuple[int, int, float]:
    out = subprocess.run([sys.executable, "-c", PROGRAM, library, url, mode], check=True,
                         capture_output=True, text=True).stdout.split()
    count, check, growth_kb = map(int, out)
    return count, check, growth_kb / 1024


def test_streaming_200000_rows_keeps_memory_flat(pg_url):
    engine = la.create_engine(pg_url)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        # names of 300 characters: ~60 MB of text that a client-side cursor would hold
        conn.exec_driver_sql(f"INSERT INTO items (name) SELECT g || ' ' || repeat('x', 290) "
                             f"FROM generate_series(1, {ROWS}) AS g")
    engine.dispose()
    count, check, stream_mb = _read("lightalchemy", pg_url, "stream")
    assert count == ROWS
    reference = _read("sqlalchemy", pg_url, "stream")
    assert (count, check) == reference[:2]
    assert stream_mb < 15, f"streaming grew the process by {stream_mb:.1f} MB"
    client = _read("lightalchemy", pg_url, "client")
    assert client[:2] == (count, check)
    all_count, all_check, all_mb = _read("lightalchemy", pg_url, "all")
    assert (all_count, all_check) == (count, check)
    assert all_mb > 10 * max(stream_mb, 1), (stream_mb, all_mb)
    # the named cursor is what keeps it flat: psycopg's default cursor holds every row
    assert client[2] > stream_mb + 20, (stream_mb, client[2])
    print(f"stream {stream_mb:.1f} MB, client-side cursor {client[2]:.1f} MB, "
          f"all at once {all_mb:.1f} MB, SQLAlchemy stream {reference[2]:.1f} MB")


