"""Differential harness: one scenario, run on SQLAlchemy and on lightalchemy.

A scenario is a function ``scenario(lib)`` where ``lib`` is a namespace holding
the modules a user imports (``lib.sa``, ``lib.orm``, ``lib.exc``, ``lib.types``,
``lib.inspect``, ``lib.sqlite`` for ``dialects.sqlite``) plus ``lib.out(*values)`` to record output and ``lib.url`` (a
fresh SQLite URL).  The harness runs it once per library and compares the two
recorded lists.  A scenario records plain values (ints, strings, tuples,
exception class names) rather than reprs, so that the comparison is about
behaviour, not formatting.

Setting ``LIGHTALCHEMY_COMPAT_REFERENCE_ONLY=1`` runs SQLAlchemy on both sides
(each side still gets its own database), which checks that every scenario runs
and is deterministic on the reference implementation.
"""

from __future__ import annotations

import importlib
import os
import types as _pytypes
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

LIBRARIES = ("sqlalchemy", "lightalchemy")

REFERENCE_ONLY = os.environ.get("LIGHTALCHEMY_COMPAT_REFERENCE_ONLY", "").strip().lower() not in (
    "",
    "0",
    "false",
    "no",
)


def library_for(side: str) -> str:
    """The module name run on ``side`` ("sqlalchemy" or "lightalchemy")."""
    return "sqlalchemy" if REFERENCE_ONLY else side


def load_library(name: str, url: str) -> _pytypes.SimpleNamespace:
    sa = importlib.import_module(name)
    lib = _pytypes.SimpleNamespace(
        name=name,
        sa=sa,
        orm=importlib.import_module(f"{name}.orm"),
        exc=importlib.import_module(f"{name}.exc"),
        orm_exc=importlib.import_module(f"{name}.orm.exc"),
        types=importlib.import_module(f"{name}.types"),
        ext_hybrid=importlib.import_module(f"{name}.ext.hybrid"),
        pool=importlib.import_module(f"{name}.pool"),
        sqlite=importlib.import_module(f"{name}.dialects.sqlite"),
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
        if os.environ.get("LIGHTALCHEMY_COMPAT_TRACE"):  # debugging aid: show where
            import traceback

            traceback.print_exc()
        lib.records.append(("raised", type(error).__name__))
    return lib.records


def normalize(value: Any) -> Any:
    """A type-strict form of a record, for comparison.

    Plain ``==`` would equate ``True`` with ``1``, ``1`` with ``1.0`` and
    ``Decimal("1.5")`` with ``Decimal("1.50")``; tagging values with their type
    (and Decimals with their exact digits) makes those differences visible.
    ``str`` subclasses (such as ``quoted_name``) count as ``str``.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", int(value))
    if isinstance(value, float):
        return ("float", repr(float(value)))
    if isinstance(value, Decimal):
        return ("Decimal", str(value))
    if isinstance(value, str):
        return ("str", str(value))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return (type(value).__name__, bytes(value))
    if isinstance(value, list):
        return ("list", [normalize(v) for v in value])
    if type(value).__name__ == "Row":
        # SQLAlchemy's Row is not a tuple subclass, ours is; both compare, index and
        # unpack like tuples, which is what the scenarios exercise
        return ("Row", tuple(normalize(v) for v in value))
    if isinstance(value, tuple):
        return ("tuple", tuple(normalize(v) for v in value))
    if isinstance(value, dict):
        return ("dict", {normalize(k): normalize(v) for k, v in value.items()})
    if isinstance(value, (set, frozenset)):
        return ("set", sorted(repr(normalize(v)) for v in value))
    return (type(value).__name__, value)


@pytest.fixture
def compare(tmp_path):
    """Run ``scenario`` on both libraries and assert equal records; return them."""

    def _compare(scenario: Callable[[Any], Any], *, file_db: bool = False) -> list[Any]:
        results = {}
        for side in LIBRARIES:
            if file_db:
                url = f"sqlite:///{tmp_path / (side + '.db')}"
            else:
                url = "sqlite://"
            results[side] = run_scenario(scenario, library_for(side), url)
        assert results["lightalchemy"] == results["sqlalchemy"]
        assert normalize(results["lightalchemy"]) == normalize(results["sqlalchemy"]), (
            "records are equal but differ in value types (bool/int/float, Decimal digits, ...)"
        )
        return results["sqlalchemy"]

    return _compare
