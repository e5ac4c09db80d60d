"""SQL text and parameters for each construct, on the SQLite dialect.

Parameters are compared as values in placeholder order (``list(params.values())``)
so that the tests pin what reaches the driver, not how binds are named.
"""

from __future__ import annotations

import datetime as dt

import pytest

from lightalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    and_,
    asc,
    case,
    cast,
    delete,
    desc,
    exists,
    func,
    insert,
    not_,
    or_,
    select,
    text,
    true,
    update,
)

metadata = MetaData()
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(50)),
    Column("age", Integer),
    Column("created", DateTime),
)
addresses = Table(
    "addresses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("email", String),
)
group = Table(
    "group",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order", Integer),
    Column("select", String),
    Column("MixedCase", Integer),
)
u = users.c
a = addresses.c


@pytest.fixture(scope="module")
def dialect():
    return _engine().dialect


def _engine():
    from lightalchemy import create_engine

    return create_engine("sqlite://")


def sql_of(stmt, dialect) -> str:
    compiled = stmt.compile(dialect=dialect)
    assert compiled.sql == str(compiled)
    return compiled.sql


def params_of(stmt, dialect) -> list:
    return list(stmt.compile(dialect=dialect).params.values())


def check(stmt, dialect, sql: str, params: list | None = None) -> None:
    assert sql_of(stmt, dialect) == sql
    assert params_of(stmt, dialect) == (params or [])


SELECT_ID = "SELECT users.id \nFROM users"


# -- SELECT ---------------------------------------------------------------------------------

def test_select_table(dialect):
    check(select(users), dialect,
          "SELECT users.id, users.name, users.age, users.created \nFROM users")


def test_select_columns(dialect):
    check(select(u.id, u.name), dialect, "SELECT users.id, users.name \nFROM users")


def test_where(dialect):
    check(select(u.id).where(u.name == "x"), dialect,
          SELECT_ID + " \nWHERE users.name = ?", ["x"])


def test_where_twice_is_and(dialect):
    stmt = select(u.id).where(u.name == "x").where(u.age > 3)
    check(stmt, dialect, SELECT_ID + " \nWHERE users.name = ? AND users.age > ?", ["x", 3])
    check(select(u.id).where(u.name == "x", u.age > 3), dialect,
          SELECT_ID + " \nWHERE users.name = ? AND users.age > ?", ["x", 3])


def test_order_by(dialect):
    check(select(u.id).order_by(u.name, u.age.desc()), dialect,
          SELECT_ID + " ORDER BY users.name, users.age DESC")
    check(select(u.id).order_by(desc(u.name), asc(u.age)), dialect,
          SELECT_ID + " ORDER BY users.name DESC, users.age ASC")


def test_order_by_label_name(dialect):
    stmt = select(u.name.label("n")).order_by("n")
    assert sql_of(stmt, dialect).endswith("ORDER BY n")


def test_desc_of_label_name(dialect):
    """``desc("label")`` refers to a selected label, as in SQLAlchemy."""
    stmt = (select(u.name.label("n"), func.count(u.id).label("c"))
            .group_by(u.name).order_by(desc("c")))
    assert sql_of(stmt, dialect).endswith("GROUP BY users.name ORDER BY c DESC")


def test_limit_offset(dialect):
    check(select(u.id).limit(10), dialect, SELECT_ID + "\n LIMIT ?", [10])
    check(select(u.id).offset(5), dialect, SELECT_ID + "\n LIMIT -1 OFFSET ?", [5])
    check(select(u.id).limit(10).offset(5), dialect, SELECT_ID + "\n LIMIT ? OFFSET ?", [10, 5])


def test_distinct(dialect):
    check(select(u.name).distinct(), dialect, "SELECT DISTINCT users.name \nFROM users")


def test_group_by_having(dialect):
    stmt = select(u.name, func.count()).group_by(u.name).having(func.count() > 1)
    check(stmt, dialect,
          "SELECT users.name, count(*) \nFROM users GROUP BY users.name \nHAVING count(*) > ?",
          [1])


def test_join(dialect):
    check(select(u.name, a.email).join_from(users, addresses), dialect,
          "SELECT users.name, addresses.email \nFROM users JOIN addresses "
          "ON users.id = addresses.user_id")
    check(select(u.name, a.email).outerjoin_from(users, addresses, u.id == a.user_id), dialect,
          "SELECT users.name, addresses.email \nFROM users LEFT OUTER JOIN addresses "
          "ON users.id = addresses.user_id")


def test_subquery_and_exists(dialect):
    sub = select(u.id, u.name).subquery("s")
    check(select(sub), dialect,
          "SELECT s.id, s.name \nFROM (SELECT users.id, users.name \nFROM users) AS s")
    check(select(u.id).where(exists().where(a.user_id == u.id)), dialect,
          SELECT_ID + " \nWHERE EXISTS (SELECT * \nFROM addresses "
          "\nWHERE addresses.user_id = users.id)")


# -- comparison operators ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "expr, op",
    [
        (u.age == 1, "="),
        (u.age != 1, "!="),
        (u.age < 1, "<"),
        (u.age <= 1, "<="),
        (u.age > 1, ">"),
        (u.age >= 1, ">="),
    ],
)
def test_comparison_operators(dialect, expr, op):
    check(select(u.id).where(expr), dialect, SELECT_ID + f" \nWHERE users.age {op} ?", [1])


def test_reversed_comparison(dialect):
    check(select(u.id).where(5 < u.age), dialect, SELECT_ID + " \nWHERE users.age > ?", [5])


def test_column_to_column(dialect):
    check(select(u.id).where(u.age == u.id), dialect,
          SELECT_ID + " \nWHERE users.age = users.id")


def test_comparison_with_datetime_binds_converted_value(dialect):
    when = dt.datetime(2020, 1, 2, 3, 4, 5)
    stmt = select(u.id).where(u.created > when)
    check(stmt, dialect, SELECT_ID + " \nWHERE users.created > ?", [when])


def test_non_string_column_compared_with_string(dialect):
    stmt = select(u.id).where(u.id == "5")
    assert sql_of(stmt, dialect) == SELECT_ID + " \nWHERE users.id = ?"
    assert params_of(stmt, dialect) in (["5"], [5])


# -- IN --------------------------------------------------------------------------------------------

def test_in_list(dialect):
    check(select(u.id).where(u.id.in_([1, 2, 3])), dialect,
          SELECT_ID + " \nWHERE users.id IN (?, ?, ?)", [1, 2, 3])
    check(select(u.id).where(u.id.not_in([1, 2])), dialect,
          SELECT_ID + " \nWHERE users.id NOT IN (?, ?)", [1, 2])


def test_in_empty_list(dialect):
    check(select(u.id).where(u.id.in_([])), dialect, SELECT_ID + " \nWHERE 1 != 1")
    check(select(u.id).where(u.id.not_in([])), dialect, SELECT_ID + " \nWHERE 1 = 1")


def test_in_subquery(dialect):
    stmt = select(u.id).where(u.id.in_(select(a.user_id).where(a.email == "e")))
    check(stmt, dialect,
          SELECT_ID + " \nWHERE users.id IN (SELECT addresses.user_id \nFROM addresses "
          "\nWHERE addresses.email = ?)", ["e"])


# -- NULL ------------------------------------------------------------------------------------------

def test_is_none(dialect):
    check(select(u.id).where(u.name.is_(None)), dialect, SELECT_ID + " \nWHERE users.name IS NULL")
    check(select(u.id).where(u.name.is_not(None)), dialect,
          SELECT_ID + " \nWHERE users.name IS NOT NULL")


def test_eq_none_is_null(dialect):
    check(select(u.id).where(u.name == None), dialect,  # noqa: E711
          SELECT_ID + " \nWHERE users.name IS NULL")
    check(select(u.id).where(u.name != None), dialect,  # noqa: E711
          SELECT_ID + " \nWHERE users.name IS NOT NULL")


def test_is_distinct_from(dialect):
    check(select(u.id).where(u.age.is_distinct_from(3)), dialect,
          SELECT_ID + " \nWHERE users.age IS NOT ?", [3])


# -- LIKE ------------------------------------------------------------------------------------------

def test_like(dialect):
    check(select(u.id).where(u.name.like("a%")), dialect,
          SELECT_ID + " \nWHERE users.name LIKE ?", ["a%"])
    check(select(u.id).where(u.name.not_like("a%")), dialect,
          SELECT_ID + " \nWHERE users.name NOT LIKE ?", ["a%"])


def test_ilike_lowers_both_sides(dialect):
    check(select(u.id).where(u.name.ilike("A%")), dialect,
          SELECT_ID + " \nWHERE lower(users.name) LIKE lower(?)", ["A%"])


@pytest.mark.parametrize(
    "method, pattern",
    [("startswith", "ab%"), ("endswith", "%ab"), ("contains", "%ab%")],
)
def test_startswith_endswith_contains(dialect, method, pattern):
    stmt = select(u.id).where(getattr(u.name, method)("ab"))
    check(stmt, dialect, SELECT_ID + " \nWHERE users.name LIKE ?", [pattern])


# -- BETWEEN, AND, OR, NOT ---------------------------------------------------------------------------

def test_between(dialect):
    check(select(u.id).where(u.age.between(1, 5)), dialect,
          SELECT_ID + " \nWHERE users.age BETWEEN ? AND ?", [1, 5])


def test_and_or(dialect):
    check(select(u.id).where(and_(u.age > 1, u.age < 5)), dialect,
          SELECT_ID + " \nWHERE users.age > ? AND users.age < ?", [1, 5])
    check(select(u.id).where(or_(u.age < 1, u.age > 5)), dialect,
          SELECT_ID + " \nWHERE users.age < ? OR users.age > ?", [1, 5])
    check(select(u.id).where(and_(u.id > 0, or_(u.age < 1, u.age > 5))), dialect,
          SELECT_ID + " \nWHERE users.id > ? AND (users.age < ? OR users.age > ?)", [0, 1, 5])


def test_not(dialect):
    check(select(u.id).where(not_(u.age > 1)), dialect, SELECT_ID + " \nWHERE users.age <= ?", [1])
    check(select(u.id).where(~(u.name == "a")), dialect,
          SELECT_ID + " \nWHERE users.name != ?", ["a"])
    check(select(u.id).where(not_(or_(u.age < 1, u.name == "a"))), dialect,
          SELECT_ID + " \nWHERE NOT (users.age < ? OR users.name = ?)", [1, "a"])


def test_true(dialect):
    assert sql_of(select(u.id).where(true()), dialect) in (
        SELECT_ID + " \nWHERE 1", SELECT_ID + " \nWHERE 1 = 1")


# -- functions, labels, CASE, CAST ------------------------------------------------------------------

def test_func_count(dialect):
    check(select(func.count()).select_from(users), dialect, "SELECT count(*) \nFROM users")
    check(select(func.count(u.id)), dialect, "SELECT count(users.id) \nFROM users")


def test_func_lower(dialect):
    check(select(func.lower(u.name)).where(func.lower(u.name) == "bob"), dialect,
          "SELECT lower(users.name) \nFROM users \nWHERE lower(users.name) = ?", ["bob"])


def test_func_coalesce_and_now(dialect):
    check(select(func.coalesce(u.name, "none")), dialect,
          "SELECT coalesce(users.name, ?) \nFROM users", ["none"])
    check(select(func.now()), dialect, "SELECT CURRENT_TIMESTAMP")


def test_label(dialect):
    stmt = select(u.name.label("n"), func.count(u.id).label("c")).group_by(u.name)
    check(stmt, dialect,
          "SELECT users.name AS n, count(users.id) AS c \nFROM users GROUP BY users.name")


def test_case(dialect):
    stmt = select(case((u.age < 18, "minor"), (u.age < 65, "adult"), else_="senior"))
    check(stmt, dialect,
          "SELECT CASE WHEN users.age < ? THEN ? WHEN users.age < ? THEN ? ELSE ? END "
          "\nFROM users", [18, "minor", 65, "adult", "senior"])


def test_case_with_value(dialect):
    stmt = select(case({1: "one", 2: "two"}, value=u.id, else_="many"))
    check(stmt, dialect,
          "SELECT CASE users.id WHEN ? THEN ? WHEN ? THEN ? ELSE ? END \nFROM users",
          [1, "one", 2, "two", "many"])


def test_cast(dialect):
    check(select(cast(u.age, String)), dialect, "SELECT CAST(users.age AS VARCHAR) \nFROM users")
    check(select(cast(u.name, Numeric(10, 2))), dialect,
          "SELECT CAST(users.name AS NUMERIC(10, 2)) \nFROM users")


def test_arithmetic_and_concatenation(dialect):
    check(select(u.age + 1, u.age * 2 - u.id), dialect,
          "SELECT users.age + ?, users.age * ? - users.id \nFROM users", [1, 2])
    check(select(u.name + "x"), dialect, "SELECT users.name || ? \nFROM users", ["x"])


def test_text_with_bindparams(dialect):
    check(select(u.id).where(text("age > :a").bindparams(a=5)), dialect,
          SELECT_ID + " \nWHERE age > ?", [5])


# -- INSERT / UPDATE / DELETE ----------------------------------------------------------------------

def test_insert_values(dialect):
    check(insert(users).values(name="a", age=3), dialect,
          "INSERT INTO users (name, age) VALUES (?, ?)", ["a", 3])


def test_insert_multiple_rows(dialect):
    stmt = insert(users).values([{"name": "a", "age": 1}, {"name": "b", "age": 2}])
    check(stmt, dialect, "INSERT INTO users (name, age) VALUES (?, ?), (?, ?)", ["a", 1, "b", 2])


def test_update(dialect):
    check(update(users).where(u.id == 5).values(name="z"), dialect,
          "UPDATE users SET name=? WHERE users.id = ?", ["z", 5])
    check(update(users).values(age=u.age + 1), dialect, "UPDATE users SET age=users.age + ?", [1])


def test_delete(dialect):
    check(delete(users).where(u.id == 5), dialect, "DELETE FROM users WHERE users.id = ?", [5])
    check(delete(users), dialect, "DELETE FROM users")


# -- quoting --------------------------------------------------------------------------------------------

def test_reserved_and_mixed_case_identifiers_are_quoted(dialect):
    g = group.c
    check(select(group).where(g.order > 1).order_by(g.order), dialect,
          'SELECT "group".id, "group"."order", "group"."select", "group"."MixedCase" '
          '\nFROM "group" \nWHERE "group"."order" > ? ORDER BY "group"."order"', [1])
    check(insert(group).values(order=1), dialect, 'INSERT INTO "group" ("order") VALUES (?)', [1])
    check(update(group).values({g.order: 2}).where(g.select == "x"), dialect,
          'UPDATE "group" SET "order"=? WHERE "group"."select" = ?', [2, "x"])
    check(delete(group).where(g.MixedCase == 3), dialect,
          'DELETE FROM "group" WHERE "group"."MixedCase" = ?', [3])


def test_plain_identifiers_are_not_quoted(dialect):
    assert '"' not in sql_of(select(users), dialect)


# -- the compiled cache -------------------------------------------------------------------------------

@pytest.fixture
def engine():
    engine = _engine()
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    "make",
    [
        lambda v: select(users).where(u.name == f"n{v}").order_by(u.id).limit(v),
        lambda v: insert(users).values(name=f"n{v}", age=v),
        lambda v: update(users).where(u.id == v).values(name=f"n{v}"),
        lambda v: delete(users).where(u.id == v),
        lambda v: select(u.id).where(u.id.in_([v, v + 1])),
    ],
    ids=["select", "insert", "update", "delete", "in"],
)
def test_repeated_shape_hits_the_compiled_cache(engine, make):
    cache = engine.dialect._compiled_cache
    with engine.begin() as conn:
        conn.execute(make(1))
        size = len(cache)
        conn.execute(make(2))
        conn.execute(make(3))
        assert len(cache) == size


def test_repeated_executemany_shape_hits_the_cache(engine):
    cache = engine.dialect._compiled_cache
    with engine.begin() as conn:
        conn.execute(insert(users), [{"name": "a"}, {"name": "b"}])
        size = len(cache)
        conn.execute(insert(users), [{"name": "c"}, {"name": "d"}, {"name": "e"}])
        assert len(cache) == size
        assert conn.execute(select(u.name).order_by(u.id)).scalars().all() == list("abcde")


def test_different_shape_is_a_new_entry(engine):
    cache = engine.dialect._compiled_cache
    with engine.begin() as conn:
        conn.execute(select(u.id).where(u.name == "a"))
        size = len(cache)
        conn.execute(select(u.id).where(u.age == 1))
        assert len(cache) == size + 1


def test_cached_statement_uses_its_own_values(engine):
    with engine.begin() as conn:
        conn.execute(insert(users), [{"id": i, "name": f"n{i}"} for i in range(1, 4)])
        for i in range(1, 4):
            assert conn.execute(select(u.name).where(u.id == i)).scalar_one() == f"n{i}"


# -- the SQL runs -------------------------------------------------------------------------------------

def test_compiled_sql_runs_on_sqlite(engine):
    with engine.begin() as conn:
        conn.execute(insert(users), [
            {"id": 1, "name": "alice", "age": 30},
            {"id": 2, "name": "bob", "age": 10},
            {"id": 3, "name": "a%b", "age": 70},
        ])
        conn.execute(insert(addresses), [{"user_id": 1, "email": "a@x"}])

        def ids(stmt):
            return conn.execute(stmt.order_by(u.id)).scalars().all()

        assert ids(select(u.id).where(u.name.startswith("a"))) == [1, 3]
        assert ids(select(u.id).where(u.name.contains("%", autoescape=True))) == [3]
        assert ids(select(u.id).where(u.name.ilike("ALI%"))) == [1]
        assert ids(select(u.id).where(u.id.in_([]))) == []
        assert ids(select(u.id).where(u.id.not_in([]))) == [1, 2, 3]
        assert ids(select(u.id).where(u.age.between(10, 30))) == [1, 2]
        assert ids(select(u.id).where(exists().where(a.user_id == u.id))) == [1]
        assert ids(select(u.id).where(u.id.in_(select(a.user_id)))) == [1]


def test_case_with_value_runs(engine):
    with engine.begin() as conn:
        conn.execute(insert(users), [{"id": i} for i in (1, 2, 3)])
        stmt = select(case({1: "one", 2: "two"}, value=u.id, else_="many")).order_by(u.id)
        assert conn.execute(stmt).scalars().all() == ["one", "two", "many"]


def test_desc_of_label_name_runs(engine):
    with engine.begin() as conn:
        conn.execute(insert(users), [{"name": "x", "age": 1}, {"name": "y", "age": 2}])
        stmt = select(u.name.label("n"), u.age.label("a")).order_by(desc("a"))
        assert conn.execute(stmt).scalars().all() == ["y", "x"]
