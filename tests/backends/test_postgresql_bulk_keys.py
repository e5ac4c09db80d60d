"""Many new objects on PostgreSQL: keys in few round trips, each paired with its object.

Sequence values of one multi-row INSERT … RETURNING come back in no promised
order, so new objects are inserted with one ``executemany(…, returning=True)``
(psycopg's pipeline mode): a statement per row, results in parameter order.
"""

from __future__ import annotations

import logging

import pytest

import lightalchemy as la
from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "things"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    size: Mapped[int | None]


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith("[parameters]"):
            self.statements.append(message)


@pytest.fixture
def counted():
    logger = logging.getLogger("lightalchemy.engine.Engine")
    handler, level = _Count(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.statements
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_5000_new_objects_get_their_own_keys_in_few_statements(pg_url, counted):
    engine = la.create_engine(pg_url)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:  # a gap in the sequence: values taken and not used
        conn.exec_driver_sql("SELECT nextval('things_id_seq') FROM generate_series(1, 37)")
    explicit = {10_000 + i for i in range(0, 5000, 97)}
    with Session(engine) as session:
        objects = []
        for i in range(5000):
            thing = Thing(name=f"thing {i}", size=i if i % 3 else None)
            if 10_000 + i in explicit:
                thing.id = 10_000 + i
            objects.append(thing)
        session.add_all(objects)
        del counted[:]
        session.flush()
        inserts = [s for s in counted if s.startswith("INSERT")]
        # the flush keeps the objects' order, so each run of objects with (or without)
        # an explicit key is one executemany: 2 per sprinkled explicit key, not 5,000
        assert len(inserts) <= 2 * len(explicit) + 2, len(inserts)
        ids = [t.id for t in objects]
        assert len(set(ids)) == 5000 and None not in ids
        assert {t.id for t in objects if t.id in explicit} == explicit
        generated = sorted(i for i in ids if i not in explicit)
        assert generated[0] == 38  # after the gap
        paired = [(t.id, t.name) for t in objects]
        session.commit()
    with engine.connect() as conn:
        stored = dict(conn.execute(la.select(Thing.id, Thing.name)).all())
    assert len(stored) == 5000
    for index, (key, name) in enumerate(paired):
        assert stored[key] == f"thing {index}" == name
    engine.dispose()


def test_new_objects_without_keys_take_one_statement_per_thousand(pg_url, counted):
    engine = la.create_engine(pg_url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        objects = [Thing(name=f"t{i}") for i in range(5000)]
        session.add_all(objects)
        del counted[:]
        session.flush()
        assert len([s for s in counted if s.startswith("INSERT")]) == 5
        assert [t.id for t in objects] == list(range(1, 5001))
        rows = dict(session.execute(la.select(Thing.id, Thing.name)).all())
        assert all(rows[t.id] == t.name for t in objects)
    engine.dispose()


def test_a_failing_row_raises_and_rolls_back(pg_url):
    engine = la.create_engine(pg_url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([Thing(name="a"), Thing(name=None), Thing(name="c")])
        with pytest.raises(la.exc.IntegrityError):
            session.flush()
        session.rollback()
        assert session.scalar(la.select(la.func.count(Thing.id))) == 0
    engine.dispose()
