"""One compiler: expression tree → SQL text + parameter positions.

Output is a ``Compiled`` that knows, for each placeholder in order, where its
value comes from: a literal in the statement (by position in the cache-key
bind list), a named execution parameter, or a column default.  The compiled
form is cached per dialect by the statement's cache key, so a repeated shape
is compiled once.  Dialects subclass ``SQLCompiler`` only where SQL differs.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any

from .. import exc
from .._util.lru import LRUCache
from . import operators as ops
from . import types as sqltypes
from .elements import (
    BindParameter,
    BooleanClauseList,
    ClauseElement,
    ColumnElement,
    Label,
    _result_name_of,
)
from .on_conflict import OnConflictCompiler
from .selectable import (
    CTE,
    Alias,
    ColumnCollection,
    Join,
    Select,
    _base_tables,
    _coerce_from,
)

# where a placeholder's value comes from: the statement's own bind (by position in the
# cache-key bind list), an execution parameter, a column default, or a bind that belongs
# to the schema (inside a SQL-expression default) and so is the same for every statement
LITERAL, NAMED, DEFAULT, CONSTANT = 0, 1, 2, 3
# an IN list given at execution (bindparam(..., expanding=True)): one placeholder per item
EXPANDING = 4
_EXPAND_MARK = "(__[EXPAND_{}])"
_EMPTY_SET = "(SELECT 1 FROM (SELECT 1) WHERE 1!=1)"

# stands for the "%" of a %s placeholder until the statement is complete; then every
# other "%" (text(), literals, the modulo operator, names) is doubled for the driver
_PERCENT_MARK = "\x00"
_PERCENT_STYLES = ("format", "pyformat")

_LEGAL_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_$]*$")

RESERVED_WORDS = frozenset("""
add all alter analyze and as asc attach autoincrement before begin between by cascade case
cast check collate column commit conflict constraint create cross current current_date
current_time current_timestamp database default deferrable deferred delete desc detach
distinct do drop each else end escape except exclusive exists explain fail filter for
foreign from full glob group having if ignore immediate in index indexed initially inner
insert instead intersect into is isnull join key left like limit match natural no not
notnull null of offset on or order outer plan pragma primary query raise recursive
references regexp reindex release rename replace restrict right rollback row savepoint
select set table temp temporary then to transaction trigger union unique update user using
vacuum values view virtual when where window with without analyse array asymmetric both
current_catalog current_role current_user fetch grant lateral leading localtime
localtimestamp only placing returning session_user some symmetric trailing true false
variadic authorization binary concurrently freeze ilike verbose
""".split())


def result_key(column: Any, taken: Any) -> str:
    """A selected column's key in result rows: its name, label or function name;
    ``_no_label`` when it has none; a repeat gets ``_1``, ``_2`` (as in SQLAlchemy)."""
    name = _result_name_of(column) or getattr(column, "name", None) or "_no_label"
    if name in taken:
        n = 1
        while f"{name}_{n}" in taken:
            n += 1
        name = f"{name}_{n}"
    return name


class IdentifierPreparer:
    """Quotes identifiers that are reserved, mixed-case or not plain names."""

    def __init__(self, reserved_words: frozenset = RESERVED_WORDS, quote_char: str = '"') -> None:
        self.reserved_words = reserved_words
        self.quote_char = quote_char
        self._cache: dict[str, str] = {}

    def quote(self, name: str) -> str:
        found = self._cache.get(name)
        if found is None:
            if name.lower() in self.reserved_words or not _LEGAL_IDENTIFIER.match(name):
                found = self.quote_char + name.replace(self.quote_char, self.quote_char * 2) \
                    + self.quote_char
            else:
                found = name
            self._cache[name] = found
        return found

    def format_table(self, table: Any) -> str:
        name = self.quote(table.name)
        if getattr(table, "schema", None):
            return self.quote(table.schema) + "." + name
        return name


class Compiled:
    """Compiled SQL plus what is needed to build its parameters quickly."""

    __slots__ = (
        "sql", "positions", "result_columns", "result_processors", "is_select", "is_insert",
        "is_update", "is_delete", "is_ddl", "is_text", "returning", "table", "dialect",
        "statement", "positional_names", "row_maker", "dml_positions", "context_defaults",
        "expanding",
        "key_returning_sql",
    )

    def __init__(self, dialect: Any) -> None:
        self.dialect = dialect
        self.sql = ""
        self.positions: list = []
        self.result_columns: list = []
        self.result_processors: list = []
        self.is_select = self.is_insert = self.is_update = self.is_delete = False
        self.is_ddl = self.is_text = False
        self.returning = False
        self.table = None
        self.statement = None
        self.row_maker = None  # filled by the engine on first execution
        #: column key → placeholder position, for the values of INSERT / UPDATE columns
        self.dml_positions: dict = {}
        #: a column default reads context.get_current_parameters()
        self.context_defaults = False
        #: how many IN lists to spell out at execution (see ``expand``)
        self.expanding = 0
        #: this single-row INSERT plus RETURNING its generated key, for drivers without
        #: lastrowid (PostgreSQL): Connection.execute runs it for inserted_primary_key
        self.key_returning_sql: str | None = None
        self.positional_names: list = []

    def __str__(self) -> str:
        return self.sql

    @property
    def string(self) -> str:
        return self.sql

    @property
    def params(self) -> dict:
        """Parameter values of the statement this was compiled from, by name."""
        _, binds = self.statement._cache_key()
        values = {}
        for (kind, key, _proc), name in zip(self.positions, self.positional_names):
            if kind == LITERAL or kind == NAMED:
                index = key if kind == LITERAL else key[1]
                values[name] = binds[index].effective_value if index is not None else None
            elif kind == CONSTANT:
                values[name] = key.effective_value
        return values

    def construct_params(self, binds: list, params: dict | None) -> list:
        """Values for one execution, in placeholder order, converted for the driver."""
        if self.context_defaults:
            return self._construct_with_context(binds, params)
        out = []
        append = out.append
        for kind, key, processor in self.positions:
            if kind == LITERAL:
                value = binds[key].effective_value
            elif kind == NAMED:
                value = self._named_value(key, binds, params)
            elif kind == DEFAULT:
                value = _evaluate_default(key, params)
            elif kind == CONSTANT:
                value = key.effective_value
            else:
                append(self._expanded_values(key, binds, params, processor))
                continue
            if processor is not None and (value is not None or
                                          getattr(processor, "handles_none", False)):
                value = processor(value)
            append(value)
        return out

    def _expanded_values(self, key: tuple, binds: list, params: dict | None,
                         processor: Any) -> list:
        values = self._named_value(key[:2], binds, params)
        if isinstance(values, str) or not hasattr(values, "__iter__"):
            raise exc.ArgumentError(
                f"Bound parameter {key[0]!r} expands into an IN list; pass a list or tuple, "
                f"got {values!r}"
            )
        if processor is None:
            return list(values)
        return [processor(v) if v is not None else None for v in values]

    def expand(self, values: list) -> tuple[str, list]:
        """SQL and flat parameters with each IN list spelled out (one execution)."""
        sql = self.sql
        flat: list = []
        placeholder = "?" if self.dialect.paramstyle == "qmark" else "%s"
        for (kind, key, _processor), value in zip(self.positions, values):
            if kind != EXPANDING:
                flat.append(value)
                continue
            mark = key[2]
            if value:
                sql = sql.replace(mark, "(" + ", ".join([placeholder] * len(value)) + ")", 1)
                flat.extend(value)
            else:
                sql = sql.replace(mark, key[3], 1)
        return sql, flat

    def _named_value(self, key: tuple, binds: list, params: dict | None) -> Any:
        name, index = key
        if params is not None and name in params:
            return params[name]
        if index is not None and not binds[index].required:
            return binds[index].effective_value
        missing = exc.InvalidRequestError(
            f"A value is required for bind parameter {name!r}; pass it in the "
            f"parameters of execute(), e.g. {{{name!r}: ...}}"
        )
        raise exc.StatementError(
            f"(lightalchemy.exc.InvalidRequestError) {missing}", self.sql, params, missing,
        )

    def _construct_with_context(self, binds: list, params: dict | None) -> list:
        """The slow path: defaults see this row's other values, as in SQLAlchemy."""
        positions = self.positions
        raw: list = []
        for kind, key, _processor in positions:
            if kind == LITERAL:
                raw.append(binds[key].effective_value)
            elif kind == NAMED:
                raw.append(self._named_value(key, binds, params))
            elif kind == CONSTANT:
                raw.append(key.effective_value)
            else:
                raw.append(None)  # filled below, once the other values are known
        current = dict(params or {})
        for column_key, index in self.dml_positions.items():
            if positions[index][0] != DEFAULT:
                current[column_key] = raw[index]
        for column_key, index in self.dml_positions.items():
            if positions[index][0] == DEFAULT:
                raw[index] = current[column_key] = _evaluate_default(positions[index][1], current)
        out = []
        for value, (_kind, _key, processor) in zip(raw, positions):
            if processor is not None and (value is not None or
                                          getattr(processor, "handles_none", False)):
                value = processor(value)
            out.append(value)
        return out


class _DefaultContext:
    __slots__ = ("current_parameters",)

    def __init__(self, params: dict | None) -> None:
        self.current_parameters = params or {}

    def get_current_parameters(self, isolate_multiinsert_groups: bool = True) -> dict:
        return self.current_parameters


def _evaluate_default(default: Any, params: dict | None) -> Any:
    if default.is_callable:
        return default.arg(_DefaultContext(params))
    return default.arg


_compile_caches: dict = {}


def compile_cached(element: ClauseElement, dialect: Any,
                   column_keys: tuple | None = None) -> tuple[Compiled, list]:
    """Compiled form of ``element`` for ``dialect`` and its bind list; cached by shape."""
    if getattr(element, "_is_ddl", False):
        return dialect.ddl_compiler(dialect, element, []).compiled, []
    key, binds = element._cache_key()
    cache = dialect._compiled_cache
    full_key = (key, column_keys) if column_keys is not None else key
    try:
        compiled = cache.get(full_key)
    except TypeError:  # an unhashable structure: compile without caching
        compiled = None
        full_key = None
    if compiled is None:
        compiled = dialect.statement_compiler(dialect, element, binds, column_keys).compiled
        if full_key is not None:
            cache[full_key] = compiled
    return compiled, binds


def compile_element(element: ClauseElement, dialect: Any = None, **kw: Any) -> Compiled:
    dialect = dialect or _default_dialect()
    _, binds = element._cache_key()
    compiler_cls = dialect.ddl_compiler if getattr(element, "_is_ddl", False) \
        else dialect.statement_compiler
    return compiler_cls(dialect, element, binds, kw.get("column_keys"),
                        literal_binds=bool(kw.get("compile_kwargs", {}).get("literal_binds"))
                        ).compiled


class _GenericFeatures:
    native_decimal = True
    native_boolean = True
    native_datetime = True
    native_json = False
    native_uuid = False
    native_interval = False
    decimal_digits = 15
    insert_returning = True
    max_bind_params = 999
    paramstyle = "named"


class _StrDialect:
    """Renders ``str(statement)`` without an engine, as SQLAlchemy's default does."""

    name = "default"
    paramstyle = "named"
    features = _GenericFeatures()

    def __init__(self) -> None:
        self.identifier_preparer = IdentifierPreparer()
        self.statement_compiler = SQLCompiler
        self.ddl_compiler = DDLCompiler
        self.type_compiler = TypeCompiler()
        self._compiled_cache = LRUCache(100)


_str_dialect: _StrDialect | None = None


def _default_dialect() -> Any:
    global _str_dialect
    if _str_dialect is None:
        _str_dialect = _StrDialect()
    return _str_dialect


class SQLCompiler(OnConflictCompiler):
    """Walks one statement; dialects override the visit_* methods that differ."""

    function_rewrites: dict[str, str] = {}
    ilike_native = False
    #: (a, b) IN (VALUES (?, ?), …) instead of IN ((?, ?), …)
    tuple_in_values = False

    def __init__(self, dialect: Any, statement: ClauseElement, binds: list,
                 column_keys: tuple | None = None, literal_binds: bool = False) -> None:
        self.dialect = dialect
        self.preparer = dialect.identifier_preparer
        self.quote = self.preparer.quote
        self.binds = binds
        self.bind_index = {}
        for i, bind in enumerate(binds):
            self.bind_index.setdefault(id(bind), i)
        self.column_keys = column_keys
        self.literal_binds = literal_binds
        self.paramstyle = dialect.paramstyle
        self.compiled = Compiled(dialect)
        self.compiled.statement = statement
        self.positions = self.compiled.positions
        self.names = self.compiled.positional_names
        self.ctes: list[str] = []
        self.cte_positions: list = []
        self.cte_names: list = []
        self.rendered_ctes: set = set()
        self.recursive_ctes = False
        self.enclosing_froms: list[set] = []
        self.anon_names: dict = {}
        self.anon_keep: list = []  # keeps numbered elements alive while ids are in use
        self.toplevel = True
        body = self.process(statement)
        if self.ctes:
            recursive = self.recursive_ctes
            body = ("WITH RECURSIVE " if recursive else "WITH ") + ", ".join(self.ctes) + \
                "\n" + body
            self.positions[:0] = self.cte_positions
            self.names[:0] = self.cte_names
        body = self.share_repeated_parameters(body)
        if self.compiled.is_insert and not self.compiled.returning:
            key_sql = self._key_returning(statement)
            if key_sql is not None:
                self.compiled.key_returning_sql = self._finish(body + key_sql)
        self.compiled.sql = self._finish(body)

    def share_repeated_parameters(self, body: str) -> str:
        """Hook: where the driver lets SQL name a parameter again (PostgreSQL's $n), a
        bind rendered twice is sent once.  Here: one placeholder per occurrence."""
        return body

    def _finish(self, body: str) -> str:
        if self.paramstyle in _PERCENT_STYLES:
            body = body.replace("%", "%%").replace(_PERCENT_MARK, "%")
        return body

    def _key_returning(self, insert: Any) -> str | None:
        """`` RETURNING key`` where the key is generated and the driver has no lastrowid."""
        features = self.dialect.features
        if getattr(features, "lastrowid", True) or not features.insert_returning:
            return None
        table = self.compiled.table
        auto = getattr(table, "autoincrement_column", None)
        if auto is None or insert._select is not None or insert._multi_values or \
                auto.key in self.compiled.dml_positions or \
                (insert._values is not None and auto in insert._values):
            return None
        return " RETURNING " + self.quote(auto.name)

    # -- dispatch -----------------------------------------------------------
    def process(self, element: Any, **kw: Any) -> str:
        visit = getattr(self, "visit_" + element.__visit_name__, None)
        if visit is None:
            raise exc.UnsupportedCompilationError(
                f"Compiler {type(self).__name__} can't render element of type "
                f"{type(element).__name__}"
            )
        return visit(element, **kw)

    # -- parameters -----------------------------------------------------------
    def _placeholder(self, name: str) -> str:
        style = self.paramstyle
        if style == "qmark":
            return "?"
        if style in _PERCENT_STYLES:
            return _PERCENT_MARK + "s"
        if style == "numeric":
            return f":{len(self.positions)}"
        return ":" + name

    def visit_bindparam(self, bind: BindParameter, **kw: Any) -> str:
        if self.literal_binds:
            return self.render_literal_value(bind.effective_value, bind.type)
        index = self.bind_index.get(id(bind))
        processor = bind.type._processors(self.dialect)[0]
        name = bind.key if not bind.unique or bind._plain_name else self._parameter_name(bind.key)
        if bind.expanding:
            compiled = self.compiled
            mark = _EXPAND_MARK.format(compiled.expanding)  # numbered apart from positions,
            compiled.expanding += 1  # which CTE bodies may shift
            self.positions.append((EXPANDING, (bind.key, index, mark,
                                               self.empty_set_sql(bind.type)), processor))
            self.names.append(name)
            return mark
        if index is None and bind.unique:
            self.positions.append((CONSTANT, bind, processor))
        elif bind.unique:
            self.positions.append((LITERAL, index, processor))
        else:
            self.positions.append((NAMED, (bind.key, index), processor))
        self.names.append(name)
        return self._placeholder(name)

    def _parameter_name(self, key: str) -> str:
        """``name_1``, ``name_2``, … per key, as SQLAlchemy names anonymous parameters
        (``WHERE user.name = :name_1``); only the text of a printed statement sees it."""
        counts = self.__dict__.setdefault("_parameter_counts", {})
        count = counts[key] = counts.get(key, 0) + 1
        return f"{key}_{count}"

    def empty_set_sql(self, type_: Any) -> str:
        """What an expanding IN list given no values becomes: a subquery of no rows."""
        return _EMPTY_SET

    def render_literal_value(self, value: Any, type_: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return ("true" if value else "false") if self.dialect.features.native_boolean \
                else str(int(value))
        if isinstance(value, int | float | decimal.Decimal):
            return str(value)
        if isinstance(value, dt.datetime | dt.date | dt.time):
            processor = type_._processors(self.dialect)[0] if type_ is not None else None
            value = processor(value) if processor else value.isoformat()
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        raise exc.CompileError(f"No literal value renderer is available for {value!r}")

    # -- simple elements ------------------------------------------------------
    def visit_column(self, column: Any, include_table: bool = True, **kw: Any) -> str:
        if getattr(column, "is_literal", False):
            return column.name
        name = self.quote(column.name)
        table = column.table
        if include_table and table is not None and table.named_with_column:
            if isinstance(table, Alias):
                return self._from_name(table) + "." + name
            return self.preparer.format_table(table) + "." + name
        return name

    def visit_proxy_column(self, column: Any, **kw: Any) -> str:
        return self._from_name(column.table) + "." + self.quote(column.name)

    def visit_null(self, element: Any, **kw: Any) -> str:
        return "NULL"

    def visit_true(self, element: Any, **kw: Any) -> str:
        return "true" if self.dialect.features.native_boolean else "1"

    def visit_false(self, element: Any, **kw: Any) -> str:
        return "false" if self.dialect.features.native_boolean else "0"

    def visit_collation(self, element: Any, **kw: Any) -> str:
        return self.quote(element.collation)

    def visit_annotated_column(self, element: Any, **kw: Any) -> str:
        """``foreign(col)`` / ``remote(col)`` of a relationship's primaryjoin: the column."""
        return self.process(element.element, **kw)

    def visit_grouping(self, element: Any, **kw: Any) -> str:
        return "(" + self.process(element.element, **kw) + ")"

    def visit_label(self, label: Label, within_columns: bool = False, **kw: Any) -> str:
        if kw.get("within_order_by") and any(label is c for c in kw.get("selected", ())):
            return self._label_name(label)  # ORDER BY a selected label: by its name
        inner = self.process(label.element, **_strip(kw))
        if within_columns:
            return inner + " AS " + self._label_name(label)
        return inner

    def _label_name(self, label: Label) -> str:
        if getattr(label, "_anonymous", False):
            return self._anon_name(label, "anon")
        return self.quote(label.name)

    def _anon_name(self, element: Any, prefix: str) -> str:
        """Anonymous aliases and labels are numbered per statement: anon_1, anon_2…"""
        while getattr(element, "_restates", None) is not None:
            element = element._restates
        name = self.anon_names.get(id(element))
        if name is None:
            self.anon_keep.append(element)
            name = self.anon_names[id(element)] = f"{prefix}_{len(self.anon_names) + 1}"
        return name

    def _from_name(self, from_: Any) -> str:
        if getattr(from_, "_anonymous", False):
            return self._anon_name(from_, "anon")
        return self.quote(from_.name)

    def visit_label_reference(self, element: Any, **kw: Any) -> str:
        return self.quote(element.name)

    def visit_cast(self, cast: Any, **kw: Any) -> str:
        return f"CAST({self.process(cast.clause, **kw)} AS {self.dialect.type_compiler.process(cast.type)})"

    def visit_extract(self, extract: Any, **kw: Any) -> str:
        return f"EXTRACT({extract.field} FROM {self.process(extract.expr, **kw)})"

    def visit_type_coerce(self, element: Any, **kw: Any) -> str:
        return self.process(element.element, **kw)

    def visit_case(self, case: Any, **kw: Any) -> str:
        text = "CASE"
        if case.value is not None:
            text += " " + self.process(case.value, **kw)
        for condition, result in case.whens:
            text += f" WHEN {self.process(condition, **kw)} THEN {self.process(result, **kw)}"
        if case.else_ is not None:
            text += f" ELSE {self.process(case.else_, **kw)}"
        return text + " END"

    def visit_function(self, fn: Any, **kw: Any) -> str:
        name = fn.name
        lower = name.lower()
        rewrite = self.function_rewrites.get(lower)
        if rewrite is not None:
            if not fn.clauses and "(" not in rewrite:
                return rewrite
            name = rewrite
        elif lower in ("current_timestamp", "current_date", "current_time", "localtimestamp",
                       "localtime", "current_user") and not fn.clauses:
            return name.upper()
        args = ", ".join(self.process(c, **kw) for c in fn.clauses)
        prefix = ".".join(self.quote(p) for p in fn.packagenames)
        return (prefix + "." if prefix else "") + name + "(" + args + ")"

    def visit_over(self, over: Any, **kw: Any) -> str:
        kw = _strip(kw)  # the window's ORDER BY spells expressions out, never labels
        parts = []
        if over._partition_by:
            parts.append("PARTITION BY " + ", ".join(self.process(p, **kw)
                                                     for p in over._partition_by))
        if over._order_by:
            parts.append("ORDER BY " + ", ".join(self.process(o, **kw) for o in over._order_by))
        if over.frame is not None:
            keyword, lower, upper = over.frame
            parts.append(f"{keyword} BETWEEN {self._frame_bound(lower, 'PRECEDING', **kw)} "
                         f"AND {self._frame_bound(upper, 'FOLLOWING', **kw)}")
        return self.process(over.element, **kw) + " OVER (" + " ".join(parts) + ")"

    def _frame_bound(self, bound: Any, unbounded: str, **kw: Any) -> str:
        """None: UNBOUNDED (PRECEDING at the start, FOLLOWING at the end); 0: CURRENT ROW;
        otherwise ``(preceding, offset)``, the offset a bound value as in SQLAlchemy."""
        if bound is None:
            return "UNBOUNDED " + unbounded
        if bound == 0:
            return "CURRENT ROW"
        preceding, offset = bound
        return self.process(offset, **kw) + (" PRECEDING" if preceding else " FOLLOWING")

    def visit_funcfilter(self, element: Any, **kw: Any) -> str:
        kw = _strip(kw)
        return (self.process(element.func, **kw) + " FILTER (WHERE " +
                self.process(element.criterion, **kw) + ")")

    def visit_withingroup(self, element: Any, **kw: Any) -> str:
        kw = _strip(kw)
        return (self.process(element.element, **kw) + " WITHIN GROUP (ORDER BY " +
                ", ".join(self.process(o, **kw) for o in element._order_by) + ")")

    def visit_textclause(self, text: Any, **kw: Any) -> str:
        binds = text._bindparams

        def replace(match: re.Match) -> str:
            return self.process(binds[match.group(1)], **kw)

        from .elements import _BIND_RE

        sql = _BIND_RE.sub(replace, text.text)
        return sql.replace("\\:", ":")

    def visit_textual_select(self, element: Any, **kw: Any) -> str:
        if self.toplevel:
            self.toplevel = False
            self._set_result_columns(element.column_args)
        return self.process(element.element, **kw)

    def visit_from_statement(self, element: Any, **kw: Any) -> str:
        """The statement given to from_statement(), as it is (its result columns too)."""
        return self.process(element.element, **kw)

    def visit_clauselist(self, clauselist: Any, **kw: Any) -> str:
        parts = [self.process(c, **kw) for c in clauselist.clauses]
        parts = [p for p in parts if p]
        if not parts and isinstance(clauselist, BooleanClauseList):
            return ""
        return clauselist.operator.sql.join(parts)

    def visit_tuple(self, element: Any, **kw: Any) -> str:
        return ", ".join(self.process(c, **kw) for c in element.clauses)

    def visit_empty_in(self, element: Any, **kw: Any) -> str:
        return "1 = 1" if element.negate else "1 != 1"

    def visit_binary(self, binary: Any, **kw: Any) -> str:
        op = binary.operator
        if op is ops.ilike or op is ops.not_ilike:
            return self.visit_ilike(binary, **kw)
        if op is ops.regexp_match or op is ops.not_regexp_match:
            return self.visit_regexp_match(binary, op is ops.not_regexp_match, **kw)
        if op is ops.regexp_replace:
            return self.visit_regexp_replace(binary, **kw)
        if op is ops.is_distinct_from or op is ops.is_not_distinct_from:
            sql = self.is_distinct_sql(op)
            text = self.process(binary.left, **kw) + sql + self.process(binary.right, **kw)
        elif (op is ops.in_ or op is ops.not_in) and self.tuple_in_values and \
                _is_tuple_list(binary.right):
            rows = ", ".join(self.process(row) for row in binary.right.element.clauses)
            text = self.process(binary.left, **kw) + op.sql + "(VALUES " + rows + ")"
        elif op is ops.between or op is ops.not_between:
            low, high = binary.right.clauses
            text = (self.process(binary.left, **kw) + op.sql + self.process(low, **kw) +
                    " AND " + self.process(high, **kw))
        else:
            text = self.process(binary.left, **kw) + op.sql + self.process(binary.right, **kw)
        if binary.modifiers and binary.modifiers.get("escape"):
            text += " ESCAPE " + self.render_literal_value(binary.modifiers["escape"], None)
        return text

    def visit_regexp_match(self, binary: Any, negate: bool, **kw: Any) -> str:
        raise exc.CompileError(
            f"{self.dialect.name} dialect does not support regular expressions")

    def visit_regexp_replace(self, binary: Any, **kw: Any) -> str:
        raise exc.CompileError(
            f"{self.dialect.name} dialect does not support regular expression replacements")

    def _regexp_flags(self, binary: Any) -> str | None:
        return (binary.modifiers or {}).get("flags")

    def is_distinct_sql(self, op: Any) -> str:
        return " IS DISTINCT FROM " if op is ops.is_distinct_from else " IS NOT DISTINCT FROM "

    def visit_ilike(self, binary: Any, **kw: Any) -> str:
        negate = binary.operator is ops.not_ilike
        if self.ilike_native:
            sql = " NOT ILIKE " if negate else " ILIKE "
            text = self.process(binary.left, **kw) + sql + self.process(binary.right, **kw)
        else:
            sql = " NOT LIKE " if negate else " LIKE "
            text = ("lower(" + self.process(binary.left, **kw) + ")" + sql + "lower(" +
                    self.process(binary.right, **kw) + ")")
        if binary.modifiers and binary.modifiers.get("escape"):
            text += " ESCAPE " + self.render_literal_value(binary.modifiers["escape"], None)
        return text

    def visit_json_index(self, element: Any, **kw: Any) -> str:
        """The generic (``str()``) form; each dialect writes its own JSON access."""
        return f"{self.process(element.left, **kw)}[{self.process(element.right, **kw)}]"

    def visit_unary(self, unary: Any, **kw: Any) -> str:
        text = self.process(unary.element, **kw)
        if unary.operator is not None:
            text = unary.operator.sql + text
        if unary.modifier is not None:
            text = text + self.order_modifier_sql(unary.modifier)
        return text

    def order_modifier_sql(self, modifier: Any) -> str:
        return modifier.sql

    def visit_exists(self, exists: Any, **kw: Any) -> str:
        return "EXISTS (" + self.process(exists.element, nested=True, **_strip(kw)) + ")"

    def visit_scalar_select(self, element: Any, **kw: Any) -> str:
        return "(" + self.process(element.element, nested=True, **_strip(kw)) + ")"

    # -- FROM ---------------------------------------------------------------
    def visit_table(self, table: Any, **kw: Any) -> str:
        return self.preparer.format_table(table)

    def visit_alias(self, alias: Any, within_from: bool = False, **kw: Any) -> str:
        name = self._from_name(alias)
        if not within_from:
            return name
        inner = alias.element
        if getattr(inner, "_is_from_clause", False):
            return self.process(inner, within_from=True, **_strip(kw)) + " AS " + name
        return "(" + self.process(inner, nested=True, correlate=False, **_strip(kw)) + \
            ") AS " + name

    def visit_cte(self, cte: CTE, within_from: bool = False, **kw: Any) -> str:
        name = self._from_name(cte)
        if name not in self.rendered_ctes:  # by name: a recursive CTE names itself inside
            self.rendered_ctes.add(name)
            saved_positions, saved_names = self.positions, self.names
            self.positions, self.names = [], []
            body = self.process(cte.element, nested=True, correlate=False, **_strip(kw))
            self.cte_positions += self.positions
            self.cte_names += self.names
            self.positions, self.names = saved_positions, saved_names
            columns = ""
            if cte.recursive:
                self.recursive_ctes = True
                columns = "(" + ", ".join(self.quote(c.name) for c in cte.columns) + ")"
            self.ctes.append(f"{name}{columns} AS \n({body})")
        return name

    def visit_join(self, join: Join, **kw: Any) -> str:
        if join.full:
            keyword = " FULL OUTER JOIN "
        elif join.isouter:
            keyword = " LEFT OUTER JOIN "
        else:
            keyword = " JOIN "
        kw["within_from"] = True
        return (self.process(join.left, **kw) + keyword + self.process(join.right, **kw) +
                " ON " + self.process(join.onclause, **_strip(kw)))

    # -- SELECT -------------------------------------------------------------
    def _set_result_columns(self, columns: list) -> None:
        processors = []
        result = []
        taken: set = set()
        for col in columns:
            type_ = getattr(col, "type", sqltypes.NULLTYPE)
            name = result_key(col, taken)
            taken.add(name)
            result.append((name, type_, col))
            processors.append(type_._processors(self.dialect)[1])
        self.compiled.result_columns = result
        self.compiled.result_processors = processors

    def _compute_froms(self, select: Select) -> list:
        froms: list = []

        def add(items: list) -> None:
            for f in items:
                if not any(f is g for g in froms):
                    froms.append(f)

        add(list(select._from_obj))
        for raw in select._raw_columns:
            add(raw._from_objects)
        for crit in select._where:
            add(crit._from_objects)
        for target, onclause, isouter, full, from_ in select._setup_joins:
            froms = self._apply_join(froms, target, onclause, isouter, full, from_)
        # drop FROMs already inside a join or alias that is itself a FROM
        covered: set = set()
        for f in froms:
            if isinstance(f, Join):
                covered.update(id(t) for t in f._from_objects if t is not f)
        froms = [f for f in froms if id(f) not in covered]
        return froms

    def _apply_join(self, froms: list, target: Any, onclause: Any, isouter: bool, full: bool,
                    from_: Any) -> list:
        # a relationship (``join(A.bs)``, ``join(B, A.bs)``) gives [(FROM, ON), ...]:
        # one hop, or two through a many-to-many's secondary table
        more: list = []
        hook = getattr(target, "_join_target_and_onclause", None)
        if hook is not None and onclause is None:
            if from_ is None:  # a relationship joins from its own class
                from_ = target._join_left()
            (target, onclause), *more = hook()
        else:
            target = _coerce_from(target)
            if isinstance(onclause, ClauseElement):
                pass
            elif onclause is not None:
                relationship = getattr(onclause, "_join_target_and_onclause", None)
                if relationship is None:
                    onclause = getattr(onclause, "__clause_element__", lambda: onclause)()
                else:
                    (first, onclause), *more = relationship(target)
                    if more:
                        target = first
        if hasattr(target, "__clause_element__") and not isinstance(target, ClauseElement):
            target = target.__clause_element__()
        if from_ is not None:
            left = _coerce_from(from_)
            left_index = next((i for i, f in enumerate(froms) if f is left or
                               (isinstance(f, Join) and any(t is left for t in _base_tables(f)))),
                              None)
            if left_index is not None:
                left = froms[left_index]
        else:
            left_index = self._find_left(froms, target, onclause)
            if left_index is None:
                raise exc.InvalidRequestError(
                    "Don't know how to join to the target; there is no FROM to join from. "
                    "Use select_from() or join_from() to say where the join starts."
                )
            left = froms[left_index]
        join = Join(left, target, onclause, isouter, full)
        for hop_target, hop_on in more:
            join = Join(join, hop_target, hop_on, isouter, full)
            target = hop_target
        result = []
        for i, f in enumerate(froms):
            if i == left_index:
                result.append(join)
            elif f is target:
                continue
            else:
                result.append(f)
        if left_index is None:
            result.insert(0, join)
        return result

    def _find_left(self, froms: list, target: Any, onclause: Any) -> int | None:
        if not froms:
            return None
        candidates = [i for i, f in enumerate(froms) if f is not target]
        if not candidates:
            return None
        if onclause is not None:
            referenced = {id(t) for t in _walk_tables(onclause)}
            for i in candidates:
                if any(id(t) in referenced for t in _base_tables(froms[i])):
                    return i
        else:
            target_tables = _base_tables(target)
            for i in candidates:
                for t in _base_tables(froms[i]):
                    base = getattr(t, "element", t)
                    for tt in target_tables:
                        tbase = getattr(tt, "element", tt)
                        if any(fk.column.table is base for fk in getattr(tbase, "foreign_keys", ())) \
                                or any(fk.column.table is tbase
                                       for fk in getattr(base, "foreign_keys", ())):
                            return i
        return candidates[0]

    def visit_select(self, select: Select, nested: bool = False, correlate: bool = True,
                     **kw: Any) -> str:
        toplevel = self.toplevel
        self.toplevel = False
        columns = select._result_columns()
        if toplevel:
            self._set_result_columns(columns)
        froms = self._compute_froms(select)
        if nested and correlate and self.enclosing_froms and select._auto_correlate:
            enclosing = self.enclosing_froms[-1]
            kept = {id(f) for f in select._correlate_except}
            remaining = [f for f in froms if id(f) not in enclosing or id(f) in kept]
            if remaining:
                froms = remaining
        if select._correlate:
            explicit = {id(f) for f in select._correlate}
            remaining = [f for f in froms if id(f) not in explicit]
            if remaining:
                froms = remaining
        scope = set(self.enclosing_froms[-1]) if self.enclosing_froms else set()
        for f in froms:
            scope.add(id(f))
            for t in (f._from_objects if isinstance(f, Join) else ()):
                scope.add(id(t))
        self.enclosing_froms.append(scope)
        try:
            text = "SELECT "
            if select._distinct:
                text += self.distinct_sql(select, **kw)
            text += ", ".join(self._column_sql(c) for c in columns)
            if froms:
                text += " \nFROM " + ", ".join(self.process(f, within_from=True) for f in froms)
            elif self.dialect_requires_from():
                text += self.dialect_requires_from()
            where = [w for w in select._where]
            if where:
                clause = BooleanClauseList._construct(ops.and_, where) if len(where) > 1 \
                    else where[0]
                rendered = self.process(clause)
                if rendered:
                    text += " \nWHERE " + rendered
            if select._group_by:
                # GROUP BY repeats a labelled expression itself, as SQLAlchemy renders it
                text += " GROUP BY " + ", ".join(self.process(g) for g in select._group_by)
            if select._having:
                clause = BooleanClauseList._construct(ops.and_, list(select._having))
                text += " \nHAVING " + self.process(clause)
            if select._order_by:
                text += " ORDER BY " + ", ".join(self.process(o, within_order_by=True,
                                                               selected=columns)
                                                  for o in select._order_by)
            if select._limit is not None or select._offset is not None:
                text += self.limit_clause(select)
            if select._for_update is not None:
                text += self.for_update_clause(select)
        finally:
            self.enclosing_froms.pop()
        return text

    def dialect_requires_from(self) -> str:
        return ""

    def distinct_sql(self, select: Select, **kw: Any) -> str:
        return "DISTINCT "

    def _column_sql(self, column: Any) -> str:
        if isinstance(column, Label):
            return self.process(column, within_columns=True)
        text = self.process(column)
        if isinstance(column, ColumnElement) and not _plain_column(column):
            name = _result_name_of(column)
            if name is not None and self.label_expressions:
                return text + " AS " + self.quote(name)
        return text

    label_expressions = False

    def limit_clause(self, select: Any) -> str:
        text = ""
        if select._limit is not None:
            text += "\n LIMIT " + self.process(select._limit)
        if select._offset is not None:
            text += " OFFSET " + self.process(select._offset)
        return text

    def for_update_clause(self, select: Any) -> str:
        return " FOR UPDATE"

    def visit_compound_select(self, compound: Any, nested: bool = False, **kw: Any) -> str:
        toplevel = self.toplevel
        self.toplevel = False
        if toplevel:
            self._set_result_columns(compound.selects[0]._result_columns())
        parts = [self.process(s, nested=True, correlate=False) for s in compound.selects]
        text = (" " + compound.keyword + " ").join(parts)
        if compound._order_by:
            text += " ORDER BY " + ", ".join(self.process(o, within_order_by=True)
                                              for o in compound._order_by)
        if compound._limit is not None or compound._offset is not None:
            text += self.limit_clause(compound)
        return text

    # -- DML ----------------------------------------------------------------
    def _returning_sql(self, stmt: Any) -> str:
        if not stmt._returning:
            return ""
        if not self.dialect.features.insert_returning:
            raise exc.CompileError(
                f"RETURNING is not supported by this {self.dialect.name} database version"
            )
        self.compiled.returning = True
        self._set_result_columns(list(stmt._returning))
        return " RETURNING " + ", ".join(self.process(c, include_table=False)
                                          for c in stmt._returning)

    def visit_insert(self, insert: Any, **kw: Any) -> str:
        self.toplevel = False
        compiled = self.compiled
        compiled.is_insert = True
        table = insert.table
        compiled.table = table
        text = "INSERT INTO " + self.preparer.format_table(table)
        if insert._select is not None:
            cols, select = insert._select
            return text + " (" + ", ".join(self.quote(c.name) for c in cols) + ") " + \
                self.process(select, nested=True) + self._post_values_sql(insert) + \
                self._returning_sql(insert)
        if insert._multi_values:
            rows = insert._multi_values
        elif insert._values is not None:
            rows = (insert._values,)
        else:
            rows = (None,)
        given_cols = self._dml_columns(table, rows[0])
        default_cols = [c for c in table.columns
                        if c not in given_cols and c.default is not None
                        and not c.default.is_clause_element]
        clause_default_cols = [c for c in table.columns
                               if c not in given_cols and c.default is not None
                               and c.default.is_clause_element]
        all_cols = given_cols + default_cols + clause_default_cols
        if not all_cols:
            text += self.empty_insert_sql(table)
            return text + self._post_values_sql(insert) + self._returning_sql(insert)
        text += " (" + ", ".join(self.quote(c.name) for c in all_cols) + ") VALUES "
        row_sql = []
        for row in rows:
            values = []
            for col in given_cols:
                values.append(self._dml_value(col, row))
            for col in default_cols:
                values.append(self._default_placeholder(col, col.default))
            for col in clause_default_cols:
                values.append(self.process(col.default.arg))
            row_sql.append("(" + ", ".join(values) + ")")
        return text + ", ".join(row_sql) + self._post_values_sql(insert) + \
            self._returning_sql(insert)

    def _post_values_sql(self, insert: Any) -> str:
        """A clause after the inserted rows (ON CONFLICT …), before RETURNING."""
        clause = insert._post_values_clause
        return "" if clause is None else " " + self.process(clause)

    def empty_insert_sql(self, table: Any) -> str:
        return " DEFAULT VALUES"

    def _dml_columns(self, table: Any, values: dict | None) -> list:
        if values is not None:
            return [c for c in table.columns if c in values]
        keys = self.column_keys or ()
        by_key = {}
        for col in table.columns:
            by_key[col.key] = col
        cols = []
        unknown = [k for k in keys if k not in by_key]
        if unknown and not self.compiled.is_update:
            names = {c.name: c for c in table.columns}
            for k in unknown:
                if k in names:
                    by_key[k] = names[k]
        for key in keys:
            col = by_key.get(key)
            if col is not None and col not in cols:
                cols.append(col)
        return [c for c in table.columns if c in cols]

    def _default_placeholder(self, col: Any, default: Any) -> str:
        self.compiled.dml_positions[col.key] = len(self.positions)
        if default.is_callable and default.takes_context:
            self.compiled.context_defaults = True
        self.positions.append((DEFAULT, default, col.type._processors(self.dialect)[0]))
        self.names.append(col.key)
        return self._placeholder(col.key)

    def _dml_value(self, col: Any, row: dict | None) -> str:
        start = len(self.positions)
        if row is not None:
            sql = self.process(row[col])
            if len(self.positions) == start + 1:
                self.compiled.dml_positions[col.key] = start
            return sql
        self.compiled.dml_positions[col.key] = start
        processor = col.type._processors(self.dialect)[0]
        self.positions.append((NAMED, (self._param_key(col), None), processor))
        self.names.append(col.key)
        return self._placeholder(col.key)

    def _param_key(self, col: Any) -> str:
        keys = self.column_keys or ()
        if col.key in keys:
            return col.key
        if col.name in keys:
            return col.name
        return col.key

    def visit_update(self, update: Any, **kw: Any) -> str:
        self.toplevel = False
        compiled = self.compiled
        compiled.is_update = True
        table = update.table
        compiled.table = table
        where_names = set()
        for crit in update._where:
            where_names.update(_named_binds(crit))
        if update._values is not None:
            set_cols = [c for c in table.columns if c in update._values]
            extra = [c for c in update._values if c not in set_cols]
            set_cols += extra
        else:
            keys = [k for k in (self.column_keys or ()) if k not in where_names]
            saved = self.column_keys
            self.column_keys = tuple(keys)
            set_cols = self._dml_columns(table, None)
            self.column_keys = saved
        onupdate_cols = [c for c in table.columns if c.onupdate is not None and c not in set_cols]
        parts = []
        self.enclosing_froms.append({id(table)})
        for col in set_cols:
            parts.append(self.quote(col.name) + "=" + self._dml_value(col, update._values))
        for col in onupdate_cols:
            if col.onupdate.is_clause_element:
                parts.append(self.quote(col.name) + "=" + self.process(col.onupdate.arg))
            else:
                parts.append(self.quote(col.name) + "=" +
                             self._default_placeholder(col, col.onupdate))
        if not parts:
            raise exc.CompileError(
                f"UPDATE of table '{table.name}' has no values to SET; call .values(...) "
                "or pass parameters to execute()."
            )
        text = "UPDATE " + self.preparer.format_table(table) + " SET " + ", ".join(parts)
        if update._where:
            clause = BooleanClauseList._construct(ops.and_, list(update._where))
            text += " WHERE " + self.process(clause)
        self.enclosing_froms.pop()
        return text + self._returning_sql(update)

    def visit_delete(self, delete: Any, **kw: Any) -> str:
        self.toplevel = False
        self.compiled.is_delete = True
        table = delete.table
        self.compiled.table = table
        text = "DELETE FROM " + self.preparer.format_table(table)
        if delete._where:
            self.enclosing_froms.append({id(table)})
            clause = BooleanClauseList._construct(ops.and_, list(delete._where))
            text += " WHERE " + self.process(clause)
            self.enclosing_froms.pop()
        return text + self._returning_sql(delete)

    # -- fallbacks for ORM-level elements -----------------------------------
    def visit_column_element(self, element: Any, **kw: Any) -> str:
        inner = getattr(element, "__clause_element__", None)
        if inner is not None:
            return self.process(inner(), **kw)
        raise exc.UnsupportedCompilationError(f"can't render {type(element).__name__}")


def _is_tuple_list(element: Any) -> bool:
    inner = getattr(element, "element", None)
    items = getattr(inner, "clauses", None)
    return bool(items) and all(getattr(i, "element", None).__class__.__name__ == "Tuple"
                               for i in items)


def _plain_column(column: Any) -> bool:
    return column.__visit_name__ in ("column", "proxy_column")


def _strip(kw: dict) -> dict:
    return {k: v for k, v in kw.items()
            if k not in ("within_from", "within_columns", "within_order_by", "selected",
                         "nested", "correlate", "include_table")}


def _walk(element: Any) -> Any:
    """Every node below ``element`` (itself included), for the few whole-tree questions."""
    stack = [element]
    while stack:
        item = stack.pop()
        yield item
        attrs = getattr(item, "__dict__", None)
        if attrs is not None:
            for attr in ("left", "right", "element", "clause"):
                child = attrs.get(attr)
                if isinstance(child, ClauseElement):
                    stack.append(child)
        stack.extend(getattr(item, "clauses", ()) or ())


def _walk_tables(element: Any) -> list:
    return [item.table for item in _walk(element)
            if getattr(item, "table", None) is not None and not isinstance(item, Alias)]


def _named_binds(element: Any) -> set:
    return {item.key for item in _walk(element)
            if isinstance(item, BindParameter) and not item.unique}


class TypeCompiler:
    """Type → DDL name, as data: dialects override entries of the three tables."""

    #: visit name → fixed SQL name
    type_names: dict[str, str] = {
        "integer": "INTEGER", "small_integer": "SMALLINT", "big_integer": "BIGINT",
        "double": "DOUBLE", "boolean": "BOOLEAN", "datetime": "DATETIME", "date": "DATE",
        "time": "TIME", "interval": "DATETIME", "large_binary": "BLOB", "uuid": "CHAR(32)",
        "DOUBLE_PRECISION": "DOUBLE PRECISION",
    }
    #: visit name → SQL name that takes the type's length (and collation)
    length_names: dict[str, str] = {
        "string": "VARCHAR", "VARCHAR": "VARCHAR", "CHAR": "CHAR", "NVARCHAR": "NVARCHAR",
        "unicode": "VARCHAR", "text": "TEXT", "unicode_text": "TEXT", "enum": "VARCHAR",
    }
    #: visit name → SQL name that takes precision and scale
    numeric_names: dict[str, str] = {
        "numeric": "NUMERIC", "NUMERIC": "NUMERIC", "DECIMAL": "DECIMAL",
    }

    def process(self, type_: Any) -> str:
        variants = type_.__dict__.get("_variants")
        if variants and getattr(self, "dialect_name", None) in variants:
            type_ = variants[self.dialect_name]
        visit_name = type_.__visit_name__
        method = getattr(self, "visit_" + visit_name, None)
        if method is not None:
            return method(type_)
        name = self.type_names.get(visit_name)
        if name is not None:
            return name
        name = self.length_names.get(visit_name)
        if name is not None:
            return self._length(name, type_)
        name = self.numeric_names.get(visit_name)
        if name is not None:
            return self._numeric(name, type_)
        return visit_name.upper()

    def _length(self, base: str, type_: Any) -> str:
        length = getattr(type_, "length", None)
        text = f"{base}({length})" if length else base
        collation = getattr(type_, "collation", None)
        if collation:
            text += f' COLLATE "{collation}"'
        return text

    def _numeric(self, base: str, type_: Any) -> str:
        if type_.precision is not None and type_.scale is not None:
            return f"{base}({type_.precision}, {type_.scale})"
        if type_.precision is not None:
            return f"{base}({type_.precision})"
        return base

    def visit_float(self, type_: Any) -> str:
        return f"FLOAT({type_.precision})" if type_.precision else "FLOAT"

    def visit_null(self, type_: Any) -> str:
        raise exc.CompileError(
            "Can't generate DDL for a column of unknown type (NullType); give the column a "
            "type such as Integer or String"
        )


class DDLCompiler(SQLCompiler):
    """CREATE / DROP statements; literal values are rendered inline."""

    def __init__(self, dialect: Any, statement: Any, binds: list, column_keys: Any = None,
                 literal_binds: bool = True) -> None:
        super().__init__(dialect, statement, binds, column_keys, literal_binds=True)
        self.compiled.is_ddl = True

    def visit_create_table(self, create: Any, **kw: Any) -> str:
        table = create.element
        lines = [self.column_spec(col) for col in table.columns]
        lines += self.constraint_specs(table)
        exists = "IF NOT EXISTS " if create.if_not_exists else ""
        return (f"CREATE TABLE {exists}{self.preparer.format_table(table)} (\n\t" +
                ", \n\t".join(lines) + "\n)")

    def column_spec(self, column: Any) -> str:
        text = self.quote(column.name) + " " + self.column_type(column)
        default = self.default_sql(column)
        if default is not None:
            text += " DEFAULT " + default
        if not column.nullable:
            text += " NOT NULL"
        return text

    def column_type(self, column: Any) -> str:
        return self.dialect.type_compiler.process(column.type)

    def default_sql(self, column: Any) -> str | None:
        server_default = column.server_default
        if server_default is None or getattr(server_default, "arg", None) is None:
            return None
        arg = server_default.arg
        if isinstance(arg, str):
            return "'" + arg.replace("'", "''") + "'"
        if getattr(arg, "_is_text", False):
            return arg.text
        return "(" + self.process(arg) + ")"

    def constraint_specs(self, table: Any) -> list[str]:
        from .schema import CheckConstraint, UniqueConstraint

        specs = []
        pk = table.primary_key
        if pk.columns:
            name = f"CONSTRAINT {self.quote(pk.name)} " if pk.name else ""
            specs.append(name + "PRIMARY KEY (" +
                         ", ".join(self.quote(c.name) for c in pk.columns) + ")")
        constraints = sorted(
            (c for c in table.constraints if c is not pk),
            key=lambda c: (type(c).__name__, [col.name for col in c.columns], c.name or ""),
        )
        for constraint in constraints:
            name = f"CONSTRAINT {self.quote(constraint.name)} " if constraint.name else ""
            if isinstance(constraint, UniqueConstraint):
                specs.append(name + "UNIQUE (" +
                             ", ".join(self.quote(c.name) for c in constraint.columns) + ")")
            elif isinstance(constraint, CheckConstraint):
                specs.append(name + "CHECK (" + self.process(constraint.sqltext,
                                                             include_table=False) + ")")
        # a ForeignKeyConstraint renders its keys together; a lone ForeignKey is its own group
        groups: dict = {}
        for col in table.columns:
            for fk in sorted(col.foreign_keys, key=lambda f: f.target_fullname):
                owner = fk.constraint if fk.constraint is not None else fk
                groups.setdefault(id(owner), (owner, []))[1].append(fk)
        for owner, fks in groups.values():
            if owner.use_alter:
                continue
            name = f"CONSTRAINT {self.quote(owner.name)} " if owner.name else ""
            local = ", ".join(self.quote(fk.parent.name) for fk in fks)
            remote = ", ".join(self.quote(fk.column.name) for fk in fks)
            spec = (f"{name}FOREIGN KEY({local}) REFERENCES "
                    f"{self.preparer.format_table(fks[0].column.table)} ({remote})")
            if owner.ondelete:
                spec += " ON DELETE " + _ddl_keyword(owner.ondelete)
            if owner.onupdate:
                spec += " ON UPDATE " + _ddl_keyword(owner.onupdate)
            specs.append(spec)
        return specs

    def visit_drop_table(self, drop: Any, **kw: Any) -> str:
        exists = "IF EXISTS " if drop.if_exists else ""
        return f"DROP TABLE {exists}{self.preparer.format_table(drop.element)}"

    def visit_create_index(self, create: Any, **kw: Any) -> str:
        index = create.element
        unique = "UNIQUE " if index.unique else ""
        exists = "IF NOT EXISTS " if create.if_not_exists else ""
        cols = ", ".join(self.process(e, include_table=False) for e in index.expressions)
        text = (f"CREATE {unique}INDEX {exists}{self.quote(index.name)} ON "
                f"{self.preparer.format_table(index.table)}{self.index_using(index)} ({cols})")
        where = index.kwargs.get(f"{self.dialect.name}_where")
        if where is not None:  # a partial index (sqlite_where=, postgresql_where=)
            from .elements import _coerce_where

            text += " WHERE " + self.process(_coerce_where(where), include_table=False)
        return text

    def index_using(self, index: Any) -> str:
        """The index method clause a dialect may put before the columns (PostgreSQL's
        ``USING gin``); none by default."""
        return ""

    def visit_drop_index(self, drop: Any, **kw: Any) -> str:
        exists = "IF EXISTS " if drop.if_exists else ""
        return f"DROP INDEX {exists}{self.quote(drop.element.name)}"

    def visit_column(self, column: Any, include_table: bool = False, **kw: Any) -> str:
        return self.quote(column.name)


_DDL_KEYWORD = re.compile(r"^[A-Za-z ]+$")


def _ddl_keyword(value: str) -> str:
    if not _DDL_KEYWORD.match(value):
        raise exc.CompileError(f"Unexpected SQL phrase: {value!r} (expected e.g. 'CASCADE')")
    return value.upper()


__all__ = ["ColumnCollection", "Compiled", "DDLCompiler", "IdentifierPreparer", "SQLCompiler",
           "TypeCompiler", "compile_cached", "compile_element"]
