"""``aliased()``: a mapped class under another name in one statement (self-joins)."""

from __future__ import annotations

from typing import Any

from .. import exc as sa_exc
from ..inspection import inspect
from ..sql import operators as ops
from ..sql.elements import _operate
from ..sql.selectable import Alias
from .context import EntityElement, _class_descriptor


class AliasedClass:
    """Stands in for the class: ``A = aliased(Person)``; ``A.name``, ``select(A)``."""

    def __init__(self, cls: Any, alias: Any = None, name: str | None = None,
                 flat: bool = False, adapt_on_names: bool = False) -> None:
        mapper = inspect(cls, raiseerr=False)
        if mapper is None or not hasattr(mapper, "_props"):
            raise sa_exc.ArgumentError(f"aliased() needs a mapped class, got {cls!r}")
        if alias is not None:
            raise sa_exc.InvalidRequestError(
                "aliased(cls, selectable) (mapping a class onto a subquery) is not supported "
                "by lightalchemy yet; alias the class itself: aliased(cls, name=...)"
            )
        self._mapper = mapper
        self._selectable = Alias(mapper.local_table, name)
        self._entity = EntityElement(mapper, self._selectable)
        self.__name__ = name or f"aliased({mapper.class_.__name__})"
        for key in mapper._table_props:
            setattr(self, key, AliasedAttribute(self, key, self._entity._by_key[key]))

    def __clause_element__(self) -> EntityElement:
        return self._entity

    @property
    def mapper(self) -> Any:
        return self._mapper

    @property
    def selectable(self) -> Any:
        return self._selectable

    def __getattr__(self, key: str) -> Any:
        if not key.startswith("__"):
            # a hybrid (or other class-level expression) built against the alias
            descriptor = _class_descriptor(self._mapper.class_, key)
            if getattr(descriptor, "extension_type", None) is not None:
                return descriptor.__get__(None, self)
        raise AttributeError(
            f"{self.__name__} has no mapped attribute {key!r}; its attributes are "
            f"{', '.join(self._mapper._attr_keys)}"
        )

    def __repr__(self) -> str:
        return f"<AliasedClass of {self._mapper.class_.__name__}>"


class AliasedAttribute(ops.ColumnOperators):
    """``Alias.name``: the column of the alias, usable wherever ``Person.name`` is."""

    def __init__(self, parent: AliasedClass, key: str, column: Any) -> None:
        self.parent = parent
        self.key = key
        self.column = column

    def __clause_element__(self) -> Any:
        return self.column

    @property
    def expression(self) -> Any:
        return self.column

    @property
    def type(self) -> Any:
        return self.column.type

    def operate(self, op: Any, *other: Any, **kw: Any) -> Any:
        return _operate(self.column, op, other, kw)

    def reverse_operate(self, op: Any, other: Any, **kw: Any) -> Any:
        return self.column.reverse_operate(op, other, **kw)

    def label(self, name: str | None) -> Any:
        return self.column.label(name)

    __hash__ = object.__hash__


def aliased(element: Any, alias: Any = None, name: str | None = None, flat: bool = False,
            adapt_on_names: bool = False) -> AliasedClass:
    return AliasedClass(element, alias, name=name, flat=flat, adapt_on_names=adapt_on_names)
