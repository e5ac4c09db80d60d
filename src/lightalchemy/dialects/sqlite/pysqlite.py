"""The ``sqlite3`` driver: connect in autocommit mode so transactions are ours."""

from __future__ import annotations

import math
import os
import re
import sqlite3
from typing import Any

from ... import exc
from ...engine.pool import QueuePool, StaticPool
from .base import SQLiteDialect


class SQLiteDialect_pysqlite(SQLiteDialect):
    driver = "pysqlite"
    lazy_begin = True
    # BEGIN comes right before the first write (or a SAVEPOINT), so take the write lock
    # then: a transaction that read under a shared lock and later wants to write could
    # otherwise deadlock with another such writer ("database is locked" at once, whatever
    # the busy timeout); waiting for the lock up front uses the timeout instead.
    begin_sql = "BEGIN IMMEDIATE"
    dbapi = sqlite3

    def create_connect_args(self, url: Any) -> tuple[list, dict]:
        database = url.database or ":memory:"
        params: dict[str, Any] = {"isolation_level": None, "check_same_thread": False}
        query = dict(url.query)
        uri = str(query.pop("uri", "false")).lower() in ("true", "1")
        for key, convert in (("timeout", float), ("check_same_thread", _bool),
                             ("cached_statements", int)):
            if key in query:
                params[key] = convert(query.pop(key))
        if uri:
            params["uri"] = True
            if query:
                database += ("&" if "?" in database else "?") + "&".join(
                    f"{k}={v}" for k, v in query.items())
        elif query:
            raise exc.ArgumentError(
                f"Unknown SQLite URL option(s) {sorted(query)}; known: timeout, "
                "check_same_thread, cached_statements, uri"
            )
        elif database != ":memory:" and not database.startswith("file:"):
            database = os.path.expanduser(database)
        params.setdefault("cached_statements", 256)
        return [database], params

    def connect(self, *args: Any, **kw: Any) -> Any:
        kw["isolation_level"] = None  # we issue BEGIN/COMMIT ourselves
        try:
            conn = sqlite3.connect(*args, **kw)
        except sqlite3.Error as error:
            raise exc.OperationalError(
                f"(sqlite3.{type(error).__name__}) {error}: could not open database "
                f"{args[0]!r}; check that its folder exists and is writable",
                None, None, error,
            ) from error
        self.on_connect(conn)
        return conn

    def on_connect(self, conn: Any) -> None:
        # SQLite parses REGEXP but has no implementation of its own; SQLAlchemy's
        # pysqlite dialect installs one (Python's re.search), and floor(), which
        # SQLite builds without its math functions lack
        conn.create_function("regexp", 2, _regexp, deterministic=True)
        conn.create_function("floor", 1, math.floor, deterministic=True)
        super().on_connect(conn)

    def do_execute_control(self, dbapi_conn: Any, sql: str) -> None:
        dbapi_conn.execute(sql)

    def control_needed(self, dbapi_conn: Any, kind: str) -> bool:
        # sqlite3 knows whether a transaction is open; a shared connection joins it
        return dbapi_conn.in_transaction is (kind != "BEGIN")

    def get_pool_class(self, url: Any) -> type:
        if _is_memory(url):
            return StaticPool
        return QueuePool

    def is_disconnect(self, error: Exception, dbapi_conn: Any) -> bool:
        return isinstance(error, sqlite3.ProgrammingError) and \
            "closed database" in str(error)


def _regexp(pattern: str, value: str | None) -> bool | None:
    """``value REGEXP pattern``: a match anywhere in the value; NULL stays NULL."""
    if value is None:
        return None
    return re.search(pattern, value) is not None


def _is_memory(url: Any) -> bool:
    database = url.database or ":memory:"
    if database == ":memory:":
        return True
    return "mode=memory" in database or "mode=memory" in str(url.query.get("mode", ""))


def _bool(value: Any) -> bool:
    return str(value).lower() in ("true", "1", "yes")


def dialect_for_driver(driver: str | None) -> type:
    if driver in (None, "pysqlite", "sqlite3"):
        return SQLiteDialect_pysqlite
    raise exc.NoSuchModuleError(
        f"Can't load plugin: sqlalchemy.dialects:sqlite.{driver}; lightalchemy's SQLite "
        "dialect uses the standard sqlite3 module (sqlite:// or sqlite+pysqlite://)"
    )
