"""From a ``Mapped[...]`` annotation to a column's SQL type, nullability and arguments.

Kept apart from declarative.py because the annotation rules (``Optional`` /
``X | None``, ``Annotated[...]`` aliases, the registry's ``type_annotation_map``)
are a small language of their own:

* ``Mapped[Optional[X]]`` / ``Mapped[X | None]``: nullable, unless
  ``mapped_column(nullable=...)`` says otherwise.
* ``type_annotation_map`` is consulted with the whole annotated type first
  (``str50 = Annotated[str, 50]`` is its own key), then with the type inside
  ``Annotated``, then the built-in Python → SQL table.
* ``intpk = Annotated[int, mapped_column(primary_key=True)]``: the
  ``mapped_column()`` inside supplies the arguments that the attribute's own
  ``mapped_column()`` leaves out (see ``merge_annotated_column``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import sys
import types as pytypes
import typing
from typing import Any

from .. import exc as sa_exc
from ..sql import types as sqltypes
from ..sql.schema import Column
from .properties import Mapped, MappedColumn

_PYTHON_TO_SQL: dict[Any, Any] = {
    int: sqltypes.Integer,
    str: sqltypes.String,
    float: sqltypes.Float,
    bool: sqltypes.Boolean,
    bytes: sqltypes.LargeBinary,
    decimal.Decimal: sqltypes.Numeric,
    dt.datetime: sqltypes.DateTime,
    dt.date: sqltypes.Date,
    dt.time: sqltypes.Time,
    dt.timedelta: sqltypes.Interval,
    dict: sqltypes.JSON,
    list: sqltypes.JSON,
}


def unwrap_mapped(hint: Any) -> tuple[Any, bool]:
    """For ``Mapped[X]`` return (X without ``None``, nullable); (None, False) if not Mapped.

    ``Annotated[...]`` is kept on X: its metadata may be a ``type_annotation_map`` key
    or carry a ``mapped_column()``.
    """
    if hint is None or typing.get_origin(hint) is not Mapped:
        return None, False
    args = typing.get_args(hint)
    if not args:
        return None, False
    return strip_optional(args[0])


def strip_optional(tp: Any) -> tuple[Any, bool]:
    """``Optional[X]`` / ``X | None`` → (X, True); anything else → (tp, False)."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is pytypes.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        nullable = len(args) != len(typing.get_args(tp))
        if len(args) == 1:
            inner, inner_null = strip_optional(args[0])
            return inner, nullable or inner_null
        return tp, nullable
    if origin is typing.Annotated:
        # Annotated[Optional[X], ...]: nullable too, and the metadata stays on
        inner, nullable = strip_optional(tp.__origin__)
        if nullable:
            return typing.Annotated[(inner, *tp.__metadata__)], True
    return tp, False


def annotated_mapped_column(tp: Any) -> MappedColumn | None:
    """The ``mapped_column()`` carried in ``Annotated[X, mapped_column(...)]``, if any."""
    if typing.get_origin(tp) is not typing.Annotated:
        return None
    return next((m for m in reversed(tp.__metadata__) if isinstance(m, MappedColumn)), None)


def _map_lookup(mapping: dict, tp: Any) -> Any:
    try:
        return mapping.get(tp)
    except TypeError:  # an unhashable Annotated metadata item
        return None


def sql_type_for(cls: type, python_type: Any, reg: Any, name: str) -> Any:
    """The SQL type instance for a ``Mapped[]`` inner type, through the registry's map."""
    found = _map_lookup(reg.type_annotation_map, python_type)
    if found is not None:
        return sqltypes.to_instance(found)
    origin = typing.get_origin(python_type)
    if origin is typing.Annotated:
        return sql_type_for(cls, python_type.__origin__, reg, name)
    if origin is not None and origin in _PYTHON_TO_SQL:
        return _PYTHON_TO_SQL[origin]()
    if origin is typing.Literal:
        return sqltypes.Enum(*typing.get_args(python_type))
    uuid = sys.modules.get("uuid")  # an annotation naming uuid.UUID means it is loaded
    if uuid is not None and python_type is uuid.UUID:
        return sqltypes.Uuid()
    if isinstance(python_type, type):
        if issubclass(python_type, enum.Enum):
            return sqltypes.Enum(python_type)
        for py, sql in _PYTHON_TO_SQL.items():
            if isinstance(py, type) and issubclass(python_type, py) and py is not object:
                if py is int and python_type is bool:
                    continue
                return sql()
    raise sa_exc.ArgumentError(
        f"Could not locate SQLAlchemy Core type for Python type {python_type!r} inside the "
        f"{name!r} attribute Mapped annotation of {cls.__name__}; give mapped_column() a type "
        "or add the type to type_annotation_map."
    )


def merge_annotated_column(own: MappedColumn, from_annotation: MappedColumn) -> MappedColumn:
    """``mapped_column()`` of the attribute, completed by the one inside ``Annotated``.

    SQLAlchemy's rules: the attribute's own arguments win; the annotation's fill what
    the attribute leaves unset (type, nullable, server/update defaults, index, unique,
    comment, doc, autoincrement); ``primary_key`` and foreign keys add up; the
    annotation's ``default`` replaces the attribute's unless that one is an explicit
    ``insert_default``.  The annotation's column name/key and dataclass arguments are
    ignored (SQLAlchemy warns about them).  The annotation's object is shared by every
    attribute using the alias, so nothing of it is modified.
    """
    merged = MappedColumn.__new__(MappedColumn)
    merged.__dict__.update(own.__dict__)
    col = own.column._copy()
    merged.column = col
    src = from_annotation.column
    if src.primary_key and not col.primary_key:
        col.primary_key = True
        if not own._explicit_nullable:
            col.nullable = False
    if src.autoincrement != "auto" and col.autoincrement == "auto":
        col.autoincrement = src.autoincrement
    col.system = col.system or src.system
    if src.info:
        col.info = {**src.info, **col.info}
    if from_annotation._explicit_type and not own._explicit_type:
        col.type = src.type
        merged._explicit_type = True
    if from_annotation._explicit_nullable and not own._explicit_nullable:
        col.nullable = src.nullable
        col._user_nullable = src._user_nullable
        merged._explicit_nullable = True
    if src.default is not None and not own._has_insert_default:
        col.default = col.insert_default = src.default
    for attr in ("server_default", "server_onupdate", "onupdate", "doc", "comment"):
        if getattr(src, attr) is not None and getattr(col, attr) is None:
            setattr(col, attr, getattr(src, attr))
    for attr in ("index", "unique"):
        if getattr(src, attr) in (True, False) and getattr(col, attr) is None:
            setattr(col, attr, getattr(src, attr))
    for fk in src.foreign_keys:
        new_fk = fk._copy()
        new_fk.parent = col
        col.foreign_keys.add(new_fk)
    col._pending_items = list(col._pending_items) + [
        item._copy() if hasattr(item, "_copy") else item for item in src._pending_items]
    if from_annotation.deferred and not own.deferred:
        merged.deferred = True
    return merged


def column_for_annotation(cls: type, name: str, mc: MappedColumn, resolved: Any,
                          reg: Any) -> tuple[MappedColumn, Column]:
    """Complete ``mc``'s column from the resolved ``Mapped[...]`` annotation.

    Returns the (possibly merged) MappedColumn and its Column; the Column's type,
    nullability and Annotated arguments are filled in, its name and key are not.
    """
    inner, nullable = unwrap_mapped(resolved)
    if inner is None:
        return mc, mc.column
    from_annotation = annotated_mapped_column(inner)
    if from_annotation is not None:
        mc = merge_annotated_column(mc, from_annotation)
    col = mc.column
    if not mc._explicit_type and isinstance(col.type, sqltypes.NullType):
        if inner is Any:
            raise sa_exc.ArgumentError(
                f"Could not interpret annotation for {cls.__name__}.{name}; give "
                "mapped_column() an explicit type"
            )
        col.type = sql_type_for(cls, inner, reg, name)
    if not mc._explicit_nullable and (nullable or not col.primary_key):
        # SQLAlchemy: Optional[] makes even a primary key column nullable=True
        col.nullable = nullable
        col._user_nullable = nullable
    return mc, col
