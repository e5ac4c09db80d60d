"""A failed multi-row flush on PostgreSQL leaves the pooled connection fit for the next.

Where lightalchemy sends many parameter sets with one pipelined ``executemany``
(psycopg) and a row fails there (a unique violation), psycopg may already count a
statement of a later row as prepared though the server never parsed it; only psycopg's
own ``rollback()`` forgets it.  Found by the stateful test when new objects were
inserted that way: every later flush of that shape on that connection failed with
"prepared statement _pg3_N does not exist" (ProgrammingError) until the connection was
dropped.  (New objects now mostly go in one INSERT … FROM unnest(…); the pipelined
executemany remains the fallback, and multi-row UPDATEs and DELETEs use it.)  Each
scenario runs on SQLAlchemy and lightalchemy, each in a schema of its own, with a pool
of one connection.
"""

import importlib

import pytest


def _flushes(library, url, nested):
    sa = importlib.import_module(library)
    orm = importlib.import_module(f"{library}.orm")

    class Base(orm.DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "item"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(20), unique=True, nullable=False)
        n = sa.Column(sa.Integer)

    engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    Base.metadata.create_all(engine)
    out = []
    try:
        with orm.Session(engine) as s:
            s.add(Item(name="a", n=1))
            s.commit()
            s.add(Item(name="x", n=None))  # a first ROLLBACK on the connection
            s.flush()
            s.rollback()
            # the first row fails; the second row's types (text, integer) are new
            batches = [[("a", None), ("b", 1)], [("c", 2), ("d", 3)], [("e", 4), ("f", 5)]]
            for batch in batches:
                try:
                    if nested:
                        with s.begin_nested():
                            s.add_all([Item(name=x, n=n) for x, n in batch])
                    else:
                        s.add_all([Item(name=x, n=n) for x, n in batch])
                        s.commit()
                    out.append("ok")
                except sa.exc.DBAPIError as error:
                    out.append(type(error).__name__)
                    if not nested:
                        s.rollback()
            s.commit()
            out.append(s.scalars(sa.select(Item.name).order_by(Item.name)).all())
    finally:
        engine.dispose()
    return out


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("nested", [False, True], ids=["transaction", "savepoint"])
def test_flushes_after_a_failed_multi_row_flush_work(backend, pg_new_schema, nested):
    results = {}
    for library in ("sqlalchemy", "lightalchemy"):
        with pg_new_schema() as url:
            results[library] = _flushes(library, url, nested)
    assert results["lightalchemy"] == results["sqlalchemy"]
    assert results["lightalchemy"] == ["IntegrityError", "ok", "ok", ["a", "c", "d", "e", "f"]]
