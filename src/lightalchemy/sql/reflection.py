"""Tables built from the database's own description.

``Table("t", metadata, autoload_with=engine)`` and ``metadata.reflect(engine)``
ask the Inspector (``inspect(bind)``, which asks the dialect's catalog) for
columns, the primary key, foreign keys, unique constraints and indexes, and
build the same schema objects a program would have declared.  Columns the
program does declare take precedence over the reflected ones of the same
name, as in SQLAlchemy, which is how a reflected table gets, say, a Python
type the database cannot tell (an Enum, a JSON column stored as TEXT).
A table a foreign key points at is reflected into the same MetaData too
(``resolve_fks=True``), so joins and relationships find it.
"""

from __future__ import annotations

from typing import Any

from .. import exc
from ..inspection import inspect


def reflect_table(table: Any, bind: Any, include_columns: Any = None,
                  exclude_columns: Any = (), resolve_fks: bool = True) -> None:
    """Fill ``table`` (already holding what the program declared) from the database."""
    inspector = inspect(bind)
    name, schema = table.name, table.schema
    if not inspector.has_table(name, schema):
        raise exc.NoSuchTableError(
            f"Table {name!r} does not exist in the database, so it cannot be reflected; "
            "inspect(engine).get_table_names() lists the tables there are."
        )
    from .schema import Column

    wanted = set(include_columns) if include_columns is not None else None
    declared = set(table.c.keys())
    pk = inspector.get_pk_constraint(name, schema)
    pk_names = pk.get("constrained_columns") or []
    infos = inspector.get_columns(name, schema)
    for info in infos:
        column_name = info["name"]
        if column_name in declared or column_name in exclude_columns or (
                wanted is not None and column_name not in wanted):
            continue
        table.append_column(Column(column_name, info["type"], **_column_options(info)))
    _in_database_order(table, [info["name"] for info in infos])
    _reflect_primary_key(table, pk, pk_names)
    for fk in inspector.get_foreign_keys(name, schema):
        _reflect_foreign_key(table, bind, fk, resolve_fks)
    for unique in _unique_constraints(inspector, name, schema):
        _add_if_columns_known(table, unique["column_names"], lambda columns, u=unique: (
            _unique(columns, u.get("name"))))
    for index in inspector.get_indexes(name, schema):
        if index.get("duplicates_constraint"):
            continue  # the index behind a UNIQUE constraint, reflected as the constraint
        _add_if_columns_known(table, index["column_names"], lambda columns, i=index: (
            _index(i["name"], columns, i.get("unique", False))))


def reflect_metadata(metadata: Any, bind: Any, schema: str | None = None,
                     only: Any = None, extend_existing: bool = False,
                     resolve_fks: bool = True) -> None:
    """``MetaData.reflect()``: every table of the schema (or those ``only`` names or
    picks with a callable ``only(name, metadata)``) not yet in ``metadata``."""
    from .schema import Table

    inspector = inspect(bind)
    schema = schema if schema is not None else metadata.schema
    names = inspector.get_table_names(schema)
    if only is None:
        chosen = names
    elif callable(only):
        chosen = [n for n in names if only(n, metadata)]
    else:
        missing = [n for n in only if n not in names]
        if missing:
            raise exc.InvalidRequestError(
                f"Could not reflect: requested table(s) not available in {bind!r}"
                f"{f' schema {schema!r}' if schema else ''}: ({', '.join(missing)})"
            )
        chosen = [n for n in names if n in set(only)]
    for name in chosen:
        key = f"{schema}.{name}" if schema else name
        if key in metadata.tables and not extend_existing:
            continue
        Table(name, metadata, schema=schema, autoload_with=bind,
              extend_existing=extend_existing, resolve_fks=resolve_fks)


def _in_database_order(table: Any, names: list) -> None:
    """Columns in the table's own order, a declared one where the database has it (as
    SQLAlchemy orders them); columns only declared come last."""
    position = {n: i for i, n in enumerate(names)}
    columns = table.columns._list
    columns.sort(key=lambda c: position.get(c.name, len(position)))


def _column_options(info: dict) -> dict:
    from .elements import TextClause
    from .schema import DefaultClause

    options: dict = {"nullable": info.get("nullable", True)}
    default = info.get("default")
    if default is not None:
        options["server_default"] = DefaultClause(TextClause(str(default)))
    autoincrement = info.get("autoincrement")
    if autoincrement is not None:
        options["autoincrement"] = autoincrement
    if info.get("comment") is not None:
        options["comment"] = info["comment"]
    return options


def _reflect_primary_key(table: Any, pk: dict, names: list) -> None:
    from .schema import PrimaryKeyConstraint

    columns = [table.c[n] for n in names if n in table.c]
    if not columns or [c.name for c in table.primary_key.columns] == names:
        if pk.get("name") and table.primary_key.name is None:
            table.primary_key.name = pk["name"]
        return
    constraint = PrimaryKeyConstraint(*columns, name=pk.get("name"))
    for column in columns:
        # the database said whether NULL is allowed; a key column's default would not
        column._user_nullable = column.nullable
    table.append_constraint(constraint)


def _reflect_foreign_key(table: Any, bind: Any, fk: dict, resolve_fks: bool) -> None:
    from .schema import ForeignKeyConstraint, Table

    local = fk["constrained_columns"]
    if not all(n in table.c for n in local):
        return  # a column left out by include_columns / exclude_columns
    if any(f.parent is not None and f.parent.name in local for f in table.foreign_keys
           if f.constraint is not None and f.constraint.name == fk.get("name")
           and fk.get("name")):
        return
    referred_schema = fk.get("referred_schema")
    referred = fk["referred_table"]
    target = f"{referred_schema}.{referred}" if referred_schema else referred
    metadata = table.metadata
    if resolve_fks and target not in metadata.tables:
        Table(referred, metadata, schema=referred_schema, autoload_with=bind,
              resolve_fks=True)
    options = fk.get("options") or {}
    table.append_constraint(ForeignKeyConstraint(
        [table.c[n] for n in local], [f"{target}.{c}" for c in fk["referred_columns"]],
        name=fk.get("name"), onupdate=options.get("onupdate"),
        ondelete=options.get("ondelete"), deferrable=options.get("deferrable"),
        initially=options.get("initially")))


def _unique_constraints(inspector: Any, name: str, schema: str | None) -> list:
    return inspector.get_unique_constraints(name, schema)


def _add_if_columns_known(table: Any, names: list, make: Any) -> None:
    """Constraints and indexes over expressions (no column name) or over columns left
    out are not reflected, as SQLAlchemy leaves them (with a warning)."""
    if names and all(n is not None and n in table.c for n in names):
        make([table.c[n] for n in names])


def _unique(columns: list, name: str | None) -> None:
    from .schema import UniqueConstraint

    table = columns[0].table
    if any(isinstance(c, UniqueConstraint) and list(c.columns) == columns
           for c in table.constraints):
        return
    table.append_constraint(UniqueConstraint(*columns, name=name))


def _index(name: str, columns: list, unique: Any) -> None:
    from .schema import Index

    table = columns[0].table
    if any(index.name == name for index in table.indexes):
        return
    index = Index(name, *columns, unique=unique)
    index._set_parent(table)
