"""The identity map: one object per row per Session, held weakly unless changed."""

from __future__ import annotations

import gc
from typing import Optional

import pytest

from lightalchemy import create_engine, inspect, select, update
from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    age: Mapped[Optional[int]]


@pytest.fixture
def engine():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([Person(id=i, name=f"p{i}", age=20 + i) for i in range(1, 6)])
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


def key(pk):
    return (Person, (pk,), None)


def ids_in_map(session):
    return sorted(k[1][0] for k in session.identity_map.keys())


def test_get_and_queries_return_the_same_object(session):
    by_get = session.get(Person, 2)
    by_select = session.scalars(select(Person).where(Person.id == 2)).one()
    by_filter = session.scalars(select(Person).where(Person.name == "p2")).one()
    by_query = session.query(Person).filter_by(id=2).one()
    in_list = [p for p in session.scalars(select(Person)).all() if p.id == 2]
    assert by_get is by_select is by_filter is by_query
    assert in_list == [by_get] and in_list[0] is by_get
    assert session.get(Person, 2) is by_get


def test_query_first_then_get_is_the_same_object(session):
    people = session.scalars(select(Person).order_by(Person.id)).all()
    assert [session.get(Person, p.id) for p in people] == people
    assert all(session.get(Person, p.id) is p for p in people)


def test_identity_map_get_returns_the_object(session):
    person = session.get(Person, 3)
    identity_key = inspect(person).identity_key
    assert identity_key == key(3)
    assert identity_key in session.identity_map
    assert session.identity_map.get(identity_key) is person
    assert session.identity_map[identity_key] is person
    assert session.identity_map.get(key(999)) is None
    assert key(999) not in session.identity_map


def test_unreferenced_objects_leave_the_identity_map(session):
    people = session.scalars(select(Person)).all()
    assert ids_in_map(session) == [1, 2, 3, 4, 5]
    kept = people[1]
    del people
    gc.collect()
    assert ids_in_map(session) == [kept.id]
    assert session.identity_map.get(key(kept.id)) is kept


def test_a_row_loaded_again_after_gc_is_a_fresh_object_with_current_values(session):
    person = session.get(Person, 1)
    del person
    gc.collect()
    assert key(1) not in session.identity_map
    session.execute(update(Person).where(Person.id == 1).values(name="renamed"))
    again = session.get(Person, 1)
    assert again.name == "renamed"
    assert session.identity_map.get(key(1)) is again


def test_modified_objects_survive_gc_until_flushed(session):
    person = session.get(Person, 2)
    person.name = "changed"
    del person
    gc.collect()
    assert key(2) in session.identity_map
    survivor = session.identity_map.get(key(2))
    assert survivor is not None
    assert survivor.name == "changed"
    assert survivor in session.dirty
    del survivor
    gc.collect()
    assert key(2) in session.identity_map  # still unflushed
    session.flush()
    gc.collect()
    assert key(2) not in session.identity_map  # written: nothing holds it any more
    assert session.scalar(select(Person.name).where(Person.id == 2)) == "changed"


def test_modified_objects_survive_gc_until_commit(session):
    session.get(Person, 4).age = 99
    gc.collect()
    assert ids_in_map(session) == [4]
    session.commit()
    gc.collect()
    assert ids_in_map(session) == []
    assert session.scalar(select(Person.age).where(Person.id == 4)) == 99


def test_deleted_objects_survive_gc_until_flushed(session):
    session.delete(session.get(Person, 5))
    gc.collect()
    assert key(5) in session.identity_map
    assert len(session.deleted) == 1
    session.flush()
    gc.collect()
    assert key(5) not in session.identity_map
    assert session.get(Person, 5) is None


def test_pending_objects_are_kept_until_flushed_then_held_weakly(session):
    session.add(Person(id=10, name="new"))
    gc.collect()
    assert [p.name for p in session.new] == ["new"]
    [person] = session.new
    session.flush()
    assert session.identity_map.get(key(10)) is person
    del person
    gc.collect()
    assert key(10) not in session.identity_map
    assert session.get(Person, 10).name == "new"


def test_unchanged_value_does_not_pin_the_object_after_flush(session):
    person = session.get(Person, 3)
    person.name = "p3"  # touched, but nothing changed
    del person
    gc.collect()
    session.flush()
    gc.collect()
    assert key(3) not in session.identity_map
