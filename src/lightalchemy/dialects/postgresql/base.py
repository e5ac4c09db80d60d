"""PostgreSQL's SQL, types and catalog: what differs from the generic compiler.

The driver (psycopg 3) lives in ``psycopg.py``; nothing here imports it, so
this module loads without the optional dependency installed.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from uuid import UUID as _PyUUID

from ... import exc
from ...engine.interfaces import Features
from ...sql import types as sqltypes
from ...sql.compiler import (
    _PERCENT_MARK,
    CONSTANT,
    EXPANDING,
    LITERAL,
    NAMED,
    RESERVED_WORDS,
    DDLCompiler,
    IdentifierPreparer,
    SQLCompiler,
    TypeCompiler,
)
from ...sql.schema import Identity
from ..default import DefaultDialect
from . import json as _json

PG_FEATURES = Features(
    paramstyle="format",
    insert_returning=True,
    native_decimal=True,
    native_boolean=True,
    native_datetime=True,
    native_json=True,
    native_uuid=True,
    native_interval=True,
    decimal_digits=1000,
    # the wire protocol counts parameters in 16 bits
    max_bind_params=65535,
    max_insert_rows=1000,
    supports_savepoints=True,
    supports_multivalues_insert=True,
    # no rowid: generated keys come back through INSERT … RETURNING
    lastrowid=False,
    returning_preserves_order=False,
    # sequence values of one multi-row INSERT are not promised to follow VALUES
    # order, so new objects get one INSERT … RETURNING each
    insert_keys_ascending=False,
    # named cursors: DECLARE … CURSOR, then FETCH FORWARD n per fetchmany(n)
    server_side_cursors=True,
    # psycopg's executemany(returning=True): pipelined, one result per row, in order
    executemany_returning=True,
)

# PostgreSQL's reserved key words not already in the shared list
PG_RESERVED_WORDS = RESERVED_WORDS | frozenset(
    "any collation current_schema overlaps similar tablesample system_user".split())


# -- PostgreSQL-specific types (importable as lightalchemy.dialects.postgresql.X) ------------

class JSON(sqltypes.JSON):
    __visit_name__ = "JSON"
    has_astext = True  # col["k"].astext: PostgreSQL's ->>


class JSONB(sqltypes.JSON):
    __visit_name__ = "JSONB"
    has_astext = True


class UUID(sqltypes.Uuid):
    __visit_name__ = "UUID"


class BYTEA(sqltypes.LargeBinary):
    __visit_name__ = "BYTEA"


class INTERVAL(sqltypes.Interval):
    __visit_name__ = "INTERVAL"

    def __init__(self, precision: int | None = None, fields: str | None = None) -> None:
        self.precision = precision
        self.fields = fields


class TIMESTAMP(sqltypes.TIMESTAMP):
    def __init__(self, timezone: bool = False, precision: int | None = None) -> None:
        super().__init__(timezone=timezone)
        self.precision = precision


class TIME(sqltypes.TIME):
    def __init__(self, timezone: bool = False, precision: int | None = None) -> None:
        super().__init__(timezone=timezone)
        self.precision = precision


class DOUBLE_PRECISION(sqltypes.DOUBLE_PRECISION):
    pass


class ENUM(sqltypes.Enum):
    """A named ``CREATE TYPE … AS ENUM``; ``create_type=False`` when it exists already."""

    def __init__(self, *enums: Any, create_type: bool = True, **kw: Any) -> None:
        super().__init__(*enums, **kw)
        self.create_type = create_type


# -- SQL ---------------------------------------------------------------------------------------

class PGCompiler(SQLCompiler):
    ilike_native = True
    visit_json_index = _json.visit_json_index


    def visit_regexp_match(self, binary: Any, negate: bool, **kw: Any) -> str:
        flags = self._regexp_flags(binary)
        left, pattern = self.process(binary.left, **kw), self.process(binary.right, **kw)
        operator = " !~" if negate else " ~"
        if flags is None:
            return f"{left}{operator} {pattern}"
        if flags == "i":
            return f"{left}{operator}* {pattern}"
        # other flags go inside the pattern as an embedded option: (?flags)pattern
        return f"{left}{operator} CONCAT('(?', '{flags}', ')', {pattern})"

    def visit_regexp_replace(self, binary: Any, **kw: Any) -> str:
        pattern, replacement = binary.right.clauses
        args = [self.process(binary.left, **kw), self.process(pattern, **kw),
                self.process(replacement, **kw)]
        flags = self._regexp_flags(binary)
        if flags is not None:
            args.append(f"'{flags}'")
        return f"REGEXP_REPLACE({', '.join(args)})"
    def __init__(self, dialect: Any, statement: Any, binds: list, *args: Any, **kw: Any) -> None:
        super().__init__(dialect, statement, binds, *args, **kw)
        compiled = self.compiled
        # an upsert never goes by unnest or COPY: neither can say ON CONFLICT
        if compiled.is_insert and not compiled.returning and \
                getattr(statement, "_post_values_clause", None) is None and \
                isinstance(getattr(dialect, "_bulk_inserts", None), dict):
            _register_bulk_insert(dialect, compiled)

    def empty_set_sql(self, type_: Any) -> str:
        # typed: PostgreSQL compares no integer with the text of a bare NULL
        try:
            name = self.dialect.type_compiler.process(type_)
        except exc.CompileError:  # NullType
            return "(SELECT NULL WHERE 1!=1)"
        return f"(SELECT CAST(NULL AS {name}) WHERE 1!=1)"

    def share_repeated_parameters(self, body: str) -> str:
        """A bind rendered more than once is one parameter: ``%s`` where it first appears
        and ``$n`` (the number psycopg gives that ``%s``) where it appears again.

        PostgreSQL sees two expressions as the same only when their parameters are the
        same, so ``select(month).group_by(month)`` with ``month = func.date_trunc("month",
        col)`` needs ``$1`` twice, as SQLAlchemy's named parameters give it.  psycopg
        passes ``$n`` through untouched.  Not done where an expanding IN list comes
        before the first appearance: its placeholders are only counted at execution.
        """
        positions = self.positions
        keys = [_sharing_key(kind, key) for kind, key, _processor in positions]
        shareable = [k for k in keys if k is not None]
        if len(set(shareable)) == len(shareable):
            return body
        if self.compiled.expanding:
            first_expanding = next(i for i, p in enumerate(positions) if p[0] == EXPANDING)
            repeated = {k for k in shareable if shareable.count(k) > 1}
            if any(keys.index(k) > first_expanding for k in repeated):
                return body
        pieces = body.split(_PERCENT_MARK)
        placeholders = [p for p in positions if p[0] != EXPANDING]  # marks of their own
        if len(pieces) != len(placeholders) + 1:
            return body
        numbers: dict = {}
        kept, kept_names, out = [], [], [pieces[0]]
        pieces_left = iter(pieces[1:])
        count = 0  # %s placeholders kept so far: psycopg numbers them $1, $2, …
        for key, position, name in zip(keys, positions, self.names):
            if position[0] == EXPANDING:
                kept.append(position)
                kept_names.append(name)
                continue
            piece = next(pieces_left)
            number = numbers.get(key) if key is not None else None
            if number is not None:
                out.append(f"${number}" + piece[1:])  # piece starts with the "s" of "%s"
                continue
            kept.append(position)
            kept_names.append(name)
            count += 1
            if key is not None:
                numbers[key] = count
            out.append(_PERCENT_MARK + piece)
        positions[:] = kept
        self.names[:] = kept_names
        return "".join(out)

    def distinct_sql(self, select: Any, **kw: Any) -> str:
        if select._distinct_on:
            return "DISTINCT ON (" + ", ".join(self.process(c) for c in select._distinct_on) \
                + ") "
        return "DISTINCT "

    def for_update_clause(self, select: Any) -> str:
        nowait, read, skip_locked = select._for_update
        text = " FOR SHARE" if read else " FOR UPDATE"
        if nowait:
            text += " NOWAIT"
        if skip_locked:
            text += " SKIP LOCKED"
        return text


# -- many rows in one INSERT: arrays and unnest ------------------------------------------------

class BulkInsert:
    """One single-row ``INSERT … VALUES (%s, …)`` shape rewritten for many rows at once.

    ``INSERT INTO t (a, b) SELECT * FROM unnest(%s::text[], %s::integer[]) WITH
    ORDINALITY … ORDER BY n RETURNING id``: each column's values travel as one array
    parameter, so one statement carries any number of rows.  The key column's
    sequence hands out values as the ordered SELECT produces rows, so the generated
    keys ascend in parameter order (what PostgreSQL promises for INSERT … SELECT …
    ORDER BY; the order of RETURNING rows themselves is not promised, so they are
    sorted, and checked to be distinct and ascending).
    """

    __slots__ = ("prefix", "casts", "key", "usable", "copy")

    def __init__(self, prefix: str, casts: list, key: str, copy: CopyInsert | None = None) -> None:
        self.prefix = prefix  # INSERT INTO t (a, b)
        self.casts = casts  # the array type each column's values are sent as
        self.key = key  # the quoted key column, the only one RETURNING may name
        self.usable = True
        self.copy = copy  # how to send many rows by COPY instead, where the types allow

    def sql(self, returning: str) -> str:
        names = [f"la_v{i}" for i in range(len(self.casts))]
        arrays = ", ".join(f"%s::{cast}[]" for cast in self.casts)
        return (f"{self.prefix} SELECT {', '.join(names)} FROM unnest({arrays}) WITH ORDINALITY "
                f"AS la_rows({', '.join(names)}, la_n) ORDER BY la_n RETURNING {returning}")


class CopyInsert:
    """The same rows sent by ``COPY t (key, a, b) FROM STDIN`` with keys reserved first.

    PostgreSQL's COPY stores rows in batches (multi-row heap inserts), which an
    ``INSERT … SELECT`` does not, so many rows cost the server about a third less.
    The keys are taken beforehand by one query that also checks that the table
    takes them as the INSERT would have (``eligible_sql``): a row returned per key,
    or none where COPY could store something other than the INSERT, and then
    nothing is taken.  Each key travels in its row, so keys and objects pair by
    construction.  ``kinds``: per column, which Python values COPY's text form
    stores exactly as an INSERT parameter would be stored (see ``values_fit``).
    """

    __slots__ = ("table", "key_name", "statement", "kinds")

    def __init__(self, table: str, key_name: str, statement: str, kinds: tuple) -> None:
        self.table = table  # quoted, schema-qualified where the Table names a schema
        self.key_name = key_name  # as spelt in the catalog: pg_attribute.attname
        self.statement = statement
        self.kinds = kinds

    def values_fit(self, rows: list) -> bool:
        """Whether every value is of a Python type whose text form COPY parses into
        what the INSERT would store: e.g. 5.5 for an INTEGER column is rounded by an
        INSERT and refused by COPY, an aware datetime for a TIMESTAMP WITHOUT TIME
        ZONE column is shifted to the session's zone by an INSERT, while COPY drops
        its offset.  Anything else goes by the INSERT."""
        for kind, values in zip(self.kinds, zip(*rows)):
            found = set(map(type, values))
            found.discard(type(None))
            if not found <= _COPY_VALUE_TYPES[kind]:
                return False
            if kind == "naive" and any(v is not None and v.tzinfo is not None for v in values):
                return False
        return True


# Reserve n keys from the key column's own sequence, only where COPY stores what the
# INSERT would: a plain table (not a view, partitioned or foreign table), no rules, no
# row-level security (COPY FROM refuses it), no user trigger (a BEFORE trigger could
# change the key, or react to it being given), and a key the INSERT would have taken
# from that sequence: GENERATED BY DEFAULT AS IDENTITY (ALWAYS refuses given values),
# or no identity and exactly the default nextval('<its owned sequence>').  The
# sequence is found as pg_get_serial_sequence() finds it, through pg_depend, so that
# a table dropped meanwhile gives no rows instead of an error (which would abort the
# flush's transaction).  The INSERT never needs the sequence privilege for an identity
# nor an INSERT privilege on the key column, so both are checked too.  The condition
# does not depend on the series: it is checked once, before any nextval().
# Parameters: the key column's name, the quoted table name, the number of keys.
ELIGIBLE_KEYS_SQL = (
    "SELECT nextval(q.seq) FROM ("
    "SELECT s.oid AS seq FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = %s "
    "AND a.attnum > 0 AND NOT a.attisdropped "
    "JOIN pg_catalog.pg_depend dep ON dep.refclassid = 'pg_catalog.pg_class'::regclass "
    "AND dep.refobjid = c.oid AND dep.refobjsubid = a.attnum "
    "AND dep.classid = 'pg_catalog.pg_class'::regclass "
    "AND dep.deptype = CASE WHEN a.attidentity = '' THEN 'a' ELSE 'i' END "
    "JOIN pg_catalog.pg_class s ON s.oid = dep.objid AND s.relkind = 'S' "
    "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum "
    "WHERE c.oid = pg_catalog.to_regclass(%s) AND c.relkind = 'r' "
    "AND NOT c.relhasrules AND NOT c.relrowsecurity "
    "AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.tgrelid = c.oid "
    "AND NOT t.tgisinternal) "
    "AND (a.attidentity = 'd' OR a.attidentity = '' AND "
    "pg_catalog.pg_get_expr(d.adbin, d.adrelid) = "
    "pg_catalog.format('nextval(%%L::regclass)', s.oid::regclass::text)) "
    "AND pg_catalog.has_sequence_privilege(s.oid, 'USAGE, UPDATE') "
    "AND pg_catalog.has_column_privilege(c.oid, a.attnum, 'INSERT') "
    "OFFSET 0) q CROSS JOIN pg_catalog.generate_series(1, %s)"
)


_COPY_VALUE_TYPES = {
    "text": frozenset({str}), "int": frozenset({int}),
    # a float would be cut to 15 digits by the INSERT's cast to NUMERIC, not by COPY
    "numeric": frozenset({int, Decimal}), "float": frozenset({float, int}),
    "bool": frozenset({bool}), "date": frozenset({dt.date}),
    "naive": frozenset({dt.datetime}), "datetime": frozenset({dt.datetime}),
    "uuid": frozenset({_PyUUID, str}), "bytes": frozenset({bytes}),
    "interval": frozenset({dt.timedelta}),
}

# the rendered column type (COLLATE left out) → the kind of values COPY takes for it.
# Not here, so never by COPY: REAL and FLOAT(p ≤ 24) (a decimal string rounded to
# float4 directly can differ from a float8 rounded to float4), TIME, INTERVAL with
# fields, arrays, and every type this list does not know
_COPY_KINDS = [
    (re.compile(r"(?:VARCHAR|CHAR|TEXT|JSONB?)(?:\(\d+\))?"), "text"),
    (re.compile(r"INTEGER|BIGINT|SMALLINT"), "int"),
    (re.compile(r"(?:NUMERIC|DECIMAL)(?:\(\d+(?:, ?-?\d+)?\))?"), "numeric"),
    (re.compile(r"FLOAT|DOUBLE PRECISION|FLOAT\((?:2[5-9]|[3-4]\d|5[0-3])\)"), "float"),
    (re.compile(r"BOOLEAN"), "bool"),
    (re.compile(r"DATE"), "date"),
    (re.compile(r"TIMESTAMP(?:\(\d\))? WITHOUT TIME ZONE"), "naive"),
    (re.compile(r"TIMESTAMP(?:\(\d\))? WITH TIME ZONE"), "datetime"),
    (re.compile(r"UUID"), "uuid"),
    (re.compile(r"BYTEA"), "bytes"),
    (re.compile(r"INTERVAL"), "interval"),
]


def _copy_kind(dialect: Any, type_: Any) -> str | None:
    """Which values of a column of this type may go by COPY (``_COPY_VALUE_TYPES``);
    None where none may."""
    if type_.__dict__.get("_variants"):
        return None  # the type rendered is another's: not worth telling apart
    if isinstance(type_, sqltypes.Enum):
        return "text" if type_.native_enum else None
    try:
        name = dialect.type_compiler.process(type_)
    except exc.CompileError:
        return None
    name = name.partition(" COLLATE ")[0].upper()
    for pattern, kind in _COPY_KINDS:
        if pattern.fullmatch(name):
            return kind
    return None


def _copy_insert(dialect: Any, table: Any, key: Any, columns: list) -> CopyInsert | None:
    """The COPY form of an INSERT of ``columns`` into ``table``, or None where some
    column's type keeps it on the INSERT."""
    kinds = tuple(_copy_kind(dialect, c.type) for c in columns)
    if None in kinds:
        return None
    quote = dialect.identifier_preparer.quote
    name = dialect.identifier_preparer.format_table(table)
    names = ", ".join(quote(c.name) for c in [key, *columns])
    return CopyInsert(name, key.name, f"COPY {name} ({names}) FROM STDIN", kinds)


_TYPE_MODIFIER = re.compile(r"\(\s*\d+\s*(?:,\s*-?\d+\s*)?\)")
_CHARACTER_TYPES = ("CHAR", "TEXT", "CLOB", "STRING")


def _array_cast(dialect: Any, type_: Any) -> str | None:
    """The type a column's values are sent as in an array: the column's type without
    length or precision (an explicit cast to VARCHAR(5) would cut a long string where
    the INSERT must fail; the INSERT's own assignment applies them), character types
    as TEXT; None where no array of the type can stand for it."""
    try:
        name = dialect.type_compiler.process(type_)
    except exc.CompileError:
        return None
    if name.startswith('"'):  # a named ENUM type
        return name
    upper = name.upper()
    if "[" in upper or "ARRAY" in upper:
        return None
    if upper.startswith("INTERVAL"):
        return "INTERVAL"
    if any(word in upper for word in _CHARACTER_TYPES):
        return "TEXT"
    return _TYPE_MODIFIER.sub("", name)


def _sequence_key(column: Any) -> bool:
    """Whether the key column's values come from a sequence counting upwards."""
    if column.server_default is not None or column.default is not None or \
            not isinstance(column.type, sqltypes.Integer):
        return False
    identity = _identity_of(column)
    return identity is None or identity.increment is None or identity.increment > 0


def _register_bulk_insert(dialect: Any, compiled: Any) -> None:
    """Remember how to send many rows of this INSERT at once (``dialect._bulk_inserts``,
    keyed by its SQL, which is all the many-rows call is given)."""
    sql = compiled.sql
    table = compiled.table
    statement = compiled.statement
    count = len(compiled.positions)
    form = None
    prefix, found, values = sql.partition(" VALUES ")
    by_position = {index: key for key, index in compiled.dml_positions.items()}
    auto = getattr(table, "autoincrement_column", None)
    if found and count and values == "(" + ", ".join(["%s"] * count) + ")" and \
            getattr(statement, "_select", None) is None and \
            not getattr(statement, "_multi_values", None) and \
            sorted(by_position) == list(range(count)) and \
            auto is not None and len(table.primary_key.columns) == 1 and \
            auto.key not in compiled.dml_positions and _sequence_key(auto):
        columns = {c.key: c for c in table.columns}
        inserted = [columns[by_position[i]] for i in range(count)]
        casts = [_array_cast(dialect, c.type) for c in inserted]
        if None not in casts:
            form = BulkInsert(prefix, casts, dialect.identifier_preparer.quote(auto.name),
                              _copy_insert(dialect, table, auto, inserted))
    forms = dialect._bulk_inserts
    known = forms.get(sql)
    if known is not None and (form is None or known.casts != form.casts or
                              known.key != form.key or
                              _copy_kinds(known) != _copy_kinds(form)):
        form = _ROW_BY_ROW  # the same SQL for tables that differ: it cannot tell which
    if known is None and len(forms) >= 10_000:
        return  # full: never forget a conflict, so new shapes go row by row
    forms[sql] = form if form is not None else _ROW_BY_ROW


def _copy_kinds(form: Any) -> tuple | None:
    copy = getattr(form, "copy", None)
    return copy.kinds if copy is not None else None


class _Unusable:
    usable = False
    casts = key = copy = None


_ROW_BY_ROW = _Unusable()


def array_literal(values: list) -> Any:
    """One column's values as a PostgreSQL array literal ('{"a","b",NULL}', '{1,2}'),
    built at C speed for the common kinds (str, int); other kinds are returned as a
    list, for the driver to adapt."""
    kinds = set(map(type, values))
    has_null = type(None) in kinds
    kinds.discard(type(None))
    if kinds == {str}:
        if not has_null:
            joined = "\x00".join(values)
            # NUL cannot be in PostgreSQL text; the driver reports one where it is
            if '"' not in joined and "\\" not in joined and \
                    joined.count("\x00") == len(values) - 1:
                return '{"' + joined.replace("\x00", '","') + '"}'
        if any(v is not None and "\x00" in v for v in values):
            return values
        return "{" + ",".join("NULL" if v is None else '"' + v.replace("\\", "\\\\").replace(
            '"', '\\"') + '"' for v in values) + "}"
    if kinds == {int}:
        if not has_null:
            return "{" + ",".join(map(str, values)) + "}"
        return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"
    if not kinds:
        return "{" + ",".join(["NULL"] * len(values)) + "}"
    return values


def _sharing_key(kind: int, key: Any) -> Any:
    """What makes two placeholders one parameter: the same bind of the statement, the
    same execution parameter name, or the same schema-level bind."""
    if kind == LITERAL:
        return ("literal", key)
    if kind == NAMED:
        return ("named", key[0])
    if kind == CONSTANT:
        return ("constant", id(key))
    return None  # column defaults and expanding lists: one each


_SERIAL = {"small_integer": "SMALLSERIAL", "SMALLINT": "SMALLSERIAL",
           "big_integer": "BIGSERIAL", "BIGINT": "BIGSERIAL"}


def _identity_of(column: Any) -> Any:
    for item in getattr(column, "_pending_items", ()):
        if isinstance(item, Identity):
            return item
    return None


class PGDDLCompiler(DDLCompiler, PGCompiler):
    def index_using(self, index: Any) -> str:
        method = index.kwargs.get("postgresql_using")
        if method is None:
            return ""
        if not isinstance(method, str) or not method.replace("_", "").isalnum():
            raise exc.CompileError(
                f"Index({index.name!r}, postgresql_using={method!r}): expected an index "
                "method name such as 'btree', 'gin' or 'gist'")
        return f" USING {method}"

    def _is_serial(self, column: Any) -> bool:
        table = column.table
        return table is not None and table.autoincrement_column is column and \
            isinstance(column.type, sqltypes.Integer) and column.server_default is None and \
            _identity_of(column) is None

    def column_type(self, column: Any) -> str:
        if self._is_serial(column):
            return _SERIAL.get(column.type.__visit_name__, "SERIAL")
        return super().column_type(column)

    def column_spec(self, column: Any) -> str:
        text = self.quote(column.name) + " " + self.column_type(column)
        identity = _identity_of(column)
        if identity is not None:
            text += " GENERATED " + ("ALWAYS" if identity.always else "BY DEFAULT") + \
                " AS IDENTITY"
            options = []
            if identity.start is not None:
                options.append(f"START WITH {int(identity.start)}")
            if identity.increment is not None:
                options.append(f"INCREMENT BY {int(identity.increment)}")
            if options:
                text += " (" + " ".join(options) + ")"
        else:
            default = self.default_sql(column)
            if default is not None:
                text += " DEFAULT " + default
        if not column.nullable and identity is None:  # an identity is NOT NULL itself
            text += " NOT NULL"
        return text


class PGTypeCompiler(TypeCompiler):
    type_names = {
        **TypeCompiler.type_names,
        "double": "DOUBLE PRECISION", "DOUBLE": "DOUBLE PRECISION",
        "DOUBLE_PRECISION": "DOUBLE PRECISION", "large_binary": "BYTEA", "BLOB": "BYTEA",
        "BINARY": "BYTEA", "VARBINARY": "BYTEA", "BYTEA": "BYTEA", "UUID": "UUID",
        "JSON": "JSON", "JSONB": "JSONB", "CLOB": "TEXT", "REAL": "REAL",
    }
    length_names = {**TypeCompiler.length_names, "NVARCHAR": "VARCHAR"}

    preparer: IdentifierPreparer = IdentifierPreparer(PG_RESERVED_WORDS)

    def process(self, type_: Any) -> str:
        # a TypeDecorator's DDL is its impl's, arguments (length, timezone, enums) included
        if isinstance(type_, sqltypes.TypeDecorator) and not type_.__dict__.get("_variants"):
            return self.process(type_.impl)
        return super().process(type_)

    def _timezone(self, base: str, type_: Any) -> str:
        precision = getattr(type_, "precision", None)
        if precision is not None:
            base += f"({int(precision)})"
        return base + (" WITH TIME ZONE" if type_.timezone else " WITHOUT TIME ZONE")

    def visit_datetime(self, type_: Any) -> str:
        return self._timezone("TIMESTAMP", type_)

    visit_DATETIME = visit_TIMESTAMP = visit_datetime

    def visit_time(self, type_: Any) -> str:
        return self._timezone("TIME", type_)

    visit_TIME = visit_time

    def visit_interval(self, type_: Any) -> str:
        text = "INTERVAL"
        fields = getattr(type_, "fields", None)
        if fields:
            text += " " + fields.upper()
        precision = getattr(type_, "precision", None)
        if precision is not None:
            text += f"({int(precision)})"
        return text

    visit_INTERVAL = visit_interval

    def visit_uuid(self, type_: Any) -> str:
        return "UUID" if type_.native_uuid else "CHAR(32)"

    def visit_enum(self, type_: Any) -> str:
        if not type_.native_enum:
            return self._length("VARCHAR", type_)
        if not type_.name:
            raise exc.CompileError(
                f"PostgreSQL ENUM type requires a name: Enum({', '.join(map(repr, type_.enums))}"
                ", name='...'); or pass native_enum=False to store it as VARCHAR"
            )
        return self.preparer.quote(type_.name)


# -- reflection --------------------------------------------------------------------------------

_REFLECTED: dict[str, Any] = {
    "integer": sqltypes.INTEGER, "bigint": sqltypes.BIGINT, "smallint": sqltypes.SMALLINT,
    "text": sqltypes.TEXT, "boolean": sqltypes.BOOLEAN, "date": sqltypes.DATE,
    "double precision": lambda: DOUBLE_PRECISION(precision=53),
    "real": lambda: sqltypes.REAL(precision=24), "bytea": BYTEA,
    "uuid": UUID, "json": JSON, "jsonb": JSONB,
}
_TYPE_ARGS = re.compile(r"\(([\d, ]*)\)")


def _reflected_type(formatted: str, enum_labels: list | None, type_name: str) -> Any:
    """``format_type()``'s text → our type; unknown kinds (arrays, ranges…) → NullType."""
    if enum_labels is not None:
        return ENUM(*enum_labels, name=type_name)
    found_args = _TYPE_ARGS.search(formatted)
    args = [int(a) for a in found_args.group(1).replace(" ", "").split(",") if a] \
        if found_args else []
    name = _TYPE_ARGS.sub("", formatted).strip()  # "timestamp(3) with time zone" → name
    found = _REFLECTED.get(name)
    if found is not None:
        return found()
    if name in ("character varying", "character"):
        kind = sqltypes.VARCHAR if name == "character varying" else sqltypes.CHAR
        return kind(*args[:1])
    if name == "numeric":
        return sqltypes.NUMERIC(*args[:2])
    for prefix, kind in (("timestamp ", TIMESTAMP), ("time ", TIME)):
        if name.startswith(prefix):
            return kind(timezone=name.endswith(" with time zone"),
                        precision=args[0] if args else None)
    if name.startswith("interval"):
        return INTERVAL(precision=args[0] if args else None)
    return sqltypes.NullType()


_FK_ACTIONS = {"r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


class PGDialect(DefaultDialect):
    name = "postgresql"
    features = PG_FEATURES
    paramstyle = "format"
    statement_compiler = PGCompiler
    ddl_compiler = PGDDLCompiler
    type_compiler_cls = PGTypeCompiler
    isolation_levels = ("AUTOCOMMIT", "READ COMMITTED", "READ UNCOMMITTED", "REPEATABLE READ",
                        "SERIALIZABLE")
    #: INSERT SQL → BulkInsert (or an unusable marker), filled by PGCompiler.  Shared by
    #: every engine: the ORM compiles a mapper's INSERT once per dialect name, so the
    #: engine that runs it may not be the one whose dialect compiled it
    _bulk_inserts: dict = {}

    @staticmethod
    def json_index_processor(is_path: bool) -> Any:
        return _json.json_index_processor(is_path)

    def __init__(self, isolation_level: str | None = None, **kw: Any) -> None:
        super().__init__(isolation_level=isolation_level, **kw)
        self.identifier_preparer = IdentifierPreparer(PG_RESERVED_WORDS)
        self.type_compiler.preparer = self.identifier_preparer

    # -- catalog queries -------------------------------------------------------------------
    # exec_driver_sql sends this text to the driver as it stands: %s placeholders, and a
    # literal % would have to be written %%
    @staticmethod
    def _scope(schema: str | None, alias: str = "c") -> tuple[str, tuple]:
        if schema is None:
            return f"pg_catalog.pg_table_is_visible({alias}.oid)", ()
        return "n.nspname = %s", (schema,)

    def _rows(self, connection: Any, sql: str, params: tuple) -> list:
        return connection.exec_driver_sql(sql, params).all()

    def has_table(self, connection: Any, table_name: str, schema: str | None = None) -> bool:
        scope, args = self._scope(schema)
        return bool(self._rows(
            connection,
            "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relname = %s AND c.relkind IN "
            f"('r', 'p', 'v', 'm', 'f') AND {scope}", (table_name, *args)))

    def get_table_names(self, connection: Any, schema: str | None = None) -> list[str]:
        rows = self._rows(
            connection,
            "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND "
            "n.nspname = coalesce(%s, current_schema()) ORDER BY c.relname", (schema,))
        return [r[0] for r in rows]

    def get_columns(self, connection: Any, table_name: str, schema: str | None = None) -> list:
        scope, args = self._scope(schema)
        rows = self._rows(
            connection,
            "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "
            "pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, t.typtype, t.typname, "
            "a.atttypid, pg_catalog.col_description(c.oid, a.attnum) "
            "FROM pg_catalog.pg_attribute a "
            "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
            "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            f"WHERE c.relname = %s AND {scope} AND a.attnum > 0 AND NOT a.attisdropped "
            "ORDER BY a.attnum", (table_name, *args))
        columns = []
        for name, formatted, notnull, default, identity, typtype, typname, typid, comment in rows:
            labels = None
            if typtype == "e":
                labels = [r[0] for r in self._rows(
                    connection, "SELECT enumlabel FROM pg_catalog.pg_enum WHERE enumtypid = %s "
                    "ORDER BY enumsortorder", (typid,))]
            column = {
                "name": name, "type": _reflected_type(formatted, labels, typname),
                "nullable": not notnull, "default": default,
                "autoincrement": bool(identity) or (default or "").startswith("nextval("),
                "comment": comment,
            }
            if identity:
                column["identity"] = {"always": identity == "a"}
            columns.append(column)
        return columns

    def get_pk_constraint(self, connection: Any, table_name: str,
                          schema: str | None = None) -> dict:
        scope, args = self._scope(schema)
        rows = self._rows(
            connection,
            "SELECT con.conname, a.attname FROM pg_catalog.pg_constraint con "
            "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) "
            "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
            f"WHERE con.contype = 'p' AND c.relname = %s AND {scope} ORDER BY k.ord",
            (table_name, *args))
        return {"constrained_columns": [r[1] for r in rows],
                "name": rows[0][0] if rows else None, "comment": None,
                "dialect_options": {"postgresql_include": []}}

    def get_foreign_keys(self, connection: Any, table_name: str,
                         schema: str | None = None) -> list:
        scope, args = self._scope(schema)
        rows = self._rows(
            connection,
            "SELECT con.conname, rn.nspname, rc.relname, "
            "ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) "
            "  JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid "
            "  AND a.attnum = k.attnum ORDER BY k.ord), "
            "ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord) "
            "  JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid "
            "  AND a.attnum = k.attnum ORDER BY k.ord), "
            "con.confupdtype, con.confdeltype, con.condeferrable, con.condeferred, "
            "rn.nspname = current_schema() "
            "FROM pg_catalog.pg_constraint con "
            "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid "
            "JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace "
            f"WHERE con.contype = 'f' AND c.relname = %s AND {scope} ORDER BY con.conname",
            (table_name, *args))
        keys = []
        for (name, ref_schema, ref_table, local, remote, on_update, on_delete, deferrable,
             deferred, in_default_schema) in rows:
            options: dict = {}
            if on_update in _FK_ACTIONS:
                options["onupdate"] = _FK_ACTIONS[on_update]
            if on_delete in _FK_ACTIONS:
                options["ondelete"] = _FK_ACTIONS[on_delete]
            if deferrable:
                options["deferrable"] = True
                options["initially"] = "DEFERRED" if deferred else "IMMEDIATE"
            keys.append({
                "name": name, "constrained_columns": list(local),
                "referred_schema": None if schema is None and in_default_schema else ref_schema,
                "referred_table": ref_table, "referred_columns": list(remote),
                "options": options, "comment": None,
            })
        return keys

    def get_indexes(self, connection: Any, table_name: str, schema: str | None = None) -> list:
        scope, args = self._scope(schema)
        rows = self._rows(
            connection,
            "SELECT i.relname, ix.indisunique, "
            "ARRAY(SELECT a.attname FROM unnest(ix.indkey::int2[]) WITH ORDINALITY "
            "  AS k(attnum, ord) LEFT JOIN pg_catalog.pg_attribute a "
            "  ON a.attrelid = ix.indrelid AND a.attnum = k.attnum "
            "  WHERE k.ord <= ix.indnkeyatts ORDER BY k.ord), con.conname "
            "FROM pg_catalog.pg_index ix "
            "JOIN pg_catalog.pg_class c ON c.oid = ix.indrelid "
            "JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = ix.indexrelid "
            "  AND con.contype = 'u' "
            f"WHERE c.relname = %s AND {scope} AND NOT ix.indisprimary ORDER BY i.relname",
            (table_name, *args))
        indexes = []
        for name, unique, columns, constraint in rows:
            index = {"name": name, "unique": unique, "column_names": list(columns),
                     "include_columns": [], "dialect_options": {}}
            if constraint is not None:
                index["duplicates_constraint"] = constraint
            indexes.append(index)
        return indexes

    def get_unique_constraints(self, connection: Any, table_name: str,
                               schema: str | None = None) -> list:
        scope, args = self._scope(schema)
        rows = self._rows(
            connection,
            "SELECT con.conname, ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH "
            "ORDINALITY AS k(attnum, ord) JOIN pg_catalog.pg_attribute a ON a.attrelid = "
            "con.conrelid AND a.attnum = k.attnum ORDER BY k.ord), "
            "pg_catalog.obj_description(con.oid, 'pg_constraint') "
            "FROM pg_catalog.pg_constraint con "
            "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE con.contype = 'u' AND c.relname = %s AND {scope} ORDER BY con.conname",
            (table_name, *args))
        return [{"column_names": list(columns), "name": name, "comment": comment}
                for name, columns, comment in rows]

    # -- ENUM types --------------------------------------------------------------------------
    def _type_oid(self, connection: Any, name: str, schema: str | None) -> Any:
        if schema is None:
            scope, args = "pg_catalog.pg_type_is_visible(t.oid)", ()
        else:
            scope, args = "n.nspname = %s", (schema,)
        rows = self._rows(
            connection,
            "SELECT t.oid FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n "
            f"ON n.oid = t.typnamespace WHERE t.typname = %s AND {scope}", (name, *args))
        return rows[0][0] if rows else None

    def before_create(self, connection: Any, tables: list) -> None:
        for enum, schema in _enum_types(tables):
            if self._type_oid(connection, enum.name, schema) is not None:
                continue
            labels = ", ".join("'" + e.replace("'", "''").replace("%", "%%") + "'"
                               for e in enum.enums)
            connection.exec_driver_sql(
                f"CREATE TYPE {self._format_type_name(enum.name, schema)} AS ENUM ({labels})")

    def after_drop(self, connection: Any, tables: list) -> None:
        for enum, schema in _enum_types(tables):
            oid = self._type_oid(connection, enum.name, schema)
            if oid is None:
                continue
            in_use = self._rows(
                connection,
                "SELECT 1 FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c "
                "ON c.oid = a.attrelid WHERE a.atttypid = %s AND NOT a.attisdropped "
                "AND c.relkind IN ('r', 'p', 'v', 'm', 'f') LIMIT 1", (oid,))
            if not in_use:
                connection.exec_driver_sql(
                    f"DROP TYPE {self._format_type_name(enum.name, schema)}")

    def _format_type_name(self, name: str, schema: str | None) -> str:
        quote = self.identifier_preparer.quote
        return (quote(schema) + "." if schema else "") + quote(name).replace("%", "%%")


def _enum_types(tables: list) -> list:
    """(type, schema) of each named native ENUM the tables' columns use, once per name."""
    found: dict = {}
    for table in tables:
        for column in table.columns:
            type_ = column.type
            variants = type_.__dict__.get("_variants")
            if variants and "postgresql" in variants:
                type_ = variants["postgresql"]
            type_ = getattr(type_, "impl", type_) if not isinstance(type_, sqltypes.Enum) \
                else type_
            if isinstance(type_, sqltypes.Enum) and type_.native_enum and type_.name and \
                    getattr(type_, "create_type", True):
                # created unqualified, like the column types that name it: the schema is
                # the search path's first, whatever schema the table names
                found.setdefault(type_.name, (type_, None))
    return list(found.values())
