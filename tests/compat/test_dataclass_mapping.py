"""Declarative dataclass mapping: MappedAsDataclass and registry.mapped_as_dataclass."""

import dataclasses
import re
from typing import Optional


def _r(obj):
    """dataclasses' repr with the class path (``scenario.<locals>.``) removed."""
    return re.sub(r"[\w]+\.<locals>\.", "", repr(obj))


def _models(lib, **class_args):
    sa, orm = lib.sa, lib.orm
    Mapped, mapped_column, relationship = orm.Mapped, orm.mapped_column, orm.relationship

    class Base(orm.MappedAsDataclass, orm.DeclarativeBase, **class_args):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(init=False, primary_key=True)
        name: Mapped[str]
        fullname: Mapped[Optional[str]] = mapped_column(default=None)
        status: Mapped[str] = mapped_column(sa.String(10), default="new", repr=False)
        score: Mapped[Optional[int]] = mapped_column(insert_default=3, default=None)
        tags: Mapped[list] = mapped_column(sa.JSON, default_factory=list, compare=False)
        addresses: Mapped[list["Address"]] = relationship(default_factory=list,
                                                          back_populates="user")

    class Address(Base):
        __tablename__ = "addresses"
        id: Mapped[int] = mapped_column(init=False, primary_key=True)
        email: Mapped[str]
        user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"), init=False)
        user: Mapped[Optional[User]] = relationship(default=None, back_populates="addresses")

    return Base, User, Address


def test_dataclass_fields_repr_eq(compare):
    def scenario(lib):
        Base, User, Address = _models(lib)
        lib.out(dataclasses.is_dataclass(User), [f.name for f in dataclasses.fields(User)])
        lib.out([(f.name, f.init, f.repr, f.compare) for f in dataclasses.fields(User)])
        u = User("ann")
        lib.out(_r(u))
        lib.out(u == User("ann"), u == User("bob"), u == User("ann", tags=["x"]))
        lib.out(User.__hash__ is None)
        a = Address("a@x", user=u)
        lib.out(u.addresses == [a], _r(a))
        for call in (lambda: User(), lambda: User("a", bogus=1), lambda: User("a", id=5),
                     lambda: Address()):
            try:
                call()
            except Exception as error:  # the class is compared, not the message
                lib.out(type(error).__name__)
        table = User.__table__
        for c in table.columns:
            lib.out(c.key, str(c.type), c.nullable, c.primary_key,
                    c.default.arg if c.default is not None else None)

    compare(scenario)


def test_dataclass_round_trip_and_load_bypasses_init(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Base, User, Address = _models(lib)
        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            u = User("ann", fullname="Ann A", tags=["t"])
            u.addresses.append(Address("a@x"))
            s.add(u)
            s.add(User("bob", status="old", score=7))
            lib.out(len(s.new))
            s.commit()
            lib.out(_r(u))
        calls = []
        original = User.__init__

        def counting_init(self, *args, **kw):
            calls.append(args)
            original(self, *args, **kw)

        User.__init__ = counting_init
        try:
            with orm.Session(engine) as s:
                users = s.scalars(sa.select(User).order_by(User.id)).all()
                lib.out([_r(x) for x in users], calls)
                lib.out([(x.name, x.status, x.score, x.tags) for x in users])
                lib.out(users[0].addresses[0].user is users[0])
                users[1].name = "bobby"
                s.commit()
                lib.out(s.scalar(sa.select(User.name).where(User.id == 2)))
        finally:
            User.__init__ = original

    compare(scenario)


def test_dataclass_class_arguments(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column
        Base, User, _ = _models(lib, unsafe_hash=True, kw_only=True)
        lib.out(dataclasses.is_dataclass(Base), User.__hash__ is not None)
        try:
            User("ann")
        except TypeError:
            lib.out("positional refused")
        lib.out(_r(User(name="ann")), hash(User(name="a")) == hash(User(name="a")))

        class Plain(orm.DeclarativeBase):
            pass

        class Version(orm.MappedAsDataclass, Plain, order=True, repr=False):
            __tablename__ = "versions"
            id: Mapped[int] = mapped_column(primary_key=True)
            note: Mapped[str] = mapped_column(default="", compare=False)

        lib.out(Version(1) < Version(2), Version(1, "a") == Version(1, "b"),
                "object at" in repr(Version(1)), Version.__hash__ is None)
        engine = sa.create_engine(lib.url)
        Plain.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add_all([Version(2, "b"), Version(1, "a")])
            s.commit()
            lib.out([(v.id, v.note) for v in sorted(s.scalars(sa.select(Version)))])

    compare(scenario)


def test_registry_mapped_as_dataclass(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column
        reg = orm.registry()

        @reg.mapped_as_dataclass
        class Widget:
            __tablename__ = "widgets"
            id: Mapped[int] = mapped_column(primary_key=True)
            label: Mapped[Optional[str]] = mapped_column(default=None, kw_only=True)

        @reg.mapped_as_dataclass(eq=False)
        class Gadget:
            __tablename__ = "gadgets"
            id: Mapped[int] = mapped_column(primary_key=True)

        lib.out(_r(Widget(3, label="a")), Widget(3) == Widget(3))
        lib.out(Gadget(1) == Gadget(1), Gadget.__hash__ is object.__hash__)
        engine = sa.create_engine(lib.url)
        reg.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add_all([Widget(1, label="x"), Gadget(2)])
            s.commit()
            lib.out(_r(s.get(Widget, 1)), s.get(Gadget, 2).id)

    compare(scenario)


def test_dataclass_mixin_and_field_errors(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.MappedAsDataclass, orm.DeclarativeBase):
            pass

        class Stamped(orm.MappedAsDataclass):
            created: Mapped[int] = mapped_column(default=0)

        class Note(Stamped, Base):
            __tablename__ = "notes"
            id: Mapped[int] = mapped_column(primary_key=True, default=None)

        lib.out([f.name for f in dataclasses.fields(Note)], _r(Note()), _r(Note(5, 1)))
        try:
            class Bad(Base):
                __tablename__ = "bad"
                id: Mapped[int] = mapped_column(primary_key=True, default=None)
                x: Mapped[int]
        except Exception as error:
            lib.out(type(error).__name__, "Bad" in str(error))
        try:
            class Mutable(Base):
                __tablename__ = "mutable"
                id: Mapped[int] = mapped_column(primary_key=True, default=None)
                data: Mapped[list] = mapped_column(sa.JSON, default=[])
        except Exception as error:
            lib.out(type(error).__name__, "Mutable" in str(error))

    compare(scenario)


def test_dataclass_validators_run_in_init(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.MappedAsDataclass, orm.DeclarativeBase):
            pass

        class Account(Base):
            __tablename__ = "accounts"
            id: Mapped[int] = mapped_column(init=False, primary_key=True)
            email: Mapped[str]

            @orm.validates("email")
            def _lower(self, key, value):
                if "@" not in value:
                    raise ValueError("bad email")
                return value.lower()

        lib.out(_r(Account("A@X")))
        try:
            Account("nope")
        except ValueError:
            lib.out("ValueError")
        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add(Account("B@Y"))
            s.commit()
            lib.out(s.scalar(sa.select(Account.email)))

    compare(scenario)
