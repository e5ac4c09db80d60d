"""The compat suite (tests/compat) again, on PostgreSQL.

Every scenario there that takes only the ``compare`` fixture (and each whole
program of ``test_programs``) runs here on SQLAlchemy and on lightalchemy
against the PostgreSQL test server, each side in a fresh schema, with the same
comparison of records.  Statement counts are left out: on PostgreSQL new
objects are inserted with one pipelined executemany per run of objects
(``features.executemany_returning``), where SQLAlchemy batches them with
sentinel columns, so the counts differ.  Select them alone with
``pytest --backend postgresql tests/backends/test_compat_on_postgresql.py``.
"""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path
from typing import Any

import pytest

COMPAT = Path(__file__).resolve().parents[1] / "compat"

#: scenarios whose subject is SQLite-only behaviour, with the reason
KNOWN_DIFFERENCES = {
    "test_schema_types::test_autoincrement_and_inserted_primary_key":
        "records result.lastrowid: psycopg cursors have none, so SQLAlchemy raises "
        "AttributeError where lightalchemy answers None",
    "test_json_elements::test_json_element_compared_with_plain_values":
        "a JSON element compared with a plain string fails on PostgreSQL with both "
        "libraries; SQLAlchemy sends the string typed VARCHAR (ProgrammingError: jsonb = "
        "character varying), lightalchemy untyped (DataError: invalid input for json)",
}
#: modules left out: statement counts (see above); SQLite's own INSERT … ON CONFLICT
#: (lightalchemy.dialects.sqlite.insert), whose PostgreSQL twin is test_postgresql_upsert
LEFT_OUT = {"test_statement_counts", "test_relationship_counts", "test_upsert_sqlite"}


def _load(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_harness = _load(COMPAT / "conftest.py", "compat_harness_for_postgresql")


def _cases() -> list:
    cases = []
    for path in sorted(COMPAT.glob("test_*.py")):
        if path.stem in LEFT_OUT:
            continue
        module = _load(path, f"compat_on_postgresql_{path.stem}")
        for name, function in vars(module).items():
            if not name.startswith("test_") or not inspect.isfunction(function) or \
                    function.__module__ != module.__name__:
                continue
            params = list(inspect.signature(function).parameters)
            case_id = f"{path.stem}::{name}"
            reason = KNOWN_DIFFERENCES.get(case_id)
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            if params == ["compare"]:
                cases.append(pytest.param(function, {}, id=case_id, marks=marks))
            elif params == ["compare", "path"] and hasattr(module, "PROGRAMS"):
                for program in module.PROGRAMS:
                    cases.append(pytest.param(function, {"path": program},
                                              id=f"{case_id}[{program.stem}]", marks=marks))
    return cases


@pytest.fixture
def compare_on_postgresql(pg_new_schema: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The compat ``compare`` fixture with a fresh PostgreSQL schema as ``lib.url``."""
    import sqlalchemy

    import lightalchemy

    engines: list = []
    for module in (sqlalchemy, lightalchemy):
        def tracked(*args: Any, _make: Any = module.create_engine, **kw: Any) -> Any:
            engine = _make(*args, **kw)
            engines.append(engine)
            return engine

        monkeypatch.setattr(module, "create_engine", tracked)

    def compare(scenario: Any, **_ignored: Any) -> list:
        results = {}
        for side in ("sqlalchemy", "lightalchemy"):
            with pg_new_schema() as url:
                try:
                    results[side] = _harness.run_scenario(scenario, _harness.library_for(side),
                                                          url)
                finally:
                    while engines:
                        engines.pop().dispose()
        ours, theirs = results["lightalchemy"], results["sqlalchemy"]
        for index, (mine, reference) in enumerate(zip(ours, theirs)):
            assert mine == reference, f"record {index}: lightalchemy {mine!r} != " \
                f"SQLAlchemy {reference!r}"
        assert ours == theirs
        assert _harness.normalize(ours) == _harness.normalize(theirs), (
            "records are equal but differ in value types (bool/int/float, Decimal digits, ...)")
        return theirs

    return compare


@pytest.mark.parametrize("test, kwargs", _cases())
def test_compat_scenario_on_postgresql(test: Any, kwargs: dict, compare_on_postgresql: Any):
    test(compare_on_postgresql, **kwargs)
