"""FROM clauses and SELECT: tables, joins, subqueries, CTEs, Select, unions."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from .. import exc
from . import operators as ops
from . import types as sqltypes
from .elements import (
    BindParameter,
    BooleanClauseList,
    ClauseElement,
    ColumnElement,
    Grouping,
    Label,
    UnaryExpression,
    _coerce_column,
    _coerce_order_by,
    _coerce_where,
    _result_name_of,
    _textual_column_error,
    and_,
)

_anon_names = itertools.count(1)


class ColumnCollection:
    """Columns by key, readable as attributes (``t.c.name``) or items."""

    __slots__ = ("_by_key", "_list")

    def __init__(self, columns: list | None = None) -> None:
        self._list: list = []
        self._by_key: dict[str, Any] = {}
        for col in columns or ():
            self._add(col)

    def _add(self, column: Any, key: str | None = None) -> None:
        key = key or column.key
        self._list.append(column)
        self._by_key.setdefault(key, column)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._by_key[key]
        except KeyError:
            raise AttributeError(
                f"no column named {key!r}; columns are: {', '.join(self._by_key) or '(none)'}"
            ) from None

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, int | slice):
            return self._list[key]
        if isinstance(key, tuple):
            return ColumnCollection([self[k] for k in key])
        return self._by_key[key]

    def __iter__(self) -> Iterator:
        return iter(self._list)

    def __len__(self) -> int:
        return len(self._list)

    def __contains__(self, key: Any) -> bool:
        if isinstance(key, str):
            return key in self._by_key
        return any(key is c for c in self._list)

    def __bool__(self) -> bool:
        return bool(self._list)

    def keys(self) -> list[str]:
        return list(self._by_key)

    def values(self) -> list:
        return list(self._list)

    def items(self) -> list:
        return list(self._by_key.items())

    def get(self, key: str, default: Any = None) -> Any:
        return self._by_key.get(key, default)

    def contains_column(self, column: Any) -> bool:
        return any(column is c for c in self._list)

    def __repr__(self) -> str:
        return f"ColumnCollection({', '.join(self._by_key)})"


class FromClause(ClauseElement):
    """Something that can appear after FROM."""

    __visit_name__ = "fromclause"
    _is_from_clause = True
    named_with_column = False
    schema: str | None = None

    @property
    def c(self) -> ColumnCollection:
        return self.columns

    @property
    def _from_objects(self) -> list:
        return [self]

    def _select_columns(self) -> list:
        return list(self.columns)

    def _column_for_key(self, key: str) -> Any:
        return self.columns.get(key)

    def select(self) -> Select:
        return Select(self)

    def join(self, right: Any, onclause: Any = None, isouter: bool = False,
             full: bool = False) -> Join:
        return Join(self, _coerce_from(right), onclause, isouter, full)

    def outerjoin(self, right: Any, onclause: Any = None, full: bool = False) -> Join:
        return Join(self, _coerce_from(right), onclause, True, full)

    def alias(self, name: str | None = None, flat: bool = False) -> Alias:
        return Alias(self, name)

    def subquery(self, name: str | None = None) -> Alias:
        return Alias(self, name)

    def is_derived_from(self, other: Any) -> bool:
        return other is self

    def corresponding_column(self, column: Any, require_embedded: bool = False) -> Any:
        """This FROM's column that selects ``column`` (through subqueries, labels and
        the first SELECT of a union), or None: how an alias or a subquery stands in
        for the table it was made from."""
        for candidate in self.columns:
            if derives_from(candidate, column):
                return candidate
        return None

    @property
    def primary_key(self) -> list:
        return [c for c in self.columns if c.primary_key]

    @property
    def foreign_keys(self) -> list:
        return [fk for c in self.columns for fk in c.foreign_keys]


class TableClause(FromClause):
    """A named table without schema information (``table()``)."""

    __visit_name__ = "table"
    named_with_column = True

    def __init__(self, name: str, *columns: Any, schema: str | None = None) -> None:
        self.name = name
        self.schema = schema
        self.columns = ColumnCollection()
        for col in columns:
            col.table = self
            self.columns._add(col)

    def _gen_key(self, binds: list) -> Any:
        return self

    @property
    def fullname(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def insert(self) -> Any:
        from .dml import Insert

        return Insert(self)

    def update(self) -> Any:
        from .dml import Update

        return Update(self)

    def delete(self) -> Any:
        from .dml import Delete

        return Delete(self)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


def table(name: str, *columns: Any, schema: str | None = None) -> TableClause:
    return TableClause(name, *columns, schema=schema)


def _coerce_from(value: Any) -> Any:
    if isinstance(value, FromClause):
        return value
    clause = getattr(value, "__clause_element__", None)
    if clause is not None:
        element = clause()
        if isinstance(element, FromClause):
            return element
        selectable = getattr(element, "selectable", None)  # an ORM entity (or its alias)
        if isinstance(selectable, FromClause):
            return selectable
    if getattr(value, "_is_select", False):
        return value.subquery()
    from ..inspection import inspect

    inspected = inspect(value, raiseerr=False)
    selectable = getattr(inspected, "selectable", None)
    if selectable is not None:
        return selectable
    raise exc.ArgumentError(
        f"FROM expression expected, got {value!r}; pass a Table, a mapped class or a subquery"
    )


class Join(FromClause):
    __visit_name__ = "join"

    def __init__(self, left: Any, right: Any, onclause: Any = None, isouter: bool = False,
                 full: bool = False) -> None:
        self.left = left
        self.right = right
        if onclause is None:
            onclause = _join_condition(left, right)
        else:
            onclause = _coerce_where(onclause)
        self.onclause = onclause
        self.isouter = isouter
        self.full = full

    def _gen_key(self, binds: list) -> Any:
        return ("join", self.left._gen_key(binds), self.right._gen_key(binds),
                self.onclause._gen_key(binds), self.isouter, self.full)

    @property
    def columns(self) -> ColumnCollection:  # type: ignore[override]
        return ColumnCollection(list(self.left.columns) + list(self.right.columns))

    @property
    def _from_objects(self) -> list:
        return [self] + self.left._from_objects + self.right._from_objects

    def _tables(self) -> list:
        found = []
        for side in (self.left, self.right):
            if isinstance(side, Join):
                found += side._tables()
            else:
                found.append(side)
        return found

    def is_derived_from(self, other: Any) -> bool:
        return other is self or any(t.is_derived_from(other) for t in self._tables())


def derives_from(column: Any, target: Any) -> bool:
    """Whether ``column`` is ``target`` or selects exactly it: a subquery's column
    of it, a label of it, or such a column of a subquery of those.  Only proxies and
    labels are followed; ``-x`` or ``x + 1`` select something else."""
    while True:
        if column is target:
            return True
        if not isinstance(column, ProxyColumn | Label):
            return False
        column = column.element


def _base_tables(from_: Any) -> list:
    if isinstance(from_, Join):
        return from_._tables()
    return [from_]


def _join_condition(left: Any, right: Any) -> ColumnElement:
    """The ON clause implied by the foreign keys between two FROMs."""
    pairs = []
    right_tables = _base_tables(right)
    left_tables = _base_tables(left)
    for rt in right_tables:
        target_rt = getattr(rt, "element", rt)
        for lt in left_tables:
            target_lt = getattr(lt, "element", lt)
            for fk in getattr(target_rt, "foreign_keys", ()):
                if fk.column.table is target_lt:
                    pairs.append((_corresponding(lt, fk.column), _corresponding(rt, fk.parent)))
            for fk in getattr(target_lt, "foreign_keys", ()):
                if fk.column.table is target_rt:
                    pairs.append((_corresponding(lt, fk.parent), _corresponding(rt, fk.column)))
        if pairs:
            break
    if not pairs:
        pairs = _derived_join_pairs(left_tables, right_tables)
    if not pairs:
        raise exc.NoForeignKeysError(
            f"Can't find any foreign key relationships between "
            f"'{getattr(left, 'name', left)}' and '{getattr(right, 'name', right)}'; "
            "pass an explicit ON clause, e.g. .join(target, A.id == B.a_id)."
        )
    return and_(*[a == b for a, b in pairs])


def _derived_join_pairs(left_tables: list, right_tables: list) -> list:
    """The foreign-key pairs between FROMs of which one is a subquery (or CTE) of a
    table: its columns carry their table's foreign keys, and each end is found by
    column correspondence (``select(User).join(aliased(Address, subq))``)."""
    pairs = []
    for rt in right_tables:
        for lt in left_tables:
            for fk in rt.foreign_keys:
                found = lt.corresponding_column(fk.column)
                if found is not None:
                    pairs.append((found, _corresponding(rt, fk.parent)))
            for fk in lt.foreign_keys:
                found = rt.corresponding_column(fk.column)
                if found is not None:
                    pairs.append((_corresponding(lt, fk.parent), found))
        if pairs:
            break
    return pairs


def _corresponding(from_: Any, column: Any) -> Any:
    if from_ is column.table:
        return column
    found = from_.columns.get(column.key)
    if found is not None and derives_from(found, column):
        return found
    derived = from_.corresponding_column(column)
    if derived is not None:
        return derived
    return found if found is not None else column


class Alias(FromClause):
    """A named derived table: ``(SELECT …) AS name`` or ``table AS name``."""

    __visit_name__ = "alias"
    named_with_column = True

    def __init__(self, element: Any, name: str | None = None) -> None:
        self.element = element
        self._anonymous = name is None
        self.name = name or f"anon_{next(_anon_names)}"
        self.columns = ColumnCollection()
        for col in element._select_columns() if not isinstance(element, Select) \
                else element._result_columns():
            name_ = _result_name_of(col) or getattr(col, "name", None) or f"col_{len(self.columns)}"
            proxy = ProxyColumn(name_, col, self)
            self.columns._add(proxy, getattr(col, "key", None) or name_)

    def _gen_key(self, binds: list) -> Any:
        # the alias object itself is part of the shape: columns refer to it by identity
        return ("alias", None if self._anonymous else self.name, self.element._gen_key(binds),
                id(self))

    def is_derived_from(self, other: Any) -> bool:
        return other is self or self.element is other

    def _column_for_key(self, key: str) -> Any:
        return self.columns.get(key)

    @property
    def _from_objects(self) -> list:
        return [self]

    __hash__ = object.__hash__


Subquery = Alias


class CTE(Alias):
    __visit_name__ = "cte"

    def __init__(self, element: Any, name: str | None = None, recursive: bool = False) -> None:
        super().__init__(element, name)
        self.recursive = recursive

    def _gen_key(self, binds: list) -> Any:
        root = self
        while root._restates is not None:
            root = root._restates
        return ("cte", self.name, self.recursive, self.element._gen_key(binds), id(root))

    _restates: Any = None

    def _restated(self, element: Any) -> CTE:
        """The same CTE (same name in SQL) with a new body: ``cte.union_all(...)``."""
        clone = CTE(element, None if self._anonymous else self.name, self.recursive)
        clone._restates = self
        return clone

    def union(self, *others: Any) -> CTE:
        return self._restated(CompoundSelect("UNION", self.element, *others))

    def union_all(self, *others: Any) -> CTE:
        return self._restated(CompoundSelect("UNION ALL", self.element, *others))


class ProxyColumn(ColumnElement):
    """A column of a subquery or alias, pointing back at what it selects."""

    __visit_name__ = "proxy_column"

    def __init__(self, name: str, element: Any, table: Any) -> None:
        self.name = name
        self.key = getattr(element, "key", None) or name
        self.element = element
        self.table = table
        self.type = getattr(element, "type", sqltypes.NULLTYPE)
        self.primary_key = getattr(element, "primary_key", False)
        self.foreign_keys = getattr(element, "foreign_keys", ())

    def _gen_key(self, binds: list) -> Any:
        # which alias: its identity (the FROM list of the statement holds its structure)
        return ("proxy", self.name, id(self.table))

    @property
    def _from_objects(self) -> list:
        return [self.table]

    def _result_name(self) -> str | None:
        return self.name

    __hash__ = object.__hash__


class Select(ClauseElement):
    """A SELECT statement; every method returns a new Select."""

    __visit_name__ = "select"
    _is_select = True
    _is_executable = True

    _where: tuple = ()
    _order_by: tuple = ()
    _group_by: tuple = ()
    _having: tuple = ()
    _limit: Any = None
    _offset: Any = None
    _distinct = False
    _distinct_on: tuple = ()
    _from_obj: tuple = ()
    _setup_joins: tuple = ()
    _for_update: Any = None
    _execution_options: dict = {}
    _with_options: tuple = ()
    _correlate: tuple = ()
    #: correlate_except(): FROMs never taken from the enclosing SELECT
    _correlate_except: tuple = ()
    _auto_correlate = True
    _label_style = None

    def __init__(self, *entities: Any) -> None:
        if len(entities) == 1 and isinstance(entities[0], list | tuple):
            entities = tuple(entities[0])
        self._raw_columns = [_coerce_select_entity(e) for e in entities]

    def _generate(self) -> Select:
        clone = self.__class__.__new__(self.__class__)
        clone.__dict__.update(self.__dict__)
        clone.__dict__.pop("_key_memo", None)
        return clone

    # -- building ---------------------------------------------------------
    def where(self, *criteria: Any) -> Select:
        clone = self._generate()
        clone._where = self._where + tuple(_coerce_where(c) for c in criteria)
        return clone

    filter = where

    def filter_by(self, **kwargs: Any) -> Select:
        target = self._filter_by_target()
        criteria = []
        for key, value in kwargs.items():
            column = _attribute_for_key(target, key)
            criteria.append(column == value)
        return self.where(*criteria)

    def _filter_by_target(self) -> Any:
        if self._setup_joins:
            return _filter_namespace(self._setup_joins[-1][0])
        for raw in self._raw_columns:
            if getattr(raw, "_is_entity", False) or isinstance(raw, FromClause):
                return raw
            froms = raw._from_objects
            if froms:
                return froms[0]
        if self._from_obj:
            return self._from_obj[0]
        raise exc.InvalidRequestError("filter_by() needs an entity or table to filter on")

    def order_by(self, *clauses: Any) -> Select:
        clone = self._generate()
        if len(clauses) == 1 and clauses[0] is None:
            clone._order_by = ()
        else:
            clone._order_by = self._order_by + tuple(_coerce_order_by(c) for c in clauses)
        return clone

    def group_by(self, *clauses: Any) -> Select:
        clone = self._generate()
        if len(clauses) == 1 and clauses[0] is None:
            clone._group_by = ()
        else:
            clone._group_by = self._group_by + tuple(_coerce_order_by(c) for c in clauses)
        return clone

    def having(self, *criteria: Any) -> Select:
        clone = self._generate()
        clone._having = self._having + tuple(_coerce_where(c) for c in criteria)
        return clone

    def limit(self, limit: Any) -> Select:
        clone = self._generate()
        clone._limit = _offset_or_limit(limit)
        return clone

    def offset(self, offset: Any) -> Select:
        clone = self._generate()
        clone._offset = _offset_or_limit(offset)
        return clone

    def slice(self, start: int | None, stop: int | None) -> Select:
        """As SQLAlchemy: the start adds to an existing OFFSET, the stop sets the LIMIT."""
        start = start or 0
        offset = _int_value(self._offset)
        if offset is None and self._offset is not None:
            raise exc.InvalidRequestError("slice() needs an integer OFFSET")
        clone = self._generate()
        if stop is not None:
            clone._limit = _offset_or_limit(max(stop - start, 0))
        new_offset = (offset or 0) + start
        clone._offset = _offset_or_limit(new_offset) if new_offset else None
        return clone

    def distinct(self, *expr: Any) -> Select:
        clone = self._generate()
        clone._distinct = True
        if expr:
            clone._distinct_on = self._distinct_on + tuple(_coerce_column(e) for e in expr)
        return clone

    def select_from(self, *froms: Any) -> Select:
        clone = self._generate()
        clone._from_obj = self._from_obj + tuple(_coerce_from(f) for f in froms)
        return clone

    def join(self, target: Any, onclause: Any = None, *, isouter: bool = False,
             full: bool = False) -> Select:
        clone = self._generate()
        clone._setup_joins = self._setup_joins + ((target, onclause, isouter, full, None),)
        return clone

    def outerjoin(self, target: Any, onclause: Any = None, *, full: bool = False) -> Select:
        return self.join(target, onclause, isouter=True, full=full)

    def join_from(self, from_: Any, target: Any, onclause: Any = None, *,
                  isouter: bool = False, full: bool = False) -> Select:
        clone = self._generate()
        clone._setup_joins = self._setup_joins + ((target, onclause, isouter, full, from_),)
        return clone

    def outerjoin_from(self, from_: Any, target: Any, onclause: Any = None, *,
                       full: bool = False) -> Select:
        return self.join_from(from_, target, onclause, isouter=True, full=full)

    def add_columns(self, *entities: Any) -> Select:
        clone = self._generate()
        clone._raw_columns = self._raw_columns + [_coerce_select_entity(e) for e in entities]
        return clone

    def with_only_columns(self, *entities: Any, maintain_column_froms: bool = False) -> Select:
        clone = self._generate()
        if len(entities) == 1 and isinstance(entities[0], list | tuple):
            entities = tuple(entities[0])
        if maintain_column_froms:
            clone._from_obj = self._from_obj + tuple(self.columns_clause_froms)
        clone._raw_columns = [_coerce_select_entity(e) for e in entities]
        return clone

    def correlate(self, *froms: Any) -> Select:
        clone = self._generate()
        if froms and froms[0] is None:
            clone._auto_correlate = False
            clone._correlate = ()
        else:
            clone._correlate = self._correlate + tuple(_coerce_from(f) for f in froms)
        return clone

    def correlate_except(self, *froms: Any) -> Select:
        """Correlate every FROM of the enclosing SELECT but ``froms`` (a
        column_property's subquery keeps its own table even when the outer query
        has it)."""
        clone = self._generate()
        clone._auto_correlate = True
        clone._correlate_except = self._correlate_except + tuple(
            _coerce_from(f) for f in froms if f is not None)
        return clone

    def with_for_update(self, *, nowait: bool = False, read: bool = False, of: Any = None,
                        skip_locked: bool = False, key_share: bool = False) -> Select:
        clone = self._generate()
        clone._for_update = (nowait, read, skip_locked)
        return clone

    def execution_options(self, **kw: Any) -> Select:
        clone = self._generate()
        clone._execution_options = {**self._execution_options, **kw}
        return clone

    def get_execution_options(self) -> dict:
        return dict(self._execution_options)

    def options(self, *options: Any) -> Select:
        clone = self._generate()
        clone._with_options = self._with_options + options
        return clone

    def set_label_style(self, style: Any) -> Select:
        clone = self._generate()
        clone._label_style = style
        return clone

    # -- derived forms ------------------------------------------------------
    def subquery(self, name: str | None = None) -> Alias:
        return Alias(self, name)

    def alias(self, name: str | None = None, flat: bool = False) -> Alias:
        return Alias(self, name)

    def cte(self, name: str | None = None, recursive: bool = False) -> CTE:
        return CTE(self, name, recursive)

    def scalar_subquery(self) -> ScalarSelect:
        return ScalarSelect(self)

    def as_scalar(self) -> ScalarSelect:
        return ScalarSelect(self)

    def label(self, name: str | None) -> Label:
        return ScalarSelect(self).label(name)

    def exists(self) -> Exists:
        return Exists(self)

    def union(self, *others: Any) -> CompoundSelect:
        return CompoundSelect("UNION", self, *others)

    def union_all(self, *others: Any) -> CompoundSelect:
        return CompoundSelect("UNION ALL", self, *others)

    def intersect_all(self, *others: Any) -> CompoundSelect:
        return CompoundSelect("INTERSECT ALL", self, *others)

    def except_all(self, *others: Any) -> CompoundSelect:
        return CompoundSelect("EXCEPT ALL", self, *others)

    @property
    def whereclause(self) -> Any:
        if not self._where:
            return None
        return and_(*self._where)

    def from_statement(self, statement: Any) -> FromStatement:
        """The selected entities, loaded from ``statement`` (``text()``, a select…)
        instead of the SELECT this would render; see FromStatement."""
        if not self._raw_columns or not all(_loadable(raw) for raw in self._raw_columns):
            raise NotImplementedError(
                "Select.from_statement() loads mapped classes or their columns, e.g. "
                "select(User).from_statement(text(...)); this select() has other columns."
            )
        if self._with_options:
            raise NotImplementedError(
                "Select.from_statement() after .options(...) is not supported by lightalchemy "
                "yet: loader options do not apply to a from_statement() load; drop the "
                "options (relationships then load when first read)."
            )
        element = getattr(statement, "__clause_element__", lambda: statement)()
        if not isinstance(element, ClauseElement) or not (element._is_select or
                                                          element._is_text):
            raise NotImplementedError(
                f"Select.from_statement() takes a statement, got {statement!r}; write the SQL "
                "as text(\"SELECT ...\") or pass a select()."
            )
        return FromStatement(list(self._raw_columns), element, self._execution_options)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(
            f"Select.{name} is not supported by lightalchemy yet; see the README for the "
            "supported query surface."
        )

    def intersect(self, *others: Any) -> CompoundSelect:
        return CompoundSelect("INTERSECT", self, *others)

    def except_(self, *others: Any) -> CompoundSelect:
        return CompoundSelect("EXCEPT", self, *others)

    def self_group(self, against: Any = None) -> ClauseElement:
        return Grouping(self) if against is not None else self

    # -- introspection ------------------------------------------------------
    def _result_columns(self) -> list:
        cols = []
        for raw in self._raw_columns:
            expand = getattr(raw, "_select_columns", None)
            if expand is not None:
                cols.extend(expand())
            else:
                cols.append(raw)
        return cols

    @property
    def selected_columns(self) -> ColumnCollection:
        collection = ColumnCollection()
        for col in self._result_columns():
            collection._add(col, _result_name_of(col) or getattr(col, "key", None) or "")
        return collection

    @property
    def columns_clause_froms(self) -> list:
        froms: list = []
        for raw in self._raw_columns:
            for f in raw._from_objects:
                if f not in froms:
                    froms.append(f)
        return froms

    @property
    def column_descriptions(self) -> list[dict]:
        return [
            {"name": _result_name_of(c) or getattr(c, "name", None), "type": c.type,
             "expr": c}
            for c in self._result_columns()
        ]

    def get_final_froms(self) -> list:
        return self.columns_clause_froms

    @property
    def _from_objects(self) -> list:
        return []

    def _gen_key(self, binds: list) -> Any:
        def keys(items: Any) -> tuple:
            return tuple(i._gen_key(binds) for i in items)

        joins = tuple(
            (_join_target_key(t, binds), o._gen_key(binds) if isinstance(o, ClauseElement)
             else _join_target_key(o, binds), i, f,
             _join_target_key(fr, binds) if fr is not None else None)
            for t, o, i, f, fr in self._setup_joins
        )
        derived: list = []  # FROMs implied by columns and criteria (subqueries hold binds)
        for item in (*self._raw_columns, *self._where):
            for f in item._from_objects:
                if not any(f is g for g in derived):
                    derived.append(f)
        return (
            "select", keys(self._raw_columns), keys(self._from_obj), keys(derived), joins,
            keys(self._where),
            keys(self._group_by), keys(self._having), keys(self._order_by),
            self._limit._gen_key(binds) if self._limit is not None else None,
            self._offset._gen_key(binds) if self._offset is not None else None,
            self._distinct, keys(self._distinct_on), self._for_update,
            keys(self._correlate), self._auto_correlate, keys(self._correlate_except),
        )


def _join_target_key(target: Any, binds: list) -> Any:
    if target is None:
        return None
    relationship_key = getattr(target, "_join_key", None)  # an ORM relationship
    if relationship_key is not None:
        return relationship_key(binds)
    if isinstance(target, ClauseElement):
        return target._gen_key(binds)
    clause = getattr(target, "__clause_element__", None)
    if clause is not None:
        return clause()._gen_key(binds)
    return target


def _filter_namespace(target: Any) -> Any:
    """What ``filter_by()`` looks names up in after a join to ``target``."""
    if hasattr(target, "_column_for_key"):
        return target
    from ..inspection import inspect

    mapper = inspect(target, raiseerr=False)
    if mapper is not None and hasattr(mapper, "__clause_element__"):
        return mapper.__clause_element__()
    return _coerce_from(target)


#: ``lookup(table, key)`` functions the ORM adds (sql does not import orm): the
#: expression a mapped class names ``key`` (a hybrid, a synonym), or None
table_namespace_lookups: list = []


def _attribute_for_key(target: Any, key: str) -> Any:
    lookup = getattr(target, "_column_for_key", None)
    found = lookup(key) if lookup is not None else None
    if found is None and isinstance(target, TableClause):
        # select(Person.id).filter_by(hybrid=...): the table of a mapped class, whose
        # class-level expressions (hybrids, synonyms) the ORM knows
        for lookup in table_namespace_lookups:
            found = lookup(target, key)
            if found is not None:
                break
    if found is None:
        known = getattr(target, "_by_key", None) or getattr(target, "columns", None) or {}
        raise exc.InvalidRequestError(
            f"Entity namespace for {getattr(target, 'name', target)!r} has no property {key!r}"
            + (f"; its properties are {', '.join(map(str, known.keys()))}" if known else "")
        )
    return found


def _int_value(clause: Any) -> int | None:
    value = getattr(clause, "value", None)
    return value if isinstance(value, int) else None


def _offset_or_limit(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, ClauseElement):
        return value
    if not isinstance(value, int) or isinstance(value, bool):
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise exc.ArgumentError(f"LIMIT/OFFSET needs an integer, got {value!r}") from None
    return BindParameter(None, value, sqltypes.INTEGERTYPE, unique=True)


def _coerce_select_entity(value: Any) -> Any:
    if isinstance(value, ClauseElement):
        if isinstance(value, Select):
            return ScalarSelect(value)
        return value
    clause = getattr(value, "__clause_element__", None)
    if clause is not None:
        return clause()
    if isinstance(value, str):
        raise _textual_column_error(value)
    from ..inspection import inspect

    inspected = inspect(value, raiseerr=False)
    if inspected is not None and hasattr(inspected, "__clause_element__"):
        return inspected.__clause_element__()
    raise exc.ArgumentError(
        f"Column expression, FROM clause, or other columns clause element expected, "
        f"got {value!r}."
    )


def select(*entities: Any) -> Select:
    return Select(*entities)


class ScalarSelect(ColumnElement):
    """A SELECT of one column used as a value: ``(SELECT …)``."""

    __visit_name__ = "scalar_select"

    def __init__(self, element: Select) -> None:
        self.element = element
        cols = element._result_columns()
        self.type = cols[0].type if cols else sqltypes.NULLTYPE

    def _gen_key(self, binds: list) -> Any:
        return ("scalar", self.element._gen_key(binds))

    def where(self, *criteria: Any) -> ScalarSelect:
        return ScalarSelect(self.element.where(*criteria))

    def correlate(self, *froms: Any) -> ScalarSelect:
        return ScalarSelect(self.element.correlate(*froms))

    def correlate_except(self, *froms: Any) -> ScalarSelect:
        return ScalarSelect(self.element.correlate_except(*froms))

    def self_group(self, against=None):
        return self


class Exists(UnaryExpression):
    __visit_name__ = "exists"

    def __init__(self, element: Any = None) -> None:
        if element is None:
            element = Select(_literal_star())
        elif not isinstance(element, Select):
            element = Select(element)
        super().__init__(element, operator=ops.exists, type_=sqltypes.BOOLEANTYPE)

    def _gen_key(self, binds: list) -> Any:
        return ("exists", self.element._gen_key(binds))

    @property
    def _from_objects(self) -> list:
        return []

    def where(self, *criteria: Any) -> Exists:
        return Exists(self.element.where(*criteria))

    def select_from(self, *froms: Any) -> Exists:
        return Exists(self.element.select_from(*froms))

    def correlate(self, *froms: Any) -> Exists:
        return Exists(self.element.correlate(*froms))

    def select(self) -> Select:
        return Select(self)


def _literal_star() -> Any:
    from .elements import literal_column

    return literal_column("*")


def exists(*args: Any) -> Exists:
    if not args:
        return Exists()
    if len(args) == 1 and isinstance(args[0], Select):
        return Exists(args[0])
    return Exists(Select(*args))


def _as_in_subquery(element: Any) -> ClauseElement:
    if isinstance(element, ScalarSelect):
        element = element.element
    if isinstance(element, Select):
        return Grouping(element)
    if isinstance(element, Alias) and isinstance(element.element, Select):
        return Grouping(element.element)
    if isinstance(element, CompoundSelect):
        return Grouping(element)
    raise exc.ArgumentError("in_() needs a select() or a subquery of one")


class CompoundSelect(ClauseElement):
    """UNION / UNION ALL / INTERSECT / EXCEPT of selects."""

    __visit_name__ = "compound_select"
    _is_select = True
    _is_executable = True
    _order_by: tuple = ()
    _limit = None
    _offset = None
    _execution_options: dict = {}

    def __init__(self, keyword: str, *selects: Any) -> None:
        self.keyword = keyword
        self.selects = list(selects)

    def _generate(self) -> CompoundSelect:
        clone = self.__class__.__new__(self.__class__)
        clone.__dict__.update(self.__dict__)
        return clone

    def order_by(self, *clauses: Any) -> CompoundSelect:
        clone = self._generate()
        clone._order_by = self._order_by + tuple(_coerce_order_by(c) for c in clauses)
        return clone

    def limit(self, limit: Any) -> CompoundSelect:
        clone = self._generate()
        clone._limit = _offset_or_limit(limit)
        return clone

    def offset(self, offset: Any) -> CompoundSelect:
        clone = self._generate()
        clone._offset = _offset_or_limit(offset)
        return clone

    def execution_options(self, **kw: Any) -> CompoundSelect:
        clone = self._generate()
        clone._execution_options = {**self._execution_options, **kw}
        return clone

    def subquery(self, name: str | None = None) -> Alias:
        return Alias(self, name)

    def alias(self, name: str | None = None) -> Alias:
        return Alias(self, name)

    def cte(self, name: str | None = None, recursive: bool = False) -> CTE:
        return CTE(self, name, recursive)

    def _select_columns(self) -> list:
        return self.selects[0]._result_columns()

    _result_columns = _select_columns

    @property
    def selected_columns(self) -> ColumnCollection:
        return self.selects[0].selected_columns

    @property
    def _raw_columns(self) -> list:
        return self.selects[0]._raw_columns

    def self_group(self, against: Any = None) -> ClauseElement:
        return Grouping(self) if against is not None else self

    def _gen_key(self, binds: list) -> Any:
        return ("compound", self.keyword, tuple(s._gen_key(binds) for s in self.selects),
                tuple(o._gen_key(binds) for o in self._order_by),
                self._limit._gen_key(binds) if self._limit is not None else None,
                self._offset._gen_key(binds) if self._offset is not None else None)

    def union(self, *others: Any) -> CompoundSelect:
        return CompoundSelect("UNION", self, *others)

    def union_all(self, *others: Any) -> CompoundSelect:
        return CompoundSelect("UNION ALL", self, *others)


def union(*selects: Any) -> CompoundSelect:
    return CompoundSelect("UNION", *selects)


def union_all(*selects: Any) -> CompoundSelect:
    return CompoundSelect("UNION ALL", *selects)


def intersect(*selects: Any) -> CompoundSelect:
    return CompoundSelect("INTERSECT", *selects)


def except_(*selects: Any) -> CompoundSelect:
    return CompoundSelect("EXCEPT", *selects)


def _loadable(raw: Any) -> bool:
    """What from_statement() can fill from a row: a mapped class or a table's column."""
    if getattr(raw, "_is_entity", False):
        return True
    return isinstance(raw, ColumnElement) and getattr(raw, "table", None) is not None and \
        not isinstance(raw, ProxyColumn)


class FromStatement(ClauseElement):
    """``select(User).from_statement(stmt)``: entities loaded from a complete statement.

    The SQL sent is ``stmt``'s own; the ORM matches the row's columns to the
    entities' by name for ``text()``, by column for ``select()`` and
    ``text().columns()`` (orm/context.py).  Nothing can be added to it: criteria
    belong in ``stmt``."""

    __visit_name__ = "from_statement"
    _is_select = True
    _is_executable = True
    _is_from_statement = True
    _with_options: tuple = ()

    def __init__(self, raw_columns: list, element: Any, execution_options: dict) -> None:
        self._raw_columns = raw_columns
        self.element = element
        self._execution_options = {**getattr(element, "_execution_options", {}),
                                   **execution_options}

    def _gen_key(self, binds: list) -> Any:
        return ("fromstmt", tuple(c._gen_key(binds) for c in self._raw_columns),
                self.element._gen_key(binds))

    def execution_options(self, **kw: Any) -> FromStatement:
        return FromStatement(self._raw_columns, self.element, {**self._execution_options, **kw})

    def get_execution_options(self) -> dict:
        return dict(self._execution_options)

    def _result_columns(self) -> list:
        return Select._result_columns(self)  # type: ignore[arg-type]

    @property
    def _from_objects(self) -> list:
        return []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "options":
            raise AttributeError(
                "FromStatement.options() is not supported by lightalchemy yet; relationships "
                "of objects loaded by from_statement() load when first read."
            )
        raise AttributeError(
            f"'FromStatement' object has no attribute {name!r}: the statement given to "
            "from_statement() is complete; build it with its criteria first."
        )


class TextualSelect(ClauseElement):
    """``text(...).columns(...)``: raw SQL whose result columns are typed."""

    __visit_name__ = "textual_select"
    _is_select = True
    _is_executable = True

    def __init__(self, text: Any, columns: list) -> None:
        self.element = text
        self.column_args = columns
        self._execution_options = getattr(text, "_execution_options", {})

    def _gen_key(self, binds: list) -> Any:
        return ("textsel", self.element._gen_key(binds),
                tuple(c._gen_key(binds) for c in self.column_args))

    def _result_columns(self) -> list:
        return list(self.column_args)

    _select_columns = _result_columns

    @property
    def _raw_columns(self) -> list:
        return self.column_args

    @property
    def selected_columns(self) -> ColumnCollection:
        return ColumnCollection(self.column_args)

    def subquery(self, name: str | None = None) -> Alias:
        return Alias(self, name)

    def bindparams(self, *binds: Any, **values: Any) -> TextualSelect:
        return TextualSelect(self.element.bindparams(*binds, **values), self.column_args)

    def execution_options(self, **kw: Any) -> TextualSelect:
        clone = TextualSelect(self.element, self.column_args)
        clone._execution_options = {**self._execution_options, **kw}
        return clone


__all__ = [
    "Alias", "BooleanClauseList", "CTE", "ColumnCollection", "CompoundSelect", "Exists",
    "FromClause", "FromStatement", "Join", "ScalarSelect", "Select", "Subquery", "TableClause",
    "TextualSelect",
    "except_", "exists", "intersect", "select", "table", "union", "union_all",
]


def join(left: Any, right: Any, onclause: Any = None, isouter: bool = False,
         full: bool = False) -> Join:
    """``join(a, b, onclause)``, the function form of ``a.join(b, onclause)``."""
    return _coerce_from(left).join(right, onclause, isouter=isouter, full=full)


def outerjoin(left: Any, right: Any, onclause: Any = None, full: bool = False) -> Join:
    return _coerce_from(left).outerjoin(right, onclause, full=full)


def alias(selectable: Any, name: str | None = None, flat: bool = False) -> Alias:
    return _coerce_from(selectable).alias(name)
