"""Many new objects on PostgreSQL: keys in few round trips, each paired with its object.

Where the key comes from a sequence counting upwards (SERIAL, IDENTITY), up to a
thousand new rows travel as one ``INSERT … SELECT … FROM unnest(%s::type[], …)
WITH ORDINALITY … ORDER BY`` with an array per column: the sequence numbers the
rows in that order, so the keys, which RETURNING sends back, are paired with the
objects in ascending order (and checked to ascend).  Elsewhere (a key with a
server default, a composite key, an ARRAY column, one SQL text for two tables
that differ) new objects go by one ``executemany(…, returning=True)`` (psycopg's
pipeline mode): a statement per row, results in parameter order.
"""

from __future__ import annotations

import logging
import threading

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


def test_new_objects_without_keys_take_one_statement_per_thousand(pg_url, counted,
                                                                  monkeypatch):
    from lightalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

    # below the COPY threshold (test_postgresql_bulk_copy.py): the INSERT … unnest path
    monkeypatch.setattr(PGDialect_psycopg, "copy_threshold", 10_000)
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


def test_one_statement_per_thousand_objects_uses_unnest(pg_url, counted):
    engine = la.create_engine(pg_url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([Thing(name=f"t{i}") for i in range(2500)])
        del counted[:]
        session.flush()
        inserts = [s for s in counted if s.startswith("INSERT")]
        assert len(inserts) == 3 and all("unnest(" in s for s in inserts), inserts
        session.rollback()
    engine.dispose()


def test_rows_inserted_at_once_from_two_threads_keep_their_keys(pg_url):
    # the two flushes take sequence values turn about, so neither gets consecutive keys
    engine = la.create_engine(pg_url)
    Base.metadata.create_all(engine)
    barrier = threading.Barrier(2)
    made: dict = {}
    errors: list = []

    def work(tag: str) -> None:
        try:
            with Session(engine) as session:
                things = [Thing(name=f"{tag}{i}", size=i) for i in range(3000)]
                session.add_all(things)
                barrier.wait()
                session.flush()
                made[tag] = [(t.id, t.name) for t in things]
                session.commit()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(tag,)) for tag in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with engine.connect() as conn:
        stored = dict(conn.execute(la.select(Thing.id, Thing.name)).all())
    assert len(stored) == 6000
    for pairs in made.values():
        assert all(stored[key] == name for key, name in pairs)
    engine.dispose()


def test_a_sequence_counting_down_is_found_out_not_guessed(pg_url):
    engine = la.create_engine(pg_url)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER SEQUENCE things_id_seq INCREMENT BY -1 MINVALUE -100000 "
                             "RESTART WITH 1000")
    with Session(engine) as session:
        session.add_all([Thing(name=f"t{i}") for i in range(3)])
        with pytest.raises(la.exc.InvalidRequestError, match="do not ascend"):
            session.flush()
        session.rollback()
        things = [Thing(name=f"t{i}") for i in range(3)]
        session.add_all(things)
        session.flush()  # row by row from now on: right, if slower
        assert [t.id for t in things] == [997, 996, 995]
        rows = dict(session.execute(la.select(Thing.id, Thing.name)).all())
        assert all(rows[t.id] == t.name for t in things)
        session.rollback()
    engine.dispose()
    _usable_again("things")


def _usable_again(table: str) -> None:
    # forms are shared by every engine: the one this test spoilt serves the others too
    from lightalchemy.dialects.postgresql.base import PGDialect

    for sql, form in PGDialect._bulk_inserts.items():
        if sql.startswith(f"INSERT INTO {table} ") and form.casts is not None:
            form.usable = True


TRICKY = ['plain', '', 'with "quotes"', 'back\\slash', 'a,b', '{braces}', 'NULL', 'null',
          ' spaced ', 'ünïcødé ✓', "it's", '\\"both\\"', 'tab\there', 'new\nline']


def _many_kinds(lib):
    sa, orm, pg = lib.sa, lib.orm, lib.pg

    class Base(orm.DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "items"
        id = orm.mapped_column(sa.Integer, primary_key=True)
        label = orm.mapped_column(sa.String(40))
        body = orm.mapped_column(sa.Text)
        code = orm.mapped_column(sa.String(5))
        count = orm.mapped_column(sa.Integer)
        big = orm.mapped_column(sa.BigInteger)
        price = orm.mapped_column(sa.Numeric(10, 2))
        ratio = orm.mapped_column(sa.Float)
        flag = orm.mapped_column(sa.Boolean)
        day = orm.mapped_column(sa.Date)
        at = orm.mapped_column(sa.DateTime)
        at_tz = orm.mapped_column(sa.DateTime(timezone=True))
        uid = orm.mapped_column(sa.Uuid)
        doc = orm.mapped_column(sa.JSON)
        docb = orm.mapped_column(pg.JSONB)
        blob = orm.mapped_column(sa.LargeBinary)
        mood = orm.mapped_column(sa.Enum("happy", "sad", name="item_mood"))
        span = orm.mapped_column(sa.Interval)
        fixed = orm.mapped_column(sa.CHAR(3))
        extra = orm.mapped_column(sa.String, default="dflt")

    return Base, Item


def test_many_new_rows_of_every_kind_round_trip(pg_compare):
    import datetime as dt
    import uuid
    from decimal import Decimal

    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Base, Item = _many_kinds(lib)
        engine = lib.engine()
        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            items = []
            for i, text in enumerate(TRICKY * 2):
                blank = i % 5 == 4  # every fifth row: NULL wherever a column allows it
                items.append(Item(
                    label=None if blank else text, body=text * 3, code=None if blank else "c",
                    count=None if blank else i - 7, big=None if blank else 2 ** 40 + i,
                    price=None if blank else Decimal("1.25") * i, ratio=None if blank else i / 3,
                    flag=None if blank else bool(i % 2),
                    day=None if blank else dt.date(2024, 1, 1) + dt.timedelta(days=i),
                    at=None if blank else dt.datetime(2024, 1, 1, 12, 30, i, 123456),
                    at_tz=None if blank else dt.datetime(2024, 1, 1, i % 24, tzinfo=dt.timezone.utc),
                    uid=None if blank else uuid.UUID(int=i + 1),
                    doc=None if blank else {"n": i, "s": text, "l": [1, None]},
                    docb=None if blank else [text, {"k": i}],
                    blob=None if blank else text.encode() + b"\x00\xff",
                    mood=None if blank else ("happy" if i % 2 else "sad"),
                    span=None if blank else dt.timedelta(hours=i, microseconds=5),
                    fixed=None if blank else "ab", extra=None if i % 3 else "given"))
            session.add_all(items)
            session.flush()
            lib.out([it.id for it in items])
            session.commit()
        with orm.Session(engine) as session:
            columns = [c.key for c in Item.__table__.columns]
            for item in session.scalars(sa.select(Item).order_by(Item.id)):
                lib.out([getattr(item, key) for key in columns])
        engine.dispose()

    records = pg_compare(scenario)
    assert len(records) == 1 + 2 * len(TRICKY), records[-1]


def test_errors_in_many_new_rows(pg_compare):
    def scenario(lib):
        orm = lib.orm
        Base, Item = _many_kinds(lib)
        engine = lib.engine()
        Base.metadata.create_all(engine)
        for bad in ({"code": "too long"}, {"label": "nul\x00byte"}, {"fixed": "abcd"},
                    {"mood": "angry"}):
            with orm.Session(engine) as session:
                good = {"label": "fine", "code": "ok", "fixed": "abc", "mood": "sad"}
                # the same columns in each: one INSERT for the three
                session.add_all([Item(**good), Item(**{**good, **bad}), Item(**good)])
                try:
                    session.flush()
                except lib.exc.SQLAlchemyError as error:
                    lib.out(sorted(bad), type(error).__name__,
                            type(getattr(error, "orig", None)).__name__)
                session.rollback()
                lib.out(session.scalars(lib.sa.select(Item.id)).all())
        engine.dispose()

    records = pg_compare(scenario)
    assert len(records) == 8 and ("raised",) not in [r[:1] for r in records], records


def test_keys_with_a_server_default_or_two_columns_go_row_by_row(pg_url, counted):
    from lightalchemy import Integer, String, text
    from lightalchemy.orm import mapped_column as column

    class Base2(DeclarativeBase):
        pass

    class Token(Base2):
        __tablename__ = "tokens"
        id = column(la.Uuid, primary_key=True, server_default=text("gen_random_uuid()"))
        name = column(String)

    class Pair(Base2):
        __tablename__ = "pairs"
        a = column(Integer, primary_key=True)
        b = column(Integer, primary_key=True, autoincrement=True)
        name = column(String)

    engine = la.create_engine(pg_url)
    Base2.metadata.create_all(engine)
    with Session(engine) as session:
        tokens = [Token(name=f"t{i}") for i in range(5)]
        pairs = [Pair(a=1, name=f"p{i}") for i in range(5)]
        session.add_all(tokens + pairs)
        del counted[:]
        session.flush()
        assert not any("unnest(" in s for s in counted)
        assert len({t.id for t in tokens}) == 5
        by_id = dict(session.execute(la.select(Token.id, Token.name)).all())
        assert all(by_id[t.id] == t.name for t in tokens)
        assert len({(p.a, p.b) for p in pairs}) == 5
    engine.dispose()


def test_one_sql_text_for_two_different_tables_goes_row_by_row(pg_new_schema, counted):
    from lightalchemy import Integer, String
    from lightalchemy.orm import mapped_column as column

    class BaseA(DeclarativeBase):
        pass

    class BaseB(DeclarativeBase):
        pass

    class A(BaseA):
        __tablename__ = "twin"
        id = column(Integer, primary_key=True)
        v = column(String)

    class B(BaseB):
        __tablename__ = "twin"
        id = column(Integer, primary_key=True)
        v = column(Integer)

    for base, cls, values in ((BaseA, A, ["x", "y"]), (BaseB, B, [1, 2])):
        with pg_new_schema() as url:
            engine = la.create_engine(url)
            base.metadata.create_all(engine)
            with Session(engine) as session:
                objects = [cls(v=v) for v in values]
                session.add_all(objects)
                session.flush()
                assert [o.id for o in objects] == [1, 2]
                assert session.scalars(la.select(cls.v).order_by(cls.id)).all() == values
            engine.dispose()
    # both shapes compiled: the registry cannot tell them apart any more
    del counted[:]
    with pg_new_schema() as url:
        engine = la.create_engine(url)
        BaseA.metadata.create_all(engine)
        with Session(engine) as session:
            session.add_all([A(v="p"), A(v="q")])
            session.flush()
            assert not any("unnest(" in s for s in counted)
            assert session.scalars(la.select(A.v).order_by(A.id)).all() == ["p", "q"]
        engine.dispose()
