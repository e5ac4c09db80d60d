"""SQLite's SQL: what differs from the generic compiler, as data and small overrides."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from ...engine.interfaces import Features
from ...sql import types as sqltypes
from ...sql.compiler import DDLCompiler, SQLCompiler, TypeCompiler
from ..default import DefaultDialect
from . import json as _json

_VERSION = sqlite3.sqlite_version_info

SQLITE_FEATURES = Features(
    paramstyle="qmark",
    insert_returning=_VERSION >= (3, 35),
    native_decimal=False,
    native_boolean=False,
    native_datetime=False,
    native_json=False,
    native_uuid=False,
    native_interval=False,
    decimal_digits=15,
    max_bind_params=32766 if _VERSION >= (3, 32) else 999,
    max_insert_rows=500,
    supports_savepoints=True,
    supports_multivalues_insert=True,
    lastrowid=True,
    returning_preserves_order=False,
    insert_keys_ascending=True,
)


_REFLECTED = (
    ("BIGINT", sqltypes.BigInteger), ("SMALLINT", sqltypes.SmallInteger),
    ("INT", sqltypes.Integer), ("BOOL", sqltypes.Boolean), ("DATETIME", sqltypes.DateTime),
    ("TIMESTAMP", sqltypes.DateTime), ("DATE", sqltypes.Date), ("TIME", sqltypes.Time),
    ("CHAR", sqltypes.String), ("CLOB", sqltypes.Text), ("TEXT", sqltypes.Text),
    ("BLOB", sqltypes.LargeBinary), ("JSON", sqltypes.JSON), ("REAL", sqltypes.Float),
    ("FLOA", sqltypes.Float), ("DOUB", sqltypes.Float), ("NUMERIC", sqltypes.Numeric),
    ("DECIMAL", sqltypes.Numeric),
)


def _reflected_type(declared: str) -> sqltypes.TypeEngine:
    """A declared column type → our type, by the same substring rules as SQLite's affinity."""
    upper = (declared or "").upper()
    args = [int(a) for a in re.findall(r"\d+", upper)]
    for marker, type_ in _REFLECTED:
        if marker in upper:
            if type_ is sqltypes.String:
                return sqltypes.String(*args[:1])
            if type_ is sqltypes.Numeric:
                return sqltypes.Numeric(*args[:2])
            return type_()
    return sqltypes.NullType()


class SQLiteCompiler(SQLCompiler):
    function_rewrites = {"now": "CURRENT_TIMESTAMP", "char_length": "length"}
    tuple_in_values = True

    def limit_clause(self, select: Any) -> str:
        text = ""
        if select._limit is not None:
            text += " \nLIMIT " + self.process(select._limit)
        if select._offset is not None:
            if select._limit is None:
                text += " \nLIMIT -1"
            text += " OFFSET " + self.process(select._offset)
        return text

    def for_update_clause(self, select: Any) -> str:
        return ""

    visit_json_index = _json.visit_json_index

    def is_distinct_sql(self, op: Any) -> str:
        return " IS NOT " if op.name == "is_distinct_from" else " IS "


class SQLiteDDLCompiler(DDLCompiler, SQLiteCompiler):
    def column_spec(self, column: Any) -> str:
        table = column.table
        if table is not None and table.kwargs.get("sqlite_autoincrement") and \
                table.autoincrement_column is column:
            return self.quote(column.name) + " INTEGER PRIMARY KEY AUTOINCREMENT"
        return super().column_spec(column)

    def constraint_specs(self, table: Any) -> list[str]:
        specs = super().constraint_specs(table)
        if table.kwargs.get("sqlite_autoincrement") and table.autoincrement_column is not None:
            specs = [s for s in specs if not s.startswith("PRIMARY KEY")]
        return specs

    def column_type(self, column: Any) -> str:
        # Only INTEGER PRIMARY KEY is an alias of the rowid and so generates keys; a
        # BigInteger key would otherwise never be filled in.
        table = column.table
        if table is not None and table.autoincrement_column is column:
            return "INTEGER"
        return super().column_type(column)


class SQLiteTypeCompiler(TypeCompiler):
    pass


class SQLiteDialect(DefaultDialect):
    name = "sqlite"
    features = SQLITE_FEATURES
    paramstyle = "qmark"
    statement_compiler = SQLiteCompiler
    ddl_compiler = SQLiteDDLCompiler
    type_compiler_cls = SQLiteTypeCompiler
    isolation_levels = ("SERIALIZABLE", "READ UNCOMMITTED")
    default_isolation_level = "SERIALIZABLE"

    @staticmethod
    def json_index_processor(is_path: bool) -> Any:
        return _json.json_index_processor(is_path)

    def has_table(self, connection: Any, table_name: str, schema: str | None = None) -> bool:
        master = f'"{schema}".sqlite_master' if schema else "sqlite_master"
        sql = f"SELECT name FROM {master} WHERE type IN ('table', 'view') AND name = ?"
        cursor = connection.exec_driver_sql(sql, (table_name,))
        found = cursor.first() is not None
        if not found and schema is None:
            found = connection.exec_driver_sql(
                "SELECT name FROM sqlite_temp_master WHERE type IN ('table', 'view') "
                "AND name = ?", (table_name,)).first() is not None
        return found

    def get_table_names(self, connection: Any, schema: str | None = None) -> list[str]:
        rows = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite~_%' "
            "ESCAPE '~' ORDER BY name").all()
        return [r[0] for r in rows]

    def _pragma(self, connection: Any, pragma: str, table_name: str,
                schema: str | None) -> list:
        prefix = f"{self.identifier_preparer.quote(schema)}." if schema else ""
        quoted = table_name.replace('"', '""')
        return connection.exec_driver_sql(f'PRAGMA {prefix}{pragma}("{quoted}")').all()

    def get_columns(self, connection: Any, table_name: str, schema: str | None = None) -> list:
        columns = []
        for _cid, name, declared, notnull, default, pk in self._pragma(
                connection, "table_info", table_name, schema):
            columns.append({"name": name, "type": _reflected_type(declared),
                            "nullable": not notnull and not pk, "default": default,
                            "autoincrement": "auto", "primary_key": pk})
        return columns

    def get_pk_constraint(self, connection: Any, table_name: str,
                          schema: str | None = None) -> dict:
        rows = self._pragma(connection, "table_info", table_name, schema)
        keyed = sorted((pk, name) for _cid, name, _t, _n, _d, pk in rows if pk)
        return {"constrained_columns": [name for _, name in keyed], "name": None}

    def get_foreign_keys(self, connection: Any, table_name: str,
                         schema: str | None = None) -> list:
        groups: dict = {}
        for row in self._pragma(connection, "foreign_key_list", table_name, schema):
            fk_id, _seq, target, local, remote = row[:5]
            entry = groups.setdefault(fk_id, {
                "name": None, "constrained_columns": [], "referred_schema": schema,
                "referred_table": target, "referred_columns": [], "options": {}})
            entry["constrained_columns"].append(local)
            entry["referred_columns"].append(remote)
        return list(groups.values())

    def get_indexes(self, connection: Any, table_name: str, schema: str | None = None) -> list:
        indexes = []
        for row in self._pragma(connection, "index_list", table_name, schema):
            name, unique = row[1], row[2]
            if name.startswith("sqlite_autoindex"):
                continue
            columns = [r[2] for r in self._pragma(connection, "index_info", name, schema)]
            indexes.append({"name": name, "column_names": columns, "unique": bool(unique)})
        return indexes

    def set_isolation_level(self, dbapi_conn: Any, level: str) -> None:
        normal = self._check_isolation_level(level)
        value = 1 if normal == "READ UNCOMMITTED" else 0
        dbapi_conn.execute(f"PRAGMA read_uncommitted = {value}")
