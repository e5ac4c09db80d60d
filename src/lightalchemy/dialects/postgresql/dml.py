"""``lightalchemy.dialects.postgresql.insert``: INSERT with PostgreSQL's ON CONFLICT.

Beyond SQLite's index columns, PostgreSQL takes ``ON CONSTRAINT name``; a
``constraint=`` argument may also be a Constraint or Index object, read here
into a name or into index columns (+ ``postgresql_where``).  The clause and its
rendering are shared with SQLite (``sql/on_conflict.py``).
"""

from __future__ import annotations

from typing import Any

from ...sql.on_conflict import OnConflictDoNothing, OnConflictDoUpdate, OnConflictInsert
from ...sql.schema import Constraint, Index


class Insert(OnConflictInsert):
    """PostgreSQL's INSERT: ``.on_conflict_do_nothing()`` and ``.on_conflict_do_update()``."""

    def on_conflict_do_update(self, constraint: Any = None, index_elements: Any = None,
                              index_where: Any = None, set_: Any = None,
                              where: Any = None) -> Insert:
        """``ON CONFLICT (index_elements) [WHERE index_where] | ON CONSTRAINT name DO
        UPDATE SET … [WHERE where]``; a target is required, ``set_`` may name
        ``self.excluded.<col>``."""
        name, index_elements, index_where = _target(constraint, index_elements, index_where)
        if name is None and index_elements is None:
            raise ValueError(
                f"on_conflict_do_update() of table '{self.table.name}': either constraint "
                "or index_elements, but not both, must be specified unless DO NOTHING; "
                "pass e.g. index_elements=['id']")
        return self._with_on_conflict(OnConflictDoUpdate(
            self.table, index_elements, index_where, name, set_=set_, where=where))

    def on_conflict_do_nothing(self, constraint: Any = None, index_elements: Any = None,
                               index_where: Any = None) -> Insert:
        """``ON CONFLICT [target] DO NOTHING``; without a target, any conflict."""
        name, index_elements, index_where = _target(constraint, index_elements, index_where)
        return self._with_on_conflict(OnConflictDoNothing(
            self.table, index_elements, index_where, name))


def _target(constraint: Any, index_elements: Any, index_where: Any) -> tuple:
    """(constraint name, index elements, index where) from the three arguments: a named
    Constraint is its name; an Index, or a Constraint without a name, its columns and
    ``postgresql_where`` (as SQLAlchemy reads them)."""
    if constraint is None:
        return None, index_elements, index_where
    if isinstance(constraint, Constraint) and constraint.name:
        constraint = constraint.name
    if index_elements is not None:
        raise ValueError(
            "'constraint' and 'index_elements' are mutually exclusive in ON CONFLICT; pass "
            "one of them")
    if isinstance(constraint, str):
        return constraint, None, None
    if isinstance(constraint, Index):
        return None, list(constraint.expressions), constraint.kwargs.get("postgresql_where")
    if isinstance(constraint, Constraint):
        return None, list(constraint.columns), getattr(constraint, "kwargs", {}).get(
            "postgresql_where")
    raise ValueError(
        f"ON CONFLICT constraint must be a name, a Constraint or an Index, got {constraint!r}")


def insert(table: Any) -> Insert:
    """An INSERT into ``table`` (a Table or a mapped class) that can take ON CONFLICT."""
    return Insert(table)


__all__ = ["Insert", "insert"]
