"""How transactions reach PostgreSQL, and that saving round trips changes no outcome.

psycopg runs in autocommit mode and the Connection sends BEGIN itself.  BEGIN is
owed until the first statement: a statement without parameters carries it in the
same message (``BEGIN; SELECT …`` by the simple query protocol), one with
parameters is preceded by it, and a transaction that ran nothing sends neither
BEGIN nor its end.  A Connection closed with its transaction open sends ROLLBACK
without waiting for the answer; the pool reads it at the next checkout.
"""

from __future__ import annotations

import logging
import time

import pytest

import lightalchemy as la
from lightalchemy import exc
from lightalchemy.orm import Session
from lightalchemy.pool import StaticPool


class _Log(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith("[parameters]"):
            self.lines.append(message.split()[0])


@pytest.fixture
def logged():
    logger = logging.getLogger("lightalchemy.engine.Engine")
    handler, level = _Log(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture
def engine(pg_url):
    made = la.create_engine(pg_url, pool_size=1, max_overflow=0)
    with made.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x integer PRIMARY KEY)")
    yield made
    made.dispose()


def _values(engine) -> list:
    with engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT x FROM t ORDER BY x")]


def _status(conn) -> str:
    return conn.connection.info.transaction_status.name


def test_a_first_statement_without_parameters_carries_begin(engine, logged):
    with engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")  # no parameters: one message
        assert _status(conn) == "INTRANS"
        conn.exec_driver_sql("INSERT INTO t VALUES (%s)", (2,))
        conn.rollback()
        assert _status(conn) == "IDLE"
        conn.exec_driver_sql("INSERT INTO t VALUES (3)")
        conn.commit()
    assert _values(engine) == [3]
    assert logged[:4] == ["BEGIN", "INSERT", "INSERT", "ROLLBACK"]


def test_a_first_statement_with_parameters_is_preceded_by_begin(engine):
    with engine.connect() as conn:
        conn.execute(la.text("INSERT INTO t VALUES (:x)"), {"x": 1})
        assert _status(conn) == "INTRANS"
        conn.rollback()
    assert _values(engine) == []


def test_a_transaction_that_ran_nothing_sends_nothing(engine, logged):
    with engine.connect() as conn:
        conn.begin()
        conn.commit()
        with conn.begin():
            pass
        assert _status(conn) == "IDLE"
    assert logged == []


def test_savepoint_first_carries_begin(engine):
    with engine.connect() as conn:
        savepoint = conn.begin_nested()
        assert _status(conn) == "INTRANS"
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        savepoint.rollback()
        conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        conn.commit()
    assert _values(engine) == [2]


def test_a_failing_first_statement_leaves_a_transaction_to_roll_back(engine):
    with engine.connect() as conn:
        with pytest.raises(exc.DataError):
            conn.exec_driver_sql("SELECT 1 / 0")  # the server ran BEGIN, then failed this
        assert _status(conn) == "INERROR"
        conn.rollback()
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        conn.commit()
    assert _values(engine) == [1]


def test_a_first_statement_that_does_not_parse_leaves_begin_owed(engine):
    with engine.connect() as conn:
        with pytest.raises(exc.ProgrammingError):
            # the server parses the whole message first, so BEGIN did not run either
            conn.exec_driver_sql("SELEC 1")
        assert _status(conn) == "IDLE"
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert _status(conn) == "INTRANS"
        conn.rollback()
        conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        conn.commit()
    assert _values(engine) == [2]


def test_a_statement_refused_before_sending_leaves_begin_owed(engine):
    with engine.connect() as conn:
        with pytest.raises(exc.ProgrammingError):
            conn.exec_driver_sql("SELECT '%d'", ())  # psycopg refuses the placeholder
        assert _status(conn) == "IDLE"
        # BEGIN is still owed, so this runs in a transaction the rollback undoes
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert _status(conn) == "INTRANS"
        conn.rollback()
    assert _values(engine) == []


def test_a_session_that_only_read_leaves_no_transaction_open(engine, pg_admin):
    with Session(engine) as session:
        session.execute(la.text("SELECT x FROM t")).all()
        pid = session.execute(la.text("SELECT pg_backend_pid()")).scalar()
    # the ROLLBACK went out at close: the server ends the transaction without the
    # client reading the answer, so a DROP from elsewhere does not wait on its lock
    for _ in range(500):
        state = pg_admin.execute("SELECT state FROM pg_stat_activity WHERE pid = %s",
                                 (pid,)).fetchone()[0]
        if state == "idle":
            break
        time.sleep(0.01)
    assert state == "idle"
    pg_admin.execute("SET lock_timeout = '20s'")
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE t")


def test_the_deferred_rollback_is_read_before_the_next_use(engine):
    with engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (%s)", (1,))
        raw = conn.connection.dbapi_connection
    (record,) = engine.pool._idle
    assert record.reset_pending  # sent, answer not read yet
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection is raw and _status(conn) == "IDLE"
        assert not record.reset_pending
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0


def test_a_connection_whose_rollback_cannot_be_read_is_replaced(engine):
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
        raw = conn.connection.dbapi_connection
        pid = raw.info.backend_pid
    raw.close()  # gone while it sat in the pool with the ROLLBACK's answer unread
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection is not raw
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
    assert engine.pool.checkedout() == 0 and engine.pool.checkedin() == 1


def test_a_shared_connection_rolls_back_at_once(pg_url):
    # StaticPool hands one connection to every Connection, so nothing may be left
    # unread on it when one of them closes
    engine = la.create_engine(pg_url, poolclass=StaticPool)
    first = engine.connect()
    first.exec_driver_sql("SELECT 1")
    second = engine.connect()
    first.close()
    assert second.exec_driver_sql("SELECT 2").scalar() == 2
    second.close()
    engine.dispose()


def test_isolation_level_set_after_begin_is_owed_applies_to_the_transaction(pg_url):
    engine = la.create_engine(pg_url)
    with engine.connect() as conn:
        conn.begin()
        conn.execution_options(isolation_level="SERIALIZABLE")
        assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "serializable"
        conn.rollback()
    with engine.connect() as conn:  # and the pool's connection gets its default back
        assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == \
            "read committed"
    engine.dispose()


# -- the ORM's key lookups before BEGIN (READ COMMITTED) --------------------------------


@pytest.fixture
def people(pg_url):
    from lightalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Person(Base):
        __tablename__ = "person_keyreads"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]

    made = la.create_engine(pg_url, pool_size=1, max_overflow=0)
    Base.metadata.create_all(made)
    with Session(made) as s:
        s.add_all([Person(name="ann"), Person(name="bob")])
        s.commit()
    yield made, Person
    Base.metadata.drop_all(made)
    made.dispose()


def test_key_lookups_run_before_begin_under_read_committed(people, logged):
    engine, Person = people
    logged.clear()
    with Session(engine) as s:
        ann = s.get(Person, 1)
        assert _status(s.connection()) == "IDLE"  # no transaction held for a read
        ann.name = "anna"
        s.commit()  # BEGIN goes with the UPDATE
        assert ann.name == "anna"  # the reload after commit: again no BEGIN
        assert _status(s.connection()) == "IDLE"
    assert logged == ["SELECT", "BEGIN", "UPDATE", "COMMIT", "SELECT"]
    with Session(engine) as s:
        assert s.get(Person, 1).name == "anna"


@pytest.mark.parametrize("level", ["REPEATABLE READ", "SERIALIZABLE"])
def test_key_lookups_begin_first_under_stronger_isolation(pg_url, people, logged, level):
    engine, Person = people
    strict = engine.execution_options(isolation_level=level)
    logged.clear()
    with Session(strict) as s:
        s.get(Person, 2)
        assert _status(s.connection()) == "INTRANS"  # the snapshot starts at the read
    assert logged[:2] == ["BEGIN", "SELECT"]
    other = la.create_engine(pg_url, isolation_level=level, pool_size=1, max_overflow=0)
    logged.clear()
    with Session(other) as s:
        s.get(Person, 2)
        assert _status(s.connection()) == "INTRANS"
    other.dispose()
    assert logged[:2] == ["BEGIN", "SELECT"]
