"""JSON element access on PostgreSQL: ``->`` / ``#>`` and, for casts, ``->>`` / ``#>>``.

``data["k"]`` is ``data -> 'k'`` (a json/jsonb value, as the column's type);
a tuple path is ``data #> '{a,1}'`` (a text array).  ``as_string()`` and the other
casts read the element as text (``->>``) and CAST it, as SQLAlchemy does, so
``as_integer()`` of ``"5"`` and of ``5`` both give 5.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def json_index_processor(is_path: bool) -> Callable[[Any], Any] | None:
    """Keys and positions go as they are; a path goes as a text array."""
    if is_path:
        return lambda value: [str(e) for e in value]
    return None


def visit_json_index(compiler: Any, element: Any, **kw: Any) -> str:
    left = compiler.process(element.left, **kw)
    if getattr(element.left, "__visit_name__", None) == "json_index":
        left = f"({left})"
    index = compiler.process(element.right, **kw)
    if element.is_json:
        return f"{left} {'#>' if element.is_path else '->'} {index}"
    type_sql = compiler.dialect.type_compiler.process(element.type)
    return f"CAST({left} {'#>>' if element.is_path else '->>'} {index} AS {type_sql})"
