"""Imports point one way (ARCHITECTURE.md, section 6).

Every module under ``src/lightalchemy`` is parsed with ``ast``; every import in
it counts, including those inside functions and ``if TYPE_CHECKING:`` blocks.
Each import is reduced to the top-level name it reaches inside the package
(``lightalchemy.sql.schema`` → ``sql``; ``from lightalchemy import Column`` →
``__init__``, the facade; ``from .. import exc`` → ``exc``).  A module may import
its own top-level package freely; otherwise it may only import a strictly
lower rank.  Equal ranks never import each other: ``orm`` cannot reach a
dialect, and internal code imports defining modules, not the facades.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = "lightalchemy"
SRC = Path(__file__).resolve().parents[1] / "src" / PACKAGE

RANK = {
    "exc": 0,
    "_util": 0,
    "engine": 1,
    "inspection": 1,
    "sql": 2,
    "dialects": 3,
    "orm": 3,
    "__init__": 3,
    "types": 3,
    "schema": 3,
    "pool": 3,
    "event": 4,  # the facade of the pool's and the ORM's events (orm/events.py)
    "ext": 4,
    "cli": 4,
    "__main__": 4,
}

# ``python -m lightalchemy`` → ``cli.main()``: the one edge between equal ranks, and
# the only import of ``cli`` there may be (ARCHITECTURE.md: "nothing imports it").
ALLOWED = {("__main__", "cli")}


def _module_parts(path: Path) -> list[str]:
    """``src/lightalchemy/sql/schema.py`` → ``["lightalchemy", "sql", "schema"]``."""
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return parts


def _top_level(path: Path) -> str:
    """The RANK key of a source file: its first component below the package."""
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _submodule_names() -> set[str]:
    names = {p.stem for p in SRC.glob("*.py")}
    names |= {p.parent.name for p in SRC.glob("*/__init__.py")}
    return names


def _resolve(node: ast.Import | ast.ImportFrom, module: list[str], is_package: bool,
             submodules: set[str]) -> Iterator[str]:
    """Top-level names inside the package that ``node`` imports (others are skipped)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            parts = alias.name.split(".")
            if parts[0] == PACKAGE:
                yield parts[1] if len(parts) > 1 else "__init__"
        return
    if node.level:
        # the package the relative import starts from
        base = module if is_package else module[:-1]
        if node.level > 1:
            base = base[: len(base) - (node.level - 1)]
        if not base:
            raise AssertionError(f"relative import beyond the top of the package in {module}")
        target = base + (node.module.split(".") if node.module else [])
    else:
        if node.module is None:
            return
        target = node.module.split(".")
    if target[0] != PACKAGE:
        return
    if len(target) > 1:
        yield target[1]
        return
    # ``from lightalchemy import x`` / ``from .. import x`` (at the top): x if it is a
    # module of ours, otherwise a name re-exported by the facade ``__init__``.
    for alias in node.names:
        yield alias.name if alias.name in submodules else "__init__"


def package_imports(src: Path = SRC) -> Iterator[tuple[str, str, str, int]]:
    """``(importer, target, file, line)`` for every import of our own modules."""
    submodules = _submodule_names()
    for path in sorted(src.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module = _module_parts(path)
        is_package = path.name == "__init__.py"
        importer = _top_level(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _resolve(node, module, is_package, submodules):
                    yield importer, target, str(path.relative_to(SRC.parent)), node.lineno


def _violations() -> list[str]:
    found = []
    for importer, target, file, line in package_imports():
        if importer == target or (importer, target) in ALLOWED:
            continue
        if importer not in RANK or target not in RANK:
            continue  # reported by test_every_module_has_a_rank
        if not RANK[target] < RANK[importer]:
            found.append(
                f"{file}:{line}: {importer} (rank {RANK[importer]}) imports {target} "
                f"(rank {RANK[target]})"
            )
    return found


def test_imports_point_down():
    violations = _violations()
    assert not violations, "upward or sideways imports:\n" + "\n".join(violations)


def test_every_module_has_a_rank():
    unranked = sorted(
        {_top_level(p) for p in SRC.rglob("*.py")} - set(RANK)
    )
    assert not unranked, f"add these top-level modules to RANK in {__file__}: {unranked}"


def test_nothing_but_main_imports_cli():
    importers = {i for i, t, _, _ in package_imports() if t == "cli" and i != "cli"}
    assert importers <= {"__main__"}


# -- the resolver itself, on small made-up modules ------------------------------------

def _imports_of(source: str, path: str) -> list[str]:
    module = path.removesuffix(".py").split("/")
    is_package = module[-1] == "__init__"
    if is_package:
        module.pop()
    subs = {"exc", "sql", "orm", "engine", "_util", "types"}
    tree = ast.parse(source)
    return [
        target
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for target in _resolve(node, module, is_package, subs)
    ]


@pytest.mark.parametrize(
    "source, path, expected",
    [
        ("from .. import exc", "lightalchemy/engine/url.py", ["exc"]),
        ("from ..exc import ArgumentError", "lightalchemy/engine/url.py", ["exc"]),
        ("from ... import exc", "lightalchemy/dialects/sqlite/base.py", ["exc"]),
        ("from ...sql.compiler import X", "lightalchemy/dialects/sqlite/base.py", ["sql"]),
        ("from .base import Engine", "lightalchemy/engine/create.py", ["engine"]),
        ("from .base import Engine", "lightalchemy/engine/__init__.py", ["engine"]),
        ("from . import exc", "lightalchemy/__init__.py", ["exc"]),
        ("from .sql.schema import Column", "lightalchemy/__init__.py", ["sql"]),
        ("from . import schema", "lightalchemy/orm/__init__.py", ["orm"]),
        ("from .. import Column", "lightalchemy/orm/mapper.py", ["__init__"]),
        ("from lightalchemy import Column, exc", "lightalchemy/cli.py", ["__init__", "exc"]),
        ("import lightalchemy.orm.session", "lightalchemy/cli.py", ["orm"]),
        ("import lightalchemy", "lightalchemy/cli.py", ["__init__"]),
        ("import sqlite3\nfrom typing import Any", "lightalchemy/engine/base.py", []),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..orm import Session",
            "lightalchemy/sql/schema.py",
            ["orm"],
        ),
        ("def f():\n    from ..orm import x", "lightalchemy/engine/base.py", ["orm"]),
    ],
)
def test_resolver(source, path, expected):
    assert _imports_of(source, path) == expected
