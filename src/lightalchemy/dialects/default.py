"""DefaultDialect: what every backend shares; subclasses set data and small hooks."""

from __future__ import annotations

from typing import Any

from .. import exc
from .._util.lru import LRUCache
from ..engine.interfaces import Features
from ..engine.pool import QueuePool
from ..sql.compiler import DDLCompiler, IdentifierPreparer, SQLCompiler, TypeCompiler


class DefaultDialect:
    name = "default"
    driver = ""
    dbapi: Any = None
    paramstyle = "qmark"
    features = Features()
    statement_compiler = SQLCompiler
    ddl_compiler = DDLCompiler
    type_compiler_cls = TypeCompiler
    begin_sql = "BEGIN"
    #: send BEGIN only before the first statement that writes, as sqlite3 users expect:
    #: a session that only reads holds no lock on the database file
    lazy_begin = False
    #: send BEGIN to the server together with the transaction's first statement, in
    #: one round trip (``do_execute_begin``); a transaction that ran no statement sends
    #: neither BEGIN nor its end
    begin_with_statement = False
    #: a Connection being closed may send its ROLLBACK without waiting for the answer,
    #: which the pool reads at the next checkout (``do_rollback_deferred``,
    #: ``finish_reset``)
    defers_reset = False
    #: a transaction's last statements and its COMMIT may travel in one round trip
    #: (``do_execute_commit``; used by ``Session.commit`` for small flushes of new objects)
    commits_with_statements = False
    isolation_levels: tuple[str, ...] = ()
    #: the level a connection has when nobody asked for one
    default_isolation_level: str | None = None

    def __init__(self, isolation_level: str | None = None, **kw: Any) -> None:
        self.identifier_preparer = IdentifierPreparer()
        self.type_compiler = self.type_compiler_cls()
        self.type_compiler.dialect_name = self.name  # type: ignore[attr-defined]
        self._compiled_cache = LRUCache(1000)
        self.isolation_level = isolation_level
        if isolation_level is not None:
            self._check_isolation_level(isolation_level)

    def _check_isolation_level(self, level: str) -> str:
        normal = level.upper().replace("_", " ")
        if normal not in self.isolation_levels:
            raise exc.ArgumentError(
                f"Invalid value {level!r} for isolation_level. Valid isolation levels for "
                f"'{self.name}' are {', '.join(self.isolation_levels)}"
            )
        return normal

    # -- connecting ------------------------------------------------------------
    def create_connect_args(self, url: Any) -> tuple[list, dict]:
        raise NotImplementedError

    def connect(self, *args: Any, **kw: Any) -> Any:
        conn = self.dbapi.connect(*args, **kw)
        self.on_connect(conn)
        return conn

    def on_connect(self, conn: Any) -> None:
        if self.isolation_level is not None:
            self.set_isolation_level(conn, self.isolation_level)

    def reads_before_begin(self, dbapi_conn: Any) -> bool:
        """May the ORM's primary-key lookups run outside the transaction that is owed
        (its BEGIN sent with the first other statement)?  Only where it cannot be told
        apart: a read that takes no lock, under READ COMMITTED, where every statement
        sees what was committed when it started anyway."""
        return False

    def get_pool_class(self, url: Any) -> type:
        return QueuePool

    def set_isolation_level(self, dbapi_conn: Any, level: str) -> None:
        raise exc.ArgumentError(f"isolation_level is not supported by the {self.name} dialect")

    def reset_isolation_level(self, dbapi_conn: Any) -> None:
        """Undo ``execution_options(isolation_level=...)`` before the pool takes it back."""
        level = self.isolation_level or self.default_isolation_level
        if level is not None:
            self.set_isolation_level(dbapi_conn, level)

    # -- running -----------------------------------------------------------------
    def server_side_cursor(self, dbapi_conn: Any) -> Any:
        """A cursor that fetches rows from the server in batches (``stream_results``);
        only called when ``features.server_side_cursors``."""
        return dbapi_conn.cursor()

    def do_execute_begin(self, cursor: Any, begin_sql: str, sql: str, params: Any,
                         multi: bool) -> None:
        """BEGIN, then the statement (``executemany`` where ``multi``); only called when
        ``begin_with_statement``.  Here: one after the other."""
        cursor.execute(begin_sql)
        if multi:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)

    def do_execute_commit(self, dbapi_conn: Any, begin_sql: str | None,
                          statements: list) -> tuple:
        """Run ``(sql, params)`` statements, then COMMIT; only called when
        ``commits_with_statements``.  Returns ``(rows, error, index)``: the rows each
        statement returned (up to the one that failed), the driver's error or None, and
        the index of what failed: a statement's (the transaction stays open, in error)
        or ``len(statements)`` for the COMMIT (the transaction is over)."""
        raise NotImplementedError(f"{self.name} does not send statements with COMMIT")

    def in_transaction(self, dbapi_conn: Any) -> bool:
        """Whether the server has a transaction open on this connection (asked after a
        BEGIN sent with a statement failed)."""
        return True

    def do_rollback_deferred(self, dbapi_conn: Any) -> bool:
        """Send ROLLBACK without reading the answer; True when ``finish_reset`` must
        read it before the connection is used again.  Only called when
        ``defers_reset``."""
        self.do_execute_control(dbapi_conn, "ROLLBACK")
        return False

    def do_executemany_returning(self, cursor: Any, sql: str, rows: list,
                                 begin_sql: str | None = None, log: Any = None) -> list:
        """The RETURNING row of each parameter set, in order; only called when
        ``features.executemany_returning``.  ``begin_sql``: send it first.  The dialect
        decides how many rows each statement carries and logs, through ``log`` (the
        engine's ``logger.info``, or None when not logging), what it sends."""
        if begin_sql is not None:
            cursor.execute(begin_sql)
        if log is not None:
            log(sql)
            log("[parameters] %r", rows[:10])
        out = []
        for row in rows:
            cursor.execute(sql, row)
            out.append(cursor.fetchone())
        return out

    def do_execute_control(self, dbapi_conn: Any, sql: str) -> None:
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(sql)
        finally:
            cursor.close()

    def control_needed(self, dbapi_conn: Any, kind: str) -> bool:
        """Whether BEGIN / COMMIT / ROLLBACK must be sent now."""
        return True

    def is_disconnect(self, error: Exception, dbapi_conn: Any) -> bool:
        return False

    def finish_reset(self, dbapi_conn: Any) -> bool:
        """At checkout: read what a deferred reset (``do_rollback_deferred``) left to
        read; False when the connection cannot be used."""
        return True

    def do_ping(self, dbapi_conn: Any) -> bool:
        try:
            cursor = dbapi_conn.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            return True
        except self.dbapi.Error:
            return False

    # -- schema ------------------------------------------------------------------
    def before_create(self, connection: Any, tables: list) -> None:
        """Create what ``tables`` need besides themselves (PostgreSQL: ENUM types)."""

    def after_drop(self, connection: Any, tables: list) -> None:
        """Drop what ``before_create`` made once no table uses it."""

    def has_table(self, connection: Any, table_name: str, schema: str | None = None) -> bool:
        raise NotImplementedError
