"""Run flush steps as batched INSERT / UPDATE / DELETE statements.

Benchmarks: ``bulk_create``, ``update_dirty``, ``delete``, ``single_insert_commit``.
New objects of one class become multi-row INSERTs within the bind limit;
generated keys come back through RETURNING and are paired with objects in
VALUES order only where the dialect promises that keys ascend in that order
(otherwise one row per statement).  Statements are compiled once per shape
and cached on the mapper.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from .._util.codegen import build
from ..sql.compiler import CONSTANT, _DefaultContext
from ..sql.dml import Delete, Insert, Update
from ..sql.elements import BindParameter
from . import exc as orm_exc
from .base import NO_VALUE
from .loading import load_unloaded
from .unitofwork import DeleteRows, InsertRows, UpdateRows


def run(step: Any, session: Any, conn: Any) -> None:
    if isinstance(step, InsertRows):
        _insert(step, session, conn)
    elif isinstance(step, UpdateRows):
        _update(step, session, conn)
    elif isinstance(step, DeleteRows):
        _delete(step, session, conn)


# -- INSERT -----------------------------------------------------------------------


def _python_defaults(mapper: Any) -> dict:
    """Attribute key → its Python-side default (scalar or callable), per mapper."""
    found = mapper._caches.get("python_defaults")
    if found is None:
        found = mapper._caches["python_defaults"] = {
            key: prop.column.default for key, prop in mapper._table_props.items()
            if prop.column.default is not None and not prop.column.default.is_clause_element
        }
    return found


def _insert_sql(mapper: Any, dialect: Any, keys: tuple, nrows: int, returning: bool) -> Any:
    cache_key = ("insert", dialect.name, keys, nrows, returning)
    found = mapper._caches.get(cache_key)
    if found is not None:
        return found
    base_key = ("insert1", dialect.name, keys)
    base = mapper._caches.get(base_key)
    if base is None:
        table = mapper.local_table
        props = mapper._table_props
        stmt = Insert(table)
        cols = [props[k].column for k in keys]
        if cols:
            stmt = stmt.values({c: BindParameter(c.key, None, c.type, required=True) for c in cols})
        compiled, binds = stmt._compile_for(dialect)
        processors = [props[k].column.type._processors(dialect)[0] for k in keys]
        # values bound inside SQL-expression defaults (default=func.upper("x")) are the
        # same for every row: (placeholder position, converted value)
        constants = []
        for position, (kind, index, processor) in enumerate(compiled.positions):
            if kind == CONSTANT:
                value = index.effective_value
                if processor is not None and value is not None:
                    value = processor(value)
                constants.append((position, value))
        base = mapper._caches[base_key] = (compiled.sql, processors, constants)
    sql = base[0]
    if nrows > 1:
        prefix, _, group = sql.partition(" VALUES ")
        sql = prefix + " VALUES " + ", ".join([group] * nrows)
    if returning:
        pk_names = ", ".join(dialect.identifier_preparer.quote(c.name)
                             for c in mapper.primary_key)
        sql += " RETURNING " + pk_names
    found = mapper._caches[cache_key] = (sql, base[1], base[2])
    return found


def _row_extractor(mapper: Any, dialect: Any, keys: tuple) -> Any:
    """``row(obj.__dict__) -> [values]`` for one INSERT shape, generated once.

    Benchmark: ``bulk_create``.  Keys with a Python default fall back to the
    general ``_row_values``, which evaluates the default and stores it on the object.
    """
    cache_key = ("row_extractor", dialect.name, keys)
    found = mapper._caches.get(cache_key)
    if found is not None:
        return found
    defaults = _python_defaults(mapper)
    _, processors, constants = _insert_sql(mapper, dialect, keys, 1, False)
    if constants:
        def found(d: dict) -> list:
            row = _row_values(defaults, keys, processors, d)
            for position, value in constants:
                row.insert(position, value)
            return row
    elif any(k in defaults for k in keys) or any(
            getattr(p, "handles_none", False) for p in processors):
        def found(d: dict) -> list:
            return _row_values(defaults, keys, processors, d)
    else:
        namespace: dict = {}
        items = []
        for i, (key, processor) in enumerate(zip(keys, processors)):
            if processor is None:
                items.append(f"d.get({key!r})")
            else:
                namespace[f"p{i}"] = processor
                items.append(f"(p{i}(v) if (v := d.get({key!r})) is not None else None)")
        name = f"insert_row_{mapper.class_.__name__}"
        source = f"def {name}(d):\n    return [{', '.join(items)}]\n"
        found = build(name, source, namespace)
    mapper._caches[cache_key] = found
    return found


def _row_values(defaults: dict, keys: tuple, processors: list, d: dict) -> list:
    values = []
    for key, processor in zip(keys, processors):
        value = d.get(key, NO_VALUE)
        if value is NO_VALUE or value is None:
            py_default = defaults.get(key)
            if py_default is not None:
                value = py_default.arg(_DefaultContext(d)) if py_default.is_callable \
                    else py_default.arg
                d[key] = value
            elif value is NO_VALUE:
                value = None
        if processor is not None and (value is not None or
                                      getattr(processor, "handles_none", False)):
            value = processor(value)
        values.append(value)
    return values


def _insert(step: InsertRows, session: Any, conn: Any) -> None:
    mapper = step.mapper
    dialect = conn.dialect
    keys = step.columns
    members = [(state, state().__dict__) for state in step.states]
    sql, *_ = _insert_sql(mapper, dialect, keys, 1, False)
    row_of = _row_extractor(mapper, dialect, keys)
    rows = [row_of(d) for _, d in members]
    if all(k in keys for k in mapper._pk_keys):
        # every key is known: one executemany, nothing to read back
        conn._run(sql, rows if len(rows) > 1 else rows[0], len(rows) > 1).close()
    elif len(rows) > 1 and _can_pair_generated_keys(mapper, dialect, keys):
        _insert_returning_batches(mapper, dialect, conn, keys, rows, members)
    else:
        _insert_one_by_one(mapper, dialect, conn, keys, rows, members)
    _complete_inserts(session, mapper, keys, members)


def one_trip_insert_possible(step: InsertRows, conn: Any) -> bool:
    """Whether ``one_trip_insert`` can send this step: one object, whose key is given
    or comes back through RETURNING."""
    return len(step.states) == 1 and (conn.dialect.features.insert_returning or all(
        k in step.columns for k in step.mapper._pk_keys))


def one_trip_insert(step: InsertRows, session: Any, conn: Any) -> Any:
    """A one-object INSERT step as ``(sql, params, finish)`` for a flush sent with its
    COMMIT in one round trip (``Session.commit``); ``finish(rows)`` takes the rows the
    statement returned."""
    mapper = step.mapper
    dialect = conn.dialect
    keys = step.columns
    state = step.states[0]
    members = [(state, state().__dict__)]
    returning = not all(k in keys for k in mapper._pk_keys)
    sql, *_ = _insert_sql(mapper, dialect, keys, 1, returning)
    params = _row_extractor(mapper, dialect, keys)(members[0][1])

    def finish(rows: list) -> None:
        if returning:
            _take_returned_keys(mapper, dialect, members[0][1], rows[0])
        _complete_inserts(session, mapper, keys, members)

    return sql, params, finish


def _complete_inserts(session: Any, mapper: Any, keys: tuple, members: list) -> None:
    """After the INSERTs of ``members`` (state, __dict__): what the database chose is
    left to load, what it left NULL is known, and the objects become persistent."""
    server_filled = [k for k in _server_filled_keys(mapper) if k not in keys]
    if server_filled:  # the database chose these values: load them on first access
        for _, d in members:
            for key in server_filled:
                d.pop(key, None)
    left_null = _left_null_keys(mapper, keys)
    if left_null:  # the row holds NULL there: reading it needs no SELECT
        for _, d in members:
            for key in left_null:
                if key not in d:
                    d[key] = None
    _finish_inserts(session, mapper, members)


def _left_null_keys(mapper: Any, keys: tuple) -> tuple:
    """Columns an INSERT of shape ``keys`` leaves NULL: not given, no default of any kind."""
    cache_key = ("left_null", keys)
    found = mapper._caches.get(cache_key)
    if found is None:
        server = set(_server_filled_keys(mapper))
        found = mapper._caches[cache_key] = tuple(
            key for key, prop in mapper._table_props.items()
            if key not in keys and key not in server and key not in mapper._pk_key_set
            and prop.column.default is None and prop.column.server_default is None)
    return found


def _server_filled_keys(mapper: Any) -> tuple:
    found = mapper._caches.get("server_filled")
    if found is None:
        found = mapper._caches["server_filled"] = tuple(
            key for key, prop in mapper._table_props.items()
            if key not in mapper._pk_key_set and prop.column.server_default is not None or (
                prop.column.default is not None and prop.column.default.is_clause_element))
    return found


def _can_pair_generated_keys(mapper: Any, dialect: Any, keys: tuple) -> bool:
    features = dialect.features
    auto = mapper.local_table.autoincrement_column
    return bool(keys) and len(mapper.primary_key) == 1 and mapper.primary_key[0] is auto and \
        features.insert_returning and features.insert_keys_ascending and \
        features.supports_multivalues_insert


def _insert_returning_batches(mapper: Any, dialect: Any, conn: Any, keys: tuple, rows: list,
                              members: list) -> None:
    """Multi-row INSERT … RETURNING key; keys pair with objects in VALUES order, which
    the dialect promises (``insert_keys_ascending``) and the check below confirms."""
    features = dialect.features
    batch = min(features.max_insert_rows, max(features.max_bind_params // len(keys), 1))
    pk_key = mapper._pk_keys[0]
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        sql, *_ = _insert_sql(mapper, dialect, keys, len(chunk), True)
        cursor = conn._run(sql, list(chain.from_iterable(chunk)), False)
        generated = sorted(r[0] for r in cursor.fetchall())
        cursor.close()
        if len(generated) != len(chunk) or generated[-1] - generated[0] != len(chunk) - 1:
            raise orm_exc.FlushError(
                f"Could not pair {len(chunk)} generated primary keys with the new "
                f"{mapper.class_.__name__} objects (keys are not consecutive)"
            )
        for (_, d), value in zip(members[start:start + batch], generated):
            d[pk_key] = value


def _insert_one_by_one(mapper: Any, dialect: Any, conn: Any, keys: tuple, rows: list,
                       members: list) -> None:
    features = dialect.features
    auto_column = mapper.local_table.autoincrement_column
    auto_key = mapper._column_to_prop[auto_column].key if auto_column is not None else None
    use_returning = features.insert_returning and (auto_key is None or not features.lastrowid)
    sql, *_ = _insert_sql(mapper, dialect, keys, 1, use_returning)
    if use_returning and len(rows) > 1 and features.executemany_returning:
        # every row in one call: the dialect hands back each row's keys in parameter
        # order, and decides how many rows each statement carries (COPY takes them all)
        pk_keys = mapper._pk_keys
        converters = [mapper._table_props[k].column.type._processors(dialect)[1] for k in pk_keys]
        returned = conn._run_many_returning(sql, rows)
        if len(pk_keys) == 1 and converters[0] is None:  # benchmark: bulk_create
            single = pk_keys[0]
            for (_, d), (value,) in zip(members, returned):
                d[single] = value
            return
        for (_, d), got in zip(members, returned):
            for key, value, convert in zip(pk_keys, got, converters):
                d[key] = convert(value) if convert is not None and value is not None \
                    else value
        return
    for row, (_, d) in zip(rows, members):
        cursor = conn._run(sql, row, False)
        try:
            if use_returning:
                _take_returned_keys(mapper, dialect, d, cursor.fetchone())
            elif auto_key is not None:
                d[auto_key] = cursor.lastrowid
            else:
                raise orm_exc.FlushError(
                    f"Instance of {mapper.class_.__name__} has a NULL identity key and the "
                    "database cannot report generated keys; give the primary key a value."
                )
        finally:
            cursor.close()


def _take_returned_keys(mapper: Any, dialect: Any, d: dict, row: Any) -> None:
    """A new object's primary key from its INSERT's RETURNING row."""
    for key, value in zip(mapper._pk_keys, row):
        processor = mapper._props[key].column.type._processors(dialect)[1]
        d[key] = processor(value) if processor is not None and value is not None else value


def _finish_inserts(session: Any, mapper: Any, members: list) -> None:
    """The new rows' objects become persistent: identity set, held by the identity map."""
    pk_keys = mapper._pk_keys
    by_key = session._identity_map._map_for(mapper)
    if len(pk_keys) == 1:  # benchmark: bulk_create
        pk_key = pk_keys[0]
        for state, d in members:
            ident = d[pk_key]
            if ident is None:
                raise orm_exc.FlushError(
                    f"Instance {state._describe()} has a NULL identity key after flush; check "
                    "that the primary key column generates values or set it explicitly."
                )
            state.ident = ident
            by_key[ident] = state
    else:
        for state, d in members:
            ident = tuple(d.get(k) for k in pk_keys)
            if None in ident:
                raise orm_exc.FlushError(
                    f"Instance {state._describe()} has a NULL identity key; composite primary "
                    "keys must be given values before flush."
                )
            state.ident = ident
            by_key[ident] = state
    if mapper._expr_keys:  # expressions load on access, as the row now computes them
        _expire_expressions(mapper, (state for state, _ in members))
    session._flushed_new.extend(state for state, _ in members)


def _expire_expressions(mapper: Any, states: Any) -> None:
    for state in states:
        obj = state()
        if obj is not None:
            d = obj.__dict__
            for key in mapper._expr_keys:
                d.pop(key, None)


# -- UPDATE -------------------------------------------------------------------------


def _update_sql(mapper: Any, dialect: Any, keys: tuple) -> Any:
    cache_key = ("update", dialect.name, keys)
    found = mapper._caches.get(cache_key)
    if found is None:
        table = mapper.local_table
        props = mapper._table_props
        onupdate = tuple(p.key for p in props.values()
                         if p.column.onupdate is not None and p.key not in keys
                         and not p.column.onupdate.is_clause_element)
        order = {c: i for i, c in enumerate(table.columns)}
        all_keys = tuple(sorted(keys + onupdate, key=lambda k: order[props[k].column]))
        stmt = Update(table).values(
            {props[k].column: BindParameter(f"v_{k}", None, props[k].column.type, required=True)
             for k in all_keys})
        for i, col in enumerate(mapper.primary_key):
            stmt = stmt.where(col == BindParameter(f"pk_{i}", None, col.type, required=True))
        compiled, _ = stmt._compile_for(dialect)
        processors = [props[k].column.type._processors(dialect)[0] for k in all_keys]
        pk_processors = [c.type._processors(dialect)[0] for c in mapper.primary_key]
        server_onupdate = tuple(p.key for p in props.values()
                                if p.column.server_onupdate is not None or (
                                    p.column.onupdate is not None
                                    and p.column.onupdate.is_clause_element))
        found = mapper._caches[cache_key] = (compiled.sql, all_keys, onupdate, processors,
                                             pk_processors, server_onupdate)
    return found


def _update_row_maker(mapper: Any, dialect: Any, keys: tuple) -> Any:
    """``params(state) -> [SET values..., old key...]`` for one UPDATE shape, generated once.

    Benchmark: ``update_dirty``.  The WHERE clause takes the identity key, which
    holds the key as loaded even when the key attribute itself was changed.
    """
    cache_key = ("update_params", dialect.name, keys)
    found = mapper._caches.get(cache_key)
    if found is not None:
        return found
    _, all_keys, onupdate, processors, pk_processors, _ = _update_sql(mapper, dialect, keys)
    namespace: dict = {}
    lines = ["def update_params(state):", "    d = state().__dict__"]
    for key in onupdate:
        namespace[f"default_{key}"] = mapper._table_props[key].column.onupdate
        lines.append(f"    d[{key!r}] = evaluate(default_{key}, d)")
    items = []
    for i, (key, processor) in enumerate(zip(all_keys, processors)):
        if processor is None:
            items.append(f"d.get({key!r})")
        else:
            namespace[f"p{i}"] = processor
            test = "True" if getattr(processor, "handles_none", False) else "v is not None"
            items.append(f"(p{i}(v) if ((v := d.get({key!r})) is not None or {test}) else None)")
    lines.append("    ident = state.identity")
    for i, processor in enumerate(pk_processors):
        if processor is None:
            items.append(f"ident[{i}]")
        else:
            namespace[f"k{i}"] = processor
            items.append(f"(k{i}(ident[{i}]) if ident[{i}] is not None else None)")
    lines.append(f"    return [{', '.join(items)}]")
    namespace["evaluate"] = _evaluate_python_default
    name = f"update_params_{mapper.class_.__name__}"
    found = build(name, "\n".join(lines).replace("def update_params(", f"def {name}("), namespace)
    mapper._caches[cache_key] = found
    return found


def _evaluate_python_default(default: Any, d: dict) -> Any:
    return default.arg(_DefaultContext(d)) if default.is_callable else default.arg


def _update(step: UpdateRows, session: Any, conn: Any) -> None:
    mapper = step.mapper
    dialect = conn.dialect
    sql, *_, expire_keys = _update_sql(mapper, dialect, step.columns)
    params_of = _update_row_maker(mapper, dialect, step.columns)
    rows = [params_of(state) for state in step.states]
    cursor = conn._run(sql, rows if len(rows) > 1 else rows[0], len(rows) > 1)
    matched = cursor.rowcount
    cursor.close()
    if matched != -1 and matched != len(rows):
        for state in step.states:  # as SQLAlchemy, which loads an expired primary key
            obj = state()          # before the UPDATE: ObjectDeletedError when its row is gone
            if obj is not None and not mapper._pk_key_set.issubset(obj.__dict__):
                load_unloaded(session, state, obj)
        raise orm_exc.StaleDataError(
            f"UPDATE statement on table '{mapper.local_table.name}' expected to update "
            f"{len(rows)} row(s); {matched} were matched. The rows may have been deleted "
            "by another transaction; roll back and reload the objects."
        )
    if mapper._expr_keys:
        _expire_expressions(mapper, step.states)
    if expire_keys:  # the database computed these on UPDATE: load them on access
        for state in step.states:
            d = state().__dict__
            for key in expire_keys:
                d.pop(key, None)
    pk_keys = mapper._pk_keys
    if any(k in step.columns for k in pk_keys):
        imap = session._identity_map
        for state in step.states:
            d = state().__dict__
            imap._remove(state)
            state.ident = d[pk_keys[0]] if len(pk_keys) == 1 else tuple(d[k] for k in pk_keys)
            imap._add(state)


# -- DELETE -------------------------------------------------------------------------


def _delete(step: DeleteRows, session: Any, conn: Any) -> None:
    mapper = step.mapper
    dialect = conn.dialect
    cache_key = ("delete", dialect.name)
    found = mapper._caches.get(cache_key)
    if found is None:
        stmt = Delete(mapper.local_table)
        for i, col in enumerate(mapper.primary_key):
            stmt = stmt.where(col == BindParameter(f"pk_{i}", None, col.type, required=True))
        compiled, _ = stmt._compile_for(dialect)
        pk_processors = [c.type._processors(dialect)[0] for c in mapper.primary_key]
        found = mapper._caches[cache_key] = (compiled.sql, pk_processors)
    sql, pk_processors = found
    complete = mapper._attr_key_set.issubset
    held = session._identity_map._map_for(mapper)
    rows = []
    for state in step.states:
        if held.get(state.ident, state) is not state:
            # another object in this Session holds the key: a row inserted in this
            # transaction reused it (SQLite), so it is not this object's row to delete
            continue
        obj = state()
        if obj is not None and not complete(obj.__dict__):
            # as SQLAlchemy: an expired object is loaded before its DELETE, so its
            # attributes stay readable afterwards
            load_unloaded(session, state, obj)
        rows.append([p(v) if p is not None and v is not None else v
                     for p, v in zip(pk_processors, state.identity)])
    if rows:
        conn._run(sql, rows if len(rows) > 1 else rows[0], len(rows) > 1).close()


