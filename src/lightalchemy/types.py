"""Public path for column types (``from lightalchemy.types import ...``)."""

from .sql.types import *  # noqa: F403
from .sql.types import (  # noqa: F401
    BIGINT, BINARY, BLOB, BOOLEAN, CHAR, CLOB, DATE, DATETIME, DECIMAL, DOUBLE,
    DOUBLE_PRECISION, FLOAT, INTEGER, JSON, NUMERIC, NVARCHAR, REAL, SMALLINT, TEXT, TIME,
    TIMESTAMP, UUID, VARBINARY, VARCHAR, BigInteger, Boolean, Date, DateTime, Double, Enum,
    Float, Integer, Interval, LargeBinary, NullType, Numeric, PickleType, SmallInteger,
    String, Text, Time, TypeDecorator, TypeEngine, Unicode, UnicodeText, Uuid,
)
