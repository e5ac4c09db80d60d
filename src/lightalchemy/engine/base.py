"""Engine, Connection and transactions.

The Connection issues BEGIN, COMMIT, ROLLBACK and SAVEPOINT itself (drivers
run in autocommit mode), so transactions behave alike on every backend.
Like SQLAlchemy 2.0, a Connection begins a transaction on first use
("commit as you go") and rolls back whatever is left when it closes.
"""

from __future__ import annotations

import sys
from typing import Any

from .. import exc
from .result import Result, _ListSource, _Source, row_class

LOGGER_NAME = "lightalchemy.engine.Engine"


def _configured_logger() -> Any:
    """The engine logger if the program switched it on, else None.

    ``logging`` is only looked at when the program imported it: a program that
    never did cannot have configured it, and importing it costs start-up time.
    """
    logging = sys.modules.get("logging")
    if logging is None:
        return None
    logger = logging.getLogger(LOGGER_NAME)
    return logger if logger.isEnabledFor(logging.INFO) else None


class Engine:
    """Connections to one database: a dialect, a pool and options."""

    _is_engine = True

    def __init__(self, pool: Any, dialect: Any, url: Any, echo: Any = False,
                 execution_options: dict | None = None, hide_parameters: bool = False) -> None:
        self._pool = pool
        #: the engine this one is an execution_options() copy of: the pool is its
        self._parent: Engine | None = None
        self.dialect = dialect
        self.url = url
        self.echo = echo
        self.hide_parameters = hide_parameters
        self._execution_options = execution_options or {}

    @property
    def echo(self) -> Any:
        return self._echo

    @echo.setter
    def echo(self, value: Any) -> None:
        self._echo = value
        self._logger = _echo_logger(value) if value else None

    @property
    def pool(self) -> Any:
        return self._parent.pool if self._parent is not None else self._pool

    @pool.setter
    def pool(self, value: Any) -> None:
        if self._parent is not None:
            self._parent.pool = value
        else:
            self._pool = value

    @property
    def name(self) -> str:
        return self.dialect.name

    @property
    def driver(self) -> str:
        return self.dialect.driver

    def connect(self) -> Connection:
        return Connection(self)

    def begin(self) -> _EngineBegin:
        return _EngineBegin(self)

    def raw_connection(self) -> PoolProxiedConnection:
        """A pooled DB-API connection for the driver's own API; ``close()`` gives it back
        to the pool (rolled back), as SQLAlchemy's does."""
        return PoolProxiedConnection(self.pool.connect(), owned=True)

    def _inspection_target(self) -> Any:
        from .reflection import Inspector

        return Inspector(self)

    def dispose(self, close: bool = True) -> None:
        """A new pool; with ``close`` the old one's idle connections are closed now and
        those still checked out when they come back.  ``close=False`` leaves them
        alone (a child process after fork must not touch its parent's connections)."""
        old = self.pool
        if close:
            old.dispose()
            old._retire()
        self.pool = old.recreate()

    def execution_options(self, **opts: Any) -> Engine:
        clone = Engine(None, self.dialect, self.url, self.echo,
                       {**self._execution_options, **opts}, self.hide_parameters)
        clone._parent = self  # one pool: dispose() on either replaces it for both
        return clone

    def get_execution_options(self) -> dict:
        return dict(self._execution_options)

    def __repr__(self) -> str:
        return f"Engine({self.url!r})"


class _EngineBegin:
    """``with engine.begin() as conn``: commit on success, roll back on error."""

    __slots__ = ("engine", "conn")

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> Connection:
        self.conn = self.engine.connect()
        try:
            self.conn.begin()
        except BaseException:
            self.conn.close()
            raise
        return self.conn

    def __exit__(self, type_: Any, value: Any, tb: Any) -> None:
        conn = self.conn
        try:
            if conn._transaction is not None and conn._transaction.is_active:
                if type_ is None:
                    conn._transaction.commit()
                else:
                    conn._transaction.rollback()
        finally:
            conn.close()


def _echo_logger(value: Any) -> Any:
    """The logger of echoing engines: INFO and a stdout handler of its own, so that
    echo on one engine does not turn logging on for the others."""
    import logging

    logger = logging.getLogger(LOGGER_NAME + ".echo")
    logger.setLevel(logging.DEBUG if value == "debug" else logging.INFO)
    if not any(getattr(h, "_lightalchemy_echo", False) for h in logger.handlers):
        import sys

        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        handler._lightalchemy_echo = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    return logger


class PoolProxiedConnection:
    """A pooled DB-API connection: the driver's methods and attributes, plus
    ``dbapi_connection`` / ``driver_connection``.  One from ``engine.raw_connection()``
    goes back to the pool on ``close()``; the one behind a Connection stays its own."""

    __slots__ = ("_record", "dbapi_connection", "_owned", "_closed")

    def __init__(self, record: Any, owned: bool) -> None:
        self._record = record
        self.dbapi_connection = record.connection
        self._owned = owned
        self._closed = False

    @property
    def driver_connection(self) -> Any:
        return self.dbapi_connection

    @property
    def is_valid(self) -> bool:
        return not self._closed

    def cursor(self, *args: Any, **kw: Any) -> Any:
        return self.dbapi_connection.cursor(*args, **kw)

    def close(self) -> None:
        if not self._owned:
            self.dbapi_connection.close()
            return
        if self._closed:
            return
        self._closed = True
        pool = self._record.pool
        try:
            self.dbapi_connection.rollback()
        except Exception:
            pool._invalidate(self._record)
            return
        pool._return(self._record)

    def invalidate(self, exception: Any = None) -> None:
        if self._owned and not self._closed:
            self._closed = True
            self._record.pool._invalidate(self._record)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.dbapi_connection, name)

    def __enter__(self) -> PoolProxiedConnection:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<PoolProxiedConnection {self.dbapi_connection!r}>"


class Connection:
    """One checked-out DB-API connection and the transaction on it."""

    _is_engine = False

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        try:
            self._record = engine.pool.connect()
        except exc.SQLAlchemyError:
            raise
        except Exception as error:  # a driver error while connecting (or in a listener)
            dbapi = getattr(self.dialect, "dbapi", None)
            if dbapi is not None and isinstance(error, dbapi.Error):
                raise exc.DBAPIError.instance(None, None, error) from error
            raise
        self._dbapi_connection = self._record.connection
        self._transaction: RootTransaction | None = None
        self._nested: list[NestedTransaction] = []
        self._closed = False
        self._invalid = False
        self._logger = engine._logger or _configured_logger()
        self._log = self._logger is not None
        self._execution_options = engine._execution_options
        self._savepoint_counter = 0
        #: BEGIN is owed: sent before (or with) the next statement that needs it
        self._begin_pending = False
        self._isolation_changed = False
        self._closing = False
        level = self._execution_options.get("isolation_level")
        if level is not None:  # engine.execution_options(isolation_level=...)
            self.dialect.set_isolation_level(self._dbapi_connection, level)
            self._isolation_changed = True

    # -- state ---------------------------------------------------------------
    @property
    def connection(self) -> PoolProxiedConnection:
        """The DB-API connection, behind SQLAlchemy's ``PoolProxiedConnection`` face
        (``.dbapi_connection``, ``.driver_connection``; everything else is the driver's)."""
        proxy = self.__dict__.get("_proxy")
        if proxy is None or proxy.dbapi_connection is not self._dbapi_connection:
            proxy = self.__dict__["_proxy"] = PoolProxiedConnection(self._record, owned=False)
        return proxy

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def invalidated(self) -> bool:
        return self._invalid

    def in_transaction(self) -> bool:
        return self._transaction is not None and self._transaction.is_active

    def _inspection_target(self) -> Any:
        from .reflection import Inspector

        return Inspector(self)

    def in_nested_transaction(self) -> bool:
        return bool(self._nested)

    def get_transaction(self) -> RootTransaction | None:
        return self._transaction

    def get_nested_transaction(self) -> NestedTransaction | None:
        return self._nested[-1] if self._nested else None

    def execution_options(self, **opts: Any) -> Connection:
        self._execution_options = {**self._execution_options, **opts}
        level = opts.get("isolation_level")
        if level is not None:
            self.dialect.set_isolation_level(self._dbapi_connection, level)
            self._isolation_changed = True  # the pooled connection gets it back at close
        return self

    def get_execution_options(self) -> dict:
        return dict(self._execution_options)

    def _check_open(self) -> None:
        if self._closed:
            raise exc.ResourceClosedError(
                "This Connection is closed; open a new one with engine.connect()."
            )

    # -- transactions --------------------------------------------------------
    def begin(self) -> RootTransaction:
        self._check_open()
        if self._transaction is not None:
            raise exc.InvalidRequestError(
                "This connection has already initialized a SQLAlchemy Transaction() object via "
                "begin() or autobegin; can't call begin() here unless rollback() or commit() "
                "is called first."
            )
        self._transaction = RootTransaction(self)
        return self._transaction

    def begin_nested(self) -> NestedTransaction:
        self._check_open()
        if self._transaction is None:
            self.begin()
        nested = NestedTransaction(self)
        self._nested.append(nested)
        return nested

    def commit(self) -> None:
        if self._transaction is not None:
            self._transaction.commit()

    def rollback(self) -> None:
        if self._transaction is not None:
            self._transaction.rollback()

    def _autobegin(self) -> None:
        if self._transaction is None:
            self._check_open()
            self._transaction = RootTransaction(self)

    def _emit(self, sql: str, begin: str | None = None) -> None:
        """Send a transaction-control statement; ``begin``: a BEGIN to send with it, in
        one round trip (the dialect's ``begin_with_statement``)."""
        if self._log:
            self._logger.info(sql)
        try:
            self.dialect.do_execute_control(self._dbapi_connection,
                                            sql if begin is None else f"{begin}; {sql}")
        except self.dialect.dbapi.Error as error:
            self._begin_failed(begin)
            self._handle_error(error, sql, None, False)

    def _control(self, kind: str) -> None:
        """BEGIN, COMMIT or ROLLBACK, unless the dialect says there is nothing to do.

        Two Connections may share one DB-API connection (a memory database); the
        second joins the transaction the first began instead of beginning again.
        Where the dialect sends BEGIN with the first statement (``begin_with_statement``)
        a transaction that ran none has nothing to end.  The ROLLBACK of a Connection
        being closed may be left for the pool to finish (``do_rollback_deferred``).
        """
        dialect = self.dialect
        if kind == "BEGIN":
            if dialect.lazy_begin or dialect.begin_with_statement:
                self._begin_pending = True
                return
        elif self._begin_pending and dialect.begin_with_statement:
            self._begin_pending = False
            return
        self._begin_pending = False
        if dialect.control_needed(self._dbapi_connection, kind):
            if kind == "ROLLBACK" and self._closing and dialect.defers_reset and \
                    self._record.pool.exclusive and not self._isolation_changed:
                if self._log:
                    self._logger.info("ROLLBACK")
                self._record.reset_pending = dialect.do_rollback_deferred(
                    self._dbapi_connection)
                return
            self._emit(dialect.begin_sql if kind == "BEGIN" else kind)

    def _end_refused_commit(self) -> None:
        """A COMMIT the database refused can leave its transaction open (SQLite does
        after a deferred constraint fails): roll it back, so that nothing of it is
        kept or carried into the next transaction."""
        dbapi_conn = self._dbapi_connection
        if self._invalid or not self.dialect.control_needed(dbapi_conn, "ROLLBACK") or \
                not self.dialect.in_transaction(dbapi_conn):
            return
        try:
            self._emit("ROLLBACK")
        except exc.DBAPIError:
            self._invalid = True

    def _begin_now(self) -> None:
        self._begin_pending = False
        if self.dialect.control_needed(self._dbapi_connection, "BEGIN"):
            self._emit(self.dialect.begin_sql)

    def close(self) -> None:
        if self._closed:
            return
        try:
            if self._transaction is not None and self._transaction.is_active:
                self._closing = True
                self._transaction.rollback()
            if self._isolation_changed and not self._invalid:
                self.dialect.reset_isolation_level(self._dbapi_connection)
        except Exception:
            self._invalid = True
        finally:
            self._closed = True
            self._transaction = None
            pool = self._record.pool  # not engine.pool: dispose() may have replaced it
            if self._invalid:
                pool._invalidate(self._record)
            else:
                pool._return(self._record)

    def invalidate(self, exception: Any = None) -> None:
        self._invalid = True
        self._transaction = None
        self._nested = []

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # -- execution -----------------------------------------------------------
    def execute(self, statement: Any, parameters: Any = None, *,
                execution_options: dict | None = None) -> Result:
        try:
            meth = statement._execute_on_connection
        except AttributeError:
            raise exc.ObjectNotExecutableError(statement) from None
        return meth(self, parameters, execution_options)

    def scalar(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self.execute(statement, parameters, **kw).scalar()

    def scalars(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self.execute(statement, parameters, **kw).scalars()

    def exec_driver_sql(self, statement: str, parameters: Any = None,
                        execution_options: dict | None = None) -> Result:
        self._autobegin()
        multi = isinstance(parameters, list) and parameters and \
            isinstance(parameters[0], tuple | list | dict)
        cursor = self._run(statement, parameters if parameters is not None else (), bool(multi),
                           self._streams(execution_options))
        return self._with_yield_per(self._result_from_cursor(cursor, None, None),
                                    execution_options)

    def _execute_clauseelement(self, element: Any, parameters: Any, options: Any) -> Result:
        self._autobegin()
        multi = False
        first = parameters
        if isinstance(parameters, list | tuple) and not isinstance(parameters, dict):
            if len(parameters) == 1:
                first = parameters[0]
            elif parameters:
                multi = True
                first = parameters[0]
            else:
                first = None
        column_keys = None
        if element._is_dml and first:
            column_keys = tuple(sorted(first))
        compiled, binds = element._compile_for(self.dialect, column_keys)
        try:
            if multi:
                params: Any = [compiled.construct_params(binds, p) for p in parameters]
            else:
                params = compiled.construct_params(binds, first)
        except exc.SQLAlchemyError:
            raise
        except Exception as error:
            raise exc.StatementError(
                f"({type(error).__module__}.{type(error).__name__}) {error}",
                compiled.sql, parameters, error,
            ) from error
        sql = compiled.sql
        if compiled.expanding:
            if multi:
                raise exc.InvalidRequestError(
                    "An expanding IN parameter can't be used with executemany (a list of "
                    "parameter sets); execute once per set."
                )
            sql, params = compiled.expand(params)
        elif compiled.key_returning_sql is not None and not multi:
            return self._insert_returning_key(compiled, params)
        elif multi and compiled.returning:
            return self._execute_many_returning(compiled, sql, params)
        cursor = self._run(sql, params, multi,
                           not multi and self._streams(getattr(element, "_execution_options", None), options))
        result = self._result_from_cursor(cursor, compiled, params if not multi else None)
        return self._with_yield_per(result, getattr(element, "_execution_options", None), options)

    def _execute_many_returning(self, compiled: Any, sql: str, params: list) -> Result:
        """A statement with RETURNING and many parameter sets: every set's returned rows,
        in parameter order, as SQLAlchemy gives them (a DB-API executemany keeps none).
        Where the dialect has a many-rows form (``features.executemany_returning``,
        PostgreSQL's pipeline) it is used; else one execution per set."""
        if self.dialect.features.executemany_returning:
            raw = self._run_many_returning(sql, params)
            rowcount = -1  # unknown, as SQLAlchemy's batched form on PostgreSQL reports
        else:
            raw, rowcount = [], 0
            for one in params:
                cursor = self._run(sql, one, False)
                raw.extend(cursor.fetchall())
                rowcount += max(cursor.rowcount, 0)
                cursor.close()
        keys, make_rows = self._row_maker_for(compiled, None)
        return Result(_ListSource(raw), keys, make_rows, rowcount=rowcount, compiled=compiled)

    def _with_yield_per(self, result: Result, *options: Any) -> Result:
        """``yield_per`` of the Connection or the statement sets the result's batch size."""
        size = self._execution_options.get("yield_per")
        for opts in options:
            if opts and opts.get("yield_per"):
                size = opts["yield_per"]
        if size and result.returns_rows:
            result._yield_per = size
        return result

    def _insert_returning_key(self, compiled: Any, params: list) -> Result:
        """A single-row INSERT whose generated key comes back through RETURNING."""
        cursor = self._run(compiled.key_returning_sql, params, False)
        row = cursor.fetchone()
        rowcount = cursor.rowcount
        cursor.close()
        inserted = _inserted_primary_key(compiled, params, row[0] if row else None)
        return Result(_ListSource([]), [], _no_rows, rowcount=rowcount, compiled=compiled,
                      returns_rows=False, inserted_primary_key=inserted)

    def _streams(self, *options: Any) -> bool:
        """Whether the execution options (the Connection's, then each given dict, later
        ones winning) ask for rows in batches and the dialect can fetch them so."""
        if not self.dialect.features.server_side_cursors:
            return False
        merged = dict(self._execution_options)
        for opts in options:
            if opts:
                merged.update(opts)
        stream = merged.get("stream_results")
        if stream is not None:
            return bool(stream) or bool(merged.get("yield_per"))
        return bool(merged.get("yield_per"))

    def _run(self, sql: str, params: Any, multi: bool, stream: bool = False,
             key_read: bool = False) -> Any:
        """The one place a statement reaches the driver; ``stream`` asks for a
        server-side cursor (a query only; other statements run as usual).  ``key_read``
        marks the ORM's lock-free primary-key lookups, which the dialect may let run
        before the transaction's BEGIN (``reads_before_begin``)."""
        if stream and (multi or not sql.lstrip()[:6].upper().startswith(_STREAMABLE)):
            stream = False
        begin = None
        if self._begin_pending and not (
                key_read and self.dialect.reads_before_begin(self._dbapi_connection)):
            if self.dialect.begin_with_statement and not stream:
                begin = self._begin_with_statement()
            elif stream or sql.lstrip()[:7].upper() not in _READS:
                self._begin_now()
        if self._log:
            self._logger.info(sql)
            self._logger.info("[parameters] %r", params if not multi else params[:10])
        if stream:
            cursor = self.dialect.server_side_cursor(self._dbapi_connection)
        else:
            cursor = self._dbapi_connection.cursor()
        try:
            if begin is not None:
                self.dialect.do_execute_begin(cursor, begin, sql, params, multi)
            elif multi:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
        except self.dialect.dbapi.Error as error:
            cursor.close()
            self._begin_failed(begin)
            self._handle_error(error, sql, params, multi)
        return cursor

    def _begin_with_statement(self) -> str | None:
        """The BEGIN to send with the statement about to run (one round trip), if any."""
        self._begin_pending = False
        if not self.dialect.control_needed(self._dbapi_connection, "BEGIN"):
            return None
        if self._log:
            self._logger.info(self.dialect.begin_sql)
        return self.dialect.begin_sql

    def _begin_failed(self, begin: str | None) -> None:
        """After an error: if the BEGIN sent with the statement did not take, it is
        still owed, so later statements do not run outside a transaction."""
        if begin is not None and not self.dialect.in_transaction(self._dbapi_connection):
            self._begin_pending = True

    def _can_run_and_commit(self) -> bool:
        """Whether ``_run_and_commit`` may be used now: a dialect that can, the root
        transaction active, no savepoint open, not AUTOCOMMIT."""
        transaction = self._transaction
        return self.dialect.commits_with_statements and transaction is not None and \
            transaction.is_active and not self._nested and \
            self.dialect.control_needed(self._dbapi_connection, "COMMIT")

    def _run_and_commit(self, statements: list) -> tuple:
        """Run ``(sql, params)`` statements and COMMIT the root transaction in one round
        trip (only where ``_can_run_and_commit``).

        Returns ``(rows of each statement, None)``, or ``(rows, error)`` when they all
        ran but the COMMIT failed (the transaction is then over, as after a failed
        ``commit()``).  A failing statement raises as ``_run`` does, leaving the
        transaction open for the caller to roll back."""
        dialect = self.dialect
        transaction = self._transaction
        if not self._can_run_and_commit():
            raise exc.InvalidRequestError(
                "statements cannot be sent with COMMIT on this Connection now")
        begin = self._begin_with_statement() if self._begin_pending else None
        if self._log:
            for sql, params in statements:
                self._logger.info(sql)
                self._logger.info("[parameters] %r", params)
            self._logger.info("COMMIT")
        rows, error, index = dialect.do_execute_commit(self._dbapi_connection, begin,
                                                       statements)
        if error is not None and index < len(statements):
            self._begin_failed(begin)
            sql, params = statements[index]
            self._handle_error(error, sql, params, False)
        transaction.is_active = False
        self._transaction = None
        if error is None:
            return rows, None
        try:
            self._handle_error(error, "COMMIT", None, False)
        except exc.DBAPIError as wrapped:
            return rows, wrapped
        return rows, None  # not reached: _handle_error raises

    def _run_many_returning(self, sql: str, rows: list) -> list:
        """INSERT … RETURNING for many parameter sets (``features.executemany_returning``):
        the returned rows in parameter order.  The dialect chooses how, and how many rows
        go per statement: PostgreSQL sends many rows by COPY with keys reserved
        beforehand, or up to a thousand per statement with an array per column where
        it can pair generated keys with rows, else pipelined executemany batches."""
        begin = None
        if self._begin_pending:
            if self.dialect.begin_with_statement:
                begin = self._begin_with_statement()
            else:
                self._begin_now()
        cursor = self._dbapi_connection.cursor()
        log = self._logger.info if self._log else None
        try:
            return self.dialect.do_executemany_returning(cursor, sql, rows, begin, log)
        except self.dialect.dbapi.Error as error:
            self._begin_failed(begin)
            self._handle_error(error, sql, rows, True)
            raise  # not reached: _handle_error raises
        finally:
            cursor.close()

    def _handle_error(self, error: Exception, sql: str, params: Any, multi: bool) -> None:
        wrapped = exc.DBAPIError.instance(sql, params, error, ismulti=multi)
        if self.dialect.is_disconnect(error, self._dbapi_connection):
            self.invalidate(error)
            wrapped.connection_invalidated = True
            self._record.pool._note_disconnect()  # the pool's other connections too
        raise wrapped from error

    def _result_from_cursor(self, cursor: Any, compiled: Any, params: Any) -> Result:
        description = cursor.description
        if description is None:
            rowcount = cursor.rowcount
            lastrowid = cursor.lastrowid
            cursor.close()
            inserted = None
            if compiled is not None and compiled.is_insert and params is not None:
                inserted = _inserted_primary_key(compiled, params, lastrowid)
            return Result(_ListSource([]), [], _no_rows, rowcount=rowcount,
                          lastrowid=lastrowid, compiled=compiled, returns_rows=False,
                          inserted_primary_key=inserted)
        keys, make_rows = self._row_maker_for(compiled, description)
        return Result(_Source(cursor), keys, make_rows, rowcount=cursor.rowcount,
                      compiled=compiled)

    @staticmethod
    def _row_maker_for(compiled: Any, description: Any) -> tuple:
        """(keys, row maker) for rows of ``compiled``: its result columns where they
        match the cursor's ``description`` (None: trusted to match), else the
        description's names."""
        if compiled is not None and compiled.result_columns and (
                description is None or len(compiled.result_columns) == len(description)):
            made = compiled.row_maker
            if made is None:  # built once per compiled statement
                keys = [c[0] for c in compiled.result_columns]
                extra = tuple((i, c[2]) for i, c in enumerate(compiled.result_columns))
                made = compiled.row_maker = (
                    keys, _row_maker(tuple(keys), compiled.result_processors, extra))
            return made
        keys = [d[0] for d in description]
        return keys, _row_maker(tuple(keys), [None] * len(keys), ())


# statements a server-side cursor can read (DECLARE … CURSOR FOR a query)
_STREAMABLE = ("SELECT", "VALUES", "(", "WITH")

# statements that may run before BEGIN where the dialect begins lazily
_READS = ("SELECT", "SELECT ", "PRAGMA ", "EXPLAIN", "SELECT\n")


def _no_rows(raw: list) -> list:
    return raw


def _row_maker(keys: tuple, processors: list, extra: tuple) -> Any:
    cls = row_class(keys, extra)
    active = [(i, p) for i, p in enumerate(processors) if p is not None]
    if not active:
        return lambda raw: list(map(cls, raw))
    if len(active) == len(processors):
        procs = processors

        def make(raw: list) -> list:
            return [cls([p(v) for p, v in zip(procs, row)]) for row in raw]

        return make

    def make_some(raw: list) -> list:
        out = []
        for row in raw:
            row = list(row)
            for i, p in active:
                row[i] = p(row[i])
            out.append(cls(row))
        return out

    return make_some


def _inserted_primary_key(compiled: Any, params: list, lastrowid: Any) -> Any:
    table = compiled.table
    if table is None:
        return None
    positions = compiled.dml_positions
    dialect = compiled.dialect
    values = []
    for col in table.primary_key.columns:
        value = None
        index = positions.get(col.key)
        if index is not None:
            # the sent value, read back the way a fetched one would be
            value = params[index]
            result_processor = col.type._processors(dialect)[1]
            if result_processor is not None and value is not None:
                value = result_processor(value)
        elif col is table.autoincrement_column:
            value = lastrowid
        values.append(value)
    return row_class(tuple(c.key for c in table.primary_key.columns))(values)


class Transaction:
    """Base of RootTransaction and NestedTransaction."""

    is_active = True

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, type_: Any, value: Any, tb: Any) -> None:
        if not self.is_active:
            return
        if type_ is None:
            self.commit()
        else:
            self.rollback()

    @property
    def is_valid(self) -> bool:
        return self.is_active and not self.connection.invalidated

    def close(self) -> None:
        if self.is_active:
            self.rollback()


class RootTransaction(Transaction):
    """BEGIN … COMMIT / ROLLBACK; BEGIN is sent lazily with the first statement."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        connection._control("BEGIN")

    def commit(self) -> None:
        conn = self.connection
        if not self.is_active:
            raise exc.InvalidRequestError("This transaction is inactive")
        conn._nested = []
        self.is_active = False
        conn._transaction = None
        try:
            conn._control("COMMIT")
        except exc.DBAPIError:
            conn._end_refused_commit()
            raise

    def rollback(self) -> None:
        conn = self.connection
        if not self.is_active:
            return
        conn._nested = []
        self.is_active = False
        conn._transaction = None
        if conn._invalid:
            return
        conn._control("ROLLBACK")


class NestedTransaction(Transaction):
    """A SAVEPOINT: rolling it back undoes only what happened inside it."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        begin = None
        if connection._begin_pending:
            if connection.dialect.begin_with_statement:
                begin = connection._begin_with_statement()
            else:
                connection._begin_now()
        connection._savepoint_counter += 1
        self.name = f"sa_savepoint_{connection._savepoint_counter}"
        connection._emit(f"SAVEPOINT {self.name}", begin)

    def _pop(self) -> None:
        nested = self.connection._nested
        while nested:
            top = nested.pop()
            top.is_active = False
            if top is self:
                break

    def commit(self) -> None:
        if not self.is_active:
            raise exc.InvalidRequestError("This nested transaction is inactive")
        self._pop()
        self.connection._emit(f"RELEASE SAVEPOINT {self.name}")

    def rollback(self) -> None:
        if not self.is_active:
            return
        self._pop()
        if self.connection._invalid or self.connection._transaction is None:
            return
        self.connection._emit(f"ROLLBACK TO SAVEPOINT {self.name}")
