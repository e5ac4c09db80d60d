
"""Session: sessionmaker, transactions, unit of work, identity map, queries."""

import warnings
from typing import Optional


def _setup(lib, *, url=None, rows=()):
    """Engine, Base and a ``User(id, name, age)`` model; optionally pre-populated."""
    sa, orm = lib.sa, lib.orm
    Mapped, mapped_column = orm.Mapped, orm.mapped_column

    class Base(orm.DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(unique=True)
        age: Mapped[Optional[int]]

    engine = sa.create_engine(url or lib.url)
    Base.metadata.create_all(engine)
    if rows:
        with orm.Session(engine) as s:
            s.add_all([User(name=name, age=age) for name, age in rows])
            s.commit()
    return engine, User


PEOPLE = [("ann", 31), ("bob", 25), ("cid", 40), ("dee", 25)]


def _names(lib, engine, User):
    """Names in the database, read on a fresh session."""
    with lib.orm.Session(engine) as s:
        return s.scalars(lib.sa.select(User.name).order_by(User.id)).all()


# -- sessionmaker / Session construction --------------------------------------------------


def test_sessionmaker_options(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        Session = orm.sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)
        s = Session()
        lib.out(isinstance(s, orm.Session), s.bind is engine, s.get_bind() is engine)
        lib.out(s.autoflush, s.expire_on_commit)
        s2 = Session(autoflush=True)
        lib.out(s2.autoflush, s2.expire_on_commit)
        default = orm.sessionmaker(bind=engine)()
        lib.out(default.autoflush, default.expire_on_commit)
        s.close()
        s2.close()
        default.close()

    compare(scenario)


def test_sessionmaker_class_(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)

        class MySession(orm.Session):
            def hello(self):
                return "hello"

        Session = orm.sessionmaker(bind=engine, class_=MySession)
        with Session() as s:
            lib.out(type(s).__name__, isinstance(s, orm.Session), s.hello())
            s.add(User(name="x"))
            s.commit()
        lib.out(_names(lib, engine, User))

    compare(scenario)


def test_sessionmaker_configure(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        Session = orm.sessionmaker()
        Session.configure(bind=engine, expire_on_commit=False)
        with Session() as s:
            lib.out(s.bind is engine, s.expire_on_commit)
            u = User(name="cfg")
            s.add(u)
            s.commit()
            lib.out("name" in lib.inspect(u).unloaded)
        lib.out(_names(lib, engine, User))

    compare(scenario)


def test_sessionmaker_begin(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        Session = orm.sessionmaker(engine)
        with Session.begin() as s:
            lib.out(isinstance(s, orm.Session), s.in_transaction())
            s.add(User(name="committed"))
        lib.out(_names(lib, engine, User))
        try:
            with Session.begin() as s:
                s.add(User(name="rolled back"))
                s.flush()
                raise RuntimeError("abort")
        except RuntimeError as error:
            lib.out(type(error).__name__)
        lib.out(_names(lib, engine, User))

    compare(scenario)


def test_sessionmaker_autocommit_false_accepted(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        SessionLocal = orm.sessionmaker(autocommit=False, autoflush=False, bind=engine)
        db = SessionLocal()
        try:
            db.add(User(name="fastapi"))
            db.commit()
            lib.out(db.autoflush)
        finally:
            db.close()
        lib.out(_names(lib, engine, User))

    compare(scenario)


def test_session_bind_keyword_and_positional(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        for s in (orm.Session(bind=engine), orm.Session(engine)):
            lib.out(s.bind is engine, s.query(User).count())
            s.close()

    compare(scenario)


# -- context managers and transactions -----------------------------------------------------


def test_with_session_closes_without_commit(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, url=lib.url)
        with orm.Session(engine) as s:
            u = User(name="ghost")
            s.add(u)
            s.flush()
            lib.out(u.id, s.query(User).count())
        lib.out(_names(lib, engine, User))
        lib.out(lib.inspect(u).transient, lib.inspect(u).detached)

    compare(scenario, file_db=True)


def test_session_begin_context_commits(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        s = orm.Session(engine)
        with s.begin():
            s.add(User(name="a"))
        lib.out(s.in_transaction())
        lib.out(_names(lib, engine, User))
        with s.begin():
            s.add(User(name="b"))
        lib.out(_names(lib, engine, User))
        s.close()

    compare(scenario)


def test_session_begin_context_rolls_back_on_exception(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("keep", 1)])
        s = orm.Session(engine)
        try:
            with s.begin():
                s.add(User(name="lost"))
                s.get(User, 1).age = 99
                raise ValueError("nope")
        except ValueError as error:
            lib.out(type(error).__name__)
        lib.out(s.in_transaction(), s.is_active)
        lib.out(_names(lib, engine, User), s.get(User, 1).age)
        s.close()

    compare(scenario)


def test_session_begin_when_already_begun(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        s = orm.Session(engine)
        s.add(User(name="autobegun"))
        lib.out(s.in_transaction())
        try:
            s.begin()
        except lib.exc.InvalidRequestError as error:
            lib.out(type(error).__name__)
        s.commit()
        trans = s.begin()
        lib.out(s.in_transaction(), trans.is_active)
        s.add(User(name="explicit"))
        trans.commit()
        lib.out(s.in_transaction(), _names(lib, engine, User))
        s.close()

    compare(scenario)


def test_in_transaction_and_is_active(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine)
        lib.out("fresh", s.in_transaction(), s.is_active)
        s.get(User, 1)
        lib.out("after get", s.in_transaction(), s.is_active)
        s.commit()
        lib.out("after commit", s.in_transaction(), s.is_active)
        s.add(User(name="new"))
        lib.out("after add", s.in_transaction())
        s.rollback()
        lib.out("after rollback", s.in_transaction(), s.is_active)
        s.execute(lib.sa.select(User))
        lib.out("after execute", s.in_transaction())
        s.close()
        lib.out("after close", s.in_transaction(), s.is_active)

    compare(scenario)


def test_commit_rollback_close(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        s = orm.Session(engine)
        s.add(User(name="a"))
        s.commit()
        s.add(User(name="b"))
        s.flush()
        s.rollback()
        s.add(User(name="c"))
        s.commit()
        s.add(User(name="d"))
        s.close()
        lib.out(_names(lib, engine, User))
        s.add(User(name="e"))  # a closed session is reusable
        s.commit()
        lib.out(_names(lib, engine, User))
        s.close()

    compare(scenario)


def test_begin_nested_rollback_undoes_only_its_part(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        s = orm.Session(engine)
        s.add(User(name="outer"))
        s.flush()
        sp = s.begin_nested()
        lib.out(sp.is_active, s.in_nested_transaction())
        s.add(User(name="inner"))
        s.flush()
        lib.out(s.query(User).count())
        sp.rollback()
        lib.out(s.in_nested_transaction(), s.in_transaction())
        lib.out(s.query(User).count())
        s.commit()
        lib.out(_names(lib, engine, User))
        s.close()

    compare(scenario)


def test_begin_nested_commit_keeps_its_part(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        s = orm.Session(engine)
        s.add(User(name="outer"))
        s.flush()
        sp = s.begin_nested()
        s.add(User(name="inner"))
        sp.commit()
        lib.out(s.in_nested_transaction(), s.in_transaction())
        s.commit()
        lib.out(_names(lib, engine, User))
        s.close()

    compare(scenario)


def test_begin_nested_context_manager(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("base", 1)])
        s = orm.Session(engine)
        u = s.get(User, 1)
        with s.begin_nested():
            s.add(User(name="kept"))
        for name in ("dup", "base"):  # the second violates UNIQUE inside a savepoint
            try:
                with s.begin_nested():
                    s.add(User(name=name))
                    u.age = 50
            except lib.exc.IntegrityError as error:
                lib.out(type(error).__name__)
        lib.out(s.is_active, u.age)
        s.commit()
        lib.out(_names(lib, engine, User))
        s.close()

    compare(scenario)


def test_begin_nested_rollback_expires_objects(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        u = s.get(User, 1)
        u.age = 2
        s.flush()
        sp = s.begin_nested()
        u.age = 3
        s.flush()
        sp.rollback()
        lib.out(u.age)
        s.commit()
        lib.out(u.age)
        s.close()

    compare(scenario)


# -- add / flush / delete / expunge ----------------------------------------------------------


def test_add_add_all_flush_generated_keys(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        s = orm.Session(engine)
        a = User(name="a")
        b, c = User(name="b"), User(name="c", id=10)
        s.add(a)
        s.add_all([b, c])
        lib.out(a.id, b.id, c.id)
        s.flush()
        lib.out(a.id, b.id, c.id)
        d = User(name="d")
        s.add(d)
        s.commit()
        lib.out(d.id)
        s.add(a)  # adding again is a no-op
        lib.out(len(s.new))
        s.close()

    compare(scenario)


def test_many_objects_get_distinct_ids(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        with orm.Session(engine) as s:
            users = [User(name=f"user{i:04d}", age=i % 90) for i in range(1000)]
            s.add_all(users)
            s.flush()
            ids = [u.id for u in users]
            lib.out(len(set(ids)), min(ids), max(ids))
            lib.out(all(u.id == int(u.name[4:]) + 1 for u in users))
            s.commit()
        with orm.Session(engine) as s:
            rows = s.execute(lib.sa.select(User.id, User.name).order_by(User.id)).all()
            lib.out(len(rows), all(row.name == f"user{row.id - 1:04d}" for row in rows))

    compare(scenario)


def test_delete(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine)
        u = s.get(User, 2)
        s.delete(u)
        lib.out(u in s, len(s.deleted), s.get(User, 2) is u)
        s.flush()
        lib.out(u in s, len(s.deleted), s.get(User, 2))
        s.commit()
        lib.out(u in s, u.name)
        lib.out(_names(lib, engine, User))
        s.close()

    compare(scenario)


def test_delete_pending_object_rejected(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        s = orm.Session(engine)
        u = User(name="new")
        for obj_state in ("transient", "pending"):
            if obj_state == "pending":
                s.add(u)
            try:
                s.delete(u)
                lib.out(obj_state, "accepted")
            except lib.exc.InvalidRequestError as error:
                lib.out(obj_state, type(error).__name__)
        s.close()

    compare(scenario)


def test_expunge_and_expunge_all(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine)
        a, b = s.get(User, 1), s.get(User, 2)
        a.age = 100
        s.expunge(a)
        lib.out(a in s, b in s, a.age)
        s.commit()
        with orm.Session(engine) as other:
            lib.out(other.get(User, 1).age)
        pending = User(name="pending")
        s.add(pending)
        c = s.get(User, 3)
        s.expunge_all()
        lib.out(pending in s, c in s, len(s.new), len(s.identity_map))
        s.commit()
        lib.out(_names(lib, engine, User))
        s.close()

    compare(scenario)


def test_new_dirty_deleted_collections(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine)
        a, b, c = s.get(User, 1), s.get(User, 2), s.get(User, 3)
        n = User(name="new")
        s.add(n)
        a.age = 1
        s.delete(c)

        def names(coll):
            return sorted(o.name for o in coll)

        lib.out(names(s.new), names(s.dirty), names(s.deleted))
        lib.out(len(s.new), len(s.dirty), len(s.deleted))
        lib.out(n in s.new, a in s.dirty, c in s.deleted, b in s.dirty)
        s.flush()
        lib.out(len(s.new), len(s.dirty), len(s.deleted))
        s.close()

    compare(scenario)


def test_contains(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine)
        u = User(name="x")
        lib.out(u in s)
        s.add(u)
        lib.out(u in s)
        loaded = s.get(User, 1)
        lib.out(loaded in s)
        with orm.Session(engine) as other:
            lib.out(other.get(User, 1) in s)
        s.close()
        lib.out(u in s, loaded in s)

    compare(scenario)


def test_object_in_two_sessions_rejected(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s1, s2 = orm.Session(engine), orm.Session(engine)
        u = s1.get(User, 1)
        try:
            s2.add(u)
        except lib.exc.InvalidRequestError as error:
            lib.out(type(error).__name__)
        s1.close()
        s2.add(u)  # detached objects may be attached elsewhere
        lib.out(u in s2, u.name)
        s2.close()

    compare(scenario)


# -- refresh / expire ---------------------------------------------------------------------------


def test_refresh(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, url=lib.url, rows=PEOPLE)
        s = orm.Session(engine)
        u = s.get(User, 1)
        u.age = 1000  # unflushed change is discarded by refresh
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE users SET name = 'ANN' WHERE id = 1"))
        lib.out(u.name)
        s.refresh(u)
        lib.out(u.name, u.age, u in s.dirty)
        s.close()

    compare(scenario, file_db=True)


def test_refresh_attribute_names(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, url=lib.url, rows=PEOPLE)
        s = orm.Session(engine)
        u = s.get(User, 1)
        s.commit()
        lib.out(u.name, u.age)
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE users SET name = 'NEW', age = 77 WHERE id = 1"))
        s.refresh(u, ["name"])
        lib.out(u.name, u.age)
        s.refresh(u, attribute_names=["age"])
        lib.out(u.name, u.age)
        s.close()

    compare(scenario, file_db=True)


def test_refresh_non_persistent_rejected(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        s = orm.Session(engine)
        try:
            s.refresh(User(name="transient"))
        except lib.exc.InvalidRequestError as error:
            lib.out(type(error).__name__)
        s.close()

    compare(scenario)


def test_expire_and_expire_all(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, url=lib.url, rows=PEOPLE)
        s = orm.Session(engine, expire_on_commit=False)
        a, b = s.get(User, 1), s.get(User, 2)
        s.commit()
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE users SET age = age + 1"))
        lib.out(a.age, b.age)
        s.expire(a)
        lib.out(a.age, b.age)
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE users SET age = age + 1"))
        s.expire(a, ["age"])
        lib.out(a.age, b.age)
        s.expire_all()
        lib.out(a.age, b.age)
        s.close()

    compare(scenario, file_db=True)


def test_expire_discards_pending_change(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine)
        u = s.get(User, 1)
        u.age = 0
        s.expire(u)
        lib.out(u in s.dirty, u.age)
        s.close()

    compare(scenario)


def test_expire_on_commit_reloads(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, url=lib.url, rows=PEOPLE)
        s = orm.Session(engine)
        u = s.get(User, 1)
        lib.out(u.age)
        s.commit()
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE users SET age = 55 WHERE id = 1"))
        lib.out(u.age)
        s.close()

    compare(scenario, file_db=True)


def test_expire_on_commit_false_keeps_values(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, url=lib.url, rows=PEOPLE)
        Session = orm.sessionmaker(bind=engine, expire_on_commit=False)
        s = Session()
        u = s.get(User, 1)
        s.commit()
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE users SET age = 55 WHERE id = 1"))
        lib.out(u.age)
        s.close()
        lib.out(u.age, u.name)  # still readable after close

    compare(scenario, file_db=True)


def test_expired_detached_raises(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s:
            u = s.get(User, 1)
            fresh = s.get(User, 2)
            lib.out(fresh.name)
            s.commit()
        for obj in (u, fresh):
            try:
                lib.out(obj.name)
            except lib.orm_exc.DetachedInstanceError as error:
                lib.out(type(error).__name__)

    compare(scenario)


def test_detached_loaded_values_stay_readable(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s:
            u = s.get(User, 3)
        lib.out(u.id, u.name, u.age)
        u.age = 1  # modifying a detached object is allowed
        lib.out(u.age)

    compare(scenario)


# -- rollback semantics ----------------------------------------------------------------------


def test_rollback_expunges_pending_and_expires_persistent(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine)
        u = s.get(User, 1)
        u.age = 0
        new = User(name="new")
        s.add(new)
        flushed = User(name="flushed")
        s.add(flushed)
        s.flush()
        lib.out(flushed.id)
        s.rollback()
        lib.out(new in s, flushed in s, u in s)
        lib.out(lib.inspect(new).transient, lib.inspect(flushed).transient)
        lib.out(sorted(lib.inspect(u).unloaded))
        lib.out(u.age)
        lib.out(_names(lib, engine, User))
        s.close()

    compare(scenario)


def test_failed_flush_requires_rollback(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine)
        s.add(User(name="ann"))
        try:
            s.flush()
        except lib.exc.IntegrityError as error:
            lib.out(type(error).__name__)
        lib.out(s.is_active)
        for attempt in (
            lambda: s.query(User).count(),
            lambda: s.execute(sa.select(User)),
            lambda: s.commit(),
        ):
            try:
                attempt()
                lib.out("no error")
            except lib.exc.PendingRollbackError as error:
                lib.out(type(error).__name__)
        s.rollback()
        lib.out(s.is_active, s.query(User).count())
        s.add(User(name="fine"))
        s.commit()
        lib.out(_names(lib, engine, User))
        s.close()

    compare(scenario)


def test_failed_commit_requires_rollback(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine)
        s.add(User(name="bob"))
        try:
            s.commit()
        except lib.exc.IntegrityError as error:
            lib.out(type(error).__name__, isinstance(error, lib.exc.DBAPIError))
        try:
            s.get(User, 1)
        except lib.exc.PendingRollbackError as error:
            lib.out(type(error).__name__)
        s.rollback()
        lib.out(s.get(User, 1).name)
        s.close()

    compare(scenario)


def test_with_session_after_failed_flush_closes_cleanly(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        try:
            with orm.Session(engine) as s:
                s.add(User(name="ann"))
                s.commit()
        except lib.exc.IntegrityError as error:
            lib.out(type(error).__name__)
        with orm.Session(engine) as s:
            lib.out(s.query(User).count())

    compare(scenario)


# -- get / identity map -----------------------------------------------------------------------


def test_get(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine)
        u = s.get(User, 3)
        lib.out(u.id, u.name)
        lib.out(s.get(User, 999))
        lib.out(s.get(User, (3,)) is u, s.get(User, {"id": 3}) is u, s.get(User, [3]) is u)
        s.close()

    compare(scenario)


def test_get_composite_key(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class Grant(Base):
            __tablename__ = "grants"
            user_id: Mapped[int] = mapped_column(primary_key=True)
            perm: Mapped[str] = mapped_column(primary_key=True)
            level: Mapped[int]

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add_all([Grant(user_id=1, perm="r", level=1), Grant(user_id=1, perm="w", level=2)])
            s.commit()
        with orm.Session(engine) as s:
            g = s.get(Grant, (1, "w"))
            lib.out(g.level)
            lib.out(s.get(Grant, {"user_id": 1, "perm": "w"}) is g)
            lib.out(s.get(Grant, (1, "x")), s.get(Grant, {"user_id": 2, "perm": "r"}))
            lib.out(lib.inspect(g).identity)
            try:
                s.get(Grant, 1)
            except lib.exc.InvalidRequestError as error:
                lib.out(type(error).__name__)

    compare(scenario)


def test_identity_map_same_object(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine)
        a = s.get(User, 1)
        b = s.get(User, 1)
        c = s.query(User).filter_by(id=1).one()
        d = s.scalars(sa.select(User).where(User.name == "ann")).one()
        e = [u for u in s.query(User).order_by(User.id).all() if u.id == 1][0]
        lib.out(a is b, a is c, a is d, a is e)
        lib.out(len(s.identity_map))
        with orm.Session(engine) as other:
            lib.out(other.get(User, 1) is a)
        s.close()

    compare(scenario)


def test_identity_map_keeps_local_changes_on_requery(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, url=lib.url, rows=PEOPLE)
        s = orm.Session(engine, autoflush=False)
        u = s.get(User, 1)
        u.name = "local"
        again = s.scalars(sa.select(User).where(User.id == 1)).one()
        lib.out(again is u, again.name)
        s.commit()
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE users SET age = 5 WHERE id = 1"))
        lib.out(s.query(User).filter_by(id=1).one().age)
        s.close()

    compare(scenario, file_db=True)


def test_get_after_delete_in_other_transaction(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, url=lib.url, rows=PEOPLE)
        s = orm.Session(engine)
        lib.out(s.get(User, 4).name)
        s.commit()
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM users WHERE id = 4"))
        lib.out(s.get(User, 4))
        s.close()

    compare(scenario, file_db=True)


# -- autoflush ------------------------------------------------------------------------------------


def test_autoflush_on_before_query(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine)  # autoflush defaults to True
        s.add(User(name="zed", age=1))
        s.get(User, 1).age = 99
        lib.out(s.query(User).count())
        lib.out(s.scalar(sa.select(User.id).where(User.name == "zed")))
        lib.out(s.scalars(sa.select(User.name).where(User.age == 99)).all())
        lib.out(len(s.new), len(s.dirty))
        s.close()

    compare(scenario)


def test_autoflush_off_before_query(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine, autoflush=False)
        s.add(User(name="zed", age=1))
        s.get(User, 1).age = 99
        lib.out(s.query(User).count())
        lib.out(s.scalar(sa.select(User.id).where(User.name == "zed")))
        lib.out(s.scalars(sa.select(User.name).where(User.age == 99)).all())
        lib.out(len(s.new), len(s.dirty))
        s.flush()
        lib.out(s.query(User).count())
        s.close()

    compare(scenario)


def test_autoflush_before_get(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        for autoflush in (True, False):
            s = orm.Session(engine, autoflush=autoflush)
            pending = User(id=50, name=f"p{autoflush}")
            s.add(pending)
            found = s.get(User, 50)
            lib.out(autoflush, found is pending, found is None)
            s.rollback()
            s.close()

    compare(scenario)


def test_no_autoflush_context(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine)
        s.add(User(name="zed"))
        with s.no_autoflush:
            lib.out(s.query(User).count())
        lib.out(s.query(User).count())
        s.close()

    compare(scenario)


# -- unit of work: what gets written ---------------------------------------------------------------


def test_update_only_changed_columns(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, url=lib.url, rows=PEOPLE)
        s = orm.Session(engine)
        u = s.get(User, 1)
        lib.out(u.name, u.age)
        with engine.begin() as conn:  # a concurrent writer changes another column
            conn.execute(sa.text("UPDATE users SET age = 77 WHERE id = 1"))
        u.name = "renamed"
        s.commit()
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT name, age FROM users WHERE id = 1")).one()
            lib.out(tuple(row))
        lib.out(u.name, u.age)
        s.close()

    compare(scenario, file_db=True)


def test_nothing_written_when_nothing_changed(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, url=lib.url, rows=PEOPLE)
        s = orm.Session(engine)
        u = s.get(User, 2)
        u.name = u.name  # same value: no net change
        u.age = 25
        lib.out(u in s.dirty, s.is_modified(u))
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE users SET name = 'changed elsewhere' WHERE id = 2"))
        s.commit()
        with engine.connect() as conn:
            lib.out(conn.execute(sa.text("SELECT name FROM users WHERE id = 2")).scalar())
        s.close()

    compare(scenario, file_db=True)


def test_changes_counted_by_sqlite(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        s = orm.Session(engine)

        def changes():
            return s.execute(sa.text("SELECT total_changes()")).scalar()

        start = changes()
        u = s.get(User, 1)
        s.flush()
        lib.out(changes() - start)
        u.age = u.age
        s.flush()
        lib.out(changes() - start)
        u.age += 1
        s.flush()
        lib.out(changes() - start)
        s.add_all([User(name="n1"), User(name="n2")])
        s.delete(s.get(User, 2))
        s.flush()
        lib.out(changes() - start)
        s.close()

    compare(scenario)


def test_setting_attribute_to_none_writes_null(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s:
            s.get(User, 1).age = None
            s.commit()
        with engine.connect() as conn:
            lib.out(conn.execute(sa.text("SELECT age FROM users WHERE id = 1")).scalar())

    compare(scenario)


def test_flush_order_insert_update_delete(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s:
            ann, bob = s.get(User, 1), s.get(User, 2)
            s.delete(ann)
            s.add(User(name="ann", age=1))  # reuse the unique name of the deleted row
            bob.age = 26
            try:  # the unit of work emits INSERTs before DELETEs
                s.commit()
                lib.out("committed")
            except lib.exc.IntegrityError as error:
                lib.out(type(error).__name__)
                s.rollback()
        with orm.Session(engine) as s:
            lib.out([(u.name, u.age) for u in s.query(User).order_by(User.name)])

    compare(scenario)


# -- execute / scalars / scalar ---------------------------------------------------------------------


def test_execute_select_model(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s:
            result = s.execute(sa.select(User).order_by(User.id))
            rows = result.all()
            lib.out(len(rows), [type(r[0]).__name__ for r in rows])
            lib.out([r.User.name for r in rows], [r[0].age for r in rows])
            objs = s.execute(sa.select(User).where(User.age == 25).order_by(User.id)).scalars()
            lib.out([u.name for u in objs])

    compare(scenario)


def test_execute_select_columns(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s:
            rows = s.execute(sa.select(User.name, User.age).order_by(User.id)).all()
            lib.out([tuple(r) for r in rows], [r.name for r in rows])
            lib.out(s.execute(sa.select(User.name).where(User.id == 2)).scalar_one())
            mapped = s.execute(sa.select(User.id, User.name).where(User.id < 3)).mappings().all()
            lib.out(sorted(tuple(sorted(m.items())) for m in mapped))
            mixed = s.execute(sa.select(User, User.age).where(User.id == 3)).one()
            lib.out(type(mixed[0]).__name__, mixed[1], mixed.age)

    compare(scenario)


def test_scalars_and_scalar(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s:
            users = s.scalars(sa.select(User).order_by(User.age.desc(), User.id)).all()
            lib.out([u.name for u in users])
            lib.out(s.scalars(sa.select(User.name).order_by(User.name)).all())
            lib.out(s.scalars(sa.select(User).where(User.id > 100)).all())
            lib.out(s.scalars(sa.select(User).where(User.id == 1)).first().name)
            lib.out(s.scalars(sa.select(User).where(User.id == 1)).one().name)
            lib.out(s.scalar(sa.select(User).where(User.id == 2)).name)
            lib.out(s.scalar(sa.select(User).where(User.id == 200)))
            lib.out(s.scalar(sa.select(sa.func.count()).select_from(User)))
            lib.out(s.scalar(sa.select(sa.func.sum(User.age))))
            lib.out(s.scalars(sa.select(User.age).distinct().order_by(User.age)).all())

    compare(scenario)


def test_execute_text_in_session(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s:
            rows = s.execute(
                sa.text("SELECT name FROM users WHERE age = :a ORDER BY id"), {"a": 25}
            )
            lib.out(rows.scalars().all())
            s.execute(sa.text("UPDATE users SET age = 0 WHERE id = :i"), {"i": 1})
            s.commit()
            lib.out(s.get(User, 1).age)

    compare(scenario)


def test_execute_join_and_group_by(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s:
            stmt = (
                sa.select(User.age, sa.func.count(User.id).label("n"))
                .group_by(User.age)
                .order_by(User.age)
            )
            lib.out([tuple(r) for r in s.execute(stmt)])

    compare(scenario)


# -- legacy Query ---------------------------------------------------------------------------------


def test_query_all_first_one(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s:
            lib.out([u.name for u in s.query(User).order_by(User.id).all()])
            lib.out(s.query(User).order_by(User.id.desc()).first().name)
            lib.out(s.query(User).filter(User.id > 99).first())
            lib.out(s.query(User).filter(User.name == "cid").one().age)
            lib.out(s.query(User).filter(User.name == "zzz").one_or_none())
            lib.out(s.query(User).filter(User.name == "cid").one_or_none().id)
            for q in (s.query(User).filter(User.age == 25), s.query(User).filter(User.id > 99)):
                for method in ("one", "one_or_none"):
                    try:
                        getattr(q, method)()
                        lib.out(method, "ok")
                    except lib.exc.SQLAlchemyError as error:
                        lib.out(method, type(error).__name__)

    compare(scenario)


def test_query_filter_and_filter_by(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s:
            q = s.query(User)
            lib.out([u.name for u in q.filter(User.age == 25).order_by(User.id)])
            lib.out([u.name for u in q.filter_by(age=25).filter_by(name="dee")])
            lib.out([u.name for u in q.filter(User.age > 20, User.age < 35).order_by(User.name)])
            lib.out(
                [u.name for u in q.filter(sa.or_(User.id == 1, User.id == 4)).order_by(User.id)]
            )
            lib.out([u.name for u in q.filter_by(age=25).filter(User.id > 2)])
            lib.out(q.filter(User.name.in_(["ann", "cid"])).count())

    compare(scenario)


def test_query_order_limit_offset(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s:
            q = s.query(User).order_by(User.age, User.name)
            lib.out([u.name for u in q])
            lib.out([u.name for u in q.limit(2)])
            lib.out([u.name for u in q.offset(1).limit(2)])
            lib.out([u.name for u in q.offset(3)])
            lib.out([u.name for u in s.query(User).order_by(User.age.desc(), User.id.desc())])
            lib.out([u.name for u in q[1:3]], q[0].name)

    compare(scenario)


def test_query_count(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s:
            lib.out(s.query(User).count())
            lib.out(s.query(User).filter(User.age == 25).count())
            lib.out(s.query(User).filter(User.age > 100).count())
            lib.out(s.query(User).limit(2).count())

    compare(scenario)


def test_query_columns(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s:
            rows = s.query(User.name, User.age).order_by(User.id).all()
            lib.out([tuple(r) for r in rows], [r.name for r in rows])
            lib.out(s.query(User.name).filter(User.id == 2).scalar())

    compare(scenario)


def test_query_get_legacy(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=PEOPLE)
        with orm.Session(engine) as s, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Query.get() is a legacy API and warns
            u = s.query(User).get(2)
            lib.out(u.name, s.query(User).get(2) is u, s.query(User).get(999))
            lib.out(s.get(User, 2) is u)

    compare(scenario)


def test_query_first_and_iteration_empty(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        with orm.Session(engine) as s:
            lib.out(s.query(User).all(), s.query(User).first(), s.query(User).count())
            lib.out(list(s.query(User)))

    compare(scenario)


def test_autocommit_true_refused(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)
        factory = orm.sessionmaker(autocommit=True, bind=engine)
        lib.out("factory made")
        for make in (factory, lambda: orm.Session(engine, autocommit=True)):
            try:
                make()
                lib.out("accepted")
            except lib.exc.ArgumentError as error:
                lib.out(type(error).__name__, "autocommit" in str(error))

    compare(scenario)


def test_models_with_eq_and_no_hash(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm

        class Base(orm.DeclarativeBase):
            pass

        class Tag(Base):
            __tablename__ = "tag"
            id = sa.Column(sa.Integer, primary_key=True)
            name = sa.Column(sa.String)

            def __eq__(self, other):  # equal by value, and so unhashable
                return isinstance(other, Tag) and self.name == other.name

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            a, b = Tag(name="x"), Tag(name="x")
            s.add_all([a, b])
            s.commit()
            lib.out(sorted((t.id, t.name) for t in s.scalars(sa.select(Tag))))
            a.name = "y"
            lib.out(len(s.dirty), a in s, b in s)
            s.commit()
            s.delete(b)
            s.commit()
            lib.out(sorted((t.id, t.name) for t in s.scalars(sa.select(Tag))))

    compare(scenario)


def test_a_failed_commit_leaves_the_session_waiting_for_rollback(compare):
    """A deferred foreign key checked only at COMMIT: the flush went through, the
    COMMIT did not.  The objects stay persistent and SQL is refused until rollback()."""

    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine = sa.create_engine(lib.url)

        @sa.event.listens_for(engine, "connect")
        def _foreign_keys(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

        with engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TABLE item (id INTEGER PRIMARY KEY, name VARCHAR, owner_id INTEGER "
                "REFERENCES item (id) DEFERRABLE INITIALLY DEFERRED)")

        class Base(orm.DeclarativeBase):
            pass

        class Item(Base):
            __tablename__ = "item"
            id = sa.Column(sa.Integer, primary_key=True)
            name = sa.Column(sa.String)
            owner_id = sa.Column(sa.Integer)

        def tried(action):
            try:
                return ("ok", action())
            except Exception as error:
                return ("raised", type(error).__name__)

        session = orm.Session(engine)
        orphan = Item(name="a", owner_id=99)
        session.add(orphan)
        lib.out(tried(session.commit))
        lib.out(session.is_active, session.in_transaction(), lib.inspect(orphan).persistent)
        lib.out(tried(lambda: session.scalars(sa.select(Item.name)).all()))
        lib.out(tried(session.commit))
        lib.out(orphan.name)
        session.rollback()
        lib.out(session.is_active, lib.inspect(orphan).transient)
        session.add(Item(name="b"))
        session.commit()
        lib.out(session.scalars(sa.select(Item.name)).all())
        session.close()
        engine.dispose()

    compare(scenario)
