"""``aliased()``: a mapped class under another name (self-joins), or mapped onto a
subquery, CTE or union (``aliased(Address, subq)``) for one statement."""

from __future__ import annotations

from typing import Any

from .. import exc as sa_exc
from ..inspection import inspect
from ..sql import operators as ops
from ..sql.elements import _operate
from ..sql.selectable import Alias
from .context import EntityElement, _class_descriptor


class AliasedClass:
    """Stands in for the class: ``A = aliased(Person)``; ``A.name``, ``select(A)``.

    With a selectable (``aliased(Address, subq)``), the class is mapped onto that
    subquery or CTE instead: its attributes are the subquery's columns that select
    the mapper's columns, and its rows load into ordinary objects."""

    def __init__(self, cls: Any, alias: Any = None, name: str | None = None,
                 flat: bool = False, adapt_on_names: bool = False) -> None:
        mapper = inspect(cls, raiseerr=False)
        if mapper is None or not hasattr(mapper, "_props"):
            raise sa_exc.ArgumentError(f"aliased() needs a mapped class, got {cls!r}")
        self._mapper = mapper
        if alias is None:
            self._selectable = Alias(mapper.local_table, name)
            self._entity = EntityElement(mapper, self._selectable)
        else:
            self._selectable = _mapped_selectable(mapper, alias)
            if self._selectable is mapper.local_table:
                self._entity = EntityElement(mapper)
            else:
                adapted = _adapted_columns(mapper, self._selectable, adapt_on_names)
                self._entity = EntityElement(mapper, self._selectable, adapted=adapted,
                                             name=name)
        self.__name__ = name or f"aliased({mapper.class_.__name__})"
        for key, column in self._entity._by_key.items():
            if key in mapper._table_props:
                setattr(self, key, AliasedAttribute(self, key, column))

    def __clause_element__(self) -> EntityElement:
        return self._entity

    @property
    def mapper(self) -> Any:
        return self._mapper

    @property
    def _aliased_mapper(self) -> Any:
        """The mapper of the class this aliases (loader options resolve through it)."""
        return self._mapper

    @property
    def selectable(self) -> Any:
        return self._selectable

    def __getattr__(self, key: str) -> Any:
        if key == "_mapper":  # not initialised (copy, pickle): no attributes yet
            raise AttributeError(key)
        prop = self._mapper._relationships.get(key)
        if prop is not None:  # made on first use: backrefs appear when classes configure
            attr = _aliased_relationship(self, prop)
            setattr(self, key, attr)
            return attr
        if key in self._mapper._table_props:  # mapped onto a subquery without it
            raise AttributeError(
                f"{self.__name__} has no attribute {key!r}: the subquery it is mapped onto "
                f"({self._selectable.name}) does not select the column; add it to the "
                "subquery's select()"
            )
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


def _mapped_selectable(mapper: Any, alias: Any) -> Any:
    """What ``aliased(cls, alias)`` maps the class onto: a subquery, a CTE, an alias,
    or the class's own table; a bare select() must be made a subquery first."""
    if isinstance(alias, Alias) or alias is mapper.local_table:
        return alias
    cls_name = mapper.class_.__name__
    if getattr(alias, "_is_select", False):
        raise sa_exc.ArgumentError(
            f"aliased({cls_name}, selectable) needs a FROM clause, got a "
            f"{type(alias).__name__}; use its .subquery() (or .cte()) method: "
            f"aliased({cls_name}, stmt.subquery())"
        )
    raise sa_exc.ArgumentError(
        f"aliased({cls_name}, selectable) needs a subquery or CTE to map the class onto, "
        f"got {alias!r}; pass select(...).subquery() or select(...).cte()"
    )


def _adapted_columns(mapper: Any, selectable: Any, adapt_on_names: bool) -> dict:
    """Attribute key -> the column of ``selectable`` standing for that mapped column:
    the one that selects it (through labels and nested subqueries; for a union, in
    its first SELECT), else, with ``adapt_on_names``, the one of the same name."""
    adapted = {}
    columns = selectable.columns
    for key, prop in mapper._table_props.items():
        column = prop.column
        found = selectable.corresponding_column(column)
        if found is None and adapt_on_names:
            found = columns.get(column.name)
            if found is None:
                found = columns.get(column.key)
        if found is not None:
            adapted[key] = found
    if not adapted:
        raise sa_exc.InvalidRequestError(
            f"aliased({mapper.class_.__name__}, {selectable.name}): the subquery selects none "
            f"of the columns of {mapper.local_table.name}, so there is nothing to map the "
            "class onto; select the class (select(Model)...subquery()), or pass "
            "adapt_on_names=True to match columns by name."
        )
    return adapted


def _aliased_relationship(alias: AliasedClass, prop: Any) -> Any:
    """``alias.rel``: the class's relationship attribute, starting from the alias
    (joins, ``any()`` / ``has()``, loader options)."""
    attr = prop.class_attribute._clone()
    attr._parent_selectable = alias._selectable
    attr._parent_entity = alias
    return attr


def aliased(element: Any, alias: Any = None, name: str | None = None, flat: bool = False,
            adapt_on_names: bool = False) -> AliasedClass:
    return AliasedClass(element, alias, name=name, flat=flat, adapt_on_names=adapt_on_names)
