"""``inspect(engine)``: what tables and columns the database has.

The Inspector asks the dialect, which knows its catalog (``sqlite_master`` and
PRAGMAs, ``information_schema``); each answer is SQLAlchemy's shape of dict.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from .. import exc


class Inspector:
    def __init__(self, bind: Any) -> None:
        self.bind = bind
        self.dialect = bind.dialect

    @contextmanager
    def _connection(self):
        if getattr(self.bind, "_is_engine", False):
            with self.bind.connect() as conn:
                yield conn
        else:
            yield self.bind

    def _ask(self, method: str, *args: Any, **kw: Any) -> Any:
        with self._connection() as conn:
            return getattr(self.dialect, method)(conn, *args, **kw)

    def get_table_names(self, schema: str | None = None) -> list[str]:
        return self._ask("get_table_names", schema=schema)

    def has_table(self, table_name: str, schema: str | None = None) -> bool:
        return self._ask("has_table", table_name, schema=schema)

    def _existing(self, table_name: str, schema: str | None) -> None:
        if not self.has_table(table_name, schema):
            raise exc.NoSuchTableError(
                f"Table {table_name!r} does not exist; inspector.get_table_names() lists the "
                "tables there are."
            )

    def get_columns(self, table_name: str, schema: str | None = None) -> list[dict]:
        self._existing(table_name, schema)
        return self._ask("get_columns", table_name, schema=schema)

    def get_pk_constraint(self, table_name: str, schema: str | None = None) -> dict:
        self._existing(table_name, schema)
        return self._ask("get_pk_constraint", table_name, schema=schema)

    def get_foreign_keys(self, table_name: str, schema: str | None = None) -> list[dict]:
        self._existing(table_name, schema)
        return self._ask("get_foreign_keys", table_name, schema=schema)

    def get_indexes(self, table_name: str, schema: str | None = None) -> list[dict]:
        self._existing(table_name, schema)
        return self._ask("get_indexes", table_name, schema=schema)

    def get_unique_constraints(self, table_name: str, schema: str | None = None) -> list[dict]:
        self._existing(table_name, schema)
        return self._ask("get_unique_constraints", table_name, schema=schema)
