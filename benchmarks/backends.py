"""Where the benchmark database lives and how each library connects to it.

Every contender asks its :class:`Target` for the connection URL, a raw DBAPI
connection or a peewee database, so the driver and URL are chosen here and
nowhere else: SQLite files, or schemas on a PostgreSQL server (``--backend
postgresql``); the workloads do not change, except that the raw contender uses
COPY for bulk loads and RETURNING for keys on PostgreSQL.

The schema is created and seeded with the raw driver, once per workload, by the
driver process (see ``run.py``); every (contender, repetition) then gets its own
copy of that seeded database, so no run sees another run's writes and seeding
is never timed.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TABLE = "person"

# The table every contender maps.  Written by hand (not by one library's
# create_all) so that all contenders run against exactly the same schema; it is
# what SQLAlchemy emits for ``Mapped[int]`` / ``Mapped[str]`` columns.
SQLITE_SCHEMA = (
    f"CREATE TABLE {TABLE} ("
    "id INTEGER NOT NULL, "
    "name VARCHAR NOT NULL, "
    "age INTEGER NOT NULL, "
    "PRIMARY KEY (id))"
)


@dataclass(frozen=True)
class Target:
    """One database a single benchmark run may use and modify."""

    backend: str
    location: str

    @property
    def impl(self) -> SQLiteBackend | PostgreSQLBackend:
        return BACKENDS[self.backend]

    def url(self) -> str:
        """The SQLAlchemy / lightalchemy engine URL."""
        return self.impl.url(self.location)

    def raw_connect(self):
        """A DBAPI connection with the driver's default settings."""
        return self.impl.raw_connect(self.location)

    def peewee_database(self):
        """A peewee ``Database`` for this target (imports peewee lazily)."""
        return self.impl.peewee_database(self.location)

    @property
    def param(self) -> str:
        """The driver's positional placeholder for hand-written SQL."""
        return self.impl.param


class SQLiteBackend:
    """A SQLite file in a temporary directory, driven by the stdlib ``sqlite3``.

    The database is a file rather than ``:memory:`` so that commits really go
    to disk, as in an application; the driver's default settings (journal mode,
    synchronous) are left alone for every contender.
    """

    name = "sqlite"
    param = "?"

    def url(self, location: str) -> str:
        return f"sqlite:///{location}"

    def raw_connect(self, location: str) -> sqlite3.Connection:
        return sqlite3.connect(location)

    def peewee_database(self, location: str):
        import peewee

        return peewee.SqliteDatabase(location)

    def create_template(self, directory: Path, label: str,
                        rows: Iterable[tuple[int, str, int]]) -> str:
        """Create the schema, insert ``rows`` (id, name, age) and return the location."""
        path = directory / f"template-{label}.db"
        if path.exists():
            path.unlink()
        conn = sqlite3.connect(path)
        try:
            conn.execute(SQLITE_SCHEMA)
            conn.executemany(f"INSERT INTO {TABLE} (id, name, age) VALUES (?, ?, ?)", rows)
            conn.commit()
        finally:
            conn.close()
        return str(path)

    def clone(self, template: str, directory: Path, label: str) -> str:
        """A private copy of a seeded template for one run."""
        path = directory / f"run-{label}.db"
        shutil.copyfile(template, path)
        return str(path)

    def discard(self, location: str) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(location + suffix).unlink(missing_ok=True)

    def discard_template(self, location: str) -> None:
        self.discard(location)


PG_SCHEMA = (
    f"CREATE TABLE {TABLE} ("
    "id SERIAL NOT NULL, "
    "name VARCHAR NOT NULL, "
    "age INTEGER NOT NULL, "
    "PRIMARY KEY (id))"
)


class PostgreSQLBackend:
    """A schema per run on a PostgreSQL server, driven by psycopg 3.

    The server is the one ``LIGHTALCHEMY_PG_URL`` names or, without it, a throwaway
    one that ``scripts/pg-server`` starts for the benchmark run (stopped at exit).
    A location is the full engine URL of one schema (put first on the search path
    through libpq's ``options``), so worker processes need nothing else.  Seeding
    uses COPY; a run's copy is ``INSERT … SELECT`` from the seeded template schema.
    """

    name = "postgresql"
    param = "%s"
    _numbers = itertools.count(1)

    def __init__(self) -> None:
        self._server: str | None = None

    # -- locations -----------------------------------------------------------------
    def url(self, location: str) -> str:
        return location

    def _location(self, schema: str) -> str:
        base = self.server_url()
        separator = "&" if "?" in base else "?"
        return f"{base}{separator}options=-csearch_path%3D{schema}"

    @staticmethod
    def _conninfo(url: str) -> dict:
        from urllib.parse import parse_qsl, unquote, urlsplit

        parts = urlsplit(url)
        params = {"host": parts.hostname, "port": parts.port, "dbname": parts.path.lstrip("/"),
                  "user": unquote(parts.username) if parts.username else None,
                  "password": unquote(parts.password) if parts.password else None}
        params.update(parse_qsl(parts.query))
        return {k: v for k, v in params.items() if v is not None}

    def raw_connect(self, location: str):
        import psycopg

        return psycopg.connect(**self._conninfo(location))

    def peewee_database(self, location: str):  # pragma: no cover - peewee needs psycopg2
        raise NotImplementedError("peewee's PostgreSQL support needs psycopg2")

    # -- the server ------------------------------------------------------------------
    def server_url(self) -> str:
        if self._server is None:
            url = os.environ.get("LIGHTALCHEMY_PG_URL")
            if not url:
                root = Path(__file__).resolve().parents[1]
                state = Path(os.environ.get("TMPDIR", "/tmp")) / f"la-bench-pg-{os.getpid()}.json"
                started = subprocess.run(
                    [sys.executable, str(root / "scripts" / "pg-server"), "start",
                     "--state", str(state)], capture_output=True, text=True, check=True)
                url = started.stdout.strip().splitlines()[-1]
                atexit.register(subprocess.run, [sys.executable, str(root / "scripts" /
                                "pg-server"), "stop", "--state", str(state)],
                                capture_output=True)
            self._server = url
        return self._server

    def _admin(self):
        import psycopg

        return psycopg.connect(**self._conninfo(self.server_url()), autocommit=True)

    # -- templates and runs ------------------------------------------------------------
    def create_template(self, directory: Path, label: str,
                        rows: Iterable[tuple[int, str, int]]) -> str:
        schema = f"bench_{os.getpid()}_{next(self._numbers)}"
        with self._admin() as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
            conn.execute(f"SET search_path TO {schema}")
            conn.execute(PG_SCHEMA)
            with conn.cursor().copy(f"COPY {TABLE} (id, name, age) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), "
                         f"coalesce(max(id), 0) + 1, false) FROM {TABLE}")
            conn.execute(f"ANALYZE {TABLE}")
        return self._location(schema)

    def clone(self, template: str, directory: Path, label: str) -> str:
        source = template.rpartition("%3D")[2]
        schema = f"bench_{os.getpid()}_{next(self._numbers)}"
        with self._admin() as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
            conn.execute(f"SET search_path TO {schema}")
            conn.execute(PG_SCHEMA)
            conn.execute(f"INSERT INTO {TABLE} SELECT * FROM {source}.{TABLE}")
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), "
                         f"coalesce(max(id), 0) + 1, false) FROM {TABLE}")
            conn.execute(f"ANALYZE {TABLE}")
        return self._location(schema)

    def discard(self, location: str) -> None:
        schema = location.rpartition("%3D")[2]
        with self._admin() as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    def discard_template(self, location: str) -> None:
        self.discard(location)


BACKENDS = {"sqlite": SQLiteBackend(), "postgresql": PostgreSQLBackend()}
