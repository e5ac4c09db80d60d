"""Where the benchmark database lives and how each library connects to it.

Every contender asks its :class:`Target` for the connection URL, a raw DBAPI
connection or a peewee database, so the driver and URL are chosen here and
nowhere else.  Adding PostgreSQL means adding a backend class with the same
methods (and registering it in ``BACKENDS``); the workloads do not change.

The schema is created and seeded with the raw driver, once per workload, by the
driver process (see ``run.py``); every (contender, repetition) then gets its own
copy of that seeded database, so no run sees another run's writes and seeding
is never timed.
"""

from __future__ import annotations

import shutil
import sqlite3
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
    def impl(self) -> SQLiteBackend:
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


BACKENDS = {"sqlite": SQLiteBackend()}
