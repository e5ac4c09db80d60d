"""lightalchemy: SQLAlchemy 2.x ORM code, unchanged, several times faster.

This module holds the Core names (engine, schema, expressions); the ORM lives
in ``lightalchemy.orm`` and is never imported from here.
"""

from . import exc  # noqa: F401
from .engine import (
    URL,
    Connection,
    Engine,
    Result,
    Row,
    create_engine,
    engine_from_config,
    make_url,
)
from .inspection import inspect
from .sql import (
    Alias,
    Delete,
    Insert,
    Select,
    Update,
    and_,
    asc,
    between,
    bindparam,
    case,
    cast,
    column,
    delete,
    desc,
    distinct,
    except_,
    exists,
    extract,
    false,
    func,
    funcfilter,
    insert,
    intersect,
    literal,
    literal_column,
    not_,
    null,
    nulls_first,
    nulls_last,
    nullsfirst,
    nullslast,
    or_,
    over,
    select,
    table,
    text,
    true,
    tuple_,
    type_coerce,
    union,
    union_all,
    update,
    within_group,
)
from .sql.functions import coalesce  # noqa: F401
from .sql.schema import (
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Sequence,
    Table,
    UniqueConstraint,
)
from .sql.types import (
    BIGINT,
    BLOB,
    BOOLEAN,
    CHAR,
    DATE,
    DATETIME,
    DECIMAL,
    FLOAT,
    INTEGER,
    JSON,
    NUMERIC,
    REAL,
    SMALLINT,
    TEXT,
    TIME,
    TIMESTAMP,
    UUID,
    VARCHAR,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    Enum,
    Float,
    Integer,
    Interval,
    LargeBinary,
    Numeric,
    PickleType,
    SmallInteger,
    String,
    Text,
    Time,
    TypeDecorator,
    Unicode,
    UnicodeText,
    Uuid,
)

__version__ = "0.1.0"

__all__ = [
    "BIGINT", "BLOB", "BOOLEAN", "CHAR", "DATE", "DATETIME", "DECIMAL", "FLOAT", "INTEGER",
    "JSON", "NUMERIC", "REAL", "SMALLINT", "TEXT", "TIME", "TIMESTAMP", "URL", "UUID",
    "VARCHAR", "Alias", "BigInteger", "Boolean", "CheckConstraint", "Column", "Connection",
    "Date", "DateTime", "Delete", "Double", "Engine", "Enum", "Float", "ForeignKey",
    "ForeignKeyConstraint", "Identity", "Index", "Insert", "Integer", "Interval",
    "LargeBinary", "MetaData", "Numeric", "PickleType", "PrimaryKeyConstraint", "Result", "Row",
    "Select", "Sequence", "SmallInteger", "String", "Table", "Text", "Time", "TypeDecorator",
    "Unicode", "UnicodeText", "UniqueConstraint", "Update", "Uuid", "and_", "asc", "between", "bindparam",
    "case", "cast", "coalesce", "column", "create_engine", "delete", "desc", "distinct",
    "engine_from_config", "except_", "exists", "extract", "false", "func", "funcfilter",
    "insert", "inspect",
    "intersect", "literal", "literal_column", "make_url", "not_", "null", "nulls_first",
    "nulls_last", "nullsfirst", "nullslast", "or_", "over", "select", "table", "text", "true",
    "tuple_", "type_coerce", "union", "union_all", "update", "within_group",
]


#: SQLAlchemy's other top-level names that lightalchemy has: name → (module, attribute),
#: imported on first use so that ``import lightalchemy`` stays quick
_LAZY = {
    **{name: (".sql.types", name) for name in (
        "BINARY", "CLOB", "DOUBLE", "DOUBLE_PRECISION", "NVARCHAR", "VARBINARY")},
    "INT": (".sql.types", "INTEGER"),
    **{name: (".sql.schema", name) for name in (
        "Computed", "Constraint", "ColumnDefault", "DefaultClause", "FetchedValue")},
    **{name: (".sql.elements", name) for name in (
        "BinaryExpression", "BindParameter", "Case", "Cast", "ClauseElement", "ColumnClause",
        "ColumnElement", "Extract", "False_", "Grouping", "Label", "Null", "TextClause",
        "True_", "Tuple", "UnaryExpression")},
    **{name: (".sql.selectable", name) for name in (
        "CTE", "ColumnCollection", "CompoundSelect", "Exists", "FromClause", "Join",
        "ScalarSelect", "Subquery", "TableClause")},
    **{name: (".sql.selectable", name) for name in ("alias", "join", "outerjoin")},
    **{name: (".sql.elements", name) for name in ("label", "collate")},
    "Function": (".sql.functions", "Function"),
    "UpdateBase": (".sql.dml", "UpdateBase"),
    "Compiled": (".sql.compiler", "Compiled"),
    **{name: (".engine.base", name) for name in (
        "NestedTransaction", "RootTransaction", "Transaction")},
    **{name: (".engine.result", name) for name in (
        "MappingResult", "RowMapping", "ScalarResult")},
    "Inspector": (".engine.reflection", "Inspector"),
    **{name: (".engine.pool", name) for name in (
        "NullPool", "Pool", "QueuePool", "SingletonThreadPool", "StaticPool")},
}


def __getattr__(name: str) -> object:
    """``lightalchemy.event`` (as ``sqlalchemy.event``) and the names of ``_LAZY``,
    imported on first use."""
    import importlib

    if name == "event":
        return importlib.import_module(".event", __name__)
    found = _LAZY.get(name)
    if found is not None:
        value = getattr(importlib.import_module(found[0], __name__), found[1])
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lightalchemy' has no attribute {name!r}")
