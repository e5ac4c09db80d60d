"""SQL text and parameters of query constructs on the SQLite dialect, issue 5.

Each test builds one statement twice, with lightalchemy and with SQLAlchemy, from the
same ``make(L)`` function (``L`` holds the library module, the tables and the dialect).
Three things are checked:

1. the expected SQL text, run on sqlite3 with the expected parameters, returns the
   same rows as SQLAlchemy's own SQL for the statement (so the expectation is valid
   SQL meaning what SQLAlchemy means);
2. lightalchemy compiles the statement to exactly that text;
3. and to exactly those parameters, as values in placeholder order.

lightalchemy need not match SQLAlchemy byte for byte: it leaves out SQLAlchemy's
``AS anon_1`` / ``AS count_1`` labels, redundant parentheses, and the ``OFFSET ?``
SQLAlchemy adds after a bare LIMIT.
"""

from __future__ import annotations

import sqlite3
import types

import pytest
import sqlalchemy

import lightalchemy


def _library(module):
    """The module, the ``users`` / ``orders`` tables and the SQLite dialect of a library."""
    m = module
    md = m.MetaData()
    users = m.Table(
        "users",
        md,
        m.Column("id", m.Integer, primary_key=True),
        m.Column("name", m.String(50)),
        m.Column("age", m.Integer),
        m.Column("city", m.String),
    )
    orders = m.Table(
        "orders",
        md,
        m.Column("id", m.Integer, primary_key=True),
        m.Column("user_id", m.Integer, m.ForeignKey("users.id")),
        m.Column("amount", m.Numeric(10, 2)),
        m.Column("status", m.String(20)),
    )
    return types.SimpleNamespace(
        m=m,
        users=users,
        orders=orders,
        u=users.c,
        o=orders.c,
        dialect=m.create_engine("sqlite://").dialect,
    )


LA = _library(lightalchemy)
SA = _library(sqlalchemy)

SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50), age INTEGER, city VARCHAR);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id),
                     amount NUMERIC(10, 2), status VARCHAR(20));
INSERT INTO users VALUES
    (1, 'Егор', 28, 'Москва'), (2, 'Сергей', 28, NULL), (3, 'Владимир', 32, 'Казань'),
    (4, 'alice', 30, 'Paris'), (5, 'bob', NULL, 'Paris'), (6, 'carol', 25, NULL);
INSERT INTO orders VALUES
    (1, 1, 10.5, 'paid'), (2, 1, 5.25, 'new'), (3, 3, 100, 'paid'),
    (4, 4, 7.1, 'cancelled'), (5, 4, NULL, 'new'), (6, 4, 3, 'paid');
"""


@pytest.fixture(scope="module")
def db():
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    yield conn
    conn.close()


def _sqlalchemy_sql(stmt) -> tuple[str, list]:
    compiled = stmt.compile(dialect=SA.dialect, compile_kwargs={"render_postcompile": True})
    return str(compiled), [compiled.params[name] for name in compiled.positiontup]


def check(db, make, sql: str, params: list | None = None) -> list:
    """Assert the expectation runs like SQLAlchemy's SQL, then lightalchemy's text and params."""
    params = params or []
    ref_sql, ref_params = _sqlalchemy_sql(make(SA))
    expected_rows = db.execute(ref_sql, ref_params).fetchall()
    assert db.execute(sql, params).fetchall() == expected_rows, "the expected SQL is wrong"
    compiled = make(LA).compile(dialect=LA.dialect)
    assert str(compiled) == sql
    assert list(compiled.params.values()) == params
    return expected_rows


# -- case() --------------------------------------------------------------------------------------


def test_case_searched(db):
    rows = check(
        db,
        lambda L: L.m.select(
            L.u.id, L.m.case((L.u.age < 28, "young"), (L.u.age >= 30, "old"), else_="mid")
        ).order_by(L.u.id),
        "SELECT users.id, CASE WHEN users.age < ? THEN ? WHEN users.age >= ? THEN ? ELSE ? END "
        "\nFROM users ORDER BY users.id",
        [28, "young", 30, "old", "mid"],
    )
    assert [r[1] for r in rows] == ["mid", "mid", "old", "old", "mid", "young"]


def test_case_without_else(db):
    check(
        db,
        lambda L: L.m.select(L.m.case((L.u.city == None, "?"))).order_by(L.u.id),  # noqa: E711
        "SELECT CASE WHEN users.city IS NULL THEN ? END \nFROM users ORDER BY users.id",
        ["?"],
    )


def test_case_with_value(db):
    check(
        db,
        lambda L: L.m.select(
            L.m.case({"Paris": "FR", "Москва": "RU"}, value=L.u.city, else_="??")
        ).order_by(L.u.id),
        "SELECT CASE users.city WHEN ? THEN ? WHEN ? THEN ? ELSE ? END "
        "\nFROM users ORDER BY users.id",
        ["Paris", "FR", "Москва", "RU", "??"],
    )


def test_case_in_where(db):
    check(
        db,
        lambda L: L.m.select(L.u.id)
        .where(L.m.case((L.u.age > 29, L.u.age), else_=0) > 0)
        .order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE CASE WHEN users.age > ? THEN users.age ELSE ? END > ? "
        "ORDER BY users.id",
        [29, 0, 0],
    )


def test_case_label_in_group_by(db):
    def make(L):
        band = L.m.case((L.u.age < 30, "under30"), else_="30+").label("band")
        return L.m.select(band, L.m.func.count()).group_by(band).order_by(band)

    rows = check(
        db,
        make,
        "SELECT CASE WHEN users.age < ? THEN ? ELSE ? END AS band, count(*) \nFROM users "
        "GROUP BY CASE WHEN users.age < ? THEN ? ELSE ? END ORDER BY band",
        [30, "under30", "30+", 30, "under30", "30+"],
    )
    assert rows == [("30+", 3), ("under30", 3)]


# -- cast() ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, sql, params",
    [
        (
            lambda L: L.m.select(L.m.cast(L.u.age, L.m.String)).order_by(L.u.id),
            "SELECT CAST(users.age AS VARCHAR) \nFROM users ORDER BY users.id",
            [],
        ),
        (
            lambda L: L.m.select(L.m.cast(L.o.amount, L.m.Integer)).order_by(L.o.id),
            "SELECT CAST(orders.amount AS INTEGER) \nFROM orders ORDER BY orders.id",
            [],
        ),
        (
            lambda L: L.m.select(L.m.cast(L.u.age, L.m.Numeric(10, 2))).order_by(L.u.id),
            "SELECT CAST(users.age AS NUMERIC(10, 2)) \nFROM users ORDER BY users.id",
            [],
        ),
        (
            lambda L: L.m.select(L.m.cast(L.o.amount, L.m.Float)).order_by(L.o.id),
            "SELECT CAST(orders.amount AS FLOAT) \nFROM orders ORDER BY orders.id",
            [],
        ),
        (
            lambda L: L.m.select(L.m.cast("42", L.m.Integer) + L.u.id).order_by(L.u.id),
            "SELECT CAST(? AS INTEGER) + users.id \nFROM users ORDER BY users.id",
            ["42"],
        ),
    ],
    ids=["int-to-varchar", "numeric-to-integer", "to-numeric", "to-float", "bound-value"],
)
def test_cast(db, make, sql, params):
    check(db, make, sql, params)


def test_cast_in_where(db):
    check(
        db,
        lambda L: L.m.select(L.u.id).where(L.m.cast(L.u.age, L.m.String) == "28"),
        "SELECT users.id \nFROM users \nWHERE CAST(users.age AS VARCHAR) = ?",
        ["28"],
    )


# -- coalesce, distinct -----------------------------------------------------------------------------


def test_coalesce(db):
    check(
        db,
        lambda L: L.m.select(L.m.func.coalesce(L.u.city, L.u.name, "x")).order_by(L.u.id),
        "SELECT coalesce(users.city, users.name, ?) \nFROM users ORDER BY users.id",
        ["x"],
    )
    check(
        db,
        lambda L: L.m.select(L.u.id).where(L.m.func.coalesce(L.u.age, 0) < 26).order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE coalesce(users.age, ?) < ? ORDER BY users.id",
        [0, 26],
    )


def test_select_distinct(db):
    check(
        db,
        lambda L: L.m.select(L.u.city).distinct().order_by(L.u.city),
        "SELECT DISTINCT users.city \nFROM users ORDER BY users.city",
    )
    check(
        db,
        lambda L: L.m.select(L.u.id).distinct().join(L.orders, L.o.user_id == L.u.id).order_by(L.u.id),
        "SELECT DISTINCT users.id \nFROM users JOIN orders ON orders.user_id = users.id "
        "ORDER BY users.id",
    )


def test_distinct_function(db):
    check(
        db,
        lambda L: L.m.select(L.m.distinct(L.u.age)).order_by(L.u.age),
        "SELECT DISTINCT users.age \nFROM users ORDER BY users.age",
    )
    rows = check(
        db,
        lambda L: L.m.select(
            L.m.func.count(L.m.distinct(L.u.city)), L.m.func.count(L.u.age.distinct())
        ),
        "SELECT count(DISTINCT users.city), count(DISTINCT users.age) \nFROM users",
    )
    assert rows == [(3, 4)]


# -- IN ----------------------------------------------------------------------------------------------


def test_in_list(db):
    check(
        db,
        lambda L: L.m.select(L.u.id).where(L.u.name.in_(["Егор", "bob", "zz"])).order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE users.name IN (?, ?, ?) ORDER BY users.id",
        ["Егор", "bob", "zz"],
    )
    check(
        db,
        lambda L: L.m.select(L.u.id).where(L.u.id.not_in([1, 3])).order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE users.id NOT IN (?, ?) ORDER BY users.id",
        [1, 3],
    )


def test_in_list_with_none(db):
    check(
        db,
        lambda L: L.m.select(L.u.id).where(L.u.city.in_(["Paris", None])).order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE users.city IN (?, NULL) ORDER BY users.id",
        ["Paris"],
    )


def test_in_empty_list(db):
    check(
        db,
        lambda L: L.m.select(L.u.id).where(L.u.id.in_([])).order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE 1 != 1 ORDER BY users.id",
    )
    check(
        db,
        lambda L: L.m.select(L.u.id).where(L.u.id.not_in([])).order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE 1 = 1 ORDER BY users.id",
    )
    check(
        db,
        lambda L: L.m.select(L.u.id).where(L.m.or_(L.u.id.in_([]), L.u.id == 2)),
        "SELECT users.id \nFROM users \nWHERE 1 != 1 OR users.id = ?",
        [2],
    )


def test_in_subquery(db):
    rows = check(
        db,
        lambda L: L.m.select(L.u.id)
        .where(L.u.id.in_(L.m.select(L.o.user_id).where(L.o.status == "paid")))
        .order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE users.id IN (SELECT orders.user_id \nFROM orders "
        "\nWHERE orders.status = ?) ORDER BY users.id",
        ["paid"],
    )
    assert rows == [(1,), (3,), (4,)]
    check(
        db,
        lambda L: L.m.select(L.u.id)
        .where(L.u.id.not_in(L.m.select(L.o.user_id)))
        .order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE users.id NOT IN (SELECT orders.user_id \nFROM orders) "
        "ORDER BY users.id",
    )


def test_in_scalar_subquery(db):
    check(
        db,
        lambda L: L.m.select(L.u.id).where(
            L.u.id.in_(L.m.select(L.o.user_id).where(L.o.amount > 50).scalar_subquery())
        ),
        "SELECT users.id \nFROM users \nWHERE users.id IN (SELECT orders.user_id \nFROM orders "
        "\nWHERE orders.amount > ?)",
        [50],
    )


# -- tuple_() ----------------------------------------------------------------------------------------


def test_tuple_comparison(db):
    check(
        db,
        lambda L: L.m.select(L.u.id).where(L.m.tuple_(L.u.age, L.u.city) == (28, "Москва")),
        "SELECT users.id \nFROM users \nWHERE (users.age, users.city) = (?, ?)",
        [28, "Москва"],
    )
    check(
        db,
        lambda L: L.m.select(L.u.id).where(L.m.tuple_(L.u.age, L.u.id) > (28, 1)).order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE (users.age, users.id) > (?, ?) ORDER BY users.id",
        [28, 1],
    )


def test_tuple_in_list(db):
    rows = check(
        db,
        lambda L: L.m.select(L.u.id)
        .where(L.m.tuple_(L.u.name, L.u.age).in_([("Егор", 28), ("alice", 30)]))
        .order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE (users.name, users.age) IN (VALUES (?, ?), (?, ?)) "
        "ORDER BY users.id",
        ["Егор", 28, "alice", 30],
    )
    assert rows == [(1,), (4,)]


def test_tuple_not_in_list(db):
    check(
        db,
        lambda L: L.m.select(L.u.id)
        .where(L.m.tuple_(L.u.name, L.u.age).not_in([("Егор", 28), ("alice", 30)]))
        .order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE (users.name, users.age) NOT IN "
        "(VALUES (?, ?), (?, ?)) ORDER BY users.id",
        ["Егор", 28, "alice", 30],
    )


def test_tuple_in_list_with_none(db):
    check(
        db,
        lambda L: L.m.select(L.u.id)
        .where(L.m.tuple_(L.u.name, L.u.age).in_([("Егор", 28), ("bob", None)]))
        .order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE (users.name, users.age) IN (VALUES (?, ?), (?, NULL)) "
        "ORDER BY users.id",
        ["Егор", 28, "bob"],
    )


def test_tuple_in_empty_list(db):
    check(
        db,
        lambda L: L.m.select(L.u.id).where(L.m.tuple_(L.u.name, L.u.age).in_([])),
        "SELECT users.id \nFROM users \nWHERE 1 != 1",
    )


def test_tuple_in_subquery(db):
    check(
        db,
        lambda L: L.m.select(L.u.id)
        .where(L.m.tuple_(L.u.id, L.u.id).in_(L.m.select(L.o.user_id, L.o.id)))
        .order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE (users.id, users.id) IN "
        "(SELECT orders.user_id, orders.id \nFROM orders) ORDER BY users.id",
    )


# -- scalar subqueries and correlation -------------------------------------------------------------


def _order_count(L):
    return L.m.select(L.m.func.count(L.o.id)).where(L.o.user_id == L.u.id)


def test_correlated_scalar_subquery_in_columns(db):
    rows = check(
        db,
        lambda L: L.m.select(L.u.name, _order_count(L).scalar_subquery().label("n")).order_by(L.u.id),
        "SELECT users.name, (SELECT count(orders.id) \nFROM orders \nWHERE orders.user_id = users.id) "
        "AS n \nFROM users ORDER BY users.id",
    )
    assert [r[1] for r in rows] == [2, 0, 1, 3, 0, 0]


def test_correlated_scalar_subquery_in_where(db):
    check(
        db,
        lambda L: L.m.select(L.u.id).where(_order_count(L).scalar_subquery() > 1).order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE (SELECT count(orders.id) \nFROM orders "
        "\nWHERE orders.user_id = users.id) > ? ORDER BY users.id",
        [1],
    )


def test_explicit_correlate(db):
    check(
        db,
        lambda L: L.m.select(
            L.u.id, _order_count(L).correlate(L.users).scalar_subquery()
        ).order_by(L.u.id),
        "SELECT users.id, (SELECT count(orders.id) \nFROM orders \nWHERE orders.user_id = users.id) "
        "\nFROM users ORDER BY users.id",
    )


def test_correlate_none_keeps_the_from(db):
    rows = check(
        db,
        lambda L: L.m.select(
            L.u.id,
            L.m.select(L.m.func.count(L.u.id))
            .where(L.u.age > 29)
            .correlate(None)
            .scalar_subquery()
            .label("c"),
        ).order_by(L.u.id),
        "SELECT users.id, (SELECT count(users.id) \nFROM users \nWHERE users.age > ?) AS c "
        "\nFROM users ORDER BY users.id",
        [29],
    )
    assert {r[1] for r in rows} == {2}


def test_uncorrelated_scalar_subquery_on_the_same_table(db):
    check(
        db,
        lambda L: L.m.select(L.u.id)
        .where(L.u.age > L.m.select(L.m.func.avg(L.u.age)).scalar_subquery())
        .order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE users.age > (SELECT avg(users.age) \nFROM users) "
        "ORDER BY users.id",
    )
    check(
        db,
        lambda L: L.m.select(L.o.id).where(
            L.o.amount == L.m.select(L.m.func.max(L.o.amount)).scalar_subquery()
        ),
        "SELECT orders.id \nFROM orders \nWHERE orders.amount = (SELECT max(orders.amount) "
        "\nFROM orders)",
    )


# -- UNION -------------------------------------------------------------------------------------------


def test_union(db):
    rows = check(
        db,
        lambda L: L.m.union(
            L.m.select(L.u.name).where(L.u.age < 29), L.m.select(L.u.name).where(L.u.city == "Paris")
        ).order_by("name"),
        "SELECT users.name \nFROM users \nWHERE users.age < ? UNION SELECT users.name \nFROM users "
        "\nWHERE users.city = ? ORDER BY name",
        [29, "Paris"],
    )
    assert rows == [("alice",), ("bob",), ("carol",), ("Егор",), ("Сергей",)]


def test_union_all_of_three(db):
    check(
        db,
        lambda L: L.m.union_all(
            L.m.select(L.u.id).where(L.u.age == 28),
            L.m.select(L.u.id).where(L.u.id > 4),
            L.m.select(L.o.user_id),
        ).order_by("id"),
        "SELECT users.id \nFROM users \nWHERE users.age = ? UNION ALL SELECT users.id \nFROM users "
        "\nWHERE users.id > ? UNION ALL SELECT orders.user_id \nFROM orders ORDER BY id",
        [28, 4],
    )


def test_union_limit_offset(db):
    check(
        db,
        lambda L: L.m.select(L.u.id)
        .where(L.u.age == 28)
        .union(L.m.select(L.u.id).where(L.u.id > 4))
        .order_by("id")
        .limit(2)
        .offset(1),
        "SELECT users.id \nFROM users \nWHERE users.age = ? UNION SELECT users.id \nFROM users "
        "\nWHERE users.id > ? ORDER BY id\n LIMIT ? OFFSET ?",
        [28, 4, 2, 1],
    )


def test_union_as_subquery(db):
    def make(L):
        sq = L.m.union_all(
            L.m.select(L.u.name).where(L.u.age == 28), L.m.select(L.u.name)
        ).subquery()
        return L.m.select(sq.c.name, L.m.func.count()).group_by(sq.c.name).order_by(sq.c.name)

    check(
        db,
        make,
        "SELECT anon_1.name, count(*) \nFROM (SELECT users.name \nFROM users \nWHERE users.age = ? "
        "UNION ALL SELECT users.name \nFROM users) AS anon_1 GROUP BY anon_1.name "
        "ORDER BY anon_1.name",
        [28],
    )


def test_anonymous_subquery_names_are_numbered_per_statement():
    """As in SQLAlchemy, ``anon_1`` is the first anonymous name of each statement, so
    the text of a statement does not depend on what was built before it."""
    texts = set()
    for _ in range(3):
        sq = LA.m.select(LA.u.id).where(LA.u.age > 1).subquery()
        texts.add(str(LA.m.select(sq.c.id).compile(dialect=LA.dialect)))
    assert texts == {
        "SELECT anon_1.id \nFROM (SELECT users.id \nFROM users \nWHERE users.age > ?) AS anon_1"
    }


# -- CTE ---------------------------------------------------------------------------------------------


def test_cte(db):
    def make(L):
        totals = (
            L.m.select(L.o.user_id, L.m.func.sum(L.o.amount).label("total"))
            .group_by(L.o.user_id)
            .cte("totals")
        )
        return (
            L.m.select(L.u.name, totals.c.total)
            .join(totals, totals.c.user_id == L.u.id)
            .order_by(L.u.id)
        )

    check(
        db,
        make,
        "WITH totals AS \n(SELECT orders.user_id, sum(orders.amount) AS total \nFROM orders "
        "GROUP BY orders.user_id)\nSELECT users.name, totals.total \nFROM users "
        "JOIN totals ON totals.user_id = users.id ORDER BY users.id",
    )


def test_two_ctes(db):
    def make(L):
        paid = L.m.select(L.o.user_id, L.o.amount).where(L.o.status == "paid").cte("paid")
        per = (
            L.m.select(paid.c.user_id, L.m.func.count().label("n"))
            .group_by(paid.c.user_id)
            .cte("per")
        )
        return L.m.select(L.u.name, per.c.n).join(per, per.c.user_id == L.u.id).order_by(L.u.id)

    check(
        db,
        make,
        "WITH paid AS \n(SELECT orders.user_id, orders.amount \nFROM orders "
        "\nWHERE orders.status = ?), per AS \n(SELECT paid.user_id, count(*) AS n \nFROM paid "
        "GROUP BY paid.user_id)\nSELECT users.name, per.n \nFROM users "
        "JOIN per ON per.user_id = users.id ORDER BY users.id",
        ["paid"],
    )


def test_cte_in_where(db):
    def make(L):
        paid = L.m.select(L.o.user_id).where(L.o.status == "paid").cte("paid")
        return L.m.select(L.u.id).where(L.u.id.in_(L.m.select(paid.c.user_id))).order_by(L.u.id)

    check(
        db,
        make,
        "WITH paid AS \n(SELECT orders.user_id \nFROM orders \nWHERE orders.status = ?)"
        "\nSELECT users.id \nFROM users \nWHERE users.id IN (SELECT paid.user_id \nFROM paid) "
        "ORDER BY users.id",
        ["paid"],
    )


def test_recursive_cte(db):
    def make(L):
        counter = L.m.select(L.m.literal(1).label("n")).cte("counter", recursive=True)
        counter = counter.union_all(L.m.select(counter.c.n + 1).where(counter.c.n < 5))
        return L.m.select(counter.c.n).order_by(counter.c.n)

    rows = check(
        db,
        make,
        "WITH RECURSIVE counter(n) AS \n(SELECT ? AS n UNION ALL SELECT counter.n + ? "
        "\nFROM counter \nWHERE counter.n < ?)\nSELECT counter.n \nFROM counter ORDER BY counter.n",
        [1, 1, 5],
    )
    assert rows == [(1,), (2,), (3,), (4,), (5,)]


# -- joins -------------------------------------------------------------------------------------------


def test_join_with_on_clause(db):
    check(
        db,
        lambda L: L.m.select(L.u.name, L.o.amount)
        .join(L.orders, L.o.user_id == L.u.id)
        .order_by(L.o.id),
        "SELECT users.name, orders.amount \nFROM users JOIN orders ON orders.user_id = users.id "
        "ORDER BY orders.id",
    )


def test_join_from_inferred_on_clause(db):
    check(
        db,
        lambda L: L.m.select(L.u.name, L.o.id).join_from(L.users, L.orders).order_by(L.o.id),
        "SELECT users.name, orders.id \nFROM users JOIN orders ON users.id = orders.user_id "
        "ORDER BY orders.id",
    )


def test_outerjoin_with_compound_on_clause(db):
    check(
        db,
        lambda L: L.m.select(L.u.id, L.o.id)
        .outerjoin(L.orders, L.m.and_(L.o.user_id == L.u.id, L.o.status == "paid"))
        .order_by(L.u.id, L.o.id),
        "SELECT users.id, orders.id \nFROM users LEFT OUTER JOIN orders "
        "ON orders.user_id = users.id AND orders.status = ? ORDER BY users.id, orders.id",
        ["paid"],
    )


def test_full_outer_join(db):
    check(
        db,
        lambda L: L.m.select(L.u.id, L.o.id)
        .join(L.orders, L.o.user_id == L.u.id, full=True)
        .order_by(L.u.id, L.o.id),
        "SELECT users.id, orders.id \nFROM users FULL OUTER JOIN orders "
        "ON orders.user_id = users.id ORDER BY users.id, orders.id",
    )


def test_select_from_then_join(db):
    check(
        db,
        lambda L: L.m.select(L.o.amount)
        .select_from(L.users)
        .join(L.orders, L.o.user_id == L.u.id)
        .where(L.u.name == "alice")
        .order_by(L.o.id),
        "SELECT orders.amount \nFROM users JOIN orders ON orders.user_id = users.id "
        "\nWHERE users.name = ? ORDER BY orders.id",
        ["alice"],
    )


def test_self_join_through_alias(db):
    def make(L):
        other = L.users.alias("other")
        return (
            L.m.select(L.u.id, other.c.id)
            .join(other, L.m.and_(other.c.age == L.u.age, other.c.id != L.u.id))
            .order_by(L.u.id)
        )

    rows = check(
        db,
        make,
        "SELECT users.id, other.id \nFROM users JOIN users AS other "
        "ON other.age = users.age AND other.id != users.id ORDER BY users.id",
    )
    assert rows == [(1, 2), (2, 1)]


def test_two_joins_and_aliased_table(db):
    def make(L):
        later = L.orders.alias("o2")
        return (
            L.m.select(L.u.name, L.o.id, later.c.id)
            .join(L.orders, L.o.user_id == L.u.id)
            .join(later, L.m.and_(later.c.user_id == L.u.id, later.c.id > L.o.id))
            .order_by(L.o.id, later.c.id)
        )

    check(
        db,
        make,
        "SELECT users.name, orders.id, o2.id \nFROM users JOIN orders ON orders.user_id = users.id "
        "JOIN orders AS o2 ON o2.user_id = users.id AND o2.id > orders.id ORDER BY orders.id, o2.id",
    )


def test_join_to_subquery(db):
    def make(L):
        counts = (
            L.m.select(L.o.user_id, L.m.func.count().label("n"))
            .group_by(L.o.user_id)
            .subquery("counts")
        )
        return (
            L.m.select(L.u.name, counts.c.n)
            .outerjoin(counts, counts.c.user_id == L.u.id)
            .order_by(L.u.id)
        )

    check(
        db,
        make,
        "SELECT users.name, counts.n \nFROM users LEFT OUTER JOIN (SELECT orders.user_id, "
        "count(*) AS n \nFROM orders GROUP BY orders.user_id) AS counts "
        "ON counts.user_id = users.id ORDER BY users.id",
    )


# -- NULLS FIRST / NULLS LAST ------------------------------------------------------------------------


def test_nulls_first_last_methods(db):
    rows = check(
        db,
        lambda L: L.m.select(L.u.id).order_by(L.u.age.nulls_first(), L.u.id),
        "SELECT users.id \nFROM users ORDER BY users.age NULLS FIRST, users.id",
    )
    assert rows[0] == (5,)
    rows = check(
        db,
        lambda L: L.m.select(L.u.id).order_by(L.u.age.desc().nulls_last(), L.u.id),
        "SELECT users.id \nFROM users ORDER BY users.age DESC NULLS LAST, users.id",
    )
    assert rows[-1] == (5,)


def test_nulls_first_last_functions(db):
    check(
        db,
        lambda L: L.m.select(L.u.id).order_by(
            L.m.nulls_last(L.u.city), L.m.nulls_first(L.m.desc(L.u.id))
        ),
        "SELECT users.id \nFROM users ORDER BY users.city NULLS LAST, users.id DESC NULLS FIRST",
    )


# -- LIMIT / OFFSET -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, tail, params",
    [
        (lambda s: s.limit(3), "\n LIMIT ?", [3]),
        (lambda s: s.limit(0), "\n LIMIT ?", [0]),
        (lambda s: s.offset(4), "\n LIMIT -1 OFFSET ?", [4]),
        (lambda s: s.limit(2).offset(3), "\n LIMIT ? OFFSET ?", [2, 3]),
        (lambda s: s.slice(1, 3), "\n LIMIT ? OFFSET ?", [2, 1]),
    ],
    ids=["limit", "limit-0", "offset", "limit-offset", "slice"],
)
def test_limit_offset(db, make, tail, params):
    check(
        db,
        lambda L: make(L.m.select(L.u.id).order_by(L.u.id)),
        "SELECT users.id \nFROM users ORDER BY users.id" + tail,
        params,
    )


def test_limit_in_subquery(db):
    def make(L):
        top = L.m.select(L.u.id).order_by(L.u.age.desc().nulls_last()).limit(2).subquery()
        return L.m.select(top.c.id).order_by(top.c.id)

    rows = check(
        db,
        make,
        "SELECT anon_1.id \nFROM (SELECT users.id \nFROM users ORDER BY users.age DESC NULLS LAST"
        "\n LIMIT ?) AS anon_1 ORDER BY anon_1.id",
        [2],
    )
    assert rows == [(3,), (4,)]


# -- EXISTS ------------------------------------------------------------------------------------------


def test_exists_where(db):
    check(
        db,
        lambda L: L.m.select(L.u.id)
        .where(L.m.exists().where(L.o.user_id == L.u.id))
        .order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE EXISTS (SELECT * \nFROM orders "
        "\nWHERE orders.user_id = users.id) ORDER BY users.id",
    )


def test_not_exists(db):
    rows = check(
        db,
        lambda L: L.m.select(L.u.id)
        .where(~L.m.exists().where(L.o.user_id == L.u.id))
        .order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE NOT EXISTS (SELECT * \nFROM orders "
        "\nWHERE orders.user_id = users.id) ORDER BY users.id",
    )
    assert rows == [(2,), (5,), (6,)]


def test_exists_and_other_criterion(db):
    check(
        db,
        lambda L: L.m.select(L.u.id)
        .where(L.m.exists().where(L.o.user_id == L.u.id), L.u.age > 28)
        .order_by(L.u.id),
        "SELECT users.id \nFROM users \nWHERE EXISTS (SELECT * \nFROM orders "
        "\nWHERE orders.user_id = users.id) AND users.age > ? ORDER BY users.id",
        [28],
    )


def test_select_exists(db):
    check(
        db,
        lambda L: L.m.select(L.m.select(L.o.id).where(L.o.amount > 50).exists()),
        "SELECT EXISTS (SELECT orders.id \nFROM orders \nWHERE orders.amount > ?)",
        [50],
    )
    check(
        db,
        lambda L: L.m.select(L.m.exists().where(L.o.amount > 500)),
        "SELECT EXISTS (SELECT * \nFROM orders \nWHERE orders.amount > ?)",
        [500],
    )


def test_select_exists_method_correlated(db):
    check(
        db,
        lambda L: L.m.select(L.u.name)
        .where(
            L.m.select(L.o.id).where(L.o.user_id == L.u.id, L.o.status == "new").exists()
        )
        .order_by(L.u.id),
        "SELECT users.name \nFROM users \nWHERE EXISTS (SELECT orders.id \nFROM orders "
        "\nWHERE orders.user_id = users.id AND orders.status = ?) ORDER BY users.id",
        ["new"],
    )
