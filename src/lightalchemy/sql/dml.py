"""INSERT, UPDATE and DELETE statements."""

from __future__ import annotations

from typing import Any

from .. import exc
from .elements import (
    BindParameter,
    ClauseElement,
    _bind_for,
    _coerce_column,
    _coerce_where,
)
from .selectable import TableClause, _attribute_for_key


def _dml_target(target: Any) -> tuple[Any, Any]:
    """Return (table, entity): ORM classes are accepted through inspection."""
    if isinstance(target, TableClause):
        return target, None
    from ..inspection import inspect

    inspected = inspect(target, raiseerr=False)
    table = getattr(inspected, "local_table", None)
    if table is not None:
        return table, inspected
    raise exc.ArgumentError(
        f"DML target must be a Table or a mapped class, got {target!r}"
    )



def _expand_hybrids(values: dict) -> dict:
    """``values({Person.full: "a b"})``: a hybrid attribute stands for the columns its
    ``update_expression`` names (``ext.hybrid``); every other key is kept as given."""
    if not any(hasattr(getattr(k, "descriptor", None), "_update_pairs") for k in values):
        return values
    expanded: dict = {}
    for key, value in values.items():
        descriptor = getattr(key, "descriptor", None)
        if hasattr(descriptor, "_update_pairs"):
            expanded.update(descriptor._update_pairs(key.class_, value))
        else:
            expanded[key] = value
    return expanded

class DMLWhereBase:
    _where: tuple = ()

    def where(self, *criteria: Any) -> Any:
        clone = self._generate()
        clone._where = self._where + tuple(_coerce_where(c) for c in criteria)
        return clone

    filter = where

    def filter_by(self, **kwargs: Any) -> Any:
        target = self.entity if self.entity is not None else self.table
        if self.entity is not None:
            target = self.entity.__clause_element__()
        return self.where(*[_attribute_for_key(target, k) == v for k, v in kwargs.items()])


class UpdateBase(ClauseElement):
    _is_dml = True
    _is_executable = True
    _returning: tuple = ()
    _execution_options: dict = {}
    _values: dict | None = None
    _multi_values: tuple = ()
    _inline = False

    def __init__(self, table: Any) -> None:
        self.table, self.entity = _dml_target(table)

    def _generate(self) -> Any:
        clone = self.__class__.__new__(self.__class__)
        clone.__dict__.update(self.__dict__)
        return clone

    #: (mapped class, first position, attribute keys) per class in returning(): the ORM
    #: makes objects of those columns (``orm.bulk``); Core sees only the columns
    _returning_entities: tuple = ()

    def returning(self, *cols: Any, **kw: Any) -> Any:
        clone = self._generate()
        expanded = list(self._returning)
        entities = list(self._returning_entities)
        for col in cols:
            mapper = getattr(col, "__mapper__", None) if isinstance(col, type) else None
            if mapper is not None:
                keys = tuple(mapper._table_props)  # the columns an INSERT can return
                entities.append((col, len(expanded), keys))
                expanded.extend(mapper._props[k].column for k in keys)
                continue
            if isinstance(col, type) and not hasattr(col, "__clause_element__"):
                raise exc.ArgumentError(
                    f"{type(self).__name__}.returning({col.__name__}): not a mapped class, "
                    "a column or a table")
            element = _coerce_column(col) if not isinstance(col, TableClause) else col
            expand = getattr(element, "_select_columns", None)
            expanded.extend(expand() if expand is not None else [element])
        clone._returning = tuple(expanded)
        clone._returning_entities = tuple(entities)
        return clone

    def execution_options(self, **kw: Any) -> Any:
        clone = self._generate()
        clone._execution_options = {**self._execution_options, **kw}
        return clone

    def get_execution_options(self) -> dict:
        return dict(self._execution_options)

    def _column_for(self, key: Any) -> Any:
        table = self.table
        if isinstance(key, str):
            col = table.columns.get(key)
            if col is None and self.entity is not None:
                attr = self.entity.attrs.get(key) if hasattr(self.entity, "attrs") else None
                col = getattr(attr, "column", None) if attr is not None else None
            if col is None:
                raise exc.CompileError(
                    f"Unconsumed column names: {key}; table '{table.name}' has columns "
                    f"{', '.join(table.columns.keys())}"
                )
            return col
        element = key.__clause_element__() if hasattr(key, "__clause_element__") else key
        if getattr(element, "table", None) is not table:
            raise exc.CompileError(f"Column {key!r} does not belong to table '{table.name}'")
        return element

    def _coerce_values(self, values: dict, plain: bool = True) -> dict:
        """``plain``: one row's values, printed under their column keys (``:name``) as
        SQLAlchemy prints them; the rows of a multi-row VALUES are numbered instead."""
        result = {}
        for key, value in _expand_hybrids(values).items():
            col = self._column_for(key)
            if isinstance(value, ClauseElement) or hasattr(value, "__clause_element__"):
                result[col] = _bind_for(value, col.type)
            else:
                bind = BindParameter(col.key, value, col.type, unique=True)
                bind._plain_name = plain
                result[col] = bind
        return result

    def values(self, *args: Any, **kwargs: Any) -> Any:
        clone = self._generate()
        if args:
            first = args[0]
            if isinstance(first, list | tuple) and first and isinstance(first[0], dict):
                if not isinstance(self, Insert):
                    raise exc.ArgumentError("Multiple-row VALUES are only valid for INSERT")
                clone._multi_values = self._multi_values + tuple(
                    self._coerce_values(row, plain=False) for row in first)
                return clone
            if isinstance(first, dict):
                kwargs = {**first, **kwargs}
            elif isinstance(first, list | tuple):
                kwargs = {**dict(zip(self.table.columns.keys(), first)), **kwargs}
        merged = dict(self._values or {})
        merged.update(self._coerce_values(kwargs))
        clone._values = merged
        return clone

    def _values_key(self, binds: list) -> Any:
        if self._multi_values:
            return tuple(tuple((c, v._gen_key(binds)) for c, v in row.items())
                         for row in self._multi_values)
        if self._values is None:
            return None
        return tuple((c, v._gen_key(binds)) for c, v in self._values.items())


class Insert(UpdateBase):
    __visit_name__ = "insert"
    _select: Any = None
    #: rendered after VALUES / SELECT: a dialect's ON CONFLICT clause (sql/on_conflict.py)
    _post_values_clause: Any = None

    def inline(self) -> Insert:
        clone = self._generate()
        clone._inline = True
        return clone

    def from_select(self, names: list, select: Any, include_defaults: bool = True) -> Insert:
        clone = self._generate()
        clone._select = ([self._column_for(n) for n in names], select)
        return clone

    def prefix_with(self, *expr: Any, **kw: Any) -> Insert:
        raise exc.InvalidRequestError("Insert.prefix_with() is not supported by lightalchemy yet")

    def _gen_key(self, binds: list) -> Any:
        select_key = None
        if self._select is not None:
            select_key = (tuple(self._select[0]), self._select[1]._gen_key(binds))
        post = self._post_values_clause
        return ("insert", self.table, self._values_key(binds),
                tuple(c._gen_key(binds) for c in self._returning), select_key,
                post._gen_key(binds) if post is not None else None)


class Update(DMLWhereBase, UpdateBase):
    __visit_name__ = "update"

    def ordered_values(self, *args: tuple) -> Update:
        return self.values(dict(args))

    def _gen_key(self, binds: list) -> Any:
        return ("update", self.table, self._values_key(binds),
                tuple(w._gen_key(binds) for w in self._where),
                tuple(c._gen_key(binds) for c in self._returning))


class Delete(DMLWhereBase, UpdateBase):
    __visit_name__ = "delete"

    def _gen_key(self, binds: list) -> Any:
        return ("delete", self.table, tuple(w._gen_key(binds) for w in self._where),
                tuple(c._gen_key(binds) for c in self._returning))


def insert(table: Any) -> Insert:
    return Insert(table)


def update(table: Any) -> Update:
    return Update(table)


def delete(table: Any) -> Delete:
    return Delete(table)
