"""INSERT … ON CONFLICT ("upsert"): the clause both SQLite and PostgreSQL spell alike.

SQLite (3.24+) and PostgreSQL share the grammar ``ON CONFLICT [(cols) [WHERE …] |
ON CONSTRAINT name] DO NOTHING | DO UPDATE SET … [WHERE …]``.  What they share
lives here: the clause elements, the ``Insert`` subclass that carries one (with
``excluded``), and the compiler methods that spell it.  What differs (which
targets a database takes, how a partial index's WHERE is sent) lives in each
dialect's ``dml.py`` and compiler.

Arguments are checked when the clause is built, with the exception classes
SQLAlchemy raises there (``ValueError`` for the arguments of the clause,
``InvalidRequestError`` for a second ON CONFLICT), so code that catches them
behaves the same.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import exc
from .dml import Insert
from .elements import BindParameter, ClauseElement, _coerce_column, _coerce_where
from .selectable import Alias, ColumnCollection


def excluded_columns(table: Any) -> ColumnCollection:
    """``table``'s columns as the row proposed for insertion (``excluded.<col>``).

    One alias per table, kept on the table: its columns are keyed by the alias's
    identity in the compiled-statement cache, so a fresh alias per statement would
    compile every upsert anew."""
    alias = table.__dict__.get("_excluded_alias")
    if alias is None:
        alias = table.__dict__["_excluded_alias"] = Alias(table, "excluded")
    return alias.columns


class OnConflictClause(ClauseElement):
    """The conflict target: index columns (+ a partial index's WHERE), a constraint
    name (PostgreSQL), or nothing (any conflict)."""

    def __init__(self, table: Any, index_elements: Any = None, index_where: Any = None,
                 constraint_name: str | None = None) -> None:
        self.constraint_name = constraint_name
        if index_elements is not None:
            self.index_elements: tuple | None = tuple(
                _target_element(table, e) for e in index_elements)
            self.index_where = _coerce_where(index_where) if index_where is not None else None
        else:
            self.index_elements = self.index_where = None

    def _target_key(self, binds: list) -> Any:
        elements = None if self.index_elements is None else tuple(
            e if isinstance(e, str) else e._gen_key(binds) for e in self.index_elements)
        where = self.index_where._gen_key(binds) if self.index_where is not None else None
        return (self.constraint_name, elements, where)


class OnConflictDoNothing(OnConflictClause):
    __visit_name__ = "on_conflict_do_nothing"

    def _gen_key(self, binds: list) -> Any:
        return ("on_conflict_do_nothing", self._target_key(binds))


class OnConflictDoUpdate(OnConflictClause):
    __visit_name__ = "on_conflict_do_update"

    def __init__(self, table: Any, index_elements: Any = None, index_where: Any = None,
                 constraint_name: str | None = None, set_: Any = None,
                 where: Any = None) -> None:
        super().__init__(table, index_elements, index_where, constraint_name)
        if isinstance(set_, dict):
            if not set_:
                raise ValueError(
                    f"on_conflict_do_update() of table '{table.name}': the set_ parameter "
                    "dictionary must not be empty; name at least one column to update")
        elif isinstance(set_, ColumnCollection):
            set_ = dict(set_.items())
        else:
            raise ValueError(
                f"on_conflict_do_update() of table '{table.name}': the set_ parameter must "
                "be a non-empty dictionary or a ColumnCollection such as the `.c.` "
                f"collection of a Table object, got {set_!r}")
        #: (column, value) in the table's column order, as SQLAlchemy renders SET
        self.set_columns, self.set_unknown = _set_items(table, set_)
        self.where = _coerce_where(where) if where is not None else None

    def _gen_key(self, binds: list) -> Any:
        return ("on_conflict_do_update", self._target_key(binds),
                tuple((c, v._gen_key(binds)) for c, v in self.set_columns),
                tuple((k, v._gen_key(binds)) for k, v in self.set_unknown),
                self.where._gen_key(binds) if self.where is not None else None)


def _target_element(table: Any, element: Any) -> Any:
    """An ``index_elements`` item: a column name (str, rendered as given, as SQLAlchemy
    does) or a column expression (a Column, an ORM attribute, a function of columns)."""
    if isinstance(element, str):
        return element
    return _coerce_column(element)


def _set_items(table: Any, set_: dict) -> tuple[list, list]:
    """``set_`` as (column, value element) pairs in the table's column order, plus the
    keys that name no column (kept to be rendered as given, after a warning)."""
    by_column: dict = {}
    unknown: list = []
    for key, value in set_.items():
        column = _set_column(table, key)
        if column is None:
            unknown.append((key if isinstance(key, str) else _coerce_column(key),
                            _set_value(value, None)))
        else:
            by_column[column] = _set_value(value, column.type)
    return [(c, by_column[c]) for c in table.columns if c in by_column], unknown


def _set_column(table: Any, key: Any) -> Any:
    if isinstance(key, str):
        return table.columns.get(key)
    element = key.__clause_element__() if hasattr(key, "__clause_element__") else key
    return element if getattr(element, "table", None) is table else None


def _set_value(value: Any, type_: Any) -> Any:
    """A plain value becomes a bound parameter of the column's type (None as well: a
    NULL parameter, as SQLAlchemy sends it); expressions pass through."""
    if isinstance(value, ClauseElement):
        return value
    clause = getattr(value, "__clause_element__", None)
    if clause is not None:
        return clause()
    return BindParameter("param", value, type_, unique=True)


class OnConflictInsert(Insert):
    """An Insert that may carry one ON CONFLICT clause; the dialects' ``insert()``."""

    @property
    def excluded(self) -> ColumnCollection:
        """The row proposed for insertion, for ``set_`` and ``where``:
        ``stmt.excluded.name`` renders ``excluded.name``."""
        return excluded_columns(self.table)

    def _with_on_conflict(self, clause: OnConflictClause) -> Any:
        if self._post_values_clause is not None:
            raise exc.InvalidRequestError(
                "This Insert construct already has an ON CONFLICT clause established; "
                "build a new insert() for another one")
        clone = self._generate()
        clone._post_values_clause = clause
        return clone


class OnConflictCompiler:
    """Compiler methods for ON CONFLICT, mixed into SQLCompiler (``str(stmt)`` included);
    dialects override ``on_conflict_target`` / ``on_conflict_index_where``."""

    def on_conflict_target(self, clause: OnConflictClause) -> str:
        if clause.constraint_name is not None:
            return "ON CONSTRAINT " + self.quote(clause.constraint_name)
        if clause.index_elements is None:
            return ""
        text = "(" + ", ".join(
            self.quote(e) if isinstance(e, str) else self.process(e, include_table=False)
            for e in clause.index_elements) + ")"
        if clause.index_where is not None:
            text += " WHERE " + self.on_conflict_index_where(clause.index_where)
        return text

    def on_conflict_index_where(self, where: Any) -> str:
        """A partial index's predicate; here with bound parameters like any other."""
        return self.process(where, include_table=False)

    def visit_on_conflict_do_nothing(self, clause: OnConflictDoNothing, **kw: Any) -> str:
        target = self.on_conflict_target(clause)
        return "ON CONFLICT " + (target + " " if target else "") + "DO NOTHING"

    def visit_on_conflict_do_update(self, clause: OnConflictDoUpdate, **kw: Any) -> str:
        target = self.on_conflict_target(clause)
        parts = [self.quote(column.name) + " = " + self.process(value.self_group())
                 for column, value in clause.set_columns]
        if clause.set_unknown:
            table = self.compiled.table
            warnings.warn(
                "Additional column names not matching any column keys in table "
                f"'{table.name}': " + ", ".join(
                    f"'{k if isinstance(k, str) else getattr(k, 'name', k)}'"
                    for k, _v in clause.set_unknown), exc.SAWarning, stacklevel=2)
            for key, value in clause.set_unknown:
                name = self.quote(key) if isinstance(key, str) else \
                    self.process(key, include_table=False)
                parts.append(name + " = " + self.process(value.self_group()))
        text = "ON CONFLICT " + (target + " " if target else "") + "DO UPDATE SET " + \
            ", ".join(parts)
        if clause.where is not None:
            text += " WHERE " + self.process(clause.where)
        return text


__all__ = ["OnConflictClause", "OnConflictCompiler", "OnConflictDoNothing",
           "OnConflictDoUpdate", "OnConflictInsert", "excluded_columns"]
