"""Helpers of the reliability tests that read the database through the raw driver.

The checks after a crash or a race never go through lightalchemy: ``raw_connect``
opens the database a test URL names with ``sqlite3`` or ``psycopg`` itself
(autocommit, so it sees exactly what is committed).
"""

from __future__ import annotations

import os
import sqlite3
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit


def env_int(name: str, default: int) -> int:
    """A size from the environment (the switch for long runs), else the default."""
    return int(os.environ.get(name, "") or default)


def unavailable(reason: str) -> None:
    """Skip a PostgreSQL test for ``reason``; under CI (``CI=true``) fail it instead."""
    import pytest

    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run)", pytrace=False)
    pytest.skip(reason)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> str:
    return url.split(":///", 1)[1]


def application_name(url: str) -> str | None:
    """The application_name a PostgreSQL test URL gives its connections (one per schema)."""
    names = parse_qs(urlsplit(url).query).get("application_name")
    return names[0] if names else None


def raw_connect(url: str) -> Any:
    """A DB-API connection in autocommit mode to the database ``url`` names."""
    if is_sqlite(url):
        return sqlite3.connect(sqlite_path(url), isolation_level=None, timeout=30)
    import psycopg

    libpq = "postgresql" + url[url.index("://"):]  # drop the "+psycopg" of the scheme
    return psycopg.connect(libpq, autocommit=True, application_name="reliability-check")


def rows(conn: Any, sql: str, params: tuple = ()) -> list[tuple]:
    """Run one query with ``?`` placeholders on either driver; all rows as tuples."""
    if not isinstance(conn, sqlite3.Connection):
        sql = sql.replace("?", "%s")
    return [tuple(r) for r in conn.execute(sql, params).fetchall()]


def wait_until_server_forgets(url: str, seconds: float = 60.0) -> None:
    """On PostgreSQL, wait until no server process of ``url``'s clients is left.

    A killed client's backend notices the closed socket only when it next reads
    from it, then rolls its transaction back; what is committed is final only after
    that.  (Not a timing assertion: the wait ends as soon as the backend is gone.)
    """
    if is_sqlite(url):
        return
    name = application_name(url)
    assert name, "a PostgreSQL test URL carries its schema's application_name"
    conn = raw_connect(url)
    try:
        deadline = time.monotonic() + seconds
        while True:
            left = rows(conn, "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?",
                        (name,))[0][0]
            if left == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{left} server process(es) of a killed client are "
                                     f"still there after {seconds} s")
            time.sleep(0.02)
    finally:
        conn.close()
