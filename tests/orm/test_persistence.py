"""Flush steps run as SQL: batched INSERTs, key pairing, defaults, UPDATE, failure."""

from __future__ import annotations

import logging
import re
import sqlite3
import uuid
from typing import Optional

import pytest

from lightalchemy import ForeignKey, String, create_engine, func, inspect, select, text
from lightalchemy import exc as sa_exc
from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    qty: Mapped[Optional[int]]


class Owner(Base):
    __tablename__ = "owner"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)


class Pet(Base):
    __tablename__ = "pet"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("owner.id"))
    name: Mapped[str] = mapped_column(unique=True)


class Ticket(Base):
    __tablename__ = "ticket"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    status: Mapped[Optional[str]] = mapped_column(server_default="new")


class Token(Base):
    __tablename__ = "token"
    id: Mapped[str] = mapped_column(String(32), primary_key=True,
                                    default=lambda: uuid.uuid4().hex)
    name: Mapped[str]


class ServerToken(Base):
    __tablename__ = "server_token"
    id: Mapped[str] = mapped_column(
        String(32), primary_key=True,
        server_default=text("(lower(hex(randomblob(16))))"))
    name: Mapped[str]


class Draft(Base):
    __tablename__ = "draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    state: Mapped[Optional[str]] = mapped_column(default=func.upper("draft"))


class Seat(Base):
    __tablename__ = "seat"
    room: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(8), primary_key=True)
    holder: Mapped[Optional[str]]


class Wide(Base):
    __tablename__ = "wide"
    id: Mapped[int] = mapped_column(primary_key=True)
    c0: Mapped[str]
    c1: Mapped[int]
    c2: Mapped[int]
    c3: Mapped[int]
    c4: Mapped[int]
    c5: Mapped[int]
    c6: Mapped[int]
    c7: Mapped[int]
    c8: Mapped[int]


@pytest.fixture
def engine():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "persistence.db"


@pytest.fixture
def file_engine(db_path):
    engine = create_engine(f"sqlite:///{db_path}")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def raw(db_path, sql, params=()):
    """Read the file database with plain sqlite3, past lightalchemy entirely."""
    con = sqlite3.connect(db_path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


class Statements:
    """SQL statements sent through the engine logger (parameters left out)."""

    def __init__(self, caplog):
        self.caplog = caplog
        caplog.set_level(logging.INFO, logger="lightalchemy.engine")

    def clear(self):
        self.caplog.clear()

    @property
    def all(self):
        return [r.getMessage() for r in self.caplog.records
                if r.name.startswith("lightalchemy.engine")
                and not r.getMessage().startswith("[")]

    def starting(self, word):
        return [s for s in self.all if s.lstrip().upper().startswith(word)]


@pytest.fixture
def statements(caplog):
    return Statements(caplog)


def assert_paired(db_path, objects):
    """Each object's key is the key of the row that holds the object's name."""
    ids_by_name = dict(raw(db_path, "SELECT name, id FROM item"))
    wrong = [(o.name, o.id, ids_by_name.get(o.name)) for o in objects
             if ids_by_name.get(o.name) != o.id]
    assert not wrong, wrong[:5]


# -- generated keys ------------------------------------------------------------------------


def test_many_new_objects_get_the_keys_of_their_own_rows(file_engine, db_path):
    # names that do not sort like the insertion order
    items = [Item(name=f"item-{(i * 7919) % 1000:04d}", qty=i) for i in range(1000)]
    with Session(file_engine) as session:
        session.add_all(items)
        session.commit()
        assert_paired(db_path, items)
        assert len({o.id for o in items}) == 1000
        for obj in items[::97]:
            assert session.get(Item, obj.id) is obj
    qty_by_id = dict(raw(db_path, "SELECT id, qty FROM item"))
    assert all(qty_by_id[o.id] == i for i, o in enumerate(items))


def test_generated_keys_after_gaps_in_existing_keys(file_engine, db_path):
    with Session(file_engine) as session:
        session.add_all([Item(id=1, name="one"), Item(id=5, name="five"),
                         Item(id=100, name="hundred")])
        session.commit()
        items = [Item(name=f"gen{i}") for i in range(1000)]
        session.add_all(items)
        session.flush()
        ids = [o.id for o in items]
        assert len(set(ids)) == 1000
        assert not {1, 5, 100} & set(ids)
        for obj in items:
            assert inspect(obj).identity == (obj.id,)
            assert session.identity_map.get(inspect(obj).identity_key) is obj
        session.commit()
        assert_paired(db_path, items)
    assert raw(db_path, "SELECT id FROM item WHERE name IN ('one', 'five', 'hundred') "
                        "ORDER BY id") == [(1,), (5,), (100,)]


def test_explicit_and_generated_keys_in_one_add_all(file_engine, db_path):
    items = [
        Item(name="g0"), Item(id=5000, name="e5000"), Item(name="g1"), Item(name="g2"),
        Item(id=2000, name="e2000"), Item(name="g3"), Item(id=None, name="g4"),
        Item(id=3, name="e3"), Item(name="g5"),
    ]
    with Session(file_engine) as session:
        session.add_all(items)
        session.commit()
        explicit = {o.name: o.id for o in items if o.name.startswith("e")}
        assert explicit == {"e5000": 5000, "e2000": 2000, "e3": 3}
        assert len({o.id for o in items}) == len(items)
        for obj in items:
            assert session.get(Item, obj.id) is obj
        assert_paired(db_path, items)


# -- defaults -------------------------------------------------------------------------------


def test_server_default_is_expired_after_flush_and_loaded_on_access(engine, statements):
    with Session(engine) as session:
        ticket = Ticket(title="t")
        session.add(ticket)
        session.flush()
        assert "status" in inspect(ticket).unloaded
        statements.clear()
        assert ticket.status == "new"
        assert statements.starting("SELECT")  # loaded from the row
        assert ticket.title == "t"
        session.commit()
        assert session.scalar(select(Ticket.status).where(Ticket.id == ticket.id)) == "new"


def test_server_default_column_given_none_shows_the_server_value(engine):
    """A None for a column with a server default is left out of the INSERT (as in
    SQLAlchemy), so the row holds the server value; the object must not keep None."""
    with Session(engine) as session:
        ticket = Ticket(title="t", status=None)
        session.add(ticket)
        session.flush()
        stored = session.execute(text("SELECT status FROM ticket WHERE id = :id"),
                                 {"id": ticket.id}).scalar()
        assert stored == "new"
        assert ticket.status == stored


def test_given_value_overrides_server_default(engine):
    with Session(engine) as session:
        ticket = Ticket(title="t", status="closed")
        session.add(ticket)
        session.commit()
        assert session.scalar(select(Ticket.status)) == "closed"


def test_sql_expression_default_with_a_bound_value(engine):
    with Session(engine) as session:
        drafts = [Draft(title="a"), Draft(title="b")]
        session.add_all(drafts)
        session.add(Draft(title="c"))
        session.commit()
        assert session.scalars(select(Draft.state).order_by(Draft.id)).all() == \
            ["DRAFT", "DRAFT", "DRAFT"]
        assert drafts[0].state == "DRAFT"


# -- non-integer and composite keys ----------------------------------------------------------


def test_string_key_from_python_default_callable(engine):
    with Session(engine) as session:
        tokens = [Token(name=f"t{i}") for i in range(50)]
        session.add_all(tokens)
        session.flush()
        ids = [t.id for t in tokens]
        assert all(isinstance(i, str) and re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
        assert len(set(ids)) == 50
        for token in tokens:
            assert inspect(token).identity_key == (Token, (token.id,), None)
        session.commit()
        rows = dict(session.execute(select(Token.name, Token.id)).all())
        assert rows == {t.name: t.id for t in tokens}


def test_string_key_given_explicitly(engine):
    with Session(engine) as session:
        token = Token(id="given-key", name="x")
        session.add(token)
        session.add(Token(name="y"))
        session.commit()
        assert token.id == "given-key"
        assert session.get(Token, "given-key") is token
        assert session.scalar(select(Token.name).where(Token.id == "given-key")) == "x"


def test_string_key_generated_by_the_server(engine):
    with Session(engine) as session:
        tokens = [ServerToken(name=f"s{i}") for i in range(3)]
        session.add_all(tokens)
        session.commit()
        rows = dict(session.execute(select(ServerToken.name, ServerToken.id)).all())
        assert rows == {t.name: t.id for t in tokens}
        assert all(len(t.id) == 32 for t in tokens)


def test_composite_primary_key(engine):
    with Session(engine) as session:
        seats = [Seat(room=1, label="a", holder="ann"), Seat(room=1, label="b"),
                 Seat(room=2, label="a", holder="cid")]
        session.add_all(seats)
        session.commit()
        assert [inspect(s).identity for s in seats] == [(1, "a"), (1, "b"), (2, "a")]
        assert session.get(Seat, (1, "b")) is seats[1]
        assert session.get(Seat, {"room": 2, "label": "a"}) is seats[2]
        seats[1].holder = "bob"
        session.delete(seats[0])
        session.commit()
        rows = session.execute(select(Seat.room, Seat.label, Seat.holder)
                               .order_by(Seat.room, Seat.label)).all()
        assert [tuple(r) for r in rows] == [(1, "b", "bob"), (2, "a", "cid")]


def test_composite_key_without_a_value_is_refused(engine):
    with Session(engine) as session:
        session.add(Seat(room=1))
        with pytest.raises(sa_exc.SQLAlchemyError):
            session.flush()


# -- batching ----------------------------------------------------------------------------------


def test_batches_larger_than_the_bind_limit(file_engine, db_path, statements):
    limit = file_engine.dialect.features.max_bind_params
    rows = [Wide(c0=f"w{i}", **{f"c{j}": i * j for j in range(1, 9)}) for i in range(5000)]
    assert 5000 * 9 > limit  # all the values at once would not fit in one statement
    statements.clear()
    with Session(file_engine) as session:
        session.add_all(rows)
        session.commit()
        by_c0 = {r.c0: r.id for r in rows}
    inserts = statements.starting("INSERT")
    assert inserts
    assert all(sql.count("?") <= limit for sql in inserts)
    assert len(inserts) < 100
    assert raw(db_path, "SELECT count(*) FROM wide") == [(5000,)]
    bad = raw(db_path, "SELECT count(*) FROM wide WHERE c0 != 'w' || (id - 1) "
                       "OR c1 != id - 1 OR c8 != (id - 1) * 8")
    assert bad == [(0,)]
    assert dict(raw(db_path, "SELECT c0, id FROM wide")) == by_c0


def test_inserting_1000_objects_takes_few_statements(engine, statements):
    with Session(engine) as session:
        session.add_all([Item(name=f"n{i}", qty=i) for i in range(1000)])
        statements.clear()
        session.flush()
        assert len(statements.starting("INSERT")) <= 5
        assert session.scalar(select(func.count()).select_from(Item)) == 1000


def test_objects_with_given_keys_insert_in_few_statements(engine, statements):
    with Session(engine) as session:
        session.add_all([Item(id=i + 1, name=f"n{i}") for i in range(1000)])
        statements.clear()
        session.flush()
        assert len(statements.starting("INSERT")) <= 5
        assert session.scalar(select(func.count()).select_from(Item)) == 1000


# -- UPDATE and DELETE ---------------------------------------------------------------------------


def update_set_clause(sql):
    match = re.search(r"\bSET\s+(.*?)\s+WHERE\b", sql, re.S | re.I)
    assert match, sql
    return match.group(1)


def test_update_sends_only_the_changed_column(engine, statements):
    with Session(engine) as session:
        session.add(Item(id=1, name="a", qty=1))
        session.commit()
        item = session.get(Item, 1)
        item.qty = 2
        statements.clear()
        session.flush()
        [update] = statements.starting("UPDATE")
        assert re.fullmatch(r'"?qty"?\s*=\s*\?', update_set_clause(update)), update
        session.commit()
        assert session.scalar(select(Item.qty).where(Item.id == 1)) == 2


def test_nothing_is_sent_when_nothing_changed(engine, statements):
    with Session(engine) as session:
        session.add(Item(id=1, name="a", qty=1))
        session.commit()
        item = session.get(Item, 1)
        item.qty = 1
        item.name = "b"
        item.name = "a"
        statements.clear()
        session.flush()
        session.commit()
        assert not statements.starting("UPDATE")
        assert not statements.starting("INSERT")


def test_objects_changing_the_same_columns_share_one_update(engine, statements):
    with Session(engine) as session:
        session.add_all([Item(id=i, name=f"n{i}", qty=i) for i in range(1, 6)])
        session.commit()
        items = [session.get(Item, i) for i in range(1, 6)]
        for item in items:
            item.qty += 10
        statements.clear()
        session.flush()
        assert len(statements.starting("UPDATE")) == 1
        session.commit()
        assert session.scalars(select(Item.qty).order_by(Item.id)).all() == [11, 12, 13, 14, 15]


def test_deletes_remove_exactly_the_deleted_rows(engine):
    with Session(engine) as session:
        session.add_all([Item(id=i, name=f"n{i}") for i in range(1, 6)])
        session.commit()
        for i in (2, 4):
            session.delete(session.get(Item, i))
        session.commit()
        assert session.scalars(select(Item.id).order_by(Item.id)).all() == [1, 3, 5]


# -- a failed flush ---------------------------------------------------------------------------


@pytest.fixture
def failed_session(engine):
    """A Session whose flush failed on a unique violation (Pet 'dup' exists)."""
    with Session(engine) as session:
        session.add(Pet(name="dup"))
        session.commit()
        owner = Owner(name="o1")
        pet = Pet(name="ok")
        clash = Pet(name="dup")
        session.add_all([pet, clash, owner])
        with pytest.raises(sa_exc.IntegrityError):
            session.commit()
        yield session, (owner, pet, clash)


def test_failed_flush_requires_rollback(failed_session):
    session, _ = failed_session
    assert not session.is_active
    with pytest.raises(sa_exc.PendingRollbackError):
        session.execute(select(Pet)).all()
    with pytest.raises(sa_exc.PendingRollbackError):
        session.commit()


def test_failed_flush_requires_rollback_for_any_sql(failed_session):
    session, _ = failed_session
    with pytest.raises(sa_exc.PendingRollbackError):
        session.execute(text("SELECT 1"))
    with pytest.raises(sa_exc.PendingRollbackError):
        session.connection()


def test_after_rollback_the_session_works_and_pending_objects_are_transient(failed_session):
    session, objects = failed_session
    owner, pet, clash = objects
    session.rollback()
    assert session.is_active
    assert all(inspect(o).transient for o in objects)
    assert list(session.new) == []
    # the rows the failed flush wrote before the error are gone
    assert session.scalar(select(func.count()).select_from(Owner)) == 0
    assert session.scalars(select(Pet.name)).all() == ["dup"]
    clash.name = "fixed"
    session.add_all(objects)
    session.commit()
    assert sorted(session.scalars(select(Pet.name)).all()) == ["dup", "fixed", "ok"]
    assert session.get(Owner, owner.id) is owner
