"""Statements sent while loading and writing relationships, counted at the driver
and compared with SQLAlchemy: an eager option must really remove the N+1
queries of lazy loading, and the flush of a graph must not send more than
SQLAlchemy does.  Counting as in test_statement_counts (sqlite3's trace
callback; transaction control left out)."""

import pytest
from test_relationships import _blog, _emails, _seed
from test_statement_counts import _engine

USERS = 12


def _lazy(lib, s, m):
    users = s.scalars(lib.sa.select(m.User).order_by(m.User.id)).all()
    return [(u.name, _emails(u), [t.name for t in u.tags]) for u in users]


def _with(option):
    def load(lib, s, m):
        opt = getattr(lib.orm, option)
        stmt = lib.sa.select(m.User).options(opt(m.User.addresses), opt(m.User.tags))
        users = s.scalars(stmt.order_by(m.User.id)).unique().all()
        return [(u.name, _emails(u), [t.name for t in u.tags]) for u in users]

    return load


def _many_to_one(option):
    def load(lib, s, m):
        stmt = lib.sa.select(m.Address).order_by(m.Address.id)
        if option:
            stmt = stmt.options(getattr(lib.orm, option)(m.Address.user))
        return [(a.email, a.user.name) for a in s.scalars(stmt).all()]

    return load


def _flush_graph(lib, s, m):
    tags = [m.Tag(name=f"new{i}") for i in range(3)]
    for i in range(5):
        s.add(m.User(name=f"n{i}", tags=tags, addresses=[m.Address(email=f"n{i}-{j}")
                                                         for j in range(4)]))
    s.commit()
    return s.scalar(lib.sa.select(lib.sa.func.count()).select_from(m.Address))


def _delete_cascade(lib, s, m):
    for u in s.scalars(lib.sa.select(m.User).options(lib.orm.selectinload(m.User.addresses))):
        s.delete(u)
    s.commit()
    return s.scalar(lib.sa.select(lib.sa.func.count()).select_from(m.Address))


SCENARIOS = {
    "lazy": (_lazy, None),
    "selectinload": (_with("selectinload"), 3),
    "joinedload": (_with("joinedload"), 1),
    "subqueryload": (_with("subqueryload"), None),
    "many_to_one_lazy": (_many_to_one(None), None),
    "many_to_one_selectin": (_many_to_one("selectinload"), 2),
    "many_to_one_joined": (_many_to_one("joinedload"), 1),
    "flush_graph": (_flush_graph, None),
    "delete_cascade": (_delete_cascade, None),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_relationship_statement_counts(compare, tmp_path, name):
    counts: dict = {}
    body, expected = SCENARIOS[name]

    def run(lib):
        path = tmp_path / f"{lib.name}_{name}.db"
        seen: list = []
        engine = _engine(lib, str(path), seen)
        cascade = "all, delete-orphan" if name == "delete_cascade" else "save-update, merge"
        m = _blog(lib, user_cascade=cascade)
        m.Base.metadata.create_all(engine)
        m.engine = engine
        _seed(lib, m, users=USERS)
        seen.clear()
        with lib.orm.Session(engine) as s:
            lib.out(body(lib, s, m))
        counts[lib.sa.__name__] = list(seen)

    compare(run)
    if len(counts) < 2:
        return
    ours, theirs = counts["lightalchemy"], counts["sqlalchemy"]
    assert ours and len(ours) <= len(theirs), (name, ours, theirs)
    if expected is not None:
        assert len(ours) == expected, (name, ours)
    if name == "lazy":  # the N+1 the eager options remove
        assert len(ours) == 1 + 2 * (USERS + 1), ours
