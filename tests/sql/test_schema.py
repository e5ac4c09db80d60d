"""DDL and schema-level behaviour: create/drop, constraints, defaults, odd names."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from lightalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)
from lightalchemy.exc import IntegrityError


def _fk_engine(path):
    """A file engine whose connections enforce foreign keys."""

    def creator():
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    return create_engine("sqlite://", creator=creator)


def _family(metadata: MetaData) -> tuple[Table, Table, Table]:
    parent = Table("parent", metadata,
                   Column("id", Integer, primary_key=True),
                   Column("name", String(20), nullable=False))
    child = Table("child", metadata,
                  Column("id", Integer, primary_key=True),
                  Column("parent_id", Integer, ForeignKey("parent.id"), nullable=False))
    grandchild = Table("grandchild", metadata,
                       Column("id", Integer, primary_key=True),
                       Column("child_id", Integer, ForeignKey("child.id")))
    return parent, child, grandchild


def table_names(engine) -> list[str]:
    with engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).scalars().all()


def index_names(engine) -> list[str]:
    with engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "ORDER BY name"
        ).scalars().all()


# -- create_all / drop_all ---------------------------------------------------------------------------

def test_create_all_twice_is_fine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    metadata = MetaData()
    parent, _, _ = _family(metadata)
    Index("ix_parent_name", parent.c.name)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(parent).values(name="kept"))
    metadata.create_all(engine)
    assert table_names(engine) == ["child", "grandchild", "parent"]
    assert index_names(engine) == ["ix_parent_name"]
    with engine.connect() as conn:
        assert conn.execute(select(parent.c.name)).scalars().all() == ["kept"]
    engine.dispose()


def test_sorted_tables_put_referenced_tables_first():
    metadata = MetaData()
    parent, child, grandchild = _family(metadata)
    order = metadata.sorted_tables
    assert order.index(parent) < order.index(child) < order.index(grandchild)


def test_drop_all_drops_children_first(tmp_path):
    engine = _fk_engine(tmp_path / "fk.db")
    metadata = MetaData()
    parent, child, grandchild = _family(metadata)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(parent).values(id=1, name="p"))
        conn.execute(insert(child).values(id=1, parent_id=1))
        conn.execute(insert(grandchild).values(id=1, child_id=1))
    metadata.drop_all(engine)  # in parent-first order SQLite would refuse
    assert table_names(engine) == []
    metadata.drop_all(engine)  # and twice is fine too
    engine.dispose()


def test_foreign_keys_enforced_when_sqlite_is_asked_to(tmp_path):
    engine = _fk_engine(tmp_path / "fk.db")
    metadata = MetaData()
    parent, child, _ = _family(metadata)
    metadata.create_all(engine)
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        with engine.begin() as conn:
            conn.execute(insert(child).values(parent_id=99))
    engine.dispose()


def test_foreign_key_column_takes_the_referenced_type():
    """``Column("parent_id", ForeignKey("parent.id"))`` without a type, as SQLAlchemy allows."""
    engine = create_engine("sqlite://")
    metadata = MetaData()
    Table("parent", metadata, Column("id", Integer, primary_key=True))
    child = Table("child", metadata,
                  Column("id", Integer, primary_key=True),
                  Column("parent_id", ForeignKey("parent.id")))
    metadata.create_all(engine)
    assert isinstance(child.c.parent_id.type, Integer)
    engine.dispose()


# -- constraints and indexes ---------------------------------------------------------------------------

@pytest.fixture
def constrained():
    engine = create_engine("sqlite://")
    metadata = MetaData()
    items = Table(
        "items",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("sku", String(20), nullable=False),
        Column("shop", Integer),
        Column("shelf", Integer),
        Column("qty", Integer),
        UniqueConstraint("shop", "shelf", name="uq_shop_shelf"),
        CheckConstraint("qty >= 0", name="qty_not_negative"),
        Index("ix_items_sku", "sku", unique=True),
    )
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(items).values(sku="a", shop=1, shelf=1, qty=1))
    yield engine, items
    engine.dispose()


@pytest.mark.parametrize(
    "values, message",
    [
        ({"sku": "a", "shop": 2, "shelf": 2, "qty": 1}, "items.sku"),
        ({"sku": "b", "shop": 1, "shelf": 1, "qty": 1}, "items.shop, items.shelf"),
        ({"sku": "c", "shop": 3, "shelf": 3, "qty": -1}, "qty_not_negative"),
        ({"sku": None, "shop": 4, "shelf": 4, "qty": 1}, "items.sku"),
    ],
    ids=["unique_index", "unique_constraint", "check", "not_null"],
)
def test_constraints_are_enforced(constrained, values, message):
    engine, items = constrained
    with pytest.raises(IntegrityError, match=message):
        with engine.begin() as conn:
            conn.execute(insert(items).values(**values))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(items)).scalar() == 1


def test_index_is_created(constrained):
    engine, _ = constrained
    assert "ix_items_sku" in index_names(engine)


def test_column_unique_and_index_flags():
    engine = create_engine("sqlite://")
    metadata = MetaData()
    people = Table(
        "people",
        metadata,
        Column("id", Integer, primary_key=True, index=True),
        Column("email", String, unique=True),
        Column("login", String, unique=True, index=True),
        Column("city", String, index=True),
    )
    metadata.create_all(engine)
    assert {"ix_people_id", "ix_people_login", "ix_people_city"} <= set(index_names(engine))
    with engine.begin() as conn:
        conn.execute(insert(people).values(email="e", login="l", city="c"))
    for duplicate in ({"email": "e", "login": "other"}, {"email": "other", "login": "l"}):
        with pytest.raises(IntegrityError):
            with engine.begin() as conn:
                conn.execute(insert(people).values(**duplicate))
    with engine.begin() as conn:
        conn.execute(insert(people).values(email="x", login="y", city="c"))  # city may repeat
    engine.dispose()


# -- defaults ------------------------------------------------------------------------------------------------

@pytest.fixture
def defaults():
    engine = create_engine("sqlite://")
    metadata = MetaData()
    calls = {"n": 0}

    def next_number():
        calls["n"] += 1
        return calls["n"]

    def shout(context):
        return context.get_current_parameters()["label"].upper()

    table = Table(
        "defaults",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("label", String(20)),
        Column("status", String(10), server_default="new"),
        Column("number", Integer, server_default=text("7")),
        Column("created", DateTime, server_default=func.current_timestamp()),
        Column("plain", Integer, default=5),
        Column("counter", Integer, default=next_number),
        Column("shouted", String(20), default=shout),
        Column("stamp", DateTime, default=dt.datetime.now),
        Column("version", Integer, default=0, onupdate=next_number),
        Column("touched", Integer, default=0, onupdate=literal_column("100")),
    )
    metadata.create_all(engine)
    yield engine, table
    engine.dispose()


def test_defaults_on_core_insert(defaults):
    engine, table = defaults
    before = dt.datetime.now() - dt.timedelta(seconds=1)
    with engine.begin() as conn:
        conn.execute(insert(table), {"label": "a"})
        conn.execute(insert(table), [{"label": "b"}, {"label": "c"}])
        rows = conn.execute(select(table).order_by(table.c.id)).mappings().all()
    assert [r["status"] for r in rows] == ["new"] * 3
    assert [r["number"] for r in rows] == [7] * 3
    assert [r["plain"] for r in rows] == [5] * 3
    assert [r["counter"] for r in rows] == [1, 2, 3]  # the callable runs once per row
    assert [r["shouted"] for r in rows] == ["A", "B", "C"]
    assert [r["version"] for r in rows] == [0] * 3
    for r in rows:
        assert isinstance(r["created"], dt.datetime)
        assert isinstance(r["stamp"], dt.datetime) and r["stamp"] >= before


def test_context_default_sees_values_from_values(defaults):
    engine, table = defaults
    with engine.begin() as conn:
        conn.execute(insert(table).values(label="v"))
        assert conn.execute(select(table.c.shouted)).scalar_one() == "V"


def test_explicit_value_beats_default(defaults):
    engine, table = defaults
    with engine.begin() as conn:
        conn.execute(insert(table), {"label": "a", "plain": 9, "status": "old", "counter": 50})
        row = conn.execute(select(table)).mappings().one()
    assert (row["plain"], row["status"], row["counter"]) == (9, "old", 50)


def test_onupdate_on_core_update(defaults):
    engine, table = defaults
    with engine.begin() as conn:
        conn.execute(insert(table), [{"label": "a"}, {"label": "b"}])
        counter_after_insert = conn.execute(select(func.max(table.c.counter))).scalar()
        conn.execute(update(table).where(table.c.label == "a").values(label="z"))
        rows = conn.execute(select(table).order_by(table.c.id)).mappings().all()
    assert rows[0]["label"] == "z"
    assert rows[0]["version"] == counter_after_insert + 1
    assert rows[0]["touched"] == 100
    assert (rows[1]["version"], rows[1]["touched"]) == (0, 0)  # untouched row


def test_onupdate_yields_to_explicit_value(defaults):
    engine, table = defaults
    with engine.begin() as conn:
        conn.execute(insert(table), {"label": "a"})
        conn.execute(update(table).values(label="b", version=42))
        assert conn.execute(select(table.c.version)).scalar_one() == 42


# -- reserved words as names ------------------------------------------------------------------------------

def test_reserved_word_identifiers_end_to_end():
    engine = create_engine("sqlite://")
    metadata = MetaData()
    order = Table(
        "order",
        metadata,
        Column("select", Integer, primary_key=True),
        Column("group", String(10)),
        Column("from", Integer, index=True),
        Column("CamelCase", Integer),
        Column("with space", String),
        CheckConstraint(text('"from" >= 0')),
    )
    Table("where", metadata,
          Column("id", Integer, primary_key=True),
          Column("order_select", Integer, ForeignKey("order.select")))
    metadata.create_all(engine)
    metadata.create_all(engine)
    c = order.c
    with engine.begin() as conn:
        conn.execute(insert(order).values(
            {"select": 1, "group": "g", "from": 2, "CamelCase": 3, "with space": "s"}))
        conn.execute(insert(order), [{"select": 2, "group": "g", "from": 5}])
        conn.execute(update(order).where(c["from"] == 2).values({"group": "h"}))
        rows = conn.execute(select(order).where(c.group == "h").order_by(c["from"])).all()
        assert rows == [(1, "h", 2, 3, "s")]
        grouped = conn.execute(
            select(c.group, func.count()).group_by(c.group).order_by(c.group)).all()
        assert grouped == [("g", 1), ("h", 1)]
        conn.execute(delete(order).where(c.select == 1))
        assert conn.execute(select(c.select)).scalars().all() == [2]
    metadata.drop_all(engine)
    assert table_names(engine) == []
    engine.dispose()
