"""JSON element access on SQLite: ``JSON_EXTRACT`` with a JSON path string.

``data["k"]`` is ``JSON_QUOTE(JSON_EXTRACT(data, '$."k"'))``: JSON_EXTRACT alone
would give a JSON string's bare text (and SQL values for numbers), so the JSON
form is re-made with JSON_QUOTE, read back with ``json.loads`` and compared with
JSON-encoded values, as SQLAlchemy's SQLite dialect does.  The ``as_*()`` casts
take JSON_EXTRACT's SQL value itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _step(element: Any) -> str:
    return f"[{element}]" if isinstance(element, int) else f'."{element}"'


def json_index_processor(is_path: bool) -> Callable[[Any], Any]:
    """The index as a path string: ``"k"`` → ``$."k"``, ``0`` → ``$[0]``, ``("a", 1)``
    → ``$."a"[1]``."""
    if is_path:
        return lambda value: "$" + "".join(_step(e) for e in value)
    return lambda value: "$" + _step(value)


def visit_json_index(compiler: Any, element: Any, **kw: Any) -> str:
    extract = (f"JSON_EXTRACT({compiler.process(element.left, **kw)}, "
               f"{compiler.process(element.right, **kw)})")
    return f"JSON_QUOTE({extract})" if element.is_json else extract
