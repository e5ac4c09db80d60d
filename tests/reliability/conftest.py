"""Fixtures for the reliability tests: the same test on SQLite and on PostgreSQL.

A test that takes ``db_url`` runs twice, once per backend (``backend`` is its
parameter, so ``pytest --backend sqlite|postgresql`` selects it, see
``tests/conftest.py``): on SQLite the URL names a new file in the test's temporary
folder, on PostgreSQL a new, empty schema on the test server.  The PostgreSQL
server fixtures are those of ``tests/backends/conftest.py`` (loaded here, not
copied), so the server comes from ``LIGHTALCHEMY_PG_URL`` or ``scripts/pg-server``
and, under ``CI=true``, a missing server fails the tests instead of skipping them.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def _load_backend_fixtures() -> Any:
    path = Path(__file__).resolve().parents[1] / "backends" / "conftest.py"
    spec = importlib.util.spec_from_file_location("reliability_pg_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_pg = _load_backend_fixtures()
pg_server_url = _pg.pg_server_url
pg_admin = _pg.pg_admin
pg_url = _pg.pg_url
pg_new_schema = _pg.pg_new_schema

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database of the test's backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'reliability.db'}"
    else:
        yield request.getfixturevalue("pg_url")
