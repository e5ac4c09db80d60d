"""Rows → objects: the generated loader, identity-map merging, populate_existing."""

from __future__ import annotations

import functools
import logging
import traceback
from typing import Optional

import pytest

from lightalchemy import create_engine, inspect, select, text
from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from lightalchemy.orm.loading import loader_for


class Base(DeclarativeBase):
    pass


class Gadget(Base):
    __tablename__ = "gadget"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str]
    weight: Mapped[Optional[int]]

    @functools.cached_property
    def slug(self):
        return f"gadget-{self.id}"


init_calls = []


class Widget(Base):
    __tablename__ = "widget"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str]

    def __init__(self, **kw):
        init_calls.append(kw)
        super().__init__(**kw)


@pytest.fixture
def engine():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([Gadget(id=i, label=f"g{i}", weight=i * 10) for i in (1, 2, 3)])
        session.add_all([Widget(id=1, label="w1")])
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


@pytest.fixture
def selects(caplog):
    caplog.set_level(logging.INFO, logger="lightalchemy.engine")

    def collected():
        return [r.getMessage() for r in caplog.records
                if r.name.startswith("lightalchemy.engine")
                and r.getMessage().lstrip().upper().startswith("SELECT")]

    collected.clear = caplog.clear
    return collected


# -- the generated loader -------------------------------------------------------------------


def test_loader_source_names_the_class_and_columns(engine):
    load = loader_for(inspect(Gadget), engine.dialect)
    source = load.__source__
    assert "Gadget" in source
    for column in ("id", "label", "weight"):
        assert f"'{column}'" in source
    assert "def load_Gadget(" in source
    compile(source, "<check>", "exec")  # it is the real, complete source


def test_loader_traceback_shows_generated_file_and_line(engine, session):
    load = loader_for(inspect(Gadget), engine.dialect)
    with pytest.raises(IndexError) as info:
        load([(7, "short row")], session, False)  # no value for 'weight'
    frames = traceback.extract_tb(info.value.__traceback__)
    generated = [f for f in frames if f.filename.startswith("<lightalchemy generated")]
    assert generated, [f.filename for f in frames]
    assert "Gadget" in generated[-1].filename
    assert "weight" in generated[-1].line  # linecache knows the source line
    formatted = "".join(traceback.format_exception(info.value))
    assert "<lightalchemy generated" in formatted


def test_loader_is_built_once_per_mapper(engine, session):
    mapper = inspect(Gadget)
    first = loader_for(mapper, engine.dialect)
    session.scalars(select(Gadget)).all()
    assert loader_for(mapper, engine.dialect) is first
    assert loader_for(inspect(Widget), engine.dialect) is not first


def test_loader_builds_persistent_objects_without_calling_init(session):
    init_calls.clear()
    widget = session.scalars(select(Widget)).one()
    assert init_calls == []
    assert widget.label == "w1"
    state = inspect(widget)
    assert state.persistent
    assert state.identity_key == (Widget, (1,), None)
    assert session.identity_map.get(state.identity_key) is widget
    assert not session.is_modified(widget)


def test_loader_called_directly_registers_objects(engine, session):
    load = loader_for(inspect(Gadget), engine.dialect)
    objs = load([(40, "direct", None), (41, "direct2", 5)], session, False)
    assert [(o.id, o.label, o.weight) for o in objs] == [(40, "direct", None), (41, "direct2", 5)]
    assert session.identity_map.get((Gadget, (41,), None)) is objs[1]
    assert load([(41, "ignored", 0)], session, False)[0] is objs[1]
    assert objs[1].label == "direct2"


# -- rows meeting objects already in the identity map ---------------------------------------


def test_rows_do_not_overwrite_pending_changes(session):
    gadget = session.get(Gadget, 1)
    gadget.label = "pending"
    with session.no_autoflush:
        again = session.scalars(select(Gadget).where(Gadget.id == 1)).one()
    assert again is gadget
    assert gadget.label == "pending"
    assert gadget.weight == 10
    assert session.is_modified(gadget)
    session.commit()
    assert session.scalar(select(Gadget.label).where(Gadget.id == 1)) == "pending"


def test_rows_do_not_overwrite_loaded_values(session):
    gadget = session.get(Gadget, 1)
    session.execute(text("UPDATE gadget SET label = 'elsewhere' WHERE id = 1"))
    session.scalars(select(Gadget)).all()
    assert gadget.label == "g1"  # as SQLAlchemy: loaded attributes are kept


def test_populate_existing_overwrites(session):
    gadget = session.get(Gadget, 2)
    gadget.label = "pending"
    session.execute(text("UPDATE gadget SET weight = 999 WHERE id = 2"))
    with session.no_autoflush:
        again = session.execute(
            select(Gadget).where(Gadget.id == 2).execution_options(populate_existing=True)
        ).scalar_one()
    assert again is gadget
    assert gadget.label == "g2"
    assert gadget.weight == 999


def test_populate_existing_discards_pending_changes(session):
    gadget = session.get(Gadget, 2)
    gadget.label = "pending"
    with session.no_autoflush:
        session.execute(select(Gadget).execution_options(populate_existing=True)).all()
    assert gadget.label == "g2"
    assert not session.is_modified(gadget)
    assert gadget not in session.dirty


def test_change_after_populate_existing_is_written(session):
    """The values populate_existing loads are the new committed values: setting the
    attribute back to its old value afterwards is a change and must be written."""
    gadget = session.get(Gadget, 3)
    gadget.label = "pending"
    session.execute(text("UPDATE gadget SET label = 'external' WHERE id = 3"))
    with session.no_autoflush:
        session.execute(select(Gadget).execution_options(populate_existing=True)).all()
    assert gadget.label == "external"
    gadget.label = "g3"
    session.commit()
    assert session.scalar(select(Gadget.label).where(Gadget.id == 3)) == "g3"


# -- expired attributes -------------------------------------------------------------------------


def test_expired_attribute_is_filled_from_the_row(session, selects):
    gadget = session.get(Gadget, 1)
    session.execute(text("UPDATE gadget SET label = 'new label' WHERE id = 1"))
    session.expire(gadget, ["label"])
    assert "label" not in gadget.__dict__
    selects.clear()
    session.scalars(select(Gadget)).all()
    assert gadget.__dict__["label"] == "new label"
    assert gadget.label == "new label"
    assert len(selects()) == 1  # no second SELECT for the expired attribute


def test_fully_expired_object_is_filled_from_the_row(session, selects):
    gadget = session.get(Gadget, 2)
    session.commit()  # expire_on_commit
    assert inspect(gadget).expired
    selects.clear()
    session.scalars(select(Gadget).order_by(Gadget.id)).all()
    assert (gadget.id, gadget.label, gadget.weight) == (2, "g2", 20)
    assert not inspect(gadget).expired
    assert len(selects()) == 1


def test_expired_attribute_is_filled_but_pending_change_kept(session):
    gadget = session.get(Gadget, 1)
    session.expire(gadget, ["label"])
    gadget.weight = 77
    with session.no_autoflush:
        session.scalars(select(Gadget)).all()
    assert gadget.__dict__.get("label") == "g1"
    assert gadget.weight == 77


def test_expired_attribute_is_filled_when_the_object_has_other_attributes(session, selects):
    """Values kept in ``__dict__`` besides the mapped columns (a cached_property here)
    must not stop the row from filling an expired attribute."""
    gadgets = session.scalars(select(Gadget).order_by(Gadget.id)).all()
    assert [g.slug for g in gadgets] == ["gadget-1", "gadget-2", "gadget-3"]
    for gadget in gadgets:
        session.expire(gadget, ["label"])
    selects.clear()
    session.scalars(select(Gadget)).all()
    assert ["label" in g.__dict__ for g in gadgets] == [True, True, True]
    assert [g.label for g in gadgets] == ["g1", "g2", "g3"]
    assert len(selects()) == 1


def test_from_statement_refuses_loader_options_it_would_ignore():
    """SQLAlchemy applies loader options to a from_statement() load; lightalchemy does
    not yet, so it refuses them by name instead of dropping them silently."""
    from lightalchemy.orm import load_only

    stmt = select(Gadget).options(load_only(Gadget.label))
    with pytest.raises(NotImplementedError, match=r"from_statement\(\) after \.options"):
        stmt.from_statement(text("SELECT * FROM gadget"))
    with pytest.raises(AttributeError, match=r"FromStatement\.options\(\) is not supported"):
        select(Gadget).from_statement(text("SELECT 1")).options(
            load_only(Gadget.label))
