"""SQLAlchemy Core: Table, insert() with executemany, select() rows.

The middle ground between the raw driver and the ORM: SQLAlchemy's statement
compilation, parameter processing and Row objects, but no identity map or unit
of work.  Statements that run many times use ``bindparam`` so they compile
once, as Core code written for speed would.
"""

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    insert,
    select,
    text,
    update,
)
from sqlalchemy import delete as sql_delete

metadata = MetaData()
person = Table(
    "person",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False),
    Column("age", Integer, nullable=False),
)


def setup(target):
    engine = create_engine(target.url())
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return engine


def teardown(engine):
    engine.dispose()


def bulk_create(engine, rows):
    with engine.begin() as conn:
        conn.execute(insert(person), [{"name": name, "age": age} for name, age in rows])


def load_all(engine, _):
    with engine.connect() as conn:
        rows = conn.execute(select(person)).all()
    for row in rows:
        row.name  # noqa: B018 - reading the column is part of the workload
    return rows


def get_by_pk(engine, keys):
    stmt = select(person).where(person.c.id == bindparam("key"))
    with engine.connect() as conn:
        return [conn.execute(stmt, {"key": key}).one() for key in keys]


def single_insert_commit(engine, rows):
    stmt, ids = insert(person), []
    for name, age in rows:
        with engine.begin() as conn:
            result = conn.execute(stmt, {"name": name, "age": age})
            ids.append(result.inserted_primary_key[0])
    return ids


def update_dirty(engine, count):
    stmt = update(person).where(person.c.id == bindparam("key")).values(age=bindparam("new_age"))
    with engine.begin() as conn:
        rows = conn.execute(select(person).where(person.c.id <= count)).all()
        conn.execute(stmt, [{"key": row.id, "new_age": row.age + 1} for row in rows])


def filter_query(engine, ages):
    stmt = select(person).where(person.c.age == bindparam("age")).limit(10)
    with engine.connect() as conn:
        return [conn.execute(stmt, {"age": age}).all() for age in ages]


def delete(engine, count):
    stmt = sql_delete(person).where(person.c.id == bindparam("key"))
    with engine.begin() as conn:
        rows = conn.execute(select(person).where(person.c.id <= count)).all()
        conn.execute(stmt, [{"key": row.id} for row in rows])


def stream(engine, _):
    rows = chars = 0
    with engine.connect() as conn:
        for row in conn.execute(select(person).execution_options(yield_per=1000)):
            rows += 1
            chars += len(row.name)
    return rows, chars
