"""Result and Row: the shapes rows come back in, and the one-row checks."""

from __future__ import annotations

import pickle

import pytest

from lightalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
    text,
)
from lightalchemy.exc import (
    InvalidRequestError,
    MultipleResultsFound,
    NoResultFound,
    ResourceClosedError,
)

ROWS = [(1, "a", 10), (2, "b", 20), (3, "a", 30), (4, "c", 40), (5, "b", 50)]


@pytest.fixture
def conn():
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, x INTEGER)"))
        connection.execute(
            text("INSERT INTO t (id, name, x) VALUES (:id, :name, :x)"),
            [{"id": i, "name": n, "x": x} for i, n, x in ROWS],
        )
        yield connection
    engine.dispose()


def q(conn, sql="SELECT id, name, x FROM t ORDER BY id"):
    return conn.execute(text(sql))


# -- Row ----------------------------------------------------------------------------

def test_row_by_attribute_index_and_mapping(conn):
    row = q(conn).first()
    assert row == (1, "a", 10)
    assert (row.id, row.name, row.x) == (1, "a", 10)
    assert (row[0], row[1], row[2], row[-1]) == (1, "a", 10, 10)
    assert row[0:2] == (1, "a")
    assert row._mapping["name"] == "a"
    assert dict(row._mapping) == {"id": 1, "name": "a", "x": 10}
    assert list(row._mapping) == ["id", "name", "x"]
    assert len(row._mapping) == 3
    assert "name" in row._mapping and "missing" not in row._mapping
    assert row._fields == ("id", "name", "x")
    assert row._asdict() == {"id": 1, "name": "a", "x": 10}
    assert row._t == (1, "a", 10) and row._tuple() == (1, "a", 10)
    id_, name, x = row
    assert (id_, name, x) == (1, "a", 10)


def test_row_unknown_name(conn):
    row = q(conn).first()
    with pytest.raises(AttributeError, match="missing"):
        row.missing  # noqa: B018
    with pytest.raises(KeyError):
        row._mapping["missing"]


def test_row_is_hashable_and_picklable(conn):
    rows = q(conn).all()
    assert len(set(rows)) == 5
    restored = pickle.loads(pickle.dumps(rows[0]))
    assert restored == rows[0] and restored.name == "a"


def test_row_mapping_by_column_object():
    engine = create_engine("sqlite://")
    t = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("name", String))
    t.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t), [{"id": 1, "name": "a"}])
        row = conn.execute(select(t)).one()
        assert row._mapping[t.c.name] == "a"
        assert row._mapping["name"] == "a"
        assert row.name == "a"
        labeled = conn.execute(select(t.c.name.label("who"))).one()
        assert labeled.who == "a" and labeled._mapping["who"] == "a"
    engine.dispose()


# -- fetching all / one / first ------------------------------------------------------

def test_all_and_iteration(conn):
    assert q(conn).all() == ROWS
    assert q(conn).fetchall() == ROWS
    assert list(q(conn)) == ROWS
    assert [row.name for row in q(conn)] == ["a", "b", "a", "c", "b"]


def test_keys(conn):
    result = q(conn)
    assert list(result.keys()) == ["id", "name", "x"]
    assert "name" in result.keys()


def test_first_takes_one_row_and_closes(conn):
    result = q(conn)
    assert result.first() == (1, "a", 10)
    assert result.closed
    assert q(conn, "SELECT id FROM t WHERE id > 99").first() is None


def test_fetchone(conn):
    result = q(conn)
    assert result.fetchone() == (1, "a", 10)
    assert result.fetchone() == (2, "b", 20)
    assert result.all() == ROWS[2:]
    assert result.fetchone() is None


def test_one(conn):
    assert q(conn, "SELECT id, name FROM t WHERE id = 2").one() == (2, "b")
    with pytest.raises(NoResultFound):
        q(conn, "SELECT id FROM t WHERE id = 99").one()
    with pytest.raises(MultipleResultsFound):
        q(conn).one()


def test_one_or_none(conn):
    assert q(conn, "SELECT id FROM t WHERE id = 3").one_or_none() == (3,)
    assert q(conn, "SELECT id FROM t WHERE id = 99").one_or_none() is None
    with pytest.raises(MultipleResultsFound):
        q(conn).one_or_none()


def test_one_errors_are_invalid_request_errors(conn):
    # SQLAlchemy's hierarchy: both derive from InvalidRequestError
    assert issubclass(NoResultFound, InvalidRequestError)
    assert issubclass(MultipleResultsFound, InvalidRequestError)


# -- scalars -----------------------------------------------------------------------------

def test_scalar(conn):
    assert q(conn, "SELECT count(*) FROM t").scalar() == 5
    assert q(conn).scalar() == 1
    assert q(conn, "SELECT id FROM t WHERE id = 99").scalar() is None


def test_scalar_one(conn):
    assert q(conn, "SELECT name FROM t WHERE id = 4").scalar_one() == "c"
    with pytest.raises(NoResultFound):
        q(conn, "SELECT id FROM t WHERE id = 99").scalar_one()
    with pytest.raises(MultipleResultsFound):
        q(conn).scalar_one()
    assert q(conn, "SELECT id FROM t WHERE id = 99").scalar_one_or_none() is None
    with pytest.raises(MultipleResultsFound):
        q(conn).scalar_one_or_none()


def test_scalars(conn):
    assert q(conn).scalars().all() == [1, 2, 3, 4, 5]
    assert q(conn).scalars(1).all() == ["a", "b", "a", "c", "b"]
    assert q(conn).scalars("x").all() == [10, 20, 30, 40, 50]
    assert list(q(conn).scalars()) == [1, 2, 3, 4, 5]
    assert q(conn).scalars().first() == 1
    assert q(conn, "SELECT id FROM t WHERE id = 5").scalars().one() == 5
    with pytest.raises(MultipleResultsFound):
        q(conn).scalars().one()
    with pytest.raises(NoResultFound):
        q(conn, "SELECT id FROM t WHERE id = 99").scalars().one()
    assert q(conn, "SELECT id FROM t WHERE id = 99").scalars().one_or_none() is None
    scalars = q(conn).scalars()
    assert scalars.fetchmany(2) == [1, 2]
    assert scalars.fetchmany(2) == [3, 4]
    assert scalars.fetchall() == [5]


def test_scalars_unique(conn):
    assert q(conn).scalars(1).unique().all() == ["a", "b", "c"]


# -- mappings ------------------------------------------------------------------------------

def test_mappings(conn):
    mappings = q(conn, "SELECT id, name FROM t ORDER BY id").mappings().all()
    assert mappings[0] == {"id": 1, "name": "a"}
    assert [m["name"] for m in mappings] == ["a", "b", "a", "c", "b"]
    first = q(conn).mappings().first()
    assert first["x"] == 10 and dict(first) == {"id": 1, "name": "a", "x": 10}
    one = q(conn, "SELECT id FROM t WHERE id = 2").mappings().one()
    assert one == {"id": 2}
    with pytest.raises(MultipleResultsFound):
        q(conn).mappings().one()
    assert [len(p) for p in q(conn).mappings().partitions(2)] == [2, 2, 1]
    assert list(q(conn).mappings().keys()) == ["id", "name", "x"]


# -- chunks ---------------------------------------------------------------------------------

def test_fetchmany(conn):
    result = q(conn)
    assert result.fetchmany(2) == ROWS[:2]
    assert result.fetchmany(2) == ROWS[2:4]
    assert result.fetchmany(2) == ROWS[4:]
    assert result.fetchmany(2) == []


def test_partitions(conn):
    parts = list(q(conn).partitions(2))
    assert parts == [ROWS[:2], ROWS[2:4], ROWS[4:]]
    assert list(q(conn).partitions(10)) == [ROWS]
    assert list(q(conn, "SELECT id FROM t WHERE id = 99").partitions(2)) == []
    assert [len(p) for p in q(conn).yield_per(3).partitions()] == [3, 2]


# -- unique ---------------------------------------------------------------------------------

def test_unique_rows(conn):
    result = q(conn, "SELECT name FROM t ORDER BY id").unique()
    assert result.all() == [("a",), ("b",), ("c",)]


def test_unique_with_strategy(conn):
    result = q(conn, "SELECT name, x FROM t ORDER BY id").unique(lambda row: row.name)
    assert result.all() == [("a", 10), ("b", 20), ("c", 40)]


def test_unique_across_fetchmany(conn):
    result = q(conn, "SELECT name FROM t ORDER BY id").unique()
    assert result.fetchmany(2) == [("a",), ("b",)]
    assert result.fetchmany(2) == [("c",)]


def test_columns(conn):
    assert q(conn).columns("name", "id").all()[0] == ("a", 1)
    assert q(conn).columns(2).all()[-1] == (50,)


# -- results that are not rows ----------------------------------------------------------------

def test_dml_result_has_rowcount_but_no_rows(conn):
    result = conn.execute(text("UPDATE t SET x = x + 1 WHERE name = 'a'"))
    assert result.rowcount == 2
    assert not result.returns_rows
    with pytest.raises(ResourceClosedError):
        result.all()


def test_context_manager_closes(conn):
    with q(conn) as result:
        assert result.fetchone() == (1, "a", 10)
    assert result.closed
