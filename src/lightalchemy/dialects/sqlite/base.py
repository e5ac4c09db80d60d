"""SQLite's SQL: what differs from the generic compiler, as data and small overrides."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from ... import exc
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


# declared type names SQLite programs (and SQLAlchemy's DDL) use → our types
_REFLECTED = {
    "BIGINT": sqltypes.BIGINT, "BLOB": sqltypes.BLOB, "BOOL": sqltypes.BOOLEAN,
    "BOOLEAN": sqltypes.BOOLEAN, "CHAR": sqltypes.CHAR, "DATE": sqltypes.DATE,
    "DATE_CHAR": sqltypes.DATE, "DATETIME": sqltypes.DATETIME,
    "DATETIME_CHAR": sqltypes.DATETIME, "DOUBLE": sqltypes.DOUBLE,
    "DECIMAL": sqltypes.DECIMAL, "FLOAT": sqltypes.FLOAT, "INT": sqltypes.INTEGER,
    "INTEGER": sqltypes.INTEGER, "JSON": sqltypes.JSON, "NUMERIC": sqltypes.NUMERIC,
    "REAL": sqltypes.REAL, "SMALLINT": sqltypes.SMALLINT, "TEXT": sqltypes.TEXT,
    "TIME": sqltypes.TIME, "TIME_CHAR": sqltypes.TIME, "TIMESTAMP": sqltypes.TIMESTAMP,
    "VARCHAR": sqltypes.VARCHAR, "NVARCHAR": sqltypes.NVARCHAR, "NCHAR": sqltypes.CHAR,
}
_DECLARED = re.compile(r"([\w ]+)(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?")


_NAMED_UNIQUE = re.compile(
    r'CONSTRAINT\s+("(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|\w+)\s+UNIQUE\s*\(([^)]*)\)',
    re.IGNORECASE)


def _unquoted(name: str) -> str:
    name = name.strip()
    if name[:1] == '"' and name[-1:] == '"':
        return name[1:-1].replace('""', '"')
    if name[:1] in "`[" and name[-1:] in "`]":
        return name[1:-1]
    return name


def _named_unique_constraints(table_sql: str) -> dict:
    """(lower-cased column names) → constraint name, from a CREATE TABLE's text."""
    return {tuple(_unquoted(c).lower() for c in columns.split(",")): _unquoted(name)
            for name, columns in _NAMED_UNIQUE.findall(table_sql)}


def _reflected_type(declared: str) -> sqltypes.TypeEngine:
    """A declared column type → our type: a known name (with its length or precision),
    else by SQLite's own affinity rules on the text, as SQLAlchemy reflects them."""
    match = _DECLARED.fullmatch((declared or "").strip())
    if match is not None:
        known = _REFLECTED.get(match.group(1).strip().upper())
        if known is not None:
            args = [int(a) for a in match.group(2, 3) if a is not None]
            try:
                return known(*args)
            except TypeError:
                return known()
    upper = (declared or "").upper()
    if "INT" in upper:
        return sqltypes.INTEGER()
    if "CHAR" in upper or "CLOB" in upper or "TEXT" in upper:
        return sqltypes.TEXT()
    if "BLOB" in upper or not upper:
        return sqltypes.NullType()
    if "REAL" in upper or "FLOA" in upper or "DOUB" in upper:
        return sqltypes.REAL()
    return sqltypes.NUMERIC()


#: extract() field → strftime() format
_STRFTIME_PARTS = {"year": "%Y", "month": "%m", "day": "%d", "hour": "%H", "minute": "%M",
                   "second": "%S", "dow": "%w", "doy": "%j", "epoch": "%s", "week": "%W"}


class SQLiteCompiler(SQLCompiler):
    function_rewrites = {"now": "CURRENT_TIMESTAMP", "char_length": "length"}
    tuple_in_values = True

    def limit_clause(self, select: Any) -> str:
        text = ""
        if select._limit is not None:
            text += "\n LIMIT " + self.process(select._limit)
        if select._offset is not None:
            if select._limit is None:
                text += "\n LIMIT -1"
            text += " OFFSET " + self.process(select._offset)
        return text

    def for_update_clause(self, select: Any) -> str:
        return ""

    def visit_regexp_match(self, binary: Any, negate: bool, **kw: Any) -> str:
        # the REGEXP function the connection installs (pysqlite); flags are not
        # applied, as SQLAlchemy's SQLite dialect does not apply them either
        sql = " NOT REGEXP " if negate else " REGEXP "
        return self.process(binary.left, **kw) + sql + self.process(binary.right, **kw)

    def visit_regexp_replace(self, binary: Any, **kw: Any) -> str:
        raise exc.CompileError("sqlite dialect does not support regular expression "
                               "replacements")

    def visit_extract(self, extract: Any, **kw: Any) -> str:
        # SQLite has no EXTRACT: strftime() gives each part as text
        code = _STRFTIME_PARTS.get(extract.field)
        if code is None:
            raise exc.CompileError(
                f"extract({extract.field!r}, ...) has no SQLite equivalent; SQLite can "
                f"extract {', '.join(sorted(_STRFTIME_PARTS))}"
            )
        return f"CAST(STRFTIME('{code}', {self.process(extract.expr, **kw)}) AS INTEGER)"

    visit_json_index = _json.visit_json_index

    def is_distinct_sql(self, op: Any) -> str:
        return " IS NOT " if op.name == "is_distinct_from" else " IS "

    # -- ON CONFLICT (sql/on_conflict.py renders the rest) -------------------------------
    def on_conflict_target(self, clause: Any) -> str:
        if _VERSION < (3, 24):
            raise exc.CompileError(
                f"INSERT … ON CONFLICT needs SQLite 3.24 or later; this Python's sqlite3 "
                f"module has SQLite {sqlite3.sqlite_version}: upgrade SQLite, or insert and "
                "handle IntegrityError instead")
        if clause.constraint_name is not None:
            raise exc.CompileError(
                f"SQLite's ON CONFLICT takes no constraint name ({clause.constraint_name!r}); "
                "name the index columns with index_elements=[...] instead")
        return super().on_conflict_target(clause)

    def on_conflict_index_where(self, where: Any) -> str:
        """Values inline: SQLite matches a partial index by comparing its WHERE with
        this one as written, which a parameter never equals (SQLAlchemy renders them
        inline here too)."""
        saved = self.literal_binds
        self.literal_binds = True
        try:
            return self.process(where, include_table=False)
        finally:
            self.literal_binds = saved


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
        master = f"{self.identifier_preparer.quote(schema)}.sqlite_master" if schema \
            else "sqlite_master"
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
            # as SQLAlchemy reports it: an INTEGER PRIMARY KEY declared without NOT NULL
            # says nullable (SQLite itself never stores NULL there)
            columns.append({"name": name, "type": _reflected_type(declared),
                            "nullable": not notnull, "default": default,
                            "primary_key": pk})
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
            options = {}
            for key, action in (("onupdate", row[5]), ("ondelete", row[6])):
                if action and action.upper() != "NO ACTION":
                    options[key] = action.upper()
            entry = groups.setdefault(fk_id, {
                "name": None, "constrained_columns": [], "referred_schema": schema,
                "referred_table": target, "referred_columns": [], "options": options})
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

    def get_unique_constraints(self, connection: Any, table_name: str,
                               schema: str | None = None) -> list:
        # SQLite keeps a UNIQUE constraint as an automatic index (origin 'u'); its name,
        # if it has one, is only in the CREATE TABLE text
        named = _named_unique_constraints(self._table_sql(connection, table_name, schema))
        found = []
        for row in self._pragma(connection, "index_list", table_name, schema):
            if len(row) < 4 or row[3] != "u":
                continue
            columns = [r[2] for r in self._pragma(connection, "index_info", row[1], schema)]
            found.append({"name": named.get(tuple(c.lower() for c in columns)),
                          "column_names": columns})
        return list(reversed(found))  # PRAGMA lists the last one created first

    def _table_sql(self, connection: Any, table_name: str, schema: str | None) -> str:
        master = f"{self.identifier_preparer.quote(schema)}.sqlite_master" if schema \
            else "sqlite_master"
        row = connection.exec_driver_sql(
            f"SELECT sql FROM {master} WHERE type = 'table' AND name = ?",
            (table_name,)).first()
        return row[0] if row and row[0] else ""

    def set_isolation_level(self, dbapi_conn: Any, level: str) -> None:
        normal = self._check_isolation_level(level)
        value = 1 if normal == "READ UNCOMMITTED" else 0
        dbapi_conn.execute(f"PRAGMA read_uncommitted = {value}")
