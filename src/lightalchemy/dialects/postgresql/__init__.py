"""PostgreSQL through psycopg 3 (``pip install 'lightalchemy[postgresql]'``)."""

from ...sql.types import (
    BIGINT,
    BOOLEAN,
    CHAR,
    DATE,
    FLOAT,
    INTEGER,
    NUMERIC,
    REAL,
    SMALLINT,
    TEXT,
    VARCHAR,
)
from .base import (
    BYTEA,
    DOUBLE_PRECISION,
    ENUM,
    INTERVAL,
    JSON,
    JSONB,
    TIME,
    TIMESTAMP,
    UUID,
    PGDialect,
)
from .dml import Insert, insert
from .psycopg import PGDialect_psycopg, dialect_for_driver

dialect = PGDialect_psycopg

__all__ = [
    "BIGINT", "BOOLEAN", "BYTEA", "CHAR", "DATE", "DOUBLE_PRECISION", "ENUM", "FLOAT", "INTEGER",
    "INTERVAL", "JSON", "JSONB", "NUMERIC", "REAL", "SMALLINT", "TEXT", "TIME", "TIMESTAMP",
    "UUID", "VARCHAR", "Insert", "PGDialect", "PGDialect_psycopg", "dialect",
    "dialect_for_driver", "insert",
]
