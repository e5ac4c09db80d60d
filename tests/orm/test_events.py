"""ORM events, lightalchemy's side: refusals that name what is supported, and the
batched flush kept for classes without listeners while others have some."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Optional

import pytest

from lightalchemy import ForeignKey, create_engine, event, inspect
from lightalchemy import exc as sa_exc
from lightalchemy.engine.base import Connection
from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from lightalchemy.orm import events as orm_events
from lightalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


class Team(Base):
    __tablename__ = "team"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Player(Base):
    __tablename__ = "player"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[Optional[int]] = mapped_column(ForeignKey("team.id"))
    name: Mapped[str]


@pytest.fixture
def traced() -> Iterator[tuple]:
    statements: list = []

    def creator() -> sqlite3.Connection:
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.set_trace_callback(statements.append)
        return conn

    engine = create_engine("sqlite://", creator=creator, poolclass=StaticPool)
    Base.metadata.create_all(engine)
    statements.clear()
    yield engine, statements
    engine.dispose()


def _no_listeners_left() -> None:
    for cls in (Team, Player):
        assert not orm_events.has_mapper_listeners(inspect(cls)), f"{cls.__name__} kept one"


def test_unknown_mapper_event_names_it_and_the_supported_ones() -> None:
    with pytest.raises(sa_exc.InvalidRequestError) as raised:
        event.listen(Team, "load", lambda *a: None)
    message = str(raised.value)
    assert "'load'" in message and "Team" in message and "before_insert" in message


def test_session_event_on_a_mapped_class_is_refused() -> None:
    with pytest.raises(sa_exc.InvalidRequestError, match="before_commit"):
        event.listen(Team, "before_commit", lambda session: None)
    with pytest.raises(sa_exc.InvalidRequestError, match="before_insert"):
        event.listen(Session, "before_insert", lambda *a: None)


def test_unsupported_attribute_and_engine_events_are_refused_by_name(traced: tuple) -> None:
    engine, _ = traced
    for identifier in ("init_scalar", "modified", "append_wo_mutation", "init_collection"):
        with pytest.raises(sa_exc.InvalidRequestError) as raised:
            event.listen(Team.name, identifier, lambda *a: None)
        message = str(raised.value)
        assert f"'{identifier}'" in message and "Team.name" in message
        assert "not supported" in message and "set, append, remove" in message
    with pytest.raises(sa_exc.InvalidRequestError, match="before_cursor_execute"):
        event.listen(engine, "before_cursor_execute", lambda *a: None)


def test_attribute_listener_takes_and_gives_back_the_fast_paths() -> None:
    """A column listener routes that column through setattr (constructor included);
    removing it gives the class its direct __dict__ constructor path back."""
    mapper = inspect(Team)
    assert "name" in mapper._init_keys and not mapper._column_hooks
    heard: list = []

    def on_set(target: Team, value: str, oldvalue: object, initiator: object) -> None:
        heard.append(value)

    event.listen(Team.name, "set", on_set)
    try:
        assert "name" not in mapper._init_keys
        Team(name="a").name = "b"
        assert heard == ["a", "b"]
    finally:
        event.remove(Team.name, "set", on_set)
    assert "name" in mapper._init_keys and not mapper._column_hooks
    Team(name="c")
    assert heard == ["a", "b"]


def test_unknown_listen_option_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="bogus"):
        event.listen(Team, "before_insert", lambda *a: None, bogus=True)
    _no_listeners_left()


def test_class_without_listeners_keeps_its_batched_insert(
        traced: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, _ = traced
    sent: list = []
    original = Connection._run

    def counting_run(self, sql, params, many, *args, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
        sent.append((sql, many))
        return original(self, sql, params, many, *args, **kw)

    monkeypatch.setattr(Connection, "_run", counting_run)
    seen: list = []

    def on_team(mapper, connection, target) -> None:  # noqa: ANN001
        seen.append(target.name)

    event.listen(Team, "after_insert", on_team)
    try:
        with Session(engine) as s:
            s.add(Team(id=1, name="t"))
            s.add_all([Player(id=i, name=f"p{i}", team_id=1) for i in range(1, 21)])
            s.commit()
    finally:
        event.remove(Team, "after_insert", on_team)
    assert seen == ["t"]
    # the 20 Players go in one executemany, as without any listener
    assert [many for sql, many in sent if "INSERT INTO player" in sql] == [True]
    _no_listeners_left()


def test_removing_the_last_listener_restores_the_plain_flush() -> None:
    def fn(mapper, connection, target) -> None:  # noqa: ANN001
        pass

    event.listen(Player, "before_update", fn)
    assert orm_events.has_mapper_listeners(inspect(Player))
    event.remove(Player, "before_update", fn)
    assert not orm_events.has_mapper_listeners(inspect(Player))
    with pytest.raises(sa_exc.InvalidRequestError, match="No listeners found"):
        event.remove(Player, "before_update", fn)
