"""The PostgreSQL backend: the same programs on SQLAlchemy 2.0 and on lightalchemy.

Most tests are differential (``pg_compare``): a scenario runs once on each
library, each in a fresh schema of the test server, and the recorded outputs
must be equal, value types included.  The rest check SQL text, URL handling
and PostgreSQL-specific behaviour directly.
"""

from __future__ import annotations

import datetime as dt
import enum
import sys
import time
import uuid
from decimal import Decimal

import pytest

import lightalchemy as la
from lightalchemy import exc
from lightalchemy.engine.url import make_url
from lightalchemy.schema import CreateTable


class Mood(enum.Enum):
    happy = 1
    sad = 2


def _pg_dialect():
    from lightalchemy.dialects import postgresql

    return postgresql.dialect()


# -- URLs, the driver, the optional dependency ----------------------------------------------------

def test_url_forms_choose_psycopg():
    from lightalchemy.dialects.postgresql import PGDialect_psycopg

    for url in ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h:5433/db",
                "postgres://u@h/db"):
        engine = la.create_engine(url)
        assert isinstance(engine.dialect, PGDialect_psycopg)
        assert (engine.name, engine.driver) == ("postgresql", "psycopg")
        assert engine.dialect.paramstyle == "format"


def test_connect_args_from_url_and_query_string():
    from lightalchemy.dialects.postgresql import PGDialect_psycopg

    url = make_url("postgresql+psycopg://scott:p%40ss@db.example:5433/app"
                   "?sslmode=disable&connect_timeout=5&application_name=demo")
    args, params = PGDialect_psycopg().create_connect_args(url)
    assert args == []
    assert params == {"host": "db.example", "port": 5433, "user": "scott", "password": "p@ss",
                      "dbname": "app", "sslmode": "disable", "connect_timeout": "5",
                      "application_name": "demo"}
    _, multi = PGDialect_psycopg().create_connect_args(
        make_url("postgresql://u@/db?host=a&host=b"))
    assert multi["host"] == "a,b"


def test_other_postgresql_drivers_are_named():
    with pytest.raises(exc.NoSuchModuleError, match="psycopg 3"):
        la.create_engine("postgresql+psycopg2://u@h/db")


def test_missing_psycopg_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg → ImportError
    with pytest.raises(ImportError, match=r"lightalchemy\[postgresql\]"):
        la.create_engine("postgresql://u@h/db")


def test_connect_failure_is_operational_error_with_orig():
    import psycopg

    from lightalchemy.engine.pool import NullPool

    engine = la.create_engine("postgresql://nobody:secret@127.0.0.1:1/none",
                              connect_args={"connect_timeout": 3}, poolclass=NullPool)
    with pytest.raises(exc.OperationalError) as info:
        engine.connect()
    assert isinstance(info.value.orig, psycopg.OperationalError)
    assert "secret" not in str(info.value)


# -- SQL text ------------------------------------------------------------------------------------

def test_percent_signs_are_escaped_for_the_format_paramstyle():
    dialect = _pg_dialect()
    stmt = la.text("SELECT '100%' AS p, 7 % 3 AS m, :x AS x")
    assert str(stmt.compile(dialect=dialect)) == "SELECT '100%%' AS p, 7 %% 3 AS m, %s AS x"
    table = la.table("t", la.column("n"))
    sql = str(la.select(table.c.n % 3).where(table.c.n == 2).compile(dialect=dialect))
    assert "t.n %% %s" in sql and "t.n = %s" in sql


def test_ddl_matches_sqlalchemy():
    def ddl(lib_name):
        import importlib

        sa = importlib.import_module(lib_name)
        types = importlib.import_module(f"{lib_name}.types")
        pg = importlib.import_module(f"{lib_name}.dialects.postgresql")
        schema = importlib.import_module(f"{lib_name}.schema")
        class Upper(types.TypeDecorator):
            impl = sa.String(30)
            cache_ok = True

        class Stamp(types.TypeDecorator):
            impl = sa.DateTime(timezone=True)
            cache_ok = True

        md = sa.MetaData()
        tables = [
            sa.Table("decorated", md, sa.Column("u", Upper), sa.Column("s", Stamp),
                     sa.Column("e", sa.Enum(Mood).with_variant(sa.String(5), "sqlite"))),
            sa.Table("group", md,
                     sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("order", sa.String(20), nullable=False),
                     sa.Column("big", sa.BigInteger), sa.Column("txt", sa.Text),
                     sa.Column("f", sa.Float), sa.Column("n", sa.Numeric(12, 4)),
                     sa.Column("n2", sa.Numeric), sa.Column("b", sa.Boolean),
                     sa.Column("d", sa.Date), sa.Column("ts", sa.DateTime),
                     sa.Column("tstz", sa.DateTime(timezone=True)), sa.Column("tm", sa.Time),
                     sa.Column("lb", sa.LargeBinary), sa.Column("e", sa.Enum(Mood)),
                     sa.Column("e2", sa.Enum("a", "b", name="letters")),
                     sa.Column("e3", sa.Enum("x", "y", native_enum=False)),
                     sa.Column("j", sa.JSON), sa.Column("jb", pg.JSONB),
                     sa.Column("u", sa.Uuid), sa.Column("iv", sa.Interval),
                     sa.Column("dbl", sa.Double),
                     sa.Column("sd", sa.String(10), server_default="50%")),
            sa.Table("t2", md, sa.Column("id", sa.BigInteger, primary_key=True),
                     sa.Column("g", sa.Integer, sa.ForeignKey("group.id", ondelete="CASCADE")),
                     sa.Column("x", sa.Integer, sa.Identity(start=5))),
            sa.Table("t3", md, sa.Column("id", sa.Integer, sa.Identity(always=True),
                                         primary_key=True)),
            sa.Table("t4", md, sa.Column("id", sa.SmallInteger, primary_key=True),
                     sa.Column("k", sa.Integer, primary_key=True, autoincrement=False)),
        ]
        dialect = pg.dialect()
        return [str(schema.CreateTable(t).compile(dialect=dialect)).strip() for t in tables]

    assert ddl("lightalchemy") == ddl("sqlalchemy")


def test_select_sql_ilike_distinct_on_for_update():
    dialect = _pg_dialect()
    table = la.table("person", la.column("name"), la.column("age"))
    stmt = la.select(table.c.name).where(table.c.name.ilike("a%")).where(
        table.c.age.not_ilike("b%")).distinct(table.c.name).with_for_update(
        read=True, nowait=True)
    sql = str(stmt.compile(dialect=dialect))
    assert sql.startswith("SELECT DISTINCT ON (person.name) person.name")
    assert "person.name ILIKE %s" in sql and "person.age NOT ILIKE %s" in sql
    assert sql.endswith("FOR SHARE NOWAIT")


def test_a_bind_rendered_twice_is_one_parameter():
    dialect = _pg_dialect()
    table = la.table("t", la.column("g"))
    part = la.func.mod(table.c.g, 3)
    stmt = la.select(part, la.func.count()).group_by(part).having(part > 0).order_by(part)
    compiled = stmt.compile(dialect=dialect)
    assert str(compiled) == ("SELECT mod(t.g, %s), count(*) \nFROM t "
                             "GROUP BY mod(t.g, $1) \nHAVING mod(t.g, $1) > %s "
                             "ORDER BY mod(t.g, $1)")
    assert list(compiled.params.values()) == [3, 0]


def test_reserved_words_are_quoted():
    dialect = _pg_dialect()
    table = la.table("user", la.column("order"), la.column("similar"), la.column("Name"))
    sql = str(la.select(table).compile(dialect=dialect))
    assert sql == 'SELECT "user"."order", "user"."similar", "user"."Name" \nFROM "user"'


# -- engine, connection, text --------------------------------------------------------------------

def test_engine_connect_and_text(pg_compare):
    def scenario(lib):
        sa = lib.sa
        engine = lib.engine()
        lib.out(engine.dialect.name, engine.dialect.driver)
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT '100%' AS p, 7 % 3 AS m, :x AS x, "
                                       "'a%' LIKE :pat AS liked"),
                               {"x": 5, "pat": "a%"}).one()
            lib.out(row.p, row.m, row.x, row.liked)
            conn.execute(sa.text("CREATE TABLE pct (id SERIAL PRIMARY KEY, label TEXT)"))
            conn.execute(sa.text("INSERT INTO pct (label) VALUES (:l)"),
                         [{"l": "50%"}, {"l": "100%"}, {"l": "none"}])
            lib.out(conn.execute(sa.text("SELECT label FROM pct WHERE label LIKE '%\\%' "
                                         "ORDER BY id")).scalars().all())
            conn.commit()
        with engine.begin() as conn:
            lib.out(conn.execute(sa.text("SELECT count(*) FROM pct")).scalar())
            lib.out(conn.exec_driver_sql("SELECT %s::int + 1", (41,)).scalar())
        with engine.connect() as conn:
            conn.execute(sa.text("INSERT INTO pct (label) VALUES ('rolled back')"))
            conn.rollback()
            lib.out(conn.execute(sa.text("SELECT count(*) FROM pct")).scalar())

    pg_compare(scenario)


def test_connect_args_reach_the_driver(pg_url):
    engine = la.create_engine(pg_url, connect_args={"application_name": "la_connect_args"})
    try:
        with engine.connect() as conn:
            assert conn.scalar(la.text("SHOW application_name")) == "la_connect_args"
            # the URL's query string set the search path to this test's schema
            assert conn.scalar(la.text("SELECT current_schema()")).startswith("la_test_")
            assert conn.connection.autocommit is True  # transactions are the Connection's
    finally:
        engine.dispose()


def test_core_insert_returning_and_primary_keys(pg_compare):
    def scenario(lib):
        sa = lib.sa
        engine = lib.engine()
        md = sa.MetaData()
        items = sa.Table("items", md, sa.Column("id", sa.Integer, primary_key=True),
                         sa.Column("name", sa.String(30)))
        md.create_all(engine)
        with engine.begin() as conn:
            result = conn.execute(sa.insert(items).values(name="a"))
            lib.out(tuple(result.inserted_primary_key))
            result = conn.execute(sa.insert(items), {"name": "b"})
            lib.out(tuple(result.inserted_primary_key))
            conn.execute(sa.insert(items), [{"name": "c"}, {"name": "d"}])
            result = conn.execute(sa.insert(items).values(id=10, name="e"))
            lib.out(tuple(result.inserted_primary_key))
            rows = conn.execute(sa.insert(items).values(name="f").returning(items.c.id,
                                                                            items.c.name))
            lib.out(rows.all())
            lib.out(conn.execute(sa.select(items).order_by(items.c.id)).all())
            result = conn.execute(sa.update(items).where(items.c.id > 2).values(name="z"))
            lib.out(result.rowcount)
            result = conn.execute(sa.delete(items).where(items.c.name == "z"))
            lib.out(result.rowcount)

    pg_compare(scenario)


# -- schema --------------------------------------------------------------------------------------

def _enum_names(conn):
    return sorted(conn.execute(la.text(
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE t.typtype = 'e' AND n.nspname = current_schema()")).scalars())


def test_create_all_drop_all_with_enum_types(pg_url):
    engine = la.create_engine(pg_url)
    md = la.MetaData()
    la.Table("a", md, la.Column("id", la.Integer, primary_key=True),
             la.Column("mood", la.Enum(Mood)),
             la.Column("letter", la.Enum("x", "y", name="letter")))
    la.Table("b", md, la.Column("id", la.Integer, primary_key=True),
             la.Column("a_id", la.ForeignKey("a.id")),
             la.Column("mood", la.Enum(Mood)),
             la.Column("plain", la.Enum("p", "q", native_enum=False)))
    try:
        md.create_all(engine)
        md.create_all(engine)  # checkfirst: nothing twice
        with engine.connect() as conn:
            assert _enum_names(conn) == ["letter", "mood"]
            assert sorted(la.inspect(conn).get_table_names()) == ["a", "b"]
        md.tables["b"].drop(engine)
        with engine.connect() as conn:  # "mood" is still used by table a
            assert _enum_names(conn) == ["letter", "mood"]
        md.drop_all(engine)
        with engine.connect() as conn:
            assert _enum_names(conn) == []
            assert la.inspect(conn).get_table_names() == []
        md.drop_all(engine)  # checkfirst: nothing to drop
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(md.tables["a"].insert().values(id=1, mood=Mood.sad, letter="y"))
            assert conn.execute(la.select(md.tables["a"])).one() == (1, Mood.sad, "y")
    finally:
        md.drop_all(engine)
        engine.dispose()


def test_enum_type_is_required_to_have_a_name(pg_url):
    md = la.MetaData()
    table = la.Table("t", md, la.Column("id", la.Integer, primary_key=True),
                     la.Column("e", la.Enum("a", "b")))
    with pytest.raises(exc.CompileError, match="requires a name"):
        str(CreateTable(table).compile(dialect=_pg_dialect()))


def test_types_round_trip(pg_compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine = lib.engine()

        class Base(orm.DeclarativeBase):
            pass

        class Thing(Base):
            __tablename__ = "things"
            id = sa.Column(sa.Integer, primary_key=True)
            i = sa.Column(sa.Integer)
            bi = sa.Column(sa.BigInteger)
            si = sa.Column(sa.SmallInteger)
            s = sa.Column(sa.String(20))
            t = sa.Column(sa.Text)
            f = sa.Column(sa.Float)
            n = sa.Column(sa.Numeric)
            n4 = sa.Column(sa.Numeric(12, 4))
            nf = sa.Column(sa.Numeric(10, 2, asdecimal=False))
            b = sa.Column(sa.Boolean)
            d = sa.Column(sa.Date)
            ts = sa.Column(sa.DateTime)
            tstz = sa.Column(sa.DateTime(timezone=True))
            tm = sa.Column(sa.Time)
            lb = sa.Column(sa.LargeBinary)
            mood = sa.Column(sa.Enum(Mood))
            letter = sa.Column(sa.Enum("x", "y", name="letter"))
            j = sa.Column(sa.JSON)
            jb = sa.Column(lib.pg.JSONB)
            u = sa.Column(sa.Uuid)
            us = sa.Column(sa.Uuid(as_uuid=False))
            iv = sa.Column(sa.Interval)

        Base.metadata.create_all(engine)
        the_uuid = uuid.UUID("12345678-1234-5678-1234-567812345678")
        values = dict(
            i=-2147483648, bi=9223372036854775807, si=32767, s="Егор ✓ 20 chars long"[:20],
            t="x" * 10000, f=1.5e-300, n=Decimal("12345678901234567890.123456789012345678901234"),
            n4=Decimal("12.5"), nf=Decimal("3.25"), b=False, d=dt.date(1999, 12, 31),
            ts=dt.datetime(2024, 2, 29, 23, 59, 59, 999999),
            tstz=dt.datetime(2024, 1, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=5))),
            tm=dt.time(13, 14, 15, 161718), lb=bytes(range(256)), mood=Mood.sad, letter="y",
            j={"a": [1, 2.5, None, True], "ü": {"nested": "ok"}}, jb=[{"k": 1}, "s", 2],
            u=the_uuid, us="87654321-4321-8765-4321-876543218765",
            iv=dt.timedelta(days=3, seconds=5, microseconds=7),
        )
        with orm.Session(engine) as session:
            session.add(Thing(id=1, **values))
            session.add(Thing(id=2))
            session.commit()
        with orm.Session(engine) as session:
            thing = session.get(Thing, 1)
            for key in values:
                value = getattr(thing, key)
                lib.out(key, value, type(value).__name__)
            empty = session.get(Thing, 2)
            lib.out([getattr(empty, key) for key in values])
            # the values also work as query parameters
            lib.out(session.scalars(sa.select(Thing.id).where(
                Thing.u == the_uuid, Thing.mood == Mood.sad, Thing.tstz == values["tstz"],
                Thing.n == values["n"], Thing.b.is_(False), Thing.lb == values["lb"],
                Thing.iv == values["iv"], Thing.letter == "y")).all())
            lib.out(session.scalars(sa.select(Thing.id).where(Thing.jb.is_not(None))).all())
        with engine.connect() as conn:
            lib.out(conn.execute(sa.select(Thing.__table__.c.n, Thing.__table__.c.f)
                                 .where(Thing.__table__.c.id == 1)).one())

    pg_compare(scenario)


# -- ORM ------------------------------------------------------------------------------------------

def test_seed_program(pg_compare):
    def scenario(lib):
        def print(*args):
            lib.out(" ".join(str(arg) for arg in args))

        Column, Integer, String = lib.sa.Column, lib.sa.Integer, lib.sa.String
        DeclarativeBase, sessionmaker = lib.orm.DeclarativeBase, lib.orm.sessionmaker
        engine = lib.engine()

        class Base(DeclarativeBase):
            pass

        class Person(Base):
            __tablename__ = "people"

            id = Column(Integer, primary_key=True, index=True)
            name = Column(String)
            age = Column(Integer)

        Base.metadata.create_all(bind=engine)
        Session = sessionmaker(autoflush=False, bind=engine)
        with Session(autoflush=False, bind=engine) as db:
            user = Person(name="Егор", age=28)
            db.add(user)
            db.commit()
            db.refresh(user)
            print(user.id)
            db.add_all([Person(name="Сергей", age=28), Person(name="Владимир", age=32)])
            db.commit()
            for p in db.query(Person).all():
                print(f"{p.id}.{p.name} ({p.age})")
            first_person = db.get(Person, 1)
            print(f"{first_person.name} - {first_person.age}")
            first_person.age = 29
            db.commit()
            db.refresh(first_person)
            print(first_person.age)
            db.delete(db.get(Person, 2))
            db.commit()
            print(db.query(Person).count(), [p.name for p in db.query(Person).order_by(
                Person.id)])
            print(db.query(Person).filter(Person.age > 28).order_by(Person.age.desc()).first()
                  .name)

    pg_compare(scenario)


def test_many_new_objects_get_distinct_correct_ids(pg_compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine = lib.engine()

        class Base(orm.DeclarativeBase):
            pass

        class Item(Base):
            __tablename__ = "items"
            id = sa.Column(sa.Integer, primary_key=True)
            name = sa.Column(sa.String(20), unique=True)

        class Child(Base):
            __tablename__ = "children"
            id = sa.Column(sa.BigInteger, primary_key=True)
            item_id = sa.Column(sa.ForeignKey("items.id"))

        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            items = [Item(name=f"item {i}") for i in range(300)]
            session.add_all(items)
            session.flush()
            session.add_all([Child(item_id=items[i].id) for i in (5, 150, 299)])
            session.commit()
            ids = [item.id for item in items]
            lib.out(len(set(ids)), ids == sorted(ids))
            in_db = dict(session.execute(sa.select(Item.name, Item.id)).all())
            lib.out(all(in_db[item.name] == item.id for item in items))
            lib.out(session.execute(sa.select(Child.id, Item.name).join(
                Item, Child.item_id == Item.id).order_by(Child.id)).all())

    pg_compare(scenario)


def test_savepoints(pg_compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine = lib.engine()

        class Base(orm.DeclarativeBase):
            pass

        class Note(Base):
            __tablename__ = "notes"
            id = sa.Column(sa.Integer, primary_key=True)
            text = sa.Column(sa.String(20), unique=True)

        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            session.add(Note(text="outer"))
            nested = session.begin_nested()
            session.add(Note(text="inner"))
            session.flush()
            nested.rollback()
            session.add(Note(text="after"))
            with session.begin_nested():
                session.add(Note(text="kept"))
            try:  # a failure inside a savepoint leaves the outer transaction usable
                with session.begin_nested():
                    session.add(Note(text="outer"))
                    session.flush()
            except lib.exc.IntegrityError as error:
                lib.out("IntegrityError", type(error.orig).__name__)
            session.commit()
            lib.out(session.scalars(sa.select(Note.text).order_by(Note.id)).all())
        with engine.connect() as conn:
            conn.execute(sa.insert(Note.__table__).values(text="core"))
            savepoint = conn.begin_nested()
            conn.execute(sa.insert(Note.__table__).values(text="gone"))
            savepoint.rollback()
            conn.commit()
            lib.out(conn.execute(sa.select(Note.__table__.c.text).order_by(
                Note.__table__.c.id)).scalars().all())

    pg_compare(scenario)


def test_errors_map_by_sqlstate_and_session_recovers(pg_compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine = lib.engine()

        class Base(orm.DeclarativeBase):
            pass

        class Owner(Base):
            __tablename__ = "owners"
            id = sa.Column(sa.Integer, primary_key=True)
            name = sa.Column(sa.String(5), unique=True, nullable=False)

        class Pet(Base):
            __tablename__ = "pets"
            id = sa.Column(sa.Integer, primary_key=True)
            owner_id = sa.Column(sa.ForeignKey("owners.id"))

        Base.metadata.create_all(engine)

        def record(error):
            lib.out(type(error).__name__, type(error.orig).__name__, error.orig.sqlstate,
                    isinstance(error, lib.exc.DBAPIError), error.orig is error.__cause__)

        with orm.Session(engine) as session:
            session.add(Owner(name="ann"))
            session.commit()
            for bad in (lambda: Owner(name="ann"), lambda: Owner(name=None),
                        lambda: Owner(name="too long"), lambda: Pet(owner_id=99)):
                session.add(bad())
                try:
                    session.commit()
                except lib.exc.DBAPIError as error:
                    record(error)
                try:
                    session.scalars(sa.select(Owner)).all()
                except lib.exc.PendingRollbackError:
                    lib.out("PendingRollbackError")
                session.rollback()
                lib.out(session.scalars(sa.select(Owner.name)).all())
        with engine.connect() as conn:
            for sql in ("SELEC 1", "SELECT * FROM missing", "SELECT 1 / 0",
                        "SELECT 'x'::int"):
                try:
                    conn.execute(sa.text(sql))
                except lib.exc.DBAPIError as error:
                    record(error)
                    conn.rollback()
            # after an error PostgreSQL refuses further statements until ROLLBACK
            try:
                conn.execute(sa.text("SELECT 1 / 0"))
            except lib.exc.DataError:
                pass
            try:
                conn.execute(sa.text("SELECT 1"))
            except lib.exc.DBAPIError as error:
                record(error)
            conn.rollback()
            lib.out(conn.execute(sa.text("SELECT 1")).scalar())

    pg_compare(scenario)


def test_error_classes_are_the_drivers():
    import psycopg

    for name, ours in (("UniqueViolation", exc.IntegrityError),
                       ("StringDataRightTruncation", exc.DataError),
                       ("UndefinedTable", exc.ProgrammingError),
                       ("AdminShutdown", exc.OperationalError),
                       ("InFailedSqlTransaction", exc.InternalError)):
        orig = getattr(psycopg.errors, name)()
        wrapped = exc.DBAPIError.instance("SELECT 1", (), orig)
        assert type(wrapped) is ours and wrapped.orig is orig


def test_ilike(pg_compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine = lib.engine()

        class Base(orm.DeclarativeBase):
            pass

        class Person(Base):
            __tablename__ = "people"
            id = sa.Column(sa.Integer, primary_key=True)
            name = sa.Column(sa.String(20))

        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            session.add_all([Person(name=n) for n in ("Alice", "ALICE", "alINA", "Bob",
                                                      "50% Äbc", "äBC")])
            session.commit()
            for stmt in (sa.select(Person.name).where(Person.name.ilike("al%")),
                         sa.select(Person.name).where(Person.name.not_ilike("al%")),
                         sa.select(Person.name).where(Person.name.ilike("%äbc")),
                         sa.select(Person.name).where(Person.name.ilike("50\\%%")),
                         sa.select(Person.name).where(Person.name.like("Al%"))):
                lib.out(sorted(session.scalars(stmt)), "ILIKE" in str(stmt.compile(engine)))

    pg_compare(scenario)


def test_reserved_word_identifiers(pg_compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine = lib.engine()

        class Base(orm.DeclarativeBase):
            pass

        class Group(Base):
            __tablename__ = "group"
            id = sa.Column(sa.Integer, primary_key=True)
            order = sa.Column(sa.Integer, index=True)
            user = sa.Column(sa.String(10))
            select = sa.Column("select", sa.Boolean, default=False)

        class User(Base):
            __tablename__ = "user"
            id = sa.Column(sa.Integer, primary_key=True)
            group_id = sa.Column("group", sa.ForeignKey("group.id"))

        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            session.add_all([Group(order=2, user="b"), Group(order=1, user="a")])
            session.commit()
            session.add(User(group_id=session.scalars(sa.select(Group.id).where(
                Group.order == 1)).one()))
            session.commit()
            lib.out(session.execute(sa.select(Group.order, Group.user, Group.select)
                                    .order_by(Group.order)).all())
            lib.out(session.execute(sa.select(User.id, Group.user).join(
                Group, User.group_id == Group.id)).all())
            group = session.get(Group, 1)
            group.order = 3
            session.commit()
            session.delete(session.scalars(sa.select(User)).one())
            session.commit()
            lib.out(session.scalars(sa.select(Group.order).order_by(Group.order)).all())
        lib.out(sorted(lib.inspect(engine).get_table_names()))

    pg_compare(scenario)


def test_isolation_levels(pg_compare):
    def scenario(lib):
        sa = lib.sa
        show = sa.text("SHOW transaction_isolation")
        serializable = lib.engine(isolation_level="SERIALIZABLE")
        with serializable.connect() as conn:
            lib.out(conn.execute(show).scalar())
        engine = lib.engine(pool_size=1, max_overflow=0)
        with engine.connect() as conn:
            lib.out(conn.execute(show).scalar())
        with engine.connect() as conn:
            conn.execution_options(isolation_level="REPEATABLE READ")
            lib.out(conn.execute(show).scalar())
        with engine.connect() as conn:  # the pooled connection got its level back
            lib.out(conn.execute(show).scalar())
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(sa.text("CREATE TABLE ac (x int)"))
            conn.execute(sa.text("INSERT INTO ac VALUES (1)"))
            conn.rollback()  # nothing to roll back: each statement committed
        other = lib.engine()
        with other.connect() as conn:
            lib.out(conn.execute(sa.text("SELECT count(*) FROM ac")).scalar())
        with engine.connect() as conn:  # back to transactions
            conn.execute(sa.text("INSERT INTO ac VALUES (2)"))
            conn.rollback()
            lib.out(conn.execute(sa.text("SELECT count(*) FROM ac")).scalar())
        try:
            lib.engine(isolation_level="SOMETIMES").connect()
        except lib.exc.ArgumentError as error:
            lib.out(type(error).__name__)

    pg_compare(scenario)


def test_inspector(pg_compare):
    def scenario(lib):
        sa = lib.sa
        engine = lib.engine()
        md = sa.MetaData()
        sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("code", sa.String(10), unique=True),
                 sa.Column("kind", sa.Enum(Mood), nullable=False),
                 sa.Column("amount", sa.Numeric(12, 3), server_default="0"),
                 sa.Column("ratio", sa.Float), sa.Column("flag", sa.Boolean),
                 sa.Column("born", sa.Date), sa.Column("at", sa.DateTime(timezone=True)),
                 sa.Column("local", sa.DateTime), sa.Column("clock", sa.Time),
                 sa.Column("doc", sa.JSON), sa.Column("docb", lib.pg.JSONB),
                 sa.Column("blob", sa.LargeBinary), sa.Column("ident", sa.Uuid),
                 sa.Column("body", sa.Text), sa.Column("big", sa.BigInteger),
                 sa.Column("small", sa.SmallInteger), sa.Column("span", sa.Interval),
                 sa.Column("fixed", sa.CHAR(3)))
        sa.Table("child", md, sa.Column("id", sa.BigInteger, primary_key=True),
                 sa.Column("a", sa.Integer, nullable=False),
                 sa.Column("b", sa.Integer, nullable=False),
                 sa.Column("parent_id", sa.ForeignKey("parent.id", ondelete="CASCADE"),
                           index=True),
                 sa.Column("order", sa.Integer),
                 sa.UniqueConstraint("a", "b", name="uq_child_ab"),
                 sa.Index("ix_child_b_a", "b", "a"))
        sa.Table("link", md, sa.Column("x", sa.Integer, primary_key=True),
                 sa.Column("y", sa.Integer, primary_key=True),
                 sa.ForeignKeyConstraint(["x", "y"], ["child.a", "child.b"],
                                         name="fk_link_child", onupdate="RESTRICT"))
        md.create_all(engine)
        inspector = lib.inspect(engine)
        lib.out(sorted(inspector.get_table_names()))
        lib.out(inspector.has_table("child"), inspector.has_table("nope"))
        for table in ("parent", "child", "link"):
            for col in inspector.get_columns(table):
                type_ = col["type"]
                lib.out(col["name"], type(type_).__name__,
                        [getattr(type_, a, None) for a in ("length", "precision", "scale",
                                                           "timezone")],
                        list(getattr(type_, "enums", [])), getattr(type_, "name", None)
                        if type(type_).__name__ == "ENUM" else None,
                        col["nullable"], col["default"], col["autoincrement"])
            lib.out(inspector.get_pk_constraint(table))
            lib.out(inspector.get_foreign_keys(table))
            lib.out(sorted(
                (ix["name"], ix["unique"], ix["column_names"], ix.get("duplicates_constraint"))
                for ix in inspector.get_indexes(table)))
        try:
            inspector.get_columns("nope")
        except lib.exc.NoSuchTableError as error:
            lib.out(type(error).__name__)

    pg_compare(scenario)


def _wait_idle(conn, sa, pid):
    for _ in range(500):
        if conn.execute(sa.text("SELECT state FROM pg_stat_activity WHERE pid = :p"),
                        {"p": pid}).scalar() == "idle":
            return
        conn.rollback()
        time.sleep(0.01)


def _wait_gone(conn, sa, pid):
    for _ in range(200):
        if not conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"),
                            {"p": pid}).scalar():
            return
        conn.rollback()
        time.sleep(0.02)


def test_pool_pre_ping_replaces_a_killed_connection(pg_compare):
    def scenario(lib):
        sa = lib.sa
        admin = lib.engine()
        pid = sa.text("SELECT pg_backend_pid()")

        def kill(backend):
            with admin.connect() as conn:
                # once the connection's last ROLLBACK has run (lightalchemy reads its
                # answer only at the next checkout): a backend killed before that would
                # be replaced at checkout, where SQLAlchemy's user sees the error
                _wait_idle(conn, sa, backend)
                conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": backend})
                _wait_gone(conn, sa, backend)

        engine = lib.engine(pool_pre_ping=True, pool_size=1, max_overflow=0)
        with engine.connect() as conn:
            first = conn.execute(pid).scalar()
        kill(first)
        with engine.connect() as conn:
            second = conn.execute(pid).scalar()
            lib.out(second != first, conn.execute(sa.text("SELECT 1")).scalar())
        # without pre-ping the dead connection fails once, is discarded, then replaced
        plain = lib.engine(pool_size=1, max_overflow=0)
        with plain.connect() as conn:
            third = conn.execute(pid).scalar()
        kill(third)
        with plain.connect() as conn:
            try:
                conn.execute(sa.text("SELECT 1"))
            except lib.exc.DBAPIError as error:
                lib.out(type(error).__name__, error.connection_invalidated)
        with plain.connect() as conn:
            lib.out(conn.execute(pid).scalar() != third, conn.execute(sa.text("SELECT 2"))
                    .scalar())

    pg_compare(scenario)


def test_json_and_uuid_queries(pg_compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine = lib.engine()

        class Base(orm.DeclarativeBase):
            pass

        class Doc(Base):
            __tablename__ = "docs"
            id = sa.Column(sa.Uuid, primary_key=True, default=uuid.uuid4)
            body = sa.Column(lib.pg.JSONB)
            extra = sa.Column(sa.JSON(none_as_null=True))

        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            docs = [Doc(body={"n": i}, extra=None if i % 2 else [i]) for i in range(3)]
            session.add_all(docs)
            session.commit()
            lib.out(all(isinstance(d.id, uuid.UUID) for d in docs), len({d.id for d in docs}))
            lib.out(sorted(session.scalars(sa.select(Doc.body)), key=lambda b: b["n"]))
            lib.out(sorted(map(repr, session.scalars(sa.select(Doc.extra)))))
            lib.out(session.scalar(sa.select(Doc.body).where(Doc.id == docs[1].id)))
            lib.out(session.scalar(sa.select(sa.func.count()).select_from(Doc).where(
                Doc.body == {"n": 2})))

    pg_compare(scenario)


def test_group_by_selected_expressions_with_parameters(pg_compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine = lib.engine()

        class Base(orm.DeclarativeBase):
            pass

        class Sale(Base):
            __tablename__ = "sales"
            id = sa.Column(sa.Integer, primary_key=True)
            at = sa.Column(sa.DateTime)
            amount = sa.Column(sa.Numeric(10, 2))

        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            session.add_all([Sale(at=dt.datetime(2024, m, d), amount=Decimal(m * d))
                             for m in (1, 2, 3) for d in (1, 15)])
            session.commit()
            month = sa.func.date_trunc("month", Sale.at).label("month")
            rows = session.execute(sa.select(month, sa.func.sum(Sale.amount))
                                   .group_by(month).order_by(month)).all()
            lib.out([tuple(r) for r in rows])
            size = sa.case((Sale.amount > 20, "big"), else_="small")
            rows = session.execute(sa.select(size, sa.func.count()).group_by(size)
                                   .order_by(size)).all()
            lib.out([tuple(r) for r in rows])
            part = sa.func.substr(sa.cast(Sale.at, sa.String), 1, 7)
            lib.out(session.scalars(sa.select(sa.func.count()).select_from(Sale)
                                    .group_by(part).order_by(part)).all())
            lib.out(session.scalars(sa.select(sa.func.sum(Sale.amount)).group_by(part)
                                    .having(part > "2024-01").order_by(part.desc())).all())
            ids = sa.bindparam("ids", expanding=True)
            for chosen in ([1, 2, 5], []):
                rows = session.execute(sa.select(month, sa.func.count()).where(Sale.id.in_(ids))
                                       .group_by(month).order_by(month), {"ids": chosen}).all()
                lib.out([tuple(r) for r in rows])

    pg_compare(scenario)


def test_expanding_in_with_empty_and_full_lists(pg_compare):
    def scenario(lib):
        sa = lib.sa
        engine = lib.engine()
        md = sa.MetaData()
        things = sa.Table("things", md, sa.Column("id", sa.Integer, primary_key=True),
                          sa.Column("name", sa.String(10)), sa.Column("mood", sa.Enum(Mood)))
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(things.insert(), [{"name": n, "mood": Mood.happy} for n in "abc"])
            for column, values in ((things.c.id, [1, 3]), (things.c.id, []),
                                   (things.c.name, ["b", "zz"]), (things.c.name, []),
                                   (things.c.mood, [Mood.happy]), (things.c.mood, [])):
                inside = sa.select(things.c.id).where(
                    column.in_(sa.bindparam("values", expanding=True))).order_by(things.c.id)
                outside = sa.select(things.c.id).where(
                    column.not_in(sa.bindparam("values", expanding=True))).order_by(things.c.id)
                lib.out(conn.execute(inside, {"values": values}).scalars().all(),
                        conn.execute(outside, {"values": values}).scalars().all())
            lib.out(conn.execute(sa.select(things.c.id).where(things.c.id.in_([]))).all())

    pg_compare(scenario)
