"""SQLAlchemy's top-level names beyond the everyday ones: ``extract()``, the function
forms ``join`` / ``outerjoin`` / ``alias``, and classes programs import for
``isinstance`` checks and type hints."""

import datetime as dt


def _events(lib):
    sa, orm = lib.sa, lib.orm

    class Base(orm.DeclarativeBase):
        pass

    class Owner(Base):
        __tablename__ = "owner"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str]

    class Event(Base):
        __tablename__ = "event"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        at: orm.Mapped[dt.datetime]
        day: orm.Mapped[dt.date]
        owner_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("owner.id"))

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    session = orm.Session(engine)
    session.add_all([Owner(id=1, name="ann"), Owner(id=2, name="bob")])
    session.commit()  # SQLAlchemy orders INSERTs by relationship(), not by ForeignKey
    session.add_all([
        Event(at=dt.datetime(2024, 2, 29, 13, 45, 7), day=dt.date(2024, 2, 29), owner_id=1),
        Event(at=dt.datetime(2023, 12, 31, 23, 59, 59), day=dt.date(2023, 12, 31), owner_id=1),
        Event(at=dt.datetime(2024, 7, 4, 0, 0, 0), day=dt.date(2024, 7, 4), owner_id=None),
    ])
    session.commit()
    return engine, session, Owner, Event


def test_extract_parts_of_dates_and_times(compare):
    def scenario(lib):
        sa = lib.sa
        engine, session, _Owner, Event = _events(lib)
        for field in ("year", "month", "day", "hour", "minute", "second"):
            lib.out(field, [int(v) for v in session.scalars(
                sa.select(sa.extract(field, Event.at)).order_by(Event.id))])
        lib.out([int(v) for v in session.scalars(
            sa.select(sa.extract("month", Event.day)).order_by(Event.id))])
        by_year = session.execute(
            sa.select(sa.extract("year", Event.at).label("y"), sa.func.count())
            .group_by("y").order_by("y")).all()
        lib.out([(int(y), n) for y, n in by_year])
        lib.out(sorted(session.scalars(sa.select(Event.id).where(
            sa.extract("year", Event.at) == 2024))))
        session.close()
        engine.dispose()

    compare(scenario)


def test_join_outerjoin_and_alias_functions(compare):
    def scenario(lib):
        sa = lib.sa
        engine, session, Owner, Event = _events(lib)
        inner = sa.select(Owner.name, Event.id).select_from(sa.join(Owner, Event))
        lib.out(sorted(session.execute(inner).all()))
        outer = sa.select(Owner.name, sa.func.count(Event.id)).select_from(
            sa.outerjoin(Owner, Event, Owner.id == Event.owner_id)).group_by(Owner.name)
        lib.out(sorted(session.execute(outer).all()))
        renamed = sa.alias(Owner.__table__, "o")
        lib.out(session.execute(sa.select(renamed.c.name).where(renamed.c.id == 2)).all())
        session.close()
        engine.dispose()

    compare(scenario)


def test_classes_programs_import(compare):
    def scenario(lib):
        sa = lib.sa
        names = ["BINARY", "CLOB", "DOUBLE", "DOUBLE_PRECISION", "INT", "NVARCHAR",
                 "VARBINARY", "Computed", "Constraint", "ColumnDefault", "DefaultClause",
                 "FetchedValue", "BindParameter", "ClauseElement", "ColumnElement",
                 "TextClause", "Label", "CTE", "Exists", "FromClause", "Join", "Subquery",
                 "TableClause", "ScalarResult", "Transaction", "Inspector", "NullPool",
                 "QueuePool", "StaticPool", "Pool"]
        lib.out([hasattr(sa, n) for n in names])
        engine = sa.create_engine(lib.url)
        with engine.connect() as conn:
            lib.out(isinstance(conn.begin(), sa.Transaction))
            lib.out(isinstance(conn.execute(sa.select(sa.literal(1))).scalars(),
                               sa.ScalarResult))
        lib.out(isinstance(sa.inspect(engine), sa.Inspector))
        column = sa.column("x")
        lib.out(isinstance(column, sa.ColumnElement), isinstance(column, sa.ClauseElement))
        lib.out(isinstance(sa.text("1"), sa.TextClause), isinstance(column.label("y"), sa.Label))
        lib.out(isinstance(sa.bindparam("p"), sa.BindParameter), sa.INT is sa.INTEGER)
        lib.out(str(sa.DOUBLE_PRECISION()), str(sa.INT()))
        engine.dispose()

    compare(scenario)


def test_result_keys_of_aliased_entities(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, session, Owner, _Event = _events(lib)
        anonymous, named = orm.aliased(Owner), orm.aliased(Owner, name="other")
        both = sa.select(Owner, anonymous).join(anonymous, anonymous.id != Owner.id)
        lib.out(list(session.execute(both).keys()), session.execute(both).first()._fields)
        lib.out(session.execute(sa.select(Owner, named).join(named, named.id != Owner.id))
                .first()._fields)
        lib.out(session.execute(sa.select(anonymous)).first()._fields)
        lib.out(session.query(Owner, anonymous).join(anonymous, anonymous.id != Owner.id)
                .first()._fields)
        session.close()
        engine.dispose()

    compare(scenario)


def test_label_collate_and_orm_join_functions(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, session, Owner, Event = _events(lib)
        named = sa.label("n", Owner.name)
        lib.out(session.execute(sa.select(named).order_by(named)).all())
        lib.out(list(session.execute(sa.select(sa.label("k", sa.literal(5)))).keys()))
        lib.out(session.scalars(sa.select(Owner.name).where(
            sa.collate(Owner.name, "C") == "ann")).all() if lib.url.startswith("postgresql")
            else session.scalars(sa.select(Owner.name).where(
                sa.collate(Owner.name, "NOCASE") == "ANN")).all())
        lib.out(sorted(session.execute(sa.select(Owner.name, Event.id).select_from(
            orm.join(Owner, Event))).all()))
        lib.out(sorted(session.execute(sa.select(Owner.name).select_from(
            orm.outerjoin(Owner, Event)).distinct()).scalars()))

        @orm.declarative_mixin
        class Mixin:
            pass

        lib.out(Mixin.__name__)
        session.close()
        engine.dispose()

    compare(scenario)


def test_printed_statements_name_parameters_as_sqlalchemy(compare):
    """``print(stmt)``: values compared with a column print as ``:name_1``, INSERT and
    UPDATE values as ``:name``, LIMIT on a line of its own, as SQLAlchemy prints them."""

    def scenario(lib):
        sa = lib.sa
        _engine, session, Owner, Event = _events(lib)
        for stmt in (
            sa.select(Owner).where(Owner.name == "ann"),
            sa.select(Owner.id).where(sa.and_(Owner.name == "a", sa.or_(
                Owner.id > 2, Owner.name.is_(None)))).order_by(Owner.name.desc()).limit(5),
            sa.insert(Owner).values(name="x"),
            sa.update(Owner).where(Owner.id == 5).values(name="y"),
            sa.delete(Event).where(Event.owner_id == 1),
        ):
            lib.out(str(stmt))
        session.close()
        _engine.dispose()

    compare(scenario)
