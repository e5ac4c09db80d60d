"""Schema objects: MetaData, Table, Column, keys, constraints and indexes."""

from __future__ import annotations

from typing import Any

from .. import exc
from .._util import topo
from . import types as sqltypes
from .elements import ClauseElement, ColumnElement, TextClause, _coerce_where
from .selectable import ColumnCollection, TableClause


class SchemaItem:
    """Marker base for things that can be passed to Table() and Column()."""

    def _set_parent(self, parent: Any) -> None:
        raise NotImplementedError


class MetaData:
    """A collection of Tables and their relationships."""

    def __init__(self, schema: str | None = None, naming_convention: dict | None = None,
                 info: dict | None = None) -> None:
        self.tables: dict[str, Table] = {}
        self.schema = schema
        self.naming_convention = naming_convention or {}
        self.info = info or {}

    def __contains__(self, key: Any) -> bool:
        return (key.fullname if isinstance(key, Table) else key) in self.tables

    def __repr__(self) -> str:
        return "MetaData()"

    def _add_table(self, table: Table) -> None:
        self.tables[table.fullname] = table

    def remove(self, table: Table) -> None:
        self.tables.pop(table.fullname, None)

    def clear(self) -> None:
        self.tables.clear()

    @property
    def sorted_tables(self) -> list[Table]:
        """Tables ordered so that each comes after the tables it references."""
        tables = sorted(self.tables.values(), key=lambda t: t.fullname)
        return _sort_tables(tables)

    def create_all(self, bind: Any, tables: list | None = None, checkfirst: bool = True) -> None:
        from .ddl import run_create_all

        run_create_all(self, bind, tables, checkfirst)

    def drop_all(self, bind: Any, tables: list | None = None, checkfirst: bool = True) -> None:
        from .ddl import run_drop_all

        run_drop_all(self, bind, tables, checkfirst)

    def reflect(self, bind: Any, schema: str | None = None, views: bool = False,
                only: Any = None, extend_existing: bool = False, autoload_replace: bool = True,
                resolve_fks: bool = True, **dialect_kwargs: Any) -> None:
        """Tables from the database's catalog (``sql.reflection``)."""
        if views:
            raise exc.InvalidRequestError(
                "MetaData.reflect(views=True) is not supported by lightalchemy yet; reflect "
                "the tables, and declare a view's columns as a Table if you need one"
            )
        from .reflection import reflect_metadata

        reflect_metadata(self, bind, schema=schema, only=only,
                         extend_existing=extend_existing, resolve_fks=resolve_fks)


def _sort_tables(tables: list) -> list:
    edges = []
    for table in tables:
        for fk in table.foreign_keys:
            target = fk._resolve_table()
            if target is not None and target is not table and not fk.use_alter:
                edges.append((target, table))
    try:
        return topo.sort(tables, edges)
    except topo.CycleError:
        return tables


class Table(TableClause):
    """A table in a MetaData, with its columns and constraints."""

    __visit_name__ = "table"
    foreign_keys: Any = None  # set per instance; shadows FromClause's computed property
    primary_key: Any = None

    def __new__(cls, *args: Any, **kw: Any) -> Table:
        if len(args) >= 2 and isinstance(args[1], MetaData):
            name, metadata = args[0], args[1]
            schema = kw.get("schema", metadata.schema)
            key = f"{schema}.{name}" if schema else name
            existing = metadata.tables.get(key)
            if existing is not None:
                if kw.get("extend_existing"):
                    existing._extend(args[2:], kw)
                    if kw.get("autoload_with") is not None:
                        from .reflection import reflect_table

                        reflect_table(existing, kw["autoload_with"],
                                      kw.get("include_columns"),
                                      tuple(kw.get("exclude_columns", ())),
                                      kw.get("resolve_fks", True))
                    existing.__dict__["_skip_init"] = True
                    return existing
                if kw.get("keep_existing") or len(args) == 2:
                    existing.__dict__["_skip_init"] = True
                    return existing
                raise exc.InvalidRequestError(
                    f"Table '{key}' is already defined for this MetaData instance. Specify "
                    "'extend_existing=True' to redefine options and columns on an existing "
                    "Table object."
                )
        return super().__new__(cls)

    def __init__(self, name: str, metadata: MetaData, *args: Any, schema: str | None = None,
                 extend_existing: bool = False, keep_existing: bool = False,
                 info: dict | None = None, comment: str | None = None,
                 **kw: Any) -> None:
        if self.__dict__.pop("_skip_init", False):
            return
        if not isinstance(metadata, MetaData):
            raise exc.ArgumentError(
                f"Table({name!r}) expects a MetaData as its second argument, got {metadata!r}"
            )
        self.name = name
        self.metadata = metadata
        self.schema = schema if schema is not None else metadata.schema
        self.columns = ColumnCollection()
        self.constraints: set = set()
        self.indexes: set = set()
        self.foreign_keys: list = []  # type: ignore[assignment]
        self.primary_key = PrimaryKeyConstraint()  # type: ignore[assignment]
        self.primary_key._set_parent(self)
        self.info = info or {}
        self.comment = comment
        autoload_with = kw.pop("autoload_with", None)
        if kw.get("autoload") and autoload_with is None:
            raise exc.ArgumentError(
                f"Table({name!r}, autoload=True) needs autoload_with=engine (or a Connection) "
                "to read the table's definition from"
            )
        reflect_options = {"include_columns": kw.pop("include_columns", None),
                           "exclude_columns": tuple(kw.pop("exclude_columns", ())),
                           "resolve_fks": kw.pop("resolve_fks", True)}
        for ignored in ("prefixes", "implicit_returning", "quote", "quote_schema",
                        "must_exist", "listeners", "autoload_replace", "autoload"):
            kw.pop(ignored, None)
        unknown = [k for k in kw if "_" not in k.strip("_")]
        if unknown:
            raise TypeError(
                f"Additional arguments should be named <dialectname>_<argument>, got "
                f"'{unknown[0]}'"
            )
        self.kwargs = kw
        self._autoincrement_column: Column | None = None
        metadata._add_table(self)
        self._extend(args, {})
        if autoload_with is not None:
            from .reflection import reflect_table

            try:
                reflect_table(self, autoload_with, **reflect_options)
            except BaseException:
                metadata.remove(self)  # as SQLAlchemy: a table that failed is not kept
                raise
        _adopt_referenced_types(metadata)

    def _extend(self, args: Any, kw: dict) -> None:
        for item in args:
            if item is None:
                continue
            if isinstance(item, Column):
                self.append_column(item)
            elif isinstance(item, SchemaItem):
                item._set_parent(self)
            else:
                raise exc.ArgumentError(
                    f"Table({self.name!r}) got {item!r}; expected Column or constraint objects"
                )

    def append_column(self, column: Column, replace_existing: bool = False) -> None:
        column._set_parent(self)

    def append_constraint(self, constraint: Any) -> None:
        constraint._set_parent(self)

    def _columns_changed(self) -> None:
        auto = None
        pk = [c for c in self.columns if c.primary_key]
        if len(pk) == 1:
            col = pk[0]
            if col.autoincrement is True or (
                col.autoincrement == "auto" and isinstance(col.type, sqltypes.Integer)
                and not col.foreign_keys and col.server_default is None
                and not _has_python_default(col)
            ):
                auto = col
        else:
            for col in pk:
                if col.autoincrement is True:
                    auto = col
        self._autoincrement_column = auto

    @property
    def autoincrement_column(self) -> Column | None:
        return self._autoincrement_column

    @property
    def key(self) -> str:  # type: ignore[override]
        return self.fullname

    @property
    def c(self) -> ColumnCollection:
        return self.columns

    def create(self, bind: Any, checkfirst: bool = False) -> None:
        self.metadata.create_all(bind, tables=[self], checkfirst=checkfirst)

    def drop(self, bind: Any, checkfirst: bool = False) -> None:
        self.metadata.drop_all(bind, tables=[self], checkfirst=checkfirst)

    def tometadata(self, metadata: MetaData) -> Table:
        raise exc.InvalidRequestError("Table.to_metadata() is not supported by lightalchemy yet")

    to_metadata = tometadata

    def __repr__(self) -> str:
        return f"Table({self.name!r}, {', '.join(repr(c) for c in self.columns)})"

    __hash__ = object.__hash__


def _adopt_referenced_types(metadata: MetaData) -> None:
    """A column declared with only a ForeignKey takes the type of the column it references,
    as soon as that column exists (SQLAlchemy does the same)."""
    for table in metadata.tables.values():
        for fk in table.foreign_keys:
            parent = fk.parent
            if parent is not None and isinstance(parent.type, sqltypes.NullType):
                target = fk._resolve_table()
                if target is None:
                    continue
                try:
                    parent.type = fk.column.type
                except exc.NoReferenceError:
                    continue


def _has_python_default(column: Column) -> bool:
    return column.default is not None


def _reporting(fn: Any) -> Any:
    """A default function whose error reaches the caller as SQLAlchemy reports it: a
    StatementError with the original exception as ``.orig``."""

    def run(context: Any) -> Any:
        try:
            return fn(context)
        except exc.SQLAlchemyError:
            raise
        except Exception as error:
            raise exc.StatementError(
                f"({type(error).__module__}.{type(error).__qualname__}) {error}", None, None,
                error) from error

    return run


class ColumnDefault:
    """A Python-side default: a constant or a callable run at INSERT/UPDATE time."""

    def __init__(self, arg: Any, for_update: bool = False) -> None:
        self.for_update = for_update
        self.is_clause_element = isinstance(arg, ClauseElement)
        self.is_callable = callable(arg) and not self.is_clause_element
        self.is_scalar = not self.is_callable and not self.is_clause_element
        self.is_sequence = False
        self.is_server_default = False
        self.takes_context = False
        if self.is_callable:
            self.takes_context = _takes_context(arg)
            self.arg = _reporting(arg if self.takes_context else (lambda context: arg()))
            self._user_fn = arg
        else:
            self.arg = arg

    def __repr__(self) -> str:
        return f"ColumnDefault({self.arg!r})"


def _takes_context(fn: Any) -> bool:
    """SQLAlchemy calls a default with a context if it takes a positional argument."""
    import inspect

    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
               for p in signature.parameters.values())


class DefaultClause:
    """A server-side default rendered in the DDL."""

    is_server_default = True

    def __init__(self, arg: Any, for_update: bool = False) -> None:
        self.arg = arg
        self.for_update = for_update

    def __repr__(self) -> str:
        return f"DefaultClause({self.arg!r})"


class FetchedValue:
    """The database sets this column (a trigger, a computed column…)."""

    is_server_default = True
    arg = None

    def __init__(self, for_update: bool = False) -> None:
        self.for_update = for_update


class Column(ColumnElement, SchemaItem):
    """A column of a Table."""

    __visit_name__ = "column"

    def __init__(self, *args: Any, **kw: Any) -> None:
        args_list = list(args)
        name = None
        type_ = None
        if args_list and isinstance(args_list[0], str):
            name = args_list.pop(0)
        if args_list and (isinstance(args_list[0], sqltypes.TypeEngine) or (
                isinstance(args_list[0], type) and issubclass(args_list[0], sqltypes.TypeEngine))):
            type_ = args_list.pop(0)
        self.name = kw.pop("name", name)
        self.key = kw.pop("key", None) or self.name
        self.type = sqltypes.to_instance(kw.pop("type_", type_))
        self.primary_key = kw.pop("primary_key", False)
        nullable = kw.pop("nullable", None)
        self._user_nullable = nullable
        self.nullable = (not self.primary_key) if nullable is None else nullable
        default = kw.pop("default", None)
        self.default = ColumnDefault(default) if default is not None else None
        onupdate = kw.pop("onupdate", None)
        self.onupdate = ColumnDefault(onupdate, for_update=True) if onupdate is not None else None
        server_default = kw.pop("server_default", None)
        if server_default is not None and not isinstance(server_default,
                                                         DefaultClause | FetchedValue):
            server_default = DefaultClause(server_default)
        self.server_default = server_default
        self.server_onupdate = kw.pop("server_onupdate", None)
        self.unique = kw.pop("unique", None)
        self.index = kw.pop("index", None)
        self.autoincrement = kw.pop("autoincrement", "auto")
        self.doc = kw.pop("doc", None)
        self.comment = kw.pop("comment", None)
        self.info = kw.pop("info", None) or {}
        self.quote = kw.pop("quote", None)
        self.system = kw.pop("system", False)
        self.insert_default = self.default
        for ignored in ("sort_order", "insert_sentinel", "compare", "_proxies"):
            kw.pop(ignored, None)
        if kw:
            raise exc.ArgumentError(
                f"Unknown arguments passed to Column: {sorted(kw)}; valid ones include "
                "primary_key, nullable, default, server_default, onupdate, unique, index, "
                "autoincrement, key, doc, comment."
            )
        self.table: Any = None
        self.foreign_keys: set = set()  # type: ignore[assignment]
        self.constraints: set = set()
        self._pending_items = []
        for item in args_list:
            if isinstance(item, ForeignKey):
                self.foreign_keys.add(item)
                item.parent = self
            elif isinstance(item, SchemaItem | Sequence | Identity | Computed):
                self._pending_items.append(item)
            elif isinstance(item, (DefaultClause, FetchedValue)):
                self.server_default = item
            else:
                raise exc.ArgumentError(f"Column() got an unexpected positional argument {item!r}")

    def _set_parent(self, table: Any) -> None:
        if self.name is None:
            raise exc.ArgumentError(
                "Column must be constructed with a non-blank name or assign a non-blank .name "
                "before adding to a Table."
            )
        if self.table is not None and self.table is not table:
            raise exc.ArgumentError(
                f"Column object '{self.key}' already assigned to Table '{self.table.name}'"
            )
        self.table = table
        existing = table.columns.get(self.key)
        if existing is not None and existing is not self:
            raise exc.DuplicateColumnError(
                f"A column with name '{self.name}' is already present in table '{table.name}'."
            ) if hasattr(exc, "DuplicateColumnError") else exc.ArgumentError(
                f"A column with name '{self.name}' is already present in table '{table.name}'."
            )
        table.columns._add(self, self.key)
        if self.primary_key:
            table.primary_key._add_column(self)
        for fk in self.foreign_keys:
            table.foreign_keys.append(fk)
            fk.table = table
        if self.unique and not self.index:
            UniqueConstraint(self, _column_level=True)._set_parent(table)
        if self.index:
            Index(_index_name(table, self), self, unique=bool(self.unique))._set_parent(table)
        for item in self._pending_items:
            if isinstance(item, SchemaItem):
                item._set_parent(table)
        table._columns_changed()

    def _gen_key(self, binds: list) -> Any:
        return self

    @property
    def _from_objects(self) -> list:
        return [self.table] if self.table is not None else []

    def _result_name(self) -> str | None:
        return self.key

    def references(self, column: Column) -> bool:
        return any(fk.column is column for fk in self.foreign_keys)

    def copy(self, **kw: Any) -> Column:
        return self._copy()

    def _copy(self) -> Column:
        clone = Column.__new__(Column)
        clone.__dict__.update(self.__dict__)
        clone.table = None
        clone.foreign_keys = set()
        for fk in self.foreign_keys:
            new_fk = fk._copy()
            new_fk.parent = clone
            clone.foreign_keys.add(new_fk)
        clone.constraints = set()
        return clone

    def __repr__(self) -> str:
        table = f"table=<{self.table.name}>" if self.table is not None else "table=None"
        return f"Column({self.name!r}, {self.type!r}, {table})"

    __hash__ = object.__hash__


def _column_named(table: Any, name: str) -> Any:
    """A table's column by attribute key, else by database name."""
    col = table.columns.get(name)
    if col is None:
        col = next((c for c in table.columns if c.name == name), None)
    return col


def _resolve_specs(table: Any, specs: list, owner: str) -> list:
    """Column names, columns and ORM attributes given to a constraint or index → columns."""
    resolved = []
    for spec in specs:
        if isinstance(spec, str):
            col = _column_named(table, spec)
            if col is None:
                raise exc.ArgumentError(
                    f"{owner} on table '{table.name}' names column {spec!r}, which the table "
                    f"does not have (columns: {', '.join(table.columns.keys())})"
                )
            resolved.append(col)
        elif hasattr(spec, "__clause_element__"):
            resolved.append(spec.__clause_element__())
        else:
            resolved.append(spec)
    return resolved


def _index_name(table: Table, column: Column) -> str:
    return f"ix_{table.name}_{column.name}"


class ForeignKey(SchemaItem):
    """A column-level reference to another table's column."""

    def __init__(self, column: Any, onupdate: str | None = None, ondelete: str | None = None,
                 name: str | None = None, use_alter: bool = False, deferrable: Any = None,
                 initially: Any = None, link_to_name: bool = False, match: Any = None,
                 info: dict | None = None, **kw: Any) -> None:
        self._colspec = column
        self.onupdate = onupdate
        self.ondelete = ondelete
        self.name = name
        self.use_alter = use_alter
        self.deferrable = deferrable
        self.initially = initially
        self.parent: Column | None = None
        self.table: Table | None = None
        self.constraint = None
        self._column: Column | None = column if isinstance(column, Column) else None

    def _copy(self) -> ForeignKey:
        return ForeignKey(self._colspec, onupdate=self.onupdate, ondelete=self.ondelete,
                          name=self.name, use_alter=self.use_alter)

    @property
    def target_fullname(self) -> str:
        if isinstance(self._colspec, str):
            return self._colspec
        col = self._colspec
        if hasattr(col, "__clause_element__"):
            col = col.__clause_element__()
        return f"{col.table.fullname}.{col.key}"

    def _parse(self) -> tuple[str, str]:
        spec = self.target_fullname
        table_name, _, column_name = spec.rpartition(".")
        return table_name, column_name

    def _resolve_table(self) -> Table | None:
        if self._column is not None:
            return self._column.table
        if self.parent is None or self.parent.table is None:
            return None
        metadata = self.parent.table.metadata
        table_name, _ = self._parse()
        return metadata.tables.get(table_name)

    @property
    def column(self) -> Column:
        if self._column is None:
            if not isinstance(self._colspec, str):
                col = self._colspec
                if hasattr(col, "__clause_element__"):
                    col = col.__clause_element__()
                self._column = col
                return col
            table_name, column_name = self._parse()
            parent_table = self.parent.table if self.parent is not None else None
            if parent_table is None:
                raise exc.InvalidRequestError(
                    f"ForeignKey('{self._colspec}') is not attached to a table yet"
                )
            target = parent_table.metadata.tables.get(table_name)
            if target is None:
                raise exc.NoReferencedTableError(
                    f"Foreign key associated with column '{parent_table.name}.{self.parent.name}' "
                    f"could not find table '{table_name}' with which to generate a foreign key "
                    f"to target column '{column_name}'; define that table in the same MetaData.",
                    table_name,
                )
            col = _column_named(target, column_name)
            if col is None:
                raise exc.NoReferencedColumnError(
                    f"Could not initialize target column for ForeignKey '{self._colspec}' on "
                    f"table '{parent_table.name}': table '{table_name}' has no column named "
                    f"'{column_name}'",
                    table_name, column_name,
                )
            self._column = col
        return self._column

    def references(self, table: Table) -> bool:
        return self._resolve_table() is table

    def get_referent(self, table: Any) -> Any:
        return table.columns.get(self.column.key)

    def __repr__(self) -> str:
        return f"ForeignKey({self.target_fullname!r})"


class Constraint(SchemaItem):
    def __init__(self, *columns: Any, name: str | None = None, **kw: Any) -> None:
        self.name = name
        self._pending = list(columns)
        self.columns: list = []
        self.table: Table | None = None
        self.deferrable = kw.get("deferrable")
        self.initially = kw.get("initially")

    def _resolve_columns(self, table: Table) -> list:
        return _resolve_specs(table, self._pending, type(self).__name__)

    def _set_parent(self, table: Any) -> None:
        self.table = table
        self.columns = self._resolve_columns(table)
        table.constraints.add(self)


class PrimaryKeyConstraint(Constraint):
    def _add_column(self, column: Column) -> None:
        if column not in self.columns:
            self.columns.append(column)

    def _set_parent(self, table: Any) -> None:
        self.table = table
        if self._pending:
            for col in self._resolve_columns(table):
                col.primary_key = True
                if col._user_nullable is None:
                    col.nullable = False
                self._add_column(col)
            existing = table.primary_key
            if existing is not self:
                for col in existing.columns:
                    self._add_column(col)
                table.constraints.discard(existing)
                table.primary_key = self
            table._columns_changed()
        table.constraints.add(self)

    def __iter__(self):
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def __contains__(self, column: Any) -> bool:
        return any(column is c for c in self.columns)

    def __getitem__(self, index: int) -> Any:
        return self.columns[index]

    @property
    def c(self) -> ColumnCollection:
        return ColumnCollection(self.columns)


class UniqueConstraint(Constraint):
    def __init__(self, *columns: Any, name: str | None = None, _column_level: bool = False,
                 **kw: Any) -> None:
        super().__init__(*columns, name=name, **kw)
        self._column_level = _column_level


class CheckConstraint(Constraint):
    def __init__(self, sqltext: Any, name: str | None = None, **kw: Any) -> None:
        super().__init__(name=name, **kw)
        if isinstance(sqltext, str):
            sqltext = TextClause(sqltext)
        else:
            sqltext = _coerce_where(sqltext)
        self.sqltext = sqltext


class ForeignKeyConstraint(Constraint):
    def __init__(self, columns: list, refcolumns: list, name: str | None = None,
                 onupdate: str | None = None, ondelete: str | None = None,
                 use_alter: bool = False, **kw: Any) -> None:
        super().__init__(*columns, name=name, **kw)
        self.refcolumns = list(refcolumns)
        self.onupdate = onupdate
        self.ondelete = ondelete
        self.use_alter = use_alter
        self.elements: list[ForeignKey] = []

    def _set_parent(self, table: Any) -> None:
        super()._set_parent(table)
        for col, ref in zip(self.columns, self.refcolumns):
            fk = ForeignKey(ref, onupdate=self.onupdate, ondelete=self.ondelete,
                            use_alter=self.use_alter)
            fk.parent = col
            fk.table = table
            fk.constraint = self
            col.foreign_keys.add(fk)
            table.foreign_keys.append(fk)
            self.elements.append(fk)


class Index(SchemaItem):
    def __init__(self, name: str | None, *expressions: Any, unique: bool = False,
                 **kw: Any) -> None:
        self.name = name
        self.unique = unique
        self._pending = list(expressions)
        self.expressions: list = []
        self.table: Table | None = None
        self.kwargs = kw
        table = None
        for expr in expressions:
            if hasattr(expr, "__clause_element__"):
                expr = expr.__clause_element__()
            owner = getattr(expr, "table", None)
            if isinstance(owner, Table):
                table = owner
        if table is not None:
            self._set_parent(table)

    @property
    def columns(self) -> list:
        return [e for e in self.expressions if isinstance(e, Column)]

    def _set_parent(self, table: Any) -> None:
        if self.table is table:
            return
        self.table = table
        self.expressions = _resolve_specs(table, self._pending, f"Index({self.name!r})")
        table.indexes.add(self)

    def create(self, bind: Any, checkfirst: bool = False) -> None:
        from .ddl import CreateIndex

        with _connection_for(bind) as conn:
            conn.execute(CreateIndex(self))

    def drop(self, bind: Any, checkfirst: bool = False) -> None:
        from .ddl import DropIndex

        with _connection_for(bind) as conn:
            conn.execute(DropIndex(self))

    def __repr__(self) -> str:
        return f"Index({self.name!r})"


def _connection_for(bind: Any) -> Any:
    begin = getattr(bind, "begin", None)
    if hasattr(bind, "_is_engine") and bind._is_engine:
        return begin()
    from contextlib import nullcontext

    return nullcontext(bind)


class Sequence:
    """Accepted for portability; SQLite has none, so it is ignored there."""

    def __init__(self, name: str, start: int | None = None, increment: int | None = None,
                 **kw: Any) -> None:
        self.name = name
        self.start = start
        self.increment = increment


class Identity:
    def __init__(self, always: bool = False, start: int | None = None,
                 increment: int | None = None, **kw: Any) -> None:
        self.always = always
        self.start = start
        self.increment = increment


class Computed:
    def __init__(self, sqltext: Any, persisted: bool | None = None) -> None:
        self.sqltext = sqltext
        self.persisted = persisted
