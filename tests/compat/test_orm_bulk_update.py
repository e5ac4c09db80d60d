"""ORM bulk UPDATE by primary key: ``session.execute(update(User), [dicts])``."""


def _users(lib):
    sa, orm = lib.sa, lib.orm

    class Base(orm.DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str] = orm.mapped_column(sa.String(20))
        fullname: orm.Mapped[str | None] = orm.mapped_column(sa.String(40))

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    session = orm.Session(engine)
    session.add_all([User(id=i, name=f"n{i}", fullname=f"f{i}") for i in range(1, 6)])
    session.commit()
    return engine, session, User


def _table(lib, session, User):
    return session.execute(lib.sa.select(User.id, User.name, User.fullname)
                           .order_by(User.id)).all()


def _tried(action):
    try:
        action()
        return "ok"
    except Exception as error:
        return type(error).__name__


def test_rows_by_key_grouped_by_the_attributes_they_set(compare):
    def scenario(lib):
        sa = lib.sa
        engine, session, User = _users(lib)
        held = session.get(User, 1)
        lib.out(held.fullname)
        session.execute(sa.update(User), [
            {"id": 1, "fullname": "One"}, {"id": 2, "fullname": "Two"},
            {"id": 3, "name": "three", "fullname": None}, {"id": 4, "name": "four"}])
        lib.out(held.fullname, held.name)  # the object in the Session took the value
        lib.out(_table(lib, session, User))
        session.commit()
        lib.out(_table(lib, session, User))
        engine.dispose()

    compare(scenario)


def test_misuse_and_missing_rows(compare):
    def scenario(lib):
        sa = lib.sa
        engine, session, User = _users(lib)
        lib.out(_tried(lambda: session.execute(sa.update(User), [{"fullname": "no key"}])))
        session.rollback()
        lib.out(_tried(lambda: session.execute(sa.update(User), [{"id": 99, "name": "gone"}])))
        session.rollback()
        lib.out(_tried(lambda: session.execute(
            sa.update(User).where(User.name == "n1"), [{"id": 1, "fullname": "w"}])))
        session.rollback()
        lib.out(_tried(lambda: session.execute(
            sa.update(User).where(User.name == "n1").execution_options(
                synchronize_session=None), [{"id": 1, "fullname": "w"},
                                            {"id": 2, "fullname": "not n1"}])))
        session.commit()
        lib.out(_table(lib, session, User))
        engine.dispose()

    compare(scenario)
