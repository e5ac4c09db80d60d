"""INSERT … ON CONFLICT through ``dialects.sqlite.insert``, against SQLAlchemy on SQLite.

Each scenario records what a program sees: rows returned, rowcount, the
table's rows afterwards, and the exception class of misuse.
"""

from __future__ import annotations

import warnings
from typing import Any

HOSTILE = "it's a \\ \"quoted\" '; DROP TABLE users; --"


def _setup(lib: Any) -> tuple:
    sa = lib.sa
    md = sa.MetaData()
    users = sa.Table(
        "users", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(100), unique=True),
        sa.Column("name", sa.String(100)),
        sa.Column("order", sa.Integer),  # a reserved word
        sa.Column("LoginCount", sa.Integer, default=0),  # mixed case
    )
    engine = sa.create_engine(lib.url)
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(users), [
            {"id": 1, "email": "a@x", "name": "Ann", "order": 1, "LoginCount": 1},
            {"id": 2, "email": "b@x", "name": "Bob", "order": 2, "LoginCount": 5},
        ])
    return engine, users


def _rows(lib: Any, conn: Any, table: Any) -> None:
    lib.out([tuple(r) for r in conn.execute(lib.sa.select(table).order_by(table.c.id))])


def test_do_nothing_with_and_without_target(compare):
    def scenario(lib):
        engine, users = _setup(lib)
        insert = lib.sqlite.insert
        with engine.begin() as conn:
            r = conn.execute(insert(users).values(id=1, email="new@x", name="N")
                             .on_conflict_do_nothing())
            lib.out("any", r.rowcount, r.inserted_primary_key)
            r = conn.execute(insert(users).values(id=3, email="a@x", name="N")
                             .on_conflict_do_nothing(index_elements=["email"]))
            lib.out("email", r.rowcount)
            r = conn.execute(insert(users).values(id=3, email="c@x", name="Cy")
                             .on_conflict_do_nothing(index_elements=[users.c.id]))
            lib.out("inserted", r.rowcount, r.inserted_primary_key)
            # the target names a column other than the one in conflict: the error stands
            try:
                conn.execute(insert(users).values(id=4, email="a@x")
                             .on_conflict_do_nothing(index_elements=["id"]))
            except lib.exc.IntegrityError:
                lib.out("IntegrityError")
            _rows(lib, conn, users)

    compare(scenario)


def test_do_update_with_excluded_keys_and_columns(compare):
    def scenario(lib):
        engine, users = _setup(lib)
        stmt = lib.sqlite.insert(users)
        with engine.begin() as conn:
            r = conn.execute(stmt.values(id=1, email="a@x", name="Anna", order=9).on_conflict_do_update(
                index_elements=["id"],
                set_={"name": stmt.excluded.name, users.c.order: stmt.excluded.order + 100,
                      "LoginCount": users.c.LoginCount + 1}))
            lib.out(r.rowcount)
            # set_ keyed by the column objects themselves, a literal and an expression
            r = conn.execute(stmt.values(id=2, email="b@x", name="ignored").on_conflict_do_update(
                index_elements=[users.c.email],
                set_={users.c.name: "Robert", users.c.LoginCount: stmt.excluded.LoginCount}))
            lib.out(r.rowcount)
            # no conflict: the row goes in as given
            r = conn.execute(stmt.values(id=3, email="c@x", name="Cy").on_conflict_do_update(
                index_elements=["id"], set_={"name": "never"}))
            lib.out(r.rowcount, r.inserted_primary_key)
            _rows(lib, conn, users)

    compare(scenario)


def test_do_update_where(compare):
    def scenario(lib):
        engine, users = _setup(lib)
        stmt = lib.sqlite.insert(users)
        upsert = stmt.on_conflict_do_update(
            index_elements=["id"], set_={"name": stmt.excluded.name},
            where=stmt.excluded.order > users.c.order)
        with engine.begin() as conn:
            lib.out(conn.execute(upsert, {"id": 1, "email": "a@x", "name": "Newer",
                                          "order": 5}).rowcount)
            lib.out(conn.execute(upsert, {"id": 2, "email": "b@x", "name": "Older",
                                          "order": 0}).rowcount)
            _rows(lib, conn, users)

    compare(scenario)


def test_returning_multi_row_values_and_executemany(compare):
    def scenario(lib):
        engine, users = _setup(lib)
        stmt = lib.sqlite.insert(users)
        with engine.begin() as conn:
            multi = stmt.values([
                {"id": 1, "email": "a@x", "name": "A2"},
                {"id": 5, "email": "e@x", "name": "Eve"},
            ]).on_conflict_do_update(index_elements=["id"], set_={"name": stmt.excluded.name})
            lib.out(sorted(tuple(r) for r in conn.execute(
                multi.returning(users.c.id, users.c.name))))
            many = stmt.on_conflict_do_update(
                index_elements=["email"],
                set_={"name": stmt.excluded.name + "!", "order": 7})
            r = conn.execute(many, [
                {"id": 10, "email": "b@x", "name": "Bee", "order": 0},
                {"id": 11, "email": "k@x", "name": "Kay", "order": 0},
            ])
            lib.out(r.rowcount)
            r = conn.execute(stmt.on_conflict_do_nothing().returning(users.c.id, users.c.email), [
                {"id": 1, "email": "dup@x"}, {"id": 12, "email": "l@x"},
                {"id": 13, "email": "a@x"}])
            lib.out([tuple(row) for row in r])
            _rows(lib, conn, users)

    compare(scenario)


def test_partial_index_target(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        items = sa.Table("items", md, sa.Column("id", sa.Integer, primary_key=True),
                         sa.Column("sku", sa.String(20)), sa.Column("active", sa.Boolean),
                         sa.Column("qty", sa.Integer))
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        stmt = lib.sqlite.insert(items)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE UNIQUE INDEX live_sku ON items (sku) WHERE active = 1")
            conn.execute(sa.insert(items), [
                {"id": 1, "sku": "x'1", "active": True, "qty": 1},
                {"id": 2, "sku": "x'1", "active": False, "qty": 1},
            ])
            r = conn.execute(stmt.values(id=3, sku="x'1", active=True, qty=5).on_conflict_do_update(
                index_elements=["sku"], index_where=items.c.active == True,  # noqa: E712
                set_={"qty": items.c.qty + stmt.excluded.qty}))
            lib.out(r.rowcount)
            r = conn.execute(stmt.values(id=4, sku="x'1", active=True, qty=5)
                             .on_conflict_do_nothing(index_elements=[items.c.sku],
                                                     index_where=items.c.active == True))  # noqa: E712
            lib.out(r.rowcount)
            _rows(lib, conn, items)

    compare(scenario)


def test_hostile_values_stay_parameters(compare):
    def scenario(lib):
        engine, users = _setup(lib)
        stmt = lib.sqlite.insert(users)
        with engine.begin() as conn:
            conn.execute(stmt.values(id=1, email=HOSTILE, name=HOSTILE).on_conflict_do_update(
                index_elements=["id"], set_={"name": stmt.excluded.name, "email": HOSTILE},
                where=users.c.name != HOSTILE))
            conn.execute(stmt.values(id=7, email="z@x", name=HOSTILE)
                         .on_conflict_do_nothing(index_elements=["email"]))
            _rows(lib, conn, users)
            lib.out(conn.execute(lib.sa.select(lib.sa.func.count()).select_from(users)).scalar())

    compare(scenario)


def test_mixed_case_and_quoted_table(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        table = sa.Table("Order Lines", md, sa.Column("Key", sa.String(10), primary_key=True),
                         sa.Column("select", sa.Integer), sa.Column("Total", sa.Integer))
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        stmt = lib.sqlite.insert(table)
        upsert = stmt.on_conflict_do_update(
            index_elements=[table.c.Key],
            set_={"select": table.c.select + stmt.excluded.select,
                  table.c.Total: stmt.excluded["Total"]},
            where=table.c.Total < stmt.excluded.Total)
        with engine.begin() as conn:
            conn.execute(upsert, [{"Key": "k", "select": 1, "Total": 1},
                                  {"Key": "k", "select": 2, "Total": 5},
                                  {"Key": "k", "select": 4, "Total": 3}])
            lib.out([tuple(r) for r in conn.execute(sa.select(table))])
            lib.out(sorted(stmt.excluded.keys()))

    compare(scenario)


def test_set_from_column_collection(compare):
    def scenario(lib):
        engine, users = _setup(lib)
        stmt = lib.sqlite.insert(users)
        with engine.begin() as conn:
            conn.execute(stmt.values(id=1, email="a@x", name="Z", order=3, LoginCount=9)
                         .on_conflict_do_update(index_elements=["id"], set_=stmt.excluded))
            _rows(lib, conn, users)

    compare(scenario)


def test_orm_session_upsert(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm

        class Base(orm.DeclarativeBase):
            pass

        class User(Base):
            __tablename__ = "users"
            id = orm.mapped_column(sa.Integer, primary_key=True)
            email = orm.mapped_column(sa.String(50), unique=True)
            name = orm.mapped_column(sa.String(50))

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        insert = lib.sqlite.insert
        with orm.Session(engine) as session:
            session.add(User(id=1, email="a@x", name="Ann"))
            session.commit()
            stmt = insert(User)
            r = session.execute(stmt.values(id=1, email="a@x", name="Anne").on_conflict_do_update(
                index_elements=[User.id], set_={User.name: stmt.excluded.name}))
            lib.out(r.rowcount)
            # ORM bulk INSERT: SQLAlchemy's result of it has no rowcount to compare
            session.execute(stmt.on_conflict_do_nothing(index_elements=[User.email]),
                            [{"id": 2, "email": "a@x", "name": "Dup"},
                             {"id": 3, "email": "c@x", "name": "Cy"}])
            rows = session.execute(stmt.values(id=4, email="d@x", name="Di")
                                   .on_conflict_do_nothing()
                                   .returning(User.id, User.name)).all()
            lib.out([tuple(row) for row in rows])
            session.commit()
            lib.out([(u.id, u.email, u.name) for u in
                     session.scalars(sa.select(User).order_by(User.id))])

    compare(scenario)


def test_misuse_errors(compare):
    def scenario(lib):
        engine, users = _setup(lib)
        stmt = lib.sqlite.insert(users)
        attempts = [
            lambda: stmt.on_conflict_do_update(index_elements=["id"], set_={}),
            lambda: stmt.on_conflict_do_update(index_elements=["id"]),
            lambda: stmt.on_conflict_do_update(index_elements=["id"], set_=[("name", "x")]),
            lambda: stmt.on_conflict_do_nothing().on_conflict_do_nothing(),
            lambda: stmt.on_conflict_do_nothing().on_conflict_do_update(
                index_elements=["id"], set_={"name": "x"}),
            lambda: stmt.on_conflict_do_update(index_elements=["id"], set_={"name": "x"},
                                               where="name = 'x'"),
        ]
        for attempt in attempts:
            try:
                attempt()
                lib.out("no error")
            except Exception as error:
                lib.out(type(error).__name__)
        with engine.begin() as conn:
            # a target with no unique index behind it: the database refuses
            try:
                conn.execute(stmt.values(id=1, name="x").on_conflict_do_nothing(
                    index_elements=["name"]))
            except lib.exc.OperationalError:
                lib.out("OperationalError")
        with engine.begin() as conn:
            # a set_ key naming no column: SQLAlchemy warns, then the database refuses
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    conn.execute(stmt.values(id=1).on_conflict_do_update(
                        index_elements=["id"], set_={"nosuch": 1}))
                except lib.exc.OperationalError:
                    lib.out("OperationalError")
            lib.out([type(w.message).__name__ for w in caught])
            _rows(lib, conn, users)

    compare(scenario)
