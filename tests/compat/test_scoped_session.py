"""``scoped_session``: a Session per thread or scope, proxied methods, remove/configure."""

import threading
import warnings


def _setup(lib):
    sa, orm = lib.sa, lib.orm
    Mapped, mapped_column = orm.Mapped, orm.mapped_column

    class Base(orm.DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    return engine, Base, User


def test_proxied_methods_act_on_the_current_session(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, Base, User = _setup(lib)
        Session = orm.scoped_session(orm.sessionmaker(bind=engine))
        lib.out(Session.registry.has())
        s = Session()
        lib.out(Session.registry.has(), s is Session(), isinstance(s, orm.Session))
        lib.out(Session.bind is engine, Session.is_active, Session.autoflush)
        u = User(name="a")
        Session.add(u)
        lib.out(u in Session.new, len(Session.new), u in Session, list(Session) == [u])
        Session.add_all([User(name="b"), User(name="c")])
        Session.flush()
        lib.out(u.id, len(Session.identity_map), Session.is_modified(u))
        u.name = "z"
        lib.out(u in Session.dirty, len(Session.deleted))
        Session.commit()
        lib.out(Session.get(User, 1).name, Session.scalar(sa.select(sa.func.count(User.id))))
        lib.out(Session.scalars(sa.select(User.name).order_by(User.id)).all())
        lib.out(Session.execute(sa.select(User.id).where(User.name == "b")).all())
        lib.out([x.name for x in Session.query(User).order_by(User.name)])
        Session.delete(Session.get(User, 2))
        lib.out(len(Session.deleted))
        Session.rollback()
        Session.expire_all()
        Session.expunge_all()
        lib.out(len(Session.identity_map))
        with Session.no_autoflush:
            Session.add(User(name="d"))
            lib.out(Session.query(User).count())
        lib.out(Session.query(User).count())
        key = Session.identity_key(User, 1)
        lib.out(key[0] is User, key[1:], Session.object_session(u) is None)
        Session.remove()
        lib.out(Session.registry.has(), Session() is not s)
        Session.remove()

    compare(scenario)


def test_remove_closes_the_session(compare):
    def scenario(lib):
        orm = lib.orm
        engine, Base, User = _setup(lib)
        Session = orm.scoped_session(orm.sessionmaker(bind=engine))
        u = User(name="a")
        Session.add(u)
        Session.commit()
        name = u.name
        s = Session()
        Session.remove()
        lib.out(name, lib.inspect(u).detached, s.is_active, len(s.identity_map))
        Session.remove()  # nothing there: no error
        lib.out(Session.registry.has())

    compare(scenario)


def test_call_with_arguments(compare):
    def scenario(lib):
        orm = lib.orm
        engine, Base, User = _setup(lib)
        Session = orm.scoped_session(orm.sessionmaker(bind=engine))
        s = Session(autoflush=False)
        lib.out(s.autoflush, Session() is s)
        try:
            Session(autoflush=True)
        except lib.exc.InvalidRequestError as error:
            lib.out("raised", type(error).__name__, str(error))
        Session.remove()

    compare(scenario)


def test_configure_warns_when_a_session_exists(compare):
    def scenario(lib):
        orm = lib.orm
        engine, Base, User = _setup(lib)
        Session = orm.scoped_session(orm.sessionmaker(bind=engine))
        Session.configure(autoflush=False)
        lib.out(Session().autoflush)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            Session.configure(expire_on_commit=False)
        lib.out([(w.category.__name__, str(w.message)) for w in caught])
        lib.out(Session().expire_on_commit)
        Session.remove()
        lib.out(Session().expire_on_commit)
        Session.remove()

    compare(scenario)


def test_attributes_can_be_set(compare):
    def scenario(lib):
        orm = lib.orm
        engine, Base, User = _setup(lib)
        Session = orm.scoped_session(orm.sessionmaker(bind=engine))
        Session.autoflush = False
        lib.out(Session().autoflush)
        Session.info["k"] = 1
        lib.out(Session().info)
        try:
            Session.dirty = []
        except AttributeError:
            lib.out("dirty is read-only")
        try:
            Session.no_such_method()
        except AttributeError:
            lib.out("unknown name")
        Session.remove()

    compare(scenario)


def test_query_property(compare):
    def scenario(lib):
        orm = lib.orm
        engine, Base, User = _setup(lib)
        Session = orm.scoped_session(orm.sessionmaker(bind=engine))
        User.query = Session.query_property()
        Session.add_all([User(name="a"), User(name="b")])
        Session.commit()
        lib.out([u.name for u in User.query.order_by(User.name.desc())])
        lib.out(User.query.filter_by(name="a").one().id, User.query.session is Session())

        class CustomQuery(orm.Query):
            def names(self):
                return sorted(u.name for u in self)

        User.query = Session.query_property(query_cls=CustomQuery)
        lib.out(type(User.query).__name__, User.query.names())
        lib.out(User.query.filter(User.name != "a").order_by(User.id).names())
        Session.remove()

    compare(scenario)


def test_threads_get_separate_sessions(compare):
    def scenario(lib):
        orm = lib.orm
        engine, Base, User = _setup(lib)
        Session = orm.scoped_session(orm.sessionmaker(bind=engine))
        main = Session()
        seen = {}
        barrier = threading.Barrier(3)

        def work(n):
            s = Session()
            barrier.wait()  # all three threads hold their sessions at once
            seen[n] = (id(s), s is Session(), s is main)
            Session.remove()

        threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        lib.out(len({v[0] for v in seen.values()}), [v[1:] for _, v in sorted(seen.items())])
        lib.out(Session() is main, Session.registry.has())
        Session.remove()

    compare(scenario)


def test_custom_scopefunc(compare):
    def scenario(lib):
        orm = lib.orm
        engine, Base, User = _setup(lib)
        scope = ["request-1"]
        Session = orm.scoped_session(orm.sessionmaker(bind=engine), scopefunc=lambda: scope[0])
        first = Session()
        scope[0] = "request-2"
        lib.out(Session.registry.has())
        second = Session()
        lib.out(first is second)
        Session.remove()
        scope[0] = "request-1"
        lib.out(Session.registry.has(), Session() is first)
        Session.registry.set(second)
        lib.out(Session() is second)
        Session.registry.clear()
        lib.out(Session.registry.has())

    compare(scenario)
