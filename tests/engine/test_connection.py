"""Engine and Connection: transactions, text() parameters, pooling, echo, errors."""

from __future__ import annotations

import logging
import sqlite3
import threading

import pytest

from lightalchemy import create_engine, text
from lightalchemy import exc as sa_exc


@pytest.fixture
def engine():
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"))
    yield engine
    engine.dispose()


@pytest.fixture
def engine_logger():
    """Leave the 'lightalchemy.engine' logger as it was found (echo changes it)."""
    logger = logging.getLogger("lightalchemy.engine")
    level, handlers = logger.level, list(logger.handlers)
    yield logger
    logger.setLevel(level)
    logger.handlers[:] = handlers


def ids(conn) -> list[int]:
    return conn.execute(text("SELECT id FROM t ORDER BY id")).scalars().all()


def add(conn, id_: int, name: str | None = None) -> None:
    conn.execute(text("INSERT INTO t (id, name) VALUES (:id, :name)"),
                 {"id": id_, "name": name or f"n{id_}"})


# -- connect / begin ------------------------------------------------------------------------

def test_connect_and_commit(engine):
    with engine.connect() as conn:
        add(conn, 1)
        assert conn.in_transaction()  # "commit as you go": began on first use
        conn.commit()
        assert not conn.in_transaction()
    with engine.connect() as conn:
        assert ids(conn) == [1]


def test_rollback(engine):
    with engine.connect() as conn:
        add(conn, 1)
        conn.rollback()
        assert ids(conn) == []


def test_close_without_commit_rolls_back(engine):
    conn = engine.connect()
    add(conn, 1)
    conn.close()
    assert conn.closed
    with engine.connect() as conn:
        assert ids(conn) == []


def test_closed_connection_refuses_work(engine):
    conn = engine.connect()
    conn.close()
    with pytest.raises(sa_exc.ResourceClosedError):
        conn.execute(text("SELECT 1"))


def test_engine_begin_commits_on_success_and_rolls_back_on_error(engine):
    with engine.begin() as conn:
        add(conn, 1)
    with pytest.raises(KeyError):
        with engine.begin() as conn:
            add(conn, 2)
            raise KeyError("boom")
    with engine.connect() as conn:
        assert ids(conn) == [1]


def test_connection_begin_block(engine):
    with engine.connect() as conn:
        with conn.begin():
            add(conn, 1)
        assert not conn.in_transaction()
        with pytest.raises(ZeroDivisionError):
            with conn.begin():
                add(conn, 2)
                1 / 0  # noqa: B018
        assert ids(conn) == [1]


def test_begin_twice_is_an_error(engine):
    with engine.connect() as conn:
        trans = conn.begin()
        with pytest.raises(sa_exc.InvalidRequestError):
            conn.begin()
        trans.rollback()


def test_begin_nested_rollback_undoes_only_its_part(engine):
    with engine.connect() as conn:
        add(conn, 1)
        savepoint = conn.begin_nested()
        assert conn.in_nested_transaction()
        add(conn, 2)
        savepoint.rollback()
        assert not conn.in_nested_transaction()
        assert conn.in_transaction()
        add(conn, 3)
        with pytest.raises(ValueError):
            with conn.begin_nested():
                add(conn, 4)
                raise ValueError
        with conn.begin_nested():
            add(conn, 5)
        assert ids(conn) == [1, 3, 5]
        conn.commit()
    with engine.connect() as conn:
        assert ids(conn) == [1, 3, 5]


def test_nested_savepoints(engine):
    with engine.connect() as conn:
        outer = conn.begin_nested()
        add(conn, 1)
        inner = conn.begin_nested()
        add(conn, 2)
        inner.commit()
        add(conn, 3)
        outer.rollback()
        add(conn, 4)
        conn.commit()
        assert ids(conn) == [4]


def test_outer_rollback_discards_released_savepoint(engine):
    with engine.connect() as conn:
        with conn.begin_nested():
            add(conn, 1)
        conn.rollback()
        assert ids(conn) == []


# -- text() and parameters ---------------------------------------------------------------------

def test_text_named_parameters(engine):
    with engine.connect() as conn:
        assert conn.execute(text("SELECT :a + :b"), {"a": 1, "b": 2}).scalar() == 3
        assert conn.scalar(text("SELECT :a || :a"), {"a": "x"}) == "xx"
        assert conn.execute(text("SELECT '10:30', :x"), {"x": 1}).one() == ("10:30", 1)
        assert conn.execute(text(r"SELECT '\:x'")).scalar() == ":x"


def test_text_executemany(engine):
    with engine.connect() as conn:
        result = conn.execute(
            text("INSERT INTO t (id, name) VALUES (:id, :name)"),
            [{"id": i, "name": f"n{i}"} for i in range(1, 6)],
        )
        assert result.rowcount == 5
        assert ids(conn) == [1, 2, 3, 4, 5]


def test_text_values_are_bound_not_spliced(engine):
    evil = "x'); DROP TABLE t; --"
    with engine.begin() as conn:
        add(conn, 1, evil)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT name FROM t WHERE id = :id"), {"id": 1}) == evil


def test_missing_parameter(engine):
    with engine.connect() as conn:
        with pytest.raises(sa_exc.StatementError, match="'x'"):
            conn.execute(text("SELECT :x"))


def test_exec_driver_sql(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT ? + ?", (1, 2)).scalar() == 3


def test_execute_refuses_plain_strings(engine):
    with engine.connect() as conn:
        with pytest.raises(sa_exc.ObjectNotExecutableError):
            conn.execute("SELECT 1")


# -- pooling and threads -----------------------------------------------------------------------

def test_memory_database_is_shared_between_connections(engine):
    with engine.connect() as conn:
        add(conn, 1)
        conn.commit()
    with engine.connect() as conn:
        assert ids(conn) == [1]
    seen = []
    thread = threading.Thread(target=lambda: seen.append(ids(engine.connect())))
    thread.start()
    thread.join()
    assert seen == [[1]]


def test_file_database_from_four_threads(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'threads.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, worker INTEGER, n INTEGER)"))
    barrier = threading.Barrier(4, timeout=30)
    driver_connections: dict[int, int] = {}
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            with engine.connect() as conn:
                driver_connections[worker] = id(conn.connection)
                barrier.wait()  # all four connections are checked out at once
                for n in range(25):
                    conn.execute(text("INSERT INTO t (worker, n) VALUES (:w, :n)"),
                                 {"w": worker, "n": n})
                    conn.commit()
                barrier.wait()
                total = conn.execute(text("SELECT count(*) FROM t")).scalar()
                assert total == 100
        except BaseException as error:  # reported below, in the main thread
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(set(driver_connections.values())) == 4  # each thread its own connection
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT worker, count(*) FROM t GROUP BY worker")).all()
        assert sorted(rows) == [(0, 25), (1, 25), (2, 25), (3, 25)]
    engine.dispose()


# -- echo ------------------------------------------------------------------------------------------

def test_echo_logs_sql_and_parameters(engine_logger, caplog):
    engine = create_engine("sqlite://", echo=True)
    with engine.connect() as conn:
        conn.execute(text("SELECT :value AS answer"), {"value": 42})
    messages = [r.getMessage() for r in caplog.records
                if r.name.startswith("lightalchemy.engine")]
    assert any("SELECT ? AS answer" in m for m in messages)
    assert any("42" in m for m in messages)
    assert all(r.levelno == logging.INFO for r in caplog.records
               if r.name.startswith("lightalchemy.engine"))
    engine.dispose()


def test_no_echo_logs_nothing(engine_logger, caplog):
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert not [r for r in caplog.records if r.name.startswith("lightalchemy.engine")]
    engine.dispose()


def test_echo_is_per_engine(engine_logger, caplog):
    """echo=True on one engine must not make other engines echo (as in SQLAlchemy)."""
    loud = create_engine("sqlite://", echo=True)
    quiet = create_engine("sqlite://")
    with quiet.connect() as conn:
        conn.execute(text("SELECT 'from the quiet engine'"))
    messages = [r.getMessage() for r in caplog.records
                if r.name.startswith("lightalchemy.engine")]
    assert not [m for m in messages if "quiet" in m]
    loud.dispose()
    quiet.dispose()


def test_echo_can_be_switched_off(engine_logger, caplog):
    engine = create_engine("sqlite://", echo=True)
    engine.echo = False
    with engine.connect() as conn:
        conn.execute(text("SELECT 'after echo off'"))
    messages = [r.getMessage() for r in caplog.records
                if r.name.startswith("lightalchemy.engine")]
    assert not [m for m in messages if "after echo off" in m]
    engine.dispose()


# -- errors ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "sql, params, error_class, orig_class",
    [
        ("INSERT INTO t (id, name) VALUES (2, :name)", {"name": "taken"},
         sa_exc.IntegrityError, sqlite3.IntegrityError),
        ("INSERT INTO t (id, name) VALUES (2, :name)", {"name": None},
         sa_exc.IntegrityError, sqlite3.IntegrityError),
        ("SELEC 1", None, sa_exc.OperationalError, sqlite3.OperationalError),
        ("SELECT * FROM missing WHERE id = :id", {"id": 5},
         sa_exc.OperationalError, sqlite3.OperationalError),
    ],
)
def test_driver_errors_are_wrapped(engine, sql, params, error_class, orig_class):
    with engine.begin() as conn:
        add(conn, 1, "taken")
    with engine.connect() as conn:
        with pytest.raises(error_class) as info:
            conn.execute(text(sql), params)
        error = info.value
        assert isinstance(error, sa_exc.DBAPIError)
        assert isinstance(error, sa_exc.StatementError)
        assert isinstance(error, sa_exc.SQLAlchemyError)
        assert isinstance(error.orig, orig_class)
        assert error.__cause__ is error.orig
        assert error.statement == sql.replace(":name", "?").replace(":id", "?")
        assert list(error.params) == list((params or {}).values())
        assert str(error.orig) in str(error)
        assert error.statement in str(error)
        conn.rollback()
        assert ids(conn) == [1]  # the connection is usable after a rollback


def test_integrity_error_is_a_database_error(engine):
    assert issubclass(sa_exc.IntegrityError, sa_exc.DatabaseError)
    assert issubclass(sa_exc.OperationalError, sa_exc.DatabaseError)
    assert issubclass(sa_exc.DatabaseError, sa_exc.DBAPIError)


def test_wrong_number_of_driver_parameters(engine):
    with engine.connect() as conn:
        with pytest.raises(sa_exc.ProgrammingError) as info:
            conn.exec_driver_sql("SELECT ?", (1, 2))
        assert isinstance(info.value.orig, sqlite3.ProgrammingError)


def test_unopenable_file_is_an_operational_error(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")
    with pytest.raises(sa_exc.OperationalError):
        engine.connect()
