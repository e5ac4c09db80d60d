"""``inspect(obj).attrs``: per-attribute value, loaded value and history, and the
state's key sets (``unloaded``, ``unmodified``, ``expired_attributes``)."""

from typing import Optional


def _setup(lib):
    sa, orm = lib.sa, lib.orm
    Mapped, mapped_column = orm.Mapped, orm.mapped_column

    class Base(orm.DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]
        age: Mapped[Optional[int]]
        addresses: Mapped[list["Address"]] = orm.relationship(back_populates="user")

    class Address(Base):
        __tablename__ = "addresses"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str]
        user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
        user: Mapped[Optional[User]] = orm.relationship(back_populates="addresses")

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    return engine, User, Address


def _is_no_value(lib, value):
    return value is lib.orm.attributes.NO_VALUE


def _plain(x):
    """An object by its email or name, a plain value as itself."""
    return getattr(x, "email", getattr(x, "name", x))


def _report(lib, label, obj):
    """Everything ``inspect(obj)`` says about each attribute, as plain values."""
    insp = lib.inspect(obj)
    lib.out(label, list(insp.attrs.keys()), sorted(insp.unloaded), sorted(insp.unmodified),
            sorted(insp.expired_attributes), insp.modified, insp.has_identity)
    for attr in insp.attrs:
        loaded = attr.loaded_value
        h = attr.history
        shown = "NO_VALUE" if _is_no_value(lib, loaded) else (
            len(loaded) if isinstance(loaded, list) else _plain(loaded))
        lib.out(attr.key, shown,
                [_plain(x) for x in h.added], [_plain(x) for x in h.unchanged],
                [_plain(x) for x in h.deleted])


def test_attrs_through_the_life_of_an_object(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User, Address = _setup(lib)
        u = User(name="a")
        _report(lib, "transient", u)
        insp = lib.inspect(u)
        lib.out(insp.attrs.name.value, insp.attrs.age.value, insp.attrs["name"].key)
        lib.out(_is_no_value(lib, insp.attrs.age.loaded_value))
        s = orm.Session(engine)
        s.add(u)
        _report(lib, "pending", u)
        s.commit()
        _report(lib, "committed", u)
        lib.out(insp.identity_key[1:], insp.identity, insp.dict.get("name"))
        lib.out(insp.attrs.name.value)
        _report(lib, "reloaded", u)
        u.name = "b"
        u.age = 7
        _report(lib, "modified", u)
        s.flush()
        _report(lib, "flushed", u)
        s.commit()
        s.expire(u, ["name"])
        u.name = "c"
        _report(lib, "assigned while expired", u)
        s.commit()
        s.close()
        _report(lib, "detached", u)
        try:
            lib.out(insp.attrs.name.value)
        except lib.orm_exc.DetachedInstanceError as error:
            lib.out("raised", type(error).__name__)

    compare(scenario)


def test_relationship_attribute_history(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User, Address = _setup(lib)
        s = orm.Session(engine)
        u = User(name="a", addresses=[Address(email="x")])
        _report(lib, "transient", u)
        s.add(u)
        s.commit()
        lib.out([a.email for a in u.addresses])
        _report(lib, "loaded", u)
        u.addresses.append(Address(email="y"))
        _report(lib, "appended", u)
        s.commit()
        first = u.addresses[0]
        u.addresses.remove(first)
        _report(lib, "removed", u)
        _report(lib, "child", first)
        s.rollback()
        s.close()

    compare(scenario)


def test_load_history_loads_an_expired_attribute(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User, Address = _setup(lib)
        s = orm.Session(engine)
        s.add(User(name="a", age=3))
        s.commit()
        u = s.get(User, 1)
        s.expire(u)
        insp = lib.inspect(u)
        h = insp.attrs.name.history
        lib.out(list(h.added), list(h.unchanged), list(h.deleted), h.empty())
        h = insp.attrs.name.load_history()
        lib.out(list(h.added), list(h.unchanged), list(h.deleted), h.has_changes())
        lib.out(sorted(insp.unloaded))
        u.age = 4
        h = orm.attributes.get_history(u, "age")
        lib.out(type(h) is orm.attributes.History, type(insp.attrs.age.history) is type(h))
        lib.out(tuple(h), h.has_changes(), h.non_added(), h.non_deleted(), h.sum())
        lib.out(insp.unmodified_intersection(["age", "name", "nope"]))
        s.close()

    compare(scenario)


def test_attrs_collection_access(compare):
    def scenario(lib):
        engine, User, Address = _setup(lib)
        insp = lib.inspect(User(name="a"))
        lib.out(len(insp.attrs), "name" in insp.attrs, "nope" in insp.attrs)
        lib.out([k for k, _ in insp.attrs.items()], [a.key for a in insp.attrs.values()])
        try:
            lib.out(insp.attrs.nope)
        except AttributeError:
            lib.out("AttributeError")
        try:
            insp.attrs["nope"]
        except KeyError:
            lib.out("KeyError")
        lib.out(isinstance(insp.attrs.name, lib.orm.state.AttributeState))

    compare(scenario)
