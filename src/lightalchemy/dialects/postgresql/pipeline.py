"""Several statements in one round trip, through libpq's pipeline mode directly.

``Session.commit()`` of a few new objects sends BEGIN, the INSERTs and COMMIT
at once (``PGDialect_psycopg.do_execute_commit``).  psycopg's own pipeline mode
does that too, but its bookkeeping (cursors, result queues, generators) costs
more CPU than the two round trips it saves on a fast local connection
(measured: 120 µs against 93 µs for BEGIN + INSERT + COMMIT sent one by one).
Here psycopg still adapts the values (``psycopg.adapt.Transformer``, with the
connection's adapters) and builds errors from the server's results
(``psycopg.errors.error_from_result``, so SQLSTATE mapping is unchanged); only
sending and reading go through ``connection.pgconn``, as libpq documents them.
Nothing is prepared, so psycopg's cache of prepared statements stays true.
"""

from __future__ import annotations

import re
import select
from functools import lru_cache
from typing import Any

_PLACEHOLDER = re.compile(r"%(.|$)", re.DOTALL)


@lru_cache(maxsize=512)
def numbered(sql: str, encoding: str) -> bytes | None:
    """psycopg's ``%s`` placeholders as libpq's ``$1, $2, …`` and ``%%`` as ``%``, encoded;
    None for SQL holding any other ``%`` form or a ``$n`` of its own."""
    count = 0
    unsupported = False

    def replace(match: re.Match) -> str:
        nonlocal count, unsupported
        kind = match.group(1)
        if kind == "%":
            return "%"
        if kind != "s":
            unsupported = True
            return ""
        count += 1
        return f"${count}"

    if re.search(r"\$\d", sql):
        return None
    converted = _PLACEHOLDER.sub(replace, sql)
    return None if unsupported else converted.encode(encoding)


class Command:
    """One statement ready for libpq: its text, values, their types and formats, and the
    Transformer that loads its rows."""

    __slots__ = ("query", "values", "types", "formats", "transformer")

    def __init__(self, query: bytes, values: Any = None, types: Any = None,
                 formats: Any = None, transformer: Any = None) -> None:
        self.query = query
        self.values = values
        self.types = types
        self.formats = formats
        self.transformer = transformer


def adapt(psycopg: Any, dbapi_conn: Any, query: bytes, params: Any) -> Command:
    """Dump ``params`` as psycopg would for this connection (raises psycopg's errors,
    e.g. DataError for NUL in a string, before anything is sent)."""
    transformer = psycopg.adapt.Transformer.from_context(dbapi_conn)
    values = transformer.dump_sequence(params, [psycopg.adapt.PyFormat.AUTO] * len(params))
    return Command(query, values, transformer.types, transformer.formats, transformer)


def round_trip(psycopg: Any, dbapi_conn: Any, commands: list) -> list:
    """Send every command and a Sync, then read until the Sync: each command's last
    PGresult (``PIPELINE_ABORTED`` for those the server skipped after an error).

    A failure of the connection itself raises psycopg's OperationalError; anything
    that interrupts the exchange halfway (KeyboardInterrupt) closes the connection,
    which could no longer be trusted, so the pool replaces it."""
    pq = psycopg.pq
    pgconn = dbapi_conn.pgconn
    pgconn.enter_pipeline_mode()
    try:
        for command in commands:
            pgconn.send_query_params(command.query, command.values, command.types,
                                     command.formats)
        pgconn.pipeline_sync()
        while pgconn.flush():
            readable, _, _ = select.select([pgconn.socket], [pgconn.socket], [])
            if readable:
                pgconn.consume_input()
        results: list = []
        last = None
        while True:
            while pgconn.is_busy():
                select.select([pgconn.socket], [], [])
                pgconn.consume_input()
            result = pgconn.get_result()
            if result is None:  # the end of one command's results
                results.append(last)
                last = None
            elif result.status == pq.ExecStatus.PIPELINE_SYNC:
                break
            else:
                last = result
        pgconn.exit_pipeline_mode()
        return results
    except psycopg.Error:
        if pgconn.status == pq.ConnStatus.OK and \
                pgconn.pipeline_status != pq.PipelineStatus.OFF:
            dbapi_conn.close()  # halfway through a pipeline: nothing left to trust
        raise
    except BaseException:
        dbapi_conn.close()
        raise
