"""``mapped_column()``, ``Mapped[]`` and the column property behind each attribute."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from .. import exc as sa_exc
from ..sql.elements import _operate
from ..sql.operators import ColumnOperators
from ..sql.schema import Column

_T = TypeVar("_T")


class Mapped(Generic[_T]):
    """Annotation marker: ``name: Mapped[str]`` declares a mapped attribute."""

    __slots__ = ()


class MappedColumn(ColumnOperators):
    """What ``mapped_column()`` returns: a Column waiting for its name and type.

    Usable in expressions of the class body (``column_property(first + " " + last)``),
    where it stands for its Column."""

    __hash__ = object.__hash__

    def __clause_element__(self) -> Column:
        return self.column

    def operate(self, op: Any, *other: Any, **kw: Any) -> Any:
        return _operate(self.column, op, other, kw)

    def reverse_operate(self, op: Any, other: Any, **kw: Any) -> Any:
        return self.column.reverse_operate(op, other, **kw)

    def __init__(self, *args: Any, **kw: Any) -> None:
        self.deferred = kw.pop("deferred", False)
        kw.pop("deferred_group", None)
        kw.pop("deferred_raiseload", None)
        #: the dataclass field arguments (used when the class is a mapped dataclass)
        self._dataclass_args = pop_dataclass_args(kw)
        self.init = self._dataclass_args.get("init")
        self.repr = self._dataclass_args.get("repr")
        self.default_factory = self._dataclass_args.get("default_factory")
        kw.pop("active_history", None)
        kw.pop("use_existing_column", None)
        kw.pop("sort_order", None)
        self._has_insert_default = "insert_default" in kw
        if "default" in kw:
            # ``default=`` is the dataclass field's default too (SQLAlchemy's rule)
            self._dataclass_args["default"] = kw["default"]
        if self._has_insert_default:
            kw["default"] = kw.pop("insert_default")
        self._explicit_nullable = "nullable" in kw
        self._explicit_type = any(
            not isinstance(a, str) and not _is_schema_item(a) for a in args
        ) or "type_" in kw
        self.column = Column(*args, **kw)

    def _copy(self) -> MappedColumn:
        """A copy with its own Column (for each class that inherits a mixin's attribute)."""
        new = MappedColumn.__new__(MappedColumn)
        new.__dict__.update(self.__dict__)
        new.column = self.column._copy()
        return new


#: the arguments of mapped_column() / relationship() that describe a dataclass field
DATACLASS_ARGS = ("init", "repr", "default_factory", "compare", "kw_only", "hash",
                  "dataclass_metadata")


def pop_dataclass_args(kw: dict) -> dict:
    """Take the dataclass field arguments out of ``kw`` (those given, by name)."""
    return {name: kw.pop(name) for name in DATACLASS_ARGS if name in kw}


def _is_schema_item(value: Any) -> bool:
    from ..sql.schema import ForeignKey, SchemaItem

    return isinstance(value, ForeignKey | SchemaItem) or type(value).__name__ in (
        "Sequence", "Identity", "Computed", "DefaultClause", "FetchedValue")


def mapped_column(*args: Any, **kw: Any) -> Any:
    """Declare a column attribute; type and nullability may come from ``Mapped[...]``."""
    return MappedColumn(*args, **kw)


class ColumnProperty:
    """One mapped attribute backed by one column."""

    is_expression = False  # ExpressionProperty (expressions.py): not written by flush

    __slots__ = ("key", "column", "columns", "parent", "class_attribute", "deferred",
                 "_insert_default")

    def __init__(self, key: str, column: Column, deferred: bool = False) -> None:
        self.key = key
        self.column = column
        self.columns = [column]
        self.parent = None
        self.class_attribute = None
        self.deferred = deferred

    def _default_for_unset(self) -> Any:
        return None

    @property
    def expression(self) -> Column:
        return self.column

    def __repr__(self) -> str:
        return f"ColumnProperty({self.key!r})"


def deferred(column: Any, *more: Any, **kw: Any) -> Any:
    """``deferred(Column(...))``: a column loaded on first access, not with its object."""
    if more:
        raise sa_exc.InvalidRequestError(
            "deferred() of several columns (a composite) is not supported by lightalchemy; "
            "defer each column on its own"
        )
    mc = MappedColumn.__new__(MappedColumn)
    mc.column = column
    mc.deferred = True
    mc.init = mc.repr = mc.default_factory = None
    mc._dataclass_args = {}
    mc._has_insert_default = False
    mc._explicit_nullable = True
    mc._explicit_type = True
    return mc


def composite(*args: Any, **kw: Any) -> Any:
    raise sa_exc.InvalidRequestError("composite() is not supported by lightalchemy yet")
