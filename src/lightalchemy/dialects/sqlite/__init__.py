"""SQLite through the standard library's ``sqlite3`` module."""

from .base import SQLiteDialect
from .dml import Insert, insert
from .pysqlite import SQLiteDialect_pysqlite, dialect_for_driver

dialect = SQLiteDialect_pysqlite

__all__ = ["Insert", "SQLiteDialect", "SQLiteDialect_pysqlite", "dialect",
           "dialect_for_driver", "insert"]
