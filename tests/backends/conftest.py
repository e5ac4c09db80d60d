"""A PostgreSQL server for the backend tests, and a schema of its own for each test.

The server is the one named by ``LIGHTALCHEMY_PG_URL`` or, without it, a
throwaway cluster that ``scripts/pg-server`` starts for the test session and
stops at its end.  Under CI (``CI=true``) a server that cannot be had fails
the tests; elsewhere they are skipped with the reason.

Each test gets a new schema, put first on the search path through the URL's
query string (``?options=-csearch_path%3D…``, passed to the driver), so tests
never see each other's tables and an existing database is left as it was.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import os
import subprocess
import sys
import types as _pytypes
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pg-server"
ENV_URL = "LIGHTALCHEMY_PG_URL"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _unavailable(reason: str) -> None:
    message = f"PostgreSQL is not available: {reason}"
    if in_ci():
        pytest.fail(message + " (CI=true: the PostgreSQL tests must run)", pytrace=False)
    pytest.skip(message + f"; set {ENV_URL} or make scripts/pg-server work")


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of the session's server: LIGHTALCHEMY_PG_URL or one we start."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'psycopg[binary]')")
    url = os.environ.get(ENV_URL)
    if url:
        yield url
        return
    state = tmp_path_factory.mktemp("pg-server") / "state.json"
    env = {k: v for k, v in os.environ.items() if k != ENV_URL}
    try:
        started = subprocess.run([sys.executable, str(SCRIPT), "start", "--state", str(state)],
                                 capture_output=True, text=True, timeout=900, env=env)
    except (OSError, subprocess.TimeoutExpired) as error:
        _unavailable(f"scripts/pg-server could not run: {error}")
    if started.returncode != 0 or not started.stdout.strip():
        _unavailable(f"scripts/pg-server failed ({started.returncode}): "
                     f"{started.stderr.strip()[-1500:]}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([sys.executable, str(SCRIPT), "stop", "--state", str(state)],
                       capture_output=True, text=True, timeout=120, env=env)


def _driver_url(url: str) -> str:
    """The libpq form of a lightalchemy URL, for the admin connection."""
    from lightalchemy.engine.url import make_url

    u = make_url(url)
    parts = {"host": u.host, "port": u.port, "user": u.username, "password": u.password,
             "dbname": u.database}
    return " ".join(f"{k}='{str(v)}'" for k, v in parts.items() if v is not None)


@pytest.fixture(scope="session")
def pg_admin(pg_server_url: str) -> Iterator[Any]:
    """A plain psycopg connection (autocommit) that makes and drops the test schemas."""
    import psycopg

    try:
        conn = psycopg.connect(_driver_url(pg_server_url), autocommit=True)
    except psycopg.Error as error:
        _unavailable(f"cannot connect to {pg_server_url.split('@')[-1]}: {error}")
    conn.execute("SET lock_timeout = '20s'")
    yield conn
    conn.close()


_schema_numbers = itertools.count(1)


@contextmanager
def fresh_schema(admin: Any, server_url: str) -> Iterator[str]:
    """A new schema, first on the search path of every connection made with the URL."""
    name = f"la_test_{os.getpid()}_{next(_schema_numbers)}"
    admin.execute(f"CREATE SCHEMA {name}")
    separator = "&" if "?" in server_url else "?"
    url = f"{server_url}{separator}options=-csearch_path%3D{name}&application_name={name}"
    try:
        yield url
    finally:
        # connections a test left open would hold locks the DROP waits for
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE application_name = %s AND pid <> pg_backend_pid()", [name])
        admin.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture
def pg_new_schema(pg_admin: Any, pg_server_url: str) -> Callable[[], Any]:
    """``with pg_new_schema() as url``: a fresh schema per use, dropped afterwards."""
    return lambda: fresh_schema(pg_admin, pg_server_url)


@pytest.fixture
def pg_url(pg_admin: Any, pg_server_url: str) -> Iterator[str]:
    """The URL of a fresh, empty schema on the test server."""
    with fresh_schema(pg_admin, pg_server_url) as url:
        yield url


# -- differential scenarios: the same program on SQLAlchemy and on lightalchemy ---------------

LIBRARIES = ("sqlalchemy", "lightalchemy")


def load_library(name: str, url: str) -> _pytypes.SimpleNamespace:
    sa = importlib.import_module(name)
    lib = _pytypes.SimpleNamespace(
        name=name, sa=sa, orm=importlib.import_module(f"{name}.orm"),
        exc=importlib.import_module(f"{name}.exc"),
        pg=importlib.import_module(f"{name}.dialects.postgresql"),
        ext_hybrid=importlib.import_module(f"{name}.ext.hybrid"),
        inspect=sa.inspect, url=url, records=[], engines=[],
    )
    lib.out = lambda *values: lib.records.append(values[0] if len(values) == 1 else values)

    def engine(**kw: Any) -> Any:
        made = sa.create_engine(url, **kw)
        lib.engines.append(made)
        return made

    lib.engine = engine
    return lib


def run_scenario(scenario: Callable[[Any], Any], library: str, url: str) -> list[Any]:
    lib = load_library(library, url)
    try:
        scenario(lib)
    except Exception as error:  # the escaping exception is part of the behaviour
        lib.records.append(("raised", type(error).__name__))
    finally:
        for engine in lib.engines:
            engine.dispose()
    return lib.records


def normalize(value: Any) -> Any:
    """A type-strict form of a record: True ≠ 1, 1 ≠ 1.0, Decimal digits count."""
    if value is None:
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", int(value))
    if isinstance(value, float):
        return ("float", repr(value))
    if isinstance(value, Decimal):
        return ("Decimal", str(value))
    if isinstance(value, str):
        return ("str", str(value))
    if isinstance(value, bytes | bytearray | memoryview):
        return (type(value).__name__, bytes(value))
    if isinstance(value, dt.datetime):
        return ("datetime", value.isoformat(), str(value.utcoffset()))
    if isinstance(value, dt.date | dt.time | dt.timedelta | uuid.UUID):
        return (type(value).__name__, str(value))
    if isinstance(value, list):
        return ("list", [normalize(v) for v in value])
    if type(value).__name__ == "Row":
        return ("Row", tuple(normalize(v) for v in value))
    if isinstance(value, tuple):
        return ("tuple", tuple(normalize(v) for v in value))
    if isinstance(value, dict):
        return ("dict", {normalize(k): normalize(v) for k, v in value.items()})
    if isinstance(value, set | frozenset):
        return ("set", sorted(repr(normalize(v)) for v in value))
    return (type(value).__name__, value)


@pytest.fixture
def pg_compare(pg_admin: Any, pg_server_url: str) -> Callable[..., list]:
    """Run ``scenario(lib)`` on both libraries, each in a fresh schema; assert equal records."""

    def compare(scenario: Callable[[Any], Any]) -> list:
        results = {}
        for side in LIBRARIES:
            with fresh_schema(pg_admin, pg_server_url) as url:
                results[side] = run_scenario(scenario, side, url)
        ours, theirs = results["lightalchemy"], results["sqlalchemy"]
        for index, (mine, reference) in enumerate(zip(ours, theirs)):
            assert mine == reference, f"record {index}: lightalchemy {mine!r} != " \
                f"SQLAlchemy {reference!r}"
        assert ours == theirs
        assert normalize(results["lightalchemy"]) == normalize(results["sqlalchemy"]), (
            "records are equal but differ in value types (bool/int/float, Decimal digits, ...)"
        )
        return results["sqlalchemy"]

    return compare
