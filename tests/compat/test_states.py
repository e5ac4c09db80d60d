"""Object states through ``inspect(obj)``: life cycle, identity, attribute history."""

from typing import Optional


def _setup(lib, rows=()):
    sa, orm = lib.sa, lib.orm
    Mapped, mapped_column = orm.Mapped, orm.mapped_column

    class Base(orm.DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]
        age: Mapped[Optional[int]]

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    if rows:
        with orm.Session(engine) as s:
            s.add_all([User(name=n, age=a) for n, a in rows])
            s.commit()
    return engine, User


STATES = ("transient", "pending", "persistent", "deleted", "detached")


def _state(lib, label, obj):
    insp = lib.inspect(obj)
    lib.out(label, tuple(name for name in STATES if getattr(insp, name)))


def _history(lib, obj, attr):
    h = getattr(lib.inspect(obj).attrs, attr).history
    return (list(h.added), list(h.unchanged), list(h.deleted))


def test_lifecycle_add_flush_commit_close(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        s = orm.Session(engine)
        u = User(name="a")
        _state(lib, "new", u)
        s.add(u)
        _state(lib, "added", u)
        s.flush()
        _state(lib, "flushed", u)
        s.commit()
        _state(lib, "committed", u)
        s.close()
        _state(lib, "closed", u)

    compare(scenario)


def test_lifecycle_delete_flush_commit(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        u = s.get(User, 1)
        _state(lib, "loaded", u)
        s.delete(u)
        _state(lib, "marked", u)
        s.flush()
        _state(lib, "flushed", u)
        lib.out(lib.inspect(u).was_deleted, lib.inspect(u).has_identity)
        s.commit()
        _state(lib, "committed", u)
        lib.out(lib.inspect(u).was_deleted, lib.inspect(u).has_identity)
        s.close()

    compare(scenario)


def test_lifecycle_delete_then_rollback(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        u = s.get(User, 1)
        s.delete(u)
        s.flush()
        _state(lib, "flushed", u)
        s.rollback()
        _state(lib, "rolled back", u)
        lib.out(u.name)
        s.close()

    compare(scenario)


def test_lifecycle_delete_then_commit_directly(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        u = s.get(User, 1)
        s.delete(u)
        s.commit()
        _state(lib, "committed", u)
        lib.out(u.name)  # loaded values remain after deletion (commit expiry skips it)
        s.close()

    compare(scenario)


def test_lifecycle_expunge(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        u = s.get(User, 1)
        s.expunge(u)
        _state(lib, "expunged persistent", u)
        p = User(name="p")
        s.add(p)
        s.expunge(p)
        _state(lib, "expunged pending", p)
        s.add(u)
        _state(lib, "re-added detached", u)
        s.close()

    compare(scenario)


def test_lifecycle_rollback_of_pending(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        s = orm.Session(engine)
        pending = User(name="p")
        flushed = User(name="f")
        s.add_all([pending, flushed])
        s.flush()
        s.add(pending2 := User(name="p2"))
        s.rollback()
        _state(lib, "flushed then rolled back", flushed)
        _state(lib, "pending then rolled back", pending2)
        lib.out(lib.inspect(flushed).identity, flushed.id)
        s.close()

    compare(scenario)


def test_lifecycle_close_with_uncommitted_flush(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        s = orm.Session(engine)
        u = User(name="x")
        s.add(u)
        s.flush()
        s.close()
        _state(lib, "closed", u)
        lib.out(lib.inspect(u).identity)

    compare(scenario)


def test_identity_and_key(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        s = orm.Session(engine)
        u = User(name="a")
        insp = lib.inspect(u)
        lib.out(insp.identity, insp.key, insp.has_identity)
        s.add(u)
        lib.out(insp.identity, insp.key)
        s.flush()
        key = insp.key
        lib.out(insp.identity, len(key), key[0] is User, key[0].__name__, key[1], key[2])
        lib.out(insp.identity == (u.id,), lib.inspect(u) is insp, insp.object is u)
        lib.out(s.identity_map.get(key) is u)
        s.close()
        lib.out(insp.identity, insp.key == key)

    compare(scenario)


def test_state_session(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        t = User(name="t")
        lib.out(lib.inspect(t).session is None)
        s.add(t)
        lib.out(lib.inspect(t).session is s)
        u = s.get(User, 1)
        lib.out(lib.inspect(u).session is s, orm.object_session(u) is s)
        s.close()
        lib.out(lib.inspect(u).session is None, orm.object_session(u) is None)

    compare(scenario)


def test_state_mapper_and_class(compare):
    def scenario(lib):
        engine, User = _setup(lib)
        insp = lib.inspect(User(name="x"))
        lib.out(insp.mapper is lib.inspect(User), insp.mapper.class_ is User, insp.class_ is User)

    compare(scenario)


def test_unloaded_after_expire(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        u = s.get(User, 1)
        insp = lib.inspect(u)
        lib.out(sorted(insp.unloaded), sorted(insp.expired_attributes))
        s.expire(u, ["name"])
        lib.out(sorted(insp.unloaded), sorted(insp.expired_attributes))
        s.expire(u)
        lib.out(sorted(insp.unloaded), insp.expired)
        lib.out(u.age)
        lib.out(sorted(insp.unloaded), insp.expired)
        s.commit()
        lib.out(sorted(insp.unloaded))
        s.refresh(u)
        lib.out(sorted(insp.unloaded))
        s.close()

    compare(scenario)


def test_unloaded_on_transient(compare):
    def scenario(lib):
        engine, User = _setup(lib)
        lib.out(sorted(lib.inspect(User()).unloaded))
        lib.out(sorted(lib.inspect(User(name="x")).unloaded))
        lib.out(sorted(lib.inspect(User(name="x", age=None, id=3)).unloaded))

    compare(scenario)


def test_attr_value(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        u = s.get(User, 1)
        attrs = lib.inspect(u).attrs
        lib.out(attrs.name.value, attrs.age.value, attrs["id"].value)
        u.name = "b"
        lib.out(attrs.name.value, attrs.name.key)
        lib.out(sorted(attrs.keys()))
        t = User()
        lib.out(lib.inspect(t).attrs.name.value)
        s.close()

    compare(scenario)


def test_attr_history_transient_and_pending(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        u = User(name="a")
        lib.out(_history(lib, u, "name"), _history(lib, u, "age"))
        u.name = "b"
        lib.out(_history(lib, u, "name"))
        s = orm.Session(engine)
        s.add(u)
        lib.out(_history(lib, u, "name"))
        s.flush()
        lib.out(_history(lib, u, "name"), _history(lib, u, "id"))
        s.close()

    compare(scenario)


def test_attr_history_persistent(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        u = s.get(User, 1)
        lib.out(_history(lib, u, "name"))
        u.name = "b"
        lib.out(_history(lib, u, "name"))
        u.name = "c"
        lib.out(_history(lib, u, "name"))
        u.name = "a"
        lib.out(_history(lib, u, "name"))
        u.age = None
        lib.out(_history(lib, u, "age"))
        h = lib.inspect(u).attrs.age.history
        lib.out(h.has_changes(), lib.inspect(u).attrs.id.history.has_changes())
        s.flush()
        lib.out(_history(lib, u, "name"), _history(lib, u, "age"))
        s.close()

    compare(scenario)


def test_attr_history_expired(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        u = s.get(User, 1)
        s.expire(u)
        lib.out(_history(lib, u, "name"))
        h = lib.inspect(u).attrs.name.load_history()
        lib.out((list(h.added), list(h.unchanged), list(h.deleted)))
        u.age = 5
        lib.out(_history(lib, u, "age"))
        s.close()

    compare(scenario)


def test_modified(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        u = s.get(User, 1)
        insp = lib.inspect(u)
        lib.out(insp.modified, s.is_modified(u))
        u.age = 1  # same value
        lib.out(insp.modified, s.is_modified(u))
        u.age = 2
        lib.out(insp.modified, s.is_modified(u))
        s.flush()
        lib.out(insp.modified, s.is_modified(u))
        t = User(name="t")
        lib.out(lib.inspect(t).modified)
        s.close()

    compare(scenario)


def test_states_via_select_and_query(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=[("a", 1), ("b", 2)])
        with orm.Session(engine) as s:
            for u in s.scalars(sa.select(User).order_by(User.id)):
                _state(lib, u.name, u)
            for u in s.query(User).order_by(User.id):
                lib.out(lib.inspect(u).identity)

    compare(scenario)


def test_state_of_deleted_then_expunged_and_readded(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        u = s.get(User, 1)
        s.delete(u)
        s.commit()
        _state(lib, "after commit", u)
        s2 = orm.Session(engine)
        try:
            s2.add(u)
            _state(lib, "re-added", u)
            s2.commit()
            lib.out("committed")
        except lib.exc.SQLAlchemyError as error:
            lib.out(type(error).__name__)
        s2.close()
        s.close()

    compare(scenario)
