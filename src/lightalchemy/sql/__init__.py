"""The SQL expression language: schema, expressions, statements, compiler."""

from .dml import Delete, Insert, Update, delete, insert, update
from .elements import (
    BindParameter,
    ClauseElement,
    ColumnElement,
    Label,
    TextClause,
    and_,
    asc,
    between,
    bindparam,
    case,
    cast,
    column,
    desc,
    distinct,
    extract,
    false,
    literal,
    literal_column,
    not_,
    null,
    nulls_first,
    nulls_last,
    or_,
    text,
    true,
    tuple_,
    type_coerce,
)
from .functions import (
    FunctionFilter,
    Over,
    WithinGroup,
    func,
    funcfilter,
    over,
    within_group,
)
from .selectable import (
    Alias,
    CompoundSelect,
    Exists,
    Join,
    Select,
    Subquery,
    except_,
    exists,
    intersect,
    select,
    table,
    union,
    union_all,
)

nullsfirst = nulls_first
nullslast = nulls_last

__all__ = [
    "Alias", "BindParameter", "ClauseElement", "ColumnElement", "CompoundSelect", "Delete",
    "Exists", "Insert", "Join", "Label", "Select", "Subquery", "TextClause", "Update", "and_",
    "asc", "between", "bindparam", "case", "cast", "column", "delete", "desc", "distinct", "except_",
    "exists", "extract", "false", "func", "funcfilter", "FunctionFilter", "insert", "Over",
    "over", "WithinGroup", "within_group", "intersect", "literal", "literal_column", "not_",
    "null", "nulls_first", "nulls_last", "nullsfirst", "nullslast", "or_", "select", "table",
    "text", "true", "tuple_", "type_coerce", "union", "union_all", "update",
]
