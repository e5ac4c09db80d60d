"""JSON element access: ``col["key"]``, ``col["a"]["b"]``, ``col[0]``, ``col[("a", 1)]``.

An index expression keeps the JSON expression it reads from, the index (a bound
parameter) and, after ``as_string()`` / ``as_integer()`` / …, the SQL type the
element is read as.  How it is written in SQL differs by database (SQLite's
``JSON_EXTRACT`` with a path string, PostgreSQL's ``->`` / ``#>``), so the
dialects render it (``visit_json_index``) and turn the index into what their
functions expect (``Dialect.json_index_processor``).
"""

from __future__ import annotations

from typing import Any

from . import operators as ops
from . import types as sqltypes
from .elements import BindParameter, ClauseElement, ColumnElement, Grouping, _operate


class JSONPathType(sqltypes.TypeEngine):
    """The type of the index parameter: a key or position, or (``is_path``) a tuple of
    them; each dialect converts it to its own form (a path string, a text array…)."""

    __visit_name__ = "json_path"
    hashable = False

    def __init__(self, is_path: bool = False) -> None:
        self.is_path = is_path

    def bind_processor(self, dialect: Any) -> sqltypes.Processor:
        hook = getattr(dialect, "json_index_processor", None)
        return hook(self.is_path) if hook is not None else None


_INDEX_TYPE = JSONPathType(False)
_PATH_TYPE = JSONPathType(True)


class JSONIndex(ColumnElement):
    """One element of a JSON value; compares as JSON until cast with ``as_*()``."""

    __visit_name__ = "json_index"

    def __init__(self, left: ColumnElement, index: Any, as_type: Any = None,
                 right: BindParameter | None = None) -> None:
        self.left = left
        if right is None:
            # a tuple or list is a path of keys and positions, as SQLAlchemy reads it
            is_path = isinstance(index, tuple | list)
            if is_path:
                index = tuple(index)
            right = BindParameter(getattr(left, "key", None), index,
                                  _PATH_TYPE if is_path else _INDEX_TYPE, unique=True)
        self.right = right
        self.is_path = right.type.is_path
        self.as_type = as_type
        self.type = as_type if as_type is not None else left.type
        #: the element is JSON (rendered as JSON text, compared with JSON values)
        self.is_json = isinstance(self.type, sqltypes.JSON)

    def _gen_key(self, binds: list) -> Any:
        as_key = self.as_type._key if self.as_type is not None else None
        return ("ji", self.left._gen_key(binds), self.right._gen_key(binds), as_key)

    @property
    def _from_objects(self) -> list:
        return self.left._from_objects

    def self_group(self, against: ops.Operator | None = None) -> ColumnElement:
        # an operator after ``data -> 'k'`` must not bind to the key (PostgreSQL)
        if against is not None and self.is_json:
            return Grouping(self)
        return self

    def operate(self, op: ops.Operator, *other: Any, **kw: Any) -> ColumnElement:
        if self.is_json and op.is_comparison and op is not ops.in_ and op is not ops.not_in:
            other = tuple(_compared_value(v) for v in other)
        return _operate(self, op, other, kw)

    # -- casts -----------------------------------------------------------------
    def _cast(self, name: str, type_: sqltypes.TypeEngine) -> JSONIndex:
        if self.as_type is not None:  # AttributeError, as SQLAlchemy's cast has no as_*()
            raise AttributeError(
                f"{name}() applies to a JSON index expression such as col['q']; this "
                f"element is already read as {self.as_type!r}")
        return JSONIndex(self.left, None, type_, self.right)

    def as_string(self) -> JSONIndex:
        """The element as a string (JSON's string, not its quoted JSON text)."""
        return self._cast("as_string", sqltypes.String())

    def as_integer(self) -> JSONIndex:
        return self._cast("as_integer", sqltypes.Integer())

    def as_float(self) -> JSONIndex:
        return self._cast("as_float", sqltypes.Float())

    def as_boolean(self) -> JSONIndex:
        return self._cast("as_boolean", sqltypes.Boolean())

    def as_numeric(self, precision: int, scale: int, asdecimal: bool = True) -> JSONIndex:
        return self._cast("as_numeric", sqltypes.Numeric(precision, scale, asdecimal=asdecimal))

    @property
    def astext(self) -> JSONIndex:
        """PostgreSQL's JSON / JSONB only (``->>``): the element as text."""
        if not getattr(self.left.type, "has_astext", False) or self.as_type is not None:
            raise AttributeError(
                "astext is PostgreSQL's, on an element of a postgresql.JSON / JSONB column "
                "such as col['k']; use as_string() elsewhere")
        return self._cast("astext", sqltypes.Text())

    def as_json(self) -> JSONIndex:
        """The element as JSON: what indexing gives already, spelled out."""
        return self._cast("as_json", self.left.type)


def json_getitem(expr: ColumnElement, index: Any) -> JSONIndex:
    """``expr[index]`` for a JSON-typed expression."""
    return JSONIndex(expr, index)


def _compared_value(value: Any) -> Any:
    """What a JSON element is compared with: as SQLAlchemy does, a plain value is sent
    as itself (a string as a string, not as JSON text); lists and dicts as JSON."""
    if value is None or isinstance(value, list | dict | ClauseElement) or \
            hasattr(value, "__clause_element__"):
        return value
    return BindParameter(None, value, sqltypes._type_for_python_value(value), unique=True)
