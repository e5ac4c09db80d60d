
"""Exceptions user code catches: which class is raised, hierarchy, attributes."""

from typing import Optional


def _setup(lib, rows=()):
    sa, orm = lib.sa, lib.orm
    Mapped, mapped_column = orm.Mapped, orm.mapped_column

    class Base(orm.DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(unique=True)
        age: Mapped[Optional[int]]

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    if rows:
        with orm.Session(engine) as s:
            s.add_all([User(name=n, age=a) for n, a in rows])
            s.commit()
    return engine, User


def _raise_name(lib, fn):
    try:
        fn()
    except Exception as error:
        return type(error).__name__
    return "no error"


EXC_NAMES = [
    "SQLAlchemyError",
    "DBAPIError",
    "StatementError",
    "IntegrityError",
    "OperationalError",
    "ProgrammingError",
    "DataError",
    "InterfaceError",
    "DatabaseError",
    "InternalError",
    "NotSupportedError",
    "InvalidRequestError",
    "ArgumentError",
    "NoResultFound",
    "MultipleResultsFound",
    "PendingRollbackError",
    "ResourceClosedError",
    "NoSuchModuleError",
    "NoInspectionAvailable",
    "CompileError",
]

ORM_EXC_NAMES = [
    "DetachedInstanceError",
    "UnmappedInstanceError",
    "UnmappedClassError",
    "UnmappedError",
    "ObjectDeletedError",
    "StaleDataError",
    "NoResultFound",
    "MultipleResultsFound",
    "FlushError",
]


def test_exception_hierarchy_exc(compare):
    def scenario(lib):
        classes = {name: getattr(lib.exc, name) for name in EXC_NAMES}
        for name, cls in classes.items():
            bases = sorted(other for other, base in classes.items() if issubclass(cls, base))
            lib.out(name, bases)

    compare(scenario)


def test_exception_hierarchy_orm_exc(compare):
    def scenario(lib):
        exc_classes = {name: getattr(lib.exc, name) for name in EXC_NAMES}
        for name in ORM_EXC_NAMES:
            cls = getattr(lib.orm_exc, name)
            lib.out(
                name,
                sorted(other for other, base in exc_classes.items() if issubclass(cls, base)),
                issubclass(cls, Exception),
            )
        lib.out(lib.orm_exc.NoResultFound is lib.exc.NoResultFound)
        lib.out(lib.orm_exc.MultipleResultsFound is lib.exc.MultipleResultsFound)

    compare(scenario)


def test_specific_subclass_relations(compare):
    def scenario(lib):
        e, oe = lib.exc, lib.orm_exc
        lib.out(
            issubclass(e.IntegrityError, e.DBAPIError),
            issubclass(e.IntegrityError, e.SQLAlchemyError),
            issubclass(e.IntegrityError, e.DatabaseError),
            issubclass(e.OperationalError, e.DBAPIError),
            issubclass(e.DBAPIError, e.StatementError),
            issubclass(e.NoResultFound, e.InvalidRequestError),
            issubclass(e.MultipleResultsFound, e.InvalidRequestError),
            issubclass(e.PendingRollbackError, e.InvalidRequestError),
            issubclass(oe.DetachedInstanceError, e.SQLAlchemyError),
            issubclass(oe.UnmappedInstanceError, e.InvalidRequestError),
            issubclass(oe.ObjectDeletedError, e.InvalidRequestError),
            issubclass(e.ArgumentError, e.SQLAlchemyError),
            issubclass(e.NoSuchModuleError, e.ArgumentError),
            issubclass(e.IntegrityError, e.OperationalError),
        )

    compare(scenario)


def test_integrity_error_attributes(compare):
    def scenario(lib):
        sa = lib.sa
        engine, User = _setup(lib, rows=[("a", 1)])
        with engine.connect() as conn:
            try:
                conn.execute(sa.text("INSERT INTO users (name) VALUES (:n)"), {"n": "a"})
            except lib.exc.SQLAlchemyError as error:
                lib.out(type(error).__name__, isinstance(error, lib.exc.DBAPIError))
                lib.out(error.orig is not None, type(error.orig).__name__)
                lib.out(type(error.orig).__module__.split(".")[0])
                lib.out(isinstance(error.statement, str), error.params is not None)
                lib.out(isinstance(str(error), str), error.connection_invalidated)

    compare(scenario)


def test_integrity_error_from_flush(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        with orm.Session(engine) as s:
            s.add(User(name="a"))
            try:
                s.flush()
            except lib.exc.DBAPIError as error:
                lib.out(type(error).__name__, type(error.orig).__name__)
                lib.out(isinstance(error.statement, str), error.orig is not None)

    compare(scenario)


def test_integrity_error_kinds(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        sa.Table(
            "t",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("u", sa.String, unique=True),
            sa.Column("nn", sa.String, nullable=False, default="x"),
            sa.Column("c", sa.Integer, sa.CheckConstraint("c > 0")),
        )
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.connect() as conn:
            conn.execute(sa.text("INSERT INTO t (id, u, nn, c) VALUES (1, 'a', 'x', 1)"))
            for sql in (
                "INSERT INTO t (id, nn) VALUES (1, 'x')",
                "INSERT INTO t (u, nn) VALUES ('a', 'x')",
                "INSERT INTO t (nn) VALUES (NULL)",
                "INSERT INTO t (nn, c) VALUES ('x', 0)",
            ):
                lib.out(_raise_name(lib, lambda sql=sql: conn.execute(sa.text(sql))))
            conn.rollback()

    compare(scenario)


def test_operational_error_bad_table(compare):
    def scenario(lib):
        sa = lib.sa
        engine = sa.create_engine(lib.url)
        with engine.connect() as conn:
            try:
                conn.execute(sa.text("SELECT * FROM no_such_table"))
            except lib.exc.OperationalError as error:
                lib.out(type(error).__name__, type(error.orig).__name__)
                lib.out(isinstance(error, lib.exc.DBAPIError), isinstance(error.statement, str))
            lib.out(conn.execute(sa.text("SELECT 1")).scalar())  # connection still usable

    compare(scenario)


def test_operational_error_bad_column_and_orm_table_missing(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib)
        with engine.connect() as conn:
            lib.out(_raise_name(lib, lambda: conn.execute(sa.text("SELECT nope FROM users"))))
        User.__table__.drop(engine)
        with orm.Session(engine) as s:
            lib.out(_raise_name(lib, lambda: s.query(User).all()))

    compare(scenario)


def test_syntax_error_class(compare):
    def scenario(lib):
        sa = lib.sa
        engine = sa.create_engine(lib.url)
        with engine.connect() as conn:
            for sql in ("SELEC 1", "SELECT FROM WHERE", "CREATE TABLE (x)"):
                try:
                    conn.execute(sa.text(sql))
                except lib.exc.DBAPIError as error:
                    lib.out(sql, type(error).__name__, type(error.orig).__name__)

    compare(scenario)


def test_programming_error_cases(compare):
    def scenario(lib):
        sa = lib.sa
        engine = sa.create_engine(lib.url)
        with engine.connect() as conn:
            for sql, params in (
                ("SELECT 1; SELECT 2", {}),
                ("SELECT :x", {"x": object()}),
            ):
                try:
                    conn.execute(sa.text(sql), params)
                except lib.exc.DBAPIError as error:
                    lib.out(type(error).__name__, type(error.orig).__name__)

    compare(scenario)


def test_statement_error_missing_bind_parameter(compare):
    def scenario(lib):
        sa = lib.sa
        engine = sa.create_engine(lib.url)
        with engine.connect() as conn:
            try:
                conn.execute(sa.text("SELECT :x"))
            except lib.exc.StatementError as error:
                lib.out(type(error).__name__, type(error.orig).__name__)
                lib.out(isinstance(error, lib.exc.DBAPIError))

    compare(scenario)


def test_data_error_is_dbapi_error(compare):
    def scenario(lib):
        e = lib.exc
        lib.out(issubclass(e.DataError, e.DBAPIError), issubclass(e.DataError, e.DatabaseError))
        lib.out(issubclass(e.DataError, e.IntegrityError))

    compare(scenario)


def test_dbapi_error_catch_all(compare):
    def scenario(lib):
        sa = lib.sa
        engine, User = _setup(lib, rows=[("a", 1)])
        with engine.connect() as conn:
            for sql in ("SELECT * FROM nope", "INSERT INTO users (id, name) VALUES (1, 'z')"):
                try:
                    conn.execute(sa.text(sql))
                except lib.exc.DBAPIError as error:
                    lib.out(type(error).__name__, isinstance(error, lib.exc.SQLAlchemyError))

    compare(scenario)


def test_argument_error_bad_url(compare):
    def scenario(lib):
        sa = lib.sa
        for url in ("not a url", "://nothing", ""):
            lib.out(url, _raise_name(lib, lambda url=url: sa.create_engine(url)))
            lib.out(_raise_name(lib, lambda url=url: sa.make_url(url)))
        lib.out(_raise_name(lib, lambda: sa.create_engine("nosuchdialect://")))
        lib.out(_raise_name(lib, lambda: sa.create_engine("sqlite+nosuchdriver://")))

    compare(scenario)


def test_argument_error_bad_create_engine_kwarg(compare):
    def scenario(lib):
        sa = lib.sa
        lib.out(_raise_name(lib, lambda: sa.create_engine("sqlite://", no_such_option=1)))

    compare(scenario)


def test_no_result_and_multiple_results(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=[("a", 1), ("b", 1)])
        with orm.Session(engine) as s:
            calls = [
                lambda: s.execute(sa.select(User).where(User.age == 5)).one(),
                lambda: s.execute(sa.select(User).where(User.age == 1)).one(),
                lambda: s.scalars(sa.select(User).where(User.age == 5)).one(),
                lambda: s.scalars(sa.select(User).where(User.age == 1)).one(),
                lambda: s.execute(sa.select(User.name).where(User.age == 5)).scalar_one(),
                lambda: s.execute(sa.select(User.name).where(User.age == 1)).scalar_one(),
                lambda: s.scalars(sa.select(User).where(User.age == 1)).one_or_none(),
                lambda: s.query(User).filter_by(age=5).one(),
                lambda: s.query(User).filter_by(age=1).one(),
            ]
            for call in calls:
                try:
                    call()
                    lib.out("no error")
                except lib.orm_exc.NoResultFound as error:
                    lib.out("NoResultFound via orm.exc", type(error).__name__)
                except lib.exc.MultipleResultsFound as error:
                    lib.out("MultipleResultsFound via exc", type(error).__name__)

    compare(scenario)


def test_pending_rollback_error(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        with orm.Session(engine) as s:
            s.add(User(name="a"))
            lib.out(_raise_name(lib, s.flush))
            try:
                s.query(User).all()
            except lib.exc.PendingRollbackError as error:
                lib.out(type(error).__name__, isinstance(error, lib.exc.InvalidRequestError))
            s.rollback()
            lib.out(len(s.query(User).all()))

    compare(scenario)


def test_detached_instance_error(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        u = s.get(User, 1)
        s.expire(u, ["age"])
        s.close()
        lib.out(u.name)
        try:
            lib.out(u.age)
        except lib.orm_exc.DetachedInstanceError as error:
            lib.out(type(error).__name__, isinstance(error, lib.exc.SQLAlchemyError))

    compare(scenario)


def test_unmapped_instance_error(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib)

        class NotMapped:
            pass

        with orm.Session(engine) as s:
            for bad in (object(), NotMapped(), "string", None):
                lib.out(_raise_name(lib, lambda bad=bad: s.add(bad)))
            lib.out(_raise_name(lib, lambda: s.add_all([User(name="ok"), object()])))
            lib.out(_raise_name(lib, lambda: s.delete(object())))
            lib.out(_raise_name(lib, lambda: s.refresh(object())))
            lib.out(_raise_name(lib, lambda: s.expunge(object())))

    compare(scenario)


def test_unmapped_class_in_get_and_select(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib)

        class NotMapped:
            pass

        with orm.Session(engine) as s:
            lib.out(_raise_name(lib, lambda: s.get(NotMapped, 1)))
            lib.out(_raise_name(lib, lambda: sa.select(NotMapped)))
            lib.out(_raise_name(lib, lambda: s.query(NotMapped)))

    compare(scenario)


def test_object_deleted_error(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        u = s.get(User, 1)
        s.commit()  # expires u
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM users WHERE id = 1"))
        try:
            lib.out(u.name)
        except lib.orm_exc.ObjectDeletedError as error:
            lib.out(type(error).__name__, isinstance(error, lib.exc.InvalidRequestError))
        s.close()

    compare(scenario)


def test_stale_data_error_on_update_of_deleted_row(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine, expire_on_commit=False)
        u = s.get(User, 1)
        s.commit()
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM users WHERE id = 1"))
        u.age = 2
        lib.out(_raise_name(lib, s.commit))
        s.rollback()
        s.close()

    compare(scenario)


def test_invalid_request_errors(compare):
    def scenario(lib):
        orm = lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        s = orm.Session(engine)
        lib.out(_raise_name(lib, lambda: s.delete(User(name="transient"))))
        lib.out(_raise_name(lib, lambda: s.query(User).filter_by(nope=1).all()))
        lib.out(_raise_name(lib, lambda: s.get(User, (1, 2))))
        s.close()

    compare(scenario)


def test_attribute_error_for_unknown_column(compare):
    def scenario(lib):
        engine, User = _setup(lib)
        lib.out(_raise_name(lib, lambda: User.nope))
        lib.out(_raise_name(lib, lambda: lib.sa.select(User).where(User.nope == 1)))

    compare(scenario)


def test_resource_closed_error(compare):
    def scenario(lib):
        sa = lib.sa
        engine = sa.create_engine(lib.url)
        conn = engine.connect()
        result = conn.execute(sa.text("SELECT 1 UNION ALL SELECT 2"))
        result.close()
        lib.out(_raise_name(lib, result.fetchone))
        conn.close()
        lib.out(_raise_name(lib, lambda: conn.execute(sa.text("SELECT 1"))))

    compare(scenario)


def test_errors_are_catchable_as_sqlalchemy_error(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, User = _setup(lib, rows=[("a", 1)])
        cases = [
            lambda: engine.connect().execute(sa.text("SELECT * FROM nowhere")),
            lambda: sa.create_engine("???"),
            lambda: orm.Session(engine).add(object()),
            lambda: orm.Session(engine).query(User).filter_by(age=9).one(),
        ]
        for case in cases:
            try:
                case()
            except lib.exc.SQLAlchemyError as error:
                lib.out(type(error).__name__)

    compare(scenario)


def test_missing_primary_key_and_tablename(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm

        class Base(orm.DeclarativeBase):
            pass

        def no_pk():
            class NoPk(Base):
                __tablename__ = "nopk"
                x = sa.Column(sa.Integer)

        def no_tablename():
            class NoName(Base):
                id = sa.Column(sa.Integer, primary_key=True)

        lib.out(_raise_name(lib, no_pk))
        lib.out(_raise_name(lib, no_tablename))

    compare(scenario)


def test_a_failing_python_default_is_a_statement_error(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        calls = []

        def default():
            calls.append(1)
            if len(calls) == 1:
                raise ValueError("no value today")
            return "later"

        class Base(orm.DeclarativeBase):
            pass

        class Item(Base):
            __tablename__ = "item"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            label: orm.Mapped[str] = orm.mapped_column(default=default)

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        session = orm.Session(engine)
        item = Item()
        session.add(item)
        try:
            session.commit()
        except lib.exc.StatementError as error:
            lib.out(type(error).__name__, type(error.orig).__name__, str(error.orig))
        lib.out(session.is_active, lib.inspect(item).transient)
        session.rollback()
        session.add(item)
        session.commit()
        lib.out(item.label)
        with engine.begin() as conn:
            calls.clear()
            try:
                conn.execute(sa.insert(Item.__table__))
            except lib.exc.StatementError as error:
                lib.out("core", type(error).__name__, type(error.orig).__name__)
        session.close()
        engine.dispose()

    compare(scenario)
