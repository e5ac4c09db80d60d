"""ORM-enabled insert() / update() / delete() through ``Session.execute``.

The identity map is kept in step with what the statement did: for UPDATE
and DELETE the affected keys are selected first (the 'fetch' strategy, which
gives the same objects as 'evaluate' and 'auto'), then matching objects in
the session are updated in place or marked deleted.
"""

from __future__ import annotations

from typing import Any

from .. import exc as sa_exc
from ..sql.elements import BindParameter
from ..sql.selectable import Select

_STRATEGIES = ("auto", "evaluate", "fetch", False, None)


def execute_dml(session: Any, statement: Any, params: Any, options: dict) -> Any:
    mapper = statement.entity
    strategy = options.get("synchronize_session", "auto")
    if strategy not in _STRATEGIES:
        raise sa_exc.ArgumentError(
            f"Valid strategies for session synchronization are 'auto', 'evaluate', 'fetch', "
            f"False; got {strategy!r}"
        )
    conn = session._connection()
    if statement.__visit_name__ == "insert":
        if statement._returning_entities:
            return _insert_returning_objects(session, conn, statement, params)
        return _bulk_insert(conn, statement, params)
    if statement.__visit_name__ == "update" and isinstance(params, list) and params and \
            not statement._values:
        return _bulk_update_by_pk(session, conn, mapper, statement, params, strategy)
    if strategy == "evaluate":
        for criterion in statement._where:
            _require_evaluable(criterion, mapper)
    keys: list = []
    if strategy is not False and statement._where is not None:
        finder = Select(*mapper.primary_key)
        if statement._where:
            finder = finder.where(*statement._where)
        keys = [tuple(row) for row in conn.execute(finder, params)]
    result = conn.execute(statement, params)
    if strategy is False or not keys:
        return result
    imap = session._identity_map
    single = len(mapper._pk_keys) == 1
    if statement.__visit_name__ == "delete":
        for ident in keys:
            state = imap._state_for(mapper, ident[0] if single else ident)
            if state is not None:
                obj = state.obj()
                imap._remove(state)
                state._deleted = True
                session._modified.discard(state)
                session._deleted.pop(state, None)
                session._flushed_deleted.append((state, obj))
        return result
    values = statement._values or {}
    literal = {}
    expire = []
    for column, value in values.items():
        prop = mapper._column_to_prop.get(column)
        if prop is None:
            continue
        if isinstance(value, BindParameter) and value.unique:
            literal[prop.key] = value.effective_value
        else:
            expire.append(prop.key)
    for ident in keys:
        state = imap._state_for(mapper, ident[0] if single else ident)
        if state is None:
            continue
        obj = state.obj()
        if obj is None:
            continue
        d = obj.__dict__
        for key, value in literal.items():
            d[key] = value
            if state.committed_state:
                state.committed_state.pop(key, None)
        for key in expire:
            d.pop(key, None)
    return result


def _bulk_update_by_pk(session: Any, conn: Any, mapper: Any, statement: Any, params: list,
                       strategy: Any) -> Any:
    """``session.execute(update(User), [{"id": 1, "name": …}, …])``: each dict names a row
    by its primary key and gives the attributes to set.  Rows setting the same
    attributes share one executemany; a row that matches nothing raises StaleDataError
    (as a flush would); objects of those rows in the Session take the new values."""
    from ..sql.dml import Update
    from ..sql.elements import bindparam
    from . import exc as orm_exc

    pk_keys = mapper._pk_keys
    if statement._where and strategy not in (False, None):
        raise sa_exc.InvalidRequestError(
            "bulk synchronize of persistent objects not supported when using bulk update "
            "with additional WHERE criteria right now.  add synchronize_session=None "
            "execution option to bypass synchronize of persistent objects."
        )
    for row in params:
        missing = [k for k in pk_keys if row.get(k) is None]
        if missing:
            raise sa_exc.InvalidRequestError(
                f"No primary key value supplied for column(s) "
                f"{', '.join(str(mapper._props[k].column) for k in missing)}; per-row ORM "
                "Bulk UPDATE by Primary Key requires that records contain primary key values"
            )
        unknown = [k for k in row if k not in mapper._props]
        if unknown:
            raise sa_exc.InvalidRequestError(
                f"Bulk UPDATE of {mapper.class_.__name__}: {', '.join(map(repr, unknown))} "
                f"is not a mapped column attribute; its attributes are "
                f"{', '.join(mapper._props)}"
            )
    total = 0
    for group in _key_groups(params):
        setting = [k for k in group[0] if k not in pk_keys]
        if not setting:
            continue
        table = mapper.local_table
        stmt = Update(table).values(
            {mapper._props[k].column: bindparam(f"la_set_{k}") for k in setting})
        stmt = stmt.where(*[mapper._props[k].column == bindparam(f"la_pk_{k}")
                            for k in pk_keys], *statement._where)
        rows = [{**{f"la_set_{k}": row[k] for k in setting},
                 **{f"la_pk_{k}": row[k] for k in pk_keys}} for row in group]
        matched = conn.execute(stmt, rows).rowcount
        if matched >= 0 and matched != len(rows) and not statement._where:
            raise orm_exc.StaleDataError(
                f"UPDATE statement on table '{table.name}' expected to update "
                f"{len(rows)} row(s); {matched} were matched.")
        total += max(matched, 0)
        if strategy is not False and strategy is not None:
            _update_held_objects(session, mapper, group, setting)
    return _no_rows(total)


def _update_held_objects(session: Any, mapper: Any, rows: list, keys: list) -> None:
    imap = session._identity_map
    pk_keys = mapper._pk_keys
    for row in rows:
        ident = row[pk_keys[0]] if len(pk_keys) == 1 else tuple(row[k] for k in pk_keys)
        state = imap._state_for(mapper, ident)
        obj = state.obj() if state is not None else None
        if obj is None:
            continue
        d = obj.__dict__
        for key in keys:
            d[key] = row[key]
            if state.committed_state:
                state.committed_state.pop(key, None)


def _no_rows(rowcount: int) -> Any:
    from ..engine.result import Result, _ListSource

    return Result(_ListSource([]), [], lambda raw: [], rowcount=rowcount, returns_rows=False)


def _insert_returning_objects(session: Any, conn: Any, statement: Any, params: Any) -> Any:
    """``insert(User).returning(User)``: the new rows come back as persistent objects of
    the Session (through the loaders and the identity map, like any loaded row), in
    the order of the parameter sets; columns returned alongside come back as values."""
    from ..engine.result import Result, _ListSource, row_class
    from .loading import loader_for

    raw: list = []
    for group in _key_groups(params):
        raw.extend(conn.execute(statement, group)._raw_all())
    dialect = conn.dialect
    entities = {start: (cls, keys) for cls, start, keys in statement._returning_entities}
    columns: list = []
    names: list = []
    position = 0
    while position < len(statement._returning):
        found = entities.get(position)
        if found is not None:
            cls, keys = found
            mapper = cls.__mapper__
            columns.append(loader_for(mapper, dialect, position, keys)(raw, session, False))
            names.append(cls.__name__)
            position += len(keys)
            continue
        column = statement._returning[position]
        processor = column.type._processors(dialect)[1]
        columns.append([r[position] if processor is None or r[position] is None
                        else processor(r[position]) for r in raw])
        names.append(getattr(column, "key", None) or f"col_{position}")
        position += 1
    rows = list(zip(*columns)) if columns else []
    make = row_class(tuple(names))
    return Result(_ListSource(rows), names, lambda got: [make(r) for r in got],
                  rowcount=len(rows))


def _key_groups(params: Any) -> list:
    """Parameter sets in runs with the same keys (one executemany each)."""
    if not isinstance(params, list):
        return [params]
    groups: list = []
    for row in params:
        if groups and groups[-1][0].keys() == row.keys():
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def _bulk_insert(conn: Any, statement: Any, params: Any) -> Any:
    """Rows with the same keys go together; a key a row lacks is NULL, as in the ORM's
    bulk INSERT of SQLAlchemy (Core would refuse a missing key)."""
    if not isinstance(params, list) or len(params) < 2:
        return conn.execute(statement, params)
    result = None
    total = 0
    for group in _key_groups(params):
        result = conn.execute(statement, group)
        total += max(result.rowcount, 0)
    result.rowcount = total
    return result


_EVALUABLE_OPERATORS = {
    "eq", "ne", "lt", "le", "gt", "ge", "is_", "is_not", "is_distinct_from",
    "is_not_distinct_from", "in_", "not_in", "add", "sub", "mul", "truediv", "mod", "concat",
    "and_", "or_", "not_", "neg", "startswith", "endswith", "not_startswith", "not_endswith",
}


def _require_evaluable(criterion: Any, mapper: Any) -> None:
    """synchronize_session="evaluate" works only for criteria SQLAlchemy can evaluate
    in Python (comparisons, IN, IS, arithmetic, AND/OR/NOT); others are refused alike."""
    table = mapper.local_table
    stack = [criterion]
    while stack:
        item = stack.pop()
        name = item.__visit_name__
        if name in ("binary", "unary"):
            op = item.operator if name == "binary" else (item.operator or item.modifier)
            if op is not None and op.name not in _EVALUABLE_OPERATORS:
                break
            stack.extend(c for c in (getattr(item, "left", None), getattr(item, "right", None),
                                     getattr(item, "element", None)) if c is not None)
        elif name in ("clauselist", "grouping", "tuple"):
            stack.extend(item.clauses if hasattr(item, "clauses") else [item.element])
        elif name == "column":
            if item.table is not table:
                break
        elif name not in ("bindparam", "null", "true", "false", "empty_in"):
            break
    else:
        return
    raise sa_exc.InvalidRequestError(
        "Could not evaluate current criteria in Python: the criteria use a construct the "
        "evaluator does not handle. Specify 'fetch' or False for the synchronize_session "
        "execution option."
    )

