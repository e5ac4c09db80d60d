"""Tables read back from the database: ``Table(autoload_with=)`` and ``MetaData.reflect()``.

Each scenario creates its tables, reflects them into a new MetaData and records
what a program would look at (names, types as rendered, nullability, keys,
defaults, foreign keys, unique constraints, indexes), then uses the reflected
tables for Core and ORM work.  The compat suite runs again on PostgreSQL
(tests/backends/test_compat_on_postgresql.py), so the scenarios stay portable.
"""


def _schema(lib):
    sa = lib.sa
    metadata = sa.MetaData()
    sa.Table(
        "parent", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(30), nullable=False, server_default="x"),
        sa.Column("score", sa.Numeric(10, 2)),
        sa.Column("note", sa.Text),
        sa.Column("flag", sa.Boolean),
        sa.Column("born", sa.Date),
        sa.UniqueConstraint("name", name="uq_parent_name"),
    )
    sa.Table(
        "child", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id", ondelete="CASCADE")),
        sa.Column("amount", sa.Float),
        sa.Column("label", sa.String(10)),
        sa.Index("ix_child_amount", "amount"),
        sa.Index("ix_child_label_amount", "label", "amount", unique=True),
    )
    engine = sa.create_engine(lib.url)
    metadata.create_all(engine)
    return engine


def _describe(table):
    columns = [(c.name, str(c.type), c.nullable, c.primary_key,
                c.server_default is not None,
                sorted(fk.target_fullname for fk in c.foreign_keys)) for c in table.columns]
    uniques = sorted([c.name for c in u.columns] for u in table.constraints
                     if type(u).__name__ == "UniqueConstraint")
    indexes = sorted((i.name, [c.name for c in i.columns], bool(i.unique))
                     for i in table.indexes)
    return (table.name, columns, [c.name for c in table.primary_key.columns], uniques,
            indexes)


def test_table_autoload_with_reflects_the_referenced_table_too(compare):
    def scenario(lib):
        sa = lib.sa
        engine = _schema(lib)
        metadata = sa.MetaData()
        child = sa.Table("child", metadata, autoload_with=engine)
        lib.out(sorted(metadata.tables))
        for table in metadata.sorted_tables:
            lib.out(_describe(table))
        fk = next(iter(child.c.parent_id.foreign_keys))
        lib.out(fk.column.table is metadata.tables["parent"], fk.ondelete)
        engine.dispose()

    compare(scenario)


def test_metadata_reflect_all_only_and_a_callable(compare):
    def scenario(lib):
        sa = lib.sa
        engine = _schema(lib)
        everything = sa.MetaData()
        everything.reflect(engine)
        lib.out(sorted(everything.tables))
        only = sa.MetaData()
        only.reflect(engine, only=["parent"])
        lib.out(sorted(only.tables))
        picked = sa.MetaData()
        picked.reflect(engine, only=lambda name, _metadata: name.startswith("ch"))
        lib.out(sorted(picked.tables))
        try:
            sa.MetaData().reflect(engine, only=["parent", "nope"])
        except lib.exc.InvalidRequestError as error:
            lib.out(type(error).__name__)
        try:
            sa.Table("nope", sa.MetaData(), autoload_with=engine)
        except lib.exc.NoSuchTableError as error:
            lib.out(type(error).__name__)
        engine.dispose()

    compare(scenario)


def test_declared_columns_win_and_include_columns_limits(compare):
    def scenario(lib):
        sa = lib.sa
        engine = _schema(lib)
        metadata = sa.MetaData()
        parent = sa.Table("parent", metadata,
                          sa.Column("note", sa.String(5)),  # declared: overrides TEXT
                          autoload_with=engine, include_columns=["id", "name", "note"])
        lib.out(_describe(parent))
        engine.dispose()

    compare(scenario)


def test_reflected_tables_serve_core_and_orm(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine = _schema(lib)
        metadata = sa.MetaData()
        metadata.reflect(engine)
        parent, child = metadata.tables["parent"], metadata.tables["child"]
        with engine.begin() as conn:
            key = conn.execute(parent.insert().values(name="ann", score=1.5)).inserted_primary_key
            lib.out(tuple(key))
            conn.execute(child.insert(), [{"parent_id": key[0], "amount": 2.5, "label": "a"},
                                          {"parent_id": key[0], "amount": 3.5, "label": "b"}])

        class Base(orm.DeclarativeBase):
            pass

        class Parent(Base):
            __table__ = parent
            children = orm.relationship("Child", order_by=child.c.id)

        class Child(Base):
            __table__ = child

        with orm.Session(engine) as session:
            found = session.scalars(sa.select(Parent)).one()
            lib.out(found.name, found.note, [c.amount for c in found.children])
            session.add(Parent(name="bob", children=[Child(amount=9.0, label="z")]))
            session.commit()
            lib.out(session.execute(
                sa.select(Parent.name, sa.func.count(Child.id)).join(Parent.children)
                .group_by(Parent.name).order_by(Parent.name)).all())
        engine.dispose()

    compare(scenario)


def test_inspector_unique_constraints(compare):
    def scenario(lib):
        sa = lib.sa
        engine = _schema(lib)
        with engine.begin() as conn:
            conn.exec_driver_sql(
                'CREATE TABLE "odd" (a INTEGER, "B c" INTEGER, d INTEGER UNIQUE, '
                'CONSTRAINT "Named One" UNIQUE (a, "B c"))')
        inspector = sa.inspect(engine)
        for name in ("parent", "child", "odd"):
            found = inspector.get_unique_constraints(name)
            lib.out(name, sorted((u["column_names"], u["name"] is not None) for u in found))
            lib.out(sorted(u["name"] for u in found if u["name"] == "Named One"))
        engine.dispose()

    compare(scenario)


def test_partial_index_is_created_with_its_where(compare):
    """``Index(..., sqlite_where=, postgresql_where=)``: a partial unique index only
    constrains the rows its WHERE selects."""

    def scenario(lib):
        sa = lib.sa
        metadata = sa.MetaData()
        account = sa.Table(
            "account", metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("email", sa.String(40)),
            sa.Column("active", sa.Boolean),
        )
        active = account.c.active == sa.true()
        sa.Index("uq_active_email", account.c.email, unique=True,
                 sqlite_where=active, postgresql_where=active)
        engine = sa.create_engine(lib.url)
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(account.insert(), [{"email": "a@x", "active": False},
                                            {"email": "a@x", "active": False},
                                            {"email": "a@x", "active": True}])
        try:
            with engine.begin() as conn:
                conn.execute(account.insert().values(email="a@x", active=True))
        except lib.exc.IntegrityError as error:
            lib.out(type(error).__name__)
        with engine.connect() as conn:
            lib.out(conn.execute(sa.select(sa.func.count()).select_from(account)).scalar())
        lib.out([i["name"] for i in sa.inspect(engine).get_indexes("account")])
        engine.dispose()

    compare(scenario)
