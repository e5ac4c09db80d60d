"""The flush plan: ``unitofwork.plan(new, dirty, deleted)`` without running it."""

from __future__ import annotations

import dataclasses
import logging
from typing import Optional

import pytest

from lightalchemy import ForeignKey, create_engine
from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, unitofwork
from lightalchemy.orm.state import instance_state
from lightalchemy.orm.unitofwork import DeleteRows, InsertRows, UpdateRows


class Base(DeclarativeBase):
    pass


# Declared children first: the plan must order by foreign key, not by declaration.
class GrandChild(Base):
    __tablename__ = "grandchild"
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[Optional[int]] = mapped_column(ForeignKey("child.id"))
    name: Mapped[Optional[str]]


class Child(Base):
    __tablename__ = "child"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("parent.id"))
    name: Mapped[Optional[str]]


class Parent(Base):
    __tablename__ = "parent"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[Optional[str]]
    age: Mapped[Optional[int]]


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([
            Parent(id=1, name="p1", age=10),
            Parent(id=2, name="p2", age=20),
            Parent(id=3, name="p3", age=30),
            Child(id=1, parent_id=1, name="c1"),
            GrandChild(id=1, child_id=1, name="g1"),
        ])
        session.commit()
        yield session
    engine.dispose()


def states(*objects):
    return [instance_state(obj) for obj in objects]


def shape(steps):
    """(step kind, class name) per step: the order the plan runs in."""
    return [(type(step).__name__, step.mapper.class_.__name__) for step in steps]


def objects_of(step):
    return [state.obj() for state in step.states]


# -- the steps themselves --------------------------------------------------------------------


def test_steps_are_frozen_dataclasses_with_named_fields():
    parent = Parent(id=1, name="p")
    [step] = unitofwork.plan(states(parent), [], [])
    assert isinstance(step, InsertRows)
    for cls, names in ((InsertRows, ["mapper", "columns", "states"]),
                       (UpdateRows, ["mapper", "columns", "states"]),
                       (DeleteRows, ["mapper", "states"])):
        assert dataclasses.is_dataclass(cls)
        assert cls.__dataclass_params__.frozen, cls
        assert [f.name for f in dataclasses.fields(cls)] == names
    assert step.mapper is Parent.__mapper__
    assert isinstance(step.columns, tuple)
    assert isinstance(step.states, tuple)
    assert step.states == (instance_state(parent),)
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.columns = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.states = ()  # type: ignore[misc]


def test_plan_of_nothing_is_empty():
    assert unitofwork.plan([], [], []) == []


def test_plan_runs_no_sql(session, caplog):
    caplog.set_level(logging.INFO, logger="lightalchemy.engine")
    parent = session.get(Parent, 1)
    child = session.get(Child, 1)  # load first: get() autoflushes
    parent.name = "changed"
    session.delete(child)
    caplog.clear()
    steps = unitofwork.plan(states(Parent(id=9)), list(session._modified), list(session._deleted))
    assert shape(steps) == [("UpdateRows", "Parent"), ("InsertRows", "Parent"),
                            ("DeleteRows", "Child")]
    assert not [r for r in caplog.records if r.name.startswith("lightalchemy.engine")]


# -- ordering by foreign key -----------------------------------------------------------------


def test_inserts_run_parents_before_children():
    child = Child(id=1, parent_id=1, name="c")
    parent = Parent(id=1, name="p")
    steps = unitofwork.plan(states(child, parent), [], [])  # child given first
    assert shape(steps) == [("InsertRows", "Parent"), ("InsertRows", "Child")]
    assert objects_of(steps[0]) == [parent]
    assert objects_of(steps[1]) == [child]


def test_inserts_follow_a_chain_of_foreign_keys():
    grandchild = GrandChild(id=1, child_id=1)
    child = Child(id=1, parent_id=1)
    parent = Parent(id=1)
    steps = unitofwork.plan(states(grandchild, child, parent), [], [])
    assert shape(steps) == [("InsertRows", "Parent"), ("InsertRows", "Child"),
                            ("InsertRows", "GrandChild")]


def test_deletes_run_children_first(session):
    parent = session.get(Parent, 1)
    child = session.get(Child, 1)
    grandchild = session.get(GrandChild, 1)
    session.delete(parent)  # parent first: the order must come from the foreign keys
    session.delete(child)
    session.delete(grandchild)
    steps = unitofwork.plan([], [], list(session._deleted))
    assert shape(steps) == [("DeleteRows", "GrandChild"), ("DeleteRows", "Child"),
                            ("DeleteRows", "Parent")]
    assert objects_of(steps[2]) == [parent]


def test_updates_and_inserts_before_deletes(session):
    old_child = session.get(Child, 1)
    old_parent = session.get(Parent, 2)
    kept = session.get(Parent, 3)  # load all first: get() autoflushes
    session.delete(old_child)
    session.delete(old_parent)
    kept.name = "renamed"
    new_child = Child(id=2, parent_id=4)
    new_parent = Parent(id=4)
    steps = unitofwork.plan(states(new_child, new_parent), list(session._modified),
                            list(session._deleted))
    assert shape(steps) == [
        ("UpdateRows", "Parent"), ("InsertRows", "Parent"), ("InsertRows", "Child"),
        ("DeleteRows", "Child"), ("DeleteRows", "Parent"),
    ]
    assert objects_of(steps[-1]) == [old_parent]


# -- batching of inserts -------------------------------------------------------------------


def test_same_given_columns_share_one_insert_step():
    people = [Parent(name=f"p{i}", age=i) for i in range(5)]
    people.append(Parent(age=5, name="p5"))  # same set, given in another order
    [step] = unitofwork.plan(states(*people), [], [])
    assert isinstance(step, InsertRows)
    assert set(step.columns) == {"name", "age"}
    assert objects_of(step) == people


def test_differing_column_sets_split_into_consecutive_steps_in_add_order():
    a = Parent(name="a", age=1)
    b = Parent(name="b", age=2)
    c = Parent(name="c")
    d = Parent(name="d")
    e = Parent(name="e", age=5)
    f = Parent(id=50, name="f", age=6)
    steps = unitofwork.plan(states(a, b, c, d, e, f), [], [])
    assert all(isinstance(step, InsertRows) for step in steps)
    assert [objects_of(step) for step in steps] == [[a, b], [c, d], [e], [f]]
    assert [set(step.columns) for step in steps] == [
        {"name", "age"}, {"name"}, {"name", "age"}, {"id", "name", "age"},
    ]


# -- updates -----------------------------------------------------------------------------------


def test_changed_columns_lists_only_changed_attributes(session):
    parent = session.get(Parent, 1)
    assert unitofwork.changed_columns(instance_state(parent), parent.__dict__) == ()
    parent.age = 11
    assert unitofwork.changed_columns(instance_state(parent), parent.__dict__) == ("age",)
    parent.name = "p1"  # same value
    assert unitofwork.changed_columns(instance_state(parent), parent.__dict__) == ("age",)


def test_attribute_set_to_its_unchanged_value_produces_no_update(session):
    parent = session.get(Parent, 1)
    parent.name = "p1"
    parent.age = 10
    state = instance_state(parent)
    assert state in session._modified  # it was touched ...
    assert unitofwork.changed_columns(state, parent.__dict__) == ()
    assert unitofwork.plan([], list(session._modified), []) == []  # ... but nothing to write


def test_attribute_changed_and_changed_back_produces_no_update(session):
    parent = session.get(Parent, 1)
    parent.name = "other"
    parent.name = "p1"
    assert unitofwork.changed_columns(instance_state(parent), parent.__dict__) == ()
    assert unitofwork.plan([], list(session._modified), []) == []


def test_update_rows_group_by_changed_column_set(session):
    p1, p2, p3 = (session.get(Parent, i) for i in (1, 2, 3))
    p1.age = 100
    p2.age = 200
    p3.name = "x"
    p3.age = 300
    steps = unitofwork.plan([], list(session._modified), [])
    assert all(isinstance(step, UpdateRows) for step in steps)
    groups = {frozenset(step.columns): set(objects_of(step)) for step in steps}
    assert len(steps) == 2
    assert groups == {frozenset({"age"}): {p1, p2}, frozenset({"name", "age"}): {p3}}


def test_update_grouping_ignores_the_order_attributes_were_assigned(session):
    """Two objects that changed the same columns form one UpdateRows, whatever the order
    of assignment: the group is the column *set*."""
    p1, p2 = session.get(Parent, 1), session.get(Parent, 2)
    p1.name = "a"
    p1.age = 1
    p2.age = 2
    p2.name = "b"
    steps = unitofwork.plan([], list(session._modified), [])
    assert len(steps) == 1, [step.columns for step in steps]
    assert set(objects_of(steps[0])) == {p1, p2}
    assert set(steps[0].columns) == {"name", "age"}
