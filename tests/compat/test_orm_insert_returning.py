"""``insert(User).returning(User)``: new rows back as persistent objects."""

import datetime as dt


def _model(lib):
    sa, orm = lib.sa, lib.orm

    class Base(orm.DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str] = orm.mapped_column(sa.String(20))
        fullname: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))
        created: orm.Mapped[dt.datetime] = orm.mapped_column(server_default=sa.func.now())

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    return engine, User


def test_objects_columns_and_identity(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _model(lib)
        with orm.Session(engine) as session:
            users = session.scalars(sa.insert(User).returning(User), [
                {"name": "a", "fullname": "A"}, {"name": "b", "fullname": "B"}, {"name": "c"}]
            ).all()
            lib.out([(u.id, u.name, u.fullname, isinstance(u.created, dt.datetime))
                     for u in users])
            lib.out([lib.inspect(u).persistent for u in users], session.get(User, 1) is users[0])
            rows = session.execute(sa.insert(User).returning(User.id, User),
                                   [{"name": "d"}, {"name": "e"}]).all()
            lib.out([(r[0], r[1].name) for r in rows], list(rows[0]._fields))
            single = session.scalar(sa.insert(User).returning(User).values(name="single"))
            lib.out(single.id, single.name)
            session.rollback()
            lib.out(lib.inspect(single).transient or lib.inspect(single).detached)
            lib.out(session.execute(sa.select(sa.func.count()).select_from(User)).scalar())
        engine.dispose()

    compare(scenario)
