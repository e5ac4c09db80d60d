"""The psycopg 3 driver: autocommit connections, so the Connection owns transactions.

psycopg is an optional dependency (``pip install 'lightalchemy[postgresql]'``)
and is imported when the first PostgreSQL engine is created.
"""

from __future__ import annotations

import itertools
import select
from functools import lru_cache
from typing import Any

from ... import exc
from . import pipeline
from .base import ELIGIBLE_KEYS_SQL, BulkInsert, CopyInsert, PGDialect, array_literal

# SQLSTATE classes and codes that mean the connection is gone: connection exceptions
# (08), and the server shutting down or terminating this backend (57P01-57P03)
_DISCONNECT_CODES = ("57P01", "57P02", "57P03")
_DISCONNECT_MESSAGES = (
    "the connection is closed", "the connection is lost", "server closed the connection",
    "terminating connection", "consuming input failed", "connection not open",
    "could not receive data from server", "could not send data to server", "ssl syscall error",
)


def _import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError as error:
        raise ModuleNotFoundError(
            "PostgreSQL URLs need the psycopg package (psycopg 3), which is not installed: "
            "pip install 'lightalchemy[postgresql]' (or pip install 'psycopg[binary]')",
            name="psycopg",
        ) from error
    return psycopg


@lru_cache(maxsize=1)
def _cursor_class() -> type:
    psycopg = _import_psycopg()

    class Cursor(psycopg.Cursor):
        """psycopg's cursor with DB-API's optional ``lastrowid`` (PostgreSQL has no rowid;
        keys come back through RETURNING)."""

        lastrowid = None

    return Cursor


@lru_cache(maxsize=1)
def _server_cursor_class() -> type:
    psycopg = _import_psycopg()

    class ServerCursor(psycopg.ServerCursor):
        lastrowid = None

    return ServerCursor


_cursor_numbers = itertools.count(1)

# the most rows one INSERT … unnest (or one pipeline) carries
_ROWS_PER_STATEMENT = 1000


class PGDialect_psycopg(PGDialect):
    driver = "psycopg"
    # a round trip saved per transaction: BEGIN travels with the first statement
    begin_with_statement = True
    # and one per returned connection: its ROLLBACK is answered while it sits in the pool
    defers_reset = True

    def __init__(self, isolation_level: str | None = None, **kw: Any) -> None:
        self.dbapi = _import_psycopg()
        super().__init__(isolation_level=isolation_level, **kw)
        # libpq's pipeline mode (libpq 14 and later) carries a flush and its COMMIT at once
        self.commits_with_statements = self.dbapi.Pipeline.is_supported()

    def create_connect_args(self, url: Any) -> tuple[list, dict]:
        params: dict[str, Any] = {}
        if url.host is not None:
            params["host"] = url.host
        if url.port is not None:
            params["port"] = url.port
        if url.username is not None:
            params["user"] = url.username
        if url.password is not None:
            params["password"] = url.password
        if url.database is not None:
            params["dbname"] = url.database
        # every query option is a libpq connection parameter (sslmode, connect_timeout,
        # application_name, options, …); repeated ones (host=a&host=b) are libpq lists
        for key, value in url.query.items():
            params[key] = ",".join(value) if isinstance(value, tuple) else value
        return [], params

    def connect(self, *args: Any, **kw: Any) -> Any:
        kw["autocommit"] = True  # BEGIN / COMMIT / ROLLBACK are the Connection's
        kw.setdefault("cursor_factory", _cursor_class())
        try:
            conn = self.dbapi.connect(*args, **kw)
        except self.dbapi.Error as error:
            # as SQLAlchemy does: OperationalError with the driver's exception as .orig
            raise exc.DBAPIError.instance(None, None, error) from error
        self.on_connect(conn)
        return conn

    def on_connect(self, conn: Any) -> None:
        # also for connections from a user's creator=
        if not conn.autocommit:
            conn.autocommit = True
        if not hasattr(conn.cursor_factory, "lastrowid"):
            conn.cursor_factory = _cursor_class()
        # the server's own default (postgresql.conf, ALTER ROLE/DATABASE ... SET) decides
        # whether key lookups may run before BEGIN (reads_before_begin)
        row = conn.execute("SHOW default_transaction_isolation", prepare=False).fetchone()
        conn._lightalchemy_server_level = (row[0] if row else "").upper()
        conn._lightalchemy_level = conn._lightalchemy_server_level
        super().on_connect(conn)

    def reads_before_begin(self, dbapi_conn: Any) -> bool:
        return getattr(dbapi_conn, "_lightalchemy_level", "") == "READ COMMITTED" and \
            not getattr(dbapi_conn, "_lightalchemy_autocommit", False)

    def server_side_cursor(self, dbapi_conn: Any) -> Any:
        # a named cursor is DECLAREd on the server and read with FETCH FORWARD n.  Inside
        # the Connection's BEGIN it lives until the transaction ends; under
        # isolation_level="AUTOCOMMIT" there is no transaction, so it is WITH HOLD
        withhold = bool(getattr(dbapi_conn, "_lightalchemy_autocommit", False))
        return _server_cursor_class()(dbapi_conn, f"lightalchemy_c{next(_cursor_numbers)}",
                                      withhold=withhold)

    #: new rows from this many on go by COPY where the table and values allow
    #: (CopyInsert); fewer go by INSERT … unnest, which takes one round trip where COPY
    #: takes three.  Measured on a local server: COPY is slower at 1,000 rows, about
    #: even at 3,000, and about 15% quicker from 5,000 on
    copy_threshold = 3000

    def do_executemany_returning(self, cursor: Any, sql: str, rows: list,
                                 begin_sql: str | None = None, log: Any = None) -> list:
        if begin_sql is not None:
            cursor.execute(begin_sql)
        base, _, returning = sql.partition(" RETURNING ")
        form = self._bulk_inserts.get(base)
        if form is None or not form.usable or returning != form.key:
            return self._executemany_pipelined(cursor, sql, rows, log)
        if len(rows) >= self.copy_threshold and form.copy is not None and \
                form.copy.values_fit(rows):
            keys = self._insert_copy(cursor, form.copy, rows, log)
            if keys is not None:
                return keys
        out: list = []
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            batch = rows[start:start + _ROWS_PER_STATEMENT]
            returned = self._insert_unnest(cursor, form, batch, log)
            if returned is None:  # values no array can carry: a statement per row
                returned = self._executemany_pipelined(cursor, sql, batch, log)
            out += returned
        return out

    def _executemany_pipelined(self, cursor: Any, sql: str, rows: list, log: Any) -> list:
        """Pipeline mode: every INSERT of a batch is sent before the first result is
        read, and each statement's RETURNING is a result set of its own, in parameter
        order.  Batches bound what the pipeline holds."""
        out = []
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            batch = rows[start:start + _ROWS_PER_STATEMENT]
            if log is not None:
                log(sql)
                log("[parameters] %r", batch[:10])
            cursor.executemany(sql, batch, returning=True)
            while True:
                # one row per INSERT, but none or several for an upsert's DO NOTHING
                # or an INSERT … SELECT
                out.extend(cursor.fetchall())
                if not cursor.nextset():
                    break
        return out

    def _insert_copy(self, cursor: Any, copy: CopyInsert, rows: list, log: Any) -> list | None:
        """Reserve a key per row and send the rows by COPY, each with its key (see
        CopyInsert); the keys as returned rows, or None where the table does not
        qualify (then nothing was sent but that query, and nothing was taken)."""
        params = (copy.key_name, copy.table, len(rows))
        if log is not None:
            log(ELIGIBLE_KEYS_SQL)
            log("[parameters] %r", params)
        cursor.execute(ELIGIBLE_KEYS_SQL, params)
        keys = cursor.fetchall()
        if len(keys) != len(rows):
            # none: the table does not qualify.  Any other count cannot happen (one
            # sequence per column); were it to, the values taken are a gap, as a
            # rolled-back INSERT leaves
            return None
        if log is not None:
            log(copy.statement)
            log("[parameters] %r", [(k, *r) for (k,), r in zip(keys[:10], rows[:10])])
        with cursor.copy(copy.statement) as stream:
            write = stream.write_row
            for (key,), values in zip(keys, rows):
                write((key, *values))
        return keys

    def _insert_unnest(self, cursor: Any, form: BulkInsert, rows: list,
                       log: Any) -> list | None:
        """Every row in one INSERT … SELECT … FROM unnest(arrays) (see BulkInsert); the
        generated keys in parameter order.  None, with nothing sent, where a column
        mixes kinds of values (1 and 5.5, say): psycopg sends a list as an array of one
        type, and each INSERT of its own converts each value as SQLAlchemy's would."""
        arrays = []
        for values in zip(*rows):
            literal = array_literal(values)
            if not isinstance(literal, str):
                if len({type(v) for v in literal if v is not None}) > 1:
                    return None
                literal = list(literal)
            arrays.append(literal)
        sql = form.sql(form.key)
        if log is not None:
            log(sql)
            log("[parameters] %r", rows[:10])
        cursor.execute(sql, arrays)
        returned = cursor.fetchall()
        keys = [row[0] for row in returned]
        # keys ascend in parameter order; rows come back in insertion order in practice.
        # Anything else (a sequence counting down, a trigger choosing keys) cannot be
        # paired: fail this flush rather than guess, and insert row by row from now on
        if len(keys) != len(rows) or keys != sorted(keys) or len(set(keys)) != len(keys):
            form.usable = False
            raise exc.InvalidRequestError(
                f"{form.prefix}: the {len(keys)} keys generated for {len(rows)} new rows do "
                "not ascend in the order the rows were sent, so they cannot be paired "
                "with the objects; this table's new rows are now inserted one statement "
                "per row"
            )
        return returned

    # -- transactions --------------------------------------------------------------------------
    def do_execute_begin(self, cursor: Any, begin_sql: str, sql: str, params: Any,
                         multi: bool) -> None:
        if not multi and not params:
            # no parameters: psycopg sends the text by the simple query protocol, which
            # takes several statements in one message, so BEGIN costs no round trip of
            # its own; the cursor moves on to the statement's result
            cursor.execute(f"{begin_sql}; {sql}", params)
            cursor.nextset()
            return
        # with parameters (the extended protocol) only psycopg's pipeline mode could
        # send both at once, and its bookkeeping costs more than the round trip saved
        # (measured: 67 µs against 48 µs for BEGIN + a SELECT by key on a local server)
        super().do_execute_begin(cursor, begin_sql, sql, params, multi)

    def do_execute_commit(self, dbapi_conn: Any, begin_sql: str | None,
                          statements: list) -> tuple:
        # libpq's pipeline mode (see .pipeline): BEGIN, the statements and COMMIT go out
        # before any answer is read.  The server skips everything after a failed
        # statement up to the Sync, COMMIT included, and the transaction stays open in
        # error; a COMMIT that fails (a deferred constraint) ends it.
        psycopg = self.dbapi
        encoding = dbapi_conn.info.encoding
        commands = []
        if begin_sql is not None:
            commands.append(pipeline.Command(begin_sql.encode(encoding)))
        for index, (sql, params) in enumerate(statements):
            query = pipeline.numbered(sql, encoding)
            if query is None:
                return self._execute_commit_one_by_one(dbapi_conn, begin_sql, statements)
            try:
                commands.append(pipeline.adapt(psycopg, dbapi_conn, query, params))
            except psycopg.Error as error:  # nothing sent yet
                return [], error, index
        commands.append(pipeline.Command(b"COMMIT"))
        try:
            results = pipeline.round_trip(psycopg, dbapi_conn, commands)
        except psycopg.Error as error:
            return [], error, 0
        ok = (psycopg.pq.ExecStatus.TUPLES_OK, psycopg.pq.ExecStatus.COMMAND_OK)
        first = 1 if begin_sql is not None else 0
        rows: list = []
        for position, (command, result) in enumerate(zip(commands, results)):
            if result is None or result.status not in ok:
                error = psycopg.errors.error_from_result(result, encoding=encoding) \
                    if result is not None and \
                    result.status == psycopg.pq.ExecStatus.FATAL_ERROR else \
                    psycopg.OperationalError("the server answered the pipeline unexpectedly")
                return rows, error, max(position - first, 0)
            if first <= position < len(commands) - 1:
                if result.status == psycopg.pq.ExecStatus.TUPLES_OK:
                    command.transformer.set_pgresult(result)
                    rows.append(command.transformer.load_rows(0, result.ntuples, tuple))
                else:
                    rows.append([])
        return rows, None, None

    def _execute_commit_one_by_one(self, dbapi_conn: Any, begin_sql: str | None,
                                   statements: list) -> tuple:
        """``do_execute_commit`` for SQL the pipeline cannot number: one round trip each."""
        rows: list = []
        with dbapi_conn.cursor() as cursor:
            if begin_sql is not None:
                cursor.execute(begin_sql)
            for index, (sql, params) in enumerate(statements):
                try:
                    cursor.execute(sql, params)
                except self.dbapi.Error as error:
                    return rows, error, index
                rows.append(cursor.fetchall() if cursor.description is not None else [])
            try:
                cursor.execute("COMMIT")
            except self.dbapi.Error as error:
                return rows, error, len(statements)
        return rows, None, None

    def in_transaction(self, dbapi_conn: Any) -> bool:
        return dbapi_conn.info.transaction_status != self.dbapi.pq.TransactionStatus.IDLE

    def do_execute_control(self, dbapi_conn: Any, sql: str) -> None:
        if sql == "COMMIT":
            # the driver's own path: no cursor, no prepared-statement bookkeeping
            dbapi_conn.commit()
            return
        if sql == "ROLLBACK" and dbapi_conn.info.transaction_status == self._in_error:
            # psycopg's rollback() also forgets the statements it prepared: a pipelined
            # executemany cut short by an error can leave one it counts as prepared that
            # the server never saw, and every later use of it would fail with
            # "prepared statement _pg3_N does not exist" (a plain ROLLBACK clears that
            # only the first time psycopg meets it on a connection)
            dbapi_conn.rollback()
            return
        super().do_execute_control(dbapi_conn, sql)

    @property
    def _in_error(self) -> Any:
        return self.dbapi.pq.TransactionStatus.INERROR

    def do_rollback_deferred(self, dbapi_conn: Any) -> bool:
        # libpq's asynchronous API under psycopg's connection, which the pool hands to
        # nobody before finish_reset has read the answer.  The server runs the ROLLBACK
        # as soon as it arrives, so no lock outlives the Connection.
        pgconn = dbapi_conn.pgconn
        if pgconn.transaction_status == self.dbapi.pq.TransactionStatus.IDLE:
            return False
        if pgconn.transaction_status == self._in_error:
            dbapi_conn.rollback()  # psycopg's, for its prepared statements: see above
            return False
        pgconn.send_query(b"ROLLBACK")
        while pgconn.flush():
            select.select([], [pgconn.socket], [])
        return True

    def finish_reset(self, dbapi_conn: Any) -> bool:
        pq = self.dbapi.pq
        pgconn = dbapi_conn.pgconn
        ok = True
        try:
            pgconn.consume_input()  # what has arrived already: usually the whole answer
            while True:
                if pgconn.is_busy():
                    select.select([pgconn.socket], [], [])
                    pgconn.consume_input()
                    continue
                result = pgconn.get_result()
                if result is None:
                    break
                ok = ok and result.status == pq.ExecStatus.COMMAND_OK
        except Exception:
            return False
        return ok and pgconn.transaction_status == pq.TransactionStatus.IDLE

    def control_needed(self, dbapi_conn: Any, kind: str) -> bool:
        # isolation_level="AUTOCOMMIT": every statement commits by itself
        return not getattr(dbapi_conn, "_lightalchemy_autocommit", False)

    def set_isolation_level(self, dbapi_conn: Any, level: str) -> None:
        normal = self._check_isolation_level(level)
        dbapi_conn._lightalchemy_autocommit = normal == "AUTOCOMMIT"
        if normal != "AUTOCOMMIT":
            dbapi_conn._lightalchemy_level = normal
            # applies to each later BEGIN of this session
            dbapi_conn.execute(
                f"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL {normal}",
                prepare=False)

    def reset_isolation_level(self, dbapi_conn: Any) -> None:
        if self.isolation_level is not None:
            self.set_isolation_level(dbapi_conn, self.isolation_level)
        else:
            dbapi_conn._lightalchemy_autocommit = False
            dbapi_conn.execute("RESET default_transaction_isolation", prepare=False)
            dbapi_conn._lightalchemy_level = getattr(dbapi_conn, "_lightalchemy_server_level",
                                                     "")

    def get_isolation_level(self, dbapi_conn: Any) -> str:
        if getattr(dbapi_conn, "_lightalchemy_autocommit", False):
            return "AUTOCOMMIT"
        row = dbapi_conn.execute("SHOW transaction_isolation", prepare=False).fetchone()
        return row[0].upper()

    # -- broken connections ---------------------------------------------------------------
    def is_disconnect(self, error: Exception, dbapi_conn: Any) -> bool:
        if dbapi_conn is not None and (dbapi_conn.closed or dbapi_conn.broken):
            return True
        if not isinstance(error, self.dbapi.OperationalError | self.dbapi.InterfaceError):
            return False
        sqlstate = getattr(error, "sqlstate", None) or ""
        if sqlstate.startswith("08") or sqlstate in _DISCONNECT_CODES:
            return True
        message = str(error).lower()
        return any(text in message for text in _DISCONNECT_MESSAGES)

    def do_ping(self, dbapi_conn: Any) -> bool:
        if dbapi_conn.closed or dbapi_conn.broken:
            return False
        try:
            dbapi_conn.execute("SELECT 1", prepare=False).close()
            return True
        except self.dbapi.Error:
            return False


def dialect_for_driver(driver: str | None) -> type:
    if driver in (None, "psycopg"):
        return PGDialect_psycopg
    raise exc.NoSuchModuleError(
        f"Can't load plugin: sqlalchemy.dialects:postgresql.{driver}; lightalchemy's "
        "PostgreSQL dialect uses psycopg 3 (postgresql:// or postgresql+psycopg://)"
    )
