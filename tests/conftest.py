"""``pytest --backend sqlite|postgresql``: which database's tests run (default: both).

The tests under ``tests/backends/`` (the PostgreSQL tests and the compat suite
re-run on PostgreSQL) belong to ``postgresql``; a test parametrised by a
``backend`` fixture (``tests/reliability/``) belongs to the backend of its
parameter; every other test runs on SQLite and belongs to ``sqlite``.  The option
may be given twice; CI runs both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

BACKENDS = ("sqlite", "postgresql")
_POSTGRESQL_DIR = Path(__file__).resolve().parent / "backends"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--backend", action="append", choices=BACKENDS, default=None,
                     help="run the tests of this database only (sqlite or postgresql; "
                          "may be repeated; default: both)")


def backend_of(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("backend") in BACKENDS:
        return callspec.params["backend"]
    path = Path(str(item.fspath)).resolve()
    return "postgresql" if _POSTGRESQL_DIR in path.parents else "sqlite"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    chosen = config.getoption("--backend")
    if not chosen:
        return
    keep, drop = [], []
    for item in items:
        (keep if backend_of(item) in chosen else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
