"""Engines, URLs, connections, transactions and Result/Row objects (Core)."""

import threading


def _table_xy(conn, lib, rows=((1, "a"), (2, "b"), (3, "c"))):
    text = lib.sa.text
    conn.execute(text("CREATE TABLE t (x INTEGER, y TEXT)"))
    conn.execute(text("INSERT INTO t (x, y) VALUES (:x, :y)"), [{"x": x, "y": y} for x, y in rows])


# -- URLs and engine creation ----------------------------------------------------


def test_memory_url(compare):
    def scenario(lib):
        engine = lib.sa.create_engine("sqlite://")
        with engine.connect() as conn:
            lib.out(conn.execute(lib.sa.text("SELECT 1 + 1")).scalar())
        lib.out(engine.url.drivername, engine.url.database)
        lib.out(engine.dialect.name, engine.name, engine.driver)

    compare(scenario)


def test_file_url(compare):
    def scenario(lib):
        import os

        engine = lib.sa.create_engine(lib.url)
        lib.out(engine.url.drivername, engine.url.database.endswith(".db"))
        lib.out(os.path.exists(engine.url.database))
        with engine.begin() as conn:
            conn.execute(lib.sa.text("CREATE TABLE t (x INTEGER)"))
            conn.execute(lib.sa.text("INSERT INTO t VALUES (7)"))
        lib.out(os.path.exists(engine.url.database))
        engine.dispose()
        engine2 = lib.sa.create_engine(lib.url)
        with engine2.connect() as conn:
            lib.out(conn.execute(lib.sa.text("SELECT x FROM t")).scalar())

    compare(scenario, file_db=True)


def test_pysqlite_driver_url(compare):
    def scenario(lib):
        url = lib.url.replace("sqlite://", "sqlite+pysqlite://", 1)
        engine = lib.sa.create_engine(url)
        lib.out(engine.url.drivername, engine.url.get_backend_name(), engine.url.get_driver_name())
        lib.out(engine.dialect.name, engine.dialect.driver)
        with engine.begin() as conn:
            conn.execute(lib.sa.text("CREATE TABLE t (x INTEGER)"))
            conn.execute(lib.sa.text("INSERT INTO t VALUES (:v)"), {"v": 3})
            lib.out(conn.execute(lib.sa.text("SELECT x FROM t")).scalar_one())

    compare(scenario, file_db=True)


def test_pysqlite_memory_url(compare):
    def scenario(lib):
        engine = lib.sa.create_engine("sqlite+pysqlite:///:memory:")
        lib.out(engine.url.database, engine.url.get_backend_name())
        with engine.connect() as conn:
            lib.out(conn.execute(lib.sa.text("SELECT 'ok'")).scalar())

    compare(scenario)


def test_make_url_fields(compare):
    def scenario(lib):
        make_url = lib.sa.make_url
        for raw in (
            "sqlite://",
            "sqlite:///relative.db",
            "sqlite:////absolute/path.db",
            "sqlite+pysqlite:///:memory:",
            "sqlite:///x.db?timeout=10",
        ):
            url = make_url(raw)
            lib.out(
                url.drivername,
                url.database,
                url.get_backend_name(),
                url.get_driver_name(),
                url.host,
                url.port,
                url.username,
                url.password,
                dict(url.query),
            )

    compare(scenario)


def test_make_url_accepts_url_and_set(compare):
    def scenario(lib):
        url = lib.sa.make_url("sqlite:///a.db")
        lib.out(lib.sa.make_url(url) is url)
        other = url.set(database="b.db")
        lib.out(other.database, url.database, other.drivername)
        lib.out(isinstance(url, lib.sa.URL))
        lib.out(lib.sa.make_url("sqlite:///a.db") == url)

    compare(scenario)


def test_create_engine_with_url_object(compare):
    def scenario(lib):
        engine = lib.sa.create_engine(lib.sa.make_url(lib.url))
        with engine.connect() as conn:
            lib.out(conn.execute(lib.sa.text("SELECT 5")).scalar())

    compare(scenario, file_db=True)


# -- connections and transactions ---------------------------------------------------


def test_connect_text_named_params_commit(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.connect() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER, y TEXT)"))
            conn.execute(text("INSERT INTO t (x, y) VALUES (:x, :y)"), {"x": 1, "y": "one"})
            conn.execute(text("INSERT INTO t (x, y) VALUES (:x, :y)"), {"y": "two", "x": 2})
            conn.commit()
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT x, y FROM t WHERE x >= :lo ORDER BY x"), {"lo": 1})
            lib.out([tuple(r) for r in rows])

    compare(scenario, file_db=True)


def test_connect_without_commit_rolls_back(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        with engine.connect() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            lib.out(conn.execute(text("SELECT count(*) FROM t")).scalar())
        with engine.connect() as conn:
            lib.out(conn.execute(text("SELECT count(*) FROM t")).scalar())

    compare(scenario, file_db=True)


def test_connection_rollback(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.connect() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.commit()
            conn.execute(text("INSERT INTO t VALUES (1)"))
            conn.rollback()
            lib.out(conn.execute(text("SELECT count(*) FROM t")).scalar())
            conn.execute(text("INSERT INTO t VALUES (2)"))
            conn.commit()
            conn.execute(text("INSERT INTO t VALUES (3)"))
            conn.rollback()
            lib.out(conn.execute(text("SELECT x FROM t ORDER BY x")).scalars().all())

    compare(scenario, file_db=True)


def test_connection_in_transaction(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.connect() as conn:
            lib.out(conn.in_transaction())
            conn.execute(text("SELECT 1"))
            lib.out(conn.in_transaction())
            conn.commit()
            lib.out(conn.in_transaction())
            conn.execute(text("SELECT 1"))
            conn.rollback()
            lib.out(conn.in_transaction(), conn.closed)
        lib.out(conn.closed)

    compare(scenario)


def test_engine_begin_commits(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (:v)"), {"v": 10})
        with engine.connect() as conn:
            lib.out(conn.execute(text("SELECT x FROM t")).scalars().all())

    compare(scenario, file_db=True)


def test_engine_begin_rolls_back_on_exception(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        try:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (1)"))
                raise KeyError("boom")
        except KeyError as error:
            lib.out(type(error).__name__)
        with engine.connect() as conn:
            lib.out(conn.execute(text("SELECT count(*) FROM t")).scalar())

    compare(scenario, file_db=True)


def test_conn_begin_context_manager(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.connect() as conn:
            with conn.begin():
                conn.execute(text("CREATE TABLE t (x INTEGER)"))
                conn.execute(text("INSERT INTO t VALUES (1)"))
            lib.out(conn.in_transaction())
            try:
                with conn.begin():
                    conn.execute(text("INSERT INTO t VALUES (2)"))
                    raise ValueError("undo")
            except ValueError:
                lib.out("caught")
            with conn.begin() as trans:
                conn.execute(text("INSERT INTO t VALUES (3)"))
                lib.out(trans.is_active)
            lib.out(trans.is_active)
        with engine.connect() as conn:
            lib.out(conn.execute(text("SELECT x FROM t ORDER BY x")).scalars().all())

    compare(scenario, file_db=True)


def test_explicit_transaction_object(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.connect() as conn:
            trans = conn.begin()
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
            trans.commit()
            trans = conn.begin()
            conn.execute(text("INSERT INTO t VALUES (2)"))
            trans.rollback()
            lib.out(conn.execute(text("SELECT x FROM t")).scalars().all())

    compare(scenario, file_db=True)


def test_executemany_list_of_dicts(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER, y TEXT)"))
            conn.execute(
                text("INSERT INTO t (x, y) VALUES (:x, :y)"),
                [{"x": i, "y": f"v{i}"} for i in range(5)],
            )
            lib.out(conn.execute(text("SELECT count(*), sum(x) FROM t")).one()._tuple())
            lib.out(conn.execute(text("SELECT y FROM t ORDER BY x DESC")).scalars().all())

    compare(scenario)


def test_executemany_core_insert(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table(
            "t", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String)
        )
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(t.insert(), [{"name": "a"}, {"name": "b"}, {"name": "c"}])
            lib.out([tuple(r) for r in conn.execute(sa.select(t).order_by(t.c.id))])

    compare(scenario)


# -- Result ----------------------------------------------------------------------------


def test_result_iteration(compare):
    def scenario(lib):
        engine = lib.sa.create_engine(lib.url)
        with engine.connect() as conn:
            _table_xy(conn, lib)
            result = conn.execute(lib.sa.text("SELECT x, y FROM t ORDER BY x"))
            for row in result:
                lib.out(row.x, row.y)

    compare(scenario)


def test_result_all_first(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.connect() as conn:
            _table_xy(conn, lib)
            rows = conn.execute(text("SELECT x, y FROM t ORDER BY x")).all()
            lib.out(len(rows), [tuple(r) for r in rows])
            lib.out(tuple(conn.execute(text("SELECT x, y FROM t ORDER BY x DESC")).first()))
            lib.out(conn.execute(text("SELECT x FROM t WHERE x > 99")).first() is None)
            lib.out(conn.execute(text("SELECT x FROM t WHERE x > 99")).all())

    compare(scenario)


def test_result_one_and_one_or_none(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.connect() as conn:
            _table_xy(conn, lib)
            lib.out(tuple(conn.execute(text("SELECT x, y FROM t WHERE x = 2")).one()))
            lib.out(tuple(conn.execute(text("SELECT x, y FROM t WHERE x = 3")).one_or_none()))
            lib.out(conn.execute(text("SELECT x FROM t WHERE x = 9")).one_or_none() is None)
            for sql in ("SELECT x FROM t WHERE x = 9", "SELECT x FROM t"):
                try:
                    conn.execute(text(sql)).one()
                except lib.exc.SQLAlchemyError as error:
                    lib.out("one", type(error).__name__)
            try:
                conn.execute(text("SELECT x FROM t")).one_or_none()
            except lib.exc.SQLAlchemyError as error:
                lib.out("one_or_none", type(error).__name__)

    compare(scenario)


def test_result_scalar_variants(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.connect() as conn:
            _table_xy(conn, lib)
            lib.out(conn.execute(text("SELECT y FROM t ORDER BY x")).scalar())
            lib.out(conn.execute(text("SELECT y FROM t WHERE x = 99")).scalar())
            lib.out(conn.execute(text("SELECT count(*) FROM t")).scalar_one())
            lib.out(conn.execute(text("SELECT y FROM t WHERE x = 99")).scalar_one_or_none())
            try:
                conn.execute(text("SELECT y FROM t WHERE x = 99")).scalar_one()
            except lib.exc.NoResultFound as error:
                lib.out(type(error).__name__)
            lib.out(conn.scalar(text("SELECT max(x) FROM t")))
            lib.out(conn.scalars(text("SELECT x FROM t ORDER BY x DESC")).all())

    compare(scenario)


def test_result_scalars(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.connect() as conn:
            _table_xy(conn, lib)
            lib.out(conn.execute(text("SELECT y, x FROM t ORDER BY x")).scalars().all())
            lib.out(conn.execute(text("SELECT y, x FROM t ORDER BY x")).scalars(1).all())
            lib.out(conn.execute(text("SELECT y FROM t ORDER BY x")).scalars().first())
            lib.out(list(conn.execute(text("SELECT x FROM t ORDER BY x")).scalars()))
            lib.out(conn.execute(text("SELECT x FROM t WHERE x = 2")).scalars().one())

    compare(scenario)


def test_result_mappings(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.connect() as conn:
            _table_xy(conn, lib)
            maps = conn.execute(text("SELECT x, y FROM t ORDER BY x")).mappings().all()
            lib.out([dict(m) for m in maps])
            first = conn.execute(text("SELECT x, y AS label FROM t ORDER BY x")).mappings().first()
            lib.out(dict(first), first["label"], sorted(first.keys()))
            one = conn.execute(text("SELECT x FROM t WHERE x = 3")).mappings().one()
            lib.out(dict(one))

    compare(scenario)


def test_result_keys_and_fetch(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.connect() as conn:
            _table_xy(conn, lib, rows=[(i, str(i)) for i in range(6)])
            result = conn.execute(text("SELECT x, y AS why FROM t ORDER BY x"))
            lib.out(list(result.keys()))
            lib.out(tuple(result.fetchone()))
            lib.out([tuple(r) for r in result.fetchmany(2)])
            lib.out([tuple(r) for r in result.fetchall()])
            lib.out(result.fetchone() is None)

    compare(scenario)


def test_result_consumed_twice(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.connect() as conn:
            _table_xy(conn, lib)
            result = conn.execute(text("SELECT x FROM t ORDER BY x"))
            lib.out([tuple(r) for r in result.all()])
            lib.out(result.all())

    compare(scenario)


def test_row_access(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.connect() as conn:
            _table_xy(conn, lib)
            row = conn.execute(text("SELECT x, y FROM t WHERE x = 2")).one()
            lib.out(row.x, row.y, row[0], row[1], row[-1])
            lib.out(row._mapping["x"], row._mapping["y"], dict(row._mapping))
            lib.out(tuple(row), len(row), list(row))
            lib.out(row == (2, "b"), row._tuple(), tuple(row._fields))
            lib.out(row._asdict())
            a, b = row
            lib.out(a, b)
            lib.out(row[0:2] == (2, "b"))

    compare(scenario)


def test_row_from_core_select_labels(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table("t", md, sa.Column("x", sa.Integer), sa.Column("y", sa.String))
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(t.insert(), [{"x": 1, "y": "a"}, {"x": 2, "y": "b"}])
            row = conn.execute(
                sa.select(t.c.x, t.c.y.label("name"), (t.c.x * 10).label("big")).where(t.c.x == 2)
            ).one()
            lib.out(row.x, row.name, row.big, row._mapping["name"], row._mapping[t.c.x])
            lib.out(tuple(row._fields))

    compare(scenario)


# -- pooling, threads ------------------------------------------------------------------


def test_static_pool_memory_shared_across_threads(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(
            "sqlite://",
            connect_args={"check_same_thread": False},
            poolclass=lib.pool.StaticPool,
        )
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        errors = []

        def work():
            try:
                with engine.begin() as conn:
                    conn.execute(text("INSERT INTO t VALUES (42)"))
            except Exception as error:
                errors.append(type(error).__name__)

        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        lib.out(errors)
        with engine.connect() as conn:
            lib.out(conn.execute(text("SELECT x FROM t")).scalars().all())

    compare(scenario)


def test_static_pool_orm_session(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine = sa.create_engine(
            "sqlite://",
            connect_args={"check_same_thread": False},
            poolclass=lib.pool.StaticPool,
        )

        class Base(orm.DeclarativeBase):
            pass

        class Item(Base):
            __tablename__ = "items"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            title: orm.Mapped[str]

        Base.metadata.create_all(bind=engine)
        SessionLocal = orm.sessionmaker(autocommit=False, autoflush=False, bind=engine)
        with SessionLocal() as db:
            db.add(Item(title="first"))
            db.commit()
        with SessionLocal() as db:
            lib.out([(i.id, i.title) for i in db.scalars(sa.select(Item))])

    compare(scenario)


def test_memory_db_shared_between_create_all_and_session(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine = sa.create_engine("sqlite://")

        class Base(orm.DeclarativeBase):
            pass

        class Item(Base):
            __tablename__ = "items"
            id = sa.Column(sa.Integer, primary_key=True)
            title = sa.Column(sa.String)

        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            session.add_all([Item(title="a"), Item(title="b")])
            session.commit()
        with orm.Session(engine) as session:
            lib.out(session.scalars(sa.select(Item.title).order_by(Item.id)).all())
        with engine.connect() as conn:
            lib.out(conn.execute(sa.text("SELECT count(*) FROM items")).scalar())

    compare(scenario)


def test_file_db_sessions_in_threads(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine = sa.create_engine(lib.url, connect_args={"timeout": 30})

        class Base(orm.DeclarativeBase):
            pass

        class Event(Base):
            __tablename__ = "events"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            worker: orm.Mapped[int]
            label: orm.Mapped[str]

        Base.metadata.create_all(engine)
        Session = orm.sessionmaker(bind=engine)
        results = {}
        errors = []
        lock = threading.Lock()

        def work(n):
            try:
                for j in range(5):
                    with Session() as session:
                        session.add(Event(worker=n, label=f"w{n}-{j}"))
                        session.commit()
                with Session() as session:
                    mine = session.scalars(
                        sa.select(Event.label).where(Event.worker == n).order_by(Event.label)
                    ).all()
                with lock:
                    results[n] = mine
            except Exception as error:
                with lock:
                    errors.append(type(error).__name__)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        lib.out(errors)
        lib.out(sorted(results.items()))
        with Session() as session:
            lib.out(session.scalar(sa.select(sa.func.count()).select_from(Event)))
            ids = session.scalars(sa.select(Event.id)).all()
            lib.out(sorted(ids) == list(range(1, 21)))

    compare(scenario, file_db=True)


def test_engine_dispose_and_reconnect(compare):
    def scenario(lib):
        text = lib.sa.text
        engine = lib.sa.create_engine(lib.url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        engine.dispose()
        with engine.connect() as conn:
            lib.out(conn.execute(text("SELECT x FROM t")).scalar())

    compare(scenario, file_db=True)


def test_connect_event_sets_up_each_connection(compare):
    def scenario(lib):
        from importlib import import_module

        sa = lib.sa
        event = import_module(f"{lib.name}.event")
        engine = sa.create_engine(lib.url)
        seen = []

        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection, connection_record):
            seen.append(type(connection_record).__name__ != "")
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

        md = sa.MetaData()
        parent = sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
        sa.Table("child", md, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("parent_id", sa.ForeignKey("parent.id")))
        md.create_all(engine)
        with engine.connect() as conn:
            lib.out(conn.exec_driver_sql("PRAGMA foreign_keys").scalar())
            try:
                conn.exec_driver_sql("INSERT INTO child (id, parent_id) VALUES (1, 99)")
                lib.out("inserted")
            except lib.exc.IntegrityError:
                lib.out("IntegrityError")
        lib.out(bool(seen), event.contains(engine, "connect", on_connect))
        event.remove(engine, "connect", on_connect)
        lib.out(event.contains(engine, "connect", on_connect))
        del parent

    compare(scenario, file_db=True)


def test_raw_connection_returns_to_the_pool(compare):
    def scenario(lib):
        import os
        import tempfile

        path = os.path.join(tempfile.mkdtemp(), "raw.db")
        engine = lib.sa.create_engine(f"sqlite:///{path}", pool_size=2, max_overflow=0,
                                      pool_timeout=1)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        for i in range(10):  # more than the pool holds: each close() gives it back
            raw = engine.raw_connection()
            cursor = raw.cursor()
            cursor.execute("INSERT INTO t VALUES (?)", (i,))
            raw.commit()
            lib.out(raw.dbapi_connection is raw.driver_connection)
            raw.close()
        with engine.connect() as conn:
            lib.out(conn.exec_driver_sql("SELECT count(*) FROM t").scalar())
            lib.out(conn.connection.dbapi_connection is not None,
                    conn.connection.cursor().execute("SELECT 1").fetchone()[0])
        engine.dispose()

    compare(scenario)
