"""Many new objects on PostgreSQL by COPY: keys reserved first, rows sent with their keys.

From ``copy_threshold`` rows on, where the table takes given keys as the INSERT
would have taken them from the sequence (a plain table, no rule, trigger or
row-level security, a SERIAL or BY DEFAULT identity key) and every value's type
parses the same from COPY's text form, the flush sends ``SELECT nextval(…) FROM
generate_series(…) WHERE <eligible>`` and one ``COPY t (key, …) FROM STDIN``.
Anything else keeps the ``INSERT … unnest`` path (test_postgresql_bulk_keys.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal

import pytest

import lightalchemy as la
from lightalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

THRESHOLD = PGDialect_psycopg.copy_threshold

# COPY's text format escapes these; "\\N" is its NULL marker when unescaped
HOSTILE = ["plain", "", 'with "quotes"', "back\\slash", "\\N", "\\.", "NULL", "tab\there",
           "new\nline", "cr\rreturn", "ünïcødé ✓ 𝄞", "it's", "a,b", "{braces}", " spaced ",
           "end\\"]


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    age: Mapped[int | None]


class _Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith("[parameters]"):
            self.statements.append(message)


@pytest.fixture
def sent():
    """The statements the engines log, as sent."""
    logger = logging.getLogger("lightalchemy.engine.Engine")
    handler, level = _Statements(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.statements
    logger.removeHandler(handler)
    logger.setLevel(level)


def _paths(statements: list[str]) -> dict:
    return {"copy": sum(s.startswith("COPY ") for s in statements),
            "keys": sum(s.startswith("SELECT nextval(") for s in statements),
            "unnest": sum(s.startswith("INSERT") and "unnest(" in s for s in statements)}


def _people(n: int) -> list:
    return [Person(name=HOSTILE[i % len(HOSTILE)] + str(i), age=None if i % 7 == 0 else i)
            for i in range(n)]


def _check_stored(session: Session, objects: list) -> None:
    stored = {row.id: (row.name, row.age) for row in session.execute(
        la.select(Person.id, Person.name, Person.age))}
    assert len(stored) == len(objects)
    assert all(stored[p.id] == (p.name, p.age) for p in objects)


def test_a_large_batch_goes_by_one_copy_with_each_key_paired(pg_url, sent):
    engine = la.create_engine(pg_url)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:  # a gap: values taken and not used
        conn.exec_driver_sql("SELECT nextval('people_id_seq') FROM generate_series(1, 5)")
    people = _people(THRESHOLD + 1234)
    with Session(engine, expire_on_commit=False) as session:
        session.add_all(people)
        del sent[:]
        session.flush()
        assert _paths(sent) == {"copy": 1, "keys": 1, "unnest": 0}, sent
        assert [p.id for p in people] == list(range(6, 6 + len(people)))
        session.commit()
    with Session(engine, expire_on_commit=False) as session:
        _check_stored(session, people)
    engine.dispose()


def test_below_the_threshold_the_insert_stays(pg_url, sent):
    engine = la.create_engine(pg_url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        below = _people(THRESHOLD - 1)
        session.add_all(below)
        del sent[:]
        session.flush()
        assert _paths(sent) == {"copy": 0, "keys": 0, "unnest": -(-len(below) // 1000)}
        at = _people(THRESHOLD)
        session.add_all(at)
        del sent[:]
        session.flush()
        assert _paths(sent) == {"copy": 1, "keys": 1, "unnest": 0}
        assert [p.id for p in below + at] == list(range(1, len(below) + len(at) + 1))
        session.commit()
        _check_stored(session, below + at)
    engine.dispose()


def test_hostile_strings_round_trip_exactly(pg_url):
    engine = la.create_engine(pg_url)
    Base.metadata.create_all(engine)
    people = [Person(name=HOSTILE[i % len(HOSTILE)], age=i) for i in range(THRESHOLD)]
    with Session(engine, expire_on_commit=False) as session:
        session.add_all(people)
        session.commit()
    with Session(engine, expire_on_commit=False) as session:
        _check_stored(session, people)
        assert session.scalar(la.select(la.func.count()).where(Person.name.is_(None))) == 0
    engine.dispose()


def test_an_error_inside_copy_is_mapped_and_rolled_back(pg_url, sent):
    engine = la.create_engine(pg_url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        people = _people(THRESHOLD + 10)
        people[THRESHOLD].name = None  # NOT NULL, late in the COPY
        session.add_all(people)
        del sent[:]
        with pytest.raises(la.exc.IntegrityError) as raised:
            session.flush()
        assert _paths(sent)["copy"] == 1
        assert type(raised.value.orig).__name__ == "NotNullViolation"
        session.rollback()
        assert session.scalar(la.select(la.func.count(Person.id))) == 0
        again = _people(THRESHOLD)
        session.add_all(again)
        session.commit()  # the session is usable again
        _check_stored(session, again)
    engine.dispose()


@pytest.mark.parametrize("bad, error, orig", [
    ("nul\x00byte", la.exc.DataError, "DataError"),  # refused by the driver
    ("x" * 21, la.exc.DataError, "StringDataRightTruncation"),
])
def test_data_errors_inside_copy(pg_url, bad, error, orig):
    from lightalchemy import Integer, String
    from lightalchemy.orm import mapped_column as column

    class Base2(DeclarativeBase):
        pass

    class Short(Base2):
        __tablename__ = "shorts"
        id = column(Integer, primary_key=True)
        code = column(String(20))

    engine = la.create_engine(pg_url)
    Base2.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        rows = [Short(code=f"c{i}") for i in range(THRESHOLD)]
        rows[-2].code = bad
        session.add_all(rows)
        with pytest.raises(error) as raised:
            session.flush()
        assert type(raised.value.orig).__name__ == orig
        session.rollback()
        assert session.scalars(la.select(Short.id)).all() == []
    engine.dispose()


def test_copy_runs_in_the_flush_transaction_and_under_autocommit(pg_url, sent):
    engine = la.create_engine(pg_url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        session.add_all(_people(THRESHOLD))
        session.flush()
        session.rollback()
    with Session(engine, expire_on_commit=False) as session:
        assert session.scalar(la.select(la.func.count(Person.id))) == 0
    auto = engine.execution_options(isolation_level="AUTOCOMMIT")
    with Session(auto) as session:
        people = _people(THRESHOLD)
        session.add_all(people)
        del sent[:]
        session.flush()
        assert _paths(sent)["copy"] == 1 and "BEGIN" not in sent
    with Session(engine, expire_on_commit=False) as session:  # committed by the COPY itself
        _check_stored(session, people)
    engine.dispose()


# -- which tables qualify ------------------------------------------------------------------

_TRIGGER = ("CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN NEW.age := coalesce(NEW.age, -1); RETURN NEW; END $$; "
            "CREATE TRIGGER {fn} BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION {fn}()")

FALLBACKS = {
    "trigger": _TRIGGER,
    "rule": "CREATE RULE people_rule AS ON INSERT TO people DO ALSO NOTIFY people_added",
    "row level security": "ALTER TABLE people ENABLE ROW LEVEL SECURITY",
    "another sequence": "CREATE SEQUENCE other_seq START 500; "
                        "ALTER TABLE people ALTER COLUMN id SET DEFAULT nextval('other_seq')",
    "an expression": "ALTER TABLE people ALTER COLUMN id SET DEFAULT "
                     "nextval('people_id_seq') + 1000",
}


@pytest.mark.parametrize("change", sorted(FALLBACKS))
def test_tables_that_do_not_qualify_keep_the_insert(pg_url, sent, change):
    engine = la.create_engine(pg_url)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(FALLBACKS[change].format(fn="people_trigger"))
    people = _people(THRESHOLD)
    with Session(engine, expire_on_commit=False) as session:
        session.add_all(people)
        del sent[:]
        session.flush()
        paths = _paths(sent)
        assert paths["copy"] == 0 and paths["keys"] == 1 and paths["unnest"] == 3, sent
        session.commit()
    first = {"another sequence": 500, "an expression": 1001}.get(change, 1)
    # the check took no key: the INSERT numbers from the start
    assert [p.id for p in people] == list(range(first, first + len(people)))
    with Session(engine, expire_on_commit=False) as session:
        if change == "trigger":
            for p in people:
                p.age = -1 if p.age is None else p.age
        _check_stored(session, people)
    engine.dispose()


def test_identity_by_default_goes_by_copy_always_does_not(pg_url, sent):
    from lightalchemy import Identity, Integer, String
    from lightalchemy.orm import mapped_column as column

    class Base2(DeclarativeBase):
        pass

    class ByDefault(Base2):
        __tablename__ = "by_default"
        id = column(Integer, Identity(), primary_key=True)
        name = column(String)

    class Always(Base2):
        __tablename__ = "always"
        id = column(Integer, Identity(always=True), primary_key=True)
        name = column(String)

    engine = la.create_engine(pg_url)
    Base2.metadata.create_all(engine)
    for cls, copied in ((ByDefault, 1), (Always, 0)):
        with Session(engine, expire_on_commit=False) as session:
            objects = [cls(name=f"n{i}") for i in range(THRESHOLD)]
            session.add_all(objects)
            del sent[:]
            session.flush()
            assert _paths(sent)["copy"] == copied, (cls, sent)
            assert [o.id for o in objects] == list(range(1, THRESHOLD + 1))
            session.commit()
            stored = dict(session.execute(la.select(cls.id, cls.name)).all())
            assert all(stored[o.id] == o.name for o in objects)
    engine.dispose()


def test_odd_names_and_a_schema_qualified_table(pg_url, sent):
    from lightalchemy import Integer, String
    from lightalchemy.orm import mapped_column as column

    class Base2(DeclarativeBase):
        pass

    class Order(Base2):  # upper case, a reserved word, a space and a quote
        __tablename__ = 'Order "Lines"'
        __table_args__ = {"schema": "Odd Schema"}
        id = column("Key", Integer, primary_key=True)
        select = column("select", String)
        percent = column("100%", Integer)

    class Plain(Base2):
        __tablename__ = "User"
        id = column("ID", Integer, primary_key=True)
        name = column("Name", String)

    engine = la.create_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql('DROP SCHEMA IF EXISTS "Odd Schema" CASCADE')
        conn.exec_driver_sql('CREATE SCHEMA "Odd Schema"')
    try:
        Base2.metadata.create_all(engine)
        with Session(engine, expire_on_commit=False) as session:
            orders = [Order(select=HOSTILE[i % len(HOSTILE)], percent=i)
                      for i in range(THRESHOLD)]
            users = [Plain(name=f"u{i}") for i in range(THRESHOLD)]
            session.add_all(orders + users)
            del sent[:]
            session.flush()
            assert _paths(sent) == {"copy": 2, "keys": 2, "unnest": 0}, sent
            session.commit()
            stored = dict(session.execute(la.select(Order.id, Order.select)).all())
            assert [o.id for o in orders] == list(range(1, THRESHOLD + 1))
            assert all(stored[o.id] == o.select for o in orders)
            names = dict(session.execute(la.select(Plain.id, Plain.name)).all())
            assert all(names[u.id] == u.name for u in users)
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql('DROP SCHEMA "Odd Schema" CASCADE')
        engine.dispose()


def test_a_table_dropped_and_recreated_is_checked_again(pg_url, sent):
    engine = la.create_engine(pg_url)
    for change, copied in ((None, 1), (FALLBACKS["rule"], 0), (None, 1)):
        Base.metadata.drop_all(engine)
        Base.metadata.create_all(engine)
        if change:
            with engine.begin() as conn:
                conn.exec_driver_sql(change)
        with Session(engine, expire_on_commit=False) as session:
            people = _people(THRESHOLD)
            session.add_all(people)
            del sent[:]
            session.commit()
            assert _paths(sent)["copy"] == copied
            _check_stored(session, people)
    engine.dispose()


# -- values: what COPY takes, and what stays on the INSERT ----------------------------------

def _kinds(lib):
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


@pytest.fixture
def copy_counted(monkeypatch):
    """Rows from 2 on go by COPY where they may; the list counts the COPYs that ran."""
    ran: list = []
    original = PGDialect_psycopg._insert_copy

    def spy(self, *args):
        try:
            keys = original(self, *args)
        except Exception:
            ran.append(True)  # the error came from the COPY (or the key query)
            raise
        ran.append(keys is not None)
        return keys

    monkeypatch.setattr(PGDialect_psycopg, "copy_threshold", 2)
    monkeypatch.setattr(PGDialect_psycopg, "_insert_copy", spy)
    return ran


def test_every_kind_of_value_round_trips_through_copy(pg_compare, copy_counted):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Base, Item = _kinds(lib)
        engine = lib.engine()
        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            items = []
            for i, text in enumerate(HOSTILE * 2):
                blank = i % 5 == 4  # every fifth row: NULL wherever a column allows it
                items.append(Item(
                    label=None if blank else text, body=text * 3, code=None if blank else "c",
                    count=None if blank else i - 7, big=None if blank else 2 ** 40 + i,
                    price=None if blank else Decimal("1.25") * i - 3,
                    ratio=None if blank else (i / 3 if i % 4 else i),
                    flag=None if blank else bool(i % 2),
                    day=None if blank else dt.date(2024, 1, 1) + dt.timedelta(days=i),
                    at=None if blank else dt.datetime(2024, 1, 1, 12, 30, i, 123456),
                    at_tz=None if blank else dt.datetime(2024, 1, 1, i % 24,
                                                         tzinfo=dt.timezone(dt.timedelta(
                                                             hours=i % 5))),
                    uid=None if blank else uuid.UUID(int=i + 1),
                    doc=None if blank else {"n": i, "s": text, "l": [1, None]},
                    docb=None if blank else [text, {"k": i}],
                    blob=None if blank else text.encode() + b"\x00\xff\\\t\n",
                    mood=None if blank else ("happy" if i % 2 else "sad"),
                    span=None if blank else dt.timedelta(days=i, hours=i, microseconds=5),
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
    assert len(records) == 1 + 2 * len(HOSTILE)
    assert copy_counted == [True]


def test_values_copy_would_store_differently_keep_the_insert(pg_compare, copy_counted):
    def scenario(lib):
        orm = lib.orm
        Base, Item = _kinds(lib)
        engine = lib.engine(connect_args={"options": "-c timezone=America/New_York"})
        Base.metadata.create_all(engine)
        for values in ({"count": 5.5}, {"price": 1 / 3}, {"count": Decimal("2.5")},
                       {"at": dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone.utc)},
                       {"day": dt.datetime(2024, 1, 1, 23, 59)}):
            with orm.Session(engine) as session:
                items = [Item(label="a", **values), Item(label="b", **values)]
                session.add_all(items)
                session.commit()
                lib.out([[getattr(it, k) for k in values] for it in items])
        # kinds mixed in one column of one batch: no single array can carry them
        for mixed in ([1, 5.5, 2], [Decimal("1.5"), 2, 3.25], [4.5, None, 7]):
            with orm.Session(engine) as session:
                items = [Item(label=str(i), count=v) for i, v in enumerate(mixed)]
                session.add_all(items)
                session.commit()
                lib.out([it.count for it in items])
        engine.dispose()

    pg_compare(scenario)
    assert copy_counted == []  # none of them reached the COPY


def test_errors_inside_copy_match_sqlalchemy(pg_compare, copy_counted):
    def scenario(lib):
        orm = lib.orm
        Base, Item = _kinds(lib)
        engine = lib.engine()
        Base.metadata.create_all(engine)
        for bad in ({"code": "too long"}, {"label": "nul\x00byte"}, {"fixed": "abcd"},
                    {"mood": "angry"}, {"count": 2 ** 40}, {"doc": float("nan")}):
            with orm.Session(engine) as session:
                good = {"label": "fine", "code": "ok", "fixed": "abc", "mood": "sad",
                        "count": 1, "doc": {}}
                # the same columns in each: one batch for the three
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
    assert ("raised",) not in [r[:1] for r in records], records
    assert len(copy_counted) == 6 and all(copy_counted)
