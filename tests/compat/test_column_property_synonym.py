"""``column_property(expr)`` loaded with its object, and ``synonym(name)``."""

from typing import Optional


def _model(lib):
    sa, orm = lib.sa, lib.orm

    class Base(orm.DeclarativeBase):
        pass

    class Address(Base):
        __tablename__ = "addresses"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        user_id: orm.Mapped[Optional[int]] = orm.mapped_column(sa.ForeignKey("users.id"))
        email: orm.Mapped[str] = orm.mapped_column(sa.String(50))

    class User(Base):
        __tablename__ = "users"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        first: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        last: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        full = orm.column_property(first + " " + last)
        address_count = orm.column_property(
            sa.select(sa.func.count(Address.id)).where(Address.user_id == id)
            .correlate_except(Address).scalar_subquery())
        shout = orm.column_property(sa.func.upper(first), deferred=True)
        given_name = orm.synonym("first")

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    with orm.Session(engine) as s:
        s.add_all([User(id=1, first="Ada", last="Lovelace"), User(id=2, first="Al", last="Turing")])
        s.flush()
        s.add_all([Address(user_id=1, email="a@x"), Address(user_id=1, email="b@x"),
                   Address(user_id=2, email="c@x")])
        s.commit()
    return engine, User, Address


def test_column_property_loaded_refreshed_and_queried(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User, Address = _model(lib)
        with orm.Session(engine) as s:
            users = s.scalars(sa.select(User).order_by(User.id)).all()
            lib.out([(u.full, u.address_count) for u in users])
            unloaded = lib.inspect(users[0]).unloaded
            lib.out("shout" in unloaded, "full" in unloaded)  # shout is deferred
            lib.out(users[0].shout)
            s.add(Address(user_id=1, email="d@x"))
            users[0].last = "King"
            s.flush()
            unloaded = lib.inspect(users[0]).unloaded
            lib.out("full" in unloaded, "address_count" in unloaded, users[0].full)
            s.expire(users[0])
            lib.out(users[0].address_count)
            s.refresh(users[1])
            lib.out(users[1].full)
            lib.out(s.scalars(sa.select(User.id).where(User.address_count > 1)).all())
            lib.out(s.scalars(sa.select(User.full).order_by(User.full.desc())).all())
            lib.out(s.query(User.id).filter(User.full == "Al Turing").scalar())
            lib.out([u.id for u in s.query(User).order_by(User.address_count, User.id)])
            new = User(first="Grace", last="Hopper")
            lib.out(new.full, new.address_count)
            s.add(new)
            s.commit()
            lib.out(new.full, new.address_count)

    compare(scenario)


def test_synonym_get_set_query(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User, Address = _model(lib)
        with orm.Session(engine) as s:
            u = s.get(User, 1)
            lib.out(u.given_name)
            u.given_name = "Augusta"
            lib.out(u.first, s.is_modified(u))
            s.commit()
            lib.out(s.scalars(sa.select(User.given_name).order_by(User.id)).all())
            rows = s.execute(sa.select(User.given_name).where(User.id == 1)).all()
            lib.out(list(rows[0]._fields))
            lib.out(s.query(User).filter_by(given_name="Al").one().id)
            lib.out(s.scalars(sa.select(User.id).where(User.given_name.startswith("Au"))).all())
            v = User(given_name="Edsger", last="Dijkstra")
            lib.out(v.first)
            mapper = lib.inspect(User)
            lib.out(sorted(mapper.synonyms.keys()), "full" in mapper.column_attrs.keys())

    compare(scenario)


def test_column_property_and_synonym_misuse(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm

        class Base(orm.DeclarativeBase):
            pass

        class Thing(Base):
            __tablename__ = "things"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            alias = orm.synonym("missing")

        try:
            sa.select(Thing.alias)
            lib.out("no error")
        except (sa.exc.InvalidRequestError, AttributeError) as error:
            lib.out(type(error).__name__)

    compare(scenario)
