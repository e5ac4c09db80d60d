"""``column_property(expr)`` and ``synonym(name)``: attributes that are not a column
of their own table.

A column property of a SQL expression is loaded with its object, in the same
SELECT, under a label named after the attribute (so load_only, defer, expire and
refresh treat it as any column), and never written: the flush skips it, and after
an INSERT or UPDATE of the row it is expired, since the database may compute it
differently now (SQLAlchemy's ``expire_on_flush``).  In queries the attribute is
the expression itself.  A synonym forwards reads and writes to another attribute,
and in queries stands for it under its own name.
"""

from __future__ import annotations

from typing import Any

from .. import exc as sa_exc
from ..sql import operators as ops
from ..sql.elements import ClauseElement, _coerce_column, _operate
from .attributes import QueryableAttribute
from .properties import ColumnProperty


class ExpressionProperty(ColumnProperty):
    """A read-only mapped SQL expression; ``column`` is its label, for loading."""

    __slots__ = ("sql_expression",)
    is_expression = True

    def __init__(self, key: str, expression: Any, deferred: bool = False) -> None:
        self.sql_expression = expression
        super().__init__(key, expression.label(key), deferred)

    @property
    def expression(self) -> Any:
        return self.sql_expression

    def __repr__(self) -> str:
        return f"ColumnProperty({self.key!r}, expression)"


class ExpressionAttribute(QueryableAttribute):
    """``User.address_count``: the expression in criteria, its label in select()."""

    def __clause_element__(self) -> Any:
        return self.prop.column

    @property
    def expression(self) -> Any:
        return self.prop.sql_expression

    @property
    def name(self) -> str:
        return self.key

    @property
    def table(self) -> Any:
        return None

    @property
    def info(self) -> dict:
        return {}

    @property
    def _from_objects(self) -> list:
        return self.prop.sql_expression._from_objects

    def operate(self, op: Any, *other: Any, **kw: Any) -> Any:
        return _operate(self.prop.sql_expression, op, other, kw)

    def reverse_operate(self, op: Any, other: Any, **kw: Any) -> Any:
        return self.prop.sql_expression.reverse_operate(op, other, **kw)

    def label(self, name: str | None) -> Any:
        return self.prop.sql_expression.label(name)

    def cast(self, type_: Any) -> Any:
        return self.prop.sql_expression.cast(type_)


class ColumnPropertyDeclaration:
    """What ``column_property()`` returns, until the declarative class maps it."""

    def __init__(self, columns: tuple, deferred: bool) -> None:
        self.columns = columns
        self.deferred = deferred

    def expression_for(self, owner: str, key: str) -> Any:
        expr = self.columns[0]
        if not isinstance(expr, ClauseElement):
            expr = _coerce_column(expr)
        if getattr(expr, "_is_select", False):
            raise sa_exc.ArgumentError(
                f"column_property() {owner}.{key} got a select(); make it a column with "
                ".scalar_subquery() (or .label())")
        return expr


def column_property(*columns: Any, deferred: bool = False, group: Any = None,
                    raiseload: bool = False, active_history: bool = False,
                    expire_on_flush: bool = True, info: Any = None, doc: Any = None,
                    **kw: Any) -> Any:
    """Map a SQL expression (or a Column) as a read-only attribute loaded with the
    object; ``deferred=True`` loads it on first access instead."""
    if not columns:
        raise sa_exc.ArgumentError("column_property() needs a column or SQL expression")
    if len(columns) > 1:
        raise sa_exc.InvalidRequestError(
            "column_property() of several columns (one attribute for columns of joined "
            "tables) is not supported by lightalchemy; map one expression per attribute")
    if not expire_on_flush:
        raise sa_exc.InvalidRequestError(
            "column_property(expire_on_flush=False) is not supported by lightalchemy; the "
            "expression is reloaded after each flush of its row")
    return ColumnPropertyDeclaration(columns, deferred)


class SynonymProperty:
    """``synonym("name")``: another name for a mapped attribute (see module docstring)."""

    is_attribute = True
    extension_type = None

    def __init__(self, name: str, map_column: bool | None = None, descriptor: Any = None,
                 comparator_factory: Any = None, info: Any = None, doc: Any = None) -> None:
        if map_column:
            raise sa_exc.InvalidRequestError(
                f"synonym({name!r}, map_column=True) is not supported by lightalchemy; "
                "declare the column under its own name and the synonym beside it")
        if comparator_factory is not None:
            raise sa_exc.InvalidRequestError(
                f"synonym({name!r}, comparator_factory=...) is not supported by lightalchemy")
        self.name = name
        self.descriptor = descriptor
        self.key: str | None = None
        self.parent: Any = None
        self.doc = doc
        self.info = info or {}

    def __set_name__(self, owner: type, key: str) -> None:
        if self.key is None:
            self.key = key

    def _target(self, owner: Any) -> Any:
        mapper = getattr(owner, "__mapper__", None) or getattr(owner, "mapper", None)
        if mapper is not None and not mapper.has_property(self.name):
            raise AttributeError(  # SQLAlchemy's class, as it raises on class access
                f"synonym() {getattr(owner, '__name__', owner)}.{self.key} refers to "
                f"{self.name!r}, which is not a mapped attribute of the class; name a "
                "column or relationship attribute")
        return getattr(owner, self.name)

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            if owner is None:
                return self
            return SynonymAttribute(self, owner, self._target(owner))
        if self.descriptor is not None:
            return self.descriptor.__get__(obj, owner)
        return getattr(obj, self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        if self.descriptor is not None:
            self.descriptor.__set__(obj, value)
        else:
            setattr(obj, self.name, value)

    def __delete__(self, obj: Any) -> None:
        if self.descriptor is not None:
            self.descriptor.__delete__(obj)
        else:
            delattr(obj, self.name)

    def __repr__(self) -> str:
        return f"SynonymProperty({self.key!r} -> {self.name!r})"


class SynonymAttribute(ops.ColumnOperators):
    """``User.nick`` on the class: the target attribute, selected under the synonym's
    name."""

    def __init__(self, prop: SynonymProperty, owner: Any, target: Any) -> None:
        self.prop = self.property = prop
        self.key = prop.key
        self.class_ = owner
        self._target = target

    def __clause_element__(self) -> Any:
        element = self._target.__clause_element__()
        if getattr(self._target.prop, "is_relationship", False):
            return element
        return element.label(self.key)

    @property
    def expression(self) -> Any:
        return self._target.expression

    def operate(self, op: Any, *other: Any, **kw: Any) -> Any:
        return self._target.operate(op, *other, **kw)

    def reverse_operate(self, op: Any, other: Any, **kw: Any) -> Any:
        return self._target.reverse_operate(op, other, **kw)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._target, name)

    def __repr__(self) -> str:
        return f"{getattr(self.class_, '__name__', self.class_)}.{self.key}"

    __hash__ = object.__hash__


def synonym(name: str, map_column: bool | None = None, descriptor: Any = None,
            comparator_factory: Any = None, info: Any = None, doc: Any = None) -> Any:
    """Another attribute name for ``name``: reads, writes and queries go to it."""
    return SynonymProperty(name, map_column, descriptor, comparator_factory, info, doc)
