"""``Session.get(…, with_for_update=…)`` and ``Session.refresh(…, with_for_update=…)``
lock the row, as in SQLAlchemy: a second transaction asking for the lock with NOWAIT
is refused.  (They were once ignored, and read-then-write transactions on PostgreSQL
lost updates; ``test_concurrency.py`` is the load test.)  PostgreSQL only: SQLite
has no row locks and FOR UPDATE is not SQL there."""

import importlib

import pytest


def _scenario(name, url):
    sa = importlib.import_module(name)
    orm = importlib.import_module(f"{name}.orm")

    class Base(orm.DeclarativeBase):
        pass

    class Counter(Base):
        __tablename__ = "counter"
        id = sa.Column(sa.Integer, primary_key=True)
        n = sa.Column(sa.Integer)

    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    out = []
    try:
        with orm.Session(engine) as s:
            s.add(Counter(id=1, n=0))
            s.commit()
        holder, other = orm.Session(engine), orm.Session(engine)
        for lock in ("get", "refresh"):
            mine = holder.get(Counter, 1)
            if lock == "get":
                out.append(holder.get(Counter, 1, with_for_update=True) is mine)
            else:
                holder.refresh(mine, with_for_update={"key_share": False})
            for attempt in ("get", "refresh"):
                try:
                    if attempt == "get":
                        other.get(Counter, 1, with_for_update={"nowait": True})
                    else:
                        other.refresh(other.get(Counter, 1), with_for_update={"nowait": True})
                    out.append((lock, attempt, "not locked"))
                except sa.exc.DBAPIError as error:
                    out.append((lock, attempt, type(error).__name__))
                other.rollback()
            holder.rollback()
        out.append(other.get(Counter, 1, with_for_update={"nowait": True}).n)  # released
        holder.close()
        other.close()
    finally:
        engine.dispose()
    return out


@pytest.mark.parametrize("backend", ["postgresql"])
def test_with_for_update_locks_the_row_as_in_sqlalchemy(backend, pg_new_schema):
    results = {}
    for name in ("sqlalchemy", "lightalchemy"):
        with pg_new_schema() as url:
            results[name] = _scenario(name, url)
    assert results["lightalchemy"] == results["sqlalchemy"]
    assert results["sqlalchemy"][1] == ("get", "get", "OperationalError")
