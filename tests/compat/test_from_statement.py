"""``select(Entity).from_statement(...)`` and ``Query.from_statement(...)``, differential.

Objects loaded from a textual (or other) statement: columns matched by name
for ``text()``, by column for ``select()`` and ``text().columns()``; the
objects go through the identity map like any load.
"""

from typing import Optional

USERS = [(1, "ann", 30), (2, "bob", None), (3, "cid", 25), (4, "dee", 41)]


def _setup(lib):
    sa, orm = lib.sa, lib.orm

    class Base(orm.DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str] = orm.mapped_column(sa.String(20))
        age: orm.Mapped[Optional[int]]

    engine = lib.sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    with orm.Session(engine) as s:
        s.add_all([User(id=i, name=n, age=a) for i, n, a in USERS])
        s.commit()
    return engine, User


def _run(lib, body):
    engine, User = _setup(lib)
    with lib.orm.Session(engine) as s:
        body(lib, s, User)


def _u(user):
    return (user.id, user.name, user.age)


def test_text_matched_by_name(compare):
    def body(lib, s, User):
        sa = lib.sa
        stmt = sa.select(User).from_statement(
            sa.text("SELECT age, name, id FROM users ORDER BY id"))
        users = s.scalars(stmt).all()
        lib.out([_u(u) for u in users], all(type(u) is User for u in users))
        # extra columns are ignored; the database's spelling of a name may differ in case
        stmt = sa.select(User).from_statement(
            sa.text("SELECT users.*, 1 AS extra FROM users ORDER BY id DESC"))
        lib.out([u.id for u in s.scalars(stmt)])
        stmt = sa.select(User).from_statement(sa.text("SELECT ID, NAME, AGE FROM users"))
        lib.out(sorted(u.id for u in s.scalars(stmt)))
        rows = s.execute(sa.select(User).from_statement(
            sa.text("SELECT * FROM users ORDER BY id"))).all()
        lib.out([(list(r._fields), r.User.id) for r in rows][:2])

    compare(lambda lib: _run(lib, body))


def test_bound_parameters(compare):
    def body(lib, s, User):
        sa = lib.sa
        text = sa.text("SELECT * FROM users WHERE id > :low ORDER BY id")
        lib.out([u.id for u in s.scalars(sa.select(User).from_statement(
            text.bindparams(low=2)))])
        lib.out([u.id for u in s.scalars(sa.select(User).from_statement(text), {"low": 1})])
        lib.out([u.id for u in s.scalars(sa.select(User).from_statement(
            text.bindparams(sa.bindparam("low", 3))))])
        # execution parameters win over values given with bindparams(), as for text()
        lib.out([u.id for u in s.scalars(sa.select(User).from_statement(
            text.bindparams(low=3)), {"low": 0})])
        try:
            s.scalars(sa.select(User).from_statement(text)).all()
        except lib.exc.StatementError as error:
            lib.out(type(error).__name__, type(error.orig).__name__)

    compare(lambda lib: _run(lib, body))


def test_identity_map(compare):
    def body(lib, s, User):
        sa = lib.sa
        ann = s.get(User, 1)
        stmt = sa.select(User).from_statement(sa.text("SELECT * FROM users WHERE id <= 2"))
        loaded = sorted(s.scalars(stmt), key=lambda u: u.id)
        lib.out(loaded[0] is ann, _u(loaded[1]))
        # a change not yet flushed is kept (autoflush writes it first, then the row agrees)
        ann.age = 99
        again = s.scalars(sa.select(User).from_statement(
            sa.text("SELECT * FROM users WHERE id = 1"))).one()
        lib.out(again is ann, again.age)
        # a row that changed behind the session does not overwrite the object…
        s.execute(sa.text("UPDATE users SET name = 'zed' WHERE id = 2"))
        bob = s.scalars(sa.select(User).from_statement(
            sa.text("SELECT * FROM users WHERE id = 2"))).one()
        lib.out(bob is loaded[1], bob.name)
        # …unless populate_existing asks for it
        stmt = sa.select(User).from_statement(sa.text("SELECT * FROM users WHERE id = 2")) \
            .execution_options(populate_existing=True)
        lib.out(s.scalars(stmt).one().name)
        s.expunge_all()
        fresh = s.scalars(sa.select(User).from_statement(
            sa.text("SELECT * FROM users WHERE id = 3"))).one()
        lib.out(fresh is s.get(User, 3), lib.inspect(fresh).persistent)

    compare(lambda lib: _run(lib, body))


def test_missing_columns(compare):
    def body(lib, s, User):
        sa = lib.sa
        users = s.scalars(sa.select(User).from_statement(
            sa.text("SELECT id, name FROM users ORDER BY id"))).all()
        lib.out([(u.id, u.name, "age" in u.__dict__) for u in users])
        lib.out([u.age for u in users])  # loaded when first read
        try:
            s.scalars(sa.select(User).from_statement(
                sa.text("SELECT name, age FROM users"))).all()
        except Exception as error:
            lib.out(type(error).__name__, isinstance(error, KeyError))

    compare(lambda lib: _run(lib, body))


def test_other_statements_and_column_entities(compare):
    def body(lib, s, User):
        sa = lib.sa
        # text().columns(): positional, whatever the SQL calls the columns
        typed = sa.text("SELECT id AS a, name AS b, age AS c FROM users ORDER BY id") \
            .columns(User.id, User.name, User.age)
        lib.out([_u(u) for u in s.scalars(sa.select(User).from_statement(typed))])
        # another select()
        inner = sa.select(User).where(User.age > 26).order_by(User.id.desc())
        lib.out([u.id for u in s.scalars(sa.select(User).from_statement(inner))])
        inner = sa.select(User.name, User.id).where(User.id < 3).order_by(User.id)
        lib.out([_u(u) for u in s.scalars(sa.select(User).from_statement(inner))])
        # an entity with a column, and columns alone
        text = sa.text("SELECT * FROM users ORDER BY id")
        rows = s.execute(sa.select(User, User.name).from_statement(text)).all()
        lib.out([(list(r._fields), r[0].id, r[1]) for r in rows][:2])
        lib.out([tuple(r) for r in s.execute(
            sa.select(User.name, User.id).from_statement(text))])

    compare(lambda lib: _run(lib, body))


def test_legacy_query_from_statement(compare):
    def body(lib, s, User):
        sa = lib.sa
        text = sa.text("SELECT * FROM users WHERE id >= :low ORDER BY id")
        q = s.query(User).from_statement(text)
        lib.out([u.id for u in q.params(low=2).all()])
        lib.out([u.id for u in q.params({"low": 3})])
        lib.out(q.params(low=1).first().id, q.params(low=4).one().name)
        lib.out([u.id for u in s.query(User).from_statement(text.bindparams(low=4))])
        for misuse in (lambda: q.filter(User.id == 1), lambda: q.filter_by(id=1),
                       lambda: q.order_by(User.id), lambda: q.limit(1),
                       lambda: q.join(User, User.id == User.id), lambda: q.count()):
            try:
                misuse()
                lib.out("no error")
            except Exception as error:
                lib.out(type(error).__name__)

    compare(lambda lib: _run(lib, body))


def test_from_statement_on_a_connection(compare):
    def scenario(lib):
        engine, User = _setup(lib)
        stmt = lib.sa.select(User).from_statement(
            lib.sa.text("SELECT name, id FROM users WHERE id < :n ORDER BY id"))
        with engine.connect() as conn:
            lib.out([tuple(r) for r in conn.execute(stmt, {"n": 3})])

    compare(scenario)


def test_from_statement_misuse(compare):
    def body(lib, s, User):
        sa = lib.sa
        text = sa.text("SELECT * FROM users")
        attempts = [
            lambda: sa.select(User).from_statement("SELECT * FROM users"),
            lambda: sa.select(User).from_statement(42),
            lambda: sa.select(sa.literal_column("1")).from_statement(text),
            lambda: sa.select(User).from_statement(text).where(User.id == 1),
            lambda: sa.select(User).from_statement(text).subquery(),
            lambda: sa.select(User).from_statement(text).order_by(User.id),
        ]
        for attempt in attempts:
            try:
                attempt()
                lib.out("no error")
            except Exception as error:
                lib.out(type(error).__name__)

    compare(lambda lib: _run(lib, body))
