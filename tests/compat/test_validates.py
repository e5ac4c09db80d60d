"""``@validates``: on constructor keywords, assignment, and relationship collections."""

from typing import Optional


def _model(lib, calls):
    sa, orm = lib.sa, lib.orm

    class Base(orm.DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        email: orm.Mapped[Optional[str]] = orm.mapped_column(sa.String(50))
        age: orm.Mapped[Optional[int]]
        addresses: orm.Mapped[list["Address"]] = orm.relationship(back_populates="user")

        @orm.validates("name", "email")
        def _check(self, key, value):
            calls.append((key, value))
            if key == "email" and value is not None and "@" not in value:
                raise ValueError(f"bad email {value!r}")
            return value.strip() if value is not None else value

        @orm.validates("addresses", include_removes=True)
        def _check_address(self, key, address, is_remove):
            calls.append((key, address.street, is_remove))
            if not is_remove and address.street == "nowhere":
                raise ValueError("no address")
            return address

    class Address(Base):
        __tablename__ = "addresses"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        street: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        user_id: orm.Mapped[Optional[int]] = orm.mapped_column(sa.ForeignKey("users.id"))
        user: orm.Mapped[Optional[User]] = orm.relationship(back_populates="addresses")

        @orm.validates("user", include_backrefs=False)
        def _check_user(self, key, user):
            calls.append((key, user.name if user is not None else None))
            return user

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    return engine, User, Address


def test_validates_constructor_and_assignment(compare):
    def scenario(lib):
        calls = []
        engine, User, Address = _model(lib, calls)
        u = User(name="  ada ", age=36)
        lib.out(u.name, u.age, calls)
        del calls[:]
        u.email = "ada@example.com "
        lib.out(u.email, calls)
        try:
            u.email = "no-at-sign"
        except ValueError as error:
            lib.out(type(error).__name__, str(error))
        lib.out(u.email)
        try:
            User(name="x", email="bad")
        except ValueError as error:
            lib.out(type(error).__name__)
        del calls[:]
        with lib.orm.Session(engine) as s:
            s.add(u)
            s.commit()
            lib.out(calls)  # loading and expiring do not validate
            u.name = " grace"
            lib.out(s.is_modified(u), u.name)
            try:
                u.email = "wrong"
            except ValueError:
                lib.out("refused", u.email, s.is_modified(u))
            s.commit()
            lib.out(s.scalars(lib.sa.select(User.name)).all(), calls)

    compare(scenario)


def test_validates_collections(compare):
    def scenario(lib):
        calls = []
        engine, User, Address = _model(lib, calls)
        u = User(name="u")
        a1, a2, a3 = Address(street="a1"), Address(street="a2"), Address(street="a3")
        del calls[:]
        u.addresses.append(a1)
        lib.out(calls, a1.user is u)  # the backref's set of a1.user is not validated
        del calls[:]
        a2.user = u
        lib.out(calls, [a.street for a in u.addresses])
        del calls[:]
        u.addresses.remove(a1)
        lib.out(calls, [a.street for a in u.addresses], a1.user)
        del calls[:]
        try:
            u.addresses.append(Address(street="nowhere"))
        except ValueError as error:
            lib.out(type(error).__name__, [a.street for a in u.addresses])
        del calls[:]
        u.addresses = [a2, a3]
        lib.out(calls, [a.street for a in u.addresses])
        del calls[:]
        popped = u.addresses.pop()
        lib.out(popped.street, calls)
        del calls[:]
        v = User(name="v", addresses=[Address(street="b1")])
        lib.out(calls, [a.street for a in v.addresses])
        with lib.orm.Session(engine) as s:
            s.add_all([u, v])
            s.commit()
            del calls[:]
            loaded = s.scalars(lib.sa.select(User).order_by(User.id)).all()
            lib.out([[a.street for a in x.addresses] for x in loaded], calls)

    compare(scenario)


def test_validates_options_and_errors(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        calls = []
        engine, User, Address = _model(lib, calls)
        lib.out(sorted(orm.class_mapper(User).validators), sorted(
            (k, sorted(opts.items())) for k, (fn, opts) in
            orm.class_mapper(User).validators.items()))

        class Base(orm.DeclarativeBase):
            pass

        try:
            class Twice(Base):
                __tablename__ = "twice"
                id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
                name: orm.Mapped[str]

                @orm.validates("name")
                def one(self, key, value):
                    return value

                @orm.validates("name")
                def two(self, key, value):
                    return value

            orm.configure_mappers()
            lib.out("no error")
        except sa.exc.InvalidRequestError as error:
            lib.out(type(error).__name__)

    compare(scenario)
