"""Differential harness: one scenario, run on SQLAlchemy and on lightalchemy.

A scenario is a function ``scenario(lib)`` where ``lib`` is a namespace holding
the modules a user imports (``lib.sa``, ``lib.orm``, ``lib.exc``, ``lib.types``,
``lib.inspect``) plus ``lib.out(*values)`` to record output and ``lib.url`` (a
fresh SQLite URL).  The harness runs it once per library and compares the two
recorded lists.  A scenario records plain values (ints, strings, tuples,
exception class names) rather than reprs, so that the comparison is about
behaviour, not formatting.
"""

from __future__ import annotations

import importlib
import types as _pytypes
from collections.abc import Callable
from typing import Any

import pytest

LIBRARIES = ("sqlalchemy", "lightalchemy")


def load_library(name: str, url: str) -> _pytypes.SimpleNamespace:
    sa = importlib.import_module(name)
    lib = _pytypes.SimpleNamespace(
        name=name,
        sa=sa,
        orm=importlib.import_module(f"{name}.orm"),
        exc=importlib.import_module(f"{name}.exc"),
        orm_exc=importlib.import_module(f"{name}.orm.exc"),
        types=importlib.import_module(f"{name}.types"),
        pool=importlib.import_module(f"{name}.pool"),
        inspect=sa.inspect,
        url=url,
        records=[],
    )
    lib.out = lambda *values: lib.records.append(values[0] if len(values) == 1 else values)
    return lib


def run_scenario(scenario: Callable[[Any], Any], library: str, url: str) -> list[Any]:
    lib = load_library(library, url)
    try:
        scenario(lib)
    except Exception as error:  # the escaping exception is part of the behaviour
        lib.records.append(("raised", type(error).__name__))
    return lib.records


@pytest.fixture
def compare(tmp_path):
    """Run ``scenario`` on both libraries and assert equal records; return them."""

    def _compare(scenario: Callable[[Any], Any], *, file_db: bool = False) -> list[Any]:
        results = {}
        for library in LIBRARIES:
            if file_db:
                url = f"sqlite:///{tmp_path / (library + '.db')}"
            else:
                url = "sqlite://"
            results[library] = run_scenario(scenario, library, url)
        assert results["lightalchemy"] == results["sqlalchemy"]
        return results["sqlalchemy"]

    return _compare
