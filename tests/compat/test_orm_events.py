"""ORM events: mapper persistence events and Session events, against SQLAlchemy.

Each scenario records the events in the order they fire, with what the listener
saw of its target, then what the database holds afterwards.
"""

from typing import Optional

MAPPER_EVENTS = ("before_insert", "after_insert", "before_update", "after_update",
                 "before_delete", "after_delete")
SESSION_EVENTS = ("before_flush", "after_flush", "after_flush_postexec", "before_commit",
                  "after_commit", "after_rollback", "after_soft_rollback", "after_begin")


def _models(lib, *, relationships=False):
    sa, orm = lib.sa, lib.orm
    Mapped, mapped_column = orm.Mapped, orm.mapped_column

    class Base(orm.DeclarativeBase):
        pass

    class Author(Base):
        __tablename__ = "author"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(unique=True)
        slug: Mapped[Optional[str]]
        created: Mapped[Optional[str]]
        updated: Mapped[Optional[str]]
        if relationships:
            books = orm.relationship("Book", back_populates="author",
                                     cascade="all, delete-orphan", order_by="Book.id")

    class Book(Base):
        __tablename__ = "book"
        id: Mapped[int] = mapped_column(primary_key=True)
        author_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("author.id"))
        title: Mapped[str]
        if relationships:
            author = orm.relationship("Author", back_populates="books")

    engine = lib.sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    return engine, Base, Author, Book


def _describe(target):
    if hasattr(target, "title"):
        return ("Book", target.id, target.title, target.author_id)
    return ("Author", target.id, target.name)


def _record_mapper_events(lib, target, log, **kw):
    for identifier in MAPPER_EVENTS:
        def listener(mapper, connection, obj, identifier=identifier):
            log.append((identifier, mapper.class_.__name__, _describe(obj)))
        lib.sa.event.listen(target, identifier, listener, **kw)


def _record_session_events(lib, target, log):
    for identifier in SESSION_EVENTS:
        def listener(session, *args, identifier=identifier):
            log.append((identifier, len(args)))
        lib.sa.event.listen(target, identifier, listener)


def _rows(lib, engine, table):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(lib.sa.text(f"SELECT * FROM {table} ORDER BY id"))]


def _import_event(lib):
    import importlib

    lib.sa.event = importlib.import_module(f"{lib.name}.event")


def test_timestamps_and_slug_written_in_the_same_flush(compare):
    def scenario(lib):
        _import_event(lib)
        orm = lib.orm
        engine, Base, Author, Book = _models(lib)
        clock = iter(f"t{i}" for i in range(100))

        @lib.sa.event.listens_for(Author, "before_insert")
        def stamp_new(mapper, connection, target):
            target.created = target.updated = next(clock)
            target.slug = target.name.lower().replace(" ", "-")

        @lib.sa.event.listens_for(Author, "before_update")
        def stamp_changed(mapper, connection, target):
            target.updated = next(clock)
            target.slug = target.name.lower().replace(" ", "-")

        with orm.Session(engine) as s:
            s.add_all([Author(id=1, name="Ann Lee"), Author(id=2, name="Bob")])
            s.commit()
            lib.out(_rows(lib, engine, "author"))
            a = s.get(Author, 1)
            a.name = "Ann B Lee"
            b = s.get(Author, 2)
            b.name = "Bob"  # set to the same value: dirty, so before_update still fires
            s.commit()
            lib.out(_rows(lib, engine, "author"))
            lib.out(a.slug, a.updated, b.updated)

    compare(scenario)


def test_mixed_flush_order_on_a_base_class(compare):
    def scenario(lib):
        _import_event(lib)
        orm = lib.orm
        engine, Base, Author, Book = _models(lib)
        log = []
        _record_mapper_events(lib, Base, log, propagate=True)
        with orm.Session(engine, autoflush=False) as s:
            s.add_all([Author(id=3, name="c"), Author(id=1, name="a"), Author(id=2, name="b")])
            s.add_all([Book(id=4, title="v", author_id=2), Book(id=1, title="x", author_id=1),
                       Book(id=2, title="y", author_id=3)])
            s.commit()
            lib.out(list(log))
            log.clear()
            a1, a3 = s.get(Author, 1), s.get(Author, 3)
            b1, b2 = s.get(Book, 1), s.get(Book, 2)
            a3.name = "cc"
            a1.name = "aa"
            s.delete(s.get(Book, 4))
            s.delete(b2)  # deleted in primary key order, whatever the order of delete()
            s.add(Author(id=0, name="z"))
            s.add(Book(id=3, title="w", author_id=0))
            b1.title = "xx"
            s.flush()
            lib.out(list(log))
            s.commit()
        lib.out(_rows(lib, engine, "author"), _rows(lib, engine, "book"))

    compare(scenario)


def test_listener_on_the_class_only_and_on_mapper(compare):
    def scenario(lib):
        _import_event(lib)
        orm = lib.orm
        engine, Base, Author, Book = _models(lib)
        log = []
        _record_mapper_events(lib, Book, log)
        # on the base without propagate=True: accepted, never called (as SQLAlchemy)
        lib.sa.event.listen(Base, "before_insert", lambda *a: log.append("base"))
        def any_mapper(mapper, connection, target):
            log.append(("any mapper", mapper.class_.__name__))

        lib.sa.event.listen(orm.Mapper, "after_insert", any_mapper)
        try:
            with orm.Session(engine) as s:
                s.add_all([Author(id=1, name="a"), Book(id=1, title="t", author_id=1)])
                s.commit()
        finally:  # the Mapper class is shared by every test
            lib.sa.event.remove(orm.Mapper, "after_insert", any_mapper)
        lib.out(list(log), lib.sa.event.contains(orm.Mapper, "after_insert", any_mapper))

    compare(scenario)


def test_connection_is_usable_in_a_listener(compare):
    def scenario(lib):
        _import_event(lib)
        orm = lib.orm
        engine, Base, Author, Book = _models(lib)

        @lib.sa.event.listens_for(Author, "after_insert")
        def audit(mapper, connection, target):
            connection.execute(Book.__table__.insert().values(
                id=target.id, title=f"about {target.name}", author_id=target.id))

        @lib.sa.event.listens_for(Author, "before_delete")
        def cleanup(mapper, connection, target):
            connection.execute(lib.sa.delete(Book).where(Book.author_id == target.id))

        with orm.Session(engine) as s:
            s.add_all([Author(id=1, name="a"), Author(id=2, name="b")])
            s.commit()
            lib.out(_rows(lib, engine, "book"))
            s.delete(s.get(Author, 1))
            s.commit()
        lib.out(_rows(lib, engine, "author"), _rows(lib, engine, "book"))

    compare(scenario)


def test_events_with_relationships_and_cascades(compare):
    def scenario(lib):
        _import_event(lib)
        orm = lib.orm
        engine, Base, Author, Book = _models(lib, relationships=True)
        log = []
        _record_mapper_events(lib, Base, log, propagate=True)

        @lib.sa.event.listens_for(Author, "before_update")
        def touch(mapper, connection, target):
            target.updated = "touched"

        with orm.Session(engine, autoflush=False) as s:
            a = Author(id=1, name="a", books=[Book(id=1, title="x"), Book(id=2, title="y")])
            b = Author(id=2, name="b")
            s.add_all([a, b])
            s.commit()
            lib.out(list(log))
            log.clear()
            a.books[0].title = "xx"
            a.books.append(Book(id=3, title="z"))  # a: only its collection changed
            moved = a.books[1]
            b.books.append(moved)  # a Book changes parent through the collection
            s.commit()
            lib.out(list(log))
            log.clear()
            s.delete(a)  # cascades to its Books
            s.commit()
            lib.out(list(log))
        lib.out(_rows(lib, engine, "author"), _rows(lib, engine, "book"))

    compare(scenario)


def test_listener_error_aborts_the_flush_and_session_recovers(compare):
    def scenario(lib):
        _import_event(lib)
        orm, exc = lib.orm, lib.exc
        engine, Base, Author, Book = _models(lib)
        log = []

        class Session(orm.Session):  # class-level listeners, kept off the shared class
            pass

        _record_session_events(lib, Session, log)

        def refuse(mapper, connection, target):
            if target.name == "bad":
                raise ValueError("no bad names")

        lib.sa.event.listen(Author, "before_insert", refuse)
        with Session(engine) as s:
            s.add_all([Author(id=1, name="ok"), Author(id=2, name="bad")])
            try:
                s.commit()
            except ValueError as error:
                lib.out("raised", str(error))
            lib.out(list(log))
            log.clear()
            try:
                s.execute(lib.sa.select(Author))
            except exc.PendingRollbackError:
                lib.out("pending rollback")
            s.rollback()
            lib.out(list(log))
            log.clear()
            s.add(Author(id=3, name="fine"))
            s.commit()
        lib.out(list(log))
        lib.out(_rows(lib, engine, "author"))

    compare(scenario)


def test_session_events_order_and_after_commit_once(compare):
    def scenario(lib):
        _import_event(lib)
        orm = lib.orm
        engine, Base, Author, Book = _models(lib)
        log = []
        Session = orm.sessionmaker(engine)
        _record_session_events(lib, Session, log)
        with Session() as s:
            s.commit()  # nothing to write: before_commit and after_commit still fire
            lib.out(list(log))
            log.clear()
            s.add(Author(id=1, name="a"))
            s.flush()
            s.add(Author(id=2, name="b"))
            s.commit()
            lib.out(list(log))
            log.clear()
            s.get(Author, 1).name = "aa"
            s.rollback()
            lib.out(list(log), s.get(Author, 1).name)
            log.clear()
            s.rollback()  # no transaction: nothing fires
            lib.out(list(log))
        with orm.Session(engine) as other:  # not made by the sessionmaker: no listeners
            other.add(Author(id=3, name="c"))
            other.commit()
        lib.out(list(log))

    compare(scenario)


def test_before_flush_adds_changes_and_deletes(compare):
    def scenario(lib):
        _import_event(lib)
        orm = lib.orm
        engine, Base, Author, Book = _models(lib)

        def before_flush(session, flush_context, instances):
            lib.out("before_flush", sorted(a.name for a in session.new if hasattr(a, "name")),
                    instances)
            for obj in list(session.new):
                if isinstance(obj, Author) and obj.name.startswith("with book"):
                    # no foreign key: SQLAlchemy orders the DELETEs of classes without
                    # relationships arbitrarily (PostgreSQL would refuse Author first)
                    session.add(Book(id=obj.id, title=f"first of {obj.name}"))
            for obj in list(session.dirty):
                obj.updated = "via before_flush"
            for obj in list(session.deleted):
                if isinstance(obj, Author):
                    for book in session.scalars(
                            lib.sa.select(Book).where(Book.title == f"first of {obj.name}")):
                        session.delete(book)

        def after_flush(session, flush_context):
            lib.out("after_flush", len(session.new), len(session.dirty), len(session.deleted))

        def postexec(session, flush_context):
            lib.out("postexec", len(session.new), len(session.dirty), len(session.deleted))

        with orm.Session(engine) as s:
            lib.sa.event.listen(s, "before_flush", before_flush)
            lib.sa.event.listen(s, "after_flush", after_flush)
            lib.sa.event.listen(s, "after_flush_postexec", postexec)
            s.add_all([Author(id=1, name="with book a"), Author(id=2, name="plain")])
            s.commit()
            lib.out(_rows(lib, engine, "book"))
            s.get(Author, 2).name = "plainer"
            s.commit()
            s.delete(s.get(Author, 1))
            s.commit()
        lib.out(_rows(lib, engine, "author"), _rows(lib, engine, "book"))

    compare(scenario)


def test_after_flush_adding_objects_is_flushed_by_commit(compare):
    def scenario(lib):
        _import_event(lib)
        orm = lib.orm
        engine, Base, Author, Book = _models(lib)
        flushes = []

        def after_flush(session, flush_context):
            flushes.append(len(session.new))
            for obj in list(session.new):
                if isinstance(obj, Author):
                    session.add(Book(id=obj.id, title="audit", author_id=obj.id))

        with orm.Session(engine) as s:
            lib.sa.event.listen(s, "after_flush", after_flush)
            s.add(Author(id=1, name="a"))
            s.commit()
        lib.out(flushes, _rows(lib, engine, "book"))

    compare(scenario)


def test_remove_contains_once_raw_named(compare):
    def scenario(lib):
        _import_event(lib)
        event, orm = lib.sa.event, lib.orm
        engine, Base, Author, Book = _models(lib)
        log = []

        def on_insert(mapper, connection, target):
            log.append(("on_insert", target.name))

        def once(mapper, connection, target):
            log.append(("once", target.name))

        def raw(mapper, connection, state):
            log.append(("raw", state.obj().name, state.has_identity))

        def named(**kw):
            log.append(("named", sorted(kw), kw["target"].name))

        def commit(session):
            log.append("commit")

        event.listen(Author, "before_insert", on_insert)
        event.listen(Author, "before_insert", once, once=True)
        event.listen(Author, "before_insert", raw, raw=True)
        event.listen(Author, "after_insert", named, named=True)
        event.listen(orm.Session, "after_commit", commit)
        try:
            _remove_contains(lib, event, orm, engine, Author, log, on_insert, commit)
        finally:  # the Session class is shared by every test
            if event.contains(orm.Session, "after_commit", commit):
                event.remove(orm.Session, "after_commit", commit)
        try:
            event.remove(Author, "before_insert", on_insert)
        except lib.exc.InvalidRequestError:
            lib.out("not registered")
        for target, identifier in ((Author, "no_such_event"), (Author, "before_commit"),
                                   (orm.Session, "before_insert_typo")):
            try:
                event.listen(target, identifier, on_insert)
            except lib.exc.InvalidRequestError:
                lib.out("refused", identifier)

    compare(scenario)


def _remove_contains(lib, event, orm, engine, Author, log, on_insert, commit):
    lib.out(event.contains(Author, "before_insert", on_insert),
            event.contains(Author, "after_insert", on_insert),
            event.contains(orm.Session, "after_commit", commit))
    with orm.Session(engine) as s:
        s.add(Author(id=1, name="a"))
        s.commit()
        s.add(Author(id=2, name="b"))
        s.commit()
        lib.out(list(log))
        log.clear()
        event.remove(Author, "before_insert", on_insert)
        event.remove(orm.Session, "after_commit", commit)
        lib.out(event.contains(Author, "before_insert", on_insert),
                event.contains(orm.Session, "after_commit", commit))
        s.add(Author(id=3, name="c"))
        s.commit()
        lib.out(list(log))


def test_listeners_on_a_session_instance_and_class_order(compare):
    def scenario(lib):
        _import_event(lib)
        event, orm = lib.sa.event, lib.orm
        engine, Base, Author, Book = _models(lib)
        log = []

        class MySession(orm.Session):
            pass

        s = MySession(engine)
        event.listen(s, "before_commit", lambda session: log.append("instance"))
        event.listen(MySession, "before_commit", lambda session: log.append("class"))
        event.listen(s, "after_begin", lambda session, transaction, connection:
                     log.append(("begin", transaction is session.get_transaction(),
                                 connection.in_transaction())))
        s.add(Author(id=1, name="a"))
        s.commit()
        orm.Session(engine).commit()
        MySession(engine).commit()
        s.close()
        lib.out(list(log))

    compare(scenario)
