"""``Session.commit()`` sending a small flush of new objects with its COMMIT.

On PostgreSQL a commit whose flush is only a few new objects, one INSERT each,
sends BEGIN, the INSERTs and COMMIT in one round trip (psycopg's pipeline
mode).  The server skips the COMMIT after a failed INSERT, so the outcome must
be exactly that of flush-then-commit: checked here against SQLAlchemy, for
success, a failing INSERT, a COMMIT that fails on a deferred constraint, and
the cases that must keep the ordinary path.
"""

import logging

import pytest

import lightalchemy as la
from lightalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


@pytest.fixture
def trips(monkeypatch):
    """How many times a flush travelled with its COMMIT."""
    calls: list = []
    original = PGDialect_psycopg.do_execute_commit

    def spy(self, dbapi_conn, begin_sql, statements):
        calls.append([sql.split()[0] for sql, _params in statements])
        return original(self, dbapi_conn, begin_sql, statements)

    monkeypatch.setattr(PGDialect_psycopg, "do_execute_commit", spy)
    return calls


@pytest.fixture
def logged():
    lines: list[str] = []

    class Handler(logging.Handler):
        def emit(self, record):
            message = record.getMessage()
            if not message.startswith("[parameters]"):
                lines.append(message.split()[0])

    logger = logging.getLogger("lightalchemy.engine.Engine")
    handler, level = Handler(logging.INFO), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lines
    logger.removeHandler(handler)
    logger.setLevel(level)


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(la.String(20), unique=True)
    note: Mapped[str] = mapped_column(server_default="none")


class Tag(Base):
    __tablename__ = "tag"
    code: Mapped[str] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(la.ForeignKey("person.id"))


class Parent(Base):
    __tablename__ = "parent"
    id: Mapped[int] = mapped_column(primary_key=True)
    children: Mapped[list["Child"]] = relationship(back_populates="parent")


class Child(Base):
    __tablename__ = "child"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(la.ForeignKey("parent.id"))
    parent: Mapped["Parent | None"] = relationship(back_populates="children")


@pytest.fixture
def engine(pg_url):
    made = la.create_engine(pg_url)
    Base.metadata.create_all(made)
    yield made
    made.dispose()


def _rows(engine, sql):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql)]


def test_one_new_object_goes_with_its_commit(engine, trips, logged):
    with Session(engine) as session:
        person = Person(name="ann")
        session.add(person)
        session.commit()
        assert trips == [["INSERT"]]
        assert logged == ["BEGIN", "INSERT", "COMMIT"]
        assert person.id == 1
        assert person.note == "none"  # the server's default, read after commit
    assert _rows(engine, "SELECT id, name, note FROM person") == [(1, "ann", "none")]


def test_new_objects_of_several_classes_go_together_in_dependency_order(engine, trips):
    with Session(engine) as session:
        session.add_all([Tag(code="t1", person_id=7), Person(id=7, name="bob")])
        session.commit()
        assert trips == [["INSERT", "INSERT"]]
    assert _rows(engine, "SELECT code, person_id FROM tag") == [("t1", 7)]


@pytest.mark.parametrize("work", ["three of a class", "update", "delete", "savepoint",
                                  "relationship", "seventeen classes"])
def test_other_flushes_keep_the_ordinary_path(engine, trips, work):
    with Session(engine) as session:
        session.add(Person(name="a"))
        session.commit()
    trips.clear()
    with Session(engine) as session:
        if work == "three of a class":
            session.add_all([Person(name=n) for n in "xyz"])
        elif work == "update":
            session.get(Person, 1).name = "b"
        elif work == "delete":
            session.delete(session.get(Person, 1))
        elif work == "savepoint":
            session.begin_nested()
            session.add(Person(name="c"))
        elif work == "relationship":
            session.add(Parent(children=[Child()]))
        else:
            session.add_all([Tag(code=str(i)) for i in range(17)])
        session.commit()
    assert trips == []


def test_autocommit_and_a_bound_connection_keep_the_ordinary_path(engine, trips):
    with Session(engine.execution_options(isolation_level="AUTOCOMMIT")) as session:
        session.add(Person(name="a"))
        session.commit()
    with engine.connect() as conn:
        with Session(bind=conn) as session:
            session.add(Person(name="b"))
            session.commit()
        conn.commit()
    assert trips == []
    assert _rows(engine, "SELECT name FROM person ORDER BY id") == [("a",), ("b",)]


# -- the same programs on SQLAlchemy ------------------------------------------------------


def _models(lib):
    class Base(lib.orm.DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "item"
        id: lib.orm.Mapped[int] = lib.orm.mapped_column(primary_key=True)
        name: lib.orm.Mapped[str] = lib.orm.mapped_column(lib.sa.String(5), unique=True)
        owner_id: lib.orm.Mapped[int | None] = lib.orm.mapped_column()

    engine = lib.engine()
    Base.metadata.create_all(engine)
    with engine.begin() as conn:  # a constraint checked only at COMMIT
        conn.exec_driver_sql(
            "ALTER TABLE item ADD FOREIGN KEY (owner_id) REFERENCES item (id) "
            "DEFERRABLE INITIALLY DEFERRED")
    return engine, Item


def _state(lib, obj):
    state = lib.inspect(obj)
    return [name for name in ("transient", "pending", "persistent", "detached") if
            getattr(state, name)]


def _tried(lib, action):
    try:
        return ("ok", action())
    except Exception as error:
        return ("raised", type(error).__name__)


def test_success_matches_sqlalchemy(pg_compare):
    def scenario(lib):
        engine, Item = _models(lib)
        with lib.orm.Session(engine) as session:
            item = Item(name="a")
            session.add(item)
            session.commit()
            lib.out(_state(lib, item), item.id, item.name)
            session.add(Item(name="b", owner_id=item.id))
            session.commit()
            lib.out(session.execute(lib.sa.select(Item.name, Item.owner_id)
                                    .order_by(Item.id)).all())

    pg_compare(scenario)


def test_failing_insert_matches_sqlalchemy(pg_compare):
    def scenario(lib):
        engine, Item = _models(lib)
        with lib.orm.Session(engine) as session:
            session.add(Item(name="a"))
            session.commit()
            twin = Item(name="a")
            session.add(twin)
            lib.out(_tried(lib, session.commit))
            lib.out(_state(lib, twin))
            lib.out(_tried(lib, lambda: session.scalars(lib.sa.select(Item.name)).all()))
            session.rollback()
            lib.out(_state(lib, twin))
            too_long = Item(name="abcdefgh")
            session.add(too_long)
            lib.out(_tried(lib, session.commit))
            session.rollback()
            session.add(Item(name="b"))
            session.commit()
            lib.out(session.scalars(lib.sa.select(Item.name).order_by(Item.id)).all())

    pg_compare(scenario)


def test_failing_commit_matches_sqlalchemy(pg_compare):
    def scenario(lib):
        engine, Item = _models(lib)
        with lib.orm.Session(engine) as session:
            orphan = Item(name="a", owner_id=999)  # no such row: COMMIT fails
            session.add(orphan)
            lib.out(_tried(lib, session.commit))
            lib.out(_state(lib, orphan), lib.inspect(orphan).identity)
            lib.out(session.is_active, session.in_transaction())
            lib.out(_tried(lib, lambda: session.scalars(lib.sa.select(Item.name)).all()))
            lib.out(_tried(lib, session.commit), orphan.name)
            session.rollback()
            lib.out(_state(lib, orphan), session.is_active)
            session.add(Item(name="b"))
            session.commit()
            lib.out(session.scalars(lib.sa.select(Item.name)).all())

    pg_compare(scenario)


def test_a_value_the_driver_refuses_matches_sqlalchemy(pg_compare):
    def scenario(lib):
        engine, Item = _models(lib)
        with lib.orm.Session(engine) as session:
            session.add(Item(name="a\x00b"))  # PostgreSQL text cannot hold NUL
            lib.out(_tried(lib, session.commit))
            lib.out(session.is_active)
            session.rollback()
            session.add(Item(name="ok"))
            session.commit()
            lib.out(session.scalars(lib.sa.select(Item.name)).all())

    pg_compare(scenario)


def test_sql_the_pipeline_cannot_number_goes_one_by_one(pg_url, trips):
    """A ``$1`` in a name would clash with libpq's placeholders: the same outcome, one
    statement per round trip."""

    class Odd(DeclarativeBase):
        pass

    class Price(Odd):
        __tablename__ = "price$1"
        id: Mapped[int] = mapped_column(primary_key=True)
        label: Mapped[str] = mapped_column(la.String(3), unique=True)

    engine = la.create_engine(pg_url)
    Odd.metadata.create_all(engine)
    try:
        with Session(engine) as session:
            price = Price(label="a")
            session.add(price)
            session.commit()
            assert price.id == 1
            session.add(Price(label="a"))
            with pytest.raises(la.exc.IntegrityError):
                session.commit()
            session.rollback()
            session.add(Price(label="b"))
            session.commit()
        assert len(trips) == 3
        assert _rows(engine, 'SELECT id, label FROM "price$1" ORDER BY id') == [(1, "a"), (3, "b")]
    finally:
        engine.dispose()


def test_a_backend_killed_before_the_commit_is_reported_and_replaced(engine, pg_url):
    with Session(engine) as session:
        session.add(Person(name="first"))
        session.commit()
        pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        session.add(Person(name="lost"))
        with la.create_engine(pg_url).connect() as admin:
            admin.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        with pytest.raises(la.exc.OperationalError) as raised:
            session.commit()
        assert raised.value.connection_invalidated
        session.rollback()
        session.add(Person(name="again"))
        session.commit()
    assert _rows(engine, "SELECT name FROM person ORDER BY id") == [("first",), ("again",)]
