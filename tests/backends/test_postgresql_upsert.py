"""INSERT … ON CONFLICT through ``dialects.postgresql.insert``, against SQLAlchemy on
PostgreSQL: constraint names and objects, partial indexes, excluded, RETURNING,
executemany, the ORM, and the exception classes of misuse."""

from __future__ import annotations

from typing import Any

HOSTILE = "it's a \\ \"quoted\" '; DROP TABLE users; --"


def _setup(lib: Any) -> tuple:
    sa = lib.sa
    md = sa.MetaData()
    users = sa.Table(
        "users", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(100)),
        sa.Column("name", sa.String(100)),
        sa.Column("order", sa.Integer),  # a reserved word
        sa.Column("LoginCount", sa.Integer, default=0),  # mixed case
        sa.UniqueConstraint("email", name="Users_Email_Key"),
    )
    engine = lib.engine()
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(users), [
            {"id": 1, "email": "a@x", "name": "Ann", "order": 1, "LoginCount": 1},
            {"id": 2, "email": "b@x", "name": "Bob", "order": 2, "LoginCount": 5},
        ])
    return engine, users


def _rows(lib: Any, conn: Any, table: Any) -> None:
    lib.out([tuple(r) for r in conn.execute(lib.sa.select(table).order_by(table.c.id))])


def test_do_nothing_targets(pg_compare):
    def scenario(lib):
        engine, users = _setup(lib)
        insert = lib.pg.insert
        with engine.begin() as conn:
            for stmt in (
                insert(users).values(id=1, email="n@x").on_conflict_do_nothing(),
                insert(users).values(id=3, email="a@x").on_conflict_do_nothing(
                    index_elements=["email"]),
                insert(users).values(id=3, email="a@x").on_conflict_do_nothing(
                    constraint="Users_Email_Key"),
                insert(users).values(id=1, email="z@x").on_conflict_do_nothing(
                    constraint=users.primary_key),
                insert(users).values(id=4, email="d@x").on_conflict_do_nothing(
                    index_elements=[users.c.id]),
            ):
                lib.out(conn.execute(stmt.returning(users.c.id)).all())
            _rows(lib, conn, users)

    pg_compare(scenario)


def test_do_update_excluded_where_and_constraint(pg_compare):
    def scenario(lib):
        engine, users = _setup(lib)
        stmt = lib.pg.insert(users)
        with engine.begin() as conn:
            by_keys = stmt.on_conflict_do_update(
                index_elements=["id"],
                set_={"name": stmt.excluded.name, "order": stmt.excluded.order + 100,
                      "LoginCount": users.c.LoginCount + 1})
            lib.out(conn.execute(by_keys.values(id=1, email="a@x", name="Anna", order=9)
                                 .returning(users.c.name, users.c.order,
                                            users.c.LoginCount)).all())
            by_constraint = stmt.on_conflict_do_update(
                constraint="Users_Email_Key",
                set_={users.c.name: "Robert", users.c.LoginCount: stmt.excluded.LoginCount},
                where=users.c.order < stmt.excluded.order)
            lib.out(conn.execute(by_constraint.values(id=9, email="b@x", order=5)
                                 .returning(users.c.id, users.c.name)).all())
            lib.out(conn.execute(by_constraint.values(id=9, email="b@x", order=0)
                                 .returning(users.c.id)).all())
            by_object = stmt.on_conflict_do_update(
                constraint=[c for c in users.constraints
                            if getattr(c, "name", None) == "Users_Email_Key"][0],
                set_={"name": HOSTILE})
            conn.execute(by_object.values(id=9, email="a@x", name=HOSTILE))
            _rows(lib, conn, users)

    pg_compare(scenario)


def test_multi_row_values_and_executemany(pg_compare):
    def scenario(lib):
        engine, users = _setup(lib)
        stmt = lib.pg.insert(users)
        with engine.begin() as conn:
            multi = stmt.values([
                {"id": 1, "email": "a@x", "name": "A2"},
                {"id": 5, "email": "e@x", "name": HOSTILE},
            ]).on_conflict_do_update(index_elements=["id"], set_={"name": stmt.excluded.name})
            lib.out(sorted(tuple(r) for r in conn.execute(
                multi.returning(users.c.id, users.c.name))))
            many = stmt.on_conflict_do_update(
                index_elements=["email"], set_={"name": stmt.excluded.name + "!", "order": 7})
            conn.execute(many, [
                {"id": 10, "email": "b@x", "name": "Bee", "order": 0},
                {"id": 11, "email": "k@x", "name": "Kay", "order": 0},
            ])
            r = conn.execute(stmt.on_conflict_do_nothing().returning(users.c.id, users.c.email), [
                {"id": 1, "email": "dup@x"}, {"id": 12, "email": "l@x"},
                {"id": 13, "email": "a@x"}])
            lib.out(sorted(tuple(row) for row in r))
            _rows(lib, conn, users)

    pg_compare(scenario)


def test_partial_index_targets(pg_compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        items = sa.Table("items", md, sa.Column("id", sa.Integer, primary_key=True),
                         sa.Column("sku", sa.String(20)), sa.Column("active", sa.Boolean),
                         sa.Column("qty", sa.Integer))
        engine = lib.engine()
        md.create_all(engine)
        stmt = lib.pg.insert(items)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE UNIQUE INDEX live_sku ON items (sku) WHERE active")
            conn.exec_driver_sql("CREATE UNIQUE INDEX big_qty ON items (qty) WHERE qty > 100")
            conn.execute(sa.insert(items), [
                {"id": 1, "sku": "x'1", "active": True, "qty": 1},
                {"id": 2, "sku": "x'1", "active": False, "qty": 500},
            ])
            lib.out(conn.execute(stmt.values(id=3, sku="x'1", active=True, qty=5)
                                 .on_conflict_do_update(
                                     index_elements=["sku"], index_where=items.c.active,
                                     set_={"qty": items.c.qty + stmt.excluded.qty})
                                 .returning(items.c.id, items.c.qty)).all())
            lib.out(conn.execute(stmt.values(id=4, sku="y", active=False, qty=500)
                                 .on_conflict_do_nothing(index_elements=[items.c.qty],
                                                         index_where=items.c.qty > 100)
                                 .returning(items.c.id)).all())
            index = sa.Index("live_sku", items.c.sku, postgresql_where=items.c.active)
            lib.out(conn.execute(stmt.values(id=5, sku="x'1", active=True, qty=1)
                                 .on_conflict_do_nothing(constraint=index)
                                 .returning(items.c.id)).all())
            _rows(lib, conn, items)

    pg_compare(scenario)


def test_orm_session_upsert(pg_compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm

        class Base(orm.DeclarativeBase):
            pass

        class User(Base):
            __tablename__ = "users"
            id = orm.mapped_column(sa.Integer, primary_key=True)
            email = orm.mapped_column(sa.String(50), unique=True)
            name = orm.mapped_column(sa.String(50))

        engine = lib.engine()
        Base.metadata.create_all(engine)
        insert = lib.pg.insert
        with orm.Session(engine) as session:
            session.add(User(id=1, email="a@x", name="Ann"))
            session.commit()
            stmt = insert(User)
            session.execute(stmt.values(id=1, email="a@x", name="Anne").on_conflict_do_update(
                index_elements=[User.id], set_={User.name: stmt.excluded.name}))
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

    pg_compare(scenario)


def test_misuse_errors(pg_compare):
    def scenario(lib):
        engine, users = _setup(lib)
        stmt = lib.pg.insert(users)
        attempts = [
            lambda: stmt.on_conflict_do_update(constraint="Users_Email_Key",
                                               index_elements=["email"], set_={"name": "x"}),
            lambda: stmt.on_conflict_do_nothing(constraint="c", index_elements=["id"]),
            lambda: stmt.on_conflict_do_update(set_={"name": "x"}),
            lambda: stmt.on_conflict_do_update(index_where=users.c.id > 1, set_={"name": "x"}),
            lambda: stmt.on_conflict_do_update(index_elements=["id"], set_={}),
            lambda: stmt.on_conflict_do_update(index_elements=["id"]),
            lambda: stmt.on_conflict_do_nothing().on_conflict_do_nothing(),
        ]
        for attempt in attempts:
            try:
                attempt()
                lib.out("no error")
            except Exception as error:
                lib.out(type(error).__name__)
        for bad in (stmt.values(id=1).on_conflict_do_nothing(constraint="no_such_constraint"),
                    stmt.values(id=1).on_conflict_do_nothing(index_elements=["name"])):
            try:
                with engine.begin() as conn:
                    conn.execute(bad)
            except lib.exc.DBAPIError as error:
                lib.out(type(error).__name__)
        with engine.begin() as conn:
            _rows(lib, conn, users)

    pg_compare(scenario)
