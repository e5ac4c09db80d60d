"""CREATE / DROP statements and ``create_all`` / ``drop_all``."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from .elements import ClauseElement


class _DDLElement(ClauseElement):
    _is_ddl = True
    _is_executable = True

    def __init__(self, element: Any, if_not_exists: bool = False, if_exists: bool = False) -> None:
        self.element = element
        self.if_not_exists = if_not_exists
        self.if_exists = if_exists

    def _gen_key(self, binds: list) -> Any:
        return (self.__visit_name__, id(self))


class CreateTable(_DDLElement):
    __visit_name__ = "create_table"


class DropTable(_DDLElement):
    __visit_name__ = "drop_table"


class CreateIndex(_DDLElement):
    __visit_name__ = "create_index"


class DropIndex(_DDLElement):
    __visit_name__ = "drop_index"


@contextmanager
def _ddl_connection(bind: Any):
    """Engines get their own transaction; a Connection is used as it stands."""
    if getattr(bind, "_is_engine", False):
        with bind.begin() as conn:
            yield conn
    else:
        yield bind


def run_create_all(metadata: Any, bind: Any, tables: list | None, checkfirst: bool) -> None:
    from .schema import _sort_tables

    chosen = _sort_tables(list(tables)) if tables is not None else metadata.sorted_tables
    with _ddl_connection(bind) as conn:
        dialect = conn.dialect
        dialect.before_create(conn, chosen)  # types the tables use (PostgreSQL's ENUM)
        for table in chosen:
            if checkfirst and dialect.has_table(conn, table.name, schema=table.schema):
                continue
            conn.execute(CreateTable(table))
            for index in sorted(table.indexes, key=lambda i: i.name or ""):
                conn.execute(CreateIndex(index))


def run_drop_all(metadata: Any, bind: Any, tables: list | None, checkfirst: bool) -> None:
    from .schema import _sort_tables

    chosen = _sort_tables(list(tables)) if tables is not None else metadata.sorted_tables
    with _ddl_connection(bind) as conn:
        dialect = conn.dialect
        for table in reversed(chosen):
            if checkfirst and not dialect.has_table(conn, table.name, schema=table.schema):
                continue
            conn.execute(DropTable(table))
        dialect.after_drop(conn, chosen)  # types no table uses any more
