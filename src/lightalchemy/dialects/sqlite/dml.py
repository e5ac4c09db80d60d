"""``lightalchemy.dialects.sqlite.insert``: INSERT with SQLite's ON CONFLICT (upsert).

SQLite takes a conflict target of index columns (and a partial index's WHERE),
never a constraint name; ON CONFLICT needs SQLite 3.24 or later.  The clause
and its rendering are shared with PostgreSQL (``sql/on_conflict.py``).
"""

from __future__ import annotations

from typing import Any

from ...sql.on_conflict import OnConflictDoNothing, OnConflictDoUpdate, OnConflictInsert


class Insert(OnConflictInsert):
    """SQLite's INSERT: ``.on_conflict_do_nothing()`` and ``.on_conflict_do_update()``."""

    def on_conflict_do_update(self, index_elements: Any = None, index_where: Any = None,
                              set_: Any = None, where: Any = None) -> Insert:
        """``ON CONFLICT [(index_elements) [WHERE index_where]] DO UPDATE SET … [WHERE
        where]``; ``set_`` maps column keys or columns to values or expressions, which
        may name ``self.excluded.<col>``."""
        return self._with_on_conflict(OnConflictDoUpdate(
            self.table, index_elements, index_where, set_=set_, where=where))

    def on_conflict_do_nothing(self, index_elements: Any = None,
                               index_where: Any = None) -> Insert:
        """``ON CONFLICT [(index_elements) [WHERE index_where]] DO NOTHING``."""
        return self._with_on_conflict(OnConflictDoNothing(
            self.table, index_elements, index_where))


def insert(table: Any) -> Insert:
    """An INSERT into ``table`` (a Table or a mapped class) that can take ON CONFLICT."""
    return Insert(table)


__all__ = ["Insert", "insert"]
